"""The legal review in the demo province (loaded once for this module through ``zhifa demo
load``): the legal review office and its reviewer, a review in every state worth showing, the
packages, the opinions and their documents, every decision that needed a review (licensing
refusals too) made after one passed on the text decided, and opinions recorded on their day
(one late, with its reason) so that the office's figures make sense."""

import datetime as dt
import json
from collections import Counter

from django.utils import timezone

from zhifa.cases.models import Case, CaseStep
from zhifa.documents.doctypes import REASONS_ELEMENT
from zhifa.documents.models import Document, DocumentState
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import DepartmentKind, EnforcementBody, Person, RoleKind, User
from zhifa.reviews.events import REVIEW_OPINION, REVIEW_OVERDUE
from zhifa.reviews.hooks import decision_draft_digest
from zhifa.reviews.models import (
    CollectiveDiscussion,
    DiscussionReason,
    DiscussionState,
    Finding,
    Outcome,
    RequestState,
    ReviewDetermination,
    ReviewRequest,
    ReviewRound,
    RoundState,
)
from zhifa.reviews.points import POINT_CODES
from zhifa.reviews.selectors import review_kpis, review_queue

TODAY = timezone.localdate()
BODY = "长沙市芙蓉区市场监督管理局"


def _requests(state: str) -> list[ReviewRequest]:
    return list(ReviewRequest.objects.filter(body__name=BODY, state=state)
                .select_related("case").order_by("id"))


def _latest(request: ReviewRequest) -> ReviewRound:
    return request.rounds.order_by("-number").first()


def test_the_legal_review_office_and_its_qualified_reviewer(demo):
    body = EnforcementBody.objects.select_related("legal_review_office").get(name=BODY)
    office = body.legal_review_office
    assert (office.name, office.kind) == ("法制审核科", DepartmentKind.LEGAL_REVIEW)
    reviewer = User.objects.get(username="reviewer").person
    assert reviewer.body_id == body.pk and reviewer.department_id == office.pk
    assert reviewer.roles.filter(kind=RoleKind.REVIEWER).exists()
    # a fictional 法律职业资格证书 number: class A, year, county code, sequence
    number = reviewer.legal_qualification_number
    assert number.startswith("A") and len(number) == 16 and reviewer.legal_qualification_date
    # the heads who discuss: the head and two deputies
    heads = Person.objects.filter(body=body, roles__kind=RoleKind.HEAD)
    assert sorted(p.post for p in heads) == ["副局长", "副局长", "局长"]


