"""Who may act on a case: checked by every case service before anything is read for change."""

from typing import Any

from django.utils.translation import gettext as _

from zhifa.core.errors import ApplicationError, PermissionDenied
from zhifa.orgs.models import EnforcementBody
from zhifa.orgs.permissions import Perm, perms_of

from ..models import CaseStatus


def may_handle(actor: Any, body: EnforcementBody) -> bool:
    """The yes/no form of ``require_handling``, for pages and API answers."""
    perms = perms_of(actor)
    if Perm.ADMINISTER_SYSTEM in perms:
        return True
    return Perm.HANDLE_CASES in perms and actor.person.body_id == body.pk


def require_handling(actor: Any, body: EnforcementBody) -> None:
    """Casework happens in the actor's own body; system administrators may act anywhere
    (data repair), supervisors only watch."""
    perms = perms_of(actor)
    if Perm.ADMINISTER_SYSTEM in perms:
        return
    if Perm.HANDLE_CASES not in perms:
        raise PermissionDenied(_("You do not have permission for this action."),
                               code="missing_handle_cases")
    if actor.person.body_id != body.pk:
        raise PermissionDenied(_("You can only act on the cases of your own enforcement body."),
                               code="case_out_of_scope")


def require_not_archived(case: Any) -> None:
    """An archived case's file is closed for good (the archive package holds it as it was):
    no step, approval or change of officers any more. ``case`` as read under its lock."""
    if case.status == CaseStatus.ARCHIVED:
        raise ApplicationError(
            _("Case %(number)s has been archived: its file is read-only.")
            % {"number": case.number}, code="case_archived")
