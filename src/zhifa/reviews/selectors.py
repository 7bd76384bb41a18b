"""Reads of legal reviews, always scoped like the cases they belong to
(``zhifa.cases.selectors.visible_cases``): staff see their own body's reviews, supervisors
those of the bodies under their region, system administrators all. Out of scope is "not
found".

- ``review_queue``: the legal-review office's work list (a reviewer's own rounds by urgency,
  and the submissions nobody has taken yet; a head sees every open review of the body);
- ``review_kpis``: the figures of a period per body (coverage of major decisions, rounds on
  time, rounds per case, open and overdue reviews, reviewers per officer).

Whether a case's decision needs review is ``services.determine.current_determination`` (the
live answer); the figures measure the decision actually made instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext as _

from zhifa.cases.models import Case, CaseStep, CustomProcedure
from zhifa.cases.models import Outcome as CaseOutcome
from zhifa.cases.procedures import BUILTIN, Procedure, procedure_from_row, procedure_get
from zhifa.cases.selectors import visible_cases
from zhifa.catalog.models import ReviewCatalogue
from zhifa.core.errors import NotFound
from zhifa.orgs.models import AccountRole, EnforcementBody, Person, PersonStatus, RoleKind
from zhifa.orgs.permissions import Perm, perms_of
from zhifa.orgs.selectors import visible_bodies
from zhifa.workdays.calendar import period_end

from .hooks import gated
from .models import (
    OPEN_STATES,
    CollectiveDiscussion,
    DiscussionAttendee,
    RequestState,
    ReviewExtension,
    ReviewRequest,
    ReviewRound,
    RoundState,
)
from .services.assign import RATIO_TARGET, Ratio
from .triggers import evaluate

# a round is "due soon" when its time limit ends within this many working days
DUE_SOON_WORKING_DAYS = 2
# every decision that needs legal review gets it (APL art. 58 §1: "未经法制审核或者审核未通过的，
# 不得作出决定")
COVERAGE_TARGET = 1.0
PASSED_STATES = (RequestState.PASSED, RequestState.DISCUSSED)


def visible_requests(user: Any) -> QuerySet[ReviewRequest]:
    """The reviews of the cases the user sees."""
    return ReviewRequest.objects.filter(case__in=visible_cases(user))


def request_for_case(user: Any, case: Case) -> ReviewRequest:
    """The case's review with its rounds (reviewer, extensions) and discussions (attendees);
    "not found" when the case has none or the user does not see the case."""
    rounds = ReviewRound.objects.select_related(
        "reviewer", "submitted_by", "assigned_by", "decided_by", "opinion_document",
    ).prefetch_related(Prefetch(
        "extensions",
        queryset=ReviewExtension.objects.select_related("requested_by", "decided_by")))
    discussions = CollectiveDiscussion.objects.select_related(
        "presided_by", "raised_by", "recorded_by", "record_document", "round",
    ).prefetch_related(Prefetch(
        "attendees", queryset=DiscussionAttendee.objects.select_related("person")))
    request = (visible_requests(user)
               .select_related("case", "body", "catalogue", "created_by")
               .prefetch_related(Prefetch("rounds", queryset=rounds),
                                 Prefetch("discussions", queryset=discussions))
               .filter(case_id=case.pk).first())
    if request is None:
        raise NotFound(_("Legal review not found."), code="review_not_found")
    return request


@dataclass(frozen=True)
class Queue:
    """Open rounds (``ReviewRound`` with ``request``, ``request.case``, its handler and the
    ``reviewer`` loaded), each list by due date. ``mine_*``: a reviewer's assigned rounds (a
    head's: every assigned round of the body) that are overdue (due before today), due within
    ``DUE_SOON_WORKING_DAYS`` working days, or later; ``unassigned``: submitted to the body and
    not taken by a reviewer yet."""

    mine_overdue: list[ReviewRound]
    mine_due_soon: list[ReviewRound]
    mine_other: list[ReviewRound]
    unassigned: list[ReviewRound]

    @property
    def total(self) -> int:
        return (len(self.mine_overdue) + len(self.mine_due_soon) + len(self.mine_other)
                + len(self.unassigned))


def _open_rounds() -> QuerySet[ReviewRound]:
    """The current round of every review open at the office."""
    return ReviewRound.objects.filter(
        state=RoundState.SUBMITTED, request__state__in=OPEN_STATES,
        number=F("request__current_round"),
    ).select_related("request", "request__case", "request__case__handler", "reviewer")


def review_queue(user: Any, *, today: dt.date) -> Queue:
    """The work list of a legal reviewer or a head of the user's body; empty for anyone
    else."""
    roles = set(getattr(user, "roles", None) or [])
    person_id = getattr(user, "person_id", None)
    is_head = AccountRole.HEAD in roles
    if (not person_id or Perm.HANDLE_CASES not in perms_of(user)
            or not (is_head or AccountRole.REVIEWER in roles)):
        return Queue([], [], [], [])
    qs = _open_rounds().filter(request__body_id=user.person.body_id)
    assigned = Q(request__state=RequestState.IN_REVIEW, reviewer__isnull=False)
    mine = assigned if is_head else assigned & Q(reviewer_id=person_id)
    rows = list(qs.filter(mine | ~assigned).order_by(F("due").asc(nulls_last=True),
                                                     "submitted_at", "id"))
    soon = period_end(start=today, n=DUE_SOON_WORKING_DAYS, unit="working_day").due
    overdue, due_soon, other, unassigned = [], [], [], []
    for r in rows:
        if r.request.state != RequestState.IN_REVIEW or r.reviewer_id is None:
            unassigned.append(r)
        elif r.due is not None and r.due < today:
            overdue.append(r)
        elif r.due is not None and r.due <= soon:
            due_soon.append(r)
        else:
            other.append(r)
    return Queue(overdue, due_soon, other, unassigned)


def kpi_scope_bodies(user: Any) -> QuerySet[EnforcementBody]:
    """The bodies whose review figures the user may see: a head's or a legal reviewer's own
    body, every body under a supervisor's region, every body for a system administrator."""
    perms = perms_of(user)
    if Perm.ADMINISTER_SYSTEM in perms or Perm.SUPERVISE in perms:
        return visible_bodies(user)
    roles = set(getattr(user, "roles", None) or [])
    if Perm.HANDLE_CASES in perms and roles & {AccountRole.HEAD, AccountRole.REVIEWER}:
        return visible_bodies(user)
    return EnforcementBody.objects.none()


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class BodyKpi:
    """One body's figures for the period ``start``..``end`` (both inclusive).

    - ``major_decided``: cases decided in the period whose decision, as made (the data of the
      deciding step the gate guards, on its date), required legal review — a transfer to the
      judicial organs is no decision of the body's and is not counted; ``reviewed_passed``:
      of these, the ones whose review passed (or was settled by collective discussion);
      ``coverage`` = the share (target 100 %);
    - ``rounds_decided``: opinions given in the period (the day they were given, as recorded
      when given); ``on_time``: of these, given on or before the round's due date;
      ``on_time_rate`` = the share;
    - ``cases_reviewed``: the cases those opinions were about; ``rounds_per_case`` =
      rounds_decided ÷ cases_reviewed;
    - ``open``: reviews open at the office now; ``overdue``: of these, past their due date
      (``today``);
    - ``ratio``: legal reviewers per enforcement officer of the body.
    A share is ``None`` when there is nothing to divide by."""

    body: EnforcementBody
    major_decided: int
    reviewed_passed: int
    coverage: float | None
    rounds_decided: int
    on_time: int
    on_time_rate: float | None
    cases_reviewed: int
    rounds_per_case: float | None
    open: int
    overdue: int
    ratio: Ratio

    @property
    def coverage_meets(self) -> bool:
        return self.coverage is None or self.coverage >= COVERAGE_TARGET


