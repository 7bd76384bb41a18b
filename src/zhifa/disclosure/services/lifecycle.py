"""Withdrawal, early ending, expiry (PIPELINE HELPER: implement)."""

from __future__ import annotations

from typing import Any


def publication_on_document_voided(*, document: Any) -> Any:
    return None
