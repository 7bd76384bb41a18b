"""Audio/video records: created with the file from what the uploader said, analysed in the
background (``probe.py``), corrected by the case's officers.

Upload metadata (``Upload-Metadata`` of tus, see H1's ``tus.py``): ``device`` (a device's
public id, or its serial number within the case's body), ``officer`` (a person's public id,
of the case's body), ``started_at`` / ``ended_at`` (ISO 8601; without an offset the time is
Beijing time, Asia/Shanghai), ``latitude`` / ``longitude``. ``parse_av_metadata`` reads them;
the tus server calls it when an upload is created, so a bad value is refused before any
byte is sent. ``av_record_init`` (the file is already complete then) refuses nothing: a
value it cannot use is left out and kept in ``record.probe["metadata_problems"]``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from zhifa.cases.models import Case
from zhifa.core import tasks
from zhifa.core.errors import ApplicationError, InvalidInput
from zhifa.ledger.services import ledger_append
from zhifa.orgs.models import Person

from ..events import AV_RECORD_SAVED
from ..models import AvRecord, EvidenceFile, FileState, RecordingDevice
from ._access import require_evidence_change
from .items import coordinates

BEIJING = ZoneInfo("Asia/Shanghai")

# Upload-Metadata keys read here; the others (filename, item, kind …) are the tus server's.
METADATA_KEYS = ("device", "officer", "started_at", "ended_at", "latitude", "longitude")


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()


# --- Parsing -------------------------------------------------------------------------------
def parse_datetime_local(value: Any) -> dt.datetime:
    """An ISO 8601 date and time; naive means Beijing time. Raises ``ValueError``."""
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        text = str(value).strip()
        if len(text) <= 10:  # a date alone says nothing about when the recording ran
            raise ValueError(text)
        parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=BEIJING)
    return parsed


def _device(case: Case, value: str) -> RecordingDevice | None:
    devices = RecordingDevice.objects.filter(body_id=case.body_id)
    try:
        found = devices.filter(public_id=uuid.UUID(value)).first()
    except ValueError:
        found = None
    return found or devices.filter(serial=value).first()


def _person(case: Case, value: str) -> Person | None:
    try:
        return Person.objects.filter(body_id=case.body_id, public_id=uuid.UUID(value)).first()
    except ValueError:
        return None


def parse_av_metadata(case: Case, metadata: dict[str, Any]
                      ) -> tuple[dict[str, Any], dict[str, str]]:
    """The AV fields of upload ``metadata`` as values for an ``AvRecord`` (only those given
    and valid: ``device``, ``officer``, ``started_at``, ``ended_at``, ``latitude``,
    ``longitude``) and a message per key that could not be used (``latitude`` stands for
    both coordinates). Empty strings count as not given."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}

    def given(key: str) -> str:
        raw = metadata.get(key)
        return "" if raw is None else str(raw).strip()

    if device := given("device"):
        found_device = _device(case, device)
        if found_device is None:
            errors["device"] = _("No recording device “%(value)s” is registered in this "
                                 "enforcement body.") % {"value": device[:64]}
        else:
            values["device"] = found_device
    if officer := given("officer"):
        found_person = _person(case, officer)
        if found_person is None:
            errors["officer"] = _("The recording officer is not a member of this "
                                  "enforcement body.")
        else:
            values["officer"] = found_person
    for key in ("started_at", "ended_at"):
        if text := given(key):
            try:
                values[key] = parse_datetime_local(text)
            except ValueError:
                errors[key] = _("“%(value)s” is not a date and time (ISO 8601, e.g. "
                                "2026-09-01T09:30:00+08:00).") % {"value": text[:40]}
    start, end = values.get("started_at"), values.get("ended_at")
    if start is not None and end is not None and end < start:
        del values["ended_at"]
        errors["ended_at"] = _("The recording cannot end before it starts.")
    if given("latitude") or given("longitude"):
        try:
            lat, lon = coordinates(given("latitude"), given("longitude"))
        except ApplicationError as exc:
            errors["latitude"] = exc.message
        else:
            values["latitude"], values["longitude"] = lat, lon
    return values, errors


# --- Ledger payload -----------------------------------------------------------------------
def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(BEIJING).isoformat() if value is not None else None


