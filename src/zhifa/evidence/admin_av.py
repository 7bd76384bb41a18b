"""Admin of the audio/video part: recording devices and the details of audio/video records,
saved through the services (validated and on the ledger); nothing is deleted, and a record
is never added here (it comes with its file)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from zhifa.orgs.admin import ServiceAdmin, _adopt

from .models import AvRecord, RecordingDevice
from .services.av import av_record_save
from .services.devices import DEVICE_FIELDS, device_save

RECORD_FIELDS = ("device", "officer", "started_at", "ended_at", "latitude", "longitude",
                 "interruption_note")


@admin.register(RecordingDevice)
class RecordingDeviceAdmin(ServiceAdmin):
    list_display = ["serial", "kind", "body", "model_name", "holder", "reviewed_on", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["serial", "model_name", "body__name"]
    autocomplete_fields = ["body", "holder"]
    fields = ["body", "kind", "serial", "model_name", "holder", "location", "reviewed_on",
              "review_note", "clock_checked_on", "status"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["body"] if obj is not None else []  # a device stays with its body

    def _values(self, form: forms.ModelForm) -> dict[str, Any]:
        return {name: form.cleaned_data[name] for name in DEVICE_FIELDS}

    def create(self, request: HttpRequest, form: forms.ModelForm) -> Model:
        return device_save(actor=request.user, body=form.cleaned_data["body"],
                           **self._values(form))

    def update(self, request: HttpRequest, obj: Any, form: forms.ModelForm) -> None:
        body = RecordingDevice.objects.get(pk=obj.pk).body
        _adopt(obj, device_save(actor=request.user, body=body, device=obj,
                                **self._values(form)))


@admin.register(AvRecord)
class AvRecordAdmin(ServiceAdmin):
    list_display = ["file", "device", "officer", "started_at", "ended_at", "duration_ms",
                    "probe_state"]
    list_filter = ["probe_state"]
    search_fields = ["file__filename", "file__case__number", "device__serial"]
    list_select_related = ["file", "device", "officer"]
    autocomplete_fields = ["device", "officer"]
    fields = ["file", *RECORD_FIELDS, "duration_ms", "probe_state", "probe", "poster"]
    readonly_fields = ["file", "duration_ms", "probe_state", "probe", "poster"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def update(self, request: HttpRequest, obj: Any, form: forms.ModelForm) -> None:
        changed = {name: form.cleaned_data[name] for name in form.changed_data
                   if name in RECORD_FIELDS}
        if "interruption_note" in changed:
            changed["interruption_note"] = changed["interruption_note"] or ""
        if not changed:
            return
        original = AvRecord.objects.get(pk=obj.pk)
        _adopt(obj, av_record_save(actor=request.user, record=original, **changed))
