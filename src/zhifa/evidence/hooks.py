"""The evidence app's part in case guards (zhifa.cases.hooks)."""

from __future__ import annotations


def register_case_hooks() -> None:
    from . import tasks  # noqa: F401  (registers the background tasks)
