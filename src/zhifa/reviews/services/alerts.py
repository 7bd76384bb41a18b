"""The overdue alert of legal reviews: a review still open at the office after its round's due
date is recorded once on the case's ledger stream (``review.overdue``, by the system), where
the case page, the heads' workbench and the supervisors see it. Run daily by the Celery beat
task ``reviews.alerts`` or by cron with ``zhifa reviews alerts``."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from zhifa.ledger.services import ledger_append

from ..events import REVIEW_OVERDUE
from ..models import OPEN_STATES, ReviewRound, RoundState


def _overdue(today: dt.date) -> dict[str, object]:
    return {"state": RoundState.SUBMITTED, "request__state__in": OPEN_STATES,
            "due__lt": today, "overdue_alerted": False}


@transaction.atomic
def _alert(pk: int, today: dt.date) -> bool:
    row = (ReviewRound.objects.select_for_update(of=("self",))
           .select_related("request__case__body", "reviewer")
           .filter(pk=pk, **_overdue(today)).first())
    if row is None:  # decided, withdrawn or alerted meanwhile
        return False
    case = row.request.case
    ledger_append(actor=None, event=REVIEW_OVERDUE, stream=case.stream, body=case.body,
                  payload={"case": case.number, "round": row.number,
                           "due": row.due.isoformat() if row.due else None,
                           "reviewer": row.reviewer.name if row.reviewer else None,
                           "state": row.request.state})
    row.overdue_alerted = True
    row.save(update_fields=["overdue_alerted", "updated_at"])
    return True


def reviews_mark_overdue(*, today: dt.date | None = None) -> int:
    """Record every submitted round of an open review whose due date has passed and that was
    not recorded yet: one ``review.overdue`` entry on the case's stream (actor: the system)
    and ``overdue_alerted`` set, each round in its own transaction. Safe to run any number of
    times; returns how many were recorded. ``today`` (default: today) cannot run ahead of the
    clock."""
    today = min(today or timezone.localdate(), timezone.localdate())
    pks = list(ReviewRound.objects.filter(**_overdue(today))
               .order_by("due", "id").values_list("pk", flat=True))
    return sum(1 for pk in pks if _alert(pk, today))