def test_a_review_in_every_state_worth_showing(demo):
    unassigned = _requests(RequestState.SUBMITTED)
    assert unassigned and all(_latest(r).reviewer_id is None for r in unassigned)
    in_review = _requests(RequestState.IN_REVIEW)
    due = [r for r in in_review if _latest(r).due >= TODAY]
    overdue = [r for r in in_review if _latest(r).due < TODAY]
    assert len(due) >= 2 and overdue
    for request in in_review:
        rnd = _latest(request)
        assert rnd.reviewer.name == User.objects.get(username="reviewer").person.name
        assert rnd.state == RoundState.SUBMITTED and rnd.review_days == 7
        assert request.case.deadlines.get(rule_code="review_7", state="running").due == rnd.due
    # one reviewer asked for three more working days, and the head agreed
    extended = [r for r in in_review if _latest(r).extended_days]
    assert len(extended) == 1
    extension = _latest(extended[0]).extensions.get()
    assert (extension.days, extension.state) == (3, "approved")
    assert extension.requested_by.username == "reviewer"
    assert extension.decided_by.username == "head"
    assert _latest(extended[0]).due >= TODAY
    # the overdue reviews were alerted, as the daily task does
    for request in overdue:
        assert _latest(request).overdue_alerted
        assert LedgerEntry.objects.filter(stream=request.case.stream,
                                          event_code=REVIEW_OVERDUE.code).count() == 1
    returned = Counter(_latest(r).outcome for r in _requests(RequestState.RETURNED))
    assert returned[Outcome.AGREE_WITH_CHANGES] >= 1 and returned[Outcome.SUPPLEMENT] >= 1
    contested = _requests(RequestState.CONTESTED)
    assert len(contested) == 1
    discussion = CollectiveDiscussion.objects.get(request=contested[0])
    assert (discussion.reason, discussion.state) == (DiscussionReason.CONTESTED,
                                                     DiscussionState.PENDING)
    assert discussion.grounds and discussion.round.outcome == Outcome.DO_NOT_DECIDE
    passed = _requests(RequestState.PASSED)
    twice = [r for r in passed if r.current_round == 2 and r.case.hearing_held_on is None]
    assert len(twice) == 1
    first, second = twice[0].rounds.order_by("number")
    assert (first.outcome, second.outcome) == (Outcome.SUPPLEMENT, Outcome.AGREE)
    assert second.changes and twice[0].passed_on == second.decided_on
    discussed = _requests(RequestState.DISCUSSED)
    assert len(discussed) == 1
    held = CollectiveDiscussion.objects.get(request=discussed[0])
    assert held.state == DiscussionState.HELD and held.conclusion == "proposal"
    assert discussed[0].passed_on == held.held_on
    attendees = list(held.attendees.select_related("person"))
    assert len(attendees) == 3 and held.presided_by.post == "局长"
    assert {a.position for a in attendees} == {"proposal", "opinion"}
    assert held.record_document.doc_type == "collective_discussion_record"
    assert held.record_document.is_demo
    # a complex case discussed after its review passed
    assert CollectiveDiscussion.objects.filter(
        reason=DiscussionReason.COMPLEX, state=DiscussionState.HELD,
        case__body__name=BODY).exists()


def test_the_reviewer_and_the_head_find_the_reviews_in_their_queues(demo):
    mine = review_queue(User.objects.get(username="reviewer"), today=TODAY)
    assert mine.mine_overdue and mine.unassigned and (mine.mine_due_soon or mine.mine_other)
    head = review_queue(User.objects.get(username="head"), today=TODAY)
    assert head.total == mine.total


def test_every_package_is_complete_and_every_opinion_has_its_document(demo):
    rounds = list(ReviewRound.objects.select_related("request__case", "opinion_document")
                  .exclude(state=RoundState.DRAFT))
    assert len(rounds) >= 20
    for rnd in rounds:
        case = rnd.request.case
        assert case.is_demo and rnd.handling_opinion.endswith("（演示数据）")
        materials = {m["code"]: m for m in rnd.materials}
        assert all(m["present"] for m in rnd.materials if m["required"]), case.number
        assert case.evidence_items.exists()
        if case.procedure == "licensing":  # no investigation report: the refusal drafted
            assert set(materials) == {"draft_decision", "evidence_list", "handling_opinion"}
            draft = Document.objects.get(case=case, doc_type="licensing_decision")
            assert draft.is_demo and draft.fields["不予许可理由"]
        else:
            assert {"draft_decision", "evidence_list", "investigation_report",
                    "handling_opinion"} <= set(materials)
            draft = Document.objects.filter(case=case, doc_type="penalty_decision").first()
            assert draft is not None and draft.is_demo
            assert all(len(draft.fields[r]) >= 30 for r in REASONS_ELEMENT.placeholders)
        if rnd.state != RoundState.DECIDED:
            assert rnd.opinion_document is None
            continue
        assert [p["code"] for p in rnd.points] == list(POINT_CODES)
        problems = [p for p in rnd.points if p["finding"] == Finding.PROBLEM]
        assert bool(problems) == (rnd.outcome != Outcome.AGREE), case.number
        doc = rnd.opinion_document
        assert doc.doc_type == "legal_review_opinion" and doc.state == DocumentState.DRAFT
        assert doc.is_demo and doc.case_id == case.pk
        assert rnd.decided_by.username == "reviewer" or rnd.request.body.name != BODY


