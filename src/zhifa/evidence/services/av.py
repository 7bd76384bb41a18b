"""Audio/video records: created with the file, analysed in the background (probe.py)."""

from __future__ import annotations

from typing import Any

from zhifa.core import tasks

from ..models import AvRecord, EvidenceFile


def av_record_init(*, actor: Any, file: EvidenceFile, metadata: dict[str, Any]) -> AvRecord:
    """The record of a new audio/video file, from what the uploader said (device, officer,
    start and end, coordinates: see ``tus.METADATA_KEYS``); the analysis runs after commit."""
    record = AvRecord.objects.create(file=file)
    tasks.enqueue("evidence.probe", file_id=file.pk)
    return record
