"""The evidence API: a case's items and files, one item, one file (hashes, audio/video
details, ledger entry), recording, editing, withdrawing and attaching. Each endpoint as
anonymous (401), another body's officer (404), a watcher without handling permission (403)
and the right role; every refusal leaves the evidence rows and the ledger as they were."""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.cases.factories import Agency, registered
from zhifa.cases.models import CaseStep
from zhifa.evidence.models import (
    AvRecord,
    DeviceKind,
    EvidenceFile,
    EvidenceItem,
    ProbeState,
    RecordingDevice,
)
from zhifa.ledger.models import LedgerEntry

from .factories import PNG_1PX, a_case, item, stored

API = "/api/v1"


def client(user: Any) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def send(c: Client, method: str, url: str, payload: Any = None) -> Any:
    body = json.dumps(payload, ensure_ascii=False) if payload is not None else ""
    return getattr(c, method.lower())(API + url, body, content_type="application/json")


def state() -> dict[str, Any]:
    return {
        "items": list(EvidenceItem.objects.order_by("id").values()),
        "collectors": sorted(EvidenceItem.collectors.through.objects.values_list(
            "evidenceitem_id", "person_id")),
        "files": list(EvidenceFile.objects.order_by("id").values()),
        "ledger": LedgerEntry.objects.count(),
    }


@dataclass
class World:
    a: Agency
    case: Any
    step: CaseStep
    photo_item: EvidenceItem
    photo: EvidenceFile
    video_item: EvidenceItem
    video: EvidenceFile
    device: RecordingDevice


@pytest.fixture
def w(a) -> World:
    case = registered(a)
    step = CaseStep.objects.get(case=case, action="register")
    photo_item = item(a, case, kind="physical", title="不合格产品", source="当事人仓库",
                      latitude="28.1941", longitude="112.9823", collectors=[a.officer],
                      step=step)
    photo = stored(a, photo_item, PNG_1PX, "现场照片.png")
    video_item = item(a, case, kind="audio_visual", title="现场执法记录")
    video = stored(a, video_item, b"\x00\x00\x00\x18ftypmp42" + bytes(100), "记录.mp4",
                   metadata={})
    device = RecordingDevice.objects.create(body=a.body, kind=DeviceKind.BODY_CAMERA,
                                            serial="DSJ-0001")
    av = AvRecord.objects.get(file=video)
    av.device, av.officer, av.duration_ms = device, a.officer2, 61_000
    av.started_at = timezone.make_aware(dt.datetime(2026, 9, 3, 10, 0))
    av.ended_at = timezone.make_aware(dt.datetime(2026, 9, 3, 10, 1, 1))
    av.probe_state = ProbeState.DONE
    av.save()
    return World(a=a, case=case, step=step, photo_item=photo_item, photo=photo,
                 video_item=video_item, video=video, device=device)


def iso(value: dt.datetime) -> str:
    """As the API writes times: UTC, milliseconds, "Z"."""
    text = value.astimezone(dt.UTC).isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    return text.replace("+00:00", "Z")


def file_json(f: EvidenceFile, av: Any = None) -> dict[str, Any]:
    return {
        "public_id": str(f.public_id),
        "item": {"public_id": str(f.item.public_id), "seq": f.item.seq, "title": f.item.title},
        "filename": f.filename, "mime": f.mime, "size": f.size, "sha256": f.blob.sha256,
        "sm3": f.blob.sm3, "state": "active", "uploaded_at": iso(f.created_at),
        "uploaded_by": "李明", "ledger_seq": f.ledger_seq, "av": av,
    }


def test_list_of_a_case_with_files_hashes_and_av(w: World) -> None:
    c = client(w.a.u_supervisor)
    response = c.get(f"{API}/cases/{w.case.number}/evidence")
    assert response.status_code == 200
    data = response.json()
    assert [i["seq"] for i in data] == [1, 2]
    first, second = data
    photo_item = w.photo_item
    assert first == {
        "public_id": str(photo_item.public_id),
        "case": {"public_id": str(w.case.public_id), "number": w.case.number},
        "seq": 1, "kind": "physical", "kind_label": first["kind_label"], "title": "不合格产品",
        "description": "", "source": "当事人仓库", "collected_at": None, "place": "",
        "latitude": "28.194100", "longitude": "112.982300",
        "step": {"ledger_seq": w.step.ledger_seq, "action": "register", "label": w.step.label,
                 "acted_on": w.step.acted_on.isoformat()},
        "collectors": [{"public_id": str(w.a.officer.public_id), "name": "李明"}],
        "adopted": False, "state": "active", "state_reason": "",
        "created_at": iso(photo_item.created_at), "created_by": "李明",
        "files": [file_json(w.photo)],
    }
    assert first["kind_label"] in ("物证", "Physical evidence")
    assert second["files"] == [file_json(w.video, {
        "device": {"public_id": str(w.device.public_id), "kind": "body_camera",
                   "serial": "DSJ-0001"},
        "officer": {"public_id": str(w.a.officer2.public_id), "name": "张伟"},
        "started_at": "2026-09-03T02:00:00Z", "ended_at": "2026-09-03T02:01:01Z",
        "duration_ms": 61_000, "latitude": None, "longitude": None, "interruption_note": "",
        "probe_state": "done", "has_poster": False})]


