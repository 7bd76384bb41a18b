"""Background tasks: named functions run after the transaction that asked for them commits.

``ZHIFA_TASKS=inline`` (the embedded default) runs them in the same process right after the
commit; ``celery`` sends them to Celery workers (``zhifa.celery_app``). A task takes only
JSON-able keyword arguments and must be safe to run twice (it re-reads what it needs and
checks whether the work is already done).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)

TaskFn = Callable[..., Any]
_tasks: dict[str, TaskFn] = {}


def task(name: str) -> Callable[[TaskFn], TaskFn]:
    def register(fn: TaskFn) -> TaskFn:
        if name in _tasks and _tasks[name] is not fn:
            raise ValueError(f"task {name} registered twice")
        _tasks[name] = fn
        return fn
    return register


def registered() -> dict[str, TaskFn]:
    return dict(_tasks)


def run(name: str, **kwargs: Any) -> Any:
    """Run a task now, in this process (workers and commands call this)."""
    return _tasks[name](**kwargs)


def _dispatch(name: str, kwargs: dict[str, Any]) -> None:
    mode = getattr(settings, "ZHIFA_TASKS", "inline")
    if mode == "celery":
        from zhifa.celery_app import app

        app.send_task(name, kwargs=kwargs)
        return
    try:
        run(name, **kwargs)
    except Exception:  # an inline task never breaks the request that committed
        log.exception("background task %s failed", name)


def enqueue(name: str, **kwargs: Any) -> None:
    """Run ``name`` once the current transaction commits (at once outside a transaction)."""
    if name not in _tasks:
        raise KeyError(f"unknown task {name}")
    transaction.on_commit(lambda: _dispatch(name, kwargs))
