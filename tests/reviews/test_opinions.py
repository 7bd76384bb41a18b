"""The legal reviewer's structured opinion (``services.opinions``): the nine points, the
outcome, who may give it and when, what it changes (the case step, the round, the request),
the ledger entry and the 法制审核意见书 drafted from it.

The helpers here (a case under review, an opinion given, the state a refusal leaves) are
shared by ``test_discussions`` and ``test_loop``."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from pypdf import PdfReader

from tests.cases.factories import snapshot
from tests.reviews.factories import ReviewAgency, ready_for_review
from zhifa.cases.models import Case, CaseDeadline, CaseStep
from zhifa.cases.services import case_officers_set
from zhifa.catalog.models import PenaltyKind
from zhifa.core.errors import ApplicationError
from zhifa.documents.models import Document, DocumentState
from zhifa.ledger.events import EventType
from zhifa.ledger.models import LedgerEntry
from zhifa.reviews.events import REVIEW_EXTENSION_DECIDED, REVIEW_OPINION
from zhifa.reviews.hooks import decision_draft_digest
from zhifa.reviews.models import (
    CollectiveDiscussion,
    DiscussionAttendee,
    ExtensionState,
    Finding,
    Outcome,
    RequestState,
    ReviewExtension,
    ReviewRequest,
    ReviewRound,
    RoundState,
)
from zhifa.reviews.points import POINT_CODES, POINTS
from zhifa.reviews.services.assign import review_assign
from zhifa.reviews.services.extensions import extension_decide, extension_request
from zhifa.reviews.services.opinions import EXTENSIONS_CLOSED, opinion_save, opinion_submit
from zhifa.reviews.services.requests import review_submit

pytestmark = pytest.mark.django_db

D = dt.date
# ``ready_for_review`` reports on 21 September 2026
SUBMIT_ON = D(2026, 9, 22)
OPINION_ON = D(2026, 9, 24)
# 7 working days from 22 September: 23, 24 (25th: Mid-Autumn), 28–30 September, 8 and
# 9 October (National Day in between)
DUE = D(2026, 10, 9)
HANDLING = "建议对当事人罚款人民币伍仟元。"
OPINION = "事实清楚，证据确实充分，适用依据正确，程序合法。"
PROBLEM = "罚款数额偏高，与当事人初次违法、货值较小的情节不相当。"
CHANGES = "将罚款调整为人民币叁仟元。"
PROPOSAL = {"outcome": "penalty", "kinds": ["fine"], "fine": 500_000, "confiscation": 0,
            "facts": "经查，当事人销售不合格产品。"}


# --- shared helpers ---------------------------------------------------------------------------


def points(**problems: str) -> list[dict[str, str]]:
    """Every point "no problem", but those named: a problem with the comment given."""
    return [{"code": code, "finding": Finding.PROBLEM if code in problems else Finding.OK,
             "comment": problems.get(code, "")} for code in POINT_CODES]


def submit(a: ReviewAgency, case: Case, *, on: dt.date = SUBMIT_ON, changes: str = "",
           actor: Any = None) -> ReviewRequest:
    """Submitted by the officer 李明 and assigned by the head to the reviewer 刘静."""
    result = review_submit(actor=actor or a.u_officer, case=case, handling_opinion=HANDLING,
                           changes=changes, submitted_on=on)
    review_assign(actor=a.u_head, request=result.request, reviewer=a.reviewer)
    case.refresh_from_db()
    result.request.refresh_from_db()
    result.request.case = case  # the caller's case object
    return result.request


def in_review(a: ReviewAgency, **kwargs: Any) -> ReviewRequest:
    """A new ``ready_for_review`` case (fine 5,000 yuan, a major public interest) under
    review by 刘静."""
    return submit(a, ready_for_review(a, **kwargs))


@contextmanager
def clock_at(day: dt.date) -> Iterator[None]:
    """Today is ``day`` (at the same time of day) inside: ``timezone.now`` and so
    ``timezone.localdate``, by which an opinion is late or not."""
    real = timezone.now
    shift = day - timezone.localdate(real())
    with mock.patch.object(timezone, "now", lambda: real() + shift):
        yield


def with_digest(case: Case, proposal: dict[str, Any] = PROPOSAL) -> dict[str, Any]:
    """``proposal`` as a round keeps it: with the digest of the case's draft decision."""
    return {**proposal, "document_digest": decision_draft_digest(case)}


