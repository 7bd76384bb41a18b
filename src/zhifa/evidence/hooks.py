"""The evidence app's part in case guards (zhifa.cases.hooks)."""

from __future__ import annotations

from typing import Any


def register_case_hooks() -> None:
    from zhifa.cases import hooks

    from . import tasks  # noqa: F401  (registers the background tasks)
    from .coverage import av_recorded

    # the recordings of the case must cover the on-site time of a step recorded in full
    hooks.register("av_recorded", av_recorded)
    # closing, reopening or archiving a case decides until when its files are kept
    hooks.on_status_changed("evidence.retention", _recompute_retention)


def _recompute_retention(case: Any, actor: Any, old_status: str) -> None:
    from .retention import retention_recompute

    retention_recompute(case, actor=actor if getattr(actor, "pk", None) else None)
