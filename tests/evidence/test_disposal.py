"""Disposal: only expired files of closed cases without a hold; a head of the same body
other than the requester approves; rows and tombstones first, bytes deleted after the commit
and only when no other active file uses them; rollback and failed deletions leave nothing
saying "stored" for bytes that are gone."""

import datetime as dt
import json

import pytest

from tests import factories as f
from zhifa.core.errors import ApplicationError
from zhifa.evidence.events import DISPOSAL_DECIDED, DISPOSAL_REQUESTED, FILE_DISPOSED
from zhifa.evidence.models import Blob, EvidenceFile, LegalHold
from zhifa.evidence.retention import evidence_item_adopt
from zhifa.evidence.services import disposal as disposal_module
from zhifa.evidence.services.disposal import (
    blob_bytes_purge,
    disposal_decide,
    disposal_request,
    files_due,
)
from zhifa.evidence.services.holds import hold_place
from zhifa.evidence.storage import LocalStorage, get_storage
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import AccountRole, RoleKind

from .custody_factories import (
    case_with_files,
    close,
    entries,
    generic_case,
    snapshot,
    storage_files,
    text_bytes,
)
from .factories import item, stored

REASON = "保存期限届满，非采信证据"


def _stored(f_: EvidenceFile) -> bool:
    return get_storage().exists(f_.blob.key)


def test_files_due_lists_only_disposable_files(a) -> None:
    due_case, (due,) = case_with_files(a, text_bytes("到期"))
    _c, (adopted,) = case_with_files(a, text_bytes("采信"))
    evidence_item_adopt(actor=a.u_officer, item=adopted.item, adopted=True)
    held_case, (held,) = case_with_files(a, text_bytes("争议"))
    hold_place(actor=a.u_officer, case=held_case, kind="litigation", reason="诉讼")
    _c, (open_file,) = case_with_files(a, text_bytes("未结案"), closed=False)
    recent = generic_case(a, received=dt.date(2026, 10, 1))
    recent_file = stored(a, item(a, recent), text_bytes("新近结案"), "recent.txt")
    close(a, recent, on=dt.date(2026, 10, 10))  # kept until 2027-04-10
    recent_file.refresh_from_db()
    assert recent_file.retain_until == dt.date(2027, 4, 10)
    assert list(files_due(bodies=[a.body])) == [due]
    assert list(files_due(bodies=[a.other_body])) == []
    disposal_request(actor=a.u_officer, files=[due], reason=REASON)
    assert list(files_due(bodies=[a.body])) == []  # already in a pending request
    assert {held.pk, open_file.pk, adopted.pk}.isdisjoint(
        files_due(bodies=[a.body]).values_list("pk", flat=True))
    assert due.case == due_case


def test_request_then_approval_disposes_and_leaves_a_tombstone(
        a, django_capture_on_commit_callbacks) -> None:
    case, (file,) = case_with_files(a, text_bytes("待销毁"), names=("笔录.txt",))
    blob = file.blob
    assert _stored(file)
    req = disposal_request(actor=a.u_officer, files=[file], reason=REASON)
    (requested,) = entries(case.stream, DISPOSAL_REQUESTED.code)
    assert requested["count"] == 1 and requested["reason"] == REASON
    assert requested["files"] == [{"file": str(file.public_id), "filename": "笔录.txt",
                                   "sha256": blob.sha256, "sm3": blob.sm3,
                                   "retain_until": "2025-09-10"}]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        disposal_decide(actor=a.u_head, request=req, approve=True, note="同意销毁")
    assert len(callbacks) == 1
    file.refresh_from_db()
    blob.refresh_from_db()
    req.refresh_from_db()
    assert file.state == "disposed" and file.disposed_at is not None
    assert blob.state == "deleted" and blob.deleted_at is not None
    assert not get_storage().exists(blob.key) and storage_files() == []
    assert (req.state, req.decided_by, req.decision_note) == ("approved", a.u_head, "同意销毁")
    (tombstone,) = entries(case.stream, FILE_DISPOSED.code)
    assert tombstone == {
        "case": case.number, "file": str(file.public_id), "item": str(file.item.public_id),
        "item_seq": 1, "filename": "笔录.txt", "mime": "text/plain", "size": blob.size,
        "sha256": blob.sha256, "sm3": blob.sm3, "sm3_short": blob.sm3[:16],
        "reason": REASON, "request": str(req.public_id), "requested_by": "李明",
        "approved_by": "王芳", "note": "同意销毁", "retention_class": None,
        "retain_until": "2025-09-10", "bytes_deleted": True}
    (decided,) = entries(case.stream, DISPOSAL_DECIDED.code)
    assert decided["decision"] == "approved" and decided["count"] == 1
    # the blob row keeps both hashes: the proof outlives the bytes
    assert Blob.objects.filter(sha256=tombstone["sha256"], sm3=tombstone["sm3"]).exists()