def give(a: ReviewAgency, request: ReviewRequest, outcome: str = Outcome.AGREE, *,
         on: dt.date = OPINION_ON, today: dt.date | None = None,
         problems: dict[str, str] | None = None, changes_required: str = "",
         **kwargs: Any) -> ReviewRound:
    """刘静's opinion, given on ``today`` (default: the day it is dated, ``on``): any outcome
    but "agree" finds a problem on "appropriate" unless ``problems`` says otherwise; "agree
    with changes" asks for ``CHANGES``."""
    if problems is None:
        problems = {} if outcome == Outcome.AGREE else {"appropriate": PROBLEM}
    if outcome == Outcome.AGREE_WITH_CHANGES and not changes_required:
        changes_required = CHANGES
    with clock_at(today or on):
        rnd = opinion_submit(actor=a.u_reviewer, request=request, points=points(**problems),
                             outcome=outcome, opinion=OPINION,
                             changes_required=changes_required, decided_on=on, **kwargs)
    case = request.case
    request.refresh_from_db()
    case.refresh_from_db()
    request.case = case  # the caller's case object, read again
    return rnd


def state(case: Case) -> dict[str, Any]:
    """The case (its row, steps, deadlines, the ledger count: ``snapshot``), its documents
    and every legal-review row of the case."""

    def rows(qs: Any) -> list[dict[str, Any]]:
        return list(qs.order_by("id").values())

    return {
        **snapshot(case),
        "documents": rows(Document.objects.filter(case=case)),
        "requests": rows(ReviewRequest.objects.filter(case=case)),
        "rounds": rows(ReviewRound.objects.filter(request__case=case)),
        "extensions": rows(ReviewExtension.objects.filter(round__request__case=case)),
        "discussions": rows(CollectiveDiscussion.objects.filter(case=case)),
        "attendees": rows(DiscussionAttendee.objects.filter(discussion__case=case)),
    }


def refused(case: Case, code: str, fn: Callable[[], Any]) -> ApplicationError:
    """``fn`` must be refused with ``code`` and change nothing."""
    before = state(case)
    with pytest.raises(ApplicationError) as info:
        fn()
    assert info.value.code == code, (info.value.code, info.value.message, info.value.detail)
    assert state(case) == before
    return info.value


def entries(case: Case, event: EventType) -> list[dict[str, Any]]:
    """The payloads of the case's ledger entries of ``event``, in order."""
    return [json.loads(e.payload) for e in LedgerEntry.objects.filter(
        stream=case.stream, event_code=event.code).order_by("stream_seq")]


def licensing_in_review(a: ReviewAgency) -> tuple[Case, ReviewRequest]:
    """A licence application the catalogue sends to review before a refusal, submitted on
    3 September 2026 and under review by 刘静."""
    from tests import factories as f
    from tests.cases.factories import act, open_case
    from tests.documents.factories import draft
    from tests.reviews.factories import evidence

    case = open_case(a, "licensing", received_on=D(2026, 9, 1), source_kind="application")
    act(a, case, "accept", acted_on=D(2026, 9, 2))
    evidence(a, case, title="申请材料核查记录")
    draft(a, case, "licensing_decision")
    f.review_catalogue(a.body, triggers=("licensing_refusal",))
    return case, submit(a, case, on=D(2026, 9, 3))


def zh(value: Any) -> str:
    with translation.override("zh-hans"):
        return str(value)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# --- what an opinion changes ------------------------------------------------------------------

