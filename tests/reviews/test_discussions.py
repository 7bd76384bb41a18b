"""Disagreement with a review opinion goes to the heads' collective discussion (APL art. 57
§2), whose conclusion binds the case (``services.discussions``); a complex case is discussed
the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation

from tests.cases.factories import act
from tests.reviews.factories import ReviewAgency, ready_for_review
from tests.reviews.test_loop import decide, noticed, refuse_decision
from tests.reviews.test_opinions import (
    entries,
    give,
    refused,
    submit,
    with_digest,
    zh,
)
from zhifa.cases.models import Case
from zhifa.documents.models import DocumentState
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import Person, PersonStatus
from zhifa.reviews.events import DISCUSSION_OPENED, DISCUSSION_RECORDED, REVIEW_CONTESTED
from zhifa.reviews.models import (
    CollectiveDiscussion,
    Conclusion,
    DiscussionReason,
    DiscussionState,
    Outcome,
    Position,
    RequestState,
    ReviewRequest,
)
from zhifa.reviews.services.discussions import (
    discussion_open,
    discussion_record,
    review_contest,
)

pytestmark = pytest.mark.django_db

D = dt.date
GROUNDS = "当事人的行为已造成实际危害后果，依法应当给予处罚，审核意见认定有误。"
HELD_ON = D(2026, 9, 25)
DECISION_TEXT = "经集体讨论，同意承办机构意见，对当事人罚款人民币伍仟元。"
VIEW_HEAD = "证据充分，处罚适当，同意承办机构的意见。"
VIEW_HEAD2 = "同意王芳同志的意见。"


def returned(a: ReviewAgency, outcome: str = Outcome.DO_NOT_DECIDE) -> ReviewRequest:
    """A case noticed on 22 September (the party waived its rights), submitted on the 23rd;
    刘静's opinion on the 24th."""
    case = ready_for_review(a)
    noticed(a, case, D(2026, 9, 22))
    request = submit(a, case, on=D(2026, 9, 23))
    give(a, request, outcome, on=D(2026, 9, 24))
    return request


def contested(a: ReviewAgency) -> tuple[ReviewRequest, CollectiveDiscussion]:
    request = returned(a)
    discussion = review_contest(actor=a.u_officer, request=request, grounds=GROUNDS)
    request.refresh_from_db()
    return request, discussion


def attendees(a: ReviewAgency, position: str = Position.PROPOSAL) -> list[dict[str, Any]]:
    return [{"person": a.head, "position": position, "view": VIEW_HEAD},
            {"person": a.head2, "position": position, "view": VIEW_HEAD2}]


def record(a: ReviewAgency, discussion: CollectiveDiscussion, *, actor: Any = None,
           conclusion: str = Conclusion.PROPOSAL, **kwargs: Any) -> CollectiveDiscussion:
    args: dict[str, Any] = {"held_on": HELD_ON, "presided_by": a.head,
                            "attendees": attendees(a), "conclusion": conclusion,
                            "conclusion_text": DECISION_TEXT, "place": "第二会议室", **kwargs}
    return discussion_record(actor=actor or a.u_head, discussion=discussion, **args)


# --- contesting -------------------------------------------------------------------------------

def test_contesting_an_opinion_sends_it_to_the_heads(a: ReviewAgency) -> None:
    request, discussion = contested(a)
    case = request.case
    rnd = request.rounds.get()
    assert request.state == RequestState.CONTESTED
    assert (discussion.case, discussion.request, discussion.round, discussion.reason,
            discussion.state, discussion.grounds, discussion.raised_by) == (
        case, request, rnd, DiscussionReason.CONTESTED, DiscussionState.PENDING, GROUNDS,
        a.u_officer)
    assert discussion.agenda == (f"关于销售不合格产品案（{case.number}），拟给予行政处罚："
                                 f"罚款5,000.00元法制审核意见的异议")
    assert entries(case, REVIEW_CONTESTED) == [{
        "case": case.number, "request": str(request.public_id),
        "discussion": str(discussion.public_id), "round": 1, "outcome": "do_not_decide",
        "outcome_label": zh(Outcome.DO_NOT_DECIDE.label), "grounds": GROUNDS}]
    # no decision while the heads have not discussed it
    refuse_decision(a, case, "legal_review_contested", D(2026, 9, 25), fine="5000")