def test_files_list_item_and_file_detail(w: World) -> None:
    c = client(w.a.u_officer)
    files = c.get(f"{API}/cases/{w.case.public_id}/evidence/files").json()
    assert files["count"] == 2
    assert [f["filename"] for f in files["items"]] == ["现场照片.png", "记录.mp4"]
    assert files["items"][0] == file_json(w.photo)
    one = c.get(f"{API}/evidence/items/{w.video_item.public_id}").json()
    assert (one["seq"], one["title"], [f["filename"] for f in one["files"]]) == (
        2, "现场执法记录", ["记录.mp4"])
    detail = c.get(f"{API}/evidence/files/{w.photo.public_id}").json()
    w.photo.refresh_from_db()
    assert detail == {
        **file_json(w.photo),
        "case": {"public_id": str(w.case.public_id), "number": w.case.number},
        "retention_class": (w.photo.retention_class.name if w.photo.retention_class else None),
        "retain_until": None if w.photo.retain_until is None else str(w.photo.retain_until),
        "permanent": w.photo.permanent, "disposed_at": None, "verify_state": "unchecked",
        "verified_at": None,
    }
    # the ledger entry named by the file is the one that recorded its hashes
    entry = LedgerEntry.objects.get(seq=detail["ledger_seq"])
    assert entry.event_code == 5003 and w.photo.blob.sm3 in entry.payload


def test_create_an_item(w: World) -> None:
    a = w.a
    response = send(client(a.u_officer2), "POST", f"/cases/{w.case.number}/evidence", {
        "kind": "documentary", "title": "进货单据", "source": "当事人提供",
        "collected_at": "2026-09-03T10:30:00", "place": "办公室", "latitude": 28.1,
        "longitude": "112.9", "step": w.step.ledger_seq,
        "collectors": [str(a.officer.public_id), str(a.officer2.public_id)]})
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["seq"], data["kind"], data["title"], data["collected_at"], data["latitude"],
            data["step"]["action"], [p["name"] for p in data["collectors"]], data["files"],
            data["created_by"]) == (
        3, "documentary", "进货单据", "2026-09-03T02:30:00Z", "28.100000", "register",
        ["张伟", "李明"], [], "张伟")
    it = EvidenceItem.objects.get(public_id=data["public_id"])
    assert it.case_id == w.case.pk
    assert LedgerEntry.objects.filter(stream=w.case.stream, event_code=5001).count() == 3


@pytest.mark.parametrize(("payload", "status", "code"), [
    ({"kind": "documentary", "title": " "}, 400, "evidence_title_required"),
    ({"kind": "documentary", "title": "x", "latitude": 91, "longitude": 1}, 400,
     "invalid_coordinates"),
    ({"kind": "documentary", "title": "x", "latitude": 28}, 400, "invalid_coordinates"),
    ({"kind": "documentary", "title": "x", "step": 999_999}, 400, "invalid_fields"),
    ({"kind": "documentary", "title": "x",
      "collectors": ["00000000-0000-0000-0000-000000000000"]}, 400, "invalid_fields"),
    ({"kind": "rumour", "title": "x"}, 422, "invalid_payload"),
    ({"title": "x"}, 422, "invalid_payload"),
])
def test_create_refusals_change_nothing(w: World, payload, status, code) -> None:
    before = state()
    response = send(client(w.a.u_officer), "POST", f"/cases/{w.case.number}/evidence", payload)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert state() == before


def test_create_refuses_a_collector_of_another_body(w: World) -> None:
    # the supervisor sees the other body's people, but they cannot collect this case's evidence
    from tests import factories as f

    outsider = f.person(w.a.other_body, "孙某")
    before = state()
    response = send(client(w.a.u_sysadmin), "POST", f"/cases/{w.case.number}/evidence",
                    {"kind": "documentary", "title": "x",
                     "collectors": [str(outsider.public_id)]})
    assert (response.status_code, response.json()["code"]) == (400, "collector_out_of_body")
    assert state() == before


