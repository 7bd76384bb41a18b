"""Who reviews (``services.assign``): the reviewer's eligibility (body, in post, a legal
reviewer of the legal-review office, not a handler, qualified for a first penalty review),
who assigns (a head; a reviewer only himself), reassignment before the opinion, and the ratio
of reviewers to officers. Every refusal leaves everything as it was."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests import factories as f
from tests.cases.factories import certified
from tests.documents.factories import refused_unchanged
from tests.reviews.factories import ReviewAgency, ready_for_review
from tests.reviews.helpers_requests import entries, returned, state, submitted
from zhifa.cases.models import Case
from zhifa.cases.services import case_officers_set
from zhifa.orgs.models import AccountRole, Person, PersonStatus, RoleKind
from zhifa.reviews.events import REVIEW_ASSIGNED
from zhifa.reviews.models import RequestState, ReviewRequest, ReviewRound, RoundState
from zhifa.reviews.services.assign import (
    eligible_reviewers,
    review_assign,
    reviewer_problems,
    reviewer_ratio,
)
from zhifa.reviews.services.opinions import opinion_save
from zhifa.reviews.services.requests import review_draft_save

pytestmark = pytest.mark.django_db


def codes(case: Any, person: Person) -> list[str]:
    return [p["code"] for p in reviewer_problems(case=case, person=person)]


def refused(code: str, request: ReviewRequest, actor: Any, reviewer: Person) -> Any:
    return refused_unchanged(code, lambda: review_assign(actor=actor, request=request,
                                                         reviewer=reviewer),
                             lambda: state(request.case))


def office_reviewer(a: ReviewAgency, name: str, **kwargs: Any) -> Person:
    """A qualified legal reviewer of the office (unless ``kwargs`` say otherwise)."""
    fields = {"department": a.office, "legal_qualification_number": "A20204301000999",
              **kwargs}
    return f.person(a.body, name, roles=(RoleKind.REVIEWER,), **fields)


def decided_round_of(a: ReviewAgency, reviewer: Person) -> None:
    """A penalty case whose review ``reviewer`` has decided (as the opinions service leaves
    the rows)."""
    case = ready_for_review(a, received=dt.date(2026, 8, 1))
    request = ReviewRequest.objects.create(case=case, body=a.body, state=RequestState.PASSED,
                                           current_round=1)
    ReviewRound.objects.create(request=request, number=1, state=RoundState.DECIDED,
                               reviewer=reviewer, outcome="agree", opinion="同意",
                               decided_on=dt.date(2026, 8, 25))


# --- eligibility ----------------------------------------------------------------------------

def test_the_qualified_reviewer_of_the_office_is_eligible(a: ReviewAgency) -> None:
    case = ready_for_review(a)
    assert codes(case, a.reviewer) == []
    assert eligible_reviewers(case=case) == [a.reviewer]


def test_problems_of_people_who_are_not_reviewers(a: ReviewAgency) -> None:
    case = ready_for_review(a)
    # the handler: not a reviewer, not in the office, on the case, no qualification
    assert codes(case, a.officer) == ["reviewer_not_reviewer", "reviewer_not_in_office",
                                      "reviewer_is_handler", "reviewer_unqualified"]
    assert codes(case, a.head2) == ["reviewer_not_reviewer", "reviewer_not_in_office",
                                    "reviewer_unqualified"]


def test_handler_cannot_review(a: ReviewAgency) -> None:
    result = submitted(a)
    case = result.request.case
    # 刘静 made one of the case's officers
    case_officers_set(actor=a.u_head, case=case, officers=[a.officer, a.officer2, a.reviewer],
                      handler=a.officer)
    assert codes(case, a.reviewer) == ["reviewer_is_handler"]
    exc = refused("reviewer_is_handler", result.request, a.u_head, a.reviewer)
    assert exc.detail == [{"code": "reviewer_is_handler", "message": exc.message}]
    assert eligible_reviewers(case=case) == []


def test_first_time_reviewer_without_qualification_for_a_penalty_case(
        a: ReviewAgency) -> None:
    result = submitted(a)
    case = result.request.case
    assert codes(case, a.reviewer2) == ["reviewer_unqualified"]
    refused("reviewer_unqualified", result.request, a.u_head, a.reviewer2)
    refused("reviewer_unqualified", result.request, a.u_reviewer2, a.reviewer2)
    # once he has given an opinion on a penalty decision he is no longer a first-timer
    decided_round_of(a, a.reviewer2)
    assert codes(case, a.reviewer2) == []
    assert eligible_reviewers(case=case) == [a.reviewer, a.reviewer2]
    rnd = review_assign(actor=a.u_reviewer2, request=result.request, reviewer=a.reviewer2)
    assert rnd.reviewer_id == a.reviewer2.pk


def test_an_undecided_round_does_not_count_as_experience(a: ReviewAgency) -> None:
    case = ready_for_review(a)
    other = submitted(a)
    ReviewRound.objects.filter(pk=other.round.pk).update(reviewer=a.reviewer2)
    assert codes(case, a.reviewer2) == ["reviewer_unqualified"]


def test_reviewer_of_another_body(a: ReviewAgency) -> None:
    result = submitted(a)
    stranger = f.person(a.other_body, "吴越", roles=(RoleKind.REVIEWER,),
                        legal_qualification_number="A20184301000001")
    assert codes(result.request.case, stranger) == ["reviewer_other_body",
                                                    "reviewer_not_in_office"]
    refused("reviewer_other_body", result.request, a.u_head, stranger)


def test_reviewer_outside_the_office(a: ReviewAgency) -> None:
    result = submitted(a)
    outside = office_reviewer(a, "郑直", department=None)
    assert codes(result.request.case, outside) == ["reviewer_not_in_office"]
    refused("reviewer_not_in_office", result.request, a.u_head, outside)
    # a body without a legal-review office: any reviewer of the body
    a.body.legal_review_office = None
    a.body.save(update_fields=["legal_review_office"])
    case = ReviewRequest.objects.select_related("case__body").get(
        pk=result.request.pk).case
    assert codes(case, outside) == []


def test_reviewer_no_longer_in_post(a: ReviewAgency) -> None:
    result = submitted(a)
    gone = office_reviewer(a, "冯远", status=PersonStatus.LEFT)
    assert codes(result.request.case, gone) == ["reviewer_inactive"]
    refused("reviewer_inactive", result.request, a.u_head, gone)
    assert gone not in eligible_reviewers(case=result.request.case)


# --- who assigns ----------------------------------------------------------------------------

def test_reviewer_takes_the_case_himself(a: ReviewAgency) -> None:
    result = submitted(a)
    rnd = review_assign(actor=a.u_reviewer, request=result.request, reviewer=a.reviewer)
    request = ReviewRequest.objects.get(pk=result.request.pk)
    rnd.refresh_from_db()
    assert request.state == RequestState.IN_REVIEW
    assert (rnd.number, rnd.reviewer_id, rnd.assigned_by_id) == (1, a.reviewer.pk,
                                                                 a.u_reviewer.pk)
    assert rnd.assigned_at is not None
    case = request.case
    assert entries(case, REVIEW_ASSIGNED) == [{
        "case": case.number, "round": 1, "reviewer": "刘静",
        "reviewer_id": str(a.reviewer.public_id), "previous": ""}]


def test_reviewer_cannot_assign_someone_else(a: ReviewAgency) -> None:
    result = submitted(a)
    decided_round_of(a, a.reviewer2)
    refused("review_assign_self_only", result.request, a.u_reviewer, a.reviewer2)


@pytest.mark.parametrize(("who", "code"), [
    ("u_officer", "review_assign_forbidden"),
    ("u_auxiliary", "review_assign_forbidden"),
    ("u_other", "case_out_of_scope"),
    ("u_supervisor", "missing_handle_cases"),
])
def test_who_may_not_assign(a: ReviewAgency, who: str, code: str) -> None:
    result = submitted(a)
    exc = refused(code, result.request, getattr(a, who), a.reviewer)
    assert exc.status == 403


def test_head_assigns_and_reassigns_before_the_opinion(a: ReviewAgency) -> None:
    result = submitted(a)
    review_assign(actor=a.u_head, request=result.request, reviewer=a.reviewer)
    # 刘静 starts his opinion
    opinion_save(actor=a.u_reviewer, request=result.request,
                 points=[{"code": "facts", "finding": "problem", "comment": "证据不足"}],
                 outcome="supplement", opinion="待补充", changes_required="补充进货凭证")
    # a head reassigning him keeps his draft
    review_assign(actor=a.u_head, request=result.request, reviewer=a.reviewer)
    rnd = ReviewRound.objects.get(pk=result.round.pk)
    assert (rnd.outcome, rnd.opinion) == ("supplement", "待补充")
    second = office_reviewer(a, "陈平")
    f.user(second, roles=(AccountRole.REVIEWER,))
    rnd = review_assign(actor=a.u_head2, request=result.request, reviewer=second)
    rnd.refresh_from_db()
    assert (rnd.reviewer_id, rnd.assigned_by_id) == (second.pk, a.u_head2.pk)
    # the new reviewer does not inherit the previous one's draft opinion
    assert (rnd.points, rnd.outcome, rnd.opinion, rnd.changes_required,
            rnd.opinion_saved_at) == ([], "", "", "", None)
    case = result.request.case
    assert [(p["reviewer"], p["previous"]) for p in entries(case, REVIEW_ASSIGNED)] == [
        ("刘静", ""), ("刘静", "刘静"), ("陈平", "刘静")]
    assert ReviewRequest.objects.get(pk=result.request.pk).state == RequestState.IN_REVIEW


def test_a_reviewer_takes_only_a_review_nobody_has_taken(a: ReviewAgency) -> None:
    result = submitted(a)
    decided_round_of(a, a.reviewer2)  # 孙丽 may review penalty decisions
    review_assign(actor=a.u_reviewer, request=result.request, reviewer=a.reviewer)
    # once taken, only a head reassigns: neither another reviewer nor the same one again
    exc = refused("review_already_assigned", result.request, a.u_reviewer2, a.reviewer2)
    assert exc.status == 409
    refused("review_already_assigned", result.request, a.u_reviewer, a.reviewer)
    # assigned by a head, likewise
    other = submitted(a)
    review_assign(actor=a.u_head, request=other.request, reviewer=a.reviewer)
    refused("review_already_assigned", other.request, a.u_reviewer2, a.reviewer2)
    rnd = review_assign(actor=a.u_head, request=other.request, reviewer=a.reviewer2)
    assert rnd.reviewer_id == a.reviewer2.pk


def test_only_an_open_review_is_assigned(a: ReviewAgency) -> None:
    result = submitted(a)
    review_assign(actor=a.u_head, request=result.request, reviewer=a.reviewer)
    returned(a, result, on=dt.date(2026, 9, 25))
    refused("review_not_open", result.request, a.u_head, a.reviewer)
    # a package still being prepared has nobody to assign
    case = ready_for_review(a)
    review_draft_save(actor=a.u_officer, case=case, handling_opinion="初稿")
    refused("review_not_open", ReviewRequest.objects.get(case=case), a.u_head, a.reviewer)


# --- cost -----------------------------------------------------------------------------------

def test_eligibility_costs_the_same_for_any_number_of_reviewers(
        a: ReviewAgency, django_assert_max_num_queries: Any) -> None:
    case = ready_for_review(a)
    experienced = [office_reviewer(a, f"有经验审核员{n}", legal_qualification_number="")
                   for n in range(3)]
    for person in experienced:
        decided_round_of(a, person)
    qualified = [office_reviewer(a, f"审核员{n}") for n in range(5)]
    office_reviewer(a, "外科室审核员", department=None)  # 11 reviewers in all
    case = Case.objects.get(pk=case.pk)
    with django_assert_max_num_queries(6):
        eligible = eligible_reviewers(case=case)
    assert eligible == sorted([a.reviewer, *experienced, *qualified],
                              key=lambda p: (p.name, p.pk))
    with django_assert_max_num_queries(6):
        assert codes(case, a.reviewer2) == ["reviewer_unqualified"]


# --- the ratio ------------------------------------------------------------------------------

def test_reviewer_ratio(a: ReviewAgency) -> None:
    # reviewers 刘静 and 孙丽; officers 李明 and 张伟
    ratio = reviewer_ratio(body=a.body)
    assert (ratio.reviewers, ratio.officers, ratio.ratio, ratio.target, ratio.meets) == (
        2, 2, 1.0, 0.05, True)
    for n in range(38):
        certified(a, f"执法员{n:02d}")
    office_reviewer(a, "离职审核员", status=PersonStatus.LEFT)  # not counted
    f.person(a.other_body, "外单位审核员", roles=(RoleKind.REVIEWER,))  # not counted
    ratio = reviewer_ratio(body=a.body)
    assert (ratio.reviewers, ratio.officers, ratio.ratio, ratio.meets) == (2, 40, 0.05, True)
    certified(a, "执法员38")
    ratio = reviewer_ratio(body=a.body)
    assert (ratio.reviewers, ratio.officers, ratio.ratio, ratio.meets) == (2, 41, 2 / 41,
                                                                          False)


def test_reviewer_ratio_of_a_body_without_officers(a: ReviewAgency) -> None:
    body = f.body(a.regions["county"], a.market, name="空局")
    f.person(body, "审核员", roles=(RoleKind.REVIEWER,))
    ratio = reviewer_ratio(body=body)
    assert (ratio.reviewers, ratio.officers, ratio.ratio, ratio.meets) == (1, 0, None, False)
