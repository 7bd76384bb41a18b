"""Scrub and ``zhifa evidence verify``: stored bytes read back and hashed again; a flipped byte
and a deleted file are found, named (case, file, expected and actual) and recorded on the
ledger; exit status 1 on any failure, 0 otherwise; JSON output; random samples; and bytes
whose deletion failed are deleted on the next run."""

import io
import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from zhifa.core import tasks
from zhifa.evidence import scrub as scrub_module
from zhifa.evidence.events import SCRUB_MISMATCH, SCRUB_RUN
from zhifa.evidence.models import Blob
from zhifa.evidence.scrub import STREAM, scrub_run
from zhifa.evidence.storage import key_for

from .custody_factories import case_with_files, entries, snapshot, text_bytes
from .factories import PNG_1PX


def _path(blob: Blob) -> Path:
    return Path(settings.ZHIFA_EVIDENCE_DIR) / key_for(blob.sha256)


def flip_byte(blob: Blob, offset: int = 3) -> None:
    path = _path(blob)
    os.chmod(path, 0o640)  # stored read-only
    with open(path, "r+b") as fh:
        fh.seek(offset)
        byte = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([byte[0] ^ 0x01]))


def verify(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("evidence", "verify", *args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def test_all_good_marks_blobs_checked_and_records_the_run(a) -> None:
    case, files = case_with_files(a, text_bytes("一"), PNG_1PX, closed=False)
    report = scrub_run()
    assert report.ok and report.checked == 2
    assert report.bytes == sum(f.size for f in files)
    assert set(Blob.objects.values_list("verify_state", flat=True)) == {"ok"}
    assert all(b.verified_at is not None for b in Blob.objects.all())
    (run,) = entries(STREAM, SCRUB_RUN.code)
    assert run["checked"] == 2 and run["failed"] == 0 and run["failures"] == []
    assert entries(case.stream, SCRUB_MISMATCH.code) == []


def test_a_flipped_byte_is_found_named_and_recorded(a) -> None:
    case, (good, bad) = case_with_files(a, text_bytes("好"), text_bytes("坏"),
                                        names=("good.txt", "询问笔录.txt"), closed=False)
    flip_byte(bad.blob)
    report = scrub_run()
    assert not report.ok and report.checked == 2
    (failure,) = report.failures
    assert failure.problem == "hash_mismatch" and failure.sha256 == bad.blob.sha256
    assert failure.expected == {"sha256": bad.blob.sha256, "sm3": bad.blob.sm3,
                                "size": bad.blob.size}
    assert failure.actual is not None and failure.actual["size"] == bad.blob.size
    assert failure.actual["sha256"] != bad.blob.sha256
    assert failure.actual["sm3"] != bad.blob.sm3
    assert [(w.case, w.filename) for w in failure.used_by] == [(case.number, "询问笔录.txt")]
    assert Blob.objects.get(pk=bad.blob_id).verify_state == "mismatch"
    assert Blob.objects.get(pk=good.blob_id).verify_state == "ok"
    (mismatch,) = entries(case.stream, SCRUB_MISMATCH.code)
    assert mismatch["file"] == str(bad.public_id) and mismatch["problem_code"] == "hash_mismatch"
    assert mismatch["expected"]["sha256"] == bad.blob.sha256
    assert mismatch["actual"] == failure.actual
    (run,) = entries(STREAM, SCRUB_RUN.code)
    assert run["failed"] == 1
    assert run["failures"] == [{"sha256": bad.blob.sha256, "problem": "hash_mismatch",
                                "cases": [case.number]}]
    # the next run lists it again but does not repeat the case's entry
    scrub_run()
    assert len(entries(case.stream, SCRUB_MISMATCH.code)) == 1
    assert len(entries(STREAM, SCRUB_RUN.code)) == 2


def test_a_deleted_file_is_missing(a) -> None:
    case, (file,) = case_with_files(a, text_bytes("丢失"), closed=False)
    path = _path(file.blob)
    os.chmod(path, 0o640)
    path.unlink()
    report = scrub_run()
    (failure,) = report.failures
    assert failure.problem == "missing" and failure.actual is None
    assert Blob.objects.get(pk=file.blob_id).verify_state == "missing"
    (mismatch,) = entries(case.stream, SCRUB_MISMATCH.code)
    assert mismatch["problem_code"] == "missing"


def test_a_truncated_file_has_the_wrong_size(a) -> None:
    _case, (file,) = case_with_files(a, text_bytes("截断"), closed=False)
    path = _path(file.blob)
    os.chmod(path, 0o640)
    with open(path, "r+b") as fh:
        fh.truncate(5)
    (failure,) = scrub_run().failures
    assert failure.problem == "size_mismatch" and failure.actual["size"] == 5


def test_verify_exit_status_and_text(a) -> None:
    case, (file,) = case_with_files(a, text_bytes("命令"), names=("现场笔录.txt",),
                                    closed=False)
    code, out = verify()
    assert code == 0
    assert out.splitlines()[0].startswith("1 stored file(s), ")
    assert "MB/s" in out and out.rstrip().endswith("evidence verification OK")
    flip_byte(file.blob, offset=0)
    code, out = verify()
    assert code == 1
    assert f"FAILED hash_mismatch: {case.number} 现场笔录.txt" in out
    assert f"expected sha256 {file.blob.sha256} sm3 {file.blob.sm3} size {file.size}" in out
    assert "evidence verification FAILED: 1 of 1 stored file(s)" in out


def test_verify_json_and_sample(a) -> None:
    case, files = case_with_files(a, text_bytes("1"), text_bytes("2"), text_bytes("3"),
                                  closed=False)
    code, out = verify("--json", "--sample", "2")
    assert code == 0
    data = json.loads(out)
    assert (data["ok"], data["checked"], data["sample"], data["failed"]) == (True, 2, 2, 0)
    assert data["failures"] == [] and data["bytes"] > 0
    os.chmod(_path(files[1].blob), 0o640)
    _path(files[1].blob).unlink()
    out_io = io.StringIO()
    with pytest.raises(CommandError) as err:
        call_command("evidence", "verify", "--json", stdout=out_io, stderr=io.StringIO())
    assert err.value.returncode == 1
    data = json.loads(out_io.getvalue())
    assert data["ok"] is False and data["checked"] == 3 and data["failed"] == 1
    (failure,) = data["failures"]
    assert failure["problem"] == "missing" and failure["actual"] is None
    assert failure["expected"]["sha256"] == files[1].blob.sha256
    assert failure["used_by"] == [{"case": case.number, "case_id": str(case.public_id),
                                   "filename": "file1.txt", "file": str(files[1].public_id)}]


def test_verify_refuses_a_sample_below_one(a) -> None:
    case_with_files(a, closed=False)
    before = snapshot()
    code, out = verify("--sample", "0")
    assert code == 2 and "--sample" in out
    assert snapshot() == before


def test_disposed_blobs_are_not_checked_and_pending_deletions_retried(a) -> None:
    _case, (file,) = case_with_files(a, text_bytes("待删"), closed=False)
    Blob.objects.filter(pk=file.blob_id).update(state="deleted", deleted_at=None)
    file.state = "disposed"
    file.save(update_fields=["state"])
    assert _path(file.blob).exists()
    report = scrub_run()
    assert (report.checked, report.purged) == (0, 1)
    assert not _path(file.blob).exists()
    assert Blob.objects.get(pk=file.blob_id).deleted_at is not None


def test_the_periodic_task_is_registered_and_runs(a) -> None:
    case_with_files(a, closed=False)
    assert tasks.registered()["evidence.scrub"] is scrub_module.scrub_task
    result = tasks.run("evidence.scrub", sample=1)
    assert result["ok"] is True and result["checked"] == 1
    assert len(entries(STREAM, SCRUB_RUN.code)) == 1