@pytest.mark.parametrize("outcome", [Outcome.AGREE_WITH_CHANGES, Outcome.TRANSFER])
def test_changes_and_transfer_opinions_can_be_contested(a: ReviewAgency, outcome: str) -> None:
    from zhifa.reviews.services.requests import review_draft_save

    request = returned(a, outcome)
    # a next package being prepared does not hide the opinion
    review_draft_save(actor=a.u_officer, case=request.case, handling_opinion="拟维持原意见")
    discussion = review_contest(actor=a.u_head, request=request, grounds=GROUNDS)
    request.refresh_from_db()
    assert request.state == RequestState.CONTESTED
    assert discussion.round == request.rounds.get(number=1)


@pytest.mark.parametrize("outcome", [Outcome.AGREE, Outcome.SUPPLEMENT])
def test_an_opinion_that_agrees_or_asks_for_more_evidence_is_not_contested(
        a: ReviewAgency, outcome: str) -> None:
    request = returned(a, outcome)
    exc = refused(request.case, "review_not_contestable", lambda: review_contest(
        actor=a.u_officer, request=request, grounds=GROUNDS))
    assert exc.status == 409


def test_who_contests_and_when(a: ReviewAgency) -> None:
    case = ready_for_review(a)
    request = submit(a, case)

    def by(actor: Any, grounds: str = GROUNDS) -> Callable[[], Any]:
        return lambda: review_contest(actor=actor, request=request, grounds=grounds)

    # nothing to contest while the review is open
    refused(case, "review_not_contestable", by(a.u_officer))
    give(a, request, Outcome.DO_NOT_DECIDE)
    refused(case, "grounds_required", by(a.u_officer, " "))
    refused(case, "review_contest_forbidden", by(a.u_reviewer))
    refused(case, "not_auxiliary", by(a.u_auxiliary))
    assert refused(case, "review_not_found", by(a.u_other)).status == 404
    review_contest(actor=a.u_officer2, request=request, grounds=GROUNDS)
    # once only
    refused(case, "review_not_contestable", by(a.u_officer))


# --- the discussion ---------------------------------------------------------------------------

def test_the_heads_decide_for_the_proposal(a: ReviewAgency) -> None:
    request, discussion = contested(a)
    case = request.case
    discussion = record(a, discussion)
    discussion.refresh_from_db()
    request.refresh_from_db()
    case.refresh_from_db()
    assert (discussion.state, discussion.held_on, discussion.place, discussion.presided_by,
            discussion.conclusion, discussion.conclusion_text, discussion.recorded_by) == (
        DiscussionState.HELD, HELD_ON, "第二会议室", a.head, Conclusion.PROPOSAL,
        DECISION_TEXT, a.u_head)
    assert [(x.person, x.position, x.view) for x in discussion.attendees.all()] == [
        (a.head, "proposal", VIEW_HEAD), (a.head2, "proposal", VIEW_HEAD2)]
    # the conclusion binds: decided by discussion, on the contested round's proposal
    assert (request.state, request.passed_proposal, request.passed_on) == (
        RequestState.DISCUSSED, with_digest(case), HELD_ON)
    assert request.passed_proposal == discussion.round.proposal
    step = case.steps.get(action="collective_discussion")
    assert (step.acted_on, step.actor, step.data["attendees"], step.data["conclusion"]) == (
        HELD_ON, a.u_head, "王芳、赵刚", DECISION_TEXT)
    assert (case.stage, case.discussed_on) == ("notified", HELD_ON)
    [payload] = entries(case, DISCUSSION_RECORDED)
    doc = discussion.record_document
    assert payload == {
        "case": case.number, "discussion": str(discussion.public_id), "reason": "contested",
        "held_on": "2026-09-25", "place": "第二会议室", "presided_by": "王芳",
        "attendees": [
            {"person": "王芳", "position": "proposal",
             "position_label": zh(Position.PROPOSAL.label), "view": VIEW_HEAD},
            {"person": "赵刚", "position": "proposal",
             "position_label": zh(Position.PROPOSAL.label), "view": VIEW_HEAD2}],
        "conclusion": "proposal", "conclusion_label": zh(Conclusion.PROPOSAL.label),
        "conclusion_text": DECISION_TEXT, "request_state": "discussed",
        "document": str(doc.public_id)}
    entry = LedgerEntry.objects.get(stream=case.stream, event_code=DISCUSSION_RECORDED.code)
    assert (entry.actor, entry.body) == (a.u_head, a.body)
    decide(a, case, D(2026, 9, 28), fine="5000")
    assert (case.stage, case.final_fine) == ("decided", 500_000)


