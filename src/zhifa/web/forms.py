"""Forms of the staff pages: list filters (GET), the validity check, the status change and
the login accounts.

Filter choices are built from the user's scope, so a filter can never name a body or
department the user cannot see; choice values are public ids and codes, never row keys.
"""

from typing import Any

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy

from zhifa.catalog.models import ItemCategory, LegalityReviewStatus, ProcedureType
from zhifa.orgs.models import (
    AccountRole,
    BodyKind,
    BodyStatus,
    CertificateStatus,
    Department,
    EnforcementBody,
    PersonStatus,
    Region,
    RegionLevel,
    RoleKind,
    Sector,
)

from .queries import STATUS_TEXT

ANY = [("", _("All"))]


def _choices(pairs: Any) -> list[tuple[str, Any]]:
    return ANY + [(str(value), label) for value, label in pairs]


def region_choices() -> list[tuple[str, Any]]:
    # Indent by level so the tree reads in a plain <select>.
    depth = {RegionLevel.PROVINCE: 0, RegionLevel.CITY: 1, RegionLevel.COUNTY: 2}
    rows = Region.objects.exclude(level=RegionLevel.TOWNSHIP).order_by("code")
    return _choices((r.code, "\u3000" * depth.get(r.level, 3) + r.name) for r in rows)


def sector_choices() -> list[tuple[str, Any]]:
    return _choices((s.code, s.name) for s in Sector.objects.all())


def body_choices(bodies: QuerySet[EnforcementBody]) -> list[tuple[str, Any]]:
    return _choices(bodies.values_list("public_id", "name"))


class FilterForm(forms.Form):
    """Every filter is optional; ``q`` is the search box."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search"}))

    def __init__(self, data: Any = None, *, user: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.user = user

    def filters(self) -> dict[str, Any]:
        """The valid, non-empty filter values (an invalid field is reported and ignored)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if v not in (None, "")}

    @property
    def active(self) -> bool:
        return bool(self.filters())


class BodyFilterForm(FilterForm):
    region = forms.ChoiceField(label=_("Region"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_choices(BodyKind.choices))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=_choices(BodyStatus.choices))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Name or credit code")
        self.fields["region"].choices = region_choices()
        self.fields["sector"].choices = sector_choices()


