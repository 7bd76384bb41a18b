"""/api/v1/evidence/devices and /api/v1/evidence/files/{id}/av: reads in scope, changes
through the services, denials that change nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from tests import factories as f
from zhifa.evidence.models import AvRecord, RecordingDevice
from zhifa.evidence.services.devices import device_save
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import AccountRole

from .factories import PNG_1PX, a_case, item, make_video, stored

API = "/api/v1"
BEIJING = dt.timezone(dt.timedelta(hours=8))


def client(user: Any = None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def devices_state() -> tuple[list[dict[str, Any]], int]:
    return list(RecordingDevice.objects.order_by("id").values()), LedgerEntry.objects.count()


@pytest.fixture
def other_head(a) -> Any:  # type: ignore[no-untyped-def]
    return f.user(f.person(a.other_body, "孙丽"), roles=(AccountRole.HEAD,))


def test_devices_are_listed_in_scope(a, other_head) -> None:
    device_save(actor=a.u_head, body=a.body, serial="BC-0001", kind="body_camera",
                reviewed_on=dt.date(2026, 1, 5), holder=a.officer)
    device_save(actor=a.u_head, body=a.body, serial="BC-0002", kind="body_camera")
    device_save(actor=other_head, body=a.other_body, serial="HT-0001", kind="camera")
    answer = client(a.u_officer).get(f"{API}/evidence/devices").json()
    assert answer["count"] == 2
    first = answer["items"][0]
    assert (first["serial"], first["holder"]["name"], first["review_missing"]) == (
        "BC-0001", "李明", False)
    assert first["body"]["public_id"] == str(a.body.public_id)
    missing = client(a.u_officer).get(f"{API}/evidence/devices?review_missing=true").json()
    assert [d["serial"] for d in missing["items"]] == ["BC-0002"]
    supervised = client(a.u_supervisor).get(f"{API}/evidence/devices").json()
    assert [d["serial"] for d in supervised["items"]] == ["BC-0001", "BC-0002"]
    assert client().get(f"{API}/evidence/devices").status_code == 401


def test_device_of_another_body_is_404(a, other_head) -> None:
    d = device_save(actor=other_head, body=a.other_body, serial="HT-0001", kind="camera")
    before = devices_state()
    c = client(a.u_head)
    response = c.get(f"{API}/evidence/devices/{d.public_id}")
    assert (response.status_code, response.json()["code"]) == (404, "device_not_found")
    response = c.patch(f"{API}/evidence/devices/{d.public_id}", {"status": "retired"},
                       content_type="application/json")
    assert response.status_code == 404
    assert devices_state() == before


def test_head_registers_and_changes_a_device(a) -> None:
    c = client(a.u_head)
    response = c.post(f"{API}/evidence/devices", {
        "kind": "body_camera", "serial": "BC-0100", "holder": str(a.officer.public_id),
        "reviewed_on": "2026-01-05"}, content_type="application/json")
    assert response.status_code == 201, response.content
    out = response.json()
    assert (out["serial"], out["holder"]["name"], out["status"]) == ("BC-0100", "李明", "active")
    device = RecordingDevice.objects.get(serial="BC-0100")
    assert device.body == a.body
    response = c.patch(f"{API}/evidence/devices/{device.public_id}",
                       {"reviewed_on": None, "location": "一号车"},
                       content_type="application/json")
    assert response.status_code == 200
    assert response.json()["review_missing"] is True
    device.refresh_from_db()
    assert (device.reviewed_on, device.location, device.holder) == (None, "一号车", a.officer)
    assert LedgerEntry.objects.filter(event_code=5016).count() == 2


@pytest.mark.parametrize("who,payload,status,code", [
    ("u_officer", {"kind": "camera", "serial": "X"}, 403, "missing_manage_recording"),
    ("u_supervisor", {"kind": "camera", "serial": "X"}, 403, "missing_manage_recording"),
    ("u_head", {"kind": "camera", "serial": "BC-0001"}, 400, "serial_taken"),
    ("u_head", {"kind": "camera", "serial": "X", "reviewed_on": "2999-01-01"}, 400,
     "review_date_future"),
    ("u_head", {"kind": "camera", "serial": "X", "holder": "other"}, 400, "invalid_fields"),
    ("u_head", {"kind": "drone", "serial": "X"}, 422, "invalid_payload"),
    ("u_sysadmin", {"kind": "camera", "serial": "X"}, 400, "invalid_fields"),
])
def test_refused_registrations_change_nothing(a, who, payload, status, code) -> None:
    device_save(actor=a.u_head, body=a.body, serial="BC-0001", kind="body_camera")
    if payload.get("holder") == "other":
        payload = {**payload, "holder": str(a.u_other.person.public_id)}
    before = devices_state()
    response = client(getattr(a, who)).post(f"{API}/evidence/devices", payload,
                                            content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert devices_state() == before


@pytest.fixture
def video(a, tmp_path) -> Any:  # type: ignore[no-untyped-def]
    return stored(a, item(a, a_case(a)), make_video(tmp_path / "v.mp4").read_bytes(), "v.mp4",
                  metadata={"device": "nope", "started_at": "2026-09-01T09:00:00"})


def test_record_is_read_by_whoever_sees_the_case(a, video) -> None:
    for user in (a.u_officer, a.u_supervisor):
        response = client(user).get(f"{API}/evidence/files/{video.public_id}/av")
        assert response.status_code == 200
        out = response.json()
        assert dt.datetime.fromisoformat(out["started_at"]) == dt.datetime(
            2026, 9, 1, 9, tzinfo=BEIJING)
        assert out["probe_state"] == "pending" and out["device"] is None
        assert list(out["metadata_problems"]) == ["device"]
        assert out["warnings"]  # no device named
    response = client(a.u_other).get(f"{API}/evidence/files/{video.public_id}/av")
    assert (response.status_code, response.json()["code"]) == (404, "file_not_found")


def test_photo_has_no_record(a) -> None:
    photo = stored(a, item(a, a_case(a), kind="physical"), PNG_1PX)
    response = client(a.u_officer).get(f"{API}/evidence/files/{photo.public_id}/av")
    assert (response.status_code, response.json()["code"]) == (404, "av_record_not_found")


def test_officer_patches_the_record(a, video) -> None:
    device = device_save(actor=a.u_head, body=a.body, serial="BC-0001", kind="body_camera",
                         reviewed_on=dt.date(2026, 1, 5))
    AvRecord.objects.filter(file=video).update(duration_ms=2000, probe_state="done")
    response = client(a.u_officer).patch(
        f"{API}/evidence/files/{video.public_id}/av",
        {"device": str(device.public_id), "officer": str(a.officer.public_id),
         "ended_at": None, "latitude": "28.1", "longitude": "112.9"},
        content_type="application/json")
    assert response.status_code == 200, response.content
    out = response.json()
    assert out["device"]["serial"] == "BC-0001" and out["officer"]["name"] == "李明"
    assert dt.datetime.fromisoformat(out["ended_at"]) == dt.datetime(
        2026, 9, 1, 9, 0, 2, tzinfo=BEIJING)
    assert (out["latitude"], out["longitude"]) == ("28.100000", "112.900000")
    assert LedgerEntry.objects.filter(event_code=5022).count() == 2  # upload, then this


@pytest.mark.parametrize("who,payload,status,code", [
    ("u_other", {"interruption_note": "x"}, 404, "file_not_found"),
    ("u_supervisor", {"interruption_note": "x"}, 403, "missing_handle_cases"),
    ("u_officer", {"device": "00000000-0000-0000-0000-000000000000"}, 400, "invalid_fields"),
    ("u_officer", {"started_at": "2026-09-01T10:00:00", "ended_at": "2026-09-01T09:00:00"},
     400, "av_interval_reversed"),
    ("u_officer", {"latitude": "95", "longitude": "1"}, 400, "invalid_coordinates"),
])
def test_refused_record_changes_change_nothing(a, video, who, payload, status, code) -> None:
    before = (AvRecord.objects.filter(file=video).values().get(), LedgerEntry.objects.count())
    response = client(getattr(a, who)).patch(f"{API}/evidence/files/{video.public_id}/av",
                                             payload, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert (AvRecord.objects.filter(file=video).values().get(),
            LedgerEntry.objects.count()) == before


def test_account_without_a_body_is_403_and_anonymous_401(a, video) -> None:
    nobody = f.user(None)
    d = device_save(actor=a.u_head, body=a.body, serial="BC-0001", kind="body_camera")
    for path, code in ((f"{API}/evidence/devices", "missing_view_registry"),
                       (f"{API}/evidence/devices/{d.public_id}", "missing_view_registry"),
                       (f"{API}/evidence/files/{video.public_id}/av", "missing_view_cases")):
        response = client(nobody).get(path)
        assert (response.status_code, response.json()["code"]) == (403, code)
        response = client().get(path)
        assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