def test_shared_bytes_are_kept_until_every_file_using_them_is_disposed(
        a, django_capture_on_commit_callbacks) -> None:
    data = text_bytes("同一份材料")
    case1, (f1,) = case_with_files(a, data)
    case2, (f2,) = case_with_files(a, data)
    assert f1.blob_id == f2.blob_id
    req1 = disposal_request(actor=a.u_officer, files=[f1], reason=REASON)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        disposal_decide(actor=a.u_head, request=req1, approve=True)
    assert callbacks == []  # nothing to delete
    blob = Blob.objects.get(pk=f1.blob_id)
    assert blob.state == "present" and _stored(f2)
    assert entries(case1.stream, FILE_DISPOSED.code)[0]["bytes_deleted"] is False
    req2 = disposal_request(actor=a.u_officer, files=[f2], reason=REASON)
    with django_capture_on_commit_callbacks(execute=True):
        disposal_decide(actor=a.u_head, request=req2, approve=True)
    blob.refresh_from_db()
    assert blob.state == "deleted" and blob.deleted_at is not None
    assert not get_storage().exists(blob.key)
    assert entries(case2.stream, FILE_DISPOSED.code)[0]["bytes_deleted"] is True


def test_one_request_over_two_cases_of_the_body(a, django_capture_on_commit_callbacks) -> None:
    case1, (f1,) = case_with_files(a, text_bytes("一"))
    case2, (f2,) = case_with_files(a, text_bytes("二"))
    req = disposal_request(actor=a.u_officer, files=[f2, f1], reason=REASON)
    with django_capture_on_commit_callbacks(execute=True):
        disposal_decide(actor=a.u_head, request=req, approve=True)
    for case in (case1, case2):
        assert len(entries(case.stream, DISPOSAL_REQUESTED.code)) == 1
        assert len(entries(case.stream, FILE_DISPOSED.code)) == 1
        assert entries(case.stream, DISPOSAL_DECIDED.code)[0]["count"] == 1
    assert storage_files() == []


def test_request_refusals_change_nothing(a) -> None:
    _c, (open_file,) = case_with_files(a, text_bytes("未结案"), closed=False)
    _c, (adopted,) = case_with_files(a, text_bytes("采信"))
    evidence_item_adopt(actor=a.u_officer, item=adopted.item, adopted=True)
    held_case, (held,) = case_with_files(a, text_bytes("争议"))
    hold_place(actor=a.u_officer, case=held_case, kind="litigation", reason="诉讼")
    _c, (fine,) = case_with_files(a, text_bytes("可以"))
    other_case = generic_case(a)
    other_case.body = a.other_body
    other_case.save(update_fields=["body"])
    foreign = EvidenceFile.objects.create(case=other_case, item=fine.item, blob=fine.blob,
                                          filename="x", mime="text/plain", size=1)
    before = snapshot()
    cases = [
        (a.u_officer, [open_file], REASON, "file_not_disposable",
         ["retention_not_started", "case_open"]),
        (a.u_officer, [adopted], REASON, "file_not_disposable", ["file_permanent"]),
        (a.u_officer, [held], REASON, "file_not_disposable", ["case_on_hold"]),
        (a.u_officer, [fine, held], REASON, "file_not_disposable", ["case_on_hold"]),
        (a.u_officer, [], REASON, "disposal_files_required", None),
        (a.u_officer, [fine], "  ", "disposal_reason_required", None),
        (a.u_other, [fine], REASON, "case_out_of_scope", None),
        (a.u_supervisor, [fine], REASON, "missing_handle_cases", None),
        (a.u_officer, [fine, foreign], REASON, "disposal_mixed_bodies", None),
    ]
    for actor, files, reason, code, detail_codes in cases:
        with pytest.raises(ApplicationError) as err:
            disposal_request(actor=actor, files=files, reason=reason)
        assert err.value.code == code, (code, err.value.code)
        if detail_codes:
            assert [d["code"] for d in err.value.detail] == detail_codes
    assert snapshot() == before


