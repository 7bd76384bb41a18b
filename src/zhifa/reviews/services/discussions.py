"""Collective discussion (集体讨论, APL art. 57 §2) by the body's heads: when the handler
contests a review opinion that did not pass, or for a complex case.

``review_contest`` sends a returned opinion to discussion; ``discussion_open`` puts a complex
case on the heads' agenda; ``discussion_record`` records the discussion held (attendees, each
one's view, the conclusion), takes the case step ``collective_discussion`` and drafts the
重大案件集体讨论记录. The conclusion binds the case: "as the handler proposes" lets the
decision through on the proposal of the contested round; otherwise the opinion stands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhifa.cases.guards import actor_is_auxiliary
from zhifa.cases.models import Case, CaseOfficer, CaseStep
from zhifa.cases.procedures import procedure_get
from zhifa.cases.services import case_act
from zhifa.cases.services._access import require_not_archived
from zhifa.core.errors import ApplicationError, InvalidInput, PermissionDenied
from zhifa.documents import doctypes
from zhifa.documents.render.chinese import date_zh
from zhifa.ledger.services import ledger_append
from zhifa.orgs.models import AccountRole, Person, PersonStatus, RoleKind

from ..events import DISCUSSION_OPENED, DISCUSSION_RECORDED, REVIEW_CONTESTED
from ..hooks import review_service_step
from ..models import (
    CollectiveDiscussion,
    Conclusion,
    DiscussionAttendee,
    DiscussionReason,
    DiscussionState,
    Outcome,
    Position,
    RequestState,
    ReviewRequest,
)
from .opinions import latest_round, locked_request, proposal_text, require_in_body

RECORD_DOCUMENT = "collective_discussion_record"
DISCUSSION_STEP = "collective_discussion"
# the opinions a handler may contest: those that return the case without a further
# investigation (a supplement is carried out, not contested)
CONTESTABLE = (Outcome.AGREE_WITH_CHANGES, Outcome.DO_NOT_DECIDE, Outcome.TRANSFER)


def _on_case(actor: Any, case: Case) -> bool:
    person_id = getattr(actor, "person_id", None)
    return person_id is not None and (
        case.handler_id == person_id
        or CaseOfficer.objects.filter(case=case, person_id=person_id).exists())


def _is_head(actor: Any) -> bool:
    return AccountRole.HEAD in (actor.roles or [])


def _require_not_auxiliary(actor: Any) -> None:
    if actor_is_auxiliary(actor):
        raise PermissionDenied(_("Auxiliary staff may not take part in enforcement "
                                 "decisions."), code="not_auxiliary")


@transaction.atomic
def review_contest(*, actor: Any, request: ReviewRequest, grounds: str) -> CollectiveDiscussion:
    """The handler (an officer on the case, or a head) disagrees with an opinion that did
    not pass: the heads discuss it."""
    request = locked_request(actor, request)
    case = request.case
    _require_not_auxiliary(actor)
    if not (_is_head(actor) or _on_case(actor, case)):
        raise PermissionDenied(_("Only the case's officers or a head can contest its legal "
                                 "review opinion."), code="review_contest_forbidden")
    rnd = latest_round(request)
    if request.state != RequestState.RETURNED or rnd is None or rnd.outcome not in CONTESTABLE:
        raise ApplicationError(_("Only a returned opinion to make the decision with changes, "
                                 "not to make it, or to transfer the case can be contested."),
                               code="review_not_contestable")
    if CollectiveDiscussion.objects.filter(round=rnd,
                                           reason=DiscussionReason.CONTESTED).exists():
        # the heads' conclusion binds (APL art. 57 §2): the handler changes the case and
        # submits it again, he does not contest the same opinion twice
        raise ApplicationError(_("The heads have already discussed this opinion: change the "
                                 "case and submit it for review again."),
                               code="review_not_contestable")
    grounds = grounds.strip()
    if not grounds:
        raise InvalidInput(_("State the grounds for contesting the opinion."),
                           code="grounds_required", detail={"grounds": _("Required.")})
    require_not_archived(case)
    discussion = CollectiveDiscussion.objects.create(
        case=case, request=request, round=rnd, reason=DiscussionReason.CONTESTED,
        grounds=grounds, raised_by=actor, raised_at=timezone.now(),
        agenda=f"关于{proposal_text(case, rnd.proposal or {})}法制审核意见的异议")
    request.state = RequestState.CONTESTED
    request.save(update_fields=["state", "updated_at"])
    with translation.override("zh-hans"):
        outcome_label = str(Outcome(rnd.outcome).label)
    ledger_append(actor=actor, event=REVIEW_CONTESTED, stream=case.stream, body=case.body,
                  payload={"case": case.number, "request": str(request.public_id),
                           "discussion": str(discussion.public_id), "round": rnd.number,
                           "outcome": rnd.outcome, "outcome_label": outcome_label,
                           "grounds": grounds})
    return discussion


@transaction.atomic
def discussion_open(*, actor: Any, case: Case, agenda: str) -> CollectiveDiscussion:
    """Put a complex case on the heads' agenda (APL art. 57 §2)."""
    require_in_body(actor, case.body_id, code="case_not_found")
    case = Case.objects.select_for_update(of=("self",)).select_related("body").get(pk=case.pk)
    _require_not_auxiliary(actor)
    if not (_is_head(actor) or _on_case(actor, case)):
        raise PermissionDenied(_("Only the case's officers or a head can ask for a collective "
                                 "discussion."), code="discussion_forbidden")
    require_not_archived(case)
    agenda = agenda.strip()
    if not agenda:
        raise InvalidInput(_("State what the heads are to discuss."), code="agenda_required",
                           detail={"agenda": _("Required.")})
    if CollectiveDiscussion.objects.filter(case=case, state=DiscussionState.PENDING).exists():
        raise ApplicationError(_("A collective discussion of this case is already waiting."),
                               code="discussion_pending")
    discussion = CollectiveDiscussion.objects.create(
        case=case, request=ReviewRequest.objects.filter(case=case).first(),
        reason=DiscussionReason.COMPLEX, agenda=agenda, raised_by=actor,
        raised_at=timezone.now())
    ledger_append(actor=actor, event=DISCUSSION_OPENED, stream=case.stream, body=case.body,
                  payload={"case": case.number, "discussion": str(discussion.public_id),
                           "agenda": agenda})
    return discussion