def test_the_discussion_record_is_drafted(a: ReviewAgency) -> None:
    request, discussion = contested(a)
    case = request.case
    doc = record(a, discussion).record_document
    assert (doc.doc_type, doc.state, doc.created_by) == (
        "collective_discussion_record", DocumentState.DRAFT, a.u_head)
    assert doc.step == case.steps.get(action="collective_discussion")
    proposal = zh(Position.PROPOSAL.label)
    assert doc.fields == {
        "讨论事项": f"{discussion.agenda}\n异议理由：{GROUNDS}",
        "讨论时间": "2026年9月25日",
        "讨论地点": "第二会议室",
        "主持人": "王芳",
        "出席人员": "王芳、赵刚",
        "讨论意见": f"王芳（{proposal}）：{VIEW_HEAD}\n赵刚（{proposal}）：{VIEW_HEAD2}",
        "讨论决定": f"{zh(Conclusion.PROPOSAL.label)}。{DECISION_TEXT}",
        "记录人": "王芳",
    }


@pytest.mark.parametrize("conclusion", [Conclusion.OPINION, Conclusion.OTHER])
def test_the_heads_follow_the_opinion(a: ReviewAgency, conclusion: str) -> None:
    request, discussion = contested(a)
    case = request.case
    record(a, discussion, conclusion=conclusion,
           attendees=attendees(a, Position.OPINION), conclusion_text="维持法制审核意见，不予处罚。")
    request.refresh_from_db()
    assert (request.state, request.passed_proposal, request.passed_on) == (
        RequestState.RETURNED, {}, None)
    refuse_decision(a, case, "legal_review_not_passed", D(2026, 9, 28), fine="5000")


@pytest.mark.parametrize("conclusion", [Conclusion.OPINION, Conclusion.OTHER])
def test_a_discussed_opinion_is_not_contested_again(a: ReviewAgency, conclusion: str) -> None:
    request, discussion = contested(a)
    case = request.case
    record(a, discussion, conclusion=conclusion, attendees=attendees(a, Position.OPINION),
           conclusion_text="维持法制审核意见，不予处罚。")
    request.refresh_from_db()
    assert request.state == RequestState.RETURNED
    # the conclusion binds: the same opinion is not sent to the heads twice
    with translation.override("en"):
        exc = refused(case, "review_not_contestable", lambda: review_contest(
            actor=a.u_officer, request=request, grounds=GROUNDS))
    assert exc.message == ("The heads have already discussed this opinion: change the case "
                           "and submit it for review again.")
    # the handler changes the case and submits it again: the new round's opinion is his to
    # contest
    request = submit(a, case, on=D(2026, 9, 28), changes="补充了危害后果的证据。")
    give(a, request, Outcome.DO_NOT_DECIDE, on=D(2026, 9, 29))
    second = review_contest(actor=a.u_officer, request=request, grounds=GROUNDS)
    assert (second.round.number, second.state) == (2, DiscussionState.PENDING)


def _record_refused(a: ReviewAgency, case: Case, code: str,
                    discussion: CollectiveDiscussion, **kwargs: Any) -> Any:
    with translation.override("en"):
        return refused(case, code, lambda: record(a, discussion, **kwargs))


