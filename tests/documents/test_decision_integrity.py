"""The decision issued is the decision approved: a draft decision document is locked while its
decision waits for approval and once it is made, and is refused at issue if it was changed
after; an issued document read through the preview is on the ledger; a served document is not
voided; a voided summary decision spoils its form; the party's address on decisions; the hearing
right on the prior notice; the written reasons of a licensing denial. Every refusal changes
nothing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from tests.cases.factories import (
    Agency,
    act,
    company_party,
    general_to_notice,
    open_case,
    person_party,
)
from tests.documents.factories import (
    complete_fields,
    decision_draft,
    draft,
    issued,
    refused_unchanged,
)
from zhifa.cases.models import ApprovalRequest, ApprovalStatus, CaseStep, SourceKind
from zhifa.cases.services import approval_decide, approval_withdraw, case_act
from zhifa.core.errors import ApplicationError
from zhifa.disclosure.events import PUBLICATION_CANCELLED
from zhifa.documents.events import DOCUMENT_DOWNLOADED, DOCUMENT_VOIDED, SERIAL_VOIDED
from zhifa.documents.models import Document, DocumentState, SerialState, SerialUse
from zhifa.documents.services import (
    document_draft,
    document_preview,
    document_update,
    document_void,
    prefill,
    serial_book_register,
    service_record,
    system_template_ensure,
)
from zhifa.documents.services.checks import decision_lock
from zhifa.documents.services.context import HEARING_RIGHT_NO, HEARING_RIGHT_YES
from zhifa.documents.services.issue import document_issue
from zhifa.ledger.models import LedgerEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_hooks")]
D = dt.date
ON = D(2026, 9, 29)
DECIDE = {"acted_on": ON.isoformat(), "outcome": "penalty", "kinds": ["fine"], "fine": "5000",
          "reasons": "见决定书"}


def state() -> dict[str, Any]:
    return {"documents": list(Document.objects.order_by("id").values()),
            "steps": CaseStep.objects.count(),
            "approvals": list(ApprovalRequest.objects.order_by("id").values("id", "status")),
            "serials": list(SerialUse.objects.order_by("id").values()),
            "ledger": LedgerEntry.objects.count()}


def refused(code: str, fn: Any) -> ApplicationError:
    return refused_unchanged(code, fn, state)


def requested(a: Agency) -> tuple[Any, Document, ApprovalRequest]:
    """A general case whose ``decide`` waits for the head, on its complete draft."""
    case = general_to_notice(a)
    doc = decision_draft(a, case)
    result = case_act(actor=a.u_officer, case=case, action="decide", data=DECIDE)
    assert result.approval is not None and result.step is None
    return case, doc, result.approval


# --- 1. the text approved is the text issued ---------------------------------------------------

def test_the_draft_is_locked_while_the_decision_waits_for_approval(a: Agency) -> None:
    case, doc, req = requested(a)
    assert decision_lock(doc) == "pending"
    err = refused("decision_draft_locked", lambda: document_update(
        actor=a.u_officer, document=doc, fields={"裁量理由": "改为从重处罚"}))
    assert "approval" in err.message or "审批" in err.message
    assert err.detail == {"lock": "pending", "doc_type": "penalty_decision"}
    # nor can another draft take its place while the head reads this one
    refused("decision_draft_locked", lambda: decision_draft(a, case))
    # withdrawn: the officer may change it again (and must ask again)
    approval_withdraw(actor=a.u_officer, request=req)
    assert decision_lock(doc) is None
    doc = document_update(actor=a.u_officer, document=doc, fields={"裁量理由": "从轻处罚"})
    assert doc.fields["裁量理由"] == "从轻处罚"


def test_the_draft_is_locked_once_the_decision_is_made_and_issues_unchanged(a: Agency) -> None:
    case, doc, req = requested(a)
    approval_decide(actor=a.u_head, request=req, approve=True)
    doc.refresh_from_db()
    assert decision_lock(doc) == "decided"
    err = refused("decision_draft_locked", lambda: document_update(
        actor=a.u_officer, document=doc, fields={"处罚内容": "罚款人民币壹万元整。"}))
    assert err.detail["lock"] == "decided"
    # a new draft cannot replace the one decided on
    refused("decision_draft_locked", lambda: document_draft(
        actor=a.u_officer, case=case, doc_type="penalty_decision",
        fields=complete_fields("penalty_decision")))
    done = document_issue(actor=a.u_officer, document=doc, issued_on=ON)
    assert done.state == DocumentState.ISSUED
    assert done.context["处罚内容"] == complete_fields("penalty_decision")["处罚内容"]


def test_a_draft_changed_after_the_decision_is_not_issued(a: Agency) -> None:
    _case, doc, req = requested(a)
    approval_decide(actor=a.u_head, request=req, approve=True)
    # changed behind the services' back (no entry, no lock): the issue still sees it
    doc.refresh_from_db()
    doc.fields = {**doc.fields, "处罚内容": "罚款人民币壹万元整。"}
    doc.save()
    err = refused("decision_changed_after_approval",
                  lambda: document_issue(actor=a.u_officer, document=doc, issued_on=ON))
    assert err.detail["step"] == "decide"


def test_a_draft_made_after_the_decision_is_not_issued(a: Agency) -> None:
    case, _doc, req = requested(a)
    approval_decide(actor=a.u_head, request=req, approve=True)
    # made behind the services' back after the decision (the service refuses it)
    later = Document.objects.create(case=case, doc_type="penalty_decision",
                                    fields=complete_fields("penalty_decision"),
                                    created_by=a.u_officer)
    refused("decision_changed_after_approval",
            lambda: document_issue(actor=a.u_officer, document=later, issued_on=ON))


def test_a_sent_back_decision_unlocks_the_draft(a: Agency) -> None:
    _case, doc, req = requested(a)
    approval_decide(actor=a.u_head, request=req, approve=False, comment="裁量理由不充分")
    req.refresh_from_db()
    assert req.status == ApprovalStatus.REJECTED
    assert decision_lock(doc) is None
    assert document_update(actor=a.u_officer, document=doc,
                           fields={"裁量理由": "补充裁量理由"}).fields["裁量理由"] == "补充裁量理由"


def test_other_documents_of_the_case_are_not_locked(a: Agency) -> None:
    case, _doc, _req = requested(a)
    notice = draft(a, case, "closing_report")
    assert decision_lock(notice) is None
    assert document_update(actor=a.u_officer, document=notice,
                           fields={"处理结果": "罚款"}).fields["处理结果"] == "罚款"


def summary_case(a: Agency, serial: str) -> Any:
    case = open_case(a, "summary", received_on=D(2026, 9, 1), parties=[person_party()])
    act(a, case, "decide_on_spot", acted_on=D(2026, 9, 1), act_date=D(2026, 9, 1),
        facts="当事人占道经营", kinds=["fine"], fine="50", serial=serial)
    return case


def test_a_summary_decision_written_after_the_spot_decision_stays_editable(a: Agency) -> None:
    case = summary_case(a, "S-0100")
    doc = draft(a, case, "summary_decision", fields=complete_fields("summary_decision"))
    assert decision_lock(doc) is None
    doc = document_update(actor=a.u_officer, document=doc, fields={"处罚时间地点": "现场"})
    assert document_issue(actor=a.u_officer, document=doc).number == "S-0100"


# --- 2. reading an issued document through the preview is on the ledger -------------------------

def test_the_preview_of_an_issued_document_is_recorded_as_a_download(a: Agency) -> None:
    case, doc, req = requested(a)
    approval_decide(actor=a.u_head, request=req, approve=True)
    doc = document_issue(actor=a.u_officer, document=doc, issued_on=ON)
    before = LedgerEntry.objects.filter(stream=case.stream).count()
    data = document_preview(actor=a.u_head, document=doc, fmt="pdf")
    assert data.startswith(b"%PDF")
    entries = list(LedgerEntry.objects.filter(stream=case.stream).order_by("stream_seq"))
    assert len(entries) == before + 1
    entry = entries[-1]
    assert (entry.event_code, entry.actor_id) == (DOCUMENT_DOWNLOADED.code, a.u_head.pk)
    assert pdf_entry(entry, doc) == {"format": "pdf", "sha256": doc.pdf.sha256,  # type: ignore[union-attr]
                                     "number": doc.number}


def pdf_entry(entry: LedgerEntry, doc: Document) -> dict[str, Any]:
    payload = json.loads(entry.payload)
    assert payload["document"] == str(doc.public_id)
    return {k: payload[k] for k in ("format", "sha256", "number")}


def test_the_preview_of_a_draft_writes_nothing(a: Agency) -> None:
    case = general_to_notice(a)
    doc = decision_draft(a, case)
    system_template_ensure("penalty_decision")  # made on its first use, with its entry
    before = state()
    assert document_preview(actor=a.u_officer, document=doc, fmt="docx")[:2] == b"PK"
    assert state() == before


# --- 3. a served document is not voided --------------------------------------------------------

def test_a_served_document_cannot_be_voided(a: Agency) -> None:
    _case, doc, req = requested(a)
    approval_decide(actor=a.u_head, request=req, approve=True)
    doc = document_issue(actor=a.u_officer, document=doc, issued_on=ON)
    service_record(actor=a.u_officer, document=doc, method="direct", recipient="陈某",
                   served_on=ON)
    err = refused("document_served", lambda: document_void(
        actor=a.u_head, document=doc, reason="处罚内容有误"))
    assert doc.number in err.message


# --- 4. a voided summary decision spoils its form ----------------------------------------------

def test_voiding_an_issued_summary_decision_voids_its_serial(a: Agency) -> None:
    serial_book_register(actor=a.u_head, body=a.body, first=1, last=100, prefix="湘F",
                         received_on=D(2026, 8, 1))
    case = summary_case(a, "湘F00000007")
    doc = issued(a, draft(a, case, "summary_decision",
                          fields=complete_fields("summary_decision")))
    use = SerialUse.objects.get(serial="湘F00000007")
    assert use.state == SerialState.USED
    voided = document_void(actor=a.u_head, document=doc, reason="当事人名称写错")
    assert voided.state == DocumentState.VOIDED
    use.refresh_from_db()
    assert (use.state, use.reason, use.case) == (SerialState.VOIDED, "当事人名称写错", case)
    # the decision's publication draft is cancelled with it (disclosure's void listener)
    doc_entry, cancelled, serial_entry = LedgerEntry.objects.filter(
        stream=case.stream).order_by("-stream_seq")[:3][::-1]
    assert doc_entry.event_code == DOCUMENT_VOIDED.code
    assert cancelled.event_code == PUBLICATION_CANCELLED.code
    assert (serial_entry.event_code, serial_entry.seq) == (SERIAL_VOIDED.code, use.ledger_seq)
    assert json.loads(serial_entry.payload) == {
        "serial": "湘F00000007", "reason": "当事人名称写错", "case": case.number,
        "book": str(use.book.public_id), "document": str(doc.public_id)}


def test_voiding_a_summary_decision_without_books_leaves_no_serial_row(a: Agency) -> None:
    case = summary_case(a, "S-0200")
    doc = issued(a, draft(a, case, "summary_decision",
                          fields=complete_fields("summary_decision")))
    before = LedgerEntry.objects.count()
    document_void(actor=a.u_head, document=doc, reason="作废")
    assert SerialUse.objects.count() == 0
    # DOCUMENT_VOIDED, and its publication draft cancelled (no serial entry)
    assert LedgerEntry.objects.count() == before + 2


# --- 5. the party's address on decisions --------------------------------------------------------

def test_a_decision_needs_the_partys_address_at_issue(a: Agency) -> None:
    case = general_to_notice(a)
    case.parties.update(address="")
    doc = decision_draft(a, case)
    # the decision is made on the drafted text; the address comes from the case
    act(a, case, "decide", **DECIDE)
    doc.refresh_from_db()
    err = refused("document_elements_missing",
                  lambda: document_issue(actor=a.u_officer, document=doc, issued_on=ON))
    assert "当事人地址" in err.message
    assert err.detail["elements"][0]["placeholders"] == ["当事人地址"]
    # the party's address recorded: the decision issues and prints it
    case.parties.update(address="长沙市芙蓉区某大道88号")
    done = document_issue(actor=a.u_officer, document=doc, issued_on=ON)
    assert done.context["当事人地址"] == "长沙市芙蓉区某大道88号"


# --- 6. the hearing right on the prior notice ---------------------------------------------------

def test_the_prior_notice_states_the_hearing_right(a: Agency) -> None:
    small = general_to_notice(a, fine="500")
    assert small.hearing_right is False
    assert prefill(small, "prior_notice")["听证权利"] == HEARING_RIGHT_NO
    # drafted before the notice is served: judged from the penalty proposed (APL art. 63)
    small.proposed_kinds = ["fine", "revoke_licence"]
    assert prefill(small, "prior_notice")["听证权利"] == HEARING_RIGHT_YES
    # or as the serving of the notice judged it
    small.proposed_kinds, small.hearing_right = ["fine"], True
    assert prefill(small, "prior_notice")["听证权利"] == HEARING_RIGHT_YES
    small.refresh_from_db()
    doc = draft(a, small, "prior_notice",
                fields=complete_fields("prior_notice", 听证权利=""))
    err = refused("document_elements_missing",
                  lambda: document_issue(actor=a.u_officer, document=doc))
    assert "听证权利" in err.message


# --- 7. a licensing denial states its reasons --------------------------------------------------

def licensing(a: Agency, action: str, **data: Any) -> Any:
    case = open_case(a, "licensing", received_on=D(2026, 9, 1), parties=[company_party()],
                     source_kind=SourceKind.APPLICATION, title="食品经营许可申请")
    act(a, case, "accept", acted_on=D(2026, 9, 2))
    act(a, case, action, acted_on=D(2026, 9, 20), **data)
    return case


def test_a_licensing_denial_needs_its_reasons(a: Agency) -> None:
    case = licensing(a, "deny", reason="不符合法定条件")
    # prefilled from the step; emptied, the denial cannot be issued
    assert prefill(case, "licensing_decision")["不予许可理由"] == "不符合法定条件"
    doc = draft(a, case, "licensing_decision",
                fields=complete_fields("licensing_decision", 不予许可理由=""))
    err = refused("document_elements_missing",
                  lambda: document_issue(actor=a.u_officer, document=doc))
    assert "不予许可理由" in err.message
    assert err.detail["elements"][-1]["placeholders"] == ["不予许可理由"]
    doc = document_update(actor=a.u_officer, document=doc,
                          fields={"不予许可理由": "申请材料不符合法定条件"})
    assert document_issue(actor=a.u_officer, document=doc).state == DocumentState.ISSUED


def test_a_licence_granted_needs_no_denial_reasons(a: Agency) -> None:
    case = licensing(a, "grant", licence_number="JY14301020000001")
    doc = draft(a, case, "licensing_decision",
                fields=complete_fields("licensing_decision", 不予许可理由=""))
    assert document_issue(actor=a.u_officer, document=doc,
                          issued_on=timezone.localdate()).state == DocumentState.ISSUED
