"""Background tasks of publicity (see ``zhifa.core.tasks``): ``disclosure.alerts``, the daily
deadline alerts, expiry sweep and missing annual reports (Celery beat; ``zhifa disclosure
alerts`` runs the same from cron)."""

from __future__ import annotations

import datetime as dt

from zhifa.core.tasks import task

from .services.alerts import disclosure_alerts


@task("disclosure.alerts")
def alerts_task(*, today: str | None = None) -> dict[str, int]:
    """Record the publications due soon and overdue, expire the ended periods and record the
    bodies without last year's annual report (``disclosure_alerts``)."""
    return disclosure_alerts(today=dt.date.fromisoformat(today) if today else None).as_dict()