def test_update_only_the_fields_sent(w: World) -> None:
    c = client(w.a.u_officer)
    url = f"/evidence/items/{w.photo_item.public_id}"
    response = send(c, "PATCH", url, {"title": "不合格产品（三箱）", "latitude": None,
                                      "longitude": None})
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["title"], data["source"], data["latitude"], data["step"]["action"],
            [p["name"] for p in data["collectors"]]) == (
        "不合格产品（三箱）", "当事人仓库", None, "register", ["李明"])
    entry = LedgerEntry.objects.filter(stream=w.case.stream, event_code=5002).get()
    changes = json.loads(entry.payload)["changes"]
    assert set(changes) == {"title", "latitude", "longitude"}
    # step cleared, collectors replaced
    data = send(c, "PATCH", url, {"step": None, "collectors": [str(w.a.officer2.public_id)]}
                ).json()
    assert data["step"] is None and [p["name"] for p in data["collectors"]] == ["张伟"]
    # the same values again: no entry
    before = state()
    assert send(c, "PATCH", url, {"title": "不合格产品（三箱）"}).status_code == 200
    assert state() == before


@pytest.mark.parametrize(("payload", "code"), [
    ({"title": None}, "invalid_fields"),
    ({"kind": None}, "invalid_fields"),
    ({"collectors": None}, "invalid_fields"),
    ({"title": ""}, "evidence_title_required"),
    ({"latitude": 28.2}, "invalid_coordinates"),
    ({"step": 123456}, "invalid_fields"),
])
def test_update_refusals_change_nothing(w: World, payload, code) -> None:
    before = state()
    response = send(client(w.a.u_officer), "PATCH",
                    f"/evidence/items/{w.video_item.public_id}", payload)
    assert (response.status_code, response.json()["code"]) == (400, code)
    assert state() == before


def test_withdraw_and_then_no_more_changes(w: World) -> None:
    c = client(w.a.u_officer)
    url = f"/evidence/items/{w.photo_item.public_id}"
    before = state()
    response = send(c, "POST", url + "/withdraw", {"reason": " "})
    assert (response.status_code, response.json()["code"]) == (400, "reason_required")
    assert state() == before
    response = send(c, "POST", url + "/withdraw", {"reason": "与本案无关"})
    assert response.status_code == 200
    data = response.json()
    assert (data["state"], data["state_reason"], len(data["files"])) == (
        "withdrawn", "与本案无关", 1)
    before = state()
    for method, path, payload in (("PATCH", url, {"title": "x"}),
                                  ("POST", url + "/withdraw", {"reason": "再次"}),
                                  ("POST", f"/evidence/files/{w.video.public_id}/attach",
                                   {"item": str(w.photo_item.public_id)})):
        response = send(c, method, path, payload)
        assert (response.status_code, response.json()["code"]) == (409, "item_withdrawn")
    assert state() == before


def test_attach(w: World) -> None:
    c = client(w.a.u_officer)
    url = f"/evidence/files/{w.photo.public_id}/attach"
    response = send(c, "POST", url, {"item": str(w.video_item.public_id)})
    assert response.status_code == 200
    assert response.json()["item"] == {"public_id": str(w.video_item.public_id), "seq": 2,
                                       "title": "现场执法记录"}
    before = state()
    response = send(c, "POST", url, {"item": str(w.video_item.public_id)})
    assert (response.status_code, response.json()["code"]) == (409, "file_already_in_item")
    other = item(w.a, a_case(w.a), title="他案")
    before = state()
    response = send(c, "POST", url, {"item": str(other.public_id)})
    assert (response.status_code, response.json()["code"]) == (400, "item_not_in_case")
    response = send(c, "POST", url, {"item": "00000000-0000-0000-0000-000000000000"})
    assert (response.status_code, response.json()["code"]) == (404, "item_not_found")
    assert state() == before


def test_archived_case_refuses_changes(w: World) -> None:
    w.case.status = "archived"
    w.case.save(update_fields=["status"])
    c = client(w.a.u_officer)
    before = state()
    for method, path, payload in (
        ("POST", f"/cases/{w.case.number}/evidence", {"kind": "documentary", "title": "x"}),
        ("PATCH", f"/evidence/items/{w.photo_item.public_id}", {"title": "x"}),
        ("POST", f"/evidence/items/{w.photo_item.public_id}/withdraw", {"reason": "x"}),
        ("POST", f"/evidence/files/{w.photo.public_id}/attach",
         {"item": str(w.video_item.public_id)}),
    ):
        response = send(c, method, path, payload)
        assert (response.status_code, response.json()["code"]) == (409, "case_archived"), path
    assert state() == before
    assert c.get(f"{API}/cases/{w.case.number}/evidence").status_code == 200


# --- the permission matrix -------------------------------------------------------------------

