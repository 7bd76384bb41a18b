"""Issued documents in the case-file archive package: the PDF as issued, in the case file's
order (the decision part), listed in the index with its number; a voided document listed as
voided without a file; the offline verifier checks them like every other member, and a
changed byte of a document fails it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from tests.cases.factories import Agency, act, company_party, reported
from tests.documents.factories import complete_fields, decision_draft, draft, issued
from tests.evidence.archive_helpers import members, rezip, save_package
from zhifa.documents.models import Document, DocumentState
from zhifa.documents.services import document_void, read_bytes
from zhifa.evidence.archive import contributors, layout
from zhifa.evidence.archive.build import archive_create
from zhifa.evidence.archive.verify import verify_package

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def _keys(settings: Any, tmp_path: Path) -> None:
    settings.ZHIFA_LEDGER_KEY_DIR = str(tmp_path / "keys")


def closed_with_documents(a: Agency) -> tuple[Any, dict[str, Document]]:
    """A general case from the report to closed: a first prior notice issued and voided (its
    number stays), the second one issued and served, the decision issued and served, the
    fine paid."""
    party = dataclasses.replace(company_party(), address="长沙市芙蓉区五一大道1号")
    case = reported(a, parties=[party])
    fields = complete_fields("prior_notice", 拟处罚内容="罚款人民币伍仟元整（5,000元）。")
    wrong = issued(a, draft(a, case, "prior_notice", fields={
        **fields, "拟处罚内容": "罚款人民币伍万元整（50,000元）。"}), issued_on=D(2026, 9, 21))
    wrong = document_void(actor=a.u_head, document=wrong, reason="拟处罚金额有误")
    notice = issued(a, draft(a, case, "prior_notice", fields=fields), issued_on=D(2026, 9, 21))
    act(a, case, "serve_notice", acted_on=D(2026, 9, 22), served_on=D(2026, 9, 22),
        method="direct")
    decision = decision_draft(a, case)
    act(a, case, "decide", acted_on=D(2026, 9, 29), outcome="penalty", kinds=["fine"],
        fine="5000", reasons="见决定书")
    decision = issued(a, decision, issued_on=D(2026, 9, 29))
    act(a, case, "serve_decision", acted_on=D(2026, 9, 30), served_on=D(2026, 9, 30),
        method="direct")
    act(a, case, "record_payment", acted_on=D(2026, 10, 9), amount="5000", receipt="R1")
    act(a, case, "close", acted_on=D(2026, 10, 20), summary="罚款已全额缴纳")
    case.refresh_from_db()
    return case, {"notice": notice, "voided": wrong, "decision": decision}


def test_the_documents_app_contributes_to_the_case_file() -> None:
    assert "documents" in contributors.registered()


def test_issued_documents_are_in_the_package_in_order_and_verify(a: Agency,
                                                                   tmp_path: Path) -> None:
    case, docs = closed_with_documents(a)
    # a draft never issued is not a record of the case file
    draft(a, case, "e_service_consent")
    archive = archive_create(actor=a.u_officer, case=case)
    path = save_package(archive, tmp_path / "package.zip")
    report = verify_package(path)
    assert report.ok, report.problems
    contents = members(path)
    manifest = json.loads(contents[layout.MANIFEST])
    notice, voided, decision = docs["notice"], docs["voided"], docs["decision"]
    assert (voided.number, notice.number, decision.number) == (
        "芙蓉市监罚告〔2026〕1号", "芙蓉市监罚告〔2026〕2号", "芙蓉市监罚〔2026〕1号")
    assert voided.state == DocumentState.VOIDED

    # the decision part of the index: the decide step, then the documents in their order
    # (the prior notices, then the decision), each with its number; the voided one listed
    # without a file
    rows = [(r["title"], r["path"], r["note"]) for r in manifest["index"]]
    decide_at = next(i for i, r in enumerate(rows) if r[0] == "作出决定")
    notice_member = f"documents/{decide_at + 3:03d}-行政处罚事先告知书{notice.number}.pdf"
    decision_member = f"documents/{decide_at + 4:03d}-行政处罚决定书{decision.number}.pdf"
    assert rows[decide_at + 1:decide_at + 4] == [
        (f"行政处罚事先告知书（{voided.number}）",
         f"{layout.BACK_NOTE}#doc-document-{voided.public_id}", "已作废：拟处罚金额有误"),
        (f"行政处罚事先告知书（{notice.number}）", notice_member, ""),
        (f"行政处罚决定书（{decision.number}）", decision_member, ""),
    ]
    assert rows[decide_at + 4][0] == "送达决定书"  # the service part follows
    # members: after the steps record, before the back note; the PDF bytes as issued
    names = list(contents)
    assert names[:5] == [layout.COVER, layout.INDEX, layout.STEPS, notice_member,
                         decision_member]
    assert not any(n.startswith(layout.DOCUMENTS_DIR) for n in names[5:])
    for member, doc in ((notice_member, notice), (decision_member, decision)):
        data = read_bytes(doc.pdf)
        assert data.startswith(b"%PDF")
        assert contents[member] == data
        listed = next(m for m in manifest["members"] if m["path"] == member)
        assert listed == {"path": member, "role": "document", "size": len(data),
                          "sha256": hashlib.sha256(data).hexdigest(),
                          "sm3": hashlib.new("sm3", data).hexdigest()}
        assert (doc.pdf.sha256, doc.pdf.sm3) == (listed["sha256"], listed["sm3"])
    assert [(d["number"], d["state"], d["path"] is not None) for d in manifest["documents"]] \
        == [(voided.number, "voided", False), (notice.number, "issued", True),
            (decision.number, "issued", True)]
    # the voided one's file is not in the package; the back note says why
    assert read_bytes(voided.pdf) not in contents.values()
    note = contents[layout.BACK_NOTE].decode()
    assert f'id="doc-document-{voided.public_id}"' in note and "拟处罚金额有误" in note
    assert "执法文书2份" in contents[layout.COVER].decode()
    assert f"行政处罚决定书（{decision.number}）" in contents[layout.INDEX].decode()


def test_a_changed_document_member_fails_verification(a: Agency, tmp_path: Path) -> None:
    case, docs = closed_with_documents(a)
    archive = archive_create(actor=a.u_officer, case=case)
    path = save_package(archive, tmp_path / "package.zip")
    contents = members(path)
    member = next(n for n in contents if n.startswith(layout.DOCUMENTS_DIR)
                  and docs["decision"].number in n)
    data = bytearray(contents[member])
    data[len(data) // 2] ^= 0x01
    contents[member] = bytes(data)
    day = dt.date.fromisoformat(json.loads(contents[layout.MANIFEST])["archive"]["archived_on"])
    report = verify_package(rezip(tmp_path / "tampered.zip", contents, day=day))
    assert not report.ok
    assert [(p.where, p.code) for p in report.problems] == [(f"member {member}", "member_hash")]


def test_a_document_missing_from_storage_stops_the_archiving(a: Agency, settings: Any) -> None:
    from zhifa.evidence.models import CaseArchive
    from zhifa.evidence.storage import storage_named
    from zhifa.ledger.models import LedgerEntry

    case, docs = closed_with_documents(a)
    blob = docs["decision"].pdf
    path = Path(storage_named(blob.storage).path(blob.key))
    path.write_bytes(path.read_bytes() + b"tampered")
    entries = LedgerEntry.objects.count()
    from zhifa.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as err:
        archive_create(actor=a.u_officer, case=case)
    assert err.value.code == "archive_document_damaged"
    case.refresh_from_db()
    assert (case.status, CaseArchive.objects.count(), LedgerEntry.objects.count()) == (
        "closed", 0, entries)