def record_payload(record: AvRecord, *, via: str, changed: list[str]) -> dict[str, Any]:
    f = record.file
    return {
        "case": f.case.number, "file": str(f.public_id), "filename": f.filename,
        "device": record.device.serial if record.device else None,
        "device_id": str(record.device.public_id) if record.device else None,
        "officer": record.officer.name if record.officer else None,
        "officer_id": str(record.officer.public_id) if record.officer else None,
        "started_at": _iso(record.started_at), "ended_at": _iso(record.ended_at),
        "coordinates": ([str(record.latitude), str(record.longitude)]
                        if record.latitude is not None else None),
        "interruption_note": record.interruption_note, "via": via, "changed": changed,
    }


def _fill_end(record: AvRecord) -> None:
    """A recording whose end was not given ends when its media ends."""
    if record.ended_at is None and record.started_at is not None and record.duration_ms:
        record.ended_at = record.started_at + dt.timedelta(milliseconds=record.duration_ms)


# --- Services ------------------------------------------------------------------------------
def av_record_init(*, actor: Any, file: EvidenceFile, metadata: dict[str, Any]) -> AvRecord:
    """The record of a new audio/video file (inside ``evidence_file_create``'s transaction),
    from what the uploader said; the analysis runs after commit."""
    values, errors = parse_av_metadata(file.case, metadata)
    record = AvRecord.objects.create(
        file=file, probe={"metadata_problems": errors} if errors else {}, **values)
    if values:
        case = file.case
        ledger_append(actor=actor, event=AV_RECORD_SAVED, stream=case.stream, body=case.body,
                      payload=record_payload(record, via="upload", changed=sorted(values)))
    tasks.enqueue("evidence.probe", file_id=file.pk)
    return record


@transaction.atomic
def av_record_save(
    *, actor: Any, record: AvRecord,
    device: RecordingDevice | _Unset | None = UNSET,
    officer: Person | _Unset | None = UNSET,
    started_at: dt.datetime | _Unset | None = UNSET,
    ended_at: dt.datetime | _Unset | None = UNSET,
    latitude: Any = UNSET, longitude: Any = UNSET,
    interruption_note: str | _Unset = UNSET,
) -> AvRecord:
    """Correct or complete the recording details. Arguments left out stay as they are;
    ``None`` clears. Without an end, a recording of known duration ends when its media ends.
    An unchanged save records nothing."""
    f = EvidenceFile.objects.select_related("case", "case__body").get(pk=record.file_id)
    case = f.case
    require_evidence_change(actor, case)
    record = AvRecord.objects.select_for_update().get(pk=record.pk)
    if f.state == FileState.DISPOSED:
        raise ApplicationError(_("The bytes of this file have been disposed of; its record "
                                 "can no longer change."), code="file_disposed")
    if isinstance(device, RecordingDevice) and device.body_id != case.body_id:
        raise InvalidInput(_("That recording device belongs to another enforcement body."),
                           code="device_out_of_body")
    if isinstance(officer, Person) and officer.body_id != case.body_id:
        raise InvalidInput(_("%(name)s is not a member of this case's enforcement body.")
                           % {"name": officer.name}, code="officer_out_of_body")
    new: dict[str, Any] = {}
    if not isinstance(device, _Unset):
        new["device"] = device
    if not isinstance(officer, _Unset):
        new["officer"] = officer
    for name, value in (("started_at", started_at), ("ended_at", ended_at)):
        if not isinstance(value, _Unset):
            new[name] = parse_datetime_local(value) if value is not None else None
    if not (isinstance(latitude, _Unset) and isinstance(longitude, _Unset)):
        lat = record.latitude if isinstance(latitude, _Unset) else latitude
        lon = record.longitude if isinstance(longitude, _Unset) else longitude
        new["latitude"], new["longitude"] = coordinates(lat, lon)
    if not isinstance(interruption_note, _Unset):
        new["interruption_note"] = (interruption_note or "").strip()
    start = new.get("started_at", record.started_at)
    end = new.get("ended_at", record.ended_at)
    if start is not None and end is not None and end < start:
        raise InvalidInput(_("The recording cannot end before it starts."),
                           code="av_interval_reversed")
    before = {name: getattr(record, name) for name in (*new, "ended_at")}
    for name, value in new.items():
        setattr(record, name, value)
    _fill_end(record)
    changed = sorted(name for name, old in before.items()
                     if _differs(old, getattr(record, name)))
    if not changed:
        return record
    record.save(update_fields=[*changed, "updated_at"])
    record.file = f
    ledger_append(actor=actor, event=AV_RECORD_SAVED, stream=case.stream, body=case.body,
                  payload=record_payload(record, via="edit", changed=changed))
    return record


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        return (None if old is None else Decimal(old)) != (None if new is None else Decimal(new))
    return bool(old != new)
