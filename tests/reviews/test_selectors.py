"""Reads of legal reviews: scoping (another body's review is "not found"; a supervisor sees
every body under his region), the reviewer's queue by urgency without N+1 queries, and the
KPI figures of a crafted period, exactly."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests import factories as f
from tests.cases.factories import company_party, open_case
from tests.reviews.factories import ReviewAgency
from zhifa.cases.models import Case, CaseStep
from zhifa.cases.services import case_create
from zhifa.catalog.models import PartyType
from zhifa.catalog.services import ThresholdIn, review_catalogue_create
from zhifa.core.errors import NotFound
from zhifa.orgs.models import AccountRole, EnforcementBody, RoleKind, User
from zhifa.reviews.models import (
    Outcome,
    RequestState,
    ReviewDetermination,
    ReviewRequest,
    ReviewRound,
    RoundState,
)
from zhifa.reviews.selectors import (
    kpi_scope_bodies,
    request_for_case,
    review_kpis,
    review_queue,
    visible_requests,
)
from zhifa.reviews.services.assign import reviewer_ratio
from zhifa.workdays.calendar import is_working_day

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 11, 26)  # a Thursday: two working days later is Monday 30 November


def review_rows(case: Case, state: str, *rounds: dict[str, Any]) -> ReviewRequest:
    """A review of ``case`` in ``state`` with ``rounds`` (fields of ``ReviewRound``; numbered
    from 1, the last one current), written directly as the services would leave them."""
    request = ReviewRequest.objects.create(case=case, body=case.body, state=state,
                                           current_round=len(rounds), origin_stage="reported")
    for number, fields in enumerate(rounds, 1):
        ReviewRound.objects.create(request=request, number=number, **fields)
    return request


def submitted(due: dt.date, reviewer: Any = None) -> dict[str, Any]:
    return {"state": RoundState.SUBMITTED, "submitted_on": due - dt.timedelta(days=9),
            "due": due, "reviewer": reviewer}


def aware(day: dt.date) -> dt.datetime:
    """Noon of ``day`` in the platform's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def decided(on: dt.date, due: dt.date, outcome: str = Outcome.AGREE,
            reviewer: Any = None) -> dict[str, Any]:
    """A round whose opinion was given (and recorded) on ``on``."""
    return {"state": RoundState.DECIDED, "submitted_on": due - dt.timedelta(days=9), "due": due,
            "decided_on": on, "decided_at": aware(on), "outcome": outcome,
            "reviewer": reviewer, "late": on > due}


def body_case(a: ReviewAgency, body: EnforcementBody, region_key: str,
              name: str = "某某商行", procedure: str = "summary") -> Case:
    """A case of another body (its own certified officer opens it; a summary case unless
    ``procedure`` says otherwise)."""
    officer = f.person(body, "吴一")
    f.certificate(officer, [a.regions[region_key]], [a.market])
    return case_create(actor=f.user(officer), procedure=procedure, title="占道经营",
                       sector=a.market, region=a.regions[region_key],
                       parties=[company_party(name)], officers=[officer],
                       received_on=D(2026, 9, 2))


def neighbour(a: ReviewAgency) -> EnforcementBody:
    """A second body in the same county: under the city's supervisor, like ``a.body``."""
    return f.body(a.regions["county"], a.market, name="芙蓉区城市管理和综合执法局")


def fresh(user: User) -> User:
    """The account as a request loads it: nothing cached."""
    return User.objects.get(pk=user.pk)


# --- scoping ----------------------------------------------------------------------------------

