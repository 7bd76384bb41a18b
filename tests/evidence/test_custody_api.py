"""``/api/v1`` custody endpoints: shares, holds, retention, disposal, the scrub report — each
answer's shape, the stable error codes, scoping (another body's things are 404) and nothing
changed on a refusal."""

import datetime as dt
import json
from typing import Any

from django.test import Client
from django.utils import timezone

from tests import factories as f
from zhifa.evidence.models import Blob, DisposalRequest, LegalHold, ShareLink
from zhifa.evidence.retention import retention_class_save
from zhifa.evidence.scrub import scrub_run
from zhifa.evidence.services.custody import token_hash
from zhifa.orgs.models import AccountRole, RoleKind

from .custody_factories import case_with_files, snapshot, text_bytes

API = "/api/v1"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def as_user(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user, backend=BACKEND)
    return c


def send(c: Client, method: str, url: str, payload: Any = None) -> Any:
    return getattr(c, method)(API + url, data=json.dumps(payload or {}),
                              content_type="application/json")


def err(response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    assert body["message"]
    return body


def share_payload(files, days: int = 7, **kwargs: Any) -> dict[str, Any]:
    return {"recipient_kind": "court", "recipient": "芙蓉区人民法院",
            "expires_at": (timezone.now() + dt.timedelta(days=days)).isoformat(),
            "files": [str(x.public_id) for x in files], **kwargs}


def test_share_create_list_revoke(a) -> None:
    case, files = case_with_files(a, text_bytes("a"), text_bytes("b"), closed=False)
    c = as_user(a.u_officer)
    response = send(c, "post", f"/cases/{case.number}/shares", share_payload(files))
    assert response.status_code == 201
    body = response.json()
    share = ShareLink.objects.get()
    assert token_hash(body["token"]) == share.token_hash
    assert body["url"] == f"http://testserver/s/{body['token']}/"
    assert body["status"] == "active" and body["created_by"] == "李明"
    assert [x["filename"] for x in body["files"]] == ["file0.txt", "file1.txt"]
    listed = c.get(f"{API}/cases/{case.public_id}/shares").json()
    assert [s["public_id"] for s in listed] == [str(share.public_id)]
    assert "token" not in listed[0]
    response = send(c, "post", f"/shares/{share.public_id}/revoke", {"reason": "已提交"})
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    before = snapshot()
    err(send(c, "post", f"/shares/{share.public_id}/revoke"), 409, "share_revoked")
    assert snapshot() == before


def test_share_refusals(a) -> None:
    case, files = case_with_files(a, closed=False)
    other_case, other_files = case_with_files(a, text_bytes("另案"), closed=False)
    url = f"/cases/{case.public_id}/shares"
    before = snapshot()
    assert send(Client(), "post", url, share_payload(files)).status_code == 401
    err(send(as_user(a.u_other), "post", url, share_payload(files)), 404, "case_not_found")
    err(send(as_user(a.u_supervisor), "post", url, share_payload(files)), 403,
        "missing_handle_cases")
    c = as_user(a.u_officer)
    err(send(c, "post", url, share_payload(files, days=120)), 400, "share_expiry_invalid")
    err(send(c, "post", url, share_payload(other_files)), 404, "file_not_found")
    err(send(c, "post", url, share_payload([])), 400, "share_files_required")
    assert send(c, "post", url, {**share_payload(files), "recipient_kind": "x"}
                ).status_code == 422
    assert snapshot() == before
    share = ShareLink.objects.create(case=other_case, recipient_kind="court", recipient="x",
                                     token_hash="0" * 64, created_by=a.u_officer,
                                     expires_at=timezone.now() + dt.timedelta(days=1))
    before = snapshot()
    err(send(as_user(a.u_other), "post", f"/shares/{share.public_id}/revoke"), 404,
        "share_not_found")
    assert snapshot() == before


def test_holds(a) -> None:
    case, _files = case_with_files(a)
    c = as_user(a.u_officer)
    response = send(c, "post", f"/cases/{case.public_id}/holds",
                    {"kind": "reconsideration", "reason": "申请行政复议"})
    assert response.status_code == 201
    hold = response.json()
    assert (hold["kind"], hold["active"], hold["placed_by"]) == ("reconsideration", True, "李明")
    before = snapshot()
    err(send(c, "post", f"/holds/{hold['public_id']}/release", {"reason": ""}), 400,
        "hold_reason_required")
    err(send(as_user(a.u_other), "post", f"/holds/{hold['public_id']}/release",
             {"reason": "x"}), 404, "hold_not_found")
    assert snapshot() == before
    response = send(c, "post", f"/holds/{hold['public_id']}/release", {"reason": "复议终结"})
    assert response.status_code == 200 and response.json()["active"] is False
    listed = c.get(f"{API}/cases/{case.public_id}/holds").json()
    assert [h["release_reason"] for h in listed] == ["复议终结"]
    assert LegalHold.objects.get().released_by == a.u_officer


def test_retention_classes_adopt_and_file_retention(a) -> None:
    other_head = f.user(f.person(a.other_body, "孙丽", roles=(RoleKind.HEAD,)),
                        roles=(AccountRole.HEAD,))
    retention_class_save(actor=other_head, body=a.other_body, code="theirs", name="外单位",
                         months=24)
    inst = retention_class_save(actor=a.u_sysadmin, body=None, code="inst", name="通用",
                                months=12, procedure="general")
    mine = retention_class_save(actor=a.u_head, body=a.body, code="mine", name="本单位",
                                months=None, procedure="general")
    c = as_user(a.u_officer)
    listed = c.get(f"{API}/retention-classes").json()
    assert listed["count"] == 2
    assert {x["code"]: (x["body"], x["months"]) for x in listed["items"]} == {
        "inst": (None, 12),
        "mine": ({"public_id": str(a.body.public_id), "name": a.body.name}, None)}
    _case, (file,) = case_with_files(a)
    response = send(c, "post", f"/evidence/items/{file.item.public_id}/adopt",
                    {"adopted": True})
    assert response.status_code == 200
    (out,) = response.json()["files"]
    assert (out["permanent"], out["retain_until"]) == (True, None)
    send(c, "post", f"/evidence/items/{file.item.public_id}/adopt", {"adopted": False})
    before = snapshot()
    err(send(c, "put", f"/evidence/files/{file.public_id}/retention",
             {"retention_class": str(mine.public_id)}), 403, "missing_manage_recording")
    err(send(as_user(a.u_head), "put", f"/evidence/files/{file.public_id}/retention",
             {"retention_class": "00000000-0000-0000-0000-000000000000"}), 404,
        "retention_class_not_found")
    err(send(as_user(a.u_other), "put", f"/evidence/files/{file.public_id}/retention",
             {"retention_class": None}), 404, "file_not_found")
    assert snapshot() == before
    response = send(as_user(a.u_head), "put", f"/evidence/files/{file.public_id}/retention",
                    {"retention_class": str(inst.public_id)})
    assert response.status_code == 200
    assert response.json()["retention_class"] == "inst"
    assert response.json()["retain_until"] == "2026-03-10"


def test_disposal_request_and_decision(a, django_capture_on_commit_callbacks) -> None:
    case, (file,) = case_with_files(a, text_bytes("到期"))
    c = as_user(a.u_officer)
    due = c.get(f"{API}/disposal/due").json()
    assert [x["public_id"] for x in due["items"]] == [str(file.public_id)]
    assert due["items"][0]["sha256"] == file.blob.sha256
    before = snapshot()
    err(send(c, "post", "/disposal/requests", {"files": [str(file.public_id)], "reason": ""}),
        400, "disposal_reason_required")
    err(send(as_user(a.u_other), "post", "/disposal/requests",
             {"files": [str(file.public_id)], "reason": "x"}), 404, "file_not_found")
    assert snapshot() == before
    response = send(c, "post", "/disposal/requests",
                    {"files": [str(file.public_id)], "reason": "保存期满"})
    assert response.status_code == 201
    req = response.json()
    assert (req["state"], req["requested_by"], req["reason"]) == ("pending", "李明", "保存期满")
    assert [x["retain_until"] for x in req["files"]] == ["2025-09-10"]
    url = f"/disposal/requests/{req['public_id']}/decision"
    before = snapshot()
    err(send(c, "post", url, {"approve": True}), 403, "missing_approve_disposal")
    err(as_user(a.u_other).get(f"{API}/disposal/requests/{req['public_id']}"), 404,
        "disposal_not_found")
    assert snapshot() == before
    with django_capture_on_commit_callbacks(execute=True):
        response = send(as_user(a.u_head), "post", url, {"approve": True, "note": "同意"})
    assert response.status_code == 200
    out = response.json()
    assert (out["state"], out["decided_by"], out["files"][0]["state"]) == (
        "approved", "王芳", "disposed")
    assert Blob.objects.get(pk=file.blob_id).state == "deleted"
    err(send(as_user(a.u_head), "post", url, {"approve": False, "note": "x"}), 409,
        "disposal_closed")
    listed = c.get(f"{API}/disposal/requests").json()
    assert listed["count"] == 1 and listed["items"][0]["state"] == "approved"
    assert listed["items"][0]["files"][0]["case"]["number"] == case.number


def test_not_disposable_detail(a) -> None:
    _case, (file,) = case_with_files(a, closed=False)
    body = err(send(as_user(a.u_officer), "post", "/disposal/requests",
                    {"files": [str(file.public_id)], "reason": "x"}), 409,
               "file_not_disposable")
    assert [d["code"] for d in body["detail"]] == ["retention_not_started", "case_open"]
    assert DisposalRequest.objects.count() == 0
    err(as_user(a.u_supervisor).get(f"{API}/disposal/due"), 403, "missing_handle_cases")


def test_scrub_report_for_administrators(a) -> None:
    case, (file,) = case_with_files(a, closed=False)
    scrub_run()
    err(as_user(a.u_head).get(f"{API}/evidence/scrub"), 403, "missing_administer_system")
    Blob.objects.filter(pk=file.blob_id).update(verify_state="mismatch")
    body = as_user(a.u_sysadmin).get(f"{API}/evidence/scrub").json()
    (run,) = body["runs"]
    assert (run["checked"], run["failed"]) == (1, 0)
    (failing,) = body["failing"]
    assert failing["sha256"] == file.blob.sha256 and failing["verify_state"] == "mismatch"
    assert failing["files"][0]["case"] == {"public_id": str(case.public_id),
                                           "number": case.number}