def _decided_major(ids: list[int], start: dt.date,
                   end: dt.date) -> dict[int, dict[str, int]]:
    """Per body: the cases decided in the period whose decision as made required review,
    and of these the ones whose review passed. A fixed number of queries: the cases (with
    their review's state), their parties and steps, the bodies' catalogues, and the bodies'
    own procedures."""
    cases = list(
        Case.objects.filter(body_id__in=ids, decided_on__range=(start, end))
        .exclude(outcome=CaseOutcome.TRANSFER)
        .annotate(review_state=F("review__state"))
        .prefetch_related("parties", Prefetch("steps", queryset=CaseStep.objects.only(
            "id", "case_id", "action", "acted_on", "data", "actor_name"))))
    catalogues = list(ReviewCatalogue.objects.filter(body_id__in=ids)
                      .prefetch_related("thresholds", "category_triggers"))
    procs = _procedures(cases)
    out: dict[int, dict[str, int]] = {}
    for case in cases:
        proc = procs[(case.body_id, case.procedure)]
        steps = [s for s in case.steps.all() if (a := proc.action(s.action)) is not None
                 and gated(case, a)]
        if not steps:
            continue  # decided by a step the gate does not guard (a licence granted)
        step = max(steps, key=lambda s: s.pk)
        if step.data.get("outcome") == CaseOutcome.TRANSFER:
            continue
        det = evaluate(case, action=step.action, decision=step.data, day=step.acted_on,
                       catalogues=catalogues, procedure=proc)
        if det.required:
            row = out.setdefault(case.body_id, {"n": 0, "passed": 0})
            row["n"] += 1
            row["passed"] += case.review_state in PASSED_STATES
    return out


