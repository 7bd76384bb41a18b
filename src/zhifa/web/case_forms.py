"""Forms of the case pages: the list filters, opening a case (with its parties) and the forms
of the procedure's actions, built from the action's field definitions.

The action forms only collect what was typed and show it again: ``cases.fields`` checks the
values inside ``case_act`` and its messages are shown next to the fields, so there is one
set of rules whether a step comes from this page or from the API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.forms import formset_factory
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhifa.cases.fields import local, parse_local_datetime
from zhifa.cases.models import CaseStatus, CustomProcedure, SourceKind
from zhifa.cases.procedures import (
    Action,
    Procedure,
    builtin_codes,
    procedure_from_row,
    procedure_get,
)
from zhifa.catalog.models import EnforcementItem, PartyType
from zhifa.core.validators import IdentifierError, check_credit_code, check_id_number
from zhifa.orgs.models import (
    Certificate,
    EnforcementBody,
    Person,
    PersonRole,
    PersonStatus,
    Region,
    RoleKind,
    Sector,
)
from zhifa.orgs.selectors import valid_on

from .forms import ANY, DateInput, FilterForm, body_choices, indented

# --- Procedures -------------------------------------------------------------------------------


def procedures_for(bodies: QuerySet[EnforcementBody]) -> list[Procedure]:
    """The built-in procedures, then the active own procedures of ``bodies`` (one query)."""
    procs = [procedure_get(code) for code in builtin_codes()]
    seen = {p.code for p in procs}
    for row in (CustomProcedure.objects.filter(body__in=bodies, active=True)
                .select_related("body").order_by("body__name", "name")):
        if row.code not in seen:
            seen.add(row.code)
            procs.append(procedure_from_row(row))
    return procs


# --- The case list ----------------------------------------------------------------------------
OVERDUE_CHOICES = [("yes", _("Overdue")), ("no", _("Not overdue"))]


class CaseFilterForm(FilterForm):
    procedure = forms.ChoiceField(label=_("Procedure"), required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=ANY + list(CaseStatus.choices))
    overdue = forms.ChoiceField(label=_("Time limits"), required=False,
                                choices=ANY + OVERDUE_CHOICES)
    body = forms.ChoiceField(label=_("Body"), required=False)

    def __init__(self, *args: Any, bodies: QuerySet[EnforcementBody], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Case number, title or party")
        procs = procedures_for(bodies)
        self.fields["procedure"].choices = ANY + [(p.code, str(p.label)) for p in procs]
        # a stage is named within its procedure: "general.decided"
        self.fields["stage"].choices = ANY + [
            (str(p.label), [(f"{p.code}.{s.code}", str(s.label)) for s in p.stages])
            for p in procs
        ]
        self.fields["body"].choices = body_choices(bodies)
        self.drop_single_body()


# --- Opening a case ---------------------------------------------------------------------------
class PartyForm(forms.Form):
    party_type = forms.ChoiceField(label=_("Party type"), choices=PartyType.choices,
                                   initial=PartyType.ORGANISATION)
    name = forms.CharField(label=_("Name of the party"), max_length=200)
    id_number = forms.CharField(
        label=_("ID number"), max_length=18, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                      "spellcheck": "false"}))
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=18, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                      "spellcheck": "false"}))
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=64,
                                           required=False)
    address = forms.CharField(label=_("Address"), max_length=256, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"].strip().upper()
        if value:
            try:
                value = check_id_number(value, today=timezone.localdate())
            except IdentifierError as exc:
                raise forms.ValidationError(exc.message, code=exc.code) from None
        return value

    def clean_credit_code(self) -> str:
        value = self.cleaned_data["credit_code"].strip().upper()
        if value:
            try:
                value = check_credit_code(value)
            except IdentifierError as exc:
                raise forms.ValidationError(exc.message, code=exc.code) from None
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("party_type")
        if kind == PartyType.NATURAL_PERSON and not data.get("id_number") \
                and "id_number" not in self.errors:
            self.add_error("id_number", _("Enter the ID number of a natural person."))
        if kind == PartyType.ORGANISATION and not data.get("credit_code") \
                and "credit_code" not in self.errors:
            self.add_error("credit_code", _("Enter the organisation's unified social credit "
                                            "code."))
        if kind == PartyType.INDIVIDUAL_BUSINESS and not data.get("credit_code") \
                and not data.get("id_number") and not self.errors.keys() & {
                    "credit_code", "id_number"}:
            self.add_error("credit_code", _("Enter the credit code of the business or the "
                                            "operator's ID number."))
        return data


class BasePartyFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        filled = [f for f in self.forms if f.has_changed() and f not in self.deleted_forms]
        if not filled and not any(f.errors for f in self.forms):
            raise forms.ValidationError(_("A case needs at least one party."),
                                        code="party_required")


PartyFormSet = formset_factory(PartyForm, formset=BasePartyFormSet, extra=0, min_num=1,
                               validate_min=False, max_num=20, validate_max=True)


def party_formset(data: QueryDict | None, *, add: bool = False) -> Any:
    """The parties block; ``add`` re-renders it with one empty party more (no JavaScript)."""
    if data is not None and add:
        data = data.copy()
        key = "parties-TOTAL_FORMS"
        try:
            total = int(data.get(key, "1"))
        except ValueError:
            total = 1
        data[key] = str(min(total + 1, 20))
    return PartyFormSet(data, prefix="parties")


class IndentedRegionChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return indented(obj)


class OfficerField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        if getattr(obj, "certified", False):
            return str(_("%(name)s (certificate valid today)") % {"name": obj.name})
        return str(_("%(name)s (no valid certificate)") % {"name": obj.name})


def officer_candidates(body: EnforcementBody, today: dt.date) -> QuerySet[Person]:
    """The body's people in post: enforcement officers holding a certificate valid today
    first, then other certified staff, then the rest."""
    certified = valid_on(Certificate.objects.filter(person=OuterRef("pk")), today)
    officer = PersonRole.objects.filter(person=OuterRef("pk"), kind=RoleKind.OFFICER)
    return (Person.objects.filter(body=body, status=PersonStatus.ACTIVE)
            .annotate(certified=Exists(certified), is_officer=Exists(officer))
            .order_by("-certified", "-is_officer", "name", "id"))


class CaseCreateForm(forms.Form):
    procedure = forms.ChoiceField(label=_("Procedure"))
    title = forms.CharField(label=_("Case title"), max_length=200,
                            help_text=_("e.g. “Sale of substandard products by X Co., Ltd.”"))
    item = forms.ModelChoiceField(label=_("Enforcement item"), required=False,
                                  queryset=EnforcementItem.objects.none(),
                                  to_field_name="public_id", empty_label=_("(none)"))
    sector = forms.ModelChoiceField(label=_("Enforcement category"),
                                    queryset=Sector.objects.all(), to_field_name="code")
    region = IndentedRegionChoiceField(label=_("Place of the act (region)"),
                                       queryset=Region.objects.none(), to_field_name="code")
    received_on = forms.DateField(label=_("Received on"), widget=DateInput())
    source_kind = forms.ChoiceField(label=_("Case source"), choices=SourceKind.choices)
    summary = forms.CharField(label=pgettext_lazy("case", "Summary"), required=False,
                              max_length=20_000, widget=forms.Textarea(attrs={"rows": 3}))
    officers = OfficerField(
        label=_("Officers"), queryset=Person.objects.none(), to_field_name="public_id",
        help_text=_("Investigation, inspection and coercive steps need at least two officers "
                    "holding valid certificates (APL art. 42)."))

    def __init__(self, *args: Any, body: EnforcementBody, me: Person | None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.body = body
        procs = procedures_for(EnforcementBody.objects.filter(pk=body.pk))
        self.fields["procedure"].choices = [(p.code, str(p.label)) for p in procs]
        self.fields["procedure"].initial = "general"
        items = EnforcementItem.objects.filter(body=body).in_force_on(today)  # type: ignore[attr-defined]
        self.fields["item"].queryset = items.order_by("code")
        self.fields["sector"].initial = body.sector.code
        self.fields["region"].queryset = Region.objects.filter(
            path__startswith=body.region.path).order_by("code")
        self.fields["region"].initial = body.region.code
        self.fields["received_on"].initial = today
        candidates = officer_candidates(body, today)
        self.fields["officers"].queryset = candidates
        # suggest two: the user and the first other certified officer
        suggested = [p for p in candidates
                     if p.certified and p.is_officer and p != me][:1]  # type: ignore[attr-defined]
        self.fields["officers"].initial = [p.public_id for p in ([me] if me else []) + suggested]

    def clean_received_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["received_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("This date cannot be in the future."))
        return value


# Where a service error of ``case_create`` is shown, by its detail key.
CREATE_ERROR_FIELDS = {"title", "received_on", "source_kind", "item", "region", "officers"}


# --- Action forms -----------------------------------------------------------------------------
# Labels of the documents and evidence that procedure steps declare (the documents and evidence
# apps will own these lists; unknown codes are shown as they are).
DOCUMENT_LABELS = {
    "registration_approval": _("Registration approval form (立案审批表)"),
    "prior_notice": _("Prior notice of administrative penalty (行政处罚事先告知书)"),
    "penalty_decision": _("Administrative penalty decision (行政处罚决定书)"),
    "summary_decision": _("On-the-spot penalty decision (当场行政处罚决定书)"),
    "seizure_decision": _("Decision on sealing or impoundment (查封扣押决定书)"),
    "seizure_list": _("List of sealed or impounded property (查封扣押清单)"),
    "on_site_record": _("On-site record (现场笔录)"),
    "inspection_record": _("Inspection record (检查记录)"),
    "acceptance_notice": _("Notice of acceptance (受理通知书)"),
    "missing_materials_notice": _("One-time notice of missing materials (一次性补正告知书)"),
    "licensing_decision": _("Licensing decision (行政许可决定书)"),
    "execution_decision": _("Coercive execution decision (行政强制执行决定书)"),
}
EVIDENCE_LABELS = {
    "audio_video": _("Audio and video recording of the whole step"),
}

LATE_FIELD = "_late_reason"


@dataclass
class ChoiceView:
    value: str
    label: str
    selected: bool


@dataclass
class FieldView:
    name: str
    kind: str
    label: str
    required: bool
    help: str
    input_id: str
    value: str = ""
    checked: bool = False
    choices: list[ChoiceView] = field(default_factory=list)
    error: str = ""


@dataclass
class ActionForm:
    action: Action
    fields: list[FieldView]
    documents: list[str]
    evidence: list[str]
    bound: bool = False
    error: str = ""  # the service's message when no field is named
    refusals: list[dict[str, Any]] = field(default_factory=list)
    late_reason: str = ""
    show_late: bool = False
    late_error: str = ""

    @property
    def code(self) -> str:
        return self.action.code


def action_raw(action: Action, post: Mapping[str, Any]) -> dict[str, Any]:
    """What the form sent for each of the action's fields, as ``case_act`` takes it."""
    raw: dict[str, Any] = {}
    for f in action.fields:
        if f.kind in {"multichoice", "checklist"}:
            getter = getattr(post, "getlist", None)
            raw[f.name] = list(getter(f.name)) if getter else list(post.get(f.name) or [])
        elif f.kind == "bool":
            raw[f.name] = f.name in post
        else:
            raw[f.name] = str(post.get(f.name, ""))
    return raw


