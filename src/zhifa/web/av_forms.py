"""Forms of the audio/video pages: a recording device, a record's details, the device list's
filters. They only parse; the services (``evidence.services.devices`` / ``.av``) check and
record, and a refusal is put back on the field it concerns."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhifa.core.errors import ApplicationError
from zhifa.evidence.models import AvRecord, DeviceKind, DeviceStatus, RecordingDevice
from zhifa.orgs.models import EnforcementBody, Person, PersonStatus

from .forms import ANY, FilterForm, _choices

DEVICE_ERROR_FIELDS = {
    "serial_required": "serial",
    "serial_taken": "serial",
    "invalid_device_kind": "kind",
    "invalid_device_status": "status",
    "holder_out_of_body": "holder",
    "review_date_future": "reviewed_on",
    "clock_check_future": "clock_checked_on",
}

RECORD_ERROR_FIELDS = {
    "device_out_of_body": "device",
    "officer_out_of_body": "officer",
    "av_interval_reversed": "ended_at",
    "invalid_coordinates": "latitude",
}

DATETIME_SECONDS = "%Y-%m-%dT%H:%M:%S"


def set_choices(form: forms.Form, name: str, choices: list[tuple[str, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def show_error(form: forms.Form, exc: ApplicationError, fields: dict[str, str]) -> None:
    field = fields.get(exc.code)
    form.add_error(field if field in form.fields else None, exc.message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class SecondsInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(attrs={"step": "1"}, format=DATETIME_SECONDS)


def people_choices(body_id: int | None, current: Person | None = None) -> list[tuple[str, Any]]:
    people = list(Person.objects.filter(body_id=body_id, status=PersonStatus.ACTIVE)
                  .order_by("name", "id"))
    if current is not None and current not in people:
        people.append(current)
    return [("", "—")] + [(str(p.public_id), p.name) for p in people]


class DeviceForm(forms.Form):
    body = forms.ChoiceField(label=_("Enforcement body"))
    kind = forms.ChoiceField(label=pgettext_lazy("recording device", "Kind"),
                             choices=DeviceKind.choices)
    serial = forms.CharField(label=_("Serial number"), max_length=64)
    model_name = forms.CharField(label=_("Model"), max_length=128, required=False)
    holder = forms.ChoiceField(label=pgettext_lazy("recording device", "Holder"), required=False)
    location = forms.CharField(label=_("Installed at"), max_length=200, required=False,
                               help_text=_("For fixed equipment: where it is installed."))
    reviewed_on = forms.DateField(
        label=_("Legal and technical review passed on"), required=False, widget=DateInput(),
        help_text=_("APL art. 41: equipment is reviewed before use. Leave empty if no review "
                    "is on record."))
    review_note = forms.CharField(label=_("Review reference"), max_length=200, required=False)
    clock_checked_on = forms.DateField(label=_("Clock last checked on"), required=False,
                                       widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), choices=DeviceStatus.choices)

    def __init__(self, *args: Any, bodies: list[EnforcementBody], body: EnforcementBody | None,
                 device: RecordingDevice | None = None, **kwargs: Any) -> None:
        if device is not None and not args and "data" not in kwargs:
            kwargs.setdefault("initial", {
                "kind": device.kind, "serial": device.serial, "model_name": device.model_name,
                "holder": str(device.holder.public_id) if device.holder else "",
                "location": device.location, "reviewed_on": device.reviewed_on,
                "review_note": device.review_note, "clock_checked_on": device.clock_checked_on,
                "status": device.status})
        super().__init__(*args, **kwargs)
        self.bodies = {str(b.public_id): b for b in bodies}
        if body is not None:  # one's own body, or the device's
            del self.fields["body"]
            self.fixed_body: EnforcementBody | None = body
            set_choices(self, "holder", people_choices(
                body.pk, device.holder if device else None))
        else:  # a system administrator registering for any body
            self.fixed_body = None
            set_choices(self, "body", [(pid, b.name) for pid, b in self.bodies.items()])
            set_choices(self, "holder", [("", "—")] + [
                (str(p.public_id), f"{p.name}（{p.body.name}）")
                for p in Person.objects.filter(body__in=bodies, status=PersonStatus.ACTIVE)
                .select_related("body").order_by("body_id", "name", "id")])

    def chosen_body(self) -> EnforcementBody:
        if self.fixed_body is not None:
            return self.fixed_body
        return self.bodies[self.cleaned_data["body"]]

    def values(self) -> dict[str, Any]:
        d = self.cleaned_data
        holder = (Person.objects.filter(public_id=d["holder"]).first()
                  if d.get("holder") else None)
        return {"serial": d["serial"], "kind": d["kind"], "model_name": d["model_name"],
                "holder": holder, "location": d["location"], "reviewed_on": d["reviewed_on"],
                "review_note": d["review_note"], "clock_checked_on": d["clock_checked_on"],
                "status": d["status"]}


class AvRecordForm(forms.Form):
    device = forms.ChoiceField(label=_("Recording device"), required=False)
    officer = forms.ChoiceField(label=_("Recording officer"), required=False)
    started_at = forms.DateTimeField(label=_("Recording started at"), required=False,
                                     widget=SecondsInput())
    ended_at = forms.DateTimeField(
        label=_("Recording ended at"), required=False, widget=SecondsInput(),
        help_text=_("Leave empty to use the start plus the length of the recording."))
    latitude = forms.CharField(label=_("Latitude"), required=False, max_length=20)
    longitude = forms.CharField(label=_("Longitude"), required=False, max_length=20)
    interruption_note = forms.CharField(
        label=_("Interruptions explained"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("If the recording was interrupted, say when and why."))

    def __init__(self, *args: Any, record: AvRecord, body_id: int, **kwargs: Any) -> None:
        if not args and "data" not in kwargs:
            kwargs.setdefault("initial", {
                "device": str(record.device.public_id) if record.device else "",
                "officer": str(record.officer.public_id) if record.officer else "",
                "started_at": record.started_at, "ended_at": record.ended_at,
                "latitude": "" if record.latitude is None else str(record.latitude),
                "longitude": "" if record.longitude is None else str(record.longitude),
                "interruption_note": record.interruption_note})
        super().__init__(*args, **kwargs)
        devices = list(RecordingDevice.objects.filter(body_id=body_id).order_by("serial"))
        self.devices = {str(d.public_id): d for d in devices}
        set_choices(self, "device", [("", "—")] + [
            (pid, f"{d.serial} · {d.get_kind_display()}") for pid, d in self.devices.items()])
        set_choices(self, "officer", people_choices(body_id, record.officer))

    def values(self) -> dict[str, Any]:
        d = self.cleaned_data
        officer = (Person.objects.filter(public_id=d["officer"]).first()
                   if d.get("officer") else None)
        return {"device": self.devices.get(d.get("device") or ""), "officer": officer,
                "started_at": d["started_at"], "ended_at": d["ended_at"],
                "latitude": d["latitude"], "longitude": d["longitude"],
                "interruption_note": d["interruption_note"]}


class DeviceFilterForm(FilterForm):
    body = forms.ChoiceField(label=_("Body"), required=False)
    kind = forms.ChoiceField(label=pgettext_lazy("recording device", "Kind"), required=False,
                             choices=_choices(DeviceKind.choices))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=_choices(DeviceStatus.choices))
    review = forms.ChoiceField(label=_("Legal and technical review"), required=False,
                               choices=[*ANY, ("missing", _("No review on record")),
                                        ("done", _("Review on record"))])

    def __init__(self, *args: Any, bodies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Serial number or model")
        set_choices(self, "body", [*ANY, *((str(pid), name) for pid, name in
                                           bodies.values_list("public_id", "name"))])
        self.drop_single_body()
