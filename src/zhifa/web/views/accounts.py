"""Login accounts of staff, managed by their body's administrators (system administrators
manage all; accounts without a person, the system administrators', stay in the Django admin).

An account is addressed by its person's public id: these pages manage "the login of person X".
Every POST calls exactly one account service; what the service refuses is shown next to the
form, with what the user typed kept (passwords excepted).
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.db.models import F, Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from zhifa.core.errors import ApplicationError, NotFound
from zhifa.orgs.models import AccountRole, Person, PersonStatus, User
from zhifa.orgs.permissions import Perm, has_perm
from zhifa.orgs.selectors import (
    account_get_for_user,
    account_person_get_for_user,
    accounts_with_role,
    visible_accounts,
)
from zhifa.orgs.services import (
    account_create,
    account_set_active,
    account_set_password,
    account_set_roles,
    grantable_roles,
)

from ..forms import (
    AccountCreateForm,
    AccountFilterForm,
    AccountPasswordForm,
    AccountRolesForm,
)
from .common import found, render_list, render_page, staff_view

# Which form field shows a service error, by its code; anything else goes above the form.
_ERROR_FIELDS = {
    "username_required": "username",
    "username_taken": "username",
    "password_weak": "password1",
    "role_required": "roles",
    "role_unknown": "roles",
    "role_not_grantable": "roles",
}


def _show_error(form: Form, exc: ApplicationError) -> None:
    field = _ERROR_FIELDS.get(exc.code)
    form.add_error(field if field in form.fields else None, exc.message)


def role_labels() -> dict[str, str]:
    return {value: str(label) for value, label in AccountRole.choices}


@dataclass(frozen=True)
class LoginPanel:
    """What a person's page shows a manager about the person's login."""

    account: User | None
    role_labels: list[str]
    in_post: bool


def login_panel(user: Any, person: Person) -> LoginPanel | None:
    """None unless ``user`` manages the logins of ``person``'s body (and may see this login:
    a system administrator's stays hidden from body administrators)."""
    if not has_perm(user, Perm.MANAGE_PEOPLE):
        return None
    in_post = person.status == PersonStatus.ACTIVE
    try:
        managed = account_get_for_user(user=user, public_id=person.public_id)
    except NotFound:
        try:
            account_person_get_for_user(user=user, public_id=person.public_id)
        except NotFound:
            return None
        if _has_account(person):
            return None
        return LoginPanel(account=None, role_labels=[], in_post=in_post)
    labels = role_labels()
    return LoginPanel(account=managed, role_labels=[labels.get(r, r) for r in managed.roles or []],
                      in_post=in_post)


@staff_view(Perm.MANAGE_PEOPLE)
def account_list(request: HttpRequest) -> HttpResponse:
    form = AccountFilterForm(request.GET or None, user=request.user)
    f = form.filters()
    qs = visible_accounts(request.user).order_by(
        F("person__body__name").asc(nulls_first=True), "person__name", "username"
    )
    if "q" in f:
        qs = qs.filter(Q(username__icontains=f["q"]) | Q(person__name__icontains=f["q"]))
    if "role" in f:
        qs = accounts_with_role(qs, f["role"])
    if "status" in f:
        qs = qs.filter(is_active=f["status"] == "active")
    return render_list(
        request, template="web/accounts/list.html",
        results_template="web/accounts/_results.html", form=form, qs=qs,
        extra={"role_labels": role_labels()},
    )


def _person(request: HttpRequest, person_id: Any) -> Person:
    return found(account_person_get_for_user, user=request.user, public_id=person_id)


def _account(request: HttpRequest, person_id: Any) -> User:
    return found(account_get_for_user, user=request.user, public_id=person_id)


def _has_account(person: Person) -> bool:
    try:
        return person.account is not None
    except User.DoesNotExist:
        return False


@require_http_methods(["GET", "POST"])
@staff_view(Perm.MANAGE_PEOPLE)
def account_new(request: HttpRequest, person_id: Any) -> HttpResponse:
    person = _person(request, person_id)
    if _has_account(person):
        return redirect("web:account_manage", person_id=person.public_id)
    grantable = grantable_roles(request.user, person)
    form = AccountCreateForm(request.POST or None, grantable=grantable)
    if request.method == "POST" and form.is_valid():
        try:
            account_create(
                actor=request.user, username=form.cleaned_data["username"],
                roles=form.cleaned_data["roles"], person=person,
                password=form.cleaned_data["password1"],
            )
        except ApplicationError as exc:
            _show_error(form, exc)
        else:
            messages.success(
                request, _("A login was created for %(name)s.") % {"name": person.name}
            )
            return redirect("web:account_manage", person_id=person.public_id)
    context = {"person": person, "form": form, "in_post": person.status == PersonStatus.ACTIVE}
    status = 400 if request.method == "POST" else 200
    return render_page(request, "web/accounts/new.html", context, status=status)


