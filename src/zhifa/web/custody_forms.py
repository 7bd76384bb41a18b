"""Forms of the custody pages: shares, holds, retention, disposal. They only parse; the
services decide (and their refusals are shown next to the form)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhifa.evidence.models import HoldKind, RecipientKind
from zhifa.evidence.services.custody import share_max_days

DEFAULT_SHARE_DAYS = 30


def share_expiry(day: dt.date) -> dt.datetime:
    """A share "valid until" a day runs to the end of that day (local time)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


class ShareForm(forms.Form):
    recipient_kind = forms.ChoiceField(label=_("Recipient"), choices=RecipientKind.choices)
    recipient = forms.CharField(label=_("Recipient name"), max_length=200)
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)
    expires_on = forms.DateField(label=_("Valid until (inclusive)"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    allow_download = forms.BooleanField(label=_("May download"), required=False, initial=True)
    file_ids = forms.MultipleChoiceField(label=_("Files"),
                                         widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, file_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["file_ids"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = file_choices
        today = timezone.localdate()
        last = today + dt.timedelta(days=share_max_days() - 1)
        widget = self.fields["expires_on"].widget
        widget.attrs.update({"min": today.isoformat(), "max": last.isoformat()})
        if not self.is_bound:
            self.initial["expires_on"] = today + dt.timedelta(days=DEFAULT_SHARE_DAYS)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class HoldForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of dispute"), choices=HoldKind.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ReleaseForm(forms.Form):
    reason = forms.CharField(label=_("Reason for release"),
                             widget=forms.Textarea(attrs={"rows": 2}))


class DisposalRequestForm(forms.Form):
    file_ids = forms.MultipleChoiceField(label=_("Files"),
                                         widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, file_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["file_ids"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = file_choices


class DisposalDecisionForm(forms.Form):
    """The decision itself is the button pressed (``decision`` = approve / reject)."""

    note = forms.CharField(label=_("Note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
