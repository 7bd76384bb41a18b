"""The legal review of the demo cases (重大执法决定法制审核), taken through the reviews
services only, at the dates the recipes give:

- ``submit_legal_review``: the handler prepares the package (an evidence item when the case
  has none yet, the draft decision in the words it will be made in — with its three written
  reasons for a penalty —, the handling opinion) and submits it (``review_submit``); the
  review passes that text, so the draft is not touched again before the decision;
- ``assign_reviewer``: the head assigns the body's legal reviewer (``review_assign``);
- ``extend_review``: the reviewer asks for more time, which the head approves
  (``extension_request``, ``extension_decide``);
- ``record_review_opinion``: the reviewer gives a finding on each of the nine review points and
  the opinion (``opinion_submit``), which drafts the 法制审核意见书; on time, but for the
  recipe whose opinion comes after the time limit with its reason (``Step.late``);
- ``contest_review``: the handler contests the opinion (``review_contest``);
- ``collective_discussion``: the heads discuss the contested opinion, or a complex case
  (``discussion_open``), and record the conclusion (``discussion_record``), which drafts the
  重大案件集体讨论记录.

Which cases need a review at all is the reviews app's answer (``triggers.evaluate``): a case
whose recipe decides without one, while the body's catalogue or a statutory trigger requires
it, gets a review inserted after its investigation report (``with_review``); a licensing
refusal the catalogue lists, a review at the stage ``reviewing`` just before the refusal.

Each review step is recorded on its day (``recorded_on``): the reviews app times an opinion by
the moment it is recorded (late when recorded after the time limit; the on-time figures count
the day it was recorded), so opinions typed in today for the past months would all be late.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from zhifa.cases.models import Case
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

from ...data.cases.other import DENIAL
from .steps import Recipe, Step

if TYPE_CHECKING:
    from ..documents import CaseDocuments
    from .content import Facts
    from .staff import BodyStaff

ACTIONS = frozenset({"submit_legal_review", "assign_reviewer", "extend_review",
                     "record_review_opinion", "contest_review", "collective_discussion"})
# per procedure, the deciding step the review gate (``legal_review_passed``) stands before
DECIDING = {"general": "decide", "licensing": "deny"}
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
# a licensing refusal: reviewed at the stage ``reviewing``, refused two days after it passed
L_SUBMIT = Step("submit_legal_review", 6)
L_AGREE = Step("record_review_opinion", 4, {
    "outcome": "agree",
    "opinion": "申请人不符合法定条件的事实清楚，证据确凿，不予许可的依据正确，程序合法，"
               "同意按拟处理意见作出不予行政许可决定。"}, by="reviewer")
L_DECIDE_GAP = 2


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
    deciding = DECIDING.get(recipe.procedure)
    first = next((s for s in recipe.steps
                  if s.action in (deciding, "submit_legal_review")), None)
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
    """The recipe with a review passed after its investigation report (a licensing refusal:
    just before it)."""
    steps = list(recipe.steps)
    at = next(i for i, s in enumerate(steps) if s.action == DECIDING[recipe.procedure])
    if recipe.procedure == "licensing":
        steps[at] = dataclasses.replace(steps[at], gap=L_DECIDE_GAP)
        steps[at:at] = [L_SUBMIT, ASSIGN, L_AGREE]
    else:
        at = max(i for i, s in enumerate(steps[:at]) if s.action == "submit_report") + 1
        steps[at:at] = [SUBMIT, ASSIGN, AGREE]
    return dataclasses.replace(recipe, steps=tuple(steps))


class _Clock:
    """``django.utils.timezone`` as seen by the reviews' services during ``recorded_on``: the
    same module, with ``now`` (and so ``localdate``) moved to another day."""

    def __init__(self, shift: dt.timedelta) -> None:
        self.shift = shift

    def now(self) -> dt.datetime:
        return timezone.now() + self.shift

    def localdate(self, value: dt.datetime | None = None) -> dt.date:
        return timezone.localdate(self.now() if value is None else value)

    def __getattr__(self, name: str) -> Any:
        return getattr(timezone, name)


@contextmanager
def recorded_on(day: dt.date) -> Iterator[None]:
    """Inside, the reviews' services read the clock as ``day`` at the present time of day, so
    that a review step of the past is recorded on its day: when the package was submitted,
    the reviewer assigned and the opinion given (and whether it was late). Only those
    services' clock moves: the case steps, documents and ledger entries they write are timed
    by the real clock like every other demo record. Only the demo loader does this; the load
    runs in a process of its own."""
    from zhifa.reviews.services import assign, discussions, extensions, opinions, requests

    modules = (requests, assign, extensions, opinions, discussions)
    clock = _Clock(day - timezone.localdate())
    for module in modules:
        module.timezone = clock  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module in modules:
            module.timezone = timezone  # type: ignore[attr-defined]


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

    basis = case.item.basis_text if case.item is not None else "相关法律法规"
    if case.procedure == "licensing":
        return (f"{DENIAL.removesuffix('，不予许可。')}，不符合法定条件。承办机构拟依照{basis}，"
                "作出不予行政许可决定。（演示数据）")
    v = facts.violation
    phrase = v.phrase if v else "违法"
    return (f"经调查，{facts.party_name}{phrase}的事实清楚，证据确凿。承办机构拟依照{basis}，"
            f"{penalty_text(facts, final=case.hearing_held_on is not None)}（演示数据）")


class CaseReviews:
    """The reviews' part of the walk (see the module's description)."""

    def __init__(self, documents: CaseDocuments) -> None:
        self.documents = documents
        self.heads: dict[int, list[Person]] = {}

    def take(self, actor: User, staff: BodyStaff, case: Case, step: Step, on: dt.date,
             facts: Facts) -> None:
        with recorded_on(on):
            self._take(actor, staff, case, step, on, facts)

    def _take(self, actor: User, staff: BodyStaff, case: Case, step: Step, on: dt.date,
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
            self._opinion(actor, case, on, data, step.late)
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
        if case.procedure == "licensing":
            self.documents.denial_draft(actor, case, DENIAL)
        else:  # the penalty decided after a hearing, which is reviewed again (APL art. 58)
            self.documents.decision_draft(actor, case, "penalty", facts,
                                          final=case.hearing_held_on is not None)
        review_submit(actor=actor, case=case, handling_opinion=handling_opinion(facts, case),
                      changes=changes, submitted_on=on)

    def _evidence(self, actor: User, case: Case, facts: Facts) -> None:
        when = timezone.make_aware(dt.datetime.combine(case.received_on, dt.time(9, 30)))
        collectors = [p for p in [actor.person] if p is not None]
        if case.procedure == "licensing":  # the on-site verification of the premises
            step = case.steps.filter(action="accept").order_by("id").first()
            evidence_item_create(
                actor=actor, case=case, kind=EvidenceKind.INSPECTION_RECORD,
                title="现场核查记录",
                description="执法人员对申请人经营场所进行现场核查时制作的核查记录，申请人签字确认"
                            "（演示数据）。",
                source="现场核查", collected_at=when, place=facts.place, step=step,
                collectors=collectors)
            return
        step = case.steps.filter(action="record_investigation").order_by("id").first()
        evidence_item_create(
            actor=actor, case=case, kind=EvidenceKind.INSPECTION_RECORD, title="现场检查笔录",
            description="执法人员现场检查时制作的现场检查笔录，当事人签字确认（演示数据）。",
            source="现场检查", collected_at=when, place=facts.place, step=step,
            collectors=collectors)

    def _opinion(self, actor: User, case: Case, on: dt.date, data: dict[str, Any],
                 late: str) -> None:
        """The opinion, recorded on its day: late only when the recipe gives it after the
        time limit, with the reason it states (a late opinion without one is refused)."""
        opinion_submit(
            actor=actor, request=self._request(case),
            points=_points(data.get("problems") or {}), outcome=data["outcome"],
            opinion=data["opinion"], changes_required=data.get("changes_required", ""),
            decided_on=on, late_reason=late)

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