def test_an_opinion_that_agrees_passes_the_review(a: ReviewAgency) -> None:
    request = in_review(a)
    case = request.case
    assert (case.stage, request.state) == ("legal_review", RequestState.IN_REVIEW)
    rnd = give(a, request)
    rnd.refresh_from_db()
    assert (rnd.number, rnd.state, rnd.outcome, rnd.opinion, rnd.changes_required) == (
        1, RoundState.DECIDED, Outcome.AGREE, OPINION, "")
    assert rnd.points == points()
    assert (rnd.decided_by, rnd.decided_on, rnd.due, rnd.late, rnd.late_reason) == (
        a.u_reviewer, OPINION_ON, DUE, False, "")
    assert rnd.decided_at is not None and rnd.proposal == with_digest(case)
    assert len(rnd.proposal["document_digest"]) == 64
    # what passed is the whole round's proposal, the draft decision's digest with it
    assert (request.state, request.passed_proposal, request.passed_on) == (
        RequestState.PASSED, rnd.proposal, OPINION_ON)
    # the case step: back to the report, the review passed, its time limit met
    assert (case.stage, case.review_passed_on) == ("reported", OPINION_ON)
    step = case.steps.get(action="record_review_opinion")
    assert (step.acted_on, step.actor, step.data["outcome"], step.data["opinion"]) == (
        OPINION_ON, a.u_reviewer, "agree", OPINION)
    deadline = CaseDeadline.objects.get(case=case, rule_code="review_7")
    assert (deadline.state, deadline.met_on, deadline.due) == ("met", OPINION_ON, DUE)
    doc = rnd.opinion_document
    assert (doc.doc_type, doc.state, doc.step, doc.created_by) == (
        "legal_review_opinion", DocumentState.DRAFT, step, a.u_reviewer)


@pytest.mark.parametrize(("outcome", "stage"), [
    (Outcome.AGREE_WITH_CHANGES, "reported"),
    (Outcome.SUPPLEMENT, "investigating"),
    (Outcome.DO_NOT_DECIDE, "reported"),
    (Outcome.TRANSFER, "reported"),
])
def test_any_other_outcome_returns_the_case_to_the_handler(a: ReviewAgency, outcome: str,
                                                           stage: str) -> None:
    request = in_review(a)
    rnd = give(a, request, outcome)
    case = request.case
    assert (rnd.state, rnd.outcome) == (RoundState.DECIDED, outcome)
    assert (request.state, request.passed_proposal, request.passed_on) == (
        RequestState.RETURNED, {}, None)
    assert (case.stage, case.review_passed_on) == (stage, None)
    assert case.steps.get(action="record_review_opinion").data["outcome"] == outcome


def test_the_ledger_records_the_opinion_and_its_reviewer(a: ReviewAgency) -> None:
    request = in_review(a)
    rnd = give(a, request, Outcome.AGREE_WITH_CHANGES)
    case = request.case
    [payload] = entries(case, REVIEW_OPINION)
    assert payload == {
        "case": case.number, "request": str(request.public_id), "round": 1,
        "outcome": "agree_with_changes", "outcome_label": zh(Outcome.AGREE_WITH_CHANGES.label),
        "points": points(appropriate=PROBLEM), "opinion": OPINION, "changes_required": CHANGES,
        "reviewer": "刘静", "decided_on": "2026-09-24", "due": "2026-10-09", "late": False,
        "late_reason": "", "document": str(rnd.opinion_document.public_id),
        "state": "returned"}
    entry = LedgerEntry.objects.get(stream=case.stream, event_code=REVIEW_OPINION.code)
    assert (entry.actor, entry.body) == (a.u_reviewer, a.body)
    # the step, the document drafted, then the opinion: one transaction, in that order
    codes = list(LedgerEntry.objects.filter(stream=case.stream).order_by("stream_seq")
                 .values_list("event_code", flat=True))
    assert codes[-1] == REVIEW_OPINION.code


