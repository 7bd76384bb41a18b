"""Admin of the recorded-matters lists (音像记录事项清单): saved through
``recorded_matter_save`` (checked and on the ledger); nothing is deleted — a line is taken out
of use instead."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from zhifa.core.errors import ApplicationError

from .models import RecordedMatter
from .services.matters import recorded_matter_save


class RecordedMatterForm(forms.ModelForm):
    class Meta:
        model = RecordedMatter
        fields = ["body", "matter", "procedure", "action", "when", "requirement", "source",
                  "active"]
        help_texts = {
            "when": _('Conditions on the step\'s data, e.g. {"measure": ["seal", "seize"]}; '
                      "empty: every such step."),
        }

    request: HttpRequest | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # a line stays in its list
            self.fields["body"].disabled = True

    def clean(self) -> dict[str, Any]:
        """The service's checks, shown on the form: it runs in a savepoint that is always
        rolled back; ``save_model`` runs it for real."""
        data = super().clean() or {}
        if self.errors or self.request is None:
            return data
        try:
            with transaction.atomic():
                _save(self.request.user, self.instance if self.instance.pk else None, data)
                raise _DryRun
        except _DryRun:
            pass
        except ApplicationError as exc:
            raise ValidationError(exc.message, code=exc.code) from None
        return data


class _DryRun(Exception):
    pass


def _save(actor: Any, line: RecordedMatter | None, data: dict[str, Any]) -> RecordedMatter:
    return recorded_matter_save(
        actor=actor, body=line.body if line is not None else data.get("body"),
        matter=data.get("matter") or "", procedure=data.get("procedure") or "",
        action=data.get("action") or "", when=data.get("when") or {},
        requirement=data.get("requirement") or "", source=data.get("source") or "",
        active=bool(data.get("active")), line=line)


@admin.register(RecordedMatter)
class RecordedMatterAdmin(admin.ModelAdmin):
    form = RecordedMatterForm
    list_display = ["matter", "body", "procedure", "action", "requirement", "active"]
    list_filter = ["requirement", "active", "procedure"]
    search_fields = ["matter", "body__name"]
    list_select_related = ["body"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False,
                 **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        line = RecordedMatter.objects.get(pk=obj.pk) if change else None
        saved = _save(request.user, line, form.cleaned_data)
        obj.pk, obj.public_id = saved.pk, saved.public_id

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
