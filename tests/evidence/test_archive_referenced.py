"""Evidence files a package references by their hashes instead of holding them: the back note
says their originals are kept in the agency's store, so archiving makes them permanent (a
``RETENTION_CHANGED`` entry each, in the archiving transaction) and retention never disposes
of them afterwards."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.cases.factories import Agency
from tests.evidence.archive_helpers import PDF, closed_inspection, package_bytes
from tests.evidence.factories import PNG_1PX
from zhifa.evidence import events
from zhifa.evidence.archive.build import archive_create
from zhifa.evidence.archive.verify import verify_package
from zhifa.evidence.models import Blob, BlobState, EvidenceFile, FileState
from zhifa.evidence.retention import ARCHIVED_KEY, retention_recompute
from zhifa.evidence.services.disposal import disposal_blockers, files_due
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db

BIG = PDF + b"x" * 200
GONE = PDF + b"y" * 300
FAR = dt.date(2100, 1, 1)


@pytest.fixture(autouse=True)
def _keys(settings: Any, tmp_path: Path) -> None:
    settings.ZHIFA_LEDGER_KEY_DIR = str(tmp_path / "keys")
    settings.ZHIFA_ARCHIVE_EMBED_MAX_BYTES = 100


def _case(a: Agency) -> Any:
    """A closed case with a small file (embedded), a large one (referenced) and a large one
    whose bytes were disposed of (only its hashes remain)."""
    case = closed_inspection(a, files=[(PNG_1PX, "小图.png"), (BIG, "大文件.pdf"),
                                       (GONE, "已处置.pdf")])
    gone = EvidenceFile.objects.get(case=case, filename="已处置.pdf")
    EvidenceFile.objects.filter(pk=gone.pk).update(state=FileState.DISPOSED,
                                                   disposed_at=timezone.now())
    Blob.objects.filter(pk=gone.blob_id).update(state=BlobState.DELETED,
                                                deleted_at=timezone.now())
    return case


def _files(case: Any) -> dict[str, EvidenceFile]:
    return {f.filename: f for f in EvidenceFile.objects.filter(case=case)}


def _retention_entries(case: Any) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(stream=case.stream,
                                           event_code=events.RETENTION_CHANGED.code)
                .order_by("seq"))


def test_archiving_keeps_referenced_files_permanently(a: Agency, tmp_path: Path) -> None:
    case = _case(a)
    before = _files(case)
    assert not any(f.permanent for f in before.values())
    earlier = len(_retention_entries(case))  # the closing's

    archive = archive_create(actor=a.u_officer, case=case)

    after = _files(case)
    big = after["大文件.pdf"]
    assert big.permanent and big.meta[ARCHIVED_KEY] == archive.number
    # embedded (the package holds it) and disposed of (nothing left to keep): unchanged
    for name in ("小图.png", "已处置.pdf"):
        assert (after[name].permanent, after[name].retain_until, after[name].meta) == (
            before[name].permanent, before[name].retain_until, before[name].meta)
    (entry,) = _retention_entries(case)[earlier:]
    payload = json.loads(entry.payload)
    assert (payload["file"], payload["reason"], payload["archive"]) == (
        str(big.public_id), "archived_by_reference", archive.number)
    assert (payload["permanent"], payload["retain_until"], payload["months"]) == (
        True, None, None)
    assert payload["before"] == {"class": None, "permanent": False,
                                 "retain_until": before["大文件.pdf"].retain_until.isoformat()}
    # in the archiving transaction: after the archive step, before the sealing entry, and
    # covered by the checkpoint the package carries
    sealed = LedgerEntry.objects.get(seq=archive.ledger_seq)
    step = LedgerEntry.objects.filter(stream=case.stream, event_code=4002).latest("seq")
    assert step.seq < entry.seq < sealed.seq < archive.checkpoint.tree_size
    assert json.loads(sealed.payload)["embedded"] == 1
    path = tmp_path / "p.zip"
    path.write_bytes(package_bytes(archive))
    assert verify_package(path).ok


def test_a_referenced_file_stays_permanent_and_is_never_due_for_disposal(a: Agency) -> None:
    case = _case(a)
    archive_create(actor=a.u_officer, case=case)
    count = len(_retention_entries(case))
    assert retention_recompute(case, actor=a.u_officer, reason="recompute") == 0
    assert len(_retention_entries(case)) == count
    files = _files(case)
    big, small = files["大文件.pdf"], files["小图.png"]
    assert big.permanent
    due = set(files_due(bodies=[a.body], today=FAR).values_list("pk", flat=True))
    assert small.pk in due and big.pk not in due
    assert [code for code, _message in disposal_blockers(big, today=FAR)] == [
        "file_permanent"]


def test_a_failed_archiving_leaves_retention_as_it_was(a: Agency, monkeypatch: Any) -> None:
    import zhifa.evidence.archive.build as build

    case = _case(a)
    before = list(EvidenceFile.objects.filter(case=case).order_by("id").values())
    ledger = LedgerEntry.objects.count()
    retention = _retention_entries(case)

    def broken(**kwargs: Any) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(build, "blob_store", broken)
    with pytest.raises(OSError):
        archive_create(actor=a.u_officer, case=case)
    assert list(EvidenceFile.objects.filter(case=case).order_by("id").values()) == before
    assert LedgerEntry.objects.count() == ledger and _retention_entries(case) == retention