def action_form(action: Action, *, today: dt.date, post: Mapping[str, Any] | None = None,
                errors: Mapping[str, str] | None = None) -> ActionForm:
    raw = action_raw(action, post) if post is not None else {}
    errors = errors or {}
    views = []
    for f in action.fields:
        view = FieldView(name=f.name, kind=f.kind, label=str(f.label), required=f.required,
                         help=str(f.help), input_id=f"act-{action.code}-{f.name}",
                         error=str(errors.get(f.name, "")))
        value = raw.get(f.name)
        if post is None and f.name == "acted_on":
            value = today.isoformat()
        if f.kind == "bool":
            view.checked = bool(value)
        elif f.kind in {"multichoice", "checklist", "choice"}:
            chosen = set(value or []) if isinstance(value, list) else {value or ""}
            view.choices = [ChoiceView(value=c.value, label=str(c.label),
                                       selected=c.value in chosen) for c in f.choices]
        else:
            view.value = str(value or "")
        views.append(view)
    return ActionForm(
        action=action, fields=views, bound=post is not None,
        documents=[str(DOCUMENT_LABELS.get(d, d)) for d in action.documents],
        evidence=[str(EVIDENCE_LABELS.get(e, e)) for e in action.evidence],
        late_reason=str(post.get(LATE_FIELD, "")) if post is not None else "",
    )


def display_value(action: Action | None, name: str, value: Any) -> str:
    """A submitted value as read on the page (choice labels, yes/no, money in yuan)."""
    f = next((f for f in action.fields if f.name == name), None) if action else None
    if f is None:
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    labels = {c.value: str(c.label) for c in f.choices}
    if f.kind == "bool":
        return str(_("Yes") if value else _("No"))
    if isinstance(value, list):
        return "、".join(labels.get(str(v), str(v)) for v in value)
    if f.kind == "choice":
        return labels.get(str(value), str(value))
    if f.kind == "money":
        return str(_("%(amount)s yuan") % {"amount": value})
    if f.kind == "datetime":
        try:
            return local(parse_local_datetime(value)).strftime("%Y-%m-%d %H:%M:%S")
        except (TypeError, ValueError):
            return str(value)
    return str(value)


class ApprovalDecisionForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=20_000,
                              widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("Required when sending the request back."))
