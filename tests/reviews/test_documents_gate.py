"""A decision document is not numbered or issued while the gate would refuse its decision
(``hooks.document_issue_check``): the review it needs is no longer passed when the
document is issued. A refusal takes no number and changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from tests.cases.factories import act, company_party, open_case, reported
from tests.documents.factories import complete_fields, decision_draft, draft, refused_unchanged
from zhifa.cases.models import Case, CaseStep, SourceKind
from zhifa.catalog.services import review_catalogue_create
from zhifa.documents.models import Document, DocumentCounter, DocumentState
from zhifa.documents.services import document_issue, document_update
from zhifa.ledger.models import LedgerEntry
from zhifa.reviews.hooks import decision_draft_digest
from zhifa.reviews.models import (
    Outcome,
    RequestState,
    ReviewRequest,
    ReviewRound,
    RoundState,
)

from .factories import ReviewAgency

pytestmark = pytest.mark.django_db

D = dt.date
DECIDE = D(2026, 10, 9)
LICENSED = D(2026, 9, 20)  # inside the 20 working days from the acceptance
PROPOSAL = {"outcome": "penalty", "kinds": ["fine"], "fine": 500_000, "confiscation": 0}


def passed_review(case: Case, proposal: dict[str, Any]) -> ReviewRequest:
    request = ReviewRequest.objects.create(
        case=case, body=case.body, state=RequestState.PASSED, current_round=1,
        origin_stage="notified", passed_proposal=proposal, passed_on=D(2026, 9, 30))
    ReviewRound.objects.create(request=request, number=1, state=RoundState.DECIDED,
                               proposal=proposal, outcome=Outcome.AGREE,
                               decided_on=D(2026, 9, 30))
    return request


def decided(a: ReviewAgency, *, digest: bool = False) -> tuple[Case, Document, ReviewRequest]:
    """A major case decided on 9 October after its review passed; the decision drafted
    (``digest``: the review recorded the digest of the draft it read)."""
    case = reported(a, major=True)
    act(a, case, "serve_notice", acted_on=D(2026, 9, 22), served_on=D(2026, 9, 22),
        method="direct")
    doc = decision_draft(a, case, "penalty")
    extra = {"document_digest": decision_draft_digest(case)} if digest else {}
    request = passed_review(case, {**PROPOSAL, **extra})
    act(a, case, "decide", acted_on=DECIDE, outcome="penalty", kinds=["fine"], fine="5000",
        reasons="事实清楚")
    assert case.stage == "decided"
    return case, doc, request


def state() -> dict[str, Any]:
    return {"documents": list(Document.objects.order_by("id").values()),
            "counters": list(DocumentCounter.objects.order_by("id").values()),
            "steps": CaseStep.objects.count(), "ledger": LedgerEntry.objects.count()}


def issue(a: ReviewAgency, doc: Document, on: dt.date = DECIDE) -> Any:
    return document_issue(actor=a.u_officer, document=doc, issued_on=on)


def test_the_decision_is_not_issued_while_its_review_is_reopened_and_takes_no_number(
        a: ReviewAgency) -> None:
    _case, doc, request = decided(a)
    ReviewRequest.objects.filter(pk=request.pk).update(state=RequestState.IN_REVIEW)
    with translation.override("en"):
        exc = refused_unchanged("legal_review_pending", lambda: issue(a, doc), state)
    assert exc.message == "The legal review of this case has not given its opinion yet."
    assert exc.detail == [{"code": "legal_review_pending", "message": exc.message,
                           "source": "行政处罚法第五十八条；国办发〔2018〕118号"}]
    doc.refresh_from_db()
    assert (doc.state, doc.number, doc.ledger_seq is not None) == (DocumentState.DRAFT, "",
                                                                   True)
    assert DocumentCounter.objects.count() == 0
    # passed again: the first number of the year, none was used by the refusal
    ReviewRequest.objects.filter(pk=request.pk).update(state=RequestState.PASSED)
    doc = issue(a, doc)
    assert (doc.state, doc.number) == (DocumentState.ISSUED, "芙蓉市监罚〔2026〕1号")


@pytest.mark.parametrize(("change", "code"), [
    ({"state": RequestState.SUBMITTED}, "legal_review_pending"),
    ({"state": RequestState.CONTESTED}, "legal_review_contested"),
    ({"state": RequestState.RETURNED}, "legal_review_not_passed"),
    ({"state": RequestState.DRAFT}, "legal_review_missing"),
    ({"state": RequestState.WITHDRAWN}, "legal_review_missing"),
    ({"passed_proposal": {**PROPOSAL, "fine": 499_999}}, "legal_review_outdated"),
], ids=["submitted", "contested", "returned", "draft", "withdrawn", "outdated"])
def test_every_refusal_of_the_gate_holds_the_decision_document(
        a: ReviewAgency, change: dict[str, Any], code: str) -> None:
    _case, doc, request = decided(a)
    ReviewRequest.objects.filter(pk=request.pk).update(**change)
    before = LedgerEntry.objects.count()
    refused_unchanged(code, lambda: issue(a, doc), state)
    doc.refresh_from_db()
    assert (doc.state, doc.number, doc.issued_on) == (DocumentState.DRAFT, "", None)
    assert (LedgerEntry.objects.count(), DocumentCounter.objects.count()) == (before, 0)


# --- the draft the review read ------------------------------------------------------------------

def test_the_draft_the_review_read_is_issued(a: ReviewAgency) -> None:
    """The decision draft is locked once the decision is made: the text issued is the text
    the review read, and the gate's comparison of the two holds at the issue."""
    case, doc, request = decided(a, digest=True)
    read = request.passed_proposal["document_digest"]
    assert decision_draft_digest(case) == read != ""
    refused_unchanged("decision_draft_locked", lambda: document_update(
        actor=a.u_officer, document=doc, fields={"处罚内容": "罚款人民币陆仟元整。"}), state)
    assert decision_draft_digest(case) == read
    doc = issue(a, doc)
    assert (doc.state, doc.number) == (DocumentState.ISSUED, "芙蓉市监罚〔2026〕1号")


