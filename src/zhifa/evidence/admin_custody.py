"""Admin of custody: retention classes and holds, saved through their services (so each save
is checked and on the ledger, and a refusal shows on the form with nothing saved); shares and
disposal requests read-only (a share's token is shown once, on the page that creates it; a
disposal is decided on ``/evidence/disposal/``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from zhifa.cases.admin import _ReadOnly
from zhifa.core.errors import ApplicationError
from zhifa.orgs.admin import _adopt
from zhifa.workdays.admin import ServiceFormAdmin

from .models import DisposalRequest, LegalHold, RetentionClass, ShareLink
from .retention import retention_class_save, retention_class_validate
from .services.holds import hold_place, hold_release


class RetentionClassForm(forms.ModelForm):
    class Meta:
        model = RetentionClass
        fields = ["body", "code", "name", "item", "sector", "procedure", "months", "source",
                  "active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        body = data.get("body", self.instance.body if self.instance.pk else None)
        errors = retention_class_validate(
            body=body, code=data.get("code") or "", name=data.get("name") or "",
            months=data.get("months"), procedure=data.get("procedure") or "",
            retention_class=self.instance if self.instance.pk else None)
        for field, message in errors.items():
            self.add_error(field if field in self.fields else None, message)
        return data


@admin.register(RetentionClass)
class RetentionClassAdmin(ServiceFormAdmin):
    form = RetentionClassForm
    list_display = ["code", "name", "body", "item", "sector", "procedure", "months", "active"]
    list_filter = ["active", "procedure"]
    search_fields = ["code", "name"]
    list_select_related = ["body", "item", "sector"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["body"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = retention_class_save(
            actor=request.user, body=obj.body, code=obj.code, name=obj.name,
            months=obj.months, item=obj.item, sector=obj.sector, procedure=obj.procedure,
            source=obj.source, active=obj.active,
            retention_class=RetentionClass.objects.get(pk=obj.pk) if change else None)
        _adopt(obj, saved)


class HoldForm(forms.ModelForm):
    class Meta:
        model = LegalHold
        fields = ["case", "kind", "reason", "release_reason"]


@admin.register(LegalHold)
class LegalHoldAdmin(ServiceFormAdmin):
    form = HoldForm
    list_display = ["case", "kind", "reason", "created_at", "released_at"]
    list_filter = ["kind"]
    search_fields = ["case__number", "reason"]
    list_select_related = ["case"]
    raw_id_fields = ["case"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["case", "kind", "reason"]
        return ["case", "kind", "reason", "placed_by", "created_at", "released_at",
                "released_by", "release_reason"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        fixed = ["case", "kind", "reason", "placed_by", "created_at", "released_at",
                 "released_by"]
        return fixed + (["release_reason"] if obj.released_at is not None else [])

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            saved = hold_place(actor=request.user, case=obj.case, kind=obj.kind,
                               reason=obj.reason)
        else:
            current = LegalHold.objects.select_related("case", "case__body").get(pk=obj.pk)
            if current.released_at is not None or not (obj.release_reason or "").strip():
                raise ApplicationError(_("To release the hold, give the reason for release."),
                                       code="hold_reason_required")
            saved = hold_release(actor=request.user, hold=current, reason=obj.release_reason)
        _adopt(obj, saved)


@admin.register(ShareLink)
class ShareLinkAdmin(_ReadOnly):
    list_display = ["case", "recipient_kind", "recipient", "expires_at", "revoked_at",
                    "access_count"]
    list_filter = ["recipient_kind"]
    search_fields = ["case__number", "recipient"]
    list_select_related = ["case"]
    exclude = ["token_hash"]


@admin.register(DisposalRequest)
class DisposalRequestAdmin(_ReadOnly):
    list_display = ["body", "state", "reason", "created_at", "decided_at"]
    list_filter = ["state"]
    list_select_related = ["body"]
