"""The admin of devices and audio/video records saves through the services."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from zhifa.evidence.models import AvRecord, RecordingDevice
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import User

from .factories import a_case, item, make_video, stored


@pytest.fixture
def root(db) -> Client:  # type: ignore[no-untyped-def]
    user = User.objects.create_superuser(username="root", email="root@example.org",
                                         password="Zhifa-test-2026")
    c = Client()
    c.force_login(user)
    return c


def device_form(a, **overrides: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    data = {"body": str(a.body.pk), "kind": "body_camera", "serial": "BC-0001",
            "model_name": "", "holder": str(a.officer.pk), "location": "",
            "reviewed_on": "2026-01-05", "review_note": "", "clock_checked_on": "",
            "status": "active"}
    data.update(overrides)
    return data


def test_device_added_and_changed_in_the_admin_is_on_the_ledger(a, root) -> None:
    response = root.post("/admin/evidence/recordingdevice/add/", device_form(a))
    assert response.status_code == 302, response.content.decode()[:2000]
    device = RecordingDevice.objects.get()
    assert (device.body, device.holder) == (a.body, a.officer)
    response = root.post(f"/admin/evidence/recordingdevice/{device.pk}/change/",
                         device_form(a, status="retired"))
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.status == "retired"
    payloads = [json.loads(e.payload) for e in
                LedgerEntry.objects.filter(event_code=5016).order_by("seq")]
    assert [p["created"] for p in payloads] == [True, False]
    assert payloads[1]["changed"] == ["status"]


def test_refused_device_is_shown_on_the_form_and_nothing_saved(a, root) -> None:
    before = LedgerEntry.objects.count()
    response = root.post("/admin/evidence/recordingdevice/add/",
                         device_form(a, reviewed_on="2999-01-01"))
    assert response.status_code == 200
    assert "errornote" in response.content.decode() or "errorlist" in response.content.decode()
    assert RecordingDevice.objects.count() == 0 and LedgerEntry.objects.count() == before


def test_record_changed_in_the_admin_goes_through_the_service(a, root, tmp_path) -> None:
    f = stored(a, item(a, a_case(a)), make_video(tmp_path / "v.mp4").read_bytes(), "v.mp4")
    record = AvRecord.objects.get(file=f)
    response = root.post(f"/admin/evidence/avrecord/{record.pk}/change/", {
        "device": "", "officer": str(a.officer.pk), "started_at_0": "2026-09-01",
        "started_at_1": "09:00:00", "ended_at_0": "2026-09-01", "ended_at_1": "09:05:00",
        "latitude": "", "longitude": "", "interruption_note": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    record.refresh_from_db()
    assert record.officer == a.officer and record.started_at is not None
    [entry] = LedgerEntry.objects.filter(event_code=5022)
    assert json.loads(entry.payload)["changed"] == ["ended_at", "officer", "started_at"]
    assert root.get("/admin/evidence/avrecord/add/").status_code == 403
