"""Forms of the publicity pages (行政执法公示): the queue's filters and the actions on a
publication (terms to mask, approval, withholding, withdrawal, ending early).

The action forms only parse and show again what was typed: nothing is required here, so that
every refusal is the service's own (``zhifa.disclosure.services``) and comes back on the form
as it was sent (``refuse``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhifa.core.errors import ApplicationError
from zhifa.disclosure.models import Category, State, WithdrawalKind, WithholdReason
from zhifa.orgs.models import EnforcementBody

from .forms import ANY, DateInput, FilterForm, body_choices

TEXT_MAX = 20_000


def _text(label: Any, rows: int = 3, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


def _date(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=DateInput(), **kwargs)


class PublicationFilterForm(FilterForm):
    state = forms.ChoiceField(label=pgettext_lazy("publication", "State"), required=False,
                              choices=ANY + list(State.choices))
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=ANY + list(Category.choices))
    body = forms.ChoiceField(label=_("Body"), required=False)

    def __init__(self, *args: Any, bodies: QuerySet[EnforcementBody], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _(
            "Decision number, title, party or case number")
        self.fields["body"].choices = body_choices(bodies)  # type: ignore[attr-defined]
        self.drop_single_body()


class ActionForm(forms.Form):
    def value(self, name: str) -> str:
        return str(self.data.get(name, "")).strip()

    def day(self, name: str) -> dt.date | None:
        """The date typed, or None (blank or not a date: the service says what is wrong)."""
        self.is_valid()
        value = getattr(self, "cleaned_data", {}).get(name)
        return value if isinstance(value, dt.date) else None


class MaskForm(ActionForm):
    extra_terms = _text(
        _("Additional terms to mask"), rows=4,
        help_text=_("One term a line: a third party's name, a number, an address… Every "
                    "place it occurs in the record is masked."))

    def terms(self) -> list[str]:
        seen: list[str] = []
        for line in str(self.data.get("extra_terms", "")).splitlines():
            term = line.strip()
            if term and term not in seen:
                seen.append(term)
        return seen

    @classmethod
    def of(cls, terms: list[str]) -> MaskForm:
        return cls(initial={"extra_terms": "\n".join(terms)})


class ApproveForm(ActionForm):
    late_reason = _text(_("Reason for publishing late"), rows=2,
                        help_text=_("Required: the deadline has passed."))


class WithholdForm(ActionForm):
    reason = forms.ChoiceField(label=_("Reason not published"), required=False,
                               choices=[("", "—"), *WithholdReason.choices])
    note = _text(_("Note"), rows=2,
                 help_text=_("Required for secrets or privacy, and for another reason."))


class WithdrawForm(ActionForm):
    kind = forms.ChoiceField(label=pgettext_lazy("publication", "Withdrawal"), required=False,
                             choices=[("", "—"), *WithdrawalKind.choices])
    reason = _text(_("Public reason"), rows=3,
                   help_text=_("Shown to the public in place of the record. Personal data in "
                               "it is masked."))
    event_on = _date(_("Changed or revoked on"),
                     help_text=_("The day the decision was changed, revoked or confirmed "
                                 "illegal or void."))
    late_reason = _text(_("Reason for withdrawing late"), rows=2,
                        help_text=_("Required more than 3 working days after that day."))


class EndForm(ActionForm):
    reason = _text(_("Reason for ending early"), rows=3,
                   help_text=_("The credit restoration (信用修复) that ends the publicity."))
    ended_on = _date(_("Ended on"), help_text=_("Blank: today."))


# the form field each refusal code of the services belongs to
ERROR_FIELDS = {
    "late_reason_required": "late_reason",
    "reason_required": "reason",
    "note_required": "note",
    "event_on_invalid": "event_on",
}


def refuse(form: forms.Form, exc: ApplicationError) -> None:
    """Put a service's refusal on the form: the message at the top, and on the field of its
    code or the fields of a detail ``{field: message}``."""
    form.is_valid()
    form.add_error(None, exc.message)
    name = ERROR_FIELDS.get(exc.code)
    if name in form.fields:
        form.add_error(name, exc.message)
    detail = exc.detail
    if isinstance(detail, dict):
        for key, message in detail.items():
            if isinstance(message, str) and key in form.fields and key != name:
                form.add_error(key, message)