def test_the_opinion_document_is_filled_from_the_opinion(a: ReviewAgency) -> None:
    request = in_review(a)
    rnd = give(a, request, Outcome.AGREE_WITH_CHANGES,
               problems={"appropriate": PROBLEM, "documents": "决定书未写明履行方式。"})
    case = request.case
    with translation.override("zh-hans"):
        ok, problem = str(Finding.OK.label), str(Finding.PROBLEM.label)
        labels = [str(p.label) for p in POINTS]
        conclusion = str(Outcome.AGREE_WITH_CHANGES.label)
    assert len(labels) == 9
    lines = [f"{n}、{labels[i]}：{ok}。" for i, n in enumerate("一二三四五六七八九")]
    lines[4] = f"五、{labels[4]}：{problem}。{PROBLEM}"
    lines[7] = f"八、{labels[7]}：{problem}。决定书未写明履行方式。"
    fine = zh(PenaltyKind.FINE.label)
    assert rnd.opinion_document.fields == {
        "送审事项": f"销售不合格产品案（{case.number}），拟给予行政处罚：{fine}5,000.00元",
        "送审日期": "2026年9月22日",
        "审核要点": "\n".join(lines),
        "审核结论": conclusion,
        "审核意见": OPINION,
        "修改意见": CHANGES,
        "审核人员": "刘静（法律职业资格证书编号：A20194301000123）",
        "法制审核机构": "芙蓉区市场监督管理局法制审核科",
    }


def test_the_opinion_document_is_issued_with_its_conclusion(a: ReviewAgency) -> None:
    from zhifa.documents.services import document_issue, read_bytes

    request = in_review(a)
    rnd = give(a, request, Outcome.AGREE_WITH_CHANGES)
    doc = document_issue(actor=a.u_reviewer, document=rnd.opinion_document,
                         issued_on=OPINION_ON)
    assert doc.state == DocumentState.ISSUED
    flat = "".join(pdf_text(read_bytes(doc.pdf)).split())
    assert "法制审核意见书" in flat
    assert zh(Outcome.AGREE_WITH_CHANGES.label).replace(" ", "") in flat
    assert "".join(CHANGES.split()) in flat and "刘静" in flat


# --- validation -------------------------------------------------------------------------------

def _without(code: str) -> list[dict[str, str]]:
    return [p for p in points(appropriate=PROBLEM) if p["code"] != code]


def _with(code: str, **change: str) -> list[dict[str, str]]:
    return [{**p, **change} if p["code"] == code else p for p in points(appropriate=PROBLEM)]


@pytest.mark.parametrize(("given", "outcome", "changes", "detail"), [
    (_without("crime"), "do_not_decide", "",
     {"points": {"crime": "Give a finding on this point."}}),
    (_with("facts", finding="problem"), "do_not_decide", "",
     {"points": {"facts": "Explain the problem found."}}),
    (_with("facts", finding=""), "do_not_decide", "",
     {"points": {"facts": "Give a finding on this point."}}),
    (_with("facts", finding="maybe"), "do_not_decide", "",
     {"points": {"facts": "Choose one of the findings."}}),
    ([*points(appropriate=PROBLEM), {"code": "party", "finding": "ok"}], "do_not_decide", "",
     {"points": {"party": "This review point is given more than once."}}),
    ([*points(appropriate=PROBLEM), {"code": "mood", "finding": "ok"}], "do_not_decide", "",
     {"points": {"mood": "There is no review point with this code."}}),
    (points(appropriate=PROBLEM), "approve", "", {"outcome": "Choose one of the outcomes."}),
    (points(appropriate=PROBLEM), "agree_with_changes", "",
     {"changes_required": "State the changes the decision needs."}),
])
def test_an_incomplete_opinion_is_refused(a: ReviewAgency, given: list[dict[str, str]],
                                          outcome: str, changes: str,
                                          detail: dict[str, Any]) -> None:
    request = in_review(a)
    with translation.override("en"):
        exc = refused(request.case, "review_opinion_invalid", lambda: opinion_submit(
            actor=a.u_reviewer, request=request, points=given, outcome=outcome,
            opinion=OPINION, changes_required=changes, decided_on=OPINION_ON))
    assert exc.detail == detail
    assert exc.status == 400