def test_every_decision_that_needed_a_review_was_made_after_one_passed(demo):
    decided = CaseStep.objects.filter(action="decide", case__procedure="general").select_related(
        "case")
    needed = 0
    for step in decided:
        det = ReviewDetermination.objects.filter(case=step.case).first()
        request = ReviewRequest.objects.filter(case=step.case).first()
        if det is None or not det.required:
            continue
        needed += 1
        assert request is not None, step.case.number
        assert request.state in (RequestState.PASSED, RequestState.DISCUSSED), step.case.number
        assert request.passed_on <= step.acted_on, step.case.number
        # the draft decision was decided (and issued) in the words the review passed
        assert decision_draft_digest(step.case) == (
            request.passed_proposal["document_digest"]), step.case.number
    # the catalogue's thresholds (fines above 10,000 / 100,000 yuan) and the statutory
    # triggers make many of the market body's decisions major
    assert needed >= 10
    assert Case.objects.filter(review__isnull=False).count() == ReviewRequest.objects.count()


def test_the_market_bodies_refuse_a_licence_after_a_legal_review(demo):
    """Their catalogue lists licensing refusals: each was reviewed at the stage
    ``reviewing`` (submitted, assigned, agreed) and refused after the review passed."""
    denials = list(CaseStep.objects.filter(action="deny").select_related("case__body__sector")
                   .order_by("id"))
    market = [s for s in denials if s.case.body.sector.code == "market"]
    assert len([s for s in market if s.case.body.name == BODY]) == 2
    assert len(market) == 3 and len(denials) > len(market)
    for step in denials:
        case = step.case
        request = ReviewRequest.objects.filter(case=case).first()
        if step.case.body.sector.code != "market":
            assert request is None, case.number  # the other catalogues do not list them
            continue
        assert ReviewDetermination.objects.get(case=case).required, case.number
        assert request.state == RequestState.PASSED and request.origin_stage == "reviewing"
        rnd = request.rounds.get()
        assert (rnd.outcome, rnd.late) == (Outcome.AGREE, False)
        assert rnd.decided_by.username == "reviewer" or case.body.name != BODY
        assert rnd.submitted_on <= rnd.decided_on == request.passed_on < step.acted_on
        assert decision_draft_digest(case) == request.passed_proposal["document_digest"]
        met = case.deadlines.get(rule_code="review_7")
        assert (met.state, met.met_on, met.late_reason) == ("met", rnd.decided_on, "")


def test_opinions_are_recorded_on_their_day_and_one_is_late(demo):
    rounds = list(ReviewRound.objects.filter(state=RoundState.DECIDED)
                  .select_related("request__case"))
    for rnd in rounds:
        assert timezone.localdate(rnd.decided_at) == rnd.decided_on, rnd.request.case.number
        assert timezone.localdate(rnd.submitted_at) == rnd.submitted_on
        entry = next(e for e in LedgerEntry.objects.filter(
            stream=rnd.request.case.stream, event_code=REVIEW_OPINION.code)
            if json.loads(e.payload)["round"] == rnd.number)
        # the ledger keeps the real time of loading (its entries stay in time order); the
        # entry carries the day of the opinion
        assert json.loads(entry.payload)["decided_on"] == rnd.decided_on.isoformat()
    times = list(LedgerEntry.objects.order_by("seq").values_list("recorded_at", flat=True))
    assert times == sorted(times)
    late = [r for r in rounds if r.late]
    assert len(late) == 1
    assert late[0].request.body.name == BODY
    assert late[0].decided_on > late[0].due and late[0].late_reason.startswith("审核期间")
    assert late[0].outcome == Outcome.SUPPLEMENT
    assert all(r.decided_on <= r.due for r in rounds if not r.late)
    # the office's figures over the demo's two years: every opinion but that one on time
    body = EnforcementBody.objects.get(name=BODY)
    kpi, = review_kpis(bodies=[body], start=TODAY - dt.timedelta(days=730), end=TODAY,
                       today=TODAY)
    assert kpi.rounds_decided == len([r for r in rounds if r.request.body_id == body.pk]) >= 15
    assert kpi.on_time == kpi.rounds_decided - 1
    assert kpi.coverage == 1.0 and kpi.major_decided >= 5
