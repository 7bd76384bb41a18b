"""The Django admin of the registry, for system administrators.

Every save goes through the registry's services, so that it is checked like any other change
and written to the ledger in the same transaction: "add" calls the ``*_create`` service,
"change" the ``*_update`` service with the fields the form changed, a person's leaving
``person_set_status``, an account's password ``account_set_password``. A refusal is shown
on the form, with what was typed kept. Nothing is deleted here: the ledger, cases and
documents refer to these rows.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AdminUserCreationForm,
    UserChangeForm,
)
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from zhifa.core.errors import ApplicationError

from .models import (
    AccountRole,
    Certificate,
    CertificateStatusChange,
    Department,
    EnforcementBody,
    Person,
    Region,
    RoleKind,
    Sector,
    User,
)
from .services import (
    account_create,
    account_set_password,
    account_update,
    body_create,
    body_update,
    certificate_issue,
    certificate_update,
    department_create,
    department_update,
    person_create,
    person_set_status,
    person_update,
    region_upsert,
    sector_ensure,
    sector_update,
)
from .services.accounts import ACCOUNT_FIELDS
from .services.certificates import CERTIFICATE_FIELDS
from .services.people import PERSON_FIELDS
from .services.registry import BODY_FIELDS

_REFUSAL = "_zhifa_orgs_refusal"


def _adopt(instance: Model, saved: Model) -> None:
    """The admin goes on with the form's instance (message, log entry, redirect): give it
    what the service saved."""
    for field in saved._meta.concrete_fields:
        setattr(instance, field.attname, getattr(saved, field.attname))
    instance._state.adding = False
    instance._state.db = saved._state.db


def _changed(form: forms.ModelForm, names: frozenset[str]) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in form.changed_data if name in names}


class ServiceAdmin(admin.ModelAdmin):
    """Saves through ``create`` and ``update`` (services); deletes nothing."""

    def create(self, request: HttpRequest, form: forms.ModelForm) -> Model:
        raise NotImplementedError

    def update(self, request: HttpRequest, obj: Any, form: forms.ModelForm) -> None:
        raise NotImplementedError

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            self.update(request, obj, form)
        else:
            _adopt(obj, self.create(request, form))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any,
                     change: bool) -> None:
        # Many-to-many fields went to the service with the rest (no ``form.save_m2m()``).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False,
                 **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal: ApplicationError | None = getattr(request, _REFUSAL, None)
        if refusal is None:
            return form
        message, code = refusal.message, refusal.code

        class Refused(form):  # type: ignore[valid-type,misc]
            def clean(self) -> Any:
                super().clean()
                raise ValidationError(message, code=code)

        return Refused

    def changeform_view(self, request: HttpRequest, object_id: str | None = None,
                        form_url: str = "", extra_context: Any = None) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as refusal:
            if request.method != "POST" or hasattr(request, _REFUSAL):
                raise
            # The service refused and its transaction rolled back: the form again, with what
            # was typed and the refusal as the form's error.
            setattr(request, _REFUSAL, refusal)
            return super().changeform_view(request, object_id, form_url, extra_context)


@admin.register(Region)
class RegionAdmin(ServiceAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    fields = ["code", "name", "level", "parent"]
    autocomplete_fields = ["parent"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The code is the region's identity (GB/T 2260); the level follows from it.
        return ["code", "level"] if obj is not None else ["level"]

    def create(self, request: HttpRequest, form: forms.ModelForm) -> Model:
        d = form.cleaned_data
        return region_upsert(actor=request.user, code=d["code"], name=d["name"],
                             parent=d["parent"])

    def update(self, request: HttpRequest, obj: Any, form: forms.ModelForm) -> None:
        d = form.cleaned_data
        _adopt(obj, region_upsert(actor=request.user, code=obj.code, name=d["name"],
                                  parent=d["parent"]))


@admin.register(Sector)
class SectorAdmin(ServiceAdmin):
    list_display = ["code", "name", "sort_order"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["code"] if obj is not None else []  # imports and bodies refer to the code

    def create(self, request: HttpRequest, form: forms.ModelForm) -> Model:
        d = form.cleaned_data
        return sector_ensure(actor=request.user, code=d["code"], name=d["name"],
                             sort_order=d["sort_order"])

    def update(self, request: HttpRequest, obj: Any, form: forms.ModelForm) -> None:
        d = form.cleaned_data
        _adopt(obj, sector_update(actor=request.user, sector=obj, name=d["name"],
                                  sort_order=d["sort_order"]))


class DepartmentInline(admin.TabularInline):
    model = Department
    extra = 0
    can_delete = False  # people and items refer to departments


@admin.register(EnforcementBody)
class EnforcementBodyAdmin(ServiceAdmin):
    list_display = ["name", "credit_code", "kind", "level", "region", "sector", "status"]
    list_filter = ["kind", "level", "sector", "status"]
    search_fields = ["name", "credit_code"]
    autocomplete_fields = ["region", "supervising_body"]
    inlines = [DepartmentInline]
    add_fields = ["name", "short_name", "credit_code", "kind", "level", "region", "sector",
                  "supervising_body", "is_supervisory", "address", "phone"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A new body is active and has no departments yet to be its legal review office.
        return self.add_fields if obj is None else super().get_fields(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest,
                                 **kwargs: Any) -> Any:
        if db_field.name == "legal_review_office":
            # Only the body's own departments (``body_update`` refuses others).
            body_id = request.resolver_match.kwargs.get("object_id") if (
                request.resolver_match) else None
            kwargs["queryset"] = Department.objects.filter(body_id=body_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def create(self, request: HttpRequest, form: forms.ModelForm) -> Model:
        return body_create(actor=request.user, **{k: form.cleaned_data[k]
                                                  for k in self.add_fields})

    def update(self, request: HttpRequest, obj: Any, form: forms.ModelForm) -> None:
        _adopt(obj, body_update(actor=request.user, body=obj,
                                **_changed(form, BODY_FIELDS)))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any,
                     change: bool) -> None:
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            if not row.has_changed():
                continue
            d = row.cleaned_data
            if row.instance.pk is None:
                formset.new_objects.append(department_create(
                    actor=request.user, body=form.instance, name=d["name"], kind=d["kind"]))
            else:
                formset.changed_objects.append((department_update(
                    actor=request.user, department=row.instance, name=d["name"],
                    kind=d["kind"]), row.changed_data))


class PersonForm(forms.ModelForm):
    """Role kinds as a list of known codes, given to the service with the other fields."""

    role_kinds = forms.MultipleChoiceField(
        label=_("role kinds"), choices=RoleKind.choices, widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial.setdefault("role_kinds", self.instance.role_kinds())

    def clean_role_kinds(self) -> list[str]:
        return sorted(set(self.cleaned_data["role_kinds"]))


@admin.register(Person)
class PersonAdmin(ServiceAdmin):
    form = PersonForm
    list_display = ["name", "id_number_masked", "body", "department", "post", "status"]
    list_filter = ["status", "body__sector"]
    search_fields = ["name", "body__name"]
    autocomplete_fields = ["body"]
    fields = ["body", "department", "name", "id_number", "role_kinds", "post", "phone",
              "legal_qualification_number", "legal_qualification_date", "status"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Someone new is in post; leaving is a change of an existing person.
        return [f for f in self.fields if f != "status"] if obj is None else self.fields

    @admin.display(description=_("ID number"))
    def id_number_masked(self, obj: Person) -> str:
        return obj.id_number_masked

    def create(self, request: HttpRequest, form: forms.ModelForm) -> Model:
        d = form.cleaned_data
        return person_create(
            actor=request.user, body=d["body"], name=d["name"], id_number=d["id_number"],
            role_kinds=d["role_kinds"], department=d["department"], post=d["post"],
            phone=d["phone"], legal_qualification_number=d["legal_qualification_number"],
            legal_qualification_date=d["legal_qualification_date"],
        )

    def update(self, request: HttpRequest, obj: Any, form: forms.ModelForm) -> None:
        person = person_update(actor=request.user, person=obj,
                               **_changed(form, PERSON_FIELDS))
        if "status" in form.changed_data:
            person = person_set_status(actor=request.user, person=person,
                                       status=form.cleaned_data["status"])
        _adopt(obj, person)


class StatusChangeInline(admin.TabularInline):
    model = CertificateStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "effective_date", "reason", "actor",
                       "created_at"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Certificate)
class CertificateAdmin(ServiceAdmin):
    list_display = ["number", "person", "issuer", "issue_date", "expiry_date", "status"]
    list_filter = ["status", "categories"]
    search_fields = ["number", "person__name"]
    list_select_related = ["person", "person__body"]
    # Status changes go through ``certificate_status_change`` (staff UI and API) so that
    # every change has a reason and a history row.
    readonly_fields = ["status"]
    inlines = [StatusChangeInline]
    autocomplete_fields = ["person", "areas", "categories"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A certificate belongs to its holder for good.
        return ["person", "status"] if obj is not None else ["status"]

    def create(self, request: HttpRequest, form: forms.ModelForm) -> Model:
        d = form.cleaned_data
        return certificate_issue(
            actor=request.user, person=d["person"], number=d["number"], issuer=d["issuer"],
            areas=d["areas"], categories=d["categories"], issue_date=d["issue_date"],
            expiry_date=d["expiry_date"],
        )

    def update(self, request: HttpRequest, obj: Any, form: forms.ModelForm) -> None:
        _adopt(obj, certificate_update(actor=request.user, certificate=obj,
                                       **_changed(form, CERTIFICATE_FIELDS)))


class UserRolesForm(UserChangeForm):
    """Roles as a list of known codes: a free JSON text would let a typo grant nothing
    without a word (``orgs.permissions.POLICY`` ignores unknown roles)."""

    roles = forms.MultipleChoiceField(
        label=_("roles"), choices=AccountRole.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_roles(self) -> list[str]:
        return sorted(set(self.cleaned_data["roles"]))


class UserAddForm(AdminUserCreationForm):
    """A new login with its person and roles, as ``account_create`` needs them."""

    roles = forms.MultipleChoiceField(
        label=_("roles"), choices=AccountRole.choices, widget=forms.CheckboxSelectMultiple,
    )

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "person")

    def clean_roles(self) -> list[str]:
        return sorted(set(self.cleaned_data["roles"]))


# Who changes a password in the admin's password form (the form is built without the request).
_password_actor: ContextVar[Any] = ContextVar("zhifa_admin_password_actor", default=None)


@contextmanager
def _acting(actor: Any) -> Iterator[None]:
    token = _password_actor.set(actor)
    try:
        yield
    finally:
        _password_actor.reset(token)


class PasswordForm(AdminPasswordChangeForm):
    """Sets the password through ``account_set_password`` (a ledger entry without it)."""

    def save(self, commit: bool = True) -> Any:
        password = self.cleaned_data["password1"] if self.cleaned_data[
            "set_usable_password"] else None
        return account_set_password(actor=_password_actor.get(), user=self.user,
                                    password=password)


def _without(fieldsets: Any, dropped: set[str]) -> tuple[Any, ...]:
    return tuple((name, {**options, "fields": tuple(
        f for f in options["fields"] if f not in dropped)}) for name, options in fieldsets)


@admin.register(User)
class UserAdmin(ServiceAdmin, BaseUserAdmin):
    form = UserRolesForm
    add_form = UserAddForm
    change_password_form = PasswordForm
    list_display = ["username", "person", "role_labels", "is_active", "is_superuser"]
    list_select_related = ["person"]
    # Permissions come from ``roles``; Django's groups and per-user permissions are not used.
    fieldsets = (
        *_without(BaseUserAdmin.fieldsets, {"groups", "user_permissions"}),
        (_("Zhifa"), {"fields": ("person", "roles")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": (
            "username", "person", "roles", "usable_password", "password1", "password2")}),
    )
    readonly_fields = ["last_login", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    autocomplete_fields = ["person"]

    @admin.display(description=_("roles"))
    def role_labels(self, obj: User) -> str:
        held = set(obj.roles or [])
        return "、".join(str(label) for value, label in AccountRole.choices if value in held)

    def create(self, request: HttpRequest, form: forms.ModelForm) -> Model:
        d = form.cleaned_data
        usable = d.get("set_usable_password", True)
        return account_create(
            actor=request.user, username=d["username"], roles=d["roles"], person=d["person"],
            password=d["password1"] if usable else None,
            password_hash=None if usable else make_password(None),
        )

    def update(self, request: HttpRequest, obj: Any, form: forms.ModelForm) -> None:
        _adopt(obj, account_update(actor=request.user, user=obj,
                                   **_changed(form, ACCOUNT_FIELDS)))

    def user_change_password(self, request: HttpRequest, id: str,
                             form_url: str = "") -> HttpResponse:
        with _acting(request.user):
            return super().user_change_password(request, id, form_url)


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
