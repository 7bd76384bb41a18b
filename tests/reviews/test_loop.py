"""The resubmission loop, end to end through the services: an opinion that does not pass
returns the case to the handler, who changes it and submits again; each round is kept with
its own opinion; the decision goes through only on what the review passed (APL art. 58)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests import factories as f
from tests.cases.factories import act
from tests.reviews.factories import ReviewAgency, ready_for_review
from tests.reviews.test_opinions import (
    CHANGES,
    PROPOSAL,
    entries,
    give,
    refused,
    submit,
    with_digest,
)
from zhifa.cases.models import Case
from zhifa.catalog.models import PartyType
from zhifa.reviews.events import REVIEW_OPINION, REVIEW_SUBMITTED
from zhifa.reviews.models import Outcome, RequestState, ReviewRequest, RoundState
from zhifa.reviews.services.requests import review_submit

pytestmark = pytest.mark.django_db

D = dt.date
PENALTY = {"outcome": "penalty", "kinds": ["fine"], "reasons": "证据确凿，依法处罚。"}


def noticed(a: ReviewAgency, case: Case, on: dt.date) -> None:
    """The prior notice served on ``on`` and the party's written waiver the same day: the
    decision may follow at once."""
    act(a, case, "serve_notice", acted_on=on, served_on=on, method="direct")
    act(a, case, "waive_defence", acted_on=on, proof="当事人书面放弃陈述、申辩")
    assert (case.stage, case.defence_waived) == ("notified", True)


def decide(a: ReviewAgency, case: Case, on: dt.date, **data: Any) -> Any:
    return act(a, case, "decide", acted_on=on, **{**PENALTY, **data})


def refuse_decision(a: ReviewAgency, case: Case, code: str, on: dt.date,
                    **data: Any) -> Any:
    exc = refused(case, code, lambda: decide(a, case, on, **data))
    case.refresh_from_db()
    assert (case.decided_on, case.outcome) == (None, "")
    return exc


def test_changes_asked_for_are_made_and_the_second_round_passes(a: ReviewAgency) -> None:
    case = ready_for_review(a)
    noticed(a, case, D(2026, 9, 22))
    # round 1, from the notice stage: agreed with changes, back to the handler
    request = submit(a, case, on=D(2026, 9, 23))
    assert (case.stage, case.flags["review_from"]) == ("legal_review", "notified")
    first = give(a, request, Outcome.AGREE_WITH_CHANGES, on=D(2026, 9, 24))
    assert (case.stage, case.review_passed_on) == ("notified", None)
    assert (request.state, request.current_round) == (RequestState.RETURNED, 1)
    exc = refuse_decision(a, case, "legal_review_not_passed", D(2026, 9, 25), fine="5000")
    assert [d["code"] for d in exc.detail] == ["legal_review_not_passed"]
    # the handler lowers the fine in a new report and submits again, saying what changed
    act(a, case, "submit_report", acted_on=D(2026, 9, 25), facts="经查，当事人销售不合格产品。",
        kinds=["fine"], fine="3000", major=True)
    assert case.stage == "reported"
    refused(case, "review_changes_missing", lambda: review_submit(
        actor=a.u_officer, case=case, handling_opinion="建议罚款叁仟元",
        submitted_on=D(2026, 9, 25)))
    request = submit(a, case, on=D(2026, 9, 25), changes="已按审核意见将罚款调整为叁仟元。")
    assert (request.state, request.current_round, request.origin_stage) == (
        RequestState.IN_REVIEW, 2, "reported")
    second = give(a, request, on=D(2026, 9, 28))
    assert (case.stage, case.review_passed_on) == ("reported", D(2026, 9, 28))
    assert (request.state, request.passed_on) == (RequestState.PASSED, D(2026, 9, 28))
    assert request.passed_proposal == with_digest(case, {**PROPOSAL, "fine": 300_000})
    # a new prior notice on the changed proposal, and the decision
    noticed(a, case, D(2026, 9, 28))
    decide(a, case, D(2026, 9, 29), fine="3000")
    assert (case.stage, case.decided_on, case.final_fine) == (
        "decided", D(2026, 9, 29), 300_000)
    # both rounds kept, each with its own package and opinion
    rounds = list(request.rounds.order_by("number"))
    assert [(r.number, r.state, r.outcome, r.proposal["fine"], r.changes, r.decided_on)
            for r in rounds] == [
        (1, RoundState.DECIDED, Outcome.AGREE_WITH_CHANGES, 500_000, "", D(2026, 9, 24)),
        (2, RoundState.DECIDED, Outcome.AGREE, 300_000, "已按审核意见将罚款调整为叁仟元。",
         D(2026, 9, 28))]
    assert rounds[0].changes_required == CHANGES and rounds[1].changes_required == ""
    assert (first.pk, second.pk) == (rounds[0].pk, rounds[1].pk)
    assert rounds[0].opinion_document != rounds[1].opinion_document
    assert [(e["round"], e["outcome"]) for e in entries(case, REVIEW_OPINION)] == [
        (1, "agree_with_changes"), (2, "agree")]
    assert [e["round"] for e in entries(case, REVIEW_SUBMITTED)] == [1, 2]


def test_supplement_sends_the_case_back_to_the_investigation(a: ReviewAgency) -> None:
    case = ready_for_review(a)
    request = submit(a, case)
    give(a, request, Outcome.SUPPLEMENT, problems={"facts": "缺少进货来源的证据。"})
    assert (case.stage, request.state) == ("investigating", RequestState.RETURNED)
    # not resubmitted before a new report
    refused(case, "review_stage", lambda: review_submit(
        actor=a.u_officer, case=case, handling_opinion="补充后再审", changes="补充了证据",
        submitted_on=D(2026, 9, 25)))
    act(a, case, "record_investigation", acted_on=D(2026, 9, 25), kind="questioning",
        summary="询问当事人进货来源")
    act(a, case, "submit_report", acted_on=D(2026, 9, 28), facts="经查，当事人销售不合格产品，"
        "进货来源已查明。", kinds=["fine"], fine="5000", major=True)
    request = submit(a, case, on=D(2026, 9, 28), changes="补充调取了进货凭证。")
    give(a, request, on=D(2026, 9, 29))
    assert (case.stage, request.state, request.current_round) == (
        "reported", RequestState.PASSED, 2)
    assert request.passed_proposal["facts"] == "经查，当事人销售不合格产品，进货来源已查明。"
    assert [r.outcome for r in request.rounds.order_by("number")] == ["supplement", "agree"]


def test_an_opinion_not_to_decide_keeps_the_decision_refused(a: ReviewAgency) -> None:
    case = ready_for_review(a)
    noticed(a, case, D(2026, 9, 22))
    request = submit(a, case, on=D(2026, 9, 23))
    give(a, request, Outcome.DO_NOT_DECIDE, on=D(2026, 9, 24),
         problems={"basis": "适用依据错误。"})
    assert (case.stage, request.state) == ("notified", RequestState.RETURNED)
    refuse_decision(a, case, "legal_review_not_passed", D(2026, 9, 25), fine="5000")
    refuse_decision(a, case, "legal_review_not_passed", D(2026, 9, 25), fine="1000")
    refuse_decision(a, case, "legal_review_not_passed", D(2026, 9, 25), outcome="transfer",
                    kinds=[])


def test_an_opinion_to_transfer_lets_the_transfer_through(a: ReviewAgency) -> None:
    case = ready_for_review(a)
    noticed(a, case, D(2026, 9, 22))
    request = submit(a, case, on=D(2026, 9, 23))
    give(a, request, Outcome.TRANSFER, on=D(2026, 9, 24),
         problems={"crime": "销售金额达到刑事立案追诉标准，涉嫌犯罪。"})
    assert (case.stage, request.state) == ("notified", RequestState.RETURNED)
    refuse_decision(a, case, "legal_review_not_passed", D(2026, 9, 25), fine="5000")
    decide(a, case, D(2026, 9, 25), outcome="transfer", kinds=[],
           reasons="涉嫌犯罪，移送公安机关。")
    assert (case.stage, case.outcome, case.decided_on) == ("decided", "transfer", D(2026, 9, 25))


def test_a_decision_heavier_than_the_review_passed_is_refused(a: ReviewAgency) -> None:
    case = ready_for_review(a)
    request = submit(a, case)
    give(a, request)
    assert request.passed_proposal["fine"] == 500_000
    # the report changed after the review passed: a warning added and a heavier fine,
    # notified to the party
    act(a, case, "submit_report", acted_on=D(2026, 9, 25), facts="经查，当事人销售不合格产品。",
        kinds=["warning", "fine"], fine="8000", major=True)
    noticed(a, case, D(2026, 9, 25))
    request.refresh_from_db()
    assert request.state == RequestState.PASSED
    refuse_decision(a, case, "legal_review_outdated", D(2026, 9, 28), fine="8000")
    refuse_decision(a, case, "legal_review_outdated", D(2026, 9, 28), fine="5000",
                    kinds=["fine", "warning"])
    # within what the review passed, the decision goes through
    decide(a, case, D(2026, 9, 28), fine="5000")
    assert (case.stage, case.final_fine) == ("decided", 500_000)


def test_a_hearing_after_the_review_passed_needs_a_new_review(a: ReviewAgency) -> None:
    f.hearing_threshold(a.regions["province"], PartyType.ORGANISATION, 2_000_000)
    case = ready_for_review(a, fine="30000")
    request = submit(a, case, on=D(2026, 9, 21))
    give(a, request, on=D(2026, 9, 21))
    assert (request.state, request.passed_on) == (RequestState.PASSED, D(2026, 9, 21))
    act(a, case, "serve_notice", acted_on=D(2026, 9, 22), served_on=D(2026, 9, 22),
        method="direct")
    act(a, case, "request_hearing", acted_on=D(2026, 9, 24), requested_on=D(2026, 9, 24))
    act(a, case, "schedule_hearing", acted_on=D(2026, 9, 24), hearing_on=D(2026, 10, 12),
        place="第一会议室")
    act(a, case, "hold_hearing", acted_on=D(2026, 10, 12), presiding="赵敏",
        record="当事人到场陈述")
    assert (case.stage, case.hearing_held_on) == ("notified", D(2026, 10, 12))
    refuse_decision(a, case, "legal_review_after_hearing", D(2026, 10, 13), fine="30000")
    # reviewed again after the hearing, from the notice stage
    request = submit(a, case, on=D(2026, 10, 13), changes="听证已举行，提交听证笔录复核。")
    give(a, request, on=D(2026, 10, 13))
    assert (case.stage, request.state, request.passed_on) == (
        "notified", RequestState.PASSED, D(2026, 10, 13))
    decide(a, case, D(2026, 10, 14), fine="30000")
    assert (case.stage, case.final_fine) == ("decided", 3_000_000)
    assert ReviewRequest.objects.get(pk=request.pk).rounds.count() == 2
    assert "hearing_record" in [m["code"] for m in request.rounds.get(number=2).materials]