def test_a_file_in_a_pending_request_is_not_asked_twice(a) -> None:
    _c, (file,) = case_with_files(a)
    disposal_request(actor=a.u_officer, files=[file], reason=REASON)
    before = snapshot()
    with pytest.raises(ApplicationError) as err:
        disposal_request(actor=a.u_officer2, files=[file], reason=REASON)
    assert [d["code"] for d in err.value.detail] == ["disposal_pending"]
    assert snapshot() == before


def test_not_yet_expired_is_refused(a) -> None:
    case = generic_case(a, received=dt.date(2026, 10, 1))
    file = stored(a, item(a, case), text_bytes("新"), "new.txt")
    close(a, case, on=dt.date(2026, 10, 10))
    file.refresh_from_db()
    before = snapshot()
    with pytest.raises(ApplicationError) as err:
        disposal_request(actor=a.u_officer, files=[file], reason=REASON)
    assert [d["code"] for d in err.value.detail] == ["retention_not_expired"]
    assert snapshot() == before


def _other_head(a):
    return f.user(f.person(a.other_body, "孙丽", roles=(RoleKind.HEAD,)),
                  roles=(AccountRole.HEAD,))


def test_decision_refusals_change_nothing(a, django_capture_on_commit_callbacks) -> None:
    _c, (file,) = case_with_files(a)
    by_head = disposal_request(actor=a.u_head, files=[file], reason=REASON)
    before = snapshot()
    for actor, approve, note, code in [
        (a.u_head, True, "", "disposal_self"),
        (a.u_officer2, True, "", "missing_approve_disposal"),
        (_other_head(a), True, "", "disposal_out_of_scope"),
        (a.u_sysadmin, True, "", "disposal_out_of_scope"),
    ]:
        with (django_capture_on_commit_callbacks(execute=True) as callbacks,
              pytest.raises(ApplicationError) as err):
            disposal_decide(actor=actor, request=by_head, approve=approve, note=note)
        assert err.value.code == code and callbacks == []
    assert snapshot() == before
    # a second head rejects without a note: refused; with a note: recorded
    head2 = f.user(f.person(a.body, "黄华", roles=(RoleKind.HEAD,)), roles=(AccountRole.HEAD,))
    with pytest.raises(ApplicationError) as err:
        disposal_decide(actor=head2, request=by_head, approve=False)
    assert err.value.code == "disposal_note_required"
    assert snapshot() == before
    disposal_decide(actor=head2, request=by_head, approve=False, note="尚在复议期内")
    before = snapshot()
    with pytest.raises(ApplicationError) as err:
        disposal_decide(actor=head2, request=by_head, approve=True)
    assert err.value.code == "disposal_closed"
    assert snapshot() == before


def test_rejection_records_the_decision_only(a) -> None:
    case, (file,) = case_with_files(a)
    req = disposal_request(actor=a.u_officer, files=[file], reason=REASON)
    stored_before = storage_files()
    disposal_decide(actor=a.u_head, request=req, approve=False, note="需继续保存")
    file.refresh_from_db()
    assert file.state == "active" and file.blob.state == "present"
    assert storage_files() == stored_before
    (decided,) = entries(case.stream, DISPOSAL_DECIDED.code)
    assert decided["decision"] == "rejected" and decided["note"] == "需继续保存"
    assert entries(case.stream, FILE_DISPOSED.code) == []
    # the file can be asked for again
    disposal_request(actor=a.u_officer, files=[file], reason=REASON)