def test_a_draft_other_than_the_one_the_review_read_is_not_issued(a: ReviewAgency) -> None:
    _case, doc, request = decided(a, digest=True)
    ReviewRequest.objects.filter(pk=request.pk).update(
        passed_proposal={**request.passed_proposal, "document_digest": "0" * 64})
    with translation.override("en"):
        exc = refused_unchanged("legal_review_outdated", lambda: issue(a, doc), state)
    assert exc.message == ("The draft decision document changed after the legal review "
                           "passed: submit the changed draft for review again.")
    doc.refresh_from_db()
    assert (doc.state, doc.number, DocumentCounter.objects.count()) == (DocumentState.DRAFT,
                                                                        "", 0)


# --- licensing -----------------------------------------------------------------------------------

def licensing(a: ReviewAgency) -> Case:
    case = open_case(a, "licensing", received_on=D(2026, 9, 1), parties=[company_party()],
                     source_kind=SourceKind.APPLICATION, title="食品经营许可申请")
    act(a, case, "accept", acted_on=D(2026, 9, 2))
    return case


def test_a_licence_refused_after_review_is_not_issued_while_the_review_is_reopened(
        a: ReviewAgency) -> None:
    review_catalogue_create(actor=None, body=a.body, title="目录清单",
                            effective_from=D(2024, 1, 1), thresholds=[],
                            triggers=["licensing_refusal"])
    case = licensing(a)
    request = passed_review(case, {})
    act(a, case, "deny", acted_on=LICENSED, reason="不符合法定条件")
    doc = draft(a, case, "licensing_decision", fields=complete_fields("licensing_decision"))
    ReviewRequest.objects.filter(pk=request.pk).update(state=RequestState.SUBMITTED)
    refused_unchanged("legal_review_pending", lambda: issue(a, doc, LICENSED), state)
    ReviewRequest.objects.filter(pk=request.pk).update(state=RequestState.PASSED)
    assert issue(a, doc, LICENSED).state == DocumentState.ISSUED


def test_a_licence_granted_is_not_held_by_a_review(a: ReviewAgency) -> None:
    """Granting is not a decision the gate guards: its document is not held either."""
    case = licensing(a)
    ReviewRequest.objects.create(case=case, body=case.body, state=RequestState.SUBMITTED,
                                 voluntary=True, current_round=1)
    act(a, case, "grant", acted_on=LICENSED, licence_number="JY14301020000001")
    doc = draft(a, case, "licensing_decision", fields=complete_fields("licensing_decision"))
    assert issue(a, doc, LICENSED).state == DocumentState.ISSUED