def test_an_opinion_needs_its_text_and_a_date_in_range(a: ReviewAgency) -> None:
    request = in_review(a)
    case = request.case
    with translation.override("en"):
        exc = refused(case, "review_opinion_invalid", lambda: opinion_submit(
            actor=a.u_reviewer, request=request, points=points(), outcome="agree",
            opinion="  ", decided_on=D(2026, 9, 21)))
        assert exc.detail == {
            "opinion": "Write the opinion.",
            "decided_on": "The opinion cannot be dated before the submission (2026-09-22)."}
        exc = refused(case, "review_opinion_invalid", lambda: opinion_submit(
            actor=a.u_reviewer, request=request, points=points(), outcome="agree",
            opinion=OPINION, decided_on=dt.date.today() + dt.timedelta(days=1)))
        assert exc.detail == {"decided_on": "The date of the opinion cannot be in the future."}


@pytest.mark.parametrize(("outcome", "given"), [
    ("agree", points(facts="抽样程序不规范。")),
    ("agree_with_changes", points()),
    ("supplement", points()),
    ("do_not_decide", points()),
    ("transfer", points(crime="")),  # a point marked "not applicable" is no problem
])
def test_the_findings_must_support_the_outcome(a: ReviewAgency, outcome: str,
                                               given: list[dict[str, str]]) -> None:
    if outcome == "transfer":
        given = [{**p, "finding": "na"} if p["code"] == "crime" else p for p in given]
    request = in_review(a)
    exc = refused(request.case, "review_points_contradict", lambda: opinion_submit(
        actor=a.u_reviewer, request=request, points=given, outcome=outcome, opinion=OPINION,
        changes_required=CHANGES, decided_on=OPINION_ON))
    assert list(exc.detail) == ["outcome"]


# --- who and when -----------------------------------------------------------------------------

def test_only_the_assigned_reviewer_gives_the_opinion(a: ReviewAgency) -> None:
    request = in_review(a)
    case = request.case

    def by(actor: Any) -> Callable[[], Any]:
        return lambda: opinion_submit(actor=actor, request=request, points=points(),
                                      outcome="agree", opinion=OPINION, decided_on=OPINION_ON)

    for actor in (a.u_officer, a.u_head, a.u_reviewer2, a.u_auxiliary):
        exc = refused(case, "review_not_assignee", by(actor))
        assert exc.status == 403
    # another body's review, or a supervisor's look, is not found
    for actor in (a.u_other, a.u_supervisor):
        exc = refused(case, "review_not_found", by(actor))
        assert exc.status == 404
    assert request.rounds.get().state == RoundState.SUBMITTED


def test_no_opinion_before_the_assignment_nor_after_the_opinion(a: ReviewAgency) -> None:
    case = ready_for_review(a)
    result = review_submit(actor=a.u_officer, case=case, handling_opinion=HANDLING,
                           submitted_on=SUBMIT_ON)
    request = result.request
    refused(case, "review_not_assignee", lambda: opinion_submit(
        actor=a.u_reviewer, request=request, points=points(), outcome="agree",
        opinion=OPINION, decided_on=OPINION_ON))
    review_assign(actor=a.u_head, request=request, reviewer=a.reviewer)
    give(a, request, Outcome.DO_NOT_DECIDE)
    refused(case, "review_not_open", lambda: opinion_submit(
        actor=a.u_reviewer, request=request, points=points(), outcome="agree",
        opinion=OPINION, decided_on=OPINION_ON))


def test_a_reviewer_become_one_of_the_officers_gives_no_opinion(a: ReviewAgency) -> None:
    # a penalty case: the step's guard would refuse him too; the service asks first
    request = in_review(a)
    case = request.case
    case_officers_set(actor=a.u_head, case=case, officers=[a.officer, a.officer2, a.reviewer],
                      handler=a.officer)
    exc = refused(case, "reviewer_is_handler", lambda: give(a, request))
    assert exc.status == 403
    assert [p["code"] for p in exc.detail] == ["reviewer_is_handler"]
    assert request.rounds.get().state == RoundState.SUBMITTED


def test_a_reviewer_no_longer_in_the_office_gives_no_opinion(a: ReviewAgency) -> None:
    request = in_review(a)
    a.reviewer.department = None  # moved out of the legal review office
    a.reviewer.save(update_fields=["department"])
    exc = refused(request.case, "reviewer_not_in_office", lambda: give(a, request))
    assert exc.status == 403


