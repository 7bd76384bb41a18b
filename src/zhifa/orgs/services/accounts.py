"""User accounts: logins linked to people, and the roles they grant. Each change writes its
ledger entry (``orgs.events``, stream ``"accounts"``) in the same transaction; passwords and
their hashes never go into an entry."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput, PermissionDenied

from .. import events
from ..models import AccountRole, Person, PersonStatus, User
from ..permissions import Perm, perms_of
from ._ledger import changes, record
from ._scope import require_admin, require_body_scope

_BODY_GRANTABLE_ROLES = {
    AccountRole.OFFICER, AccountRole.AUXILIARY, AccountRole.REVIEWER, AccountRole.HEAD,
    AccountRole.BODY_ADMIN, AccountRole.PUBLICITY_CLERK,
}


def grantable_roles(actor: Any, person: Person | None) -> list[str]:
    """The roles ``actor`` may give an account of ``person``: everything for system
    administrators; for body administrators the staff roles, plus supervisor at a supervisory
    body (a justice bureau)."""
    if actor is None or Perm.ADMINISTER_SYSTEM in perms_of(actor):
        return list(AccountRole.values)
    grantable = _body_grantable(person)
    return [r for r in AccountRole.values if r in grantable]


def _body_grantable(person: Person | None) -> set[str]:
    grantable: set[str] = set(_BODY_GRANTABLE_ROLES)
    if person is not None and person.body.is_supervisory:
        grantable.add(AccountRole.SUPERVISOR)
    return grantable


def _validate_password(password: str, user: User | None) -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), code="password_weak") from None


def _require_grantable(roles: Iterable[str], person: Person | None) -> None:
    grantable = _body_grantable(person)
    if set(roles) - grantable:
        raise PermissionDenied(
            _("You cannot grant these roles."), code="role_not_grantable",
            detail=sorted(set(roles) - grantable),
        )


def _clean_roles(roles: Iterable[str]) -> list[str]:
    cleaned = sorted(set(roles))
    unknown = set(cleaned) - set(AccountRole.values)
    if unknown:
        raise InvalidInput(_("Unknown role."), code="role_unknown", detail=sorted(unknown))
    if not cleaned:
        raise InvalidInput(_("An account needs at least one role."), code="role_required")
    return cleaned


def _require_account_scope(actor: Any, user: User) -> None:
    """Body administrators manage the accounts of their own body's people, never a system
    administrator's; ``actor=None`` is the system itself."""
    if actor is None or Perm.ADMINISTER_SYSTEM in perms_of(actor):
        return
    if user.person is None or AccountRole.SYSTEM_ADMIN in (user.roles or []):
        raise PermissionDenied(_("Only system administrators can do this."),
                               code="missing_administer_system")
    require_body_scope(actor, user.person.body)


@transaction.atomic
def account_set_roles(*, actor: Any, user: User, roles: Iterable[str]) -> User:
    _require_account_scope(actor, user)
    cleaned = _clean_roles(roles)
    if actor is not None and Perm.ADMINISTER_SYSTEM not in perms_of(actor):
        _require_grantable(cleaned, user.person)
        if user.pk == actor.pk and AccountRole.BODY_ADMIN not in cleaned:
            raise InvalidInput(_("You cannot remove your own administrator role."),
                               code="account_self")
    if user.person is None and cleaned != [AccountRole.SYSTEM_ADMIN]:
        raise InvalidInput(_("A staff account must be linked to a person."),
                           code="account_needs_person")
    is_admin = AccountRole.SYSTEM_ADMIN in cleaned
    before = _role_facts(user)
    user.roles = cleaned
    user.is_staff = user.is_superuser = is_admin
    changed = changes(before, _role_facts(user))
    if changed:
        user.save(update_fields=["roles", "is_staff", "is_superuser"])
        _record(actor, events.ACCOUNT_ROLES_CHANGED, user, changes=changed)
    return user


def _role_facts(user: User) -> dict[str, Any]:
    return {"roles": list(user.roles or []), "is_staff": user.is_staff,
            "is_superuser": user.is_superuser}


def _record(actor: Any, event: Any, user: User, **payload: Any) -> None:
    person = user.person if user.person_id else None
    record(actor=actor, event=event, stream=events.ACCOUNTS_STREAM,
           body=person.body if person is not None else None,
           payload={"account": user.pk, "username": user.username, **payload})


@transaction.atomic
def account_set_active(*, actor: Any, user: User, active: bool) -> User:
    """Disable or re-enable a login (staff who leave, a lost password). Disabling ends the
    account's sessions at its next request (Django checks ``is_active``)."""
    _require_account_scope(actor, user)
    if actor is not None and user.pk == actor.pk and not active:
        raise InvalidInput(_("You cannot disable your own account."), code="account_self")
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    _record(actor, events.ACCOUNT_ENABLED if active else events.ACCOUNT_DISABLED, user)
    return user