def _manage_context(
    request: HttpRequest, managed: User, **forms: Form
) -> dict[str, Any]:
    person = managed.person
    grantable = grantable_roles(request.user, person)
    return {
        "person": person,
        "managed": managed,
        "role_labels": role_labels(),
        "is_self": managed.pk == request.user.pk,
        "roles_form": forms.get("roles_form")
        or AccountRolesForm(grantable=grantable, current=list(managed.roles or [])),
        "password_form": forms.get("password_form") or AccountPasswordForm(),
    }


@require_safe
@staff_view(Perm.MANAGE_PEOPLE)
def account_manage(request: HttpRequest, person_id: Any) -> HttpResponse:
    try:
        managed = account_get_for_user(user=request.user, public_id=person_id)
    except NotFound:
        # A person in scope without a login: offer to create one. A login the user may not
        # manage (a system administrator's) stays "not found".
        person = _person(request, person_id)
        if _has_account(person):
            raise Http404 from None
        return redirect("web:account_new", person_id=person.public_id)
    return render_page(request, "web/accounts/manage.html", _manage_context(request, managed))


@require_POST
@staff_view(Perm.MANAGE_PEOPLE)
def account_roles(request: HttpRequest, person_id: Any) -> HttpResponse:
    managed = _account(request, person_id)
    form = AccountRolesForm(
        request.POST, grantable=grantable_roles(request.user, managed.person),
        current=list(managed.roles or []),
    )
    if form.is_valid():
        try:
            account_set_roles(actor=request.user, user=managed, roles=form.cleaned_data["roles"])
        except ApplicationError as exc:
            _show_error(form, exc)
        else:
            messages.success(request, _("The roles were saved."))
            return redirect("web:account_manage", person_id=person_id)
    managed.refresh_from_db()
    context = _manage_context(request, managed, roles_form=form)
    return render_page(request, "web/accounts/manage.html", context, status=400)


@require_POST
@staff_view(Perm.MANAGE_PEOPLE)
def account_password(request: HttpRequest, person_id: Any) -> HttpResponse:
    managed = _account(request, person_id)
    form = AccountPasswordForm(request.POST)
    if form.is_valid():
        try:
            account_set_password(
                actor=request.user, user=managed, password=form.cleaned_data["password1"]
            )
        except ApplicationError as exc:
            _show_error(form, exc)
        else:
            if managed.pk == request.user.pk:
                # A new password ends the other sessions, not the one that set it.
                update_session_auth_hash(request, managed)
            messages.success(request, _("The new password was set."))
            return redirect("web:account_manage", person_id=person_id)
    context = _manage_context(request, managed, password_form=form)
    return render_page(request, "web/accounts/manage.html", context, status=400)


def _set_active(request: HttpRequest, person_id: Any, *, active: bool) -> HttpResponse:
    """GET asks for confirmation, POST changes the account."""
    managed = _account(request, person_id)
    error = None
    if request.method == "POST":
        try:
            account_set_active(actor=request.user, user=managed, active=active)
        except ApplicationError as exc:
            error = exc.message
        else:
            if active:
                text = _("The login of %(name)s was enabled.")
            else:
                text = _("The login of %(name)s was disabled. It can no longer be used.")
            name = managed.person.name if managed.person else managed.username
            messages.success(request, text % {"name": name})
            return redirect("web:account_manage", person_id=person_id)
    context = {
        "person": managed.person,
        "managed": managed,
        "active": active,
        "error": error,
        "action_url": request.path,
    }
    status = 400 if error else 200
    return render_page(request, "web/accounts/confirm_active.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_view(Perm.MANAGE_PEOPLE)
def account_disable(request: HttpRequest, person_id: Any) -> HttpResponse:
    return _set_active(request, person_id, active=False)


@require_http_methods(["GET", "POST"])
@staff_view(Perm.MANAGE_PEOPLE)
def account_enable(request: HttpRequest, person_id: Any) -> HttpResponse:
    return _set_active(request, person_id, active=True)