def test_a_discussion_needs_two_heads_with_their_views(a: ReviewAgency) -> None:
    request, discussion = contested(a)
    case = request.case
    head, head2 = attendees(a)
    exc = _record_refused(a, case, "discussion_attendee_invalid", discussion,
                          attendees=[head])
    assert exc.detail == {"attendees": "At least two heads of the body must attend."}
    exc = _record_refused(a, case, "discussion_attendee_invalid", discussion,
                          attendees=[head, {**head2, "person": a.officer}])
    assert exc.detail == {"1": "Not a head of the body in post."}
    exc = _record_refused(a, case, "discussion_attendee_invalid", discussion,
                          attendees=[head, {**head2, "view": " "}])
    assert exc.detail == {"1": "Record the attendee's view."}
    exc = _record_refused(a, case, "discussion_attendee_invalid", discussion,
                          attendees=[head, {**head2, "position": "maybe"}, head])
    assert exc.detail == {"1": "Choose the attendee's position.",
                          "2": "Listed more than once."}
    exc = _record_refused(a, case, "discussion_attendee_invalid", discussion,
                          presided_by=a.officer)
    assert exc.detail == {"presided_by": "The chair must be one of the attendees."}
    Person.objects.filter(pk=a.head2.pk).update(status=PersonStatus.LEFT)
    exc = _record_refused(a, case, "discussion_attendee_invalid", discussion)
    assert exc.detail == {"1": "Not a head of the body in post."}
    Person.objects.filter(pk=a.head2.pk).update(status=PersonStatus.ACTIVE)
    exc = _record_refused(a, case, "discussion_invalid", discussion, conclusion="maybe",
                          conclusion_text=" ")
    assert exc.detail == {"conclusion": "Choose the conclusion.",
                          "conclusion_text": "Write the decision of the discussion."}
    exc = _record_refused(a, case, "discussion_invalid", discussion,
                          held_on=dt.date.today() + dt.timedelta(days=1))
    assert exc.detail == {"held_on": "The date of the discussion cannot be in the future."}
    # the case step's own check: not dated before the opinion
    _record_refused(a, case, "date_before_previous_step", discussion, held_on=D(2026, 9, 23))


def test_only_a_head_records_the_discussion_once(a: ReviewAgency) -> None:
    request, discussion = contested(a)
    case = request.case
    for actor in (a.u_officer, a.u_reviewer):
        assert _record_refused(a, case, "discussion_forbidden", discussion,
                               actor=actor).status == 403
    assert _record_refused(a, case, "discussion_not_found", discussion,
                           actor=a.u_other).status == 404
    record(a, discussion, actor=a.u_head2)
    _record_refused(a, case, "discussion_held", discussion)


def test_a_complex_case_is_discussed_before_the_decision(a: ReviewAgency) -> None:
    case = ready_for_review(a, complex=True)
    request = submit(a, case, on=D(2026, 9, 23))
    give(a, request, on=D(2026, 9, 24))
    # neither the prior notice nor the decision before the discussion
    refused(case, "collective_discussion_missing", lambda: act(
        a, case, "serve_notice", acted_on=D(2026, 9, 25), served_on=D(2026, 9, 25),
        method="direct"))
    discussion = discussion_open(actor=a.u_officer, case=case, agenda="讨论本案处罚决定")
    assert (discussion.reason, discussion.state, discussion.request, discussion.round) == (
        DiscussionReason.COMPLEX, DiscussionState.PENDING, request, None)
    assert entries(case, DISCUSSION_OPENED) == [
        {"case": case.number, "discussion": str(discussion.public_id),
         "agenda": "讨论本案处罚决定"}]
    refused(case, "discussion_pending", lambda: discussion_open(
        actor=a.u_head, case=case, agenda="再次讨论"))
    refused(case, "agenda_required", lambda: discussion_open(
        actor=a.u_head, case=case, agenda=""))
    refused(case, "discussion_forbidden", lambda: discussion_open(
        actor=a.u_reviewer, case=case, agenda="讨论"))
    record(a, discussion)
    request.refresh_from_db()
    case.refresh_from_db()
    # the review is not the discussion's to change here
    assert (request.state, request.passed_on) == (RequestState.PASSED, D(2026, 9, 24))
    assert case.discussed_on == HELD_ON
    assert entries(case, DISCUSSION_RECORDED)[0]["request_state"] == ""
    noticed(a, case, D(2026, 9, 25))
    decide(a, case, D(2026, 9, 28), fine="5000")
    assert case.stage == "decided"


def test_a_complex_case_is_not_discussed_while_under_review(a: ReviewAgency) -> None:
    case = ready_for_review(a, complex=True)
    request = submit(a, case, on=D(2026, 9, 23))
    discussion = discussion_open(actor=a.u_officer, case=case, agenda="讨论本案处罚决定")
    # the case step cannot be taken at the legal review stage: nothing is recorded
    exc = _record_refused(a, case, "discussion_stage", discussion)
    assert (exc.message, exc.detail) == (
        "The collective discussion cannot be recorded while the case is at this stage.",
        {"stage": "legal_review"})
    give(a, request, on=D(2026, 9, 24))
    record(a, discussion)
    case.refresh_from_db()
    assert (case.stage, case.discussed_on) == ("reported", HELD_ON)
