"""Who may change documents and the document settings.

- A case's documents (draft, update, issue, void a draft): handling rights in the case's
  body (``cases.services._access.require_handling``) on a case that is not archived; the
  case row is locked for the transaction, so a document change and an archiving never
  overlap.
- Voiding an issued document: a head (负责人) of the case's body, or a system
  administrator. An issued document is an act of the agency; taking it back is the
  agency's decision, not the handling officer's.
- A body's templates, number patterns, serial books and profile: ``MANAGE_DOCUMENTS`` in
  that body (heads and body administrators); province and system templates:
  ``ADMINISTER_SYSTEM``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhifa.cases.models import Case
from zhifa.cases.services._access import require_handling, require_not_archived
from zhifa.core.errors import PermissionDenied
from zhifa.orgs.models import AccountRole, EnforcementBody
from zhifa.orgs.permissions import Perm, perms_of


def case_locked(case: Case) -> Case:
    """The case read again, its row locked when inside a transaction."""
    rows = Case.objects.select_related("body", "item", "region", "sector")
    if transaction.get_connection().in_atomic_block:
        rows = rows.select_for_update(of=("self",))
    return rows.get(pk=case.pk)


def require_document_change(actor: Any, case: Case) -> Case:
    """Handling rights in the case's body and a case that is not archived; the case as read
    under its lock."""
    require_handling(actor, case.body)
    locked = case_locked(case)
    require_not_archived(locked)
    return locked


def may_void_issued(actor: Any, body: EnforcementBody) -> bool:
    perms = perms_of(actor)
    if Perm.ADMINISTER_SYSTEM in perms:
        return True
    return (AccountRole.HEAD in (actor.roles or []) and Perm.HANDLE_CASES in perms
            and actor.person.body_id == body.pk)


def require_void_issued(actor: Any, body: EnforcementBody) -> None:
    if not may_void_issued(actor, body):
        raise PermissionDenied(
            _("Only a head of the enforcement body can void an issued document."),
            code="void_needs_head")


def may_manage(actor: Any, body: EnforcementBody | None) -> bool:
    """``MANAGE_DOCUMENTS`` in ``body``; ``body`` None: the province or system level."""
    perms = perms_of(actor)
    if Perm.ADMINISTER_SYSTEM in perms:
        return True
    return (body is not None and Perm.MANAGE_DOCUMENTS in perms
            and actor.person.body_id == body.pk)


def require_manage(actor: Any, body: EnforcementBody | None) -> None:
    if may_manage(actor, body):
        return
    if body is None:
        raise PermissionDenied(
            _("Only a system administrator can manage province and system templates."),
            code="missing_administer_system")
    if Perm.MANAGE_DOCUMENTS not in perms_of(actor):
        raise PermissionDenied(_("You do not have permission for this action."),
                               code="missing_manage_documents")
    raise PermissionDenied(_("You can only manage the documents of your own enforcement "
                             "body."), code="body_out_of_scope")
