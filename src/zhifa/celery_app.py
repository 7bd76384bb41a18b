"""The Celery application, used when ``ZHIFA_TASKS=celery`` (the embedded default runs tasks
in-process after commit; see ``zhifa.core.tasks``).

Every task registered with ``zhifa.core.tasks.task`` becomes a Celery task of the same name
that calls ``tasks.run(name, **kwargs)``: the task functions stay plain, idempotent Python
taking ids, and the same code runs inline, from a command or on a worker. The periodic sweeps
are scheduled for ``celery beat``; each also exists as a ``zhifa`` command for cron.

    ZHIFA_TASKS=celery ZHIFA_CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \\
        celery -A zhifa.celery_app worker --beat
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")

import django
from django.apps import apps

if not apps.ready:  # a worker process: set Django up (which registers the tasks)
    django.setup()

from django.conf import settings

from zhifa.core import tasks

# name -> when; the tasks are registered by their owners (evidence.scrub, evidence.tus,
# documents.services.service, reviews.tasks, disclosure.tasks)
BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "evidence.scrub": {"task": "evidence.scrub", "schedule": crontab(hour=2, minute=30)},
    "evidence.expire_uploads": {"task": "evidence.expire_uploads",
                                "schedule": crontab(minute=15)},
    # services by announcement deemed done today (CPL art. 95): just after midnight
    "documents.serve_due": {"task": "documents.serve_due",
                            "schedule": crontab(hour=0, minute=20)},
    "reviews.alerts": {"task": "reviews.alerts", "schedule": crontab(hour=0, minute=40)},
    # publications due soon and overdue; publicity periods over (offline from today)
    "disclosure.alerts": {"task": "disclosure.alerts", "schedule": crontab(hour=0, minute=50)},
}

app = Celery("zhifa")
app.conf.update(
    broker_url=getattr(settings, "ZHIFA_CELERY_BROKER_URL", "") or None,
    task_serializer="json", accept_content=["json"], result_serializer="json",
    task_ignore_result=True, timezone=settings.TIME_ZONE, enable_utc=True,
    # a task is acknowledged after it ran: one lost with its worker runs again (idempotent)
    task_acks_late=True, worker_prefetch_multiplier=1,
    beat_schedule=BEAT_SCHEDULE,
)


def _forwarder(name: str) -> Any:
    def run(**kwargs: Any) -> Any:
        return tasks.run(name, **kwargs)

    run.__name__ = run.__qualname__ = name.replace(".", "_")
    run.__doc__ = tasks.registered()[name].__doc__
    return run


def register_all() -> list[str]:
    """Make a Celery task of every registered zhifa task not yet known to the app."""
    added = []
    for name in sorted(tasks.registered()):
        if name not in app.tasks:
            app.task(name=name, bind=False)(_forwarder(name))
            added.append(name)
    return added


register_all()