def test_no_opinion_by_a_reviewer_on_a_licensing_case_he_now_handles(a: ReviewAgency) -> None:
    # licensing has no step for the opinion, so no guard of it: only the service checks
    case, request = licensing_in_review(a)
    case_officers_set(actor=a.u_head, case=case, officers=[a.officer, a.reviewer],
                      handler=a.officer)
    exc = refused(case, "reviewer_is_handler", lambda: give(a, request, on=D(2026, 9, 4)))
    assert exc.status == 403
    assert (request.state, request.passed_on) == (RequestState.IN_REVIEW, None)
    assert entries(case, REVIEW_OPINION) == []


def test_a_late_opinion_states_why(a: ReviewAgency) -> None:
    request = in_review(a)
    case = request.case
    late_on = D(2026, 10, 12)
    exc = refused(case, "late_reason_required", lambda: opinion_submit(
        actor=a.u_reviewer, request=request, points=points(), outcome="agree",
        opinion=OPINION, decided_on=late_on, late_reason="  "))
    assert exc.detail == {"due": "2026-10-09"}
    rnd = give(a, request, on=late_on, late_reason="案情复杂，需调取外地证据。")
    assert (rnd.late, rnd.late_reason) == (True, "案情复杂，需调取外地证据。")
    deadline = CaseDeadline.objects.get(case=case, rule_code="review_7")
    assert (deadline.state, deadline.met_on, deadline.late_reason) == (
        "met", late_on, "案情复杂，需调取外地证据。")
    [payload] = entries(case, REVIEW_OPINION)
    assert (payload["late"], payload["late_reason"]) == (True, "案情复杂，需调取外地证据。")
    # a reason given for an opinion in time is not kept
    other = in_review(a)
    rnd = give(a, other, late_reason="无")
    assert (rnd.late, rnd.late_reason) == (False, "")


def test_an_opinion_given_late_is_late_however_it_is_dated(a: ReviewAgency) -> None:
    request = in_review(a)
    case = request.case
    backdated, today = D(2026, 10, 9), D(2026, 10, 12)  # due on the 9th, given on the 12th

    def backdate(late_reason: str = "") -> Callable[[], Any]:
        return lambda: give(a, request, on=backdated, today=today, late_reason=late_reason)

    exc = refused(case, "late_reason_required", backdate())
    assert exc.detail == {"due": "2026-10-09"}
    rnd = backdate("审核人员出差，意见书事后补录。")()
    assert (rnd.decided_on, rnd.late, rnd.late_reason) == (
        backdated, True, "审核人员出差，意见书事后补录。")
    [payload] = entries(case, REVIEW_OPINION)
    assert (payload["decided_on"], payload["late"], payload["late_reason"]) == (
        "2026-10-09", True, "审核人员出差，意见书事后补录。")
    # the case's time limit: met on the opinion's date, with the reason it was late
    met = CaseDeadline.objects.get(case=case, rule_code="review_7")
    assert (met.state, met.met_on, met.late_reason) == (
        "met", backdated, "审核人员出差，意见书事后补录。")
    # given in time and dated earlier: not late
    other = in_review(a)
    rnd = give(a, other, on=D(2026, 9, 23), today=DUE)
    assert (rnd.decided_on, rnd.late, rnd.late_reason) == (D(2026, 9, 23), False, "")


def test_the_opinion_step_is_taken_only_by_the_service(a: ReviewAgency) -> None:
    from zhifa.cases.services import case_act

    request = in_review(a)
    case = request.case
    exc = refused(case, "review_via_service", lambda: case_act(
        actor=a.u_reviewer, case=case, action="record_review_opinion",
        data={"acted_on": OPINION_ON.isoformat(), "outcome": "agree", "opinion": OPINION}))
    assert exc.detail[0]["code"] == "review_via_service"


# --- the draft --------------------------------------------------------------------------------

