"""Forms of the document pages (执法文书): a draft's values, issuing, voiding, recording the
service of an issued document; templates (upload, filing, retiring), number patterns, form
serial books and the body's document profile.

The forms only parse and show again what was typed; ``zhifa.documents.services`` checks and
records. A service's refusal is put back on the field it concerns (``refuse``), or on the
whole form, so a refused form comes back exactly as it was sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhifa.cases.fields import parse_local_datetime
from zhifa.core.errors import ApplicationError
from zhifa.documents.doctypes import REASONS_ELEMENT, TYPES, DocType, type_name
from zhifa.documents.models import ServiceMethod, TemplateScope
from zhifa.orgs.models import EnforcementBody, Person, PersonStatus, Region, RegionLevel

TEXT_MAX = 20_000
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"

# the form field each refusal code of the services belongs to (the rest go on the form)
ERROR_FIELDS = {
    # drafts and issue
    "reason_required": "reason",
    "void_reason_required": "reason",
    # service (most refusals of ``service_record`` name their field in the detail)
    "service_method_unknown": "method",
    "service_announced_on_required": "announced_on",
    "service_medium_required": "announcement_medium",
    "service_announcement_reason_required": "note",
    # templates
    "template_invalid": "file",
    "template_not_docx": "file",
    "template_syntax": "file",
    "template_too_large": "file",
    "filing_number_required": "filing_number",
    # numbering, serials, profile
    "pattern_invalid": "pattern",
    "serial_book_overlap": "first",
    "serial_range_invalid": "last",
    "serial_unknown": "serial",
    "serial_used": "serial",
    "serial_voided": "serial",
}


def refuse(form: forms.Form, exc: ApplicationError) -> None:
    """Put a service's refusal on the fields it names: a detail ``{field: message}`` (the
    services' "correct the highlighted fields"), else the field of its code, else the whole
    form; a list of problems in the detail (``template_invalid``) becomes one error each,
    in place of the message that joins them."""
    detail = exc.detail
    if isinstance(detail, dict):
        named = {k: v for k, v in detail.items() if k in form.fields and isinstance(v, str)}
        if named:
            for name, message in named.items():
                form.add_error(name, message)
            if exc.message not in named.values():
                form.add_error(None, exc.message)
            return
    name = ERROR_FIELDS.get(exc.code)
    if name not in form.fields and isinstance(detail, dict):
        field_name = detail.get("field")
        name = field_name if isinstance(field_name, str) else None
    target = name if name in form.fields else None
    problems = problems_of(exc)
    for problem in problems or [exc.message]:
        form.add_error(target, problem)


def problems_of(exc: ApplicationError) -> list[str]:
    """The problems a refusal lists in its detail (``template_invalid``), as strings."""
    detail = exc.detail
    if isinstance(detail, dict):
        detail = detail.get("problems")
    if isinstance(detail, list | tuple):
        return [str(p) for p in detail]
    return []


def _choices(form: forms.Form, name: str, choices: list[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


# --- A draft's values -------------------------------------------------------------------------
class DraftForm(forms.Form):
    """One field per drafted value of the type (its placeholder is the field's name). Nothing
    is required to save a draft; what must be filled before issue is marked, and checked by
    the element checklist and by ``document_issue``."""

    def __init__(self, *args: Any, doc_type: DocType, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.doc_type = doc_type
        for f in doc_type.fields:
            widget: forms.Widget
            if f.kind == "date":
                widget = forms.TextInput(attrs={"type": "date"})
            elif f.kind == "text":
                widget = forms.TextInput()
            else:
                widget = forms.Textarea(attrs={"rows": 6 if f.name in self.reason_names
                                               else 3})
            label: Any = f.label
            help_text: Any = f.help
            field = forms.CharField(label=label, required=False, max_length=TEXT_MAX,
                                    help_text=help_text, widget=widget)
            field.needed = f.required  # type: ignore[attr-defined]  # before issue
            self.fields[f.name] = field

    @property
    def reason_names(self) -> tuple[str, ...]:
        return REASONS_ELEMENT.placeholders if self.doc_type.reasons else ()

    def reason_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.reason_names if n in self.fields]

    def other_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.fields if n not in self.reason_names]

    def values(self) -> dict[str, str]:
        """The values as the services take them (every field, typed or empty)."""
        return {name: self.cleaned_data.get(name, "") or "" for name in self.fields}

    def raw_values(self) -> dict[str, str]:
        """What was sent, without validation (the live checklist of an unsaved form)."""
        data = self.data
        return {name: str(data.get(name, "")).strip() for name in self.fields}


class IssueForm(forms.Form):
    issued_on = forms.DateField(label=_("Date of the document"), required=False,
                                widget=DateInput(),
                                help_text=_("Leave empty for today."))
    confirm = forms.BooleanField(
        label=_("I have checked the preview: issue the document now. It is then numbered and "
                "frozen, and can only be voided."),
        error_messages={"required": _("Confirm that the document may be issued.")})

    def clean_issued_on(self) -> dt.date | None:
        day = self.cleaned_data.get("issued_on")
        if day is not None and day > timezone.localdate():
            raise forms.ValidationError(_("The date of the document cannot be in the future."))
        return day


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Reason for voiding"), max_length=TEXT_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Give the reason for voiding.")})


# --- Service (送达) ---------------------------------------------------------------------------
# which fields each method of service asks for (CPL arts. 87–95); the page shows only these
# (``static/web/documents.js``) and only these are passed to the service
METHOD_FIELDS: dict[str, tuple[str, ...]] = {
    ServiceMethod.DIRECT: ("recipient", "recipient_relation", "served_on", "place"),
    ServiceMethod.LEFT: ("recipient", "recipient_relation", "served_on", "place", "witness",
                         "refusal_note", "proof"),
    ServiceMethod.MAIL: ("recipient", "served_on", "place", "tracking_number"),
    ServiceMethod.ELECTRONIC: ("recipient", "electronic_address", "consent_on",
                               "consent_document", "confirmed_at", "served_on"),
    ServiceMethod.ANNOUNCEMENT: ("recipient", "announced_on", "announcement_medium"),
}


class ServiceForm(forms.Form):
    method = forms.ChoiceField(label=_("Method of service"))
    recipient = forms.CharField(label=pgettext_lazy("service of documents", "Recipient"),
                                max_length=200,
                                error_messages={"required": _("Name the recipient.")})
    recipient_relation = forms.CharField(
        label=_("Relation to the party"), max_length=100, required=False,
        help_text=_("The party, an adult family member living with them, the legal "
                    "representative, an agent, the receiving office…"))
    served_on = forms.DateField(label=_("Served on"), required=False, widget=DateInput(),
                                help_text=_("The day the law counts from: signed receipt, "
                                            "postal return receipt, or the day the message "
                                            "reached the party's system."))
    place = forms.CharField(label=_("Place or address"), max_length=200, required=False)
    witness = forms.CharField(label=_("Witness"), max_length=200, required=False,
                              help_text=_("Who witnessed that the document was left, or "
                                          "attach the recording as proof."))
    refusal_note = forms.CharField(label=_("Refusal and what was done"), required=False,
                                   max_length=TEXT_MAX,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    proof = forms.ChoiceField(label=_("Proof (evidence file)"), required=False)
    tracking_number = forms.CharField(label=_("Postal tracking number"), max_length=64,
                                      required=False)
    electronic_address = forms.CharField(label=_("Electronic address"), max_length=200,
                                         required=False)
    consent_on = forms.DateField(label=_("Consent given on"), required=False,
                                 widget=DateInput())
    consent_document = forms.ChoiceField(label=_("Consent document"), required=False)
    confirmed_at = forms.CharField(label=_("Receipt confirmed at"), required=False,
                                   widget=LocalDateTimeInput())
    announced_on = forms.DateField(label=_("Announced on"), required=False, widget=DateInput())
    announcement_medium = forms.CharField(label=_("Where announced"), max_length=200,
                                          required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("For an announcement: why the other methods were not "
                                       "possible."))
    late_reason = forms.CharField(label=_("Reason for the delay"), required=False,
                                  max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=_("Only when the time limit for service has "
                                              "passed."))

    def __init__(self, *args: Any, proofs: list[tuple[str, str]] | None = None,
                 consents: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "method", [("", _("Choose…")), *ServiceMethod.choices])
        _choices(self, "proof", [("", "—"), *(proofs or [])])
        _choices(self, "consent_document", [("", "—"), *(consents or [])])
        self.proof_objects: dict[str, Any] = {}
        self.consent_objects: dict[str, Any] = {}

    def clean_confirmed_at(self) -> dt.datetime | None:
        raw = self.cleaned_data.get("confirmed_at") or ""
        if not raw:
            return None
        try:
            return parse_local_datetime(raw)
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Enter a valid date and time.")) from None

    def method_of(self, name: str) -> str:
        """The methods a field belongs to, for the page's script (``data-methods``)."""
        return " ".join(m for m, names in METHOD_FIELDS.items() if name in names)

    def rows(self) -> list[tuple[forms.BoundField, str]]:
        return [(self[name], self.method_of(name)) for name in self.fields]

    def service_fields(self) -> dict[str, Any]:
        """The values the chosen method uses, as ``service_record`` takes them; the others
        (typed before the method was changed) are left out."""
        data = self.cleaned_data
        method = data["method"]
        used = METHOD_FIELDS.get(method, ())
        out: dict[str, Any] = {"method": method, "note": data.get("note", ""),
                               "late_reason": data.get("late_reason", "")}
        for name in used:
            value = data.get(name)
            if name == "proof":
                value = self.proof_objects.get(value or "")
            elif name == "consent_document":
                value = self.consent_objects.get(value or "")
            elif value is None:
                continue
            out[name] = value
        return out


# --- Templates --------------------------------------------------------------------------------
def type_choices() -> list[tuple[str, str]]:
    return [(t.code, f"{type_name(t.code)}（{t.title}）") for t in TYPES]


def province_choices() -> list[tuple[str, str]]:
    return [(r.code, r.name) for r in Region.objects.filter(level=RegionLevel.PROVINCE)
            .order_by("code")]


class TemplateUploadForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Document type"))
    scope = forms.ChoiceField(label=_("Scope"))
    region = forms.ChoiceField(label=pgettext_lazy("region", "Province"), required=False,
                               help_text=_("For a province's template only."))
    body = forms.ChoiceField(label=_("Enforcement body"), required=False)
    file = forms.FileField(label=_("Template (DOCX)"),
                           error_messages={"required": _("Choose the DOCX file.")})
    name = forms.CharField(label=_("Name"), max_length=200,
                           error_messages={"required": _("Give the template a name.")})
    note = forms.CharField(label=_("Note"), required=False, max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, scopes: list[str], bodies: list[EnforcementBody] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "doc_type", [("", _("Choose…")), *type_choices()])
        labels = dict(TemplateScope.choices)
        _choices(self, "scope", [(s, labels[s]) for s in scopes])
        if TemplateScope.PROVINCE in scopes:
            _choices(self, "region", [("", "—"), *province_choices()])
        else:
            del self.fields["region"]
        if bodies is not None and TemplateScope.BODY in scopes:
            _choices(self, "body", [("", "—"), *((str(b.public_id), b.name) for b in bodies)])
        else:
            del self.fields["body"]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = int(settings.ZHIFA_TEMPLATE_MAX_BYTES)
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
        return upload


class FilingForm(forms.Form):
    filing_number = forms.CharField(label=_("Filing number (备案号)"), max_length=100,
                                    error_messages={"required": _("Give the filing number.")})
    filed_with = forms.CharField(label=_("Filed with"), max_length=200,
                                 error_messages={"required": _("Name where it was filed.")})
    filed_on = forms.DateField(label=_("Filed on"), widget=DateInput(),
                               error_messages={"required": _("Give the date of filing.")})


class RetireForm(forms.Form):
    reason = forms.CharField(label=_("Reason for retiring"), max_length=TEXT_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Give the reason for retiring "
                                                           "this version.")})