@dataclass(frozen=True)
class Endpoint:
    operation_id: str
    method: str
    url: Callable[[World], str]
    payload: Callable[[World], Any] = lambda w: None
    other_body: tuple[int, str] = (404, "case_not_found")
    watcher: tuple[int, str | None] = (200, None)  # the supervisor
    right: int = 200


ENDPOINTS = [
    Endpoint("evidence_for_case", "GET", lambda w: f"/cases/{w.case.public_id}/evidence"),
    Endpoint("evidence_files_for_case", "GET",
             lambda w: f"/cases/{w.case.public_id}/evidence/files"),
    Endpoint("evidence_item_get_for_user", "GET",
             lambda w: f"/evidence/items/{w.photo_item.public_id}",
             other_body=(404, "item_not_found")),
    Endpoint("file_get_for_user", "GET", lambda w: f"/evidence/files/{w.photo.public_id}",
             other_body=(404, "file_not_found")),
    Endpoint("evidence_item_create", "POST", lambda w: f"/cases/{w.case.number}/evidence",
             lambda w: {"kind": "documentary", "title": "进货单据"},
             watcher=(403, "missing_handle_cases"), right=201),
    Endpoint("evidence_item_update", "PATCH",
             lambda w: f"/evidence/items/{w.photo_item.public_id}",
             lambda w: {"title": "改名"}, other_body=(404, "item_not_found"),
             watcher=(403, "missing_handle_cases")),
    Endpoint("evidence_item_withdraw", "POST",
             lambda w: f"/evidence/items/{w.photo_item.public_id}/withdraw",
             lambda w: {"reason": "与本案无关"}, other_body=(404, "item_not_found"),
             watcher=(403, "missing_handle_cases")),
    Endpoint("evidence_file_attach", "POST",
             lambda w: f"/evidence/files/{w.photo.public_id}/attach",
             lambda w: {"item": str(w.video_item.public_id)},
             other_body=(404, "file_not_found"), watcher=(403, "missing_handle_cases")),
]
IDS = [e.operation_id for e in ENDPOINTS]


@pytest.mark.parametrize("e", ENDPOINTS, ids=IDS)
def test_anonymous_is_not_authenticated(w: World, e: Endpoint) -> None:
    before = state()
    response = send(client(None), e.method, e.url(w), e.payload(w))
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
    assert state() == before


@pytest.mark.parametrize("e", ENDPOINTS, ids=IDS)
def test_other_body_does_not_find_it(w: World, e: Endpoint) -> None:
    before = state()
    response = send(client(w.a.u_other), e.method, e.url(w), e.payload(w))
    assert (response.status_code, response.json()["code"]) == e.other_body
    assert state() == before


@pytest.mark.parametrize("e", ENDPOINTS, ids=IDS)
def test_the_supervisor_watches(w: World, e: Endpoint) -> None:
    before = state()
    response = send(client(w.a.u_supervisor), e.method, e.url(w), e.payload(w))
    assert response.status_code == e.watcher[0]
    if e.watcher[1] is not None:
        assert response.json()["code"] == e.watcher[1]
        assert state() == before


@pytest.mark.parametrize("e", ENDPOINTS, ids=IDS)
def test_the_officer_may(w: World, e: Endpoint) -> None:
    response = send(client(w.a.u_officer), e.method, e.url(w), e.payload(w))
    assert response.status_code == e.right, response.json()


def test_a_body_admin_without_case_permissions_is_refused(w: World) -> None:
    from tests import factories as f
    from zhifa.orgs.models import AccountRole

    admin = f.user(f.person(w.a.body, "孙丽"), roles=(AccountRole.BODY_ADMIN,))
    before = state()
    for e in ENDPOINTS:
        response = send(client(admin), e.method, e.url(w), e.payload(w))
        expected = "missing_view_cases" if e.method == "GET" else "missing_handle_cases"
        assert (response.status_code, response.json()["code"]) == (403, expected), e
    assert state() == before


def test_csrf_is_required_for_changes(w: World) -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(w.a.u_officer)
    before = state()
    response = send(c, "POST", f"/cases/{w.case.number}/evidence",
                    {"kind": "documentary", "title": "x"})
    assert (response.status_code, response.json()["code"]) == (403, "csrf_failed")
    assert state() == before


def test_openapi_documents_every_evidence_operation() -> None:
    from zhifa.api.root import api

    paths = api.get_openapi_schema()["paths"]
    ops = {op["operationId"]: (method.upper(), path) for path, item in paths.items()
           for method, op in item.items()}
    for e in ENDPOINTS:
        assert e.operation_id in ops, e.operation_id
        assert ops[e.operation_id][0] == e.method
    assert ops["evidence_item_update"] == ("PATCH", "/api/v1/evidence/items/{public_id}")
    assert ops["evidence_for_case"] == ("GET", "/api/v1/cases/{key}/evidence")
