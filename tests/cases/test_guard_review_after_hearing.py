"""After a hearing the decision needs a legal review that passed after it (APL art. 58 §1(2)):
the case goes from the notice stage to the review and back, and a review passed before the
hearing does not count."""

import datetime as dt
from typing import Any

import pytest

from tests import factories as f
from zhifa.catalog.models import PartyType

from .factories import Agency, act, refused, registered, reported

pytestmark = pytest.mark.django_db

D = dt.date
NOTICE = D(2026, 9, 22)
HEARING = D(2026, 10, 12)
MESSAGE = "本案已经听证：作出决定前须在听证后通过法制审核。"
SOURCE = "行政处罚法第五十八条第一款第二项"
DECISION = {"outcome": "penalty", "kinds": ["fine"], "fine": "30000", "reasons": "证据确凿"}


def heard(a: Agency, case: Any = None, **report: Any) -> Any:
    """A case whose requested hearing was held on 12 October."""
    f.hearing_threshold(a.regions["province"], PartyType.ORGANISATION, 2_000_000)
    case = case or reported(a, fine="30000", **report)
    act(a, case, "serve_notice", acted_on=NOTICE, served_on=NOTICE, method="direct")
    act(a, case, "request_hearing", acted_on=D(2026, 9, 24), requested_on=D(2026, 9, 24))
    act(a, case, "schedule_hearing", acted_on=D(2026, 9, 24), hearing_on=HEARING,
        place="第一会议室")
    act(a, case, "hold_hearing", acted_on=HEARING, presiding="赵敏", record="当事人到场陈述")
    assert (case.stage, case.hearing_held_on) == ("notified", HEARING)
    return case


def review(a: Agency, case: Any, on: D, outcome: str = "agree") -> Any:
    act(a, case, "submit_legal_review", acted_on=on)
    assert (case.stage, case.flags["review_from"]) == ("legal_review", "notified")
    return act(a, case, "record_review_opinion", actor=a.u_reviewer, acted_on=on,
               outcome=outcome, opinion="听证后复核")


def test_a_decision_after_a_hearing_needs_a_review_after_it(a: Agency) -> None:
    case = heard(a)
    exc = refused(a, case, "decide", "legal_review_after_hearing", acted_on=D(2026, 10, 13),
                  **DECISION)
    assert exc.message == f"{MESSAGE}（{SOURCE}）"
    assert exc.detail == [{"code": "legal_review_after_hearing", "message": MESSAGE,
                           "source": SOURCE}]
    assert (case.stage, case.decided_on) == ("notified", None)
    # a review on the day of the hearing is after it: the opinion sends the case back
    review(a, case, D(2026, 10, 13))
    assert (case.stage, case.review_passed_on) == ("notified", D(2026, 10, 13))
    assert case.deadlines.get(rule_code="review_7").state == "met"
    act(a, case, "decide", acted_on=D(2026, 10, 13), **DECISION)
    assert (case.stage, case.decided_on, case.final_fine) == (
        "decided", D(2026, 10, 13), 3_000_000)


def test_a_review_passed_before_the_hearing_does_not_count(a: Agency) -> None:
    case = reported(a, fine="30000", major=True)
    act(a, case, "submit_legal_review", acted_on=D(2026, 9, 21))
    act(a, case, "record_review_opinion", actor=a.u_reviewer, acted_on=D(2026, 9, 21),
        outcome="agree", opinion="同意")
    assert (case.stage, case.review_passed_on) == ("reported", D(2026, 9, 21))
    heard(a, case)
    refused(a, case, "decide", "legal_review_after_hearing", acted_on=D(2026, 10, 13),
            **DECISION)
    review(a, case, D(2026, 10, 14), outcome="agree")
    act(a, case, "decide", acted_on=D(2026, 10, 15), **DECISION)
    assert case.stage == "decided"


def test_an_opinion_against_the_decision_keeps_it_refused(a: Agency) -> None:
    case = heard(a)
    review(a, case, D(2026, 10, 13), outcome="do_not_decide")
    assert (case.stage, case.review_passed_on) == ("notified", None)
    refused(a, case, "decide", "legal_review_after_hearing", acted_on=D(2026, 10, 14),
            **DECISION)


def test_an_opinion_asking_for_more_sends_the_case_back_to_the_investigation(
        a: Agency) -> None:
    case = heard(a)
    review(a, case, D(2026, 10, 13), outcome="supplement")
    assert (case.stage, case.review_passed_on) == ("investigating", None)


def test_the_review_after_a_hearing_is_not_by_a_case_officer(a: Agency) -> None:
    case = registered(a, officers=[a.officer, a.officer2, a.reviewer])
    act(a, case, "start_investigation", acted_on=D(2026, 9, 3))
    act(a, case, "submit_report", acted_on=D(2026, 9, 21), facts="经查，当事人销售不合格产品。",
        kinds=["fine"], fine="30000")
    heard(a, case)
    act(a, case, "submit_legal_review", acted_on=D(2026, 10, 13))
    refused(a, case, "record_review_opinion", "reviewer_is_handler", actor=a.u_reviewer,
            acted_on=D(2026, 10, 13), outcome="agree", opinion="同意")
    assert (case.stage, case.review_passed_on) == ("legal_review", None)


def test_without_a_hearing_the_review_still_returns_to_the_report(a: Agency) -> None:
    case = reported(a, major=True)
    act(a, case, "submit_legal_review", acted_on=D(2026, 9, 21))
    assert case.flags == {"review_from": "reported"}
    act(a, case, "record_review_opinion", actor=a.u_reviewer, acted_on=D(2026, 9, 21),
        outcome="do_not_decide", opinion="不予作出决定")
    assert (case.stage, case.review_passed_on) == ("reported", None)
