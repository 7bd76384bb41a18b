"""Audio/video (音像记录): the register of recording devices and the recording details of
audio/video files.

Devices are read by everyone who sees the registry of their body (supervisors: the bodies
they watch; others are 404 ``device_not_found``); heads and body administrators register and
change their own body's devices (403 ``missing_manage_recording``, ``body_out_of_scope``),
through ``zhifa.evidence.services.devices.device_save`` (ledger ``evidence.device_saved``).
A device without a legal and technical review date (APL art. 41) is accepted and flagged
(``review_missing``).

A file's audio/video record is read by whoever sees its case (404 ``file_not_found``) and
corrected by the case's officers through ``av_record_save`` (ledger
``evidence.av_record_saved``; 403 ``missing_handle_cases``, ``case_out_of_scope``; 409
``case_archived``, ``file_disposed``).
"""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from zhifa.core.errors import InvalidInput, NotFound
from zhifa.core.filters import filter_given
from zhifa.evidence.av_selectors import device_get_for_user, record_warnings, visible_devices
from zhifa.evidence.models import AvRecord, DeviceKind, DeviceStatus, EvidenceFile
from zhifa.evidence.probe import PROBE_ERRORS
from zhifa.evidence.selectors import file_get_for_user
from zhifa.evidence.services.av import av_record_save
from zhifa.evidence.services.devices import device_save
from zhifa.orgs.models import EnforcementBody, Person
from zhifa.orgs.permissions import Perm, require_perm
from zhifa.orgs.selectors import body_get_for_user, visible_people

from .common import DENIED, DENIED_OR_MISSING, REJECTED, BodyRefOut, paginated

router = Router(tags=["audio/video"])

NAIVE_DOC = "ISO 8601; without an offset it is Beijing time (Asia/Shanghai)"
COORDINATES_DOC = "Decimal degrees (WGS 84): both latitude and longitude, or neither"


# -- schemas --------------------------------------------------------------------------------

class PersonRefOut(Schema):
    public_id: uuid.UUID
    name: str


class DeviceOut(Schema):
    public_id: uuid.UUID
    body: BodyRefOut
    kind: DeviceKind
    serial: str
    model_name: str
    holder: PersonRefOut | None
    location: str
    reviewed_on: dt.date | None = Field(description="Legal and technical review (APL art. 41)")
    review_note: str
    clock_checked_on: dt.date | None
    status: DeviceStatus
    review_missing: bool = Field(description="No review date on record: recordings made with "
                                 "the device are flagged")

    @staticmethod
    def resolve_review_missing(obj: Any) -> bool:
        return obj.reviewed_on is None


class DeviceListIn(Schema):
    q: str | None = Field(None, max_length=100, description="Part of the serial or model")
    body: uuid.UUID | None = None
    kind: DeviceKind | None = None
    status: DeviceStatus | None = None
    review_missing: bool | None = None


class DeviceCreateIn(Schema):
    body: uuid.UUID | None = Field(None, description="Default: the user's own body")
    kind: DeviceKind
    serial: str = Field(max_length=64)
    model_name: str = Field("", max_length=128)
    holder: uuid.UUID | None = Field(None, description="A person of the device's body")
    location: str = Field("", max_length=200)
    reviewed_on: dt.date | None = Field(None, description="Not in the future")
    review_note: str = Field("", max_length=200)
    clock_checked_on: dt.date | None = None
    status: DeviceStatus = DeviceStatus.ACTIVE


class DeviceUpdateIn(Schema):
    """Only the fields sent change; null clears an optional one."""

    kind: DeviceKind | None = None
    serial: str | None = Field(None, max_length=64)
    model_name: str | None = Field(None, max_length=128)
    holder: uuid.UUID | None = None
    location: str | None = Field(None, max_length=200)
    reviewed_on: dt.date | None = None
    review_note: str | None = Field(None, max_length=200)
    clock_checked_on: dt.date | None = None
    status: DeviceStatus | None = None


class DeviceRefOut(Schema):
    public_id: uuid.UUID
    serial: str
    kind: DeviceKind
    reviewed_on: dt.date | None
    status: DeviceStatus


class StreamOut(Schema):
    type: str
    codec: str
    duration_ms: int | None = None
    width: int | None = None
    height: int | None = None
    frame_rate: float | None = None
    sample_rate: int | None = None
    channels: int | None = None