def test_requests_are_scoped_to_the_body_and_the_supervisors_region(a: ReviewAgency) -> None:
    mine = review_rows(open_case(a, received_on=D(2026, 9, 1)), RequestState.SUBMITTED,
                       submitted(D(2026, 12, 3)))
    near = review_rows(body_case(a, neighbour(a), "county"), RequestState.SUBMITTED,
                       submitted(D(2026, 12, 3)))
    far = review_rows(body_case(a, a.other_body, "other_county"), RequestState.SUBMITTED,
                      submitted(D(2026, 12, 3)))
    for user in (a.u_officer, a.u_reviewer, a.u_head, a.u_auxiliary):
        assert list(visible_requests(user)) == [mine]
    assert list(visible_requests(a.u_other)) == [far]
    assert set(visible_requests(a.u_supervisor)) == {mine, near}
    assert set(visible_requests(a.u_sysadmin)) == {mine, near, far}
    assert list(visible_requests(User.objects.create_user(username="nobody"))) == []

    got = request_for_case(a.u_reviewer, mine.case)
    assert got == mine
    assert [r.number for r in got.rounds.all()] == [1]
    assert request_for_case(a.u_supervisor, near.case) == near
    with pytest.raises(NotFound) as exc:
        request_for_case(a.u_reviewer, far.case)
    assert exc.value.code == "review_not_found"
    with pytest.raises(NotFound) as exc:
        request_for_case(a.u_supervisor, far.case)
    assert exc.value.code == "review_not_found"
    # a case without a review
    with pytest.raises(NotFound) as exc:
        request_for_case(a.u_head, open_case(a, received_on=D(2026, 9, 3)))
    assert exc.value.code == "review_not_found"


def test_kpi_scope(a: ReviewAgency) -> None:
    near = neighbour(a)
    bureau = a.u_supervisor.person.body
    assert list(kpi_scope_bodies(a.u_head)) == [a.body]
    assert list(kpi_scope_bodies(a.u_reviewer)) == [a.body]
    assert set(kpi_scope_bodies(a.u_supervisor)) == {a.body, near, bureau}
    assert set(kpi_scope_bodies(a.u_sysadmin)) == set(EnforcementBody.objects.all())
    for user in (a.u_officer, a.u_auxiliary, a.u_other):
        assert list(kpi_scope_bodies(user)) == []


# --- the queue --------------------------------------------------------------------------------

def queue_world(a: ReviewAgency) -> dict[str, ReviewRequest]:
    def case() -> Case:
        return open_case(a, received_on=D(2026, 9, 1))

    r1, r2 = a.reviewer, a.reviewer2
    return {
        "overdue": review_rows(case(), RequestState.IN_REVIEW, submitted(D(2026, 11, 20), r1)),
        "today": review_rows(case(), RequestState.IN_REVIEW, submitted(TODAY, r1)),
        "monday": review_rows(case(), RequestState.IN_REVIEW, submitted(D(2026, 11, 30), r1)),
        "tuesday": review_rows(case(), RequestState.IN_REVIEW, submitted(D(2026, 12, 1), r1)),
        # the second round is current: the first (decided, past due) is not in the queue
        "second": review_rows(case(), RequestState.IN_REVIEW,
                              decided(D(2026, 10, 9), D(2026, 10, 9), Outcome.SUPPLEMENT, r1),
                              submitted(D(2026, 12, 4), r1)),
        "colleague": review_rows(case(), RequestState.IN_REVIEW,
                                 submitted(D(2026, 11, 25), r2)),
        "unassigned": review_rows(case(), RequestState.SUBMITTED, submitted(D(2026, 12, 3))),
        "returned": review_rows(case(), RequestState.RETURNED,
                                decided(D(2026, 11, 2), D(2026, 11, 5), Outcome.SUPPLEMENT,
                                        r1)),
        "passed": review_rows(case(), RequestState.PASSED,
                              decided(D(2026, 11, 3), D(2026, 11, 5), reviewer=r1)),
        "other_body": review_rows(body_case(a, a.other_body, "other_county"),
                                  RequestState.SUBMITTED, submitted(D(2026, 11, 1))),
    }


def cases_of(rounds: list[ReviewRound]) -> list[int]:
    return [r.request.case_id for r in rounds]


