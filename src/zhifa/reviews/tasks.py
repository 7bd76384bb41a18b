"""Background tasks of legal review (see ``zhifa.core.tasks``): ``reviews.alerts``, the daily
overdue alert (Celery beat; ``zhifa reviews alerts`` runs the same from cron)."""

from __future__ import annotations

import datetime as dt

from zhifa.core.tasks import task

from .services.alerts import reviews_mark_overdue


@task("reviews.alerts")
def alerts_task(*, today: str | None = None) -> int:
    """Record the legal reviews that became overdue (``reviews_mark_overdue``)."""
    return reviews_mark_overdue(today=dt.date.fromisoformat(today) if today else None)
