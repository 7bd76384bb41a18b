"""The publication deadline alerts, run daily (Celery beat ``disclosure.alerts`` or cron
``zhifa disclosure alerts``): a draft due within 2 working days is recorded once
(``disclosure.due_soon``), a draft past its due date once (``disclosure.overdue``), both on
the case's ledger stream by the system, where the clerk's queue, the heads and the
supervisors see them. The same run expires the records whose period is over
(``lifecycle.publications_expire``) and, from 1 February, records the bodies still without
last year's annual report (``reports.reports_alert``): ``disclosure_alerts`` runs all three."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.db import transaction
from django.utils import timezone

from zhifa.ledger.services import ledger_append

from ..events import PUBLICATION_DUE_SOON, PUBLICATION_OVERDUE
from ..models import Publication, State
from .lifecycle import publications_expire
from .reports import reports_alert

SOON_WORKING_DAYS = 2


@dataclass(frozen=True)
class AlertSummary:
    due_soon: int
    overdue: int
    expired: int = 0
    reports_missing: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"due_soon": self.due_soon, "overdue": self.overdue, "expired": self.expired,
                "reports_missing": self.reports_missing}


def soon_limit(today: dt.date) -> dt.date:
    """The last due date that is "due soon" on ``today``: 2 working days ahead."""
    from zhifa.workdays.calendar import period_end

    return period_end(start=today, n=SOON_WORKING_DAYS, unit="working_day").due


def _due_soon_filter(today: dt.date) -> dict[str, object]:
    return {"state": State.DRAFT, "alerted_due_soon_on__isnull": True,
            "alerted_overdue_on__isnull": True, "due_on__gte": today,
            "due_on__lte": soon_limit(today)}


def _overdue_filter(today: dt.date) -> dict[str, object]:
    return {"state": State.DRAFT, "alerted_overdue_on__isnull": True, "due_on__lt": today}


@transaction.atomic
def _alert(pk: int, today: dt.date, overdue: bool) -> bool:
    filters = _overdue_filter(today) if overdue else _due_soon_filter(today)
    pub = (Publication.objects.select_for_update(of=("self",))
           .select_related("case", "case__body").filter(pk=pk, **filters).first())
    if pub is None:  # approved, withheld, cancelled or alerted meanwhile
        return False
    ledger_append(actor=None, event=PUBLICATION_OVERDUE if overdue else PUBLICATION_DUE_SOON,
                  stream=pub.case.stream, body=pub.case.body, payload={
                      "publication": str(pub.public_id),
                      "decision_number": pub.decision_number,
                      "category": str(pub.category), "due": pub.due_on.isoformat()})
    if overdue:
        pub.alerted_overdue_on = today
        pub.save(update_fields=["alerted_overdue_on", "updated_at"])
    else:
        pub.alerted_due_soon_on = today
        pub.save(update_fields=["alerted_due_soon_on", "updated_at"])
    return True


def publications_alert(*, today: dt.date | None = None) -> AlertSummary:
    """Record the drafts due soon and overdue (each once, each in its own transaction) and
    expire the records whose period is over. Safe to run any number of times; ``today``
    (default: today) cannot run ahead of the clock."""
    today = min(today or timezone.localdate(), timezone.localdate())
    soon = list(Publication.objects.filter(**_due_soon_filter(today))
                .order_by("due_on", "id").values_list("pk", flat=True))
    late = list(Publication.objects.filter(**_overdue_filter(today))
                .order_by("due_on", "id").values_list("pk", flat=True))
    due_soon = sum(1 for pk in soon if _alert(pk, today, overdue=False))
    overdue = sum(1 for pk in late if _alert(pk, today, overdue=True))
    return AlertSummary(due_soon=due_soon, overdue=overdue,
                        expired=publications_expire(today=today))


def disclosure_alerts(*, today: dt.date | None = None) -> AlertSummary:
    """The daily run (command ``zhifa disclosure alerts``, task ``disclosure.alerts``): the
    publication alerts and expiry (``publications_alert``) and the missing annual reports
    (``reports_alert``). ``today`` (default: today) cannot run ahead of the clock."""
    summary = publications_alert(today=today)
    return replace(summary, reports_missing=reports_alert(today=today))
