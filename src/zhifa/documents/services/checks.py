"""Checks before issue: statutory elements, the three reasons, the decision hook (stub until
the services helper fills it)."""

from __future__ import annotations

from typing import Any


def decision_document_hook(ctx: Any) -> list[Any]:
    return []
