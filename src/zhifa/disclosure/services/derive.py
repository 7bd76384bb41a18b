"""Drafting a publication from an issued decision document (PIPELINE HELPER: implement)."""

from __future__ import annotations

from typing import Any


def publication_draft_for_document(*, document: Any) -> Any:
    return None