def test_a_reviewers_queue_by_urgency(a: ReviewAgency) -> None:
    w = queue_world(a)
    q = review_queue(a.u_reviewer, today=TODAY)
    assert cases_of(q.mine_overdue) == [w["overdue"].case_id]
    assert cases_of(q.mine_due_soon) == [w["today"].case_id, w["monday"].case_id]
    assert cases_of(q.mine_other) == [w["tuesday"].case_id, w["second"].case_id]
    assert [r.number for r in q.mine_other] == [1, 2]
    assert cases_of(q.unassigned) == [w["unassigned"].case_id]
    assert q.total == 6

    q2 = review_queue(a.u_reviewer2, today=TODAY)
    assert (cases_of(q2.mine_overdue), q2.mine_due_soon, q2.mine_other,
            cases_of(q2.unassigned)) == ([w["colleague"].case_id], [], [],
                                         [w["unassigned"].case_id])


def test_a_heads_queue_holds_every_open_review_of_the_body(a: ReviewAgency) -> None:
    w = queue_world(a)
    q = review_queue(a.u_head, today=TODAY)
    assert cases_of(q.mine_overdue) == [w["overdue"].case_id, w["colleague"].case_id]
    assert cases_of(q.mine_due_soon) == [w["today"].case_id, w["monday"].case_id]
    assert cases_of(q.mine_other) == [w["tuesday"].case_id, w["second"].case_id]
    assert cases_of(q.unassigned) == [w["unassigned"].case_id]
    # on Monday: Thursday's round is overdue, Tuesday's is due soon
    q = review_queue(a.u_head, today=D(2026, 11, 30))
    assert cases_of(q.mine_overdue) == [w["overdue"].case_id, w["colleague"].case_id,
                                        w["today"].case_id]
    assert cases_of(q.mine_due_soon) == [w["monday"].case_id, w["tuesday"].case_id]


def test_nobody_else_has_a_queue(a: ReviewAgency) -> None:
    queue_world(a)
    other_reviewer = f.user(f.person(a.other_body, "郑某", roles=(RoleKind.REVIEWER,)),
                            roles=(AccountRole.REVIEWER,))
    assert review_queue(other_reviewer, today=TODAY).unassigned[0].request.body == a.other_body
    assert review_queue(other_reviewer, today=TODAY).total == 1
    for user in (a.u_officer, a.u_auxiliary, a.u_supervisor, a.u_sysadmin):
        assert review_queue(user, today=TODAY).total == 0, user.roles


def test_the_queue_of_twenty_reviews_takes_a_fixed_number_of_queries(
        a: ReviewAgency, django_assert_max_num_queries: Any) -> None:
    for i in range(20):  # due every other day from 10 November; every fourth unassigned
        case = open_case(a, received_on=D(2026, 9, 1))
        due = D(2026, 11, 10) + dt.timedelta(days=2 * i)
        if i % 4 == 0:
            review_rows(case, RequestState.SUBMITTED, submitted(due))
        else:
            review_rows(case, RequestState.IN_REVIEW, submitted(due, a.reviewer))
    user = fresh(a.u_reviewer)
    is_working_day(TODAY)  # the calendar is held in process (loaded once: three queries)
    # the account's person and body, the rounds, the calendar's freshness check
    with django_assert_max_num_queries(4):
        q = review_queue(user, today=TODAY)
        seen = [(r.request.case.number, r.request.case.title, r.request.case.handler.name,
                 r.request.get_state_display(), r.reviewer.name if r.reviewer else "", r.due)
                for rows in (q.mine_overdue, q.mine_due_soon, q.mine_other, q.unassigned)
                for r in rows]
    assert len(seen) == 20
    assert (len(q.mine_overdue), len(q.mine_due_soon), len(q.mine_other),
            len(q.unassigned)) == (6, 2, 7, 5)


# --- KPIs -------------------------------------------------------------------------------------

MAJOR_DECISION = {"outcome": "penalty", "kinds": ["fine"], "fine": 500_000}


