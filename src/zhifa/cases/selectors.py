"""Reads of cases, always scoped: staff see their own body's cases, supervisors the cases of
the bodies under their region, system administrators all. Out of scope is "not found"."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhifa.core.errors import NotFound
from zhifa.orgs.permissions import Perm, perms_of
from zhifa.orgs.selectors import visible_bodies

from .models import (
    ApprovalRequest,
    ApprovalStatus,
    Case,
    CaseDeadline,
    CaseOfficer,
    CaseStatus,
    DeadlineState,
    agency_overdue_q,
)
from .procedures import Action, Procedure, procedure_get
from .services.act import available_actions, role_allows


def visible_cases(user: Any) -> QuerySet[Case]:
    if Perm.VIEW_CASES not in perms_of(user):
        return Case.objects.none()
    return Case.objects.filter(body__in=visible_bodies(user))


def case_get_for_user(*, user: Any, key: Any) -> Case:
    """By public id or case number."""
    qs = visible_cases(user).select_related("body", "region", "sector", "handler", "item",
                                            "department")
    try:
        case = qs.get(public_id=uuid.UUID(str(key)))
    except (ValueError, Case.DoesNotExist):
        case = qs.filter(number=str(key)).first()  # type: ignore[assignment]
    if case is None:
        raise NotFound(_("Case not found."), code="case_not_found")
    return case


def approval_get_for_user(*, user: Any, public_id: Any) -> ApprovalRequest:
    try:
        pid = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound(_("Approval request not found."), code="approval_not_found") from None
    row = (ApprovalRequest.objects.select_related("case", "case__body", "requested_by")
           .filter(public_id=pid, case__in=visible_cases(user)).first())
    if row is None:
        raise NotFound(_("Approval request not found."), code="approval_not_found")
    return row


def cases_for_list(user: Any) -> QuerySet[Case]:
    return visible_cases(user).select_related("body", "handler", "sector").annotate(
        overdue=Exists(CaseDeadline.objects.filter(agency_overdue_q(timezone.localdate()),
                                                   case=OuterRef("pk"))))


@dataclass(frozen=True)
class Workbench:
    mine: list[Case]
    due_this_week: list[CaseDeadline]
    overdue: list[CaseDeadline]
    approvals: list[ApprovalRequest]
    provisional: int


def workbench_for(user: Any, *, today: dt.date | None = None, limit: int = 50) -> Workbench:
    today = today or timezone.localdate()
    person_id = getattr(user, "person_id", None)
    cases = visible_cases(user)
    mine_q = cases.filter(officers__person_id=person_id) if person_id else cases.none()
    mine = list(mine_q.exclude(status=CaseStatus.ARCHIVED).select_related("sector", "handler")
                .order_by("-received_on", "-id")[:limit])
    running = (CaseDeadline.objects.filter(state=DeadlineState.RUNNING, case__in=mine_q)
               .select_related("case").order_by("due", "id"))
    week_end = today + dt.timedelta(days=7)
    due = list(running.filter(due__gte=today, due__lte=week_end)[:limit])
    overdue = list(running.filter(agency_overdue_q(today))[:limit])
    roles = set(getattr(user, "roles", None) or [])
    # approvals are decided in one's own body (``approval_decide``); system administrators
    # may decide anywhere but are not sent every request
    pending = ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING).exclude(
        requested_by=user)
    pending = (pending.filter(case__body_id=user.person.body_id) if person_id
               else pending.none())
    approvals = [
        a for a in pending.select_related("case", "requested_by__person")
        .order_by("created_at")[:500]
        if a.steps[a.current] in roles
    ][:limit]
    provisional = running.filter(provisional=True).count()
    return Workbench(mine=mine, due_this_week=due, overdue=overdue, approvals=approvals,
                     provisional=provisional)


@dataclass(frozen=True)
class CaseView:
    case: Case
    procedure: Procedure
    officers: list[CaseOfficer]
    parties: list[Any]
    deadlines: list[CaseDeadline]
    steps: list[Any]
    actions: list[Action]  # what this user may start now
    pending: list[ApprovalRequest]
    decidable: list[ApprovalRequest]  # pending requests whose current step is this user's


def case_view_for(*, user: Any, case: Case) -> CaseView:
    proc = procedure_get(case.procedure, body=case.body)
    case = Case.objects.prefetch_related(
        Prefetch("officers", queryset=CaseOfficer.objects.select_related("person")),
        "parties", "pauses",
    ).select_related("body", "region", "sector", "handler", "item").get(pk=case.pk)
    actions: list[Action] = []
    if Perm.HANDLE_CASES in perms_of(user) and (
            (getattr(user, "person_id", None) and user.person.body_id == case.body_id)
            or Perm.ADMINISTER_SYSTEM in perms_of(user)):
        actions = [a for a in available_actions(case, proc) if role_allows(user, case, a)]
    pending = list(case.approvals.filter(status=ApprovalStatus.PENDING)
                   .select_related("requested_by__person"))
    roles = set(getattr(user, "roles", None) or [])
    admin = Perm.ADMINISTER_SYSTEM in perms_of(user)
    decidable = [a for a in pending if a.requested_by_id != user.pk and (
        admin or (a.steps[a.current] in roles and getattr(user, "person_id", None)
                  and user.person.body_id == case.body_id))]
    return CaseView(
        case=case, procedure=proc, officers=list(case.officers.all()),
        parties=list(case.parties.all()), deadlines=list(case.deadlines.all()),
        steps=list(case.steps.select_related("actor").all()), actions=actions,
        pending=pending, decidable=decidable,
    )


def may_see_full_id_numbers(user: Any, case: Case) -> bool:
    """Parties' full ID numbers: for the case's own officers, the heads and legal reviewers
    of its body (they draft and check its documents) and system administrators. Everyone else
    in scope (colleagues, supervisors) sees them masked."""
    perms = perms_of(user)
    if Perm.ADMINISTER_SYSTEM in perms:
        return True
    if Perm.HANDLE_CASES not in perms or user.person.body_id != case.body_id:
        return False
    if set(user.roles or []) & {"head", "reviewer"}:
        return True
    return case.officers.filter(person_id=user.person_id).exists()


def provisional_deadlines(user: Any) -> QuerySet[CaseDeadline]:
    return (CaseDeadline.objects.filter(state=DeadlineState.RUNNING, provisional=True,
                                        case__in=visible_cases(user))
            .select_related("case", "case__body"))


def case_search(qs: QuerySet[Case], q: str) -> QuerySet[Case]:
    q = q.strip()
    if not q:
        return qs
    return qs.filter(Q(number__icontains=q) | Q(title__icontains=q)
                     | Q(parties__name__icontains=q)).distinct()
