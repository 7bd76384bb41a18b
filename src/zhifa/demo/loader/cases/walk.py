"""Taking a planned demo case through its recipe with the case services only: ``case_create``
(or ``inspection_draw``), ``case_act`` for each step and ``approval_decide`` for each rung of
the approval ladder. Every change therefore has its guards checked and its ledger entry, as
if an officer had done it on the recorded day.

The enforcement documents come in at the steps that need them (``documents.CaseDocuments``):
the draft decision document before a general-procedure decision (its guard refuses the step
without one), the documents issued on the day of their step, and the service of an issued
document recorded through the documents' service, which takes the case's serving step.
``steps`` yields before each step so that the loader can take the steps of all the cases in
the order of their dates (document numbers then follow the calendar, as they do in an office).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zhifa.cases.models import ApprovalRequest, ApprovalStatus, Case
from zhifa.cases.services import approval_decide, case_act, case_create
from zhifa.core.errors import ApplicationError
from zhifa.orgs.models import User

from .content import ContentMaker, Facts
from .recordings import record_on_site
from .reviews import ACTIONS as REVIEW_ACTIONS
from .staff import BodyStaff, Officer
from .steps import Recipe, Step

if TYPE_CHECKING:
    from ..documents import CaseDocuments
    from .reviews import CaseReviews

# When a time limit has passed by the recorded day (e.g. a holiday fell in between).
LATE_REASON = "因节假日及当事人原因未能在期限内完成，已报经本机关负责人同意。"
APPROVED = {"head": "同意。", "officer": "经审核，同意报批。", "reviewer": "经审核，同意。"}


@dataclass
class Planned:
    staff: BodyStaff
    recipe: Recipe
    facts: Facts
    officers: list[Officer]
    received: dt.date
    dates: list[dt.date]
    order: int = 0
    extra: list[Any] = field(default_factory=list)  # further officers (auxiliaries)


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in data.items()}


class Walker:
    def __init__(self, content: ContentMaker, documents: CaseDocuments | None = None,
                 reviews: CaseReviews | None = None) -> None:
        self.content = content
        self.documents = documents
        self.reviews = reviews

    # --- who acts ---------------------------------------------------------------------
    def actor_for(self, staff: BodyStaff, case: Case, step: Step) -> User:
        if step.by == "head":
            return staff.head
        if step.by == "reviewer":
            return staff.reviewer
        handler = staff.account(case.handler)
        if handler is not None:
            return handler
        for officer in case.officers.select_related("person"):
            account = staff.account(officer.person)
            if account is not None:
                return account
        return staff.head

    def approver_for(self, staff: BodyStaff, role: str, requester: User) -> User:
        if role == "head":
            return staff.head
        if role == "reviewer":
            return staff.reviewer
        candidates = [staff.login_officer] if staff.login_officer else []
        candidates += staff.officers
        return next(o.account for o in candidates
                    if o.account is not None and o.account.pk != requester.pk)

    # --- steps ------------------------------------------------------------------------
    def act(self, staff: BodyStaff, case: Case, step: Step, on: dt.date, facts: Facts,
            recipe: Recipe | None = None) -> None:
        actor = self.actor_for(staff, case, step)
        if step.action in REVIEW_ACTIONS and self.reviews is not None:
            try:
                self.reviews.take(actor, staff, case, step, on, facts)
            except ApplicationError as exc:
                raise ValueError(f"demo case {case.number} ({facts.title}), review step "
                                 f"{step.action} on {on}: {exc.code}: {exc.message} "
                                 f"{exc.detail}") from exc
            return
        data = _plain({**step.values(facts, on), "acted_on": on})
        record_on_site(actor, case, data)  # a step done on site is recorded first
        docs = self.documents
        name = recipe.name if recipe is not None else ""
        try:
            if docs is not None:
                docs.before_step(actor, staff, case, step.action, on, data, facts, name)
                if docs.serve(actor, staff, case, step.action, on, data, facts, name,
                              late=step.late or LATE_REASON):
                    return  # the documents' service recorded the step
            result = case_act(actor=actor, case=case, action=step.action, data=data,
                              late_reason=step.late)
        except ApplicationError as exc:
            if exc.code != "late_reason_required":
                raise ValueError(f"demo case {case.number} ({facts.title}), step "
                                 f"{step.action} on {on}: {exc.code}: {exc.message}") from exc
            result = case_act(actor=actor, case=case, action=step.action, data=data,
                              late_reason=LATE_REASON)
        request = result.approval
        if request is not None and result.step is None:
            if step.rejected:
                approval_decide(actor=staff.head, request=request, approve=False,
                                comment=step.rejected)
                request = case_act(actor=actor, case=case, action=step.action, data=data,
                                   late_reason=step.late).approval
                assert request is not None
            self.approve(staff, request, actor, limit=step.pending)
        if docs is not None:
            case.refresh_from_db()
            try:
                docs.after_step(actor, staff, case, step.action, on, data, facts, name)
            except ApplicationError as exc:
                raise ValueError(f"demo case {case.number} ({facts.title}), documents after "
                                 f"{step.action} on {on}: {exc.code}: {exc.message} "
                                 f"{exc.detail}") from exc

    def approve(self, staff: BodyStaff, request: ApprovalRequest, requester: User,
                limit: int | None) -> None:
        rung = 0
        while request.status == ApprovalStatus.PENDING and (limit is None or rung < limit):
            role = request.steps[request.current]
            result = approval_decide(actor=self.approver_for(staff, role, requester),
                                     request=request, approve=True, comment=APPROVED[role])
            assert result.approval is not None
            request = result.approval
            rung += 1

    def open_case(self, plan: Planned) -> Case:
        staff, facts = plan.staff, plan.facts
        handler = plan.officers[0]
        return case_create(
            actor=handler.account, procedure=plan.recipe.procedure, title=facts.title,
            sector=facts.sector, region=facts.region, parties=facts.parties,
            officers=[o.person for o in plan.officers] + plan.extra,
            received_on=plan.received, source_kind=facts.source_kind, item=facts.item,
            summary=facts.summary, body=staff.body, is_demo=True)

    def run(self, plan: Planned) -> Case:
        case = self.open_case(plan)
        self.walk(plan, case)
        return case

    def walk(self, plan: Planned, case: Case) -> None:
        for _on in self.steps(plan, case):
            pass

    def steps(self, plan: Planned, case: Case) -> Iterator[dt.date]:
        """Take the recipe's steps, yielding the date of each before taking it."""
        staff, facts = plan.staff, plan.facts
        if plan.recipe.procedure == "summary":
            # the serial printed on the pre-numbered form (the body's serial book)
            n = self.content.number("serial", staff.key)
            facts.serial = (self.documents.serial(staff.body, n) if self.documents is not None
                            else f"{staff.body.short_name}简{n:06d}")
        current = case
        for step, on in zip(plan.recipe.steps, plan.dates, strict=True):
            yield on
            if step.child and current is case:
                current = Case.objects.get(parent=case)
            if step.action == "archive":  # numbered when archived, in the order of the days
                facts.archive_number = (f"{staff.body.short_name}档〔{on.year}〕"
                                        f"{self.content.number('archive', staff.key)}号")
            self.act(staff, current, step, on, facts, plan.recipe)
