"""Retention: which class a file falls in and until when its bytes are kept."""

from __future__ import annotations

from .models import EvidenceFile


def assign_default_retention(f: EvidenceFile) -> None:
    """Set ``retention_class`` / ``retain_until`` / ``permanent`` of a new file (not saved
    here: the caller saves). Until the case is closed nothing can expire."""
    if f.item.adopted:
        f.permanent = True
