"""Archiving in two phases: the package's contents are written before the write transaction
opens, and built again inside it when the case or its number changed in between."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction

import zhifa.evidence.archive.build as build
from tests.cases.factories import Agency
from tests.evidence.archive_helpers import closed_inspection, members, save_package
from tests.evidence.factories import item, stored
from zhifa.cases.models import CaseCounter, CaseStatus
from zhifa.core.errors import ApplicationError
from zhifa.evidence import events
from zhifa.evidence.archive import layout
from zhifa.evidence.archive.numbering import archive_number_next, archive_number_peek
from zhifa.evidence.archive.verify import verify_package
from zhifa.evidence.models import Blob, CaseArchive, EvidenceFile
from zhifa.ledger import signing
from zhifa.ledger.models import Checkpoint, LedgerEntry

# real transactions: a test's own transaction would make every call look "inside" one
pytestmark = pytest.mark.django_db(transaction=True)

ADDED = b"%PDF-1.4\n% added between the phases\n%%EOF\n"


@pytest.fixture(autouse=True)
def _keys(settings: Any, tmp_path: Path) -> None:
    settings.ZHIFA_LEDGER_KEY_DIR = str(tmp_path / "keys")


def record_writes(monkeypatch: pytest.MonkeyPatch,
                  between: Callable[[], None] | None = None) -> list[bool]:
    """Replace ``write_contents``: each call records whether a transaction was open; after
    the first one (phase 1), ``between`` runs — a change made by someone else meanwhile."""
    calls: list[bool] = []
    original = build.write_contents

    def recording(writer: Any, cf: Any) -> Any:
        calls.append(transaction.get_connection().in_atomic_block)
        digests = original(writer, cf)
        if len(calls) == 1 and between is not None:
            between()
        return digests

    monkeypatch.setattr(build, "write_contents", recording)
    return calls


def scratch_left() -> list[Path]:
    return list(Path(settings.ZHIFA_UPLOAD_DIR).glob(f"{build.SCRATCH_PREFIX}*"))


def verified(archive: CaseArchive, tmp_path: Path) -> dict[str, bytes]:
    path = save_package(archive, tmp_path / "package.zip")
    report = verify_package(path, trusted_keys=list(signing.trusted_public_keys()))
    assert report.ok, report.problems
    assert report.archive_number == archive.number
    return members(path)


def test_the_evidence_is_written_before_the_transaction_opens(
        a: Agency, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    case = closed_inspection(a)
    calls = record_writes(monkeypatch)
    archive = build.archive_create(actor=a.u_officer, case=case)
    # written once, outside any transaction: nothing changed, so nothing was built again
    assert calls == [False]
    assert archive.number == "芙蓉市监档〔2026〕1号"
    case.refresh_from_db()
    assert (case.status, case.flags["archive_number"]) == (CaseStatus.ARCHIVED, archive.number)
    contents = verified(archive, tmp_path)
    manifest = json.loads(contents[layout.MANIFEST])
    assert manifest["archive"]["number"] == archive.number
    assert [e["filename"] for e in manifest["evidence"]] == ["现场照片.png", "检查笔录.pdf"]
    assert not scratch_left()


def test_evidence_added_between_the_phases_is_built_in(
        a: Agency, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    case = closed_inspection(a)
    added: list[EvidenceFile] = []

    def add_evidence() -> None:
        it = item(a, case, kind="documentary", title="补充的进货台账")
        added.append(stored(a, it, ADDED, "进货台账.pdf"))

    calls = record_writes(monkeypatch, add_evidence)
    archive = build.archive_create(actor=a.u_officer, case=case)
    # phase 1's package no longer showed the case: built again, inside the transaction
    assert calls == [False, True]
    contents = verified(archive, tmp_path)
    manifest = json.loads(contents[layout.MANIFEST])
    new = next(e for e in manifest["evidence"] if e["file"] == str(added[0].public_id))
    assert (new["title"], new["filename"], new["sha256"], new["embedded"]) == (
        "补充的进货台账", "进货台账.pdf", added[0].blob.sha256, True)
    assert contents[new["path"]] == ADDED
    assert len(manifest["evidence"]) == 3
    sealed = LedgerEntry.objects.get(seq=archive.ledger_seq)
    assert sealed.event_code == events.ARCHIVE_CREATED.code
    payload = json.loads(sealed.payload)
    assert (payload["evidence_files"], payload["manifest_sha256"]) == (
        3, archive.manifest_sha256)
    assert not scratch_left()


def test_a_number_taken_between_the_phases_is_built_in(
        a: Agency, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    case = closed_inspection(a)
    taken: list[str] = []

    def take_a_number() -> None:
        with transaction.atomic():
            taken.append(archive_number_next(a.body, 2026))

    calls = record_writes(monkeypatch, take_a_number)
    archive = build.archive_create(actor=a.u_officer, case=case)
    assert taken == ["芙蓉市监档〔2026〕1号"]
    assert calls == [False, True]
    assert archive.number == "芙蓉市监档〔2026〕2号"
    manifest = json.loads(verified(archive, tmp_path)[layout.MANIFEST])
    assert manifest["archive"]["number"] == "芙蓉市监档〔2026〕2号"
    assert CaseCounter.objects.get(body=a.body, kind="archive", year=2026).last == 2
    assert not scratch_left()


def test_a_case_archived_between_the_phases_is_refused_with_nothing_changed(
        a: Agency, monkeypatch: pytest.MonkeyPatch) -> None:
    case = closed_inspection(a)
    state: dict[str, Any] = {}

    def archive_it_first() -> None:
        monkeypatch.undo()  # the other archiving runs unrecorded
        state["first"] = build.archive_create(actor=a.u_head, case=case)
        state["before"] = (CaseArchive.objects.count(), Blob.objects.count(),
                           LedgerEntry.objects.count(), Checkpoint.objects.count(),
                           CaseCounter.objects.get(body=a.body, kind="archive").last)

    record_writes(monkeypatch, archive_it_first)
    with pytest.raises(ApplicationError) as info:
        build.archive_create(actor=a.u_officer, case=case)
    assert info.value.code == "archive_exists"
    assert (CaseArchive.objects.count(), Blob.objects.count(), LedgerEntry.objects.count(),
            Checkpoint.objects.count(),
            CaseCounter.objects.get(body=a.body, kind="archive").last) == state["before"]
    assert CaseArchive.objects.get(case=case) == state["first"]
    assert not scratch_left()


def test_peeking_the_next_number_takes_nothing(a: Agency) -> None:
    closed_inspection(a, files=[])
    assert archive_number_peek(a.body, 2026) == "芙蓉市监档〔2026〕1号"
    assert not CaseCounter.objects.filter(kind="archive").exists()
    with transaction.atomic():
        assert archive_number_next(a.body, 2026) == "芙蓉市监档〔2026〕1号"
    assert archive_number_peek(a.body, 2026) == "芙蓉市监档〔2026〕2号"
    assert archive_number_peek(a.body, 2026) == "芙蓉市监档〔2026〕2号"
    assert CaseCounter.objects.get(body=a.body, kind="archive", year=2026).last == 1
