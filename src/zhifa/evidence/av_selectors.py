"""Reads for the audio/video part: recording devices in the user's scope, and a file's own
custody record (the ledger entries of its case that name it)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from zhifa.core.errors import NotFound
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import EntryView, stream_entries
from zhifa.orgs.selectors import visible_bodies

from .events import FILE_DISPOSED
from .models import AvRecord, DeviceStatus, EvidenceFile, RecordingDevice
from .probe import duration_label

# a recorded interval that differs from the media's length by more than this is flagged
INTERVAL_SLACK = dt.timedelta(seconds=2)


def visible_devices(user: Any) -> QuerySet[RecordingDevice]:
    """The devices of every body the user sees (supervisors: the bodies they watch)."""
    return (RecordingDevice.objects.filter(body__in=visible_bodies(user))
            .select_related("body", "holder"))


def device_get_for_user(*, user: Any, public_id: Any) -> RecordingDevice:
    try:
        pid = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound(_("Recording device not found."), code="device_not_found") from None
    device = visible_devices(user).filter(public_id=pid).first()
    if device is None:
        raise NotFound(_("Recording device not found."), code="device_not_found")
    return device


def names_file(payload: dict[str, Any], public_id: str) -> bool:
    """Whether a ledger payload concerns the file: its ``file``, or one of its ``files``
    (shares and disposals name several)."""
    if payload.get("file") == public_id:
        return True
    files = payload.get("files")
    if isinstance(files, list):
        return any(f == public_id or (isinstance(f, dict) and f.get("file") == public_id)
                   for f in files)
    return False


def file_tombstone(f: EvidenceFile) -> dict[str, Any] | None:
    """The payload of the file's ``FILE_DISPOSED`` entry (hashes, reason, who requested and
    who approved), or None."""
    pid = str(f.public_id)
    entries = (LedgerEntry.objects.filter(stream=f.case.stream, event_code=FILE_DISPOSED.code,
                                          payload__contains=f'"file":"{pid}"')
               .order_by("-seq"))
    for entry in entries:
        try:
            payload = json.loads(entry.payload)
        except ValueError:
            continue
        if payload.get("file") == pid:
            return {**payload, "seq": entry.seq, "recorded_at": entry.recorded_at}
    return None


def file_custody_entries(f: EvidenceFile) -> list[EntryView]:
    """The entries of the file's case stream that concern the file, oldest first: upload,
    analysis, views, downloads, shares, retention, disposal."""
    pid = str(f.public_id)
    return [e for e in stream_entries(stream=f.case.stream) if names_file(e.payload, pid)]


def record_warnings(record: AvRecord | None) -> list[str]:
    """What the viewer (and anyone judging the recording) should know about the record."""
    if record is None:
        return []
    out: list[str] = []
    device = record.device
    if device is None:
        out.append(_("No recording device is named for this recording."))
    else:
        if device.reviewed_on is None:
            out.append(_("Device %(serial)s has no legal and technical review on record "
                         "(APL art. 41).") % {"serial": device.serial})
        if device.status == DeviceStatus.RETIRED:
            out.append(_("Device %(serial)s is registered as retired.")
                       % {"serial": device.serial})
    if record.probe.get("times_from") == "container":
        out.append(_("The start time was taken from the file's own metadata (the device's "
                     "clock); confirm or correct it."))
    if record.started_at is None:
        out.append(_("The recording's start time is unknown: it cannot show that a step was "
                     "recorded."))
    if record.started_at and record.ended_at and record.duration_ms:
        given = record.ended_at - record.started_at
        if abs(given - dt.timedelta(milliseconds=record.duration_ms)) > INTERVAL_SLACK:
            out.append(_("The recorded interval (%(given)s) differs from the length of the "
                         "media (%(media)s).") % {
                "given": duration_label(int(given.total_seconds() * 1000)),
                "media": duration_label(record.duration_ms)})
    return out
