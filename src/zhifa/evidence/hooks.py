"""The evidence app's part in case guards (zhifa.cases.hooks)."""

from __future__ import annotations


def register_case_hooks() -> None:
    from zhifa.cases import hooks

    from . import tasks  # noqa: F401  (registers the background tasks)
    from .coverage import av_recorded

    # the recordings of the case must cover the on-site time of a step recorded in full
    hooks.register("av_recorded", av_recorded)