def test_the_reviewer_keeps_a_draft_of_the_opinion(a: ReviewAgency) -> None:
    request = in_review(a)
    case = request.case
    ledger = LedgerEntry.objects.count()
    partial = [{"code": "facts", "finding": "problem", "comment": ""},
               {"code": "body", "finding": "ok", "comment": " 有执法证 "}]
    rnd = opinion_save(actor=a.u_reviewer, request=request, points=partial,
                       outcome="supplement", opinion=" 待补充 ")
    rnd.refresh_from_db()
    # kept in the points' order, not checked for completeness, no ledger entry
    assert rnd.points == [{"code": "body", "finding": "ok", "comment": "有执法证"},
                          {"code": "facts", "finding": "problem", "comment": ""}]
    assert (rnd.state, rnd.outcome, rnd.opinion, rnd.decided_on) == (
        RoundState.SUBMITTED, "supplement", "待补充", None)
    assert rnd.opinion_saved_at is not None
    assert LedgerEntry.objects.count() == ledger
    assert (case.stage, request.state) == ("legal_review", RequestState.IN_REVIEW)
    # only the assignee, only known codes
    refused(case, "review_not_assignee", lambda: opinion_save(
        actor=a.u_reviewer2, request=request, points=partial))
    with translation.override("en"):
        exc = refused(case, "review_opinion_invalid", lambda: opinion_save(
            actor=a.u_reviewer, request=request, points=[{"code": "mood", "finding": "ok"}],
            outcome="maybe"))
    assert exc.detail == {"points": {"mood": "There is no review point with this code."},
                          "outcome": "Choose one of the outcomes."}
    # the opinion given replaces the draft
    rnd = give(a, request)
    assert (rnd.points, rnd.outcome, rnd.opinion) == (points(), "agree", OPINION)


def test_the_step_and_the_document_follow_each_round(a: ReviewAgency) -> None:
    request = in_review(a)
    first = give(a, request, Outcome.DO_NOT_DECIDE)
    case = request.case
    second_request = submit(a, case, on=D(2026, 9, 25), changes="补充了当事人的进货凭证。")
    assert second_request.pk == request.pk
    second = give(a, request, on=D(2026, 9, 28))
    assert [r.number for r in request.rounds.all()] == [1, 2]
    assert first.opinion_document != second.opinion_document
    assert list(CaseStep.objects.filter(case=case, action="record_review_opinion")
                .values_list("acted_on", flat=True)) == [OPINION_ON, D(2026, 9, 28)]
    assert [e["round"] for e in entries(case, REVIEW_OPINION)] == [1, 2]


def test_a_licensing_opinion_meets_the_time_limit_without_a_case_step(a: ReviewAgency) -> None:
    from zhifa.reviews.hooks import gate_refusals

    case, request = licensing_in_review(a)
    steps = CaseStep.objects.filter(case=case).count()
    assert [r.code for r in gate_refusals(case, action="deny", decision={})] == [
        "legal_review_pending"]
    rnd = give(a, request, on=D(2026, 9, 4))
    assert (case.stage, request.state, request.passed_on) == (
        "reviewing", RequestState.PASSED, D(2026, 9, 4))
    assert CaseStep.objects.filter(case=case).count() == steps
    deadline = CaseDeadline.objects.get(case=case, rule_code="review_7")
    assert (deadline.state, deadline.met_on) == ("met", D(2026, 9, 4))
    assert (rnd.opinion_document.doc_type, rnd.opinion_document.step) == (
        "legal_review_opinion", None)
    matter = rnd.opinion_document.fields["送审事项"]
    assert matter == f"{case.title}（{case.number}），拟不予行政许可"
    assert gate_refusals(case, action="deny", decision={}) == []


# --- extensions still waiting -----------------------------------------------------------------

