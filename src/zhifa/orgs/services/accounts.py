"""User accounts: logins linked to people, and the roles they grant."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput, PermissionDenied

from ..models import (
    AccountRole,
    Person,
    User,
)
from ..permissions import Perm, perms_of
from ._scope import require_admin, require_body_scope

_BODY_GRANTABLE_ROLES = {
    AccountRole.OFFICER, AccountRole.AUXILIARY, AccountRole.REVIEWER, AccountRole.HEAD,
    AccountRole.BODY_ADMIN,
}


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
    roles = sorted(set(roles))
    unknown = set(roles) - set(AccountRole.values)
    if unknown:
        raise InvalidInput(_("Unknown role."), code="role_unknown", detail=sorted(unknown))
    if not roles:
        raise InvalidInput(_("An account needs at least one role."), code="role_required")
    if (password is None) == (password_hash is None):
        raise InvalidInput(_("Give a password."), code="password_required")
    if actor is not None and Perm.ADMINISTER_SYSTEM not in perms_of(actor):
        if person is None:
            require_admin(actor)
        else:
            require_body_scope(actor, person.body)
        grantable = set(_BODY_GRANTABLE_ROLES)
        if person is not None and person.body.is_supervisory:
            grantable.add(AccountRole.SUPERVISOR)
        if set(roles) - grantable:
            raise PermissionDenied(
                _("You cannot grant these roles."), code="role_not_grantable",
                detail=sorted(set(roles) - grantable),
            )
    if person is None and roles != [AccountRole.SYSTEM_ADMIN]:
        raise InvalidInput(_("A staff account must be linked to a person."),
                           code="account_needs_person")
    if User.objects.filter(username=username).exists():
        raise InvalidInput(_("This username is taken."), code="username_taken")
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
    return user
