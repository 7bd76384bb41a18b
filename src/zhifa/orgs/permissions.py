"""Permissions as an enum and the policy mapping account roles to them.

Views, API endpoints and services ask ``has_perm(user, Perm.X)``; the organisational scope
(which bodies a user sees) is applied separately by ``orgs.selectors``.
"""

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from zhifa.core.errors import PermissionDenied

from .models import AccountRole, BodyStatus, PersonStatus


class Perm(StrEnum):
    VIEW_REGISTRY = "view_registry"  # bodies, departments, people, certificates in scope
    VIEW_CATALOG = "view_catalog"  # items, provisions, benchmarks, review catalogues
    VIEW_FULL_ID_NUMBER = "view_full_id_number"
    MANAGE_PEOPLE = "manage_people"  # people, certificates, certificate status
    MANAGE_CATALOG = "manage_catalog"  # enforcement items, benchmarks, review catalogues
    SUPERVISE = "supervise"  # see every body under the supervisor's region
    VIEW_CASES = "view_cases"  # cases of the bodies in scope
    HANDLE_CASES = "handle_cases"  # open cases and act on them (deciding steps: not auxiliaries)
    # issue 4: recording devices, recorded-matters lists and retention classes of one's body
    MANAGE_RECORDING = "manage_recording"
    APPROVE_DISPOSAL = "approve_disposal"  # approve deleting expired evidence bytes
    # the body's document templates, number patterns, form serial books and document profile
    MANAGE_DOCUMENTS = "manage_documents"
    # issue 7: approve, withhold, withdraw and end publications; annual reports of one's body
    PUBLISH = "publish"
    ADMINISTER_SYSTEM = "administer_system"


_STAFF = {Perm.VIEW_REGISTRY, Perm.VIEW_CATALOG}

_CASEWORK = {Perm.VIEW_CASES, Perm.HANDLE_CASES}

POLICY: dict[str, set[Perm]] = {
    AccountRole.OFFICER: _STAFF | _CASEWORK,
    AccountRole.AUXILIARY: _STAFF | _CASEWORK,
    AccountRole.REVIEWER: _STAFF | _CASEWORK,
    AccountRole.HEAD: _STAFF | _CASEWORK | {Perm.MANAGE_RECORDING, Perm.APPROVE_DISPOSAL,
                                            Perm.MANAGE_DOCUMENTS, Perm.PUBLISH},
    AccountRole.BODY_ADMIN: _STAFF
    | {Perm.VIEW_FULL_ID_NUMBER, Perm.MANAGE_PEOPLE, Perm.MANAGE_CATALOG, Perm.MANAGE_RECORDING,
       Perm.MANAGE_DOCUMENTS},
    AccountRole.SUPERVISOR: _STAFF | {Perm.SUPERVISE, Perm.VIEW_CASES},
    AccountRole.PUBLICITY_CLERK: _STAFF | {Perm.VIEW_CASES, Perm.PUBLISH},
    AccountRole.SYSTEM_ADMIN: set(Perm),
}


def perms_of(user: Any) -> set[Perm]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    granted: set[Perm] = set()
    for role in user.roles or []:
        granted |= POLICY.get(role, set())
    if user.is_superuser:
        granted |= set(Perm)
    if Perm.ADMINISTER_SYSTEM in granted:
        return granted
    # A staff role grants nothing without a person in post at an active body.
    person = user.person if user.person_id else None
    if (
        person is None
        or person.status != PersonStatus.ACTIVE
        or person.body.status != BodyStatus.ACTIVE
    ):
        return set()
    return granted


def has_perm(user: Any, perm: Perm) -> bool:
    return perm in perms_of(user)


def require_perm(user: Any, perm: Perm) -> None:
    if not has_perm(user, perm):
        raise PermissionDenied(
            _("You do not have permission for this action."), code=f"missing_{perm.value}"
        )