def decided_case(a: ReviewAgency, on: dt.date | None, *, required: bool = True,
                 case: Case | None = None, **decision: Any) -> Case:
    """A case decided on ``on`` (None: not decided yet) by a ``decide`` step with
    ``MAJOR_DECISION`` (and ``decision``), written as the step leaves them. ``required``:
    the case involves a major public interest (review required whatever the amount)."""
    case = case or open_case(a, received_on=D(2026, 9, 1))
    data = {**MAJOR_DECISION, **decision}
    Case.objects.filter(pk=case.pk).update(decided_on=on, is_major=required,
                                           outcome=data["outcome"] if on else "")
    if on is not None:
        CaseStep.objects.create(case=case, action="decide", label="作出决定", acted_on=on,
                                data={"acted_on": on.isoformat(), **data})
    case.refresh_from_db()
    return case


def test_kpis_of_a_crafted_period(a: ReviewAgency) -> None:
    r = a.reviewer
    # four decisions in October that required review, three of them passed (one by
    # collective discussion) and one decided although the review returned it
    c1 = decided_case(a, D(2026, 10, 5))
    review_rows(c1, RequestState.PASSED,
                decided(D(2026, 9, 28), D(2026, 9, 30), Outcome.SUPPLEMENT, r),  # September
                decided(D(2026, 10, 2), D(2026, 10, 1), Outcome.AGREE_WITH_CHANGES, r),  # late
                decided(D(2026, 10, 4), D(2026, 10, 9), Outcome.AGREE, r))  # on time
    c2 = decided_case(a, D(2026, 10, 10))
    review_rows(c2, RequestState.DISCUSSED,
                decided(D(2026, 10, 3), D(2026, 10, 3), Outcome.DO_NOT_DECIDE, r))  # on the day
    c3 = decided_case(a, D(2026, 10, 20))
    review_rows(c3, RequestState.PASSED, decided(D(2026, 10, 15), D(2026, 10, 20), reviewer=r))
    c4 = decided_case(a, D(2026, 10, 31))
    review_rows(c4, RequestState.RETURNED,
                decided(D(2026, 10, 30), D(2026, 10, 28), Outcome.SUPPLEMENT, r))  # late
    # decided in November: its opinion (late) counts, its decision does not
    c5 = decided_case(a, D(2026, 11, 2))
    review_rows(c5, RequestState.PASSED, decided(D(2026, 10, 25), D(2026, 10, 24), reviewer=r))
    # decided in October without needing review; not decided yet
    decided_case(a, D(2026, 10, 12), required=False)
    decided_case(a, None)
    # open now: one overdue, one not
    review_rows(decided_case(a, None), RequestState.IN_REVIEW, submitted(D(2026, 11, 20), r))
    review_rows(decided_case(a, None), RequestState.SUBMITTED, submitted(D(2026, 11, 30)))
    # the other body: one decision, not reviewed
    other = decided_case(a, D(2026, 10, 7),
                         case=body_case(a, a.other_body, "other_county", procedure="general"))
    assert other.body == a.other_body

    empty = neighbour(a)
    mine, theirs, nothing = review_kpis(bodies=[a.body, a.other_body, empty],
                                        start=D(2026, 10, 1), end=D(2026, 10, 31), today=TODAY)
    assert (mine.body, mine.major_decided, mine.reviewed_passed, mine.coverage) == (
        a.body, 4, 3, 0.75)
    assert not mine.coverage_meets
    assert (mine.rounds_decided, mine.on_time, mine.on_time_rate) == (6, 3, 0.5)
    assert (mine.cases_reviewed, mine.rounds_per_case) == (5, 1.2)
    assert (mine.open, mine.overdue) == (2, 1)
    assert (mine.ratio.reviewers, mine.ratio.officers, mine.ratio.ratio) == (2, 2, 1.0)
    assert mine.ratio == reviewer_ratio(body=a.body)

    assert (theirs.major_decided, theirs.reviewed_passed, theirs.coverage) == (1, 0, 0.0)
    assert (theirs.rounds_decided, theirs.on_time_rate, theirs.rounds_per_case,
            theirs.open, theirs.overdue) == (0, None, None, 0, 0)
    assert theirs.ratio == reviewer_ratio(body=a.other_body)
    assert (nothing.major_decided, nothing.coverage, nothing.rounds_decided,
            nothing.on_time_rate, nothing.cases_reviewed, nothing.rounds_per_case,
            nothing.open, nothing.overdue) == (0, None, 0, None, 0, None, 0, 0)
    assert nothing.coverage_meets
    assert (nothing.ratio.reviewers, nothing.ratio.officers, nothing.ratio.ratio,
            nothing.ratio.meets) == (0, 0, None, False)

    # September alone: c1's first round, on time; no decision
    (sept,) = review_kpis(bodies=[a.body], start=D(2026, 9, 1), end=D(2026, 9, 30),
                          today=TODAY)
    assert (sept.major_decided, sept.coverage, sept.rounds_decided, sept.on_time,
            sept.on_time_rate, sept.cases_reviewed) == (0, None, 1, 1, 1.0, 1)
    # every decision passed: 100 %
    ReviewRequest.objects.filter(case=c4).update(state=RequestState.PASSED)
    (mine,) = review_kpis(bodies=[a.body], start=D(2026, 10, 1), end=D(2026, 10, 31),
                          today=TODAY)
    assert (mine.major_decided, mine.reviewed_passed, mine.coverage, mine.coverage_meets) == (
        4, 4, 1.0, True)
    # on 20 November nothing is overdue yet
    (mine,) = review_kpis(bodies=[a.body], start=D(2026, 10, 1), end=D(2026, 10, 31),
                          today=D(2026, 11, 20))
    assert (mine.open, mine.overdue) == (2, 0)


