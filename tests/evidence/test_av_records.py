"""Audio/video records: the upload metadata parsed at creation, and corrections by the case's
officers (AV_RECORD_SAVED)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from zhifa.core.errors import ApplicationError
from zhifa.evidence.models import AvRecord, RecordingDevice
from zhifa.evidence.services.av import UNSET, av_record_save, parse_av_metadata
from zhifa.evidence.services.devices import device_save
from zhifa.ledger.models import LedgerEntry

from .factories import a_case, item, make_video, stored

AV_RECORD_SAVED = 5022
BEIJING = dt.timezone(dt.timedelta(hours=8))


def device(a: Any, serial: str = "BC-0001", **kwargs: Any) -> RecordingDevice:
    return device_save(actor=a.u_head, body=a.body, serial=serial, kind="body_camera",
                       **kwargs)


@pytest.fixture
def video(tmp_path) -> bytes:  # type: ignore[no-untyped-def]
    return make_video(tmp_path / "v.mp4").read_bytes()


def saved_entries(case: Any) -> list[dict[str, Any]]:
    return [json.loads(e.payload) for e in LedgerEntry.objects.filter(
        stream=case.stream, event_code=AV_RECORD_SAVED).order_by("seq")]


def test_parse_metadata_reads_every_key(a) -> None:
    case = a_case(a)
    d = device(a)
    values, errors = parse_av_metadata(case, {
        "device": "BC-0001", "officer": str(a.officer.public_id),
        "started_at": "2026-09-01T09:30:00", "ended_at": "2026-09-01T02:00:00Z",
        "latitude": "28.1941", "longitude": "112.9823", "filename": "x.mp4"})
    assert errors == {}
    assert values == {
        "device": d, "officer": a.officer,
        "started_at": dt.datetime(2026, 9, 1, 9, 30, tzinfo=BEIJING),
        "ended_at": dt.datetime(2026, 9, 1, 10, 0, tzinfo=BEIJING),
        "latitude": Decimal("28.194100"), "longitude": Decimal("112.982300")}
    by_id, _errors = parse_av_metadata(case, {"device": str(d.public_id)})
    assert by_id == {"device": d}


def test_parse_metadata_reports_each_bad_value(a) -> None:
    case = a_case(a)
    from tests import factories as f
    from zhifa.orgs.models import AccountRole

    other_head = f.user(f.person(a.other_body, "孙丽"), roles=(AccountRole.HEAD,))
    device_save(actor=other_head, body=a.other_body, serial="OTHER-1", kind="camera")
    values, errors = parse_av_metadata(case, {
        "device": "OTHER-1", "officer": str(a.u_other.person.public_id),
        "started_at": "2026-09-01", "ended_at": "yesterday", "latitude": "91",
        "longitude": "112"})
    assert values == {}
    assert set(errors) == {"device", "officer", "started_at", "ended_at", "latitude"}
    values, errors = parse_av_metadata(case, {"started_at": "2026-09-01T10:00:00+08:00",
                                              "ended_at": "2026-09-01T09:00:00+08:00",
                                              "device": "", "latitude": ""})
    assert list(values) == ["started_at"] and list(errors) == ["ended_at"]


def test_upload_metadata_makes_the_record_and_its_entry(a, video) -> None:
    d = device(a)
    case = a_case(a)
    f = stored(a, item(a, case), video, "v.mp4", metadata={
        "device": "BC-0001", "officer": str(a.officer.public_id),
        "started_at": "2026-09-01T09:30:00+08:00", "latitude": "28.1", "longitude": "112.9"})
    record = AvRecord.objects.get(file=f)
    assert (record.device, record.officer, record.probe_state) == (d, a.officer, "pending")
    assert record.started_at == dt.datetime(2026, 9, 1, 9, 30, tzinfo=BEIJING)
    assert record.ended_at is None  # filled by the analysis from the duration
    [entry] = saved_entries(case)
    assert entry["via"] == "upload" and entry["device"] == "BC-0001"
    assert entry["officer"] == "李明" and entry["coordinates"] == ["28.100000", "112.900000"]
    assert entry["changed"] == ["device", "latitude", "longitude", "officer", "started_at"]


def test_bad_metadata_is_kept_as_problems_and_nothing_refused(a, video) -> None:
    case = a_case(a)
    f = stored(a, item(a, case), video, "v.mp4", metadata={"device": "NOPE", "officer": "x"})
    record = AvRecord.objects.get(file=f)
    assert record.device is None and record.officer is None
    assert set(record.probe["metadata_problems"]) == {"device", "officer"}
    assert saved_entries(case) == []


def test_officer_corrects_the_record(a, video) -> None:
    d = device(a)
    case = a_case(a)
    f = stored(a, item(a, case), video, "v.mp4")
    record = AvRecord.objects.get(file=f)
    AvRecord.objects.filter(pk=record.pk).update(duration_ms=2000, probe_state="done")
    saved = av_record_save(actor=a.u_officer, record=record, device=d, officer=a.officer2,
                           started_at=dt.datetime(2026, 9, 1, 9, 0, tzinfo=BEIJING),
                           interruption_note="电量不足，换电池中断约1分钟")
    assert saved.ended_at == dt.datetime(2026, 9, 1, 9, 0, 2, tzinfo=BEIJING)
    [entry] = saved_entries(case)
    assert entry["via"] == "edit" and entry["officer"] == "张伟"
    assert entry["changed"] == ["device", "ended_at", "interruption_note", "officer",
                                "started_at"]
    assert entry["ended_at"] == "2026-09-01T09:00:02+08:00"
    # the same again: nothing to record
    av_record_save(actor=a.u_officer, record=saved, device=d, officer=a.officer2)
    assert len(saved_entries(case)) == 1
    cleared = av_record_save(actor=a.u_officer, record=saved, device=None, latitude="28.2",
                             longitude="112.95")
    assert cleared.device is None and cleared.latitude == Decimal("28.200000")
    assert saved_entries(case)[-1]["changed"] == ["device", "latitude", "longitude"]


def snapshot(record: AvRecord) -> tuple[dict[str, Any], int]:
    return AvRecord.objects.filter(pk=record.pk).values().get(), LedgerEntry.objects.count()


@pytest.mark.parametrize("who,kwargs,code", [
    ("u_other", {"interruption_note": "x"}, "case_out_of_scope"),
    ("u_supervisor", {"interruption_note": "x"}, "missing_handle_cases"),
    ("u_officer", {"officer": "other"}, "officer_out_of_body"),
    ("u_officer", {"device": "other"}, "device_out_of_body"),
    ("u_officer", {"started_at": dt.datetime(2026, 9, 1, 10, tzinfo=BEIJING),
                   "ended_at": dt.datetime(2026, 9, 1, 9, tzinfo=BEIJING)},
     "av_interval_reversed"),
    ("u_officer", {"latitude": "100", "longitude": "1"}, "invalid_coordinates"),
])
def test_refused_corrections_change_nothing(a, video, who, kwargs, code) -> None:
    from tests import factories as f
    from zhifa.orgs.models import AccountRole

    other_head = f.user(f.person(a.other_body, "孙丽"), roles=(AccountRole.HEAD,))
    other_device = device_save(actor=other_head, body=a.other_body, serial="O-1",
                               kind="camera")
    record = AvRecord.objects.get(file=stored(a, item(a, a_case(a)), video, "v.mp4"))
    values = {k: (a.u_other.person if v == "other" and k == "officer" else
                  other_device if v == "other" else v) for k, v in kwargs.items()}
    before = snapshot(record)
    with pytest.raises(ApplicationError) as err:
        av_record_save(actor=getattr(a, who), record=record, **values)
    assert err.value.code == code
    assert snapshot(record) == before


def test_disposed_and_archived_files_are_read_only(a, video) -> None:
    case = a_case(a)
    f = stored(a, item(a, case), video, "v.mp4")
    record = AvRecord.objects.get(file=f)
    f.state = "disposed"
    f.save(update_fields=["state"])
    before = snapshot(record)
    with pytest.raises(ApplicationError) as err:
        av_record_save(actor=a.u_officer, record=record, interruption_note="x")
    assert err.value.code == "file_disposed" and snapshot(record) == before
    f.state = "active"
    f.save(update_fields=["state"])
    case.status = "archived"
    case.save(update_fields=["status"])
    with pytest.raises(ApplicationError) as err:
        av_record_save(actor=a.u_officer, record=record, interruption_note="x")
    assert err.value.code == "case_archived" and snapshot(record) == before


def test_unset_is_not_none() -> None:
    assert UNSET is not None and repr(UNSET) == "UNSET"
