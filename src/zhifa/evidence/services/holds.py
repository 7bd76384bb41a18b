"""Holds: while a case is disputed (reconsideration, litigation, a complaint, an audit) none
of its files can be disposed of, whatever their retention. An open or suspended case is held
implicitly: its files have not even started their retention period.

Placing and releasing a hold need the right to handle the case's body
(``cases.services._access.require_handling``), and both are allowed on an archived case:
disputes are often raised after the file was archived, and a hold changes no part of the
case file.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhifa.cases.models import Case, CaseStatus
from zhifa.cases.services._access import require_handling
from zhifa.core.errors import ApplicationError, InvalidInput
from zhifa.ledger.services import ledger_append

from ..events import HOLD_PLACED, HOLD_RELEASED
from ..models import HoldKind, LegalHold

OPEN_STATUSES = (CaseStatus.OPEN, CaseStatus.SUSPENDED)


def active_holds(case: Case) -> list[LegalHold]:
    return list(LegalHold.objects.filter(case=case, released_at__isnull=True).order_by("id"))


def hold_reasons(case: Case) -> list[str]:
    """Why the case's files cannot be disposed of now (empty: nothing holds them)."""
    reasons = []
    if case.status in OPEN_STATUSES:
        reasons.append(_("The case is still open."))
    reasons += [_("Hold: %(kind)s — %(reason)s") % {"kind": h.get_kind_display(),
                                                   "reason": h.reason}
                for h in active_holds(case)]
    return reasons


def _payload(hold: LegalHold, case: Case, reason: str) -> dict[str, Any]:
    return {"case": case.number, "hold": str(hold.public_id), "kind": hold.kind,
            "reason": reason}


@transaction.atomic
def hold_place(*, actor: Any, case: Case, kind: str, reason: str) -> LegalHold:
    require_handling(actor, case.body)
    if kind not in HoldKind.values:
        raise InvalidInput(_("Unknown kind of hold: %(kind)s.") % {"kind": kind},
                           code="invalid_hold_kind")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason for the hold."), code="hold_reason_required")
    hold = LegalHold.objects.create(case=case, kind=kind, reason=reason, placed_by=actor)
    ledger_append(actor=actor, event=HOLD_PLACED, stream=case.stream, body=case.body,
                  payload=_payload(hold, case, reason))
    return hold


@transaction.atomic
def hold_release(*, actor: Any, hold: LegalHold, reason: str) -> LegalHold:
    case = hold.case
    require_handling(actor, case.body)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason for releasing the hold."),
                           code="hold_reason_required")
    locked = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if locked.released_at is not None:
        raise ApplicationError(_("This hold has already been released."),
                               code="hold_released")
    locked.released_at, locked.released_by = timezone.now(), actor
    locked.release_reason = reason
    locked.save(update_fields=["released_at", "released_by", "release_reason", "updated_at"])
    ledger_append(actor=actor, event=HOLD_RELEASED, stream=case.stream, body=case.body,
                  payload=_payload(locked, case, reason))
    return locked
