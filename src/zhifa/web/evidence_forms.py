"""Forms of the evidence page: an item's details (recording a new item, editing one),
withdrawing an item, attaching a file to another item. The forms only parse; the services
(``zhifa.evidence.services.items``) check and record. A service's refusal is put back on the
field it concerns, so the form comes back with everything as it was typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhifa.cases.models import Case, CaseStep
from zhifa.core.errors import ApplicationError
from zhifa.evidence.models import EvidenceItem, EvidenceKind, ItemState
from zhifa.orgs.models import Person, PersonStatus

# the field of the item form each refusal of the services belongs to
ERROR_FIELDS = {
    "invalid_evidence_kind": "kind",
    "evidence_title_required": "title",
    "invalid_coordinates": "latitude",
    "step_not_in_case": "step",
    "collector_out_of_body": "collectors",
    "reason_required": "reason",
}

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _choices(form: forms.Form, name: str, choices: list[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


def step_choices(case: Case) -> list[tuple[str, str]]:
    steps = CaseStep.objects.filter(case=case).order_by("id")
    return [("", "—")] + [(str(s.pk), f"{s.label}（{s.acted_on:%Y-%m-%d}）") for s in steps]


def collector_choices(case: Case, keep: list[Person] | None = None) -> list[tuple[str, str]]:
    """The officers of the case's body in post, the case's own officers first; ``keep``:
    people already recorded (one who has left stays a choice, so an edit keeps them)."""
    people = list(Person.objects.filter(body_id=case.body_id, status=PersonStatus.ACTIVE)
                  .order_by("name", "id"))
    people += [p for p in keep or [] if p.pk not in {q.pk for q in people}]
    own = set(case.officers.values_list("person_id", flat=True))
    people.sort(key=lambda p: p.pk not in own)
    return [(str(p.public_id), p.name) for p in people]


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of evidence"), choices=EvidenceKind.choices)
    title = forms.CharField(label=_("Name"), max_length=200,
                            error_messages={"required": _("Give the evidence a name.")})
    description = forms.CharField(label=_("Description"), required=False, max_length=20_000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.CharField(label=_("Source"), required=False, max_length=200,
                             help_text=_("Where or from whom the evidence was obtained."))
    collected_at = forms.DateTimeField(label=_("Collected at"), required=False,
                                       widget=LocalDateTimeInput())
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    latitude = forms.CharField(label=_("Latitude"), required=False, max_length=20,
                               widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    longitude = forms.CharField(label=_("Longitude"), required=False, max_length=20,
                                widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    step = forms.ChoiceField(label=_("Case step"), required=False)
    collectors = forms.MultipleChoiceField(label=_("Collecting officers"), required=False,
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, case: Case, item: EvidenceItem | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        _choices(self, "kind", [("", _("Choose…")), *EvidenceKind.choices])
        _choices(self, "step", step_choices(case))
        keep = list(item.collectors.all()) if item is not None else []
        _choices(self, "collectors", collector_choices(case, keep))

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values as the item services take them (rows for step and people)."""
        data = dict(self.cleaned_data)
        step_id = data.pop("step", "")
        data["step"] = CaseStep.objects.filter(case=self.case, pk=step_id).first() \
            if step_id else None
        ids = data.pop("collectors", [])
        found = {str(p.public_id): p for p in Person.objects.filter(public_id__in=ids)}
        data["collectors"] = [found[i] for i in ids if i in found]
        return data

    def refuse(self, exc: ApplicationError) -> None:
        """Put a service's refusal on its field, or on the whole form."""
        name = ERROR_FIELDS.get(exc.code)
        self.add_error(name if name in self.fields else None, exc.message)


def item_initial(item: EvidenceItem) -> dict[str, Any]:
    return {
        "kind": item.kind, "title": item.title, "description": item.description,
        "source": item.source, "collected_at": item.collected_at, "place": item.place,
        "latitude": "" if item.latitude is None else str(item.latitude),
        "longitude": "" if item.longitude is None else str(item.longitude),
        "step": str(item.step_id) if item.step_id else "",
        "collectors": [str(p.public_id) for p in item.collectors.all()],
    }


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason for withdrawing"), max_length=20_000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Give the reason for withdrawing "
                                                           "this evidence.")})


class AttachForm(forms.Form):
    item = forms.ChoiceField(label=_("Attach to evidence"))

    def __init__(self, *args: Any, items: list[EvidenceItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "item", [(str(i.public_id), f"{i.seq}. {i.title}")
                                for i in items if i.state == ItemState.ACTIVE])
