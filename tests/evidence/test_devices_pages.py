"""The register of recording devices in the staff UI: list in scope, read-only for
supervisors, the form for heads and body administrators."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from tests import factories as f
from zhifa.evidence.models import RecordingDevice
from zhifa.evidence.services.devices import device_save
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import AccountRole

from .factories import a_case, item, make_video, stored


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def state() -> tuple[list[dict[str, Any]], int]:
    return list(RecordingDevice.objects.order_by("id").values()), LedgerEntry.objects.count()


def form(**overrides: Any) -> dict[str, str]:
    data = {"kind": "body_camera", "serial": "BC-0100", "model_name": "DSJ-V9", "holder": "",
            "location": "", "reviewed_on": "2026-01-05", "review_note": "",
            "clock_checked_on": "", "status": "active"}
    data.update(overrides)
    return data


def test_list_shows_the_body_devices_and_flags_missing_reviews(a) -> None:
    device_save(actor=a.u_head, body=a.body, serial="BC-0001", kind="body_camera",
                reviewed_on=dt.date(2026, 1, 5))
    device_save(actor=a.u_head, body=a.body, serial="BC-0002", kind="body_camera")
    other_head = f.user(f.person(a.other_body, "孙丽"), roles=(AccountRole.HEAD,))
    device_save(actor=other_head, body=a.other_body, serial="HT-0001", kind="camera")
    html = client(a.u_officer).get("/evidence/devices/").content.decode()
    assert "BC-0001" in html and "BC-0002" in html and "HT-0001" not in html
    assert html.count("badge-review-missing") == 1
    assert "/evidence/devices/new/" not in html  # officers do not keep the register
    missing = client(a.u_officer).get("/evidence/devices/?review=missing").content.decode()
    assert "BC-0002" in missing and "BC-0001" not in missing
    supervised = client(a.u_supervisor).get("/evidence/devices/").content.decode()
    # the supervisor watches the county body, not the other city's
    assert "BC-0001" in supervised and "HT-0001" not in supervised
    assert "/evidence/devices/new/" not in supervised
    head = client(a.u_head).get("/evidence/devices/").content.decode()
    assert "/evidence/devices/new/" in head


def test_head_registers_and_changes_a_device(a) -> None:
    c = client(a.u_head)
    assert c.get("/evidence/devices/new/").status_code == 200
    response = c.post("/evidence/devices/new/", form(holder=str(a.officer.public_id)))
    device = RecordingDevice.objects.get(serial="BC-0100")
    assert response.status_code == 302
    assert response["Location"] == f"/evidence/devices/{device.public_id}/"
    assert (device.body, device.holder, device.reviewed_on) == (
        a.body, a.officer, dt.date(2026, 1, 5))
    response = c.post(f"/evidence/devices/{device.public_id}/", form(status="retired"))
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.status == "retired"
    assert LedgerEntry.objects.filter(event_code=5016).count() == 2


def test_invalid_device_comes_back_with_the_reason_and_nothing_saved(a) -> None:
    device_save(actor=a.u_head, body=a.body, serial="BC-0100", kind="body_camera")
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    before = state()
    c = client(a.u_head)
    taken = c.post("/evidence/devices/new/", form())
    assert taken.status_code == 400 and "BC-0100" in taken.content.decode()
    future = c.post("/evidence/devices/new/", form(serial="BC-0200", reviewed_on=tomorrow))
    assert future.status_code == 400 and "field-error" in future.content.decode()
    assert state() == before


def test_officers_and_supervisors_cannot_change_the_register(a) -> None:
    device = device_save(actor=a.u_head, body=a.body, serial="BC-0001", kind="body_camera")
    before = state()
    for user in (a.u_officer, a.u_supervisor):
        c = client(user)
        page = c.get(f"/evidence/devices/{device.public_id}/")
        assert page.status_code == 200 and "<form class=\"stack-form\"" not in (
            page.content.decode())
        assert c.post(f"/evidence/devices/{device.public_id}/",
                      form(serial="CHANGED")).status_code == 403
        assert c.get("/evidence/devices/new/").status_code == 403
        assert c.post("/evidence/devices/new/", form()).status_code == 403
    assert state() == before


def test_device_of_another_body_is_not_found(a) -> None:
    other_head = f.user(f.person(a.other_body, "孙丽"), roles=(AccountRole.HEAD,))
    device = device_save(actor=other_head, body=a.other_body, serial="HT-0001", kind="camera")
    before = state()
    c = client(a.u_head)
    assert c.get(f"/evidence/devices/{device.public_id}/").status_code == 404
    assert c.post(f"/evidence/devices/{device.public_id}/", form()).status_code == 404
    assert state() == before


def test_device_page_lists_its_visible_recordings(a, tmp_path) -> None:
    device = device_save(actor=a.u_head, body=a.body, serial="BC-0001", kind="body_camera")
    f_ = stored(a, item(a, a_case(a)), make_video(tmp_path / "v.mp4").read_bytes(), "v.mp4",
                metadata={"device": "BC-0001"})
    html = client(a.u_officer).get(f"/evidence/devices/{device.public_id}/").content.decode()
    assert f"/evidence/files/{f_.public_id}/" in html and "badge-review-missing" in html


def test_system_administrator_chooses_the_body(a) -> None:
    c = client(a.u_sysadmin)
    page = c.get("/evidence/devices/new/").content.decode()
    assert 'name="body"' in page
    response = c.post("/evidence/devices/new/", form(body=str(a.other_body.public_id)))
    assert response.status_code == 302
    assert RecordingDevice.objects.get(serial="BC-0100").body == a.other_body
