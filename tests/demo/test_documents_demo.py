"""The demo province's enforcement documents: profiles, a filed province template, serial
books, a decision document drafted before every decision, issued documents with gapless
numbers that follow the calendar, their service, and a case-file package that holds them."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from collections import Counter
from typing import Any

import pytest
from django.utils import timezone

from zhifa.cases.events import APPROVAL_REQUESTED
from zhifa.cases.models import ApprovalRequest, Case, CaseStep
from zhifa.demo.data.accounts import ACCOUNTS_BODY
from zhifa.demo.data.bodies import BODIES
from zhifa.demo.data.publicity import URBAN_BODY
from zhifa.documents.doctypes import REASONS_ELEMENT
from zhifa.documents.events import DOCUMENT_DRAFTED, DOCUMENT_ISSUED
from zhifa.documents.models import (
    Document,
    DocumentProfile,
    DocumentState,
    DocumentTemplate,
    SerialBook,
    SerialUse,
    ServiceRecord,
    TemplateScope,
    TemplateState,
)
from zhifa.documents.services import serial_find
from zhifa.evidence.archive import layout
from zhifa.evidence.archive.verify import verify_package
from zhifa.evidence.models import CaseArchive
from zhifa.evidence.storage import LocalStorage
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import EnforcementBody

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DECISIONS = {"penalty": "penalty_decision", "no_penalty": "no_penalty_decision"}
ACCOUNTS_BODY_NAME = next(b.name for b in BODIES if b.key == ACCOUNTS_BODY)
URBAN_BODY_NAME = next(b.name for b in BODIES if b.key == URBAN_BODY)


def test_bodies_have_profiles_and_the_province_a_filed_template(demo: Any) -> None:
    with_cases = EnforcementBody.objects.filter(cases__isnull=False).distinct()
    assert with_cases.count() == 10
    for body in with_cases:
        p = DocumentProfile.objects.get(body=body)
        assert "演示" in p.address and "演示" in p.phone and p.phone.startswith("0731-")
        assert p.reconsideration_body.endswith("人民政府")
        assert p.court.endswith("人民法院") and "十五日内" in p.payment_instructions
    template = DocumentTemplate.objects.get(scope=TemplateScope.PROVINCE)
    assert (template.doc_type, template.state, template.region.code, template.filing_number,
            template.filed_with) == ("prior_notice", TemplateState.IN_FORCE, "430000",
                                     "湘司备〔2026〕3号（演示）", "湖南省司法厅（演示）")
    assert template.filed_on is not None and template.filed_on <= TODAY
    # the prior notices issued since are printed on it
    notices = Document.objects.filter(doc_type="prior_notice", issued_at__isnull=False)
    assert notices.exists() and {d.template_id for d in notices} == {template.pk}


def test_summary_serials_come_from_the_serial_books(demo: Any) -> None:
    steps = CaseStep.objects.filter(action="decide_on_spot").select_related("case__body")
    assert steps.count() >= 30
    for step in steps:
        book = serial_find(step.case.body, step.data["serial"])
        assert book is not None and book.body_id == step.case.body_id, step.data["serial"]
    assert SerialBook.objects.count() == 5
    body = EnforcementBody.objects.get(name=ACCOUNTS_BODY_NAME)
    uses = Counter(SerialUse.objects.filter(book__body=body).values_list("state", flat=True))
    issued = Document.objects.filter(case__body=body, doc_type="summary_decision",
                                     state=DocumentState.ISSUED)
    assert uses == {"used": issued.count(), "voided": 1} and issued.count() >= 2
    assert set(issued.values_list("number", flat=True)) == set(
        SerialUse.objects.filter(book__body=body, state="used").values_list("serial",
                                                                            flat=True))
    spoiled = SerialUse.objects.get(state="voided")
    assert not CaseStep.objects.filter(data__serial=spoiled.serial).exists()


def test_every_general_decision_was_made_on_its_drafted_document(demo: Any) -> None:
    steps = [s for s in CaseStep.objects.filter(action="decide", case__procedure="general")
             if s.data.get("outcome") in DECISIONS]
    asked = [r for r in ApprovalRequest.objects.filter(action="decide",
                                                       case__procedure="general")
             if r.data.get("outcome") in DECISIONS]
    assert len(steps) >= 20 and len(asked) > len(steps)  # some are waiting for approval
    for request in asked:
        docs = Document.objects.filter(case=request.case, doc_type=DECISIONS[
            request.data["outcome"]]).exclude(state=DocumentState.VOIDED)
        assert docs.count() == 1, request.case.number
        doc = docs.get()
        assert doc.is_demo
        for reason in REASONS_ELEMENT.placeholders:
            assert len(doc.fields[reason]) >= 30, (request.case.number, reason)
        # drafted before the decision was asked for
        first_ask = LedgerEntry.objects.filter(
            stream=request.case.stream, event_code=APPROVAL_REQUESTED.code,
            payload__contains='"decide"').order_by("seq").first()
        drafted = LedgerEntry.objects.get(stream=request.case.stream,
                                          event_code=DOCUMENT_DRAFTED.code,
                                          payload__contains=str(doc.public_id))
        assert first_ask is not None and drafted.seq < first_ask.seq, request.case.number


def test_issued_documents_are_numbered_without_gaps_in_the_order_of_their_dates(
        demo: Any) -> None:
    issued = Document.objects.filter(issued_at__isnull=False)
    assert 15 <= issued.count() <= 30  # a subset, to keep the load short
    assert not Document.objects.filter(is_demo=False).exists()
    # and the decisions of the body with the second publicity clerk (data.publicity)
    assert set(issued.values_list("case__body__name", flat=True)) == {ACCOUNTS_BODY_NAME,
                                                                        URBAN_BODY_NAME}
    for doc in issued:
        assert doc.pdf is not None and doc.docx is not None and len(doc.verify_code) == 12
        assert doc.issued_on is not None and doc.issued_on <= TODAY
        # on the case's chain, with the hashes of both files
        entry = LedgerEntry.objects.get(stream=doc.case.stream, event_code=DOCUMENT_ISSUED.code,
                                        payload__contains=str(doc.public_id))
        payload = json.loads(entry.payload)
        assert (payload["number"], payload["pdf"]["sha256"], payload["docx"]["sm3"]) == (
            doc.number, doc.pdf.sha256, doc.docx.sm3)
    assert Counter(issued.values_list("doc_type", flat=True)).keys() >= {
        "prior_notice", "penalty_decision", "no_penalty_decision", "summary_decision"}
    groups: dict[tuple[int, str, int], list[tuple[int, dt.date]]] = {}
    for doc in issued.exclude(number_seq=None):
        groups.setdefault((doc.case.body_id, doc.number_key, doc.number_year), []).append(
            (doc.number_seq, doc.issued_on))
    assert groups
    for key, rows in groups.items():
        rows.sort()
        assert [seq for seq, _day in rows] == list(range(1, len(rows) + 1)), key
        days = [day for _seq, day in rows]
        assert days == sorted(days), key
        assert {d.year for d in days} == {key[2]}
    # one issued by mistake and voided: its number stays on record
    voided = Document.objects.get(state=DocumentState.VOIDED)
    assert voided.number and voided.void_reason and voided.doc_type == "prior_notice"
    again = Document.objects.get(case=voided.case, doc_type="prior_notice",
                                 state=DocumentState.ISSUED)
    assert again.number_seq == voided.number_seq + 1


def test_issued_documents_are_served(demo: Any) -> None:
    records = ServiceRecord.objects.select_related("document", "case_step")
    methods = Counter(records.values_list("method", "state"))
    assert methods[("mail", "served")] == 1 and methods[("announcement", "pending")] == 1
    assert methods[("direct", "served")] >= 8 and sum(methods.values()) == records.count()
    for record in records.filter(state="served"):
        # the service recorded the case's serving step, dated the day of service
        step = record.case_step
        assert step is not None and step.action in ("serve_notice", "serve_decision")
        assert step.data["served_on"] == record.served_on.isoformat() == step.acted_on.isoformat()
        assert record.served_on >= record.document.issued_on
    mailed = records.get(method="mail")
    assert mailed.tracking_number and mailed.document.doc_type == "penalty_decision"
    pending = records.get(method="announcement")
    assert pending.announced_on == TODAY and pending.case_step is None
    assert pending.served_on == TODAY + dt.timedelta(days=30)
    assert not pending.document.case.steps.filter(action="serve_decision").exists()
    # every decision issued, except the one announced, was served
    unserved = Document.objects.filter(
        doc_type__in=DECISIONS.values(), state=DocumentState.ISSUED,
        services__isnull=True)
    assert not unserved.exclude(case__stage="decided").exists()


def test_a_packaged_case_holds_its_documents(demo: Any, demo_media: Any) -> None:
    archive = next(a for a in CaseArchive.objects.select_related("case", "package")
                   if Document.objects.filter(case=a.case, issued_at__isnull=False).exists())
    store = LocalStorage(demo_media / "media")  # where the demo stored its files
    path = store.path(archive.package.key)
    report = verify_package(path)
    assert report.ok, report.problems
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        manifest = json.loads(z.read(layout.MANIFEST))
        members = {n: z.read(n) for n in names if n.startswith(layout.DOCUMENTS_DIR)}
    docs = Document.objects.filter(case=archive.case, issued_at__isnull=False)
    issued = docs.filter(state=DocumentState.ISSUED)
    assert len(members) == issued.count() >= 2
    by_hash = {hashlib.sha256(data).hexdigest(): name for name, data in members.items()}
    for doc in issued:
        assert doc.pdf.sha256 in by_hash and doc.number in by_hash[doc.pdf.sha256]
        assert members[by_hash[doc.pdf.sha256]] == store.path(doc.pdf.key).read_bytes()
    listed = {d["number"]: d for d in manifest["documents"]}
    assert set(listed) == set(docs.values_list("number", flat=True))
    voided = docs.filter(state=DocumentState.VOIDED)
    assert voided.count() == 1
    assert listed[voided.get().number]["path"] is None
    titles = [r["title"] for r in manifest["index"]]
    for doc in docs:
        assert any(doc.number in t for t in titles), doc.number
    assert Case.objects.get(pk=archive.case_id).status == "archived"
