"""The certificate status change form (suspend 暂扣, restore, revoke 注销).

It offers only the changes ``certificate_status_change`` allows from the certificate's current
status. Expiry is never offered: the nightly sweep (``zhifa certificates expire``) records it.
"""

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhifa.core.errors import ApplicationError
from zhifa.orgs.models import Certificate, CertificateStatus
from zhifa.orgs.services import allowed_status_changes

from .forms import DateInput

# Each action and the status it leads to, in the order the choices are offered.
STATUS_ACTIONS = {
    "suspend": CertificateStatus.SUSPENDED,
    "restore": CertificateStatus.VALID,
    "revoke": CertificateStatus.REVOKED,
}
ACTION_LABELS = {"suspend": _("Suspend"), "restore": _("Restore"), "revoke": _("Revoke")}

# Service errors about the effective date: shown at the date field, the others above the form.
DATE_ERROR_CODES = frozenset({
    "certificate_change_future",
    "certificate_dates",
    "certificate_change_backdated",
    "certificate_expired",
})


class StatusChangeForm(forms.Form):
    action = forms.ChoiceField(
        label=pgettext_lazy("certificate status change", "Action"), choices=[],
    )
    effective_date = forms.DateField(label=_("Effective date"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason"), max_length=256, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Enter the reason for the change.")},
    )
    confirm_revoke = forms.BooleanField(
        label=_("I confirm the revocation (required when revoking): a revoked certificate "
                "cannot be restored."),
        required=False,
    )

    def __init__(self, *args: Any, certificate: Certificate, today: dt.date,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = allowed_status_changes(certificate.status)
        actions = [a for a, status in STATUS_ACTIONS.items() if status in allowed]
        action = self.fields["action"]
        assert isinstance(action, forms.ChoiceField)
        action.choices = [(a, ACTION_LABELS[a]) for a in actions]
        date = self.fields["effective_date"]
        date.initial = today
        date.widget.attrs.update(min=certificate.issue_date.isoformat(), max=today.isoformat())
        if "revoke" not in actions:
            del self.fields["confirm_revoke"]
        elif actions == ["revoke"]:
            self.fields["confirm_revoke"].widget.attrs["required"] = True
        self.actions = actions

    @property
    def to_status(self) -> str:
        return STATUS_ACTIONS[self.cleaned_data["action"]]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "revoke" and not data.get("confirm_revoke"):
            self.add_error("confirm_revoke", _("Tick the box to confirm the revocation."))
        return data

    def add_service_error(self, exc: ApplicationError) -> None:
        """Show a refusal of ``certificate_status_change`` where the user can act on it."""
        self.add_error("effective_date" if exc.code in DATE_ERROR_CODES else None, exc.message)
