"""Who may change what in the registry: shared checks of the registry services."""

from typing import Any

from django.utils.translation import gettext as _

from zhifa.core.errors import PermissionDenied

from ..models import EnforcementBody
from ..permissions import Perm, perms_of


def require_body_scope(actor: Any, body: EnforcementBody) -> None:
    """Managers act on their own body only; system administrators on any body."""
    perms = perms_of(actor)
    if Perm.ADMINISTER_SYSTEM in perms:
        return
    if Perm.MANAGE_PEOPLE not in perms or actor.person.body_id != body.pk:
        raise PermissionDenied(
            _("You can only manage the people of your own enforcement body."),
            code="body_out_of_scope",
        )


def require_admin(actor: Any) -> None:
    if actor is not None and Perm.ADMINISTER_SYSTEM not in perms_of(actor):
        raise PermissionDenied(_("Only system administrators can do this."),
                               code="missing_administer_system")