def test_everything_is_checked_again_at_the_decision(a) -> None:
    case, (file,) = case_with_files(a)
    req = disposal_request(actor=a.u_officer, files=[file], reason=REASON)
    hold = hold_place(actor=a.u_officer, case=case, kind="complaint", reason="新的投诉")
    before = snapshot()
    with pytest.raises(ApplicationError) as err:
        disposal_decide(actor=a.u_head, request=req, approve=True)
    assert err.value.code == "file_not_disposable"
    assert [d["code"] for d in err.value.detail] == ["case_on_hold"]
    assert snapshot() == before
    assert LegalHold.objects.get(pk=hold.pk).released_at is None
    # the case reopened meanwhile (e.g. by a court's order): refused as well
    LegalHold.objects.filter(pk=hold.pk).delete()
    case.status = "open"
    case.save(update_fields=["status"])
    with pytest.raises(ApplicationError) as err:
        disposal_decide(actor=a.u_head, request=req, approve=True)
    assert [d["code"] for d in err.value.detail] == ["case_open"]


def test_a_failure_inside_the_decision_rolls_everything_back(
        a, monkeypatch, django_capture_on_commit_callbacks) -> None:
    _c, (file,) = case_with_files(a)
    req = disposal_request(actor=a.u_officer, files=[file], reason=REASON)
    real = disposal_module.ledger_append

    def failing(**kwargs):
        if kwargs["event"] is DISPOSAL_DECIDED:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(disposal_module, "ledger_append", failing)
    before = snapshot()
    with (django_capture_on_commit_callbacks(execute=True) as callbacks,
          pytest.raises(RuntimeError)):
        disposal_decide(actor=a.u_head, request=req, approve=True)
    assert callbacks == []  # the deletion was never scheduled: it runs only after a commit
    assert snapshot() == before  # rows, ledger and the stored bytes as they were
    assert _stored(file)


def test_a_failed_deletion_is_logged_and_retried(
        a, monkeypatch, django_capture_on_commit_callbacks, caplog) -> None:
    case, (file,) = case_with_files(a)
    req = disposal_request(actor=a.u_officer, files=[file], reason=REASON)

    def broken(self, key):
        raise OSError("read-only file system")

    monkeypatch.setattr(LocalStorage, "delete", broken)
    with django_capture_on_commit_callbacks(execute=True):
        disposal_decide(actor=a.u_head, request=req, approve=True)
    blob = Blob.objects.get(pk=file.blob_id)
    assert (blob.state, blob.deleted_at) == ("deleted", None)  # bytes pending deletion
    assert get_storage().exists(blob.key)
    assert "retried on the next run" in caplog.text
    assert EvidenceFile.objects.get(pk=file.pk).state == "disposed"
    monkeypatch.undo()
    assert blob_bytes_purge() == 1
    blob.refresh_from_db()
    assert blob.deleted_at is not None and not get_storage().exists(blob.key)
    assert blob_bytes_purge() == 0
    assert len(entries(case.stream, FILE_DISPOSED.code)) == 1


def test_the_same_bytes_uploaded_again_before_the_deletion_are_kept(
        a, django_capture_on_commit_callbacks) -> None:
    data = text_bytes("将被重新上传")
    _c, (file,) = case_with_files(a, data)
    req = disposal_request(actor=a.u_officer, files=[file], reason=REASON)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        disposal_decide(actor=a.u_head, request=req, approve=True)
    assert Blob.objects.get(pk=file.blob_id).state == "deleted"
    # a new upload of the same bytes revives the blob before the deletion runs
    new_case = generic_case(a)
    again = stored(a, item(a, new_case), data, "again.txt")
    assert again.blob_id == file.blob_id
    assert Blob.objects.get(pk=file.blob_id).state == "present"
    for callback in callbacks:
        callback()
    blob = Blob.objects.get(pk=file.blob_id)
    assert blob.state == "present" and get_storage().exists(blob.key)


def test_ledger_entries_of_a_disposal_verify(a, django_capture_on_commit_callbacks) -> None:
    from zhifa.ledger.verify import ledger_verify

    _c, (file,) = case_with_files(a)
    req = disposal_request(actor=a.u_officer, files=[file], reason=REASON)
    with django_capture_on_commit_callbacks(execute=True):
        disposal_decide(actor=a.u_head, request=req, approve=True)
    assert ledger_verify().ok
    tomb = LedgerEntry.objects.get(event_code=FILE_DISPOSED.code)
    assert json.loads(tomb.payload)["sha256"] == file.blob.sha256
