"""Forms of the staff pages: list filters (GET), the validity check and the login accounts
(the certificate status change is in ``certificate_forms``).

Filter choices are built from the user's scope, so a filter can never name a body or
department the user cannot see; choice values are public ids and codes, never row keys.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy

from zhifa.catalog.models import ItemCategory, LegalityReviewStatus, ProcedureType
from zhifa.orgs.models import (
    AccountRole,
    BodyKind,
    BodyStatus,
    Department,
    EnforcementBody,
    PersonStatus,
    Region,
    RegionLevel,
    RoleKind,
    Sector,
)
from zhifa.orgs.selectors import visible_bodies

from .queries import STATUS_TEXT

ANY = [("", _("All"))]


def _choices(pairs: Any) -> list[tuple[str, Any]]:
    return ANY + [(str(value), label) for value, label in pairs]


_REGION_DEPTH = {RegionLevel.PROVINCE: 0, RegionLevel.CITY: 1, RegionLevel.COUNTY: 2}


def indented(region: Region) -> str:
    """A region's name indented by its level, so the tree reads in a plain <select>."""
    return "\u3000" * _REGION_DEPTH.get(region.level, 3) + region.name


def scoped_regions(bodies: QuerySet[EnforcementBody]) -> QuerySet[Region]:
    """The regions of ``bodies`` and their ancestors: those whose path begins some body's
    region path (one query)."""
    below = bodies.order_by().filter(region__path__startswith=OuterRef("path"))
    return Region.objects.filter(Exists(below)).order_by("code")


def region_choices(bodies: QuerySet[EnforcementBody]) -> list[tuple[str, Any]]:
    return _choices((r.code, indented(r)) for r in scoped_regions(bodies))


def sector_choices() -> list[tuple[str, Any]]:
    return _choices((s.code, s.name) for s in Sector.objects.all())


def body_choices(bodies: QuerySet[EnforcementBody]) -> list[tuple[str, Any]]:
    return _choices(bodies.values_list("public_id", "name"))


class FilterForm(forms.Form):
    """Every filter is optional; ``q`` is the search box. A field whose ``initial`` is set
    uses it when the request leaves the field empty (a default, not counted as active)."""

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

    def value_of(self, name: str) -> Any:
        """The filter's value, or its default when not given."""
        return self.filters().get(name, self.fields[name].initial)

    @property
    def active(self) -> bool:
        return bool(self.filters())

    @property
    def active_count(self) -> int:
        """How many filters besides the search box narrow the list (defaults excluded)."""
        return sum(
            1 for name, value in self.filters().items()
            if name != "q" and str(value) != str(self.fields[name].initial or "")
        )

    def drop_single_body(self) -> None:
        """A body filter is pointless when the user sees one body or none."""
        if "body" in self.fields and len(self.fields["body"].choices) <= 2:
            del self.fields["body"]


class BodyFilterForm(FilterForm):
    region = forms.ChoiceField(label=_("Region"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_choices(BodyKind.choices))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=_choices(BodyStatus.choices))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Name or credit code")
        self.fields["region"].choices = region_choices(visible_bodies(self.user))
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
        self.drop_single_body()
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
    body = forms.ChoiceField(label=_("Body"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    expiring_within = forms.IntegerField(
        label=_("Expiring within N days"), required=False, min_value=0, max_value=3660,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bodies = visible_bodies(self.user)
        self.fields["q"].widget.attrs["placeholder"] = _("Certificate number or holder")
        self.fields["category"].choices = sector_choices()
        self.fields["body"].choices = body_choices(bodies)
        self.drop_single_body()
        self.fields["region"].choices = region_choices(bodies)
        if "body" not in self.fields:
            del self.fields["region"]  # one body: its region narrows nothing
        self.fields["expiring_within"].widget.attrs["placeholder"] = _(
            "e.g. %(days)s"
        ) % {"days": settings.ZHIFA.get("CERTIFICATE_EXPIRY_WARNING_DAYS", 90)}


class ItemFilterForm(FilterForm):
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=_choices(ItemCategory.choices))
    body = forms.ChoiceField(label=_("Body"), required=False)
    procedure = forms.ChoiceField(label=_("Procedure"), required=False,
                                  choices=_choices(ProcedureType.choices))
    review = forms.ChoiceField(label=_("Legality review"), required=False,
                               choices=_choices(LegalityReviewStatus.choices))
    # Versions in force today unless the user asks for all of them.
    in_force = forms.ChoiceField(
        label=_("Version"), required=False, initial="today",
        choices=[("today", _("In force today")), ("all", _("All versions"))],
    )

    def __init__(self, *args: Any, bodies: QuerySet[EnforcementBody], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Code or name")
        self.fields["body"].choices = body_choices(bodies)
        self.drop_single_body()


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


class IndentedRegionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return indented(obj)


class ValidityForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DateInput())
    region = IndentedRegionField(
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
