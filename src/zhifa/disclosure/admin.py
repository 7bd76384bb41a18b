"""Publicity in the administration site: publications and annual reports read-only (every
change goes through the services, which write the ledger); the publicity rules saved through
``policy_update`` / ``policy_create`` (system administrators; a refusal shows on the form with
nothing saved)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from zhifa.cases.admin import _ReadOnly
from zhifa.orgs.admin import _adopt
from zhifa.workdays.admin import ServiceFormAdmin

from .masking import clean_terms
from .models import AnnualReport, DisclosurePolicy, Publication
from .services.policy import EDITABLE, policy_create, policy_update


class PolicyForm(forms.ModelForm):
    health_terms = forms.CharField(
        label=_("health terms"), required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Words that reveal health information, separated by spaces, commas or "
                    "new lines; the clause naming one is masked."))

    class Meta:
        model = DisclosurePolicy
        fields = ["sector", *EDITABLE]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["health_terms"] = "、".join(self.instance.health_terms or [])

    def clean_health_terms(self) -> list[str]:
        text = self.cleaned_data.get("health_terms") or ""
        for sep in ("，", ",", "、", ";", "；", "\n", "\r", "\t"):
            text = text.replace(sep, " ")
        return clean_terms(text.split(" "))


@admin.register(DisclosurePolicy)
class DisclosurePolicyAdmin(ServiceFormAdmin):
    form = PolicyForm
    list_display = ["__str__", "publish_warnings", "light_months", "standard_months",
                    "licensing_months", "other_months", "min_months", "updated_at"]
    list_select_related = ["sector"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["sector"] if obj is not None else []

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False,
                 **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None and "sector" in form.base_fields:
            form.base_fields["sector"].required = True
        return form

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        values = {name: data[name] for name in EDITABLE if name in data}
        if change:
            saved = policy_update(actor=request.user,
                                  policy=DisclosurePolicy.objects.get(pk=obj.pk), **values)
        else:
            saved = policy_create(actor=request.user, sector=data["sector"], **values)
        _adopt(obj, saved)


@admin.register(Publication)
class PublicationAdmin(_ReadOnly):
    list_display = ["decision_number", "title", "body", "category", "state", "decision_date",
                    "due_on", "published_on", "offline_on"]
    list_filter = ["state", "category"]
    search_fields = ["decision_number", "title", "case__number"]
    list_select_related = ["body"]
    raw_id_fields = ["case", "document"]


@admin.register(AnnualReport)
class AnnualReportAdmin(_ReadOnly):
    list_display = ["body", "year", "state", "computed_at", "published_on"]
    list_filter = ["state", "year"]
    search_fields = ["body__name"]
    list_select_related = ["body"]