def test_an_extension_still_waiting_is_closed_by_the_opinion(a: ReviewAgency) -> None:
    request = in_review(a)
    case = request.case
    with clock_at(OPINION_ON):
        first = extension_request(actor=a.u_reviewer, request=request, reason="案情复杂。")
        extension_decide(actor=a.u_head, extension=first, approve=False,
                         comment="七日足够，请按期完成。")
        waiting = extension_request(actor=a.u_reviewer, request=request, reason="需查阅判例。",
                                    days=2)
    # a refused opinion leaves it waiting (``refused`` compares the extensions too)
    refused(case, "review_points_contradict", lambda: opinion_submit(
        actor=a.u_reviewer, request=request, points=points(), outcome="supplement",
        opinion=OPINION, decided_on=OPINION_ON))
    rnd = give(a, request, Outcome.SUPPLEMENT)
    waiting.refresh_from_db()
    assert (waiting.state, waiting.comment, waiting.decided_by) == (
        ExtensionState.REFUSED, EXTENSIONS_CLOSED, None)
    assert waiting.decided_at is not None
    assert timezone.localdate(waiting.decided_at) == OPINION_ON
    first.refresh_from_db()
    assert (first.state, first.comment, first.decided_by) == (
        ExtensionState.REFUSED, "七日足够，请按期完成。", a.u_head)
    # the round's time limit as it was: nothing extended
    assert (rnd.due, rnd.extended_days) == (DUE, 0)
    [by_head, closed] = entries(case, REVIEW_EXTENSION_DECIDED)
    assert by_head["extension"] == str(first.public_id)
    assert closed == {"case": case.number, "round": 1, "days": 2, "decision": "refused",
                      "decision_label": zh(ExtensionState.REFUSED.label),
                      "comment": "审核意见已出具，延期申请不再处理。", "due": "2026-10-09",
                      "extension": str(waiting.public_id)}
    entry = LedgerEntry.objects.filter(stream=case.stream,
                                       event_code=REVIEW_EXTENSION_DECIDED.code).latest(
        "stream_seq")
    opinion = LedgerEntry.objects.get(stream=case.stream, event_code=REVIEW_OPINION.code)
    # the reviewer's act closed it, right after his opinion
    assert (entry.actor, entry.body, entry.stream_seq) == (
        a.u_reviewer, a.body, opinion.stream_seq + 1)
    # no head decides it any more
    refused(case, "review_extension_decided", lambda: extension_decide(
        actor=a.u_head, extension=waiting, approve=True))


def test_an_opinion_without_waiting_extensions_closes_none(a: ReviewAgency) -> None:
    request = in_review(a)
    with clock_at(OPINION_ON):
        extension = extension_request(actor=a.u_reviewer, request=request, reason="案情复杂。")
        extension_decide(actor=a.u_head, extension=extension, approve=True)
    give(a, request)
    extension.refresh_from_db()
    assert (extension.state, extension.decided_by, extension.comment) == (
        ExtensionState.APPROVED, a.u_head, "")
    [payload] = entries(request.case, REVIEW_EXTENSION_DECIDED)
    assert payload["decision"] == "approved"


# --- locks ------------------------------------------------------------------------------------

def locked_tables(queries: list[dict[str, Any]]) -> list[str]:
    """The tables of the rows locked (``SELECT ... FOR UPDATE``), in order."""
    return [re.search(r'FROM "?(\w+)', q["sql"]).group(1)  # type: ignore[union-attr]
            for q in queries if q["sql"].startswith("SELECT") and "FOR UPDATE" in q["sql"]]


@contextmanager
def lock_requests() -> Iterator[list[str]]:
    """The tables whose rows the code asks to lock (``select_for_update``), in order: the
    order is the code's on every database (SQLite leaves the clause out of the SQL and locks
    the whole database instead)."""
    asked: list[str] = []
    original = QuerySet.select_for_update

    def recording(self: QuerySet, *args: Any, **kwargs: Any) -> QuerySet:
        asked.append(self.model._meta.db_table)
        return original(self, *args, **kwargs)

    with mock.patch.object(QuerySet, "select_for_update", recording):
        yield asked


def test_the_opinion_locks_the_case_before_the_request(a: ReviewAgency) -> None:
    request = in_review(a)
    with lock_requests() as asked, CaptureQueriesContext(connection) as ctx:
        give(a, request)
    case_table, request_table = Case._meta.db_table, ReviewRequest._meta.db_table
    # as a case step and review_submit do: the case, then the request (then the case again,
    # by the step)
    assert asked[:2] == [case_table, request_table]
    if connection.features.has_select_for_update:
        assert locked_tables(ctx.captured_queries)[:2] == [case_table, request_table]