@transaction.atomic
def account_set_password(*, actor: Any, user: User, password: str | None) -> User:
    """An administrator sets a new password, checked by the password rules in settings;
    ``None`` turns signing in with a password off (the Django admin offers this)."""
    _require_account_scope(actor, user)
    if password is None:
        user.set_unusable_password()
    else:
        _validate_password(password, user)
        user.set_password(password)
    user.save(update_fields=["password"])
    _record(actor, events.ACCOUNT_PASSWORD_SET if password is not None
            else events.ACCOUNT_PASSWORD_UNUSABLE, user)
    return user


@transaction.atomic
def account_create(
    *,
    actor: Any,
    username: str,
    roles: Iterable[str],
    person: Person | None = None,
    password: str | None = None,
    password_hash: str | None = None,
) -> User:
    """A login for a person (or a system administrator without a person).

    Exactly one of ``password`` (hashed here) or ``password_hash`` (an already hashed value,
    e.g. one hash shared by the demo accounts) is given. The ``system_admin`` role also grants
    the Django admin (``is_staff``, ``is_superuser``)."""
    roles = _clean_roles(roles)
    if (password is None) == (password_hash is None):
        raise InvalidInput(_("Give a password."), code="password_required")
    if actor is not None and Perm.ADMINISTER_SYSTEM not in perms_of(actor):
        if person is None:
            require_admin(actor)
        else:
            require_body_scope(actor, person.body)
        _require_grantable(roles, person)
    if person is None and roles != [AccountRole.SYSTEM_ADMIN]:
        raise InvalidInput(_("A staff account must be linked to a person."),
                           code="account_needs_person")
    username = username.strip()
    if not username:
        raise InvalidInput(_("A username is required."), code="username_required")
    if User.objects.filter(username=username).exists():
        raise InvalidInput(_("This username is taken."), code="username_taken")
    if person is not None:
        if User.objects.filter(person=person).exists():
            raise InvalidInput(_("This person already has an account."),
                               code="person_has_account")
        if person.status != PersonStatus.ACTIVE:
            raise InvalidInput(_("The person is no longer in post."), code="person_left")
    if password is not None:
        _validate_password(password, None)
    is_admin = AccountRole.SYSTEM_ADMIN in roles
    user = User(
        username=username, person=person, roles=roles,
        first_name=person.name if person else "", is_staff=is_admin, is_superuser=is_admin,
    )
    if password_hash is not None:
        user.password = password_hash
    else:
        user.set_password(password)
    user.save()
    _record(actor, events.ACCOUNT_CREATED, user,
            person=person.public_id if person is not None else None,
            name=person.name if person is not None else None, roles=roles)
    return user


ACCOUNT_FIELDS = frozenset({
    "username", "first_name", "last_name", "email", "person", "roles", "is_active",
    "is_staff", "is_superuser",
})


def _account_facts(user: User) -> dict[str, Any]:
    person = user.person if user.person_id else None
    return {
        "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
        "email": mask_email(user.email),
        "person": person.public_id if person is not None else None,
        "roles": list(user.roles or []), "is_active": user.is_active,
        "is_staff": user.is_staff, "is_superuser": user.is_superuser,
    }


def mask_email(value: str) -> str:
    """``l*****@example.org``: enough to tell addresses apart in the ledger."""
    local, at, domain = value.partition("@")
    if not at:
        return "*" * len(value)
    return local[:1] + "*" * (len(local) - 1) + "@" + domain


@transaction.atomic
def account_update(*, actor: Any, user: User, **fields: Any) -> User:
    """What the Django admin changes on an account (``ACCOUNT_FIELDS``), for system
    administrators. Unlike ``account_set_roles`` the role list may be empty (an account
    that can do nothing) and the admin flags are set as given."""
    require_admin(actor)
    unknown = set(fields) - ACCOUNT_FIELDS
    if unknown:
        raise TypeError(f"account_update() got unknown fields: {sorted(unknown)}")
    current = User.objects.select_for_update(of=("self",)).select_related("person").get(
        pk=user.pk)
    if "username" in fields:
        fields["username"] = fields["username"].strip()
        if not fields["username"]:
            raise InvalidInput(_("A username is required."), code="username_required")
        if User.objects.filter(username=fields["username"]).exclude(pk=user.pk).exists():
            raise InvalidInput(_("This username is taken."), code="username_taken")
    if "roles" in fields:
        fields["roles"] = sorted(set(fields["roles"]))
        unknown_roles = set(fields["roles"]) - set(AccountRole.values)
        if unknown_roles:
            raise InvalidInput(_("Unknown role."), code="role_unknown",
                               detail=sorted(unknown_roles))
    person = fields.get("person")
    if person is not None and User.objects.filter(person=person).exclude(pk=user.pk).exists():
        raise InvalidInput(_("This person already has an account."), code="person_has_account")
    if actor is not None and user.pk == actor.pk and fields.get("is_active") is False:
        raise InvalidInput(_("You cannot disable your own account."), code="account_self")
    before = _account_facts(current)
    for key, value in fields.items():
        setattr(current, key, value)
    changed = changes(before, _account_facts(current))
    if changed:
        current.save(update_fields=sorted(fields))
        _record(actor, events.ACCOUNT_UPDATED, current, changes=changed)
    for key in fields:
        setattr(user, key, getattr(current, key))
    return current