def _procedures(cases: Sequence[Case]) -> dict[tuple[int, str], Procedure]:
    """The procedure of each (body, procedure code) of the cases: the built-in ones, and the
    bodies' own read in one query."""
    keys = {(c.body_id, c.procedure) for c in cases}
    custom = {k for k in keys if k[1] not in BUILTIN}
    out = {k: procedure_get(k[1]) for k in keys - custom}
    if custom:
        rows = CustomProcedure.objects.filter(body_id__in={b for b, _c in custom},
                                              code__in={c for _b, c in custom})
        out.update({(r.body_id, r.code): procedure_from_row(r) for r in rows
                    if (r.body_id, r.code) in custom})
    return out


def _ratios(ids: list[int]) -> dict[int, Ratio]:
    """``services.assign.reviewer_ratio`` of every body, in one grouped query."""
    rows = {r["body_id"]: r for r in Person.objects.filter(
        body_id__in=ids, status=PersonStatus.ACTIVE,
    ).values("body_id").annotate(
        reviewers=Count("id", filter=Q(roles__kind=RoleKind.REVIEWER), distinct=True),
        officers=Count("id", filter=Q(roles__kind=RoleKind.OFFICER), distinct=True))}
    out = {}
    for pk in ids:
        r = rows.get(pk, {"reviewers": 0, "officers": 0})
        ratio = _share(r["reviewers"], r["officers"])
        out[pk] = Ratio(reviewers=r["reviewers"], officers=r["officers"], ratio=ratio,
                        meets=ratio is not None and ratio >= RATIO_TARGET)
    return out


def review_kpis(*, bodies: Iterable[EnforcementBody], start: dt.date, end: dt.date,
                today: dt.date) -> list[BodyKpi]:
    """The figures of each body, in the order given, in a fixed number of queries whatever
    the number of bodies."""
    bodies = list(bodies)
    ids = [b.pk for b in bodies]
    decided = _decided_major(ids, start, end)
    # the day the opinion was given: when it was recorded (a row without that time: the date
    # typed with it)
    given = Coalesce(TruncDate("decided_at"), "decided_on")
    rounds = {row["request__body_id"]: row for row in ReviewRound.objects.filter(
        request__body_id__in=ids, state=RoundState.DECIDED,
    ).annotate(given=given).filter(given__range=(start, end)).values(
        "request__body_id").annotate(
        n=Count("id"), on_time=Count("id", filter=Q(given__lte=F("due"))),
        cases=Count("request_id", distinct=True))}
    open_ = dict(ReviewRequest.objects.filter(body_id__in=ids, state__in=OPEN_STATES)
                 .values("body_id").annotate(n=Count("id")).values_list("body_id", "n"))
    overdue = dict(_open_rounds().filter(request__body_id__in=ids, due__lt=today)
                   .values("request__body_id").annotate(n=Count("id"))
                   .values_list("request__body_id", "n"))
    ratios = _ratios(ids)
    result = []
    for body in bodies:
        d = decided.get(body.pk, {"n": 0, "passed": 0})
        r = rounds.get(body.pk, {"n": 0, "on_time": 0, "cases": 0})
        result.append(BodyKpi(
            body=body, major_decided=d["n"], reviewed_passed=d["passed"],
            coverage=_share(d["passed"], d["n"]), rounds_decided=r["n"],
            on_time=r["on_time"], on_time_rate=_share(r["on_time"], r["n"]),
            cases_reviewed=r["cases"], rounds_per_case=_share(r["n"], r["cases"]),
            open=open_.get(body.pk, 0), overdue=overdue.get(body.pk, 0),
            ratio=ratios[body.pk]))
    return result
