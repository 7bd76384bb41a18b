"""What the review passed is frozen: the gate refuses the decision (``legal_review_outdated``)
when, since the review passed, the draft decision document it read changed (the round's
``document_digest``) or a new investigation report states other facts (the round's
``facts``). Rounds that did not record them (older rows) are not compared. A refusal changes
nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from tests.cases.factories import act, refused, reported
from tests.documents.factories import decision_draft
from zhifa.cases.models import Case
from zhifa.documents.services import document_update
from zhifa.reviews.hooks import decision_draft_digest, gate_refusals
from zhifa.reviews.models import RequestState

from .factories import ReviewAgency
from .test_gate import DECIDE, DECISION, NOTICE, PROPOSAL, SOURCE, review

pytestmark = pytest.mark.django_db

D = dt.date
FACTS = "经查，当事人销售不合格产品。"
NEW_FACTS = "经查，当事人销售不合格产品，货值金额二万元。"
DRAFT_CHANGED = ("The draft decision document changed after the legal review passed: submit "
                 "the changed draft for review again.")
FACTS_CHANGED = ("The facts of the investigation report changed after the legal review "
                 "passed: submit the case for review again with the new report.")
HEAVIER = ("The decision goes beyond what the legal review passed: submit the changed "
           "decision for review again.")


def passed(a: ReviewAgency, **proposal: Any) -> Case:
    """A major case reported, its decision drafted, its review passed on 30 September with
    the round's proposal (``PROPOSAL`` and ``proposal``; the digest of the draft it read
    unless ``proposal`` says otherwise), the prior notice served."""
    case = reported(a, major=True)
    decision_draft(a, case, "penalty")
    review(case, RequestState.PASSED,
           proposal={**PROPOSAL, "document_digest": decision_draft_digest(case), **proposal})
    act(a, case, "serve_notice", acted_on=NOTICE, served_on=NOTICE, method="direct")
    return case


def outdated(a: ReviewAgency, case: Case, on: dt.date = DECIDE,
             **data: Any) -> list[dict[str, Any]]:
    with translation.override("en"):
        exc = refused(a, case, "decide", "legal_review_outdated", acted_on=on,
                      **{**DECISION, **data})
    return list(exc.detail)


def refusal(message: str) -> dict[str, Any]:
    return {"code": "legal_review_outdated", "message": message, "source": SOURCE}


def test_the_draft_the_review_read_lets_the_decision_through(a: ReviewAgency) -> None:
    case = passed(a)
    act(a, case, "decide", acted_on=DECIDE, **DECISION)
    assert (case.stage, case.decided_on) == ("decided", DECIDE)


def test_a_draft_changed_after_the_review_passed_holds_the_decision(a: ReviewAgency) -> None:
    case = passed(a)
    doc = case.documents.get(doc_type="penalty_decision")
    document_update(actor=a.u_officer, document=doc, fields={"处罚内容": "罚款人民币陆仟元整。"})
    assert outdated(a, case) == [refusal(DRAFT_CHANGED)]
    # changed back to the text the review read: the decision goes through
    document_update(actor=a.u_officer, document=doc, fields={"处罚内容": "罚款人民币伍仟元整。"})
    act(a, case, "decide", acted_on=DECIDE, **DECISION)
    assert case.stage == "decided"


def test_a_draft_drafted_anew_after_the_review_passed_holds_the_decision(
        a: ReviewAgency) -> None:
    """Another decision document beside the one the review read (e.g. a no-penalty one)."""
    case = passed(a)
    decision_draft(a, case, "no_penalty")
    assert outdated(a, case) == [refusal(DRAFT_CHANGED)]


def test_a_review_that_read_no_draft_is_outdated_by_any_draft(a: ReviewAgency) -> None:
    case = reported(a, major=True)
    review(case, RequestState.PASSED, proposal={**PROPOSAL, "document_digest": ""})
    act(a, case, "serve_notice", acted_on=NOTICE, served_on=NOTICE, method="direct")
    assert [r.code for r in gate_refusals(case, action="decide", decision=None)] == []
    decision_draft(a, case, "penalty")
    assert outdated(a, case) == [refusal(DRAFT_CHANGED)]


def test_a_review_that_recorded_no_digest_is_not_compared(a: ReviewAgency) -> None:
    """A round from before the digest was recorded: the draft is not compared."""
    case = reported(a, major=True)
    decision_draft(a, case, "penalty")
    review(case, RequestState.DISCUSSED)  # PROPOSAL: facts, no digest
    act(a, case, "serve_notice", acted_on=NOTICE, served_on=NOTICE, method="direct")
    doc = case.documents.get(doc_type="penalty_decision")
    document_update(actor=a.u_officer, document=doc, fields={"处罚内容": "罚款人民币肆仟元整。"})
    act(a, case, "decide", acted_on=DECIDE, **DECISION)
    assert case.stage == "decided"


LATER = D(2026, 10, 13)  # after the party's periods of the notice served on 2 October


def new_report(a: ReviewAgency, case: Case, facts: str, fine: str = "5000",
               **report: Any) -> None:
    """The report submitted again on 1 October (before the notice), the notice served on 2
    October."""
    act(a, case, "submit_report", acted_on=D(2026, 10, 1), facts=facts, kinds=["fine"],
        fine=fine, major=True, **report)
    act(a, case, "serve_notice", acted_on=D(2026, 10, 2), served_on=D(2026, 10, 2),
        method="direct")


@pytest.mark.parametrize("state", [RequestState.PASSED, RequestState.DISCUSSED])
def test_a_new_report_with_other_facts_holds_the_decision(a: ReviewAgency, state: str) -> None:
    case = reported(a, major=True)
    decision_draft(a, case, "penalty")
    review(case, state, proposal={**PROPOSAL, "document_digest": decision_draft_digest(case)})
    new_report(a, case, NEW_FACTS)
    assert outdated(a, case, LATER) == [refusal(FACTS_CHANGED)]
    assert [r.code for r in gate_refusals(case, action="decide", decision=None)] == [
        "legal_review_outdated"]


def test_a_new_report_with_the_same_facts_is_no_change(a: ReviewAgency) -> None:
    case = reported(a, major=True)
    decision_draft(a, case, "penalty")
    review(case, RequestState.PASSED,
           proposal={**PROPOSAL, "document_digest": decision_draft_digest(case)})
    new_report(a, case, f"  {FACTS}\n", several_relations=True)  # only spaces around it
    act(a, case, "decide", acted_on=LATER, **DECISION)
    assert case.stage == "decided"


def test_a_review_that_recorded_no_facts_is_not_compared(a: ReviewAgency) -> None:
    case = reported(a, major=True)
    decision_draft(a, case, "penalty")
    review(case, RequestState.PASSED,
           proposal={k: v for k, v in PROPOSAL.items() if k != "facts"})
    new_report(a, case, NEW_FACTS)
    act(a, case, "decide", acted_on=LATER, **DECISION)
    assert case.stage == "decided"


def test_every_change_is_named(a: ReviewAgency) -> None:
    case = reported(a, major=True)
    decision_draft(a, case, "penalty")
    review(case, RequestState.PASSED,
           proposal={**PROPOSAL, "document_digest": decision_draft_digest(case)})
    new_report(a, case, NEW_FACTS, fine="6000")
    doc = case.documents.get(doc_type="penalty_decision")
    document_update(actor=a.u_officer, document=doc, fields={"处罚内容": "罚款人民币陆仟元整。"})
    assert outdated(a, case, LATER, fine="6000") == [refusal(FACTS_CHANGED), refusal(HEAVIER),
                                              refusal(DRAFT_CHANGED)]
