"""The gate (APL art. 58): a deciding step refuses while the legal review its decision needs
is missing, pending, contested or not passed, when a hearing was held after it passed, and
when the decision is heavier than what it passed; a refusal changes nothing. The review
steps of the case are taken only by the reviews services. The review states are set up
with the models directly (the services that move them are tested on their own)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from tests import factories as f
from tests.cases.factories import act, company_party, open_case, refused, reported
from tests.documents.factories import decision_draft
from zhifa.cases.models import ApprovalStatus, Case, SourceKind
from zhifa.cases.services import approval_decide, case_act
from zhifa.catalog.models import PartyType
from zhifa.catalog.services import ThresholdIn, review_catalogue_create
from zhifa.core.errors import ApplicationError
from zhifa.reviews.hooks import gate_refusals, heavier_than, review_service_step
from zhifa.reviews.models import (
    Outcome,
    RequestState,
    ReviewRequest,
    ReviewRound,
    RoundState,
)

from .factories import ReviewAgency, ready_for_review

pytestmark = pytest.mark.django_db

D = dt.date
NOTICE = D(2026, 9, 22)
DECIDE = D(2026, 10, 9)
SOURCE = "行政处罚法第五十八条；国办发〔2018〕118号"
DECISION = {"outcome": "penalty", "kinds": ["fine"], "fine": "5000", "reasons": "事实清楚"}
PROPOSAL = {"outcome": "penalty", "kinds": ["fine"], "fine": 500_000, "confiscation": 0,
            "facts": "经查，当事人销售不合格产品。"}


def noticed(a: ReviewAgency, *, kinds: list[str] | None = None, fine: str = "5000",
            **report: Any) -> Case:
    """A case reported on 21 September (a major public interest unless ``report`` says
    otherwise), its prior notice served on 22 September, the decision drafted."""
    case = reported(a, kinds=kinds, fine=fine, **{"major": True, **report})
    act(a, case, "serve_notice", acted_on=NOTICE, served_on=NOTICE, method="direct")
    decision_draft(a, case, "penalty")
    return case


def review(case: Case, state: str, *, outcome: str = Outcome.AGREE,
           proposal: dict[str, Any] | None = None, on: dt.date = dt.date(2026, 9, 30),
           voluntary: bool = False) -> ReviewRequest:
    """The case's review in ``state``, with one round; a passed review passed
    ``proposal`` on ``on``."""
    proposal = PROPOSAL if proposal is None else proposal
    done = state in (RequestState.PASSED, RequestState.DISCUSSED, RequestState.RETURNED,
                     RequestState.CONTESTED)
    request = ReviewRequest.objects.create(
        case=case, body=case.body, state=state, voluntary=voluntary, origin_stage="notified",
        current_round=1,
        passed_proposal=proposal if state in (RequestState.PASSED, RequestState.DISCUSSED)
        else {},
        passed_on=on if state in (RequestState.PASSED, RequestState.DISCUSSED) else None)
    ReviewRound.objects.create(
        request=request, number=1,
        state=RoundState.DECIDED if done else (RoundState.DRAFT if state == RequestState.DRAFT
                                               else RoundState.SUBMITTED),
        proposal=proposal, submitted_on=D(2026, 9, 23),
        outcome=outcome if done else "", decided_on=on if done else None)
    return request


def en_refusal(a: ReviewAgency, case: Case, code: str, on: dt.date = DECIDE,
               **data: Any) -> Any:
    with translation.override("en"):
        return refused(a, case, "decide", code, acted_on=on, **data)


def decided(a: ReviewAgency, case: Case, **data: Any) -> None:
    act(a, case, "decide", acted_on=DECIDE, **{**DECISION, **data})
    assert (case.stage, case.decided_on) == ("decided", DECIDE)


# --- missing -----------------------------------------------------------------------------------

def test_a_decision_that_needs_review_without_one_is_refused_and_nothing_changes(
        a: ReviewAgency) -> None:
    case = noticed(a)
    exc = en_refusal(a, case, "legal_review_missing", **DECISION)
    message = ("This decision needs legal review (Involves a major public interest (stated by "
               "李明 in the investigation report)): submit it for review first.")
    assert exc.detail == [{"code": "legal_review_missing", "message": message,
                           "source": SOURCE}]
    assert exc.message == f"{message}（{SOURCE}）"
    assert (case.stage, case.decided_on, case.outcome) == ("notified", None, "")
    assert ReviewRequest.objects.count() == 0


@pytest.mark.parametrize("state", [RequestState.DRAFT, RequestState.WITHDRAWN])
def test_a_package_being_prepared_or_withdrawn_is_no_review(a: ReviewAgency,
                                                          state: str) -> None:
    case = noticed(a)
    review(case, state)
    refused(a, case, "decide", "legal_review_missing", acted_on=DECIDE, **DECISION)


def test_the_catalogue_s_reasons_are_named(a: ReviewAgency) -> None:
    review_catalogue_create(
        actor=None, body=a.body, title="目录清单", effective_from=D(2024, 1, 1),
        thresholds=[ThresholdIn(PartyType.ORGANISATION, 500_000, "gte")],
        triggers=["all_general_procedure"])
    case = noticed(a, major=False)
    exc = en_refusal(a, case, "legal_review_missing", **DECISION)
    assert exc.detail[0]["message"] == (
        "This decision needs legal review (Fine 5,000.00 yuan: Legal person or other "
        "organisation threshold of the catalogue at least (inclusive, 含本数) 5,000.00 yuan；"
        "Every general-procedure penalty): submit it for review first.")


def test_a_decision_no_rule_requires_review_for_goes_through(a: ReviewAgency) -> None:
    review_catalogue_create(
        actor=None, body=a.body, title="目录清单", effective_from=D(2024, 1, 1),
        thresholds=[ThresholdIn(PartyType.ORGANISATION, 500_001, "gte")], triggers=[])
    case = noticed(a, major=False)
    decided(a, case)
    assert ReviewRequest.objects.count() == 0


def test_the_catalogue_in_force_on_the_day_of_the_decision_applies(a: ReviewAgency) -> None:
    for effective, amount in ((D(2024, 1, 1), 500_000), (D(2026, 10, 1), 1_000_000)):
        review_catalogue_create(
            actor=None, body=a.body, title="目录清单", effective_from=effective,
            thresholds=[ThresholdIn(PartyType.ORGANISATION, amount, "gte")], triggers=[])
    case = noticed(a, major=False)
    # on 30 September the first version (at least 5,000 yuan) was in force
    refused(a, case, "decide", "legal_review_missing", acted_on=D(2026, 9, 30), **DECISION)
    decided(a, case)  # on 9 October the second (at least 10,000 yuan)


def test_a_voluntary_request_makes_the_decision_wait_for_its_opinion(
        a: ReviewAgency) -> None:
    case = noticed(a, major=False)
    request = review(case, RequestState.DRAFT, voluntary=True)
    decided(a, case)  # a package being prepared does not hold the decision
    case = noticed(a, major=False)
    review(case, RequestState.SUBMITTED, voluntary=True)
    refused(a, case, "decide", "legal_review_pending", acted_on=DECIDE, **DECISION)
    assert ReviewRequest.objects.get(pk=request.pk).state == RequestState.DRAFT


# --- pending, contested, returned ------------------------------------------------------------

@pytest.mark.parametrize(("state", "code", "message"), [
    (RequestState.SUBMITTED, "legal_review_pending",
     "The legal review of this case has not given its opinion yet."),
    (RequestState.IN_REVIEW, "legal_review_pending",
     "The legal review of this case has not given its opinion yet."),
    (RequestState.CONTESTED, "legal_review_contested",
     "The handler contested the legal review opinion: the collective discussion must "
     "decide first."),
])
def test_a_review_not_yet_concluded_holds_the_decision(a: ReviewAgency, state: str, code: str,
                                                       message: str) -> None:
    case = noticed(a)
    review(case, state, outcome=Outcome.DO_NOT_DECIDE)
    exc = en_refusal(a, case, code, **DECISION)
    assert exc.detail == [{"code": code, "message": message, "source": SOURCE}]
    assert ReviewRequest.objects.get().state == state


@pytest.mark.parametrize(("outcome", "text"), [
    (Outcome.AGREE_WITH_CHANGES, "Agree with changes"),
    (Outcome.SUPPLEMENT, "Supplement the investigation"),
    (Outcome.DO_NOT_DECIDE, "Do not make the decision"),
    (Outcome.TRANSFER, "Transfer to judicial organs"),
])
def test_a_returned_review_did_not_pass(a: ReviewAgency, outcome: str, text: str) -> None:
    case = noticed(a)
    review(case, RequestState.RETURNED, outcome=outcome)
    exc = en_refusal(a, case, "legal_review_not_passed", **DECISION)
    assert exc.detail[0]["message"] == (
        f"The legal review did not pass ({text}): change the case and submit it again, or "
        "contest the opinion.")


def test_a_transfer_opinion_lets_the_case_be_transferred(a: ReviewAgency) -> None:
    case = noticed(a)
    review(case, RequestState.RETURNED, outcome=Outcome.TRANSFER)
    act(a, case, "decide", acted_on=DECIDE, outcome="transfer", reasons="涉嫌犯罪，移送公安机关")
    assert (case.stage, case.outcome) == ("decided", "transfer")


def test_only_a_transfer_opinion_lets_the_case_be_transferred(a: ReviewAgency) -> None:
    case = noticed(a)
    review(case, RequestState.RETURNED, outcome=Outcome.DO_NOT_DECIDE)
    refused(a, case, "decide", "legal_review_not_passed", acted_on=DECIDE, outcome="transfer",
            reasons="涉嫌犯罪")


# --- passed ------------------------------------------------------------------------------------

@pytest.mark.parametrize("state", [RequestState.PASSED, RequestState.DISCUSSED])
def test_a_passed_review_lets_the_decision_through(a: ReviewAgency, state: str) -> None:
    case = noticed(a)
    review(case, state)
    decided(a, case)
    assert case.final_fine == 500_000
    decided_lighter = noticed(a)
    review(decided_lighter, state)
    decided(a, decided_lighter, fine="4000")
    assert decided_lighter.final_fine == 400_000


@pytest.mark.parametrize("passed", [
    {"outcome": "penalty", "kinds": ["fine", "confiscate_gains"], "fine": 400_000,
     "confiscation": 100_000},
    {"outcome": "penalty", "kinds": ["fine", "confiscate_gains"], "fine": 500_000,
     "confiscation": 99_999},
    {"outcome": "penalty", "kinds": ["fine"], "fine": 500_000, "confiscation": 100_000},
    {"outcome": "no_penalty", "kinds": [], "fine": 0, "confiscation": 0},
], ids=["fine", "confiscation", "kinds", "outcome"])
def test_a_decision_heavier_than_what_passed_is_outdated(a: ReviewAgency,
                                                         passed: dict[str, Any]) -> None:
    """The review passed an earlier, lighter proposal; the report was raised since."""
    kinds = ["fine", "confiscate_gains"]
    case = noticed(a, kinds=kinds, confiscation="1000")
    review(case, RequestState.PASSED, proposal=passed)
    exc = en_refusal(a, case, "legal_review_outdated", outcome="penalty", kinds=kinds,
                     fine="5000", confiscation="1000", reasons="事实清楚")
    assert exc.detail[0]["message"] == (
        "The decision goes beyond what the legal review passed: submit the changed decision "
        "for review again.")
    same = {"outcome": "penalty", "kinds": kinds, "fine": 500_000, "confiscation": 100_000}
    ReviewRequest.objects.filter(case=case).update(passed_proposal=same)
    act(a, case, "decide", acted_on=DECIDE, outcome="penalty", kinds=kinds, fine="5000",
        confiscation="1000", reasons="事实清楚")
    assert case.stage == "decided"


def test_what_makes_a_decision_heavier() -> None:
    passed = {"outcome": "penalty", "kinds": ["fine"], "fine": 500_000, "confiscation": 0}
    assert heavier_than({"outcome": "penalty", "kinds": ["fine"], "fine": 500_000},
                        passed) == []
    assert heavier_than({"outcome": "penalty", "kinds": ["fine"], "fine": 500_001},
                        passed) == ["fine"]
    assert heavier_than({"outcome": "penalty", "kinds": ["warning"], "fine": None},
                        passed) == ["kinds"]
    assert heavier_than({"outcome": "no_penalty", "kinds": []}, passed) == []
    assert heavier_than({"outcome": "penalty", "kinds": ["fine", "confiscate_gains"],
                         "fine": 500_000, "confiscation": 1},
                        {"outcome": "no_penalty"}) == ["outcome", "kinds", "fine",
                                                       "confiscation"]


# --- a hearing after the review ---------------------------------------------------------------

HEARING = D(2026, 10, 12)


def heard(a: ReviewAgency) -> Case:
    """Reported without any judgement trigger, a fine that gives the organisation a hearing,
    the hearing held on 12 October."""
    f.hearing_threshold(a.regions["province"], PartyType.ORGANISATION, 2_000_000)
    case = noticed(a, fine="30000", major=False)
    act(a, case, "request_hearing", acted_on=D(2026, 9, 24), requested_on=D(2026, 9, 24))
    act(a, case, "schedule_hearing", acted_on=D(2026, 9, 24), hearing_on=HEARING,
        place="第一会议室")
    act(a, case, "hold_hearing", acted_on=HEARING, presiding="赵敏", record="当事人到场陈述")
    return case


def test_after_a_hearing_a_review_is_required(a: ReviewAgency) -> None:
    case = heard(a)
    exc = en_refusal(a, case, "legal_review_missing", on=HEARING + dt.timedelta(1),
                     **{**DECISION, "fine": "30000"})
    assert exc.detail[0]["message"] == (
        "This decision needs legal review (Concerns major rights and a hearing was held): "
        "submit it for review first.")


def test_a_review_passed_before_the_hearing_does_not_count(a: ReviewAgency) -> None:
    case = heard(a)
    proposal = {**PROPOSAL, "fine": 3_000_000}
    request = review(case, RequestState.PASSED, proposal=proposal, on=HEARING - dt.timedelta(1))
    decision = {**DECISION, "fine": "30000"}
    exc = en_refusal(a, case, "legal_review_after_hearing", on=HEARING + dt.timedelta(1),
                     **decision)
    assert exc.detail == [{
        "code": "legal_review_after_hearing",
        "message": "A hearing was held after the legal review passed: the decision needs a "
                   "review after the hearing.",
        "source": "行政处罚法第五十八条第一款第二项"}]
    # passed on the day of the hearing: after it
    ReviewRequest.objects.filter(pk=request.pk).update(passed_on=HEARING)
    act(a, case, "decide", acted_on=HEARING + dt.timedelta(1), **decision)
    assert case.stage == "decided"


# --- the approval is checked again -----------------------------------------------------------

def test_the_head_s_approval_is_refused_when_the_review_changed_meanwhile(
        a: ReviewAgency) -> None:
    case = noticed(a)
    request = review(case, RequestState.PASSED)
    result = case_act(actor=a.u_officer, case=case, action="decide",
                      data={**DECISION, "acted_on": DECIDE.isoformat()})
    assert result.approval is not None and result.step is None
    ReviewRequest.objects.filter(pk=request.pk).update(state=RequestState.IN_REVIEW)
    with pytest.raises(ApplicationError) as info:
        approval_decide(actor=a.u_head, request=result.approval, approve=True)
    assert info.value.code == "legal_review_pending"
    result.approval.refresh_from_db()
    case.refresh_from_db()
    assert (result.approval.status, case.stage) == (ApprovalStatus.PENDING, "notified")


# --- steps the gate does not hold ----------------------------------------------------------------

def test_the_prior_notice_is_not_held_by_the_review(a: ReviewAgency) -> None:
    case = reported(a, major=True)
    review(case, RequestState.SUBMITTED)
    act(a, case, "serve_notice", acted_on=NOTICE, served_on=NOTICE, method="direct")
    assert (case.stage, case.notice_served_on) == ("notified", NOTICE)


def test_gate_refusals_answer_for_a_decision_not_yet_taken(a: ReviewAgency) -> None:
    case = noticed(a)
    data = {"outcome": "penalty", "kinds": ["fine"], "fine": 500_000}
    assert [r.code for r in gate_refusals(case, action="decide", decision=data)] == [
        "legal_review_missing"]
    review(case, RequestState.PASSED)
    assert gate_refusals(case, action="decide", decision=data) == []


# --- the review steps go through the services ----------------------------------------------------

REVIEW_VIA_SERVICE = ("Legal review is submitted, given and discussed on the case's legal "
                      "review page, not as a plain step.")


def test_the_review_steps_are_not_taken_directly(a: ReviewAgency) -> None:
    case = reported(a, major=True)
    with translation.override("en"):
        exc = refused(a, case, "submit_legal_review", "review_via_service",
                      acted_on=D(2026, 9, 22))
    assert exc.detail == [{"code": "review_via_service", "message": REVIEW_VIA_SERVICE,
                           "source": SOURCE}]
    refused(a, case, "collective_discussion", "review_via_service", actor=a.u_head,
            acted_on=D(2026, 9, 22), attendees="王芳、赵刚", conclusion="同意")
    with review_service_step():
        act(a, case, "submit_legal_review", acted_on=D(2026, 9, 22))
    assert case.stage == "legal_review"
    refused(a, case, "record_review_opinion", "review_via_service", actor=a.u_reviewer,
            acted_on=D(2026, 9, 23), outcome="agree", opinion="同意")
    with review_service_step():
        act(a, case, "record_review_opinion", actor=a.u_reviewer, acted_on=D(2026, 9, 23),
            outcome="agree", opinion="同意")
    assert (case.stage, case.review_passed_on) == ("reported", D(2026, 9, 23))


def test_the_service_step_context_ends_with_its_block(a: ReviewAgency) -> None:
    case = reported(a, major=True)
    with pytest.raises(RuntimeError), review_service_step():
        raise RuntimeError
    refused(a, case, "submit_legal_review", "review_via_service", acted_on=D(2026, 9, 22))


# --- licensing ---------------------------------------------------------------------------------

def licensing(a: ReviewAgency) -> Case:
    case = open_case(a, "licensing", received_on=D(2026, 9, 1), parties=[company_party()],
                     source_kind=SourceKind.APPLICATION, title="食品经营许可申请")
    act(a, case, "accept", acted_on=D(2026, 9, 2))
    return case


def test_a_licensing_refusal_needs_review_when_the_catalogue_says(a: ReviewAgency) -> None:
    review_catalogue_create(actor=None, body=a.body, title="目录清单",
                            effective_from=D(2024, 1, 1), thresholds=[],
                            triggers=["licensing_refusal"])
    case = licensing(a)
    with translation.override("en"):
        exc = refused(a, case, "deny", "legal_review_missing", acted_on=D(2026, 9, 20),
                      reason="不符合法定条件")
    assert exc.detail[0]["message"] == (
        "This decision needs legal review (Refusal, withdrawal or revocation of a licence): "
        "submit it for review first.")
    act(a, case, "grant", acted_on=D(2026, 9, 20), licence_number="JY14301020000001")
    assert (case.stage, case.outcome) == ("decided", "granted")
    denied = licensing(a)
    review(denied, RequestState.PASSED, proposal={})
    act(a, denied, "deny", acted_on=D(2026, 9, 20), reason="不符合法定条件")
    assert denied.outcome == "denied"


def test_without_the_trigger_a_licence_is_refused_without_review(a: ReviewAgency) -> None:
    review_catalogue_create(actor=None, body=a.body, title="目录清单",
                            effective_from=D(2024, 1, 1), thresholds=[],
                            triggers=["all_general_procedure"])
    case = licensing(a)
    act(a, case, "deny", acted_on=D(2026, 9, 20), reason="不符合法定条件")
    assert case.outcome == "denied"


# --- through the services ----------------------------------------------------------------------

LATE = "补录"  # the opinions are recorded later than their date (the tests run after it)

def test_submitted_reviewed_and_decided_through_the_services(a: ReviewAgency) -> None:
    from zhifa.reviews.points import POINT_CODES
    from zhifa.reviews.services.assign import review_assign
    from zhifa.reviews.services.opinions import opinion_submit
    from zhifa.reviews.services.requests import review_submit

    case = ready_for_review(a)
    result = review_submit(actor=a.u_officer, case=case, handling_opinion="建议罚款五千元。",
                           submitted_on=D(2026, 9, 22))
    case.refresh_from_db()
    assert (case.stage, result.request.state) == ("legal_review", RequestState.SUBMITTED)
    review_assign(actor=a.u_head, request=result.request, reviewer=a.reviewer)
    points = [{"code": code, "finding": "ok", "comment": ""} for code in POINT_CODES]
    opinion_submit(actor=a.u_reviewer, request=result.request, points=points,
                   outcome="agree", opinion="同意", decided_on=D(2026, 9, 23),
                   late_reason=LATE)
    case.refresh_from_db()
    assert (case.stage, ReviewRequest.objects.get(case=case).state) == (
        "reported", RequestState.PASSED)
    act(a, case, "serve_notice", acted_on=D(2026, 9, 24), served_on=D(2026, 9, 24),
        method="direct")
    decided(a, case)
    assert case.final_fine == 500_000


def test_a_report_raised_after_the_review_passed_needs_a_new_review(a: ReviewAgency) -> None:
    from zhifa.reviews.points import POINT_CODES
    from zhifa.reviews.services.assign import review_assign
    from zhifa.reviews.services.opinions import opinion_submit
    from zhifa.reviews.services.requests import review_submit

    case = ready_for_review(a)
    result = review_submit(actor=a.u_officer, case=case, handling_opinion="建议罚款五千元。",
                           submitted_on=D(2026, 9, 22))
    review_assign(actor=a.u_head, request=result.request, reviewer=a.reviewer)
    points = [{"code": code, "finding": "ok", "comment": ""} for code in POINT_CODES]
    opinion_submit(actor=a.u_reviewer, request=result.request, points=points,
                   outcome="agree", opinion="同意", decided_on=D(2026, 9, 23),
                   late_reason=LATE)
    case.refresh_from_db()
    act(a, case, "submit_report", acted_on=D(2026, 9, 24), facts="经查，当事人销售不合格产品。",
        kinds=["fine"], fine="6000", major=True)
    act(a, case, "serve_notice", acted_on=D(2026, 9, 25), served_on=D(2026, 9, 25),
        method="direct")
    refused(a, case, "decide", "legal_review_outdated", acted_on=DECIDE,
            **{**DECISION, "fine": "6000"})
