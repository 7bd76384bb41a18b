"""Admin of documents for administrators: templates (uploaded through a form that calls
``template_upload``; filed (备案) through a form that calls ``template_file``; put in force or
retired by actions), number patterns, serial books and
profiles (saved through their services, so each save is checked and on the ledger, and a
refusal shows on the form with nothing saved); documents and used serials read-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template import engines
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhifa.cases.admin import _ReadOnly
from zhifa.core.errors import ApplicationError
from zhifa.orgs.admin import _adopt
from zhifa.workdays.admin import ServiceFormAdmin

from . import doctypes
from .models import (
    Document,
    DocumentProfile,
    DocumentTemplate,
    NumberPattern,
    SerialBook,
    SerialUse,
)
from .services.numbering import pattern_save
from .services.profiles import EDITABLE, profile_save
from .services.serials import serial_book_register
from .services.templates import (
    template_activate,
    template_file,
    template_retire,
    template_upload,
)


def _type_choices() -> list[tuple[str, str]]:
    return [(t.code, f"{t.title}（{t.code}）") for t in doctypes.TYPES]


class TemplateUploadForm(forms.ModelForm):
    doc_type = forms.ChoiceField(label=_("document type"), choices=_type_choices)
    file = forms.FileField(label=_("DOCX file"))

    class Meta:
        model = DocumentTemplate
        fields = ["doc_type", "scope", "body", "region", "name", "note"]


class TemplateFilingForm(forms.Form):
    filing_number = forms.CharField(label=_("filing number (备案号)"), max_length=100)
    filed_with = forms.CharField(label=_("filed with"), max_length=200)
    filed_on = forms.DateField(label=_("filed on"),
                               widget=forms.DateInput(attrs={"type": "date"}))


# the intermediate page of the filing action (a form posted back to the list with the action)
_FILING_PAGE = """{% extends "admin/base_site.html" %}
{% block content %}
<p>{{ intro }}</p>
<form method="post">{% csrf_token %}
{{ form.as_p }}
<input type="hidden" name="action" value="record_filing">
<input type="hidden" name="{{ checkbox }}" value="{{ template.pk }}">
<input type="hidden" name="apply" value="1">
<input type="submit" value="{{ submit }}">
</form>
{% endblock %}"""


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(ServiceFormAdmin):
    list_display = ["doc_type", "scope", "body", "region", "version", "name", "state",
                    "filing_number", "in_force_from", "retired_at"]
    list_filter = ["scope", "state", "doc_type"]
    search_fields = ["doc_type", "name", "filing_number"]
    list_select_related = ["body", "region"]
    actions = ["record_filing", "activate", "retire"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False,
                 **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = TemplateUploadForm
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        return [f.name for f in DocumentTemplate._meta.concrete_fields]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        upload = form.cleaned_data["file"]
        saved = template_upload(
            actor=request.user, doc_type=form.cleaned_data["doc_type"], scope=obj.scope,
            data=upload.read(), name=obj.name, body=obj.body, region=obj.region,
            note=obj.note or "")
        _adopt(obj, saved)

    @admin.action(description=_("Record the filing (备案) of the selected version"))
    def record_filing(self, request: HttpRequest,
                      queryset: QuerySet[DocumentTemplate]) -> TemplateResponse | None:
        """Ask for the filing number, where and when it was filed, then ``template_file``; a
        refusal shows on the form."""
        if queryset.count() != 1:
            messages.error(request, gettext("Select one template version to record its "
                                            "filing."))
            return None
        t = queryset.get()
        applied = "apply" in request.POST
        form = TemplateFilingForm(request.POST if applied else None)
        if applied and form.is_valid():
            try:
                template_file(actor=request.user, template=t, **form.cleaned_data)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, gettext("The filing of %(template)s is recorded.")
                                 % {"template": t})
                return None
        title = gettext("Record the filing (备案) of %(template)s") % {"template": t}
        return TemplateResponse(request, engines["django"].from_string(_FILING_PAGE), {
            **self.admin_site.each_context(request), "title": title, "form": form,
            "template": t, "opts": self.model._meta, "checkbox": helpers.ACTION_CHECKBOX_NAME,
            "intro": gettext("A filing is recorded once; it does not put the version in "
                             "force."),
            "submit": gettext("Record the filing")})

    @admin.action(description=_("Put the selected versions in force"))
    def activate(self, request: HttpRequest, queryset: QuerySet[DocumentTemplate]) -> None:
        for t in queryset:
            try:
                template_activate(actor=request.user, template=t)
            except ApplicationError as exc:
                messages.error(request, f"{t}: {exc.message}")

    @admin.action(description=_("Retire the selected versions"))
    def retire(self, request: HttpRequest, queryset: QuerySet[DocumentTemplate]) -> None:
        for t in queryset:
            try:
                template_retire(actor=request.user, template=t,
                                reason=str(_("Retired in the administration site.")))
            except ApplicationError as exc:
                messages.error(request, f"{t}: {exc.message}")


class PatternForm(forms.ModelForm):
    doc_type = forms.ChoiceField(label=_("document type"), choices=_type_choices)

    class Meta:
        model = NumberPattern
        fields = ["body", "doc_type", "pattern"]


@admin.register(NumberPattern)
class NumberPatternAdmin(ServiceFormAdmin):
    form = PatternForm
    list_display = ["body", "doc_type", "pattern"]
    list_select_related = ["body"]
    search_fields = ["pattern"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["body", "doc_type"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = pattern_save(actor=request.user, body=obj.body, doc_type=obj.doc_type,
                             pattern=obj.pattern)
        _adopt(obj, saved)


class SerialBookForm(forms.ModelForm):
    class Meta:
        model = SerialBook
        fields = ["body", "prefix", "first", "last", "width", "holder", "received_on", "note"]


@admin.register(SerialBook)
class SerialBookAdmin(ServiceFormAdmin):
    form = SerialBookForm
    list_display = ["__str__", "body", "holder", "received_on"]
    list_select_related = ["body", "holder"]
    search_fields = ["prefix"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = serial_book_register(
            actor=request.user, body=obj.body, first=obj.first, last=obj.last,
            received_on=obj.received_on, prefix=obj.prefix, width=obj.width,
            holder=obj.holder, note=obj.note)
        _adopt(obj, saved)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = DocumentProfile
        fields = ["body", *EDITABLE]


@admin.register(DocumentProfile)
class DocumentProfileAdmin(ServiceFormAdmin):
    form = ProfileForm
    list_display = ["body", "address", "phone", "reconsideration_body", "court"]
    list_select_related = ["body"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["body"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = profile_save(actor=request.user, body=obj.body,
                             **{name: getattr(obj, name) for name in EDITABLE})
        _adopt(obj, saved)


@admin.register(Document)
class DocumentAdmin(_ReadOnly):
    list_display = ["number", "doc_type", "case", "state", "issued_on", "verify_code"]
    list_filter = ["state", "doc_type"]
    search_fields = ["number", "case__number", "verify_code"]
    list_select_related = ["case"]
    exclude = ["context"]


@admin.register(SerialUse)
class SerialUseAdmin(_ReadOnly):
    list_display = ["serial", "state", "case", "reason", "at"]
    list_filter = ["state"]
    search_fields = ["serial"]
    list_select_related = ["case"]