def _clean_attendees(body_id: int, attendees: Any,
                     presided_by: Person | None) -> list[dict[str, Any]]:
    """Two or more heads of the body in post, each once, with a position and a view; the
    chair among them."""
    rows = list(attendees) if isinstance(attendees, list | tuple) else []
    errors: dict[str, Any] = {}
    if len(rows) < 2:
        errors["attendees"] = _("At least two heads of the body must attend.")
    out: list[dict[str, Any]] = []
    seen: set[int] = set()
    heads = set(Person.objects.filter(body_id=body_id, status=PersonStatus.ACTIVE,
                                      roles__kind=RoleKind.HEAD).values_list("pk", flat=True))
    for i, raw in enumerate(rows):
        row = raw if isinstance(raw, Mapping) else {}
        person = row.get("person")
        position = str(row.get("position") or "")
        view = str(row.get("view") or "").replace("\r\n", "\n").strip()
        problems = []
        if not isinstance(person, Person) or person.pk not in heads:
            problems.append(_("Not a head of the body in post."))
        elif person.pk in seen:
            problems.append(_("Listed more than once."))
        if position not in Position.values:
            problems.append(_("Choose the attendee's position."))
        if not view:
            problems.append(_("Record the attendee's view."))
        if problems:
            errors[str(i)] = " ".join(problems)
            continue
        assert isinstance(person, Person)
        seen.add(person.pk)
        out.append({"person": person, "position": position, "view": view})
    if presided_by is None or (presided_by.pk not in seen and not errors):
        errors["presided_by"] = _("The chair must be one of the attendees.")
    if errors:
        raise InvalidInput(_("Check the attendees of the discussion."),
                           code="discussion_attendee_invalid", detail=errors)
    return out


def _check(held_on: dt.date, conclusion: str, conclusion_text: str, agenda: str) -> None:
    errors = {}
    if held_on > timezone.localdate():
        errors["held_on"] = _("The date of the discussion cannot be in the future.")
    if conclusion not in Conclusion.values:
        errors["conclusion"] = _("Choose the conclusion.")
    if not conclusion_text:
        errors["conclusion_text"] = _("Write the decision of the discussion.")
    if not agenda:
        errors["agenda"] = _("State what was discussed.")
    if errors:
        raise InvalidInput(_("Please correct the highlighted fields."), code="discussion_invalid",
                           detail=errors)


def _require_stage(case: Case) -> None:
    """A procedure with the case step ``collective_discussion`` records the discussion only
    where it allows the step (before the prior notice or the decision, not while the case is
    under review): the discussion must leave its mark on the case."""
    act = procedure_get(case.procedure, body=case.body).action(DISCUSSION_STEP)
    if act is not None and case.stage not in act.sources:
        raise ApplicationError(
            _("The collective discussion cannot be recorded while the case is at this stage."),
            code="discussion_stage", detail={"stage": case.stage})


def _take_step(actor: Any, case: Case, held_on: dt.date, rows: list[dict[str, Any]],
               conclusion_text: str) -> CaseStep | None:
    """The case step, where the procedure has it (``_require_stage`` checked the stage)."""
    proc = procedure_get(case.procedure, body=case.body)
    if proc.action(DISCUSSION_STEP) is None:
        return None
    with review_service_step():
        result = case_act(actor=actor, case=case, action=DISCUSSION_STEP,
                          data={"acted_on": held_on.isoformat(),
                                "attendees": "、".join(r["person"].name for r in rows),
                                "conclusion": conclusion_text})
    return result.step


