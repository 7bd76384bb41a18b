"""Who may act on a publication: ``Perm.PUBLISH`` in the publication's own body (a system
administrator: any). A publication of another body is not found (404), not forbidden."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from zhifa.core.errors import NotFound, PermissionDenied
from zhifa.orgs.permissions import Perm, perms_of


def may_publish(actor: Any, body_id: int) -> bool:
    perms = perms_of(actor)
    if Perm.ADMINISTER_SYSTEM in perms:
        return True
    return Perm.PUBLISH in perms and actor.person.body_id == body_id


def require_publisher(actor: Any, body_id: int) -> None:
    perms = perms_of(actor)
    if Perm.ADMINISTER_SYSTEM in perms:
        return
    if Perm.PUBLISH not in perms:
        raise PermissionDenied(_("You do not have permission for this action."),
                               code="missing_publish")
    if actor.person.body_id != body_id:
        raise NotFound(_("There is no such publication."), code="publication_not_found")


def require_sysadmin(actor: Any) -> None:
    if Perm.ADMINISTER_SYSTEM not in perms_of(actor):
        raise PermissionDenied(_("Only a system administrator may change the publicity "
                                 "rules."), code="missing_administer_system")