# --- Numbers, serials, profile ----------------------------------------------------------------
class PatternForm(forms.Form):
    pattern = forms.CharField(
        label=_("Number pattern"), max_length=100,
        help_text=_("Use {机关简称}, {字}, {年} and {序号} (e.g. {序号:03d}); {序号} is required."),
        error_messages={"required": _("Give the pattern.")})


class SerialBookForm(forms.Form):
    # a field named like Form.prefix: the form metaclass takes it out of the class attributes
    prefix = forms.CharField(  # type: ignore[assignment]
        label=_("Prefix"), max_length=32, required=False)
    first = forms.IntegerField(label=_("First serial"), min_value=0)
    last = forms.IntegerField(label=_("Last serial"), min_value=0)
    width = forms.IntegerField(label=_("Digits"), min_value=1, max_value=20, initial=8)
    received_on = forms.DateField(label=pgettext_lazy("serial book", "received on"),
                                  widget=DateInput())
    holder = forms.ChoiceField(label=_("Held by"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, body: EnforcementBody | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = (Person.objects.filter(body=body, status=PersonStatus.ACTIVE)
                  .order_by("name", "id") if body is not None else Person.objects.none())
        self.people = {str(p.public_id): p for p in people}
        _choices(self, "holder", [("", "—"), *((k, p.name) for k, p in self.people.items())])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first"), data.get("last")
        if first is not None and last is not None and last < first:
            self.add_error("last", _("The last serial cannot be before the first."))
        return data

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["holder"] = self.people.get(data.get("holder") or "")
        return data


class SerialVoidForm(forms.Form):
    serial = forms.CharField(label=_("Serial"), max_length=64,
                             error_messages={"required": _("Give the serial of the form.")})
    reason = forms.CharField(label=_("Reason (spoiled, lost…)"), max_length=TEXT_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Give the reason for voiding.")})


PROFILE_FIELDS = ("address", "phone", "reconsideration_body", "reconsideration_period",
                  "court", "litigation_period", "statement_period", "payment_instructions")


class ProfileForm(forms.Form):
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=64, required=False)
    reconsideration_body = forms.CharField(label=_("Reconsideration body"), max_length=200,
                                           required=False)
    reconsideration_period = forms.CharField(label=_("Reconsideration period"), max_length=100,
                                             required=False)
    court = forms.CharField(label=_("Court for litigation"), max_length=200, required=False)
    litigation_period = forms.CharField(label=_("Litigation period"), max_length=100,
                                        required=False)
    statement_period = forms.CharField(label=_("Statement and defence period"), max_length=100,
                                       required=False)
    payment_instructions = forms.CharField(label=_("Payment instructions"), required=False,
                                           max_length=TEXT_MAX,
                                           widget=forms.Textarea(attrs={"rows": 3}))


def profile_initial(profile: Any) -> dict[str, Any]:
    return {name: getattr(profile, name, "") for name in PROFILE_FIELDS}