def october(body: EnforcementBody) -> Any:
    (kpi,) = review_kpis(bodies=[body], start=D(2026, 10, 1), end=D(2026, 10, 31), today=TODAY)
    return kpi


def test_coverage_measures_the_decision_made_not_the_proposal(a: ReviewAgency) -> None:
    """The catalogue requires review of an organisation's fine of 5,000 yuan and more: the
    decision made is measured on its day, whatever the stored determination (the proposal)
    said."""
    review_catalogue_create(
        actor=None, body=a.body, title="目录清单", effective_from=D(2024, 1, 1),
        thresholds=[ThresholdIn(PartyType.ORGANISATION, 500_000, "gte")], triggers=[])
    # proposed 6,000 (required), decided 4,000: no decision that needed review
    lighter = decided_case(a, D(2026, 10, 5), required=False, fine=400_000)
    ReviewDetermination.objects.update_or_create(case=lighter, defaults={"required": True})
    assert october(a.body).major_decided == 0
    # proposed 4,000 (not required), decided 6,000 without review: counted, not covered
    heavier = decided_case(a, D(2026, 10, 6), required=False, fine=600_000)
    ReviewDetermination.objects.update_or_create(case=heavier, defaults={"required": False})
    kpi = october(a.body)
    assert (kpi.major_decided, kpi.reviewed_passed, kpi.coverage) == (1, 0, 0.0)
    review_rows(heavier, RequestState.PASSED, decided(D(2026, 10, 2), D(2026, 10, 5)))
    kpi = october(a.body)
    assert (kpi.major_decided, kpi.reviewed_passed, kpi.coverage) == (1, 1, 1.0)


def test_coverage_uses_the_catalogue_in_force_on_the_day_of_the_decision(
        a: ReviewAgency) -> None:
    for effective, amount in ((D(2024, 1, 1), 500_000), (D(2026, 10, 10), 1_000_000)):
        review_catalogue_create(
            actor=None, body=a.body, title="目录清单", effective_from=effective,
            thresholds=[ThresholdIn(PartyType.ORGANISATION, amount, "gte")], triggers=[])
    decided_case(a, D(2026, 10, 9), required=False, fine=600_000)  # the first version
    decided_case(a, D(2026, 10, 10), required=False, fine=600_000)  # the second
    assert october(a.body).major_decided == 1