class AvRecordOut(Schema):
    file: uuid.UUID
    filename: str
    device: DeviceRefOut | None
    officer: PersonRefOut | None
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    times_from_container: bool = Field(description="The start was read from the file's own "
                                       "metadata (the device's clock), not given by a person")
    duration_ms: int | None
    latitude: str | None
    longitude: str | None
    interruption_note: str
    probe_state: str = Field(description="pending, done or failed")
    probe_error: str | None = Field(description="Why the analysis failed (a stable code)")
    probe_error_message: str | None
    streams: list[StreamOut]
    poster: str | None = Field(description="URL of the poster frame (JPEG)")
    poster_sha256: str | None
    metadata_problems: dict[str, str] = Field(description="Upload metadata that could not be "
                                              "used, by key")
    warnings: list[str]


class AvRecordUpdateIn(Schema):
    """Only the fields sent change; null clears one. Without an end, a recording of known
    length ends when its media ends."""

    device: uuid.UUID | None = Field(None, description="A device of the case's body")
    officer: uuid.UUID | None = Field(None, description="A person of the case's body")
    started_at: dt.datetime | None = Field(None, description=NAIVE_DOC)
    ended_at: dt.datetime | None = Field(None, description=NAIVE_DOC)
    latitude: Decimal | None = Field(None, description=COORDINATES_DOC)
    longitude: Decimal | None = Field(None, description=COORDINATES_DOC)
    interruption_note: str | None = Field(None, max_length=5000)


# -- shaping --------------------------------------------------------------------------------

def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def record_out(f: EvidenceFile, record: AvRecord) -> dict[str, Any]:
    probe = record.probe or {}
    error = probe.get("error") if record.probe_state == "failed" else None
    poster = record.poster
    return {
        "file": f.public_id, "filename": f.filename, "device": record.device,
        "officer": record.officer, "started_at": record.started_at,
        "ended_at": record.ended_at,
        "times_from_container": probe.get("times_from") == "container",
        "duration_ms": record.duration_ms, "latitude": _decimal(record.latitude),
        "longitude": _decimal(record.longitude), "interruption_note": record.interruption_note,
        "probe_state": record.probe_state, "probe_error": error,
        "probe_error_message": str(PROBE_ERRORS.get(error, error)) if error else None,
        "streams": probe.get("streams") or [],
        "poster": f"/evidence/files/{f.public_id}/poster" if poster is not None else None,
        "poster_sha256": poster.sha256 if poster is not None else None,
        "metadata_problems": probe.get("metadata_problems") or {},
        "warnings": record_warnings(record),
    }


def _record_of(f: EvidenceFile) -> AvRecord:
    record: AvRecord | None = getattr(f, "av", None)
    if record is None:
        raise NotFound(_("This file has no audio/video record."), code="av_record_not_found")
    return record


def _field_errors(errors: dict[str, str]) -> None:
    if errors:
        raise InvalidInput(_("Please correct the highlighted fields."), code="invalid_fields",
                           detail=errors)


def _person(user: Any, public_id: uuid.UUID | None, errors: dict[str, str],
            field: str) -> Person | None:
    if public_id is None:
        return None
    person = visible_people(user).filter(public_id=public_id).first()
    if person is None:
        errors[field] = _("Unknown person.")
    return person


# -- devices --------------------------------------------------------------------------------

@router.get("/evidence/devices", response={200: list[DeviceOut], **DENIED},
            operation_id="visible_devices", summary="Recording devices in scope")
@paginated
def devices_list(request: HttpRequest, filters: Query[DeviceListIn]) -> QuerySet[Any]:
    require_perm(request.user, Perm.VIEW_REGISTRY)
    qs = visible_devices(request.user)
    if filters.q:
        qs = qs.filter(Q(serial__icontains=filters.q) | Q(model_name__icontains=filters.q))
    qs = filter_given(qs, body__public_id=filters.body, kind=filters.kind,
                      status=filters.status)
    if filters.review_missing is not None:
        qs = qs.filter(reviewed_on__isnull=filters.review_missing)
    return qs.order_by("body__name", "serial", "id")


@router.get("/evidence/devices/{public_id}", response={200: DeviceOut, **DENIED_OR_MISSING},
            operation_id="device_get_for_user", summary="One recording device")