def record_fields(discussion: CollectiveDiscussion, rows: list[dict[str, Any]],
                  recorder: str) -> dict[str, str]:
    """The 重大案件集体讨论记录's values, in Chinese."""
    assert discussion.held_on is not None and discussion.presided_by is not None
    with translation.override("zh-hans"):
        views = "\n".join(f"{r['person'].name}（{Position(r['position']).label}）：{r['view']}"
                          for r in rows)
        decision = f"{Conclusion(discussion.conclusion).label}。{discussion.conclusion_text}"
    agenda = discussion.agenda
    if discussion.grounds:
        agenda = f"{agenda}\n异议理由：{discussion.grounds}"
    return {"讨论事项": agenda, "讨论时间": date_zh(discussion.held_on),
            "讨论地点": discussion.place, "主持人": discussion.presided_by.name,
            "出席人员": "、".join(r["person"].name for r in rows), "讨论意见": views,
            "讨论决定": decision, "记录人": recorder}


@transaction.atomic
def discussion_record(*, actor: Any, discussion: CollectiveDiscussion, held_on: dt.date,
                      presided_by: Person, attendees: list[dict[str, Any]], conclusion: str,
                      conclusion_text: str, place: str = "",
                      agenda: str = "") -> CollectiveDiscussion:
    """Record the discussion held. On a contested opinion the conclusion decides the review:
    the handler's proposal (the request is decided by discussion, on the contested round's
    proposal) or the opinion (returned to the handler)."""
    from zhifa.documents.services import document_draft

    require_in_body(actor, discussion.case.body_id, code="discussion_not_found")
    if not _is_head(actor):
        raise PermissionDenied(_("Only a head of the body records a collective discussion."),
                               code="discussion_forbidden")
    case = Case.objects.select_for_update(of=("self",)).select_related("body").get(
        pk=discussion.case_id)
    discussion = (CollectiveDiscussion.objects.select_for_update(of=("self",))
                  .select_related("round").get(pk=discussion.pk))
    if discussion.state != DiscussionState.PENDING:
        raise ApplicationError(_("This discussion has already been recorded."),
                               code="discussion_held")
    require_not_archived(case)
    _require_stage(case)
    conclusion_text, place = conclusion_text.strip(), place.strip()
    agenda = agenda.strip() or discussion.agenda
    rows = _clean_attendees(case.body_id, attendees, presided_by)
    _check(held_on, conclusion, conclusion_text, agenda)
    step = _take_step(actor, case, held_on, rows, conclusion_text)
    discussion.held_on, discussion.presided_by, discussion.place = held_on, presided_by, place
    discussion.agenda, discussion.conclusion = agenda, conclusion
    discussion.conclusion_text = conclusion_text
    discussion.recorded_by, discussion.recorded_at = actor, timezone.now()
    discussion.state = DiscussionState.HELD
    DiscussionAttendee.objects.bulk_create(
        DiscussionAttendee(discussion=discussion, person=r["person"], position=r["position"],
                           view=r["view"]) for r in rows)
    if RECORD_DOCUMENT in {t.code for t in doctypes.types_for(case.procedure)}:
        discussion.record_document = document_draft(
            actor=actor, case=case, doc_type=RECORD_DOCUMENT, step=step,
            fields=record_fields(discussion, rows, actor.person.name if actor.person else ""))
    discussion.save()
    request_state = _conclude(discussion, held_on)
    with translation.override("zh-hans"):
        conclusion_label = str(Conclusion(conclusion).label)
        people = [{"person": r["person"].name, "position": r["position"],
                   "position_label": str(Position(r["position"]).label), "view": r["view"]}
                  for r in rows]
    doc = discussion.record_document
    ledger_append(actor=actor, event=DISCUSSION_RECORDED, stream=case.stream, body=case.body,
                  payload={"case": case.number, "discussion": str(discussion.public_id),
                           "reason": discussion.reason, "held_on": held_on.isoformat(),
                           "place": place, "presided_by": presided_by.name,
                           "attendees": people, "conclusion": conclusion,
                           "conclusion_label": conclusion_label,
                           "conclusion_text": conclusion_text, "request_state": request_state,
                           "document": str(doc.public_id) if doc is not None else None})
    return discussion


def _conclude(discussion: CollectiveDiscussion, held_on: dt.date) -> str:
    """The review request's state after a contested discussion ("" for a complex case)."""
    if discussion.reason != DiscussionReason.CONTESTED or discussion.request_id is None:
        return ""
    request = ReviewRequest.objects.select_for_update(of=("self",)).get(
        pk=discussion.request_id)
    if discussion.conclusion == Conclusion.PROPOSAL:
        rnd = discussion.round
        request.state = RequestState.DISCUSSED
        request.passed_proposal = dict(rnd.proposal or {}) if rnd is not None else {}
        request.passed_on = held_on
    else:
        request.state = RequestState.RETURNED
        request.passed_proposal, request.passed_on = {}, None
    request.save(update_fields=["state", "passed_proposal", "passed_on", "updated_at"])
    return str(request.state)