class PersonFilterForm(FilterForm):
    body = forms.ChoiceField(label=_("Body"), required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=_choices(RoleKind.choices))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=_choices(PersonStatus.choices))

    def __init__(self, *args: Any, bodies: QuerySet[EnforcementBody], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = pgettext_lazy("person", "Name")
        self.fields["body"].choices = body_choices(bodies)
        departments = (
            Department.objects.filter(body__in=bodies)
            .select_related("body")
            .only("public_id", "name", "body__name")
            .order_by("body__name", "name")
        )
        grouped: dict[str, list[tuple[str, str]]] = {}
        for dept in departments:
            grouped.setdefault(dept.body.name, []).append((str(dept.public_id), dept.name))
        if len(grouped) == 1:
            self.fields["department"].choices = ANY + next(iter(grouped.values()))
        else:
            self.fields["department"].choices = ANY + list(grouped.items())


class CertificateFilterForm(FilterForm):
    status = forms.ChoiceField(
        label=_("Status today"), required=False, choices=_choices(STATUS_TEXT.items())
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    expiring_within = forms.IntegerField(
        label=_("Expiring within (days)"), required=False, min_value=0, max_value=3660,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Certificate number or holder")
        self.fields["category"].choices = sector_choices()


class ItemFilterForm(FilterForm):
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=_choices(ItemCategory.choices))
    body = forms.ChoiceField(label=_("Body"), required=False)
    procedure = forms.ChoiceField(label=_("Procedure"), required=False,
                                  choices=_choices(ProcedureType.choices))
    review = forms.ChoiceField(label=_("Legality review"), required=False,
                               choices=_choices(LegalityReviewStatus.choices))
    in_force = forms.ChoiceField(
        label=_("Version"), required=False,
        choices=[("", _("All versions")), ("today", _("In force today"))],
    )

    def __init__(self, *args: Any, bodies: QuerySet[EnforcementBody], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Code or name")
        self.fields["body"].choices = body_choices(bodies)


class BenchmarkFilterForm(FilterForm):
    sector = forms.ChoiceField(label=_("Sector"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Violation")
        self.fields["sector"].choices = sector_choices()


class LookupForm(forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=32,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ValidityForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DateInput())
    region = forms.ModelChoiceField(
        label=_("Region"), required=False, queryset=Region.objects.order_by("code"),
        to_field_name="code", empty_label=_("Any region"),
    )
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=Sector.objects.all(),
        to_field_name="code", empty_label=_("Any category"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].initial = timezone.localdate()


STATUS_ACTIONS = {
    "suspend": CertificateStatus.SUSPENDED,
    "restore": CertificateStatus.VALID,
    "revoke": CertificateStatus.REVOKED,
}


class StatusChangeForm(forms.Form):
    action = forms.ChoiceField(
        label=pgettext_lazy("certificate status change", "Action"),
        choices=[("suspend", _("Suspend")), ("restore", _("Restore")), ("revoke", _("Revoke"))],
    )
    effective_date = forms.DateField(label=_("Effective date"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=256,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective_date"].initial = timezone.localdate()

    @property
    def to_status(self) -> str:
        return STATUS_ACTIONS[self.cleaned_data["action"]]


# --- Login accounts -------------------------------------------------------------------------
ACCOUNT_STATUS_CHOICES = [
    ("active", pgettext_lazy("account", "Enabled")),
    ("disabled", pgettext_lazy("account", "Disabled")),
]


class AccountFilterForm(FilterForm):
    role = forms.ChoiceField(label=pgettext_lazy("account", "Role"), required=False,
                             choices=_choices(AccountRole.choices))
    status = forms.ChoiceField(label=pgettext_lazy("account", "Login status"), required=False,
                               choices=_choices(ACCOUNT_STATUS_CHOICES))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Name or username")


def role_choices(roles: list[str]) -> list[tuple[str, Any]]:
    """``roles`` as checkbox choices with their labels, in the order of ``AccountRole``."""
    labels = dict(AccountRole.choices)
    return [(r, labels[r]) for r in AccountRole.values if r in roles]


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(label=pgettext_lazy("account", "Roles"), **kwargs)
        self.error_messages["required"] = _("Choose at least one role.")


# Django 5.2's MinimumLengthValidator says "%d" where its zh_Hans catalogue still has the
# older "%(min_length)d" msgid, so the message would reach users in English. Naming the new
# msgid here puts its translation into this app's catalogue.
PASSWORD_TOO_SHORT = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    8,
)


class NewPasswordMixin(forms.Form):
    """A new password typed twice; the password rules are the service's to apply."""

    password1 = forms.CharField(
        label=_("New password"), strip=False, max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("New password again"), strip=False, max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords do not match."))
        return data


class AccountCreateForm(NewPasswordMixin):
    username = forms.CharField(
        label=_("Username"), max_length=150,
        validators=[UnicodeUsernameValidator()],
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
        help_text=_("Letters, digits and @ . + - _ only."),
    )
    roles = RolesField()
    field_order = ["username", "password1", "password2", "roles"]

    def __init__(self, *args: Any, grantable: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = _("Initial password")
        self.fields["password2"].label = _("Initial password again")
        self.fields["roles"].choices = role_choices(grantable)


class AccountRolesForm(forms.Form):
    roles = RolesField()

    def __init__(self, *args: Any, grantable: list[str], current: list[str],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Roles the account holds but the manager cannot grant stay visible and checked: left
        # checked, the service refuses the change and says why; unchecked, they are removed.
        self.fields["roles"].choices = role_choices(sorted(set(grantable) | set(current)))
        self.fields["roles"].initial = list(current)


class AccountPasswordForm(NewPasswordMixin):
    pass