def device_get(request: HttpRequest, public_id: str) -> Any:
    require_perm(request.user, Perm.VIEW_REGISTRY)
    return device_get_for_user(user=request.user, public_id=public_id)


@router.post("/evidence/devices", response={201: DeviceOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="device_save", summary="Register a recording device",
             description="400 invalid_fields (unknown body or holder), serial_required, "
                         "holder_out_of_body, review_date_future, clock_check_future, "
                         "serial_taken (the serial is unique within a body).")
def device_create(request: HttpRequest, payload: DeviceCreateIn) -> Any:
    user = request.user
    errors: dict[str, str] = {}
    body: EnforcementBody | None
    if payload.body is not None:
        body = body_get_for_user(user=user, public_id=payload.body)
    else:
        body = user.person.body if getattr(user, "person_id", None) else None  # type: ignore[union-attr]
        if body is None:
            errors["body"] = _("Name the enforcement body.")
    holder = _person(user, payload.holder, errors, "holder")
    _field_errors(errors)
    assert body is not None
    device = device_save(
        actor=user, body=body, serial=payload.serial, kind=payload.kind,
        model_name=payload.model_name, holder=holder, location=payload.location,
        reviewed_on=payload.reviewed_on, review_note=payload.review_note,
        clock_checked_on=payload.clock_checked_on, status=payload.status)
    return Status(201, device)


@router.patch("/evidence/devices/{public_id}",
              response={200: DeviceOut, **DENIED_OR_MISSING, **REJECTED},
              operation_id="device_update", summary="Change a recording device",
              description="Calls device_save with the device's other fields as they are. "
                          "Same refusals as registering.")
def device_update(request: HttpRequest, public_id: str, payload: DeviceUpdateIn) -> Any:
    user = request.user
    device = device_get_for_user(user=user, public_id=public_id)
    given = payload.dict(exclude_unset=True)
    errors: dict[str, str] = {}
    if "holder" in given:
        given["holder"] = _person(user, given["holder"], errors, "holder")
    for name in ("serial", "kind", "status"):
        if name in given and given[name] is None:
            errors[name] = _("This field cannot be empty.")
    _field_errors(errors)
    current = {name: getattr(device, name) for name in (
        "serial", "kind", "model_name", "holder", "location", "reviewed_on", "review_note",
        "clock_checked_on", "status")}
    values = {**current, **given}
    for name in ("model_name", "location", "review_note"):
        values[name] = values[name] or ""
    return device_save(actor=user, body=device.body, device=device, **values)


# -- audio/video records --------------------------------------------------------------------

@router.get("/evidence/files/{public_id}/av", response={200: AvRecordOut, **DENIED_OR_MISSING},
            operation_id="av_record_get", summary="The recording details of an audio/video file",
            description="404 av_record_not_found for a file that is not audio or video.")
def av_record_get(request: HttpRequest, public_id: str) -> Any:
    require_perm(request.user, Perm.VIEW_CASES)
    f = file_get_for_user(user=request.user, public_id=public_id)
    return record_out(f, _record_of(f))


@router.patch("/evidence/files/{public_id}/av",
              response={200: AvRecordOut, **DENIED_OR_MISSING, **REJECTED},
              operation_id="av_record_save", summary="Correct or complete the recording details",
              description="400 invalid_fields (unknown device or person), device_out_of_body, "
                          "officer_out_of_body, av_interval_reversed, invalid_coordinates; "
                          "409 case_archived, file_disposed.")
def av_record_patch(request: HttpRequest, public_id: str, payload: AvRecordUpdateIn) -> Any:
    user = request.user
    require_perm(user, Perm.HANDLE_CASES)
    f = file_get_for_user(user=user, public_id=public_id)
    record = _record_of(f)
    given = payload.dict(exclude_unset=True)
    errors: dict[str, str] = {}
    if given.get("device") is not None:
        given["device"] = visible_devices(user).filter(public_id=given["device"]).first()
        if given["device"] is None:
            errors["device"] = _("Unknown recording device.")
    if "officer" in given:
        given["officer"] = _person(user, given["officer"], errors, "officer")
    _field_errors(errors)
    av_record_save(actor=user, record=record, **given)
    f = file_get_for_user(user=user, public_id=public_id)
    return record_out(f, _record_of(f))
