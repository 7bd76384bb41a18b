from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _

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
    filter_horizontal = ["areas", "categories"]
    # Status changes go through ``certificate_status_change`` (staff UI and API) so that
    # every change has a reason and a history row.
    readonly_fields = ["status"]
    inlines = [StatusChangeInline]
    autocomplete_fields = ["person"]


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
    list_display = ["username", "person", "roles", "is_active", "is_superuser"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (_("Zhifa"), {"fields": ("person", "roles")}),
    )
    autocomplete_fields = ["person"]
