"""The legal review of the demo cases (重大执法决定法制审核), taken through the reviews
services only, at the dates the recipes give:

- ``submit_legal_review``: the handler prepares the package (an evidence item when the case
  has none yet, the draft decision with its three written reasons, the handling opinion) and
  submits it (``review_submit``);
- ``assign_reviewer``: the head assigns the body's legal reviewer (``review_assign``);
- ``extend_review``: the reviewer asks for more time, which the head approves
  (``extension_request``, ``extension_decide``);
- ``record_review_opinion``: the reviewer gives a finding on each of the nine review points and
  the opinion (``opinion_submit``), which drafts the 法制审核意见书;
- ``contest_review``: the handler contests the opinion (``review_contest``);
- ``collective_discussion``: the heads discuss the contested opinion, or a complex case
  (``discussion_open``), and record the conclusion (``discussion_record``), which drafts the
  重大案件集体讨论记录.

Which cases need a review at all is the reviews app's answer (``triggers.evaluate``): a case
whose recipe decides without one, while the body's catalogue or a statutory trigger requires
it, gets a review inserted after its investigation report (``with_review``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from zhifa.cases.models import Case
from zhifa.core.errors import ApplicationError
from zhifa.evidence.models import EvidenceKind, ItemState
from zhifa.evidence.services import evidence_item_create
from zhifa.orgs.models import Person, PersonStatus, RoleKind, User
from zhifa.reviews.models import (
    CollectiveDiscussion,
    DiscussionState,
    Finding,
    Position,
    ReviewRequest,
)
from zhifa.reviews.points import POINT_CODES
from zhifa.reviews.services.assign import review_assign
from zhifa.reviews.services.discussions import (
    discussion_open,
    discussion_record,
    review_contest,
)
from zhifa.reviews.services.extensions import extension_decide, extension_request
from zhifa.reviews.services.opinions import opinion_submit
from zhifa.reviews.services.requests import review_submit
from zhifa.reviews.triggers import evaluate

from .steps import Recipe, Step

if TYPE_CHECKING:
    from ..documents import CaseDocuments
    from .content import Facts
    from .staff import BodyStaff

ACTIONS = frozenset({"submit_legal_review", "assign_reviewer", "extend_review",
                     "record_review_opinion", "contest_review", "collective_discussion"})
# the deciding step the review gate (``legal_review_passed``) stands before (the demo's
# licensing refusals need no review: see ``data.catalogues``)
DECIDING = "decide"
LATE_REASON = "案情复杂、送审材料较多，经本机关负责人同意延后出具审核意见。"
PLACE = "本机关三楼会议室（演示）"
# what the reviewer writes on a point without a problem
NO_PROBLEM = {"crime": "未发现涉嫌犯罪需要移送司法机关的情形。"}
DISCUSSION_VIEWS = {
    Position.PROPOSAL: "本案证据能够相互印证，同意办案机构的处理意见。",
    Position.OPINION: "同意法制审核意见，建议补充证据后再作决定。",
}

SUBMIT = Step("submit_legal_review", 1)
ASSIGN = Step("assign_reviewer", 0, by="head")
AGREE = Step("record_review_opinion", 4, {
    "outcome": "agree",
    "opinion": "主体适格，事实清楚，证据确凿，适用法律正确，程序合法，处罚幅度在裁量基准范围内，"
               "同意按拟处理意见作出决定。"}, by="reviewer")


# --- which cases --------------------------------------------------------------------------

@dataclasses.dataclass
class _Parties:
    types: list[str]

    def all(self) -> list[SimpleNamespace]:
        return [SimpleNamespace(party_type=t) for t in self.types]


@dataclasses.dataclass
class _Proposal:
    """What ``triggers.evaluate`` reads of a case, for a case not opened yet: its body, its
    parties and the proposal of its investigation report."""

    body: Any
    region: Any
    parties: _Parties
    procedure: str
    proposed_kinds: list[str]
    proposed_fine: int | None
    proposed_confiscation: int | None
    is_major: bool
    data: dict[str, Any]
    hearing_held_on: dt.date | None = None


def _decision(step: Step, facts: Facts, on: dt.date) -> dict[str, Any]:
    data = step.values(facts, on)
    return {"outcome": data.get("outcome", ""), "kinds": list(data.get("kinds") or []),
            "fine": facts.final_fine * 100, "confiscation": facts.confiscation * 100}


def needs_review(staff: BodyStaff, facts: Facts, recipe: Recipe, today: dt.date) -> bool:
    """Whether the recipe's decision would be refused without a legal review: it decides
    before any review, and the reviews app says its decision needs one."""
    first = next((s for s in recipe.steps
                  if s.action in (DECIDING, "submit_legal_review")), None)
    if first is None or first.action == "submit_legal_review":
        return False
    case = _Proposal(
        body=staff.body, region=facts.region,
        parties=_Parties([p.party_type for p in facts.parties]), procedure=recipe.procedure,
        proposed_kinds=list(facts.kinds), proposed_fine=facts.fine * 100 or None,
        proposed_confiscation=facts.confiscation * 100 or None, is_major=facts.major,
        data={"submit_report": {"complex": facts.complex}} if facts.kinds else {})
    return evaluate(case, action=first.action, decision=_decision(first, facts, today),
                    day=today).required


def with_review(recipe: Recipe) -> Recipe:
    """The recipe with a review passed after its investigation report."""
    steps = list(recipe.steps)
    at = next(i for i, s in enumerate(steps) if s.action == DECIDING)
    at = max(i for i, s in enumerate(steps[:at]) if s.action == "submit_report") + 1
    steps[at:at] = [SUBMIT, ASSIGN, AGREE]
    return dataclasses.replace(recipe, steps=tuple(steps))


# --- taking the steps ---------------------------------------------------------------------

def _points(problems: Mapping[str, str]) -> list[dict[str, str]]:
    out = []
    for code in POINT_CODES:
        if code in problems:
            out.append({"code": code, "finding": Finding.PROBLEM, "comment": problems[code]})
        else:
            out.append({"code": code, "finding": Finding.OK, "comment": NO_PROBLEM.get(code, "")})
    return out


def handling_opinion(facts: Facts, case: Case) -> str:
    from ..documents import penalty_text

    v = facts.violation
    phrase = v.phrase if v else "违法"
    basis = case.item.basis_text if case.item is not None else "相关法律法规"
    return (f"经调查，{facts.party_name}{phrase}的事实清楚，证据确凿。承办机构拟依照{basis}，"
            f"{penalty_text(facts, final=False)}（演示数据）")


class CaseReviews:
    """The reviews' part of the walk (see the module's description)."""

    def __init__(self, documents: CaseDocuments) -> None:
        self.documents = documents
        self.heads: dict[int, list[Person]] = {}

    def take(self, actor: User, staff: BodyStaff, case: Case, step: Step, on: dt.date,
             facts: Facts) -> None:
        data = step.values(facts, on)
        if step.action == "submit_legal_review":
            self._submit(actor, case, on, facts, str(data.get("changes") or ""))
        elif step.action == "assign_reviewer":
            review_assign(actor=actor, request=self._request(case),
                          reviewer=self._reviewer(staff))
        elif step.action == "extend_review":
            extension = extension_request(actor=actor, request=self._request(case),
                                          reason=data["reason"])
            extension_decide(actor=staff.head, extension=extension, approve=True,
                             comment="同意延长。")
        elif step.action == "record_review_opinion":
            self._opinion(actor, case, on, data)
        elif step.action == "contest_review":
            review_contest(actor=actor, request=self._request(case), grounds=data["grounds"])
        else:
            self._discussion(actor, staff, case, on, data)

    def _request(self, case: Case) -> ReviewRequest:
        return ReviewRequest.objects.get(case=case)

    def _reviewer(self, staff: BodyStaff) -> Person:
        person = staff.reviewer.person
        assert person is not None
        return person

    def _submit(self, actor: User, case: Case, on: dt.date, facts: Facts, changes: str) -> None:
        if not case.evidence_items.filter(state=ItemState.ACTIVE).exists():
            self._evidence(actor, case, facts)
        self.documents.decision_draft(actor, case, "penalty", facts, final=False)
        review_submit(actor=actor, case=case, handling_opinion=handling_opinion(facts, case),
                      changes=changes, submitted_on=on)

    def _evidence(self, actor: User, case: Case, facts: Facts) -> None:
        when = timezone.make_aware(dt.datetime.combine(case.received_on, dt.time(9, 30)))
        step = case.steps.filter(action="record_investigation").order_by("id").first()
        evidence_item_create(
            actor=actor, case=case, kind=EvidenceKind.INSPECTION_RECORD, title="现场检查笔录",
            description="执法人员现场检查时制作的现场检查笔录，当事人签字确认（演示数据）。",
            source="现场检查", collected_at=when, place=facts.place, step=step,
            collectors=[p for p in [actor.person] if p is not None])

    def _opinion(self, actor: User, case: Case, on: dt.date, data: dict[str, Any]) -> None:
        kwargs: dict[str, Any] = {
            "actor": actor, "request": self._request(case),
            "points": _points(data.get("problems") or {}), "outcome": data["outcome"],
            "opinion": data["opinion"], "changes_required": data.get("changes_required", ""),
            "decided_on": on}
        try:
            opinion_submit(**kwargs)
        except ApplicationError as exc:
            if exc.code != "late_reason_required":
                raise
            opinion_submit(**kwargs, late_reason=LATE_REASON)

    def _heads(self, staff: BodyStaff) -> list[Person]:
        """The body's heads who attend, the head (who presides) first."""
        if staff.body.pk not in self.heads:
            heads = Person.objects.filter(body=staff.body, status=PersonStatus.ACTIVE,
                                          roles__kind=RoleKind.HEAD).order_by("id")
            self.heads[staff.body.pk] = sorted(
                heads, key=lambda p: p.pk != staff.head.person_id)
        return self.heads[staff.body.pk]

    def _discussion(self, actor: User, staff: BodyStaff, case: Case, on: dt.date,
                    data: dict[str, Any]) -> None:
        request = ReviewRequest.objects.filter(case=case).first()
        contested = request is not None and request.state == "contested"
        discussion = (CollectiveDiscussion.objects.filter(case=case,
                                                          state=DiscussionState.PENDING).first())
        agenda = (f"讨论{case.title}的法制审核意见及办案机构的异议" if contested
                  else f"讨论{case.title}拟作出的行政处罚决定（重大复杂案件）")
        if discussion is None:
            discussion = discussion_open(actor=actor, case=case, agenda=agenda)
        heads = self._heads(staff)
        positions = [Position.PROPOSAL] * len(heads)
        if contested and len(heads) > 2:
            positions[-1] = Position.OPINION  # one deputy sided with the reviewer
        attendees = [{"person": p, "position": pos, "view": DISCUSSION_VIEWS[pos]}
                     for p, pos in zip(heads, positions, strict=True)]
        discussion_record(actor=actor, discussion=discussion, held_on=on, presided_by=heads[0],
                          attendees=attendees, conclusion=data["conclusion"],
                          conclusion_text=data["conclusion_text"], place=PLACE, agenda=agenda)
