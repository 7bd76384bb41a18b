from typing import Any

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import (
    AccountRole,
    Certificate,
    CertificateStatusChange,
    Department,
    EnforcementBody,
    Person,
    PersonRole,
    Region,
    Sector,
    User,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    readonly_fields = ["path"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "sort_order"]
    search_fields = ["code", "name"]


class DepartmentInline(admin.TabularInline):
    model = Department
    extra = 0


@admin.register(EnforcementBody)
class EnforcementBodyAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "kind", "level", "region", "sector", "status"]
    list_filter = ["kind", "level", "sector", "status"]
    search_fields = ["name", "credit_code"]
    autocomplete_fields = ["region", "supervising_body"]
    inlines = [DepartmentInline]


class PersonRoleInline(admin.TabularInline):
    model = PersonRole
    extra = 0


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "id_number_masked", "body", "department", "post", "status"]
    list_filter = ["status", "body__sector"]
    search_fields = ["name", "body__name"]
    inlines = [PersonRoleInline]
    autocomplete_fields = ["body"]

    @admin.display(description=_("ID number"))
    def id_number_masked(self, obj: Person) -> str:
        return obj.id_number_masked


class StatusChangeInline(admin.TabularInline):
    model = CertificateStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "effective_date", "reason", "actor",
                       "created_at"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["number", "person", "issuer", "issue_date", "expiry_date", "status"]
    list_filter = ["status", "categories"]
    search_fields = ["number", "person__name"]
    list_select_related = ["person", "person__body"]
    # Status changes go through ``certificate_status_change`` (staff UI and API) so that
    # every change has a reason and a history row.
    readonly_fields = ["status"]
    inlines = [StatusChangeInline]
    autocomplete_fields = ["person", "areas", "categories"]


class UserRolesForm(UserChangeForm):
    """Roles as a list of known codes: a free JSON text would let a typo grant nothing
    without a word (``orgs.permissions.POLICY`` ignores unknown roles)."""

    roles = forms.MultipleChoiceField(
        label=_("roles"), choices=AccountRole.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_roles(self) -> list[str]:
        return sorted(set(self.cleaned_data["roles"]))


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserRolesForm
    list_display = ["username", "person", "role_labels", "is_active", "is_superuser"]
    list_select_related = ["person"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (_("Zhifa"), {"fields": ("person", "roles")}),
    )
    autocomplete_fields = ["person"]

    @admin.display(description=_("roles"))
    def role_labels(self, obj: User) -> str:
        held = set(obj.roles or [])
        return "、".join(str(label) for value, label in AccountRole.choices if value in held)


# Accounts get their permissions from ``User.roles`` (``orgs.permissions``); Django's groups
# are not used, and an admin page for them would only mislead.
admin.site.unregister(Group)


@admin.register(AccessAttempt)
class LockoutAdmin(admin.ModelAdmin):
    """Failed logins per account (django-axes), read-only, with "unlock": the lockout page
    tells a locked-out user to ask a system administrator."""

    list_display = ["account", "address", "failures", "last_attempt"]
    search_fields = ["username"]
    ordering = ["-attempt_time"]
    actions = ["unlock"]

    @admin.display(description=_("Account"), ordering="username")
    def account(self, obj: AccessAttempt) -> str:
        return obj.username or ""

    @admin.display(description=_("IP address"), ordering="ip_address")
    def address(self, obj: AccessAttempt) -> str:
        return obj.ip_address or ""

    @admin.display(description=_("Failed logins"), ordering="failures_since_start")
    def failures(self, obj: AccessAttempt) -> int:
        return obj.failures_since_start

    @admin.display(description=_("Last attempt"), ordering="attempt_time")
    def last_attempt(self, obj: AccessAttempt) -> Any:
        return obj.attempt_time

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Unlock"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        usernames = sorted({a.username for a in queryset if a.username})
        for username in usernames:
            axes_reset(username=username)
        self.message_user(request, ngettext(
            "Unlocked %(count)d account.", "Unlocked %(count)d accounts.", len(usernames)
        ) % {"count": len(usernames)}, messages.SUCCESS)
