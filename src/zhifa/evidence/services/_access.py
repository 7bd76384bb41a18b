"""Who may do what with a case's evidence.

Seeing evidence follows seeing the case (``cases.selectors.visible_cases``: one's own body,
or the bodies a supervisor watches); adding or changing it follows handling the case
(``require_handling``). An archived case is read-only for everyone.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhifa.cases.models import Case, CaseStatus
from zhifa.cases.services._access import require_handling
from zhifa.core.errors import ApplicationError


def require_writable(case: Case) -> None:
    """Refuse changes to an archived case. The status is read again under the case row's lock
    (inside the caller's transaction), so a change that races with archiving either commits
    before the archive or sees it; ``case`` itself may be stale."""
    rows = Case.objects.filter(pk=case.pk)
    if transaction.get_connection().in_atomic_block:  # pages ask outside a transaction
        rows = rows.select_for_update()
    status, flags = rows.values_list("status", "flags").get()
    if status == CaseStatus.ARCHIVED or (flags or {}).get("archived"):
        raise ApplicationError(
            _("Case %(number)s has been archived: its file is read-only.")
            % {"number": case.number}, code="case_archived")


def require_evidence_change(actor: Any, case: Case) -> None:
    """Adding evidence, uploading files, editing records: the case's own body, handling
    permission, and a case that is not archived."""
    require_handling(actor, case.body)
    require_writable(case)
