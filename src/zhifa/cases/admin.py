"""Admin: agencies' approval ladders and custom procedures (saved through the services, so
each save is validated and on the ledger), and read-only views of cases and of provisional
deadlines (a year without holiday data) for administrators."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from zhifa.core.errors import ApplicationError

from .models import ApprovalLadder, Case, CaseDeadline, CustomProcedure, DeadlineState
from .services.admin import approval_ladder_save, custom_procedure_save


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(_ReadOnly):
    list_display = ["number", "title", "body", "procedure", "stage", "status", "received_on"]
    list_filter = ["procedure", "status"]
    search_fields = ["number", "title"]


class ProvisionalFilter(admin.SimpleListFilter):
    title = _("provisional")
    parameter_name = "provisional"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("1", _("Provisional (no holiday data for the year)"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "1":
            return queryset.filter(provisional=True, state=DeadlineState.RUNNING)
        return queryset


@admin.register(CaseDeadline)
class CaseDeadlineAdmin(_ReadOnly):
    list_display = ["case", "label", "start", "due", "provisional", "state", "source"]
    list_filter = [ProvisionalFilter, "state", "rule_code"]
    search_fields = ["case__number", "label"]
    list_select_related = ["case"]


class _ServiceSaved(admin.ModelAdmin):
    """Saves go through a service; its refusal is shown as an error and nothing is saved."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        self._service_save(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LadderForm(forms.ModelForm):
    steps = forms.CharField(label=_("approval steps"),
                            help_text=_("Roles in order, separated by commas: officer, "
                                        "reviewer, head. Empty: no approval."), required=False)

    class Meta:
        model = ApprovalLadder
        fields = ["body", "procedure", "action", "steps"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["steps"] = ", ".join(self.instance.steps)

    def clean_steps(self) -> list[str]:
        raw = self.cleaned_data.get("steps") or ""
        return [s.strip() for s in raw.replace("，", ",").split(",") if s.strip()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            from .procedures import procedure_get

            if data.get("procedure") and data.get("body"):
                procedure_get(data["procedure"], body=data["body"])
        except ApplicationError as exc:
            raise ValidationError(exc.message) from None
        return data


@admin.register(ApprovalLadder)
class ApprovalLadderAdmin(_ServiceSaved):
    form = LadderForm
    list_display = ["body", "procedure", "action", "steps"]
    list_filter = ["procedure"]

    def _service_save(self, request: HttpRequest, obj: Any) -> None:
        try:
            approval_ladder_save(actor=request.user, body=obj.body, procedure=obj.procedure,
                                 action=obj.action, steps=obj.steps)
        except ApplicationError as exc:
            messages.error(request, exc.message)


@admin.register(CustomProcedure)
class CustomProcedureAdmin(_ServiceSaved):
    list_display = ["name", "code", "body", "active"]

    def _service_save(self, request: HttpRequest, obj: Any) -> None:
        try:
            custom_procedure_save(actor=request.user, body=obj.body, code=obj.code,
                                  name=obj.name, definition=obj.definition, active=obj.active)
        except ApplicationError as exc:
            messages.error(request, exc.message)