def test_a_transfer_is_not_a_decision_the_coverage_counts(a: ReviewAgency) -> None:
    decided_case(a, D(2026, 10, 5), outcome="transfer", kinds=[], fine=None)
    assert october(a.body).major_decided == 0
    decided_case(a, D(2026, 10, 6))
    assert october(a.body).major_decided == 1


def test_a_decision_the_gate_does_not_guard_is_not_counted(a: ReviewAgency) -> None:
    """A summary decision on the spot (the other body's case) is no decision the gate
    measures, even for a major case."""
    case = body_case(a, a.other_body, "other_county")
    Case.objects.filter(pk=case.pk).update(decided_on=D(2026, 10, 5), is_major=True)
    CaseStep.objects.create(case=case, action="decide_on_spot", label="当场处罚",
                            acted_on=D(2026, 10, 5),
                            data={"acted_on": "2026-10-05", "kinds": ["fine"], "fine": 20_000})
    assert october(a.other_body).major_decided == 0


def test_on_time_is_measured_by_the_day_the_opinion_was_given(a: ReviewAgency) -> None:
    """An opinion typed as of its due date but given (recorded) two days later is late, and
    falls in the period it was given in."""
    r = a.reviewer
    case = decided_case(a, None)
    review_rows(case, RequestState.PASSED,
                {**decided(D(2026, 9, 30), D(2026, 9, 30), reviewer=r),
                 "decided_at": aware(D(2026, 10, 2))})
    kpi = october(a.body)
    assert (kpi.rounds_decided, kpi.on_time, kpi.on_time_rate) == (1, 0, 0.0)
    (sept,) = review_kpis(bodies=[a.body], start=D(2026, 9, 1), end=D(2026, 9, 30),
                          today=TODAY)
    assert sept.rounds_decided == 0
    # recorded late in the evening of its due date (Beijing time): on time
    ReviewRound.objects.filter(request__case=case).update(
        decided_at=dt.datetime(2026, 9, 30, 15, 30, tzinfo=dt.UTC))  # 23:30 in Beijing
    (sept,) = review_kpis(bodies=[a.body], start=D(2026, 9, 1), end=D(2026, 9, 30),
                          today=TODAY)
    assert (sept.rounds_decided, sept.on_time) == (1, 1)


def kpi_world(a: ReviewAgency) -> None:
    review_catalogue_create(
        actor=None, body=a.body, title="目录清单", effective_from=D(2024, 1, 1),
        thresholds=[ThresholdIn(PartyType.ORGANISATION, 500_000, "gte")],
        triggers=["all_general_procedure"])
    for i in range(5):
        case = decided_case(a, D(2026, 10, 5 + i))
        CaseStep.objects.create(case=case, action="submit_report", label="调查终结报告",
                                acted_on=D(2026, 9, 21), actor_name="李明",
                                data={"major": True})
        review_rows(case, RequestState.PASSED,
                    decided(D(2026, 10, 2), D(2026, 10, 5), reviewer=a.reviewer))
    for i in range(3):
        decided_case(a, D(2026, 10, 5 + i), case=body_case(a, a.other_body, "other_county",
                                                           procedure="general"))


def test_kpis_take_a_fixed_number_of_queries_whatever_the_number_of_bodies(
        a: ReviewAgency, django_assert_max_num_queries: Any) -> None:
    kpi_world(a)
    # the decided cases, their parties and steps, the catalogues with their thresholds and
    # triggers, the rounds, the open and the overdue reviews, the reviewers and officers
    fixed = 10
    for extra in (0, 12):
        for i in range(extra):
            f.body(a.regions["county"], a.market, name=f"芙蓉区某局{i}")
        bodies = list(EnforcementBody.objects.all())
        with django_assert_max_num_queries(fixed):
            rows = review_kpis(bodies=bodies, start=D(2026, 10, 1), end=D(2026, 10, 31),
                               today=TODAY)
        assert [(k.body, k.major_decided, k.coverage) for k in rows if k.major_decided] == [
            (a.body, 5, 1.0), (a.other_body, 3, 0.0)]
        assert len(rows) == len(bodies) == 3 + extra
