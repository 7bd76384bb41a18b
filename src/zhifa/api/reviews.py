"""Legal review of major decisions (重大执法决定法制审核; APL art. 58, 国办发〔2018〕118号):
whether a case needs it and why, the package, submission, the reviewer, the structured
opinion, extensions of the time limit, contesting an opinion and the heads' collective
discussion; the reviewers' queue, the bodies' figures and their reviewer ratio.

Every change goes through its service (``zhifa.reviews.services``), which checks who may do
it in the case's body and writes the ledger entry in the same transaction; a refusal changes
nothing. Reads are scoped like the case (``visible_cases``): a case outside the user's scope
is 404 ``case_not_found``, and so are its review, extensions and discussions. Supervisors
read; they change nothing (403 ``missing_handle_cases``).

Error codes: 401 ``not_authenticated``; 403 ``missing_view_cases``, ``missing_handle_cases``,
``missing_view_registry``, ``not_auxiliary``, ``review_submit_forbidden``,
``review_assign_forbidden``, ``review_assign_self_only``, ``review_not_assignee``,
``extension_decide_forbidden``, ``review_contest_forbidden``, ``discussion_forbidden``; 404
``case_not_found``, ``review_not_found`` (the case was never submitted),
``review_extension_not_found``, ``discussion_not_found``, ``body_not_found``; 400
``invalid_fields`` (an unknown person, dates out of order; detail: field -> message),
``review_package_incomplete`` (detail: ``missing`` codes and their ``labels``),
``review_changes_missing``, ``review_opinion_invalid`` (detail: field -> message, ``points``:
point code -> message), ``review_points_contradict``, ``reviewer_*`` (the reviewer is not
eligible; detail: every problem), ``reason_required``, ``comment_required``,
``review_extension_too_long``, ``grounds_required``, ``agenda_required``,
``discussion_attendee_invalid`` (detail: attendee index -> message), ``discussion_invalid``;
409 ``review_not_required``, ``review_already_open``, ``review_stage``, ``review_not_open``,
``late_reason_required``, ``review_not_contestable``, ``review_extension_used``,
``review_extension_pending``, ``review_extension_decided``, ``nothing_to_extend``,
``discussion_pending``, ``discussion_held``, ``case_archived``; 422 ``invalid_payload``.

The decision itself is taken on the case (``POST /cases/{key}/actions/decide``), where the
gate refuses while the review the decision needs is missing (``legal_review_missing``),
pending, contested or not passed.
"""

import datetime as dt
import uuid
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from zhifa.cases.models import Case
from zhifa.cases.selectors import case_get_for_user, visible_cases
from zhifa.core.errors import InvalidInput, NotFound
from zhifa.ledger.services import actor_label
from zhifa.orgs.models import EnforcementBody, Person, PersonStatus, RoleKind
from zhifa.orgs.permissions import Perm, require_perm
from zhifa.orgs.selectors import body_get_for_user, visible_people
from zhifa.reviews import points as review_points
from zhifa.reviews import triggers
from zhifa.reviews.models import (
    CollectiveDiscussion,
    DiscussionAttendee,
    Finding,
    Outcome,
    RequestState,
    ReviewExtension,
    ReviewRequest,
    ReviewRound,
    RoundState,
)
from zhifa.reviews.selectors import kpi_scope_bodies, review_kpis, review_queue
from zhifa.reviews.services.assign import (
    eligible_reviewers,
    review_assign,
    reviewer_problems,
    reviewer_ratio,
)
from zhifa.reviews.services.determine import current_determination
from zhifa.reviews.services.discussions import (
    discussion_open,
    discussion_record,
    review_contest,
)
from zhifa.reviews.services.extensions import extension_decide, extension_request
from zhifa.reviews.services.opinions import opinion_save, opinion_submit
from zhifa.reviews.services.requests import review_draft_save, review_package, review_submit

from .common import DENIED, DENIED_OR_MISSING, REJECTED, ErrorOut, today
from .reviews_schemas import (
    AssignIn,
    BodyKpiOut,
    BodyReviewersOut,
    CaseReviewersOut,
    ContestIn,
    DiscussionOpenIn,
    DiscussionOut,
    DiscussionRecordIn,
    ExtensionDecisionIn,
    ExtensionIn,
    ExtensionOut,
    KpiIn,
    OpinionDraftIn,
    OpinionIn,
    PackageDraftIn,
    PackageIn,
    PackageOut,
    QueueOut,
    ReviewOut,
    RoundOut,
    SubmitIn,
    SubmitOut,
)

router = Router(tags=["legal review"])

CREATED = {201: SubmitOut, **DENIED_OR_MISSING, **REJECTED}


# -- shaping --------------------------------------------------------------------------------

def _name(user: Any) -> str | None:
    return actor_label(user) if user is not None else None


def _person(p: Person | None) -> dict[str, Any] | None:
    return None if p is None else {"public_id": p.public_id, "name": p.name}


def _catalogue(c: Any) -> dict[str, Any] | None:
    return None if c is None else {"public_id": c.public_id, "code": c.code,
                                   "version": c.version, "title": c.title}


def _reason(r: dict[str, Any]) -> dict[str, Any]:
    return {"code": r["code"], "kind": r["kind"], "params": r.get("params") or {},
            "label": triggers.label(r), "source": triggers.source(r)}


def _choice_label(enum: Any, value: str) -> str:
    return str(enum(value).label) if value in enum.values else value


def _point(p: dict[str, Any]) -> dict[str, Any]:
    code, finding = str(p.get("code", "")), str(p.get("finding", ""))
    point = review_points.BY_CODE.get(code)
    return {"code": code, "label": str(point.label) if point is not None else code,
            "finding": finding, "finding_label": _choice_label(Finding, finding),
            "comment": str(p.get("comment", ""))}


def _material(m: dict[str, Any]) -> dict[str, Any]:
    """A material of a submitted package (stored without its label)."""
    material = review_points.MATERIALS_BY_CODE.get(m["code"])
    return {"code": m["code"], "label": str(material.label) if material else m["code"],
            "required": bool(m.get("required")), "present": bool(m.get("present")),
            "refs": m.get("refs") or []}


def request_out(r: ReviewRequest) -> dict[str, Any]:
    return {"public_id": r.public_id, "state": r.state, "state_label": r.get_state_display(),
            "voluntary": r.voluntary, "origin_stage": r.origin_stage,
            "current_round": r.current_round, "passed_on": r.passed_on,
            "passed_proposal": r.passed_proposal, "catalogue": _catalogue(r.catalogue)}


def round_out(user: Any, rnd: ReviewRound, request: ReviewRequest) -> dict[str, Any]:
    """A round; its opinion while still a draft is shown to its reviewer only."""
    shown = rnd.state == RoundState.DECIDED or (
        rnd.reviewer_id is not None and rnd.reviewer_id == getattr(user, "person_id", None))
    overdue = (rnd.state == RoundState.SUBMITTED and request.state in (
        RequestState.SUBMITTED, RequestState.IN_REVIEW)
        and rnd.due is not None and rnd.due < today())
    return {
        "public_id": rnd.public_id, "number": rnd.number, "state": rnd.state,
        "state_label": rnd.get_state_display(), "proposal": rnd.proposal,
        "materials": [_material(m) for m in rnd.materials],
        "handling_opinion": rnd.handling_opinion, "changes": rnd.changes,
        "determination": [_reason(r) for r in rnd.determination],
        "submitted_by": _name(rnd.submitted_by), "submitted_at": rnd.submitted_at,
        "submitted_on": rnd.submitted_on, "due": rnd.due, "review_days": rnd.review_days,
        "extended_days": rnd.extended_days, "case_due": rnd.case_due, "fits": rnd.fits,
        "overdue": overdue, "reviewer": _person(rnd.reviewer),
        "assigned_by": _name(rnd.assigned_by), "assigned_at": rnd.assigned_at,
        "points": [_point(p) for p in rnd.points] if shown else [],
        "outcome": rnd.outcome if shown else "",
        "outcome_label": _choice_label(Outcome, rnd.outcome) if shown and rnd.outcome else "",
        "opinion": rnd.opinion if shown else "",
        "changes_required": rnd.changes_required if shown else "",
        "opinion_saved_at": rnd.opinion_saved_at, "decided_by": _name(rnd.decided_by),
        "decided_at": rnd.decided_at, "decided_on": rnd.decided_on, "late": rnd.late,
        "late_reason": rnd.late_reason,
        "opinion_document": (rnd.opinion_document.public_id
                             if rnd.opinion_document is not None else None),
    }


def extension_out(e: ReviewExtension) -> dict[str, Any]:
    return {"public_id": e.public_id, "round": e.round.number, "days": e.days,
            "reason": e.reason, "state": e.state, "state_label": e.get_state_display(),
            "requested_by": actor_label(e.requested_by), "requested_at": e.created_at,
            "decided_by": _name(e.decided_by), "decided_at": e.decided_at,
            "comment": e.comment}


def discussion_out(d: CollectiveDiscussion) -> dict[str, Any]:
    return {
        "public_id": d.public_id,
        "case": {"public_id": d.case.public_id, "number": d.case.number},
        "reason": d.reason, "reason_label": d.get_reason_display(), "state": d.state,
        "state_label": d.get_state_display(),
        "round": d.round.number if d.round is not None else None, "grounds": d.grounds,
        "raised_by": _name(d.raised_by), "raised_at": d.raised_at, "agenda": d.agenda,
        "held_on": d.held_on, "place": d.place, "presided_by": _person(d.presided_by),
        "attendees": [{"person": _person(a.person), "position": a.position,
                       "position_label": a.get_position_display(), "view": a.view}
                      for a in d.attendees.all()],
        "conclusion": d.conclusion,
        "conclusion_label": d.get_conclusion_display() if d.conclusion else "",
        "conclusion_text": d.conclusion_text, "recorded_by": _name(d.recorded_by),
        "recorded_at": d.recorded_at,
        "record_document": (d.record_document.public_id
                            if d.record_document is not None else None),
    }


def _rounds(request: ReviewRequest) -> QuerySet[ReviewRound]:
    return request.rounds.select_related(
        "reviewer", "submitted_by__person", "assigned_by__person", "decided_by__person",
        "opinion_document").order_by("number")


def _extensions(qs: QuerySet[ReviewExtension]) -> QuerySet[ReviewExtension]:
    return qs.select_related("round", "requested_by__person", "decided_by__person")


def _discussions(qs: QuerySet[CollectiveDiscussion]) -> QuerySet[CollectiveDiscussion]:
    attendees = DiscussionAttendee.objects.select_related("person").order_by("id")
    return qs.select_related(
        "case", "round", "presided_by", "raised_by__person", "recorded_by__person",
        "record_document").prefetch_related(Prefetch("attendees", queryset=attendees))


def _round_answer(user: Any, rnd: ReviewRound) -> dict[str, Any]:
    fresh = _rounds(rnd.request).get(pk=rnd.pk)
    return round_out(user, fresh, ReviewRequest.objects.get(pk=rnd.request_id))


def _discussion_answer(d: CollectiveDiscussion) -> dict[str, Any]:
    return discussion_out(_discussions(CollectiveDiscussion.objects.all()).get(pk=d.pk))


def _extension_answer(e: ReviewExtension) -> dict[str, Any]:
    return extension_out(_extensions(ReviewExtension.objects.all()).get(pk=e.pk))


def _queue_item(rnd: ReviewRound) -> dict[str, Any]:
    case = rnd.request.case
    return {"case": {"public_id": case.public_id, "number": case.number},
            "title": case.title, "round": rnd.number, "state": rnd.request.state,
            "submitted_on": rnd.submitted_on, "due": rnd.due,
            "overdue": rnd.due is not None and rnd.due < today(),
            "reviewer": _person(rnd.reviewer)}


def _reviewer_out(p: Person) -> dict[str, Any]:
    return {"person": _person(p), "department": p.department.name if p.department else None,
            "qualified": p.has_legal_qualification}


# -- lookups --------------------------------------------------------------------------------

def _case(user: Any, key: str, perm: Perm) -> Case:
    require_perm(user, perm)
    return case_get_for_user(user=user, key=key)


def _request_of(case: Case) -> ReviewRequest:
    request = ReviewRequest.objects.select_related("case__body", "body").filter(
        case=case).first()
    if request is None:
        raise NotFound(_("This case has not been submitted for legal review."),
                       code="review_not_found")
    return request


def _uuid(value: str, code: str, message: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(message, code=code) from None


def _people(user: Any, wanted: dict[str, uuid.UUID]) -> dict[str, Person]:
    """Each field's person among the people in the user's scope; an unknown one is a field
    error (400 ``invalid_fields``)."""
    found = {p.public_id: p for p in visible_people(user).filter(
        public_id__in=set(wanted.values()))}
    errors = {name: _("Unknown person.") for name, pid in wanted.items() if pid not in found}
    if errors:
        raise InvalidInput(_("Please correct the highlighted fields."), code="invalid_fields",
                           detail=errors)
    return {name: found[pid] for name, pid in wanted.items()}


def _body_reviewers(body: EnforcementBody) -> QuerySet[Person]:
    return (Person.objects.filter(body=body, status=PersonStatus.ACTIVE,
                                  roles__kind=RoleKind.REVIEWER)
            .select_related("department").order_by("name", "id").distinct())


# -- reads ----------------------------------------------------------------------------------

@router.get("/cases/{key}/review", response={200: ReviewOut, **DENIED_OR_MISSING},
            operation_id="review_for_case",
            summary="The case's legal review: why it is required, its rounds, extensions and "
                    "discussions",
            description="`determination` is evaluated now from the case's proposal (or "
                        "decision), its hearing and the body's catalogue in force, each "
                        "reason with the rule that says so. A draft opinion is shown to its "
                        "reviewer only. `key` is the case's public id or number.")
def review_get(request: HttpRequest, key: str) -> Any:
    user = request.user
    case = _case(user, key, Perm.VIEW_CASES)
    review = (ReviewRequest.objects.select_related("catalogue").filter(case=case).first())
    det = current_determination(case)
    rounds: list[dict[str, Any]] = []
    extensions: list[dict[str, Any]] = []
    if review is not None:
        rounds = [round_out(user, r, review) for r in _rounds(review)]
        extensions = [extension_out(e) for e in _extensions(
            ReviewExtension.objects.filter(round__request=review)).order_by("round__number",
                                                                             "id")]
    discussions = _discussions(CollectiveDiscussion.objects.filter(case=case)).order_by(
        "-created_at", "-id")
    return {
        "case": {"public_id": case.public_id, "number": case.number},
        "determination": {"required": det.required,
                          "reasons": [_reason(r) for r in det.reasons],
                          "notes": list(det.notes), "catalogue": _catalogue(det.catalogue),
                          "basis": det.basis.as_dict()},
        "request": request_out(review) if review is not None else None,
        "rounds": rounds, "extensions": extensions,
        "discussions": [discussion_out(d) for d in discussions],
    }


@router.get("/cases/{key}/review/package", response={200: PackageOut, **DENIED_OR_MISSING},
            operation_id="review_package",
            summary="The review package as the case holds it now",
            description="Each material of the catalogue's list (or the default list) with "
                        "whether the case has it and where (documents, evidence items, "
                        "steps). The hearing record is required only after a hearing; "
                        "appraisal reports are listed when present and never missing.")
def review_package_get(request: HttpRequest, key: str, filters: Query[PackageIn]) -> Any:
    case = _case(request.user, key, Perm.VIEW_CASES)
    opinion = filters.handling_opinion
    if opinion is None:
        draft = (ReviewRound.objects.filter(request__case=case, state=RoundState.DRAFT)
                 .order_by("-number").first())
        opinion = draft.handling_opinion if draft is not None else ""
    package = review_package(case=case, handling_opinion=opinion)
    return {
        "materials": [{"code": m.code, "label": m.label, "required": m.required,
                       "present": m.present, "refs": m.refs} for m in package.materials],
        "missing": list(package.missing),
        "missing_labels": [m.label for m in package.materials if m.code in package.missing],
        "complete": not package.missing,
    }


@router.get("/cases/{key}/review/reviewers",
            response={200: CaseReviewersOut, **DENIED_OR_MISSING},
            operation_id="eligible_reviewers",
            summary="Who may review this case, and why the body's other reviewers may not",
            description="Eligible: an active legal reviewer of the body's legal-review office, "
                        "not the case's handler or co-handler; for a penalty decision a "
                        "first-time reviewer holds the legal professional qualification (APL "
                        "art. 58 §2).")
def case_reviewers(request: HttpRequest, key: str) -> Any:
    case = _case(request.user, key, Perm.VIEW_CASES)
    eligible = eligible_reviewers(case=case)
    chosen = {p.pk for p in eligible}
    others = [p for p in _body_reviewers(case.body) if p.pk not in chosen]
    return {
        "eligible": [_reviewer_out(p) for p in eligible],
        "ineligible": [{"person": _person(p), "problems": reviewer_problems(case=case, person=p)}
                       for p in others],
    }


@router.get("/bodies/{public_id}/reviewers",
            response={200: BodyReviewersOut, **DENIED_OR_MISSING},
            operation_id="body_reviewers",
            summary="A body's legal reviewers and its reviewer ratio",
            description="The ratio is active legal reviewers ÷ active enforcement officers; "
                        "the target is at least 5 %.")
def body_reviewers(request: HttpRequest, public_id: str) -> Any:
    require_perm(request.user, Perm.VIEW_REGISTRY)
    body = body_get_for_user(user=request.user, public_id=public_id)
    return {"body": body, "reviewers": [_reviewer_out(p) for p in _body_reviewers(body)],
            "ratio": reviewer_ratio(body=body)}


@router.get("/reviews/queue", response={200: QueueOut, **DENIED},
            operation_id="review_queue",
            summary="The legal reviewers' queue",
            description="For a legal reviewer: the reviews assigned to him (overdue, due in "
                        "the next days, the others) and the submitted ones nobody was "
                        "assigned yet; a head sees his body's.")
def queue_get(request: HttpRequest) -> Any:
    require_perm(request.user, Perm.VIEW_CASES)
    queue = review_queue(request.user, today=today())
    return {name: [_queue_item(r) for r in getattr(queue, name)]
            for name in ("mine_overdue", "mine_due_soon", "mine_other", "unassigned")}


@router.get("/reviews/kpis",
            response={200: list[BodyKpiOut], **DENIED, 400: ErrorOut, 422: ErrorOut},
            operation_id="review_kpis",
            summary="Legal review figures per body for a period",
            description="Coverage (decided cases that required review and passed it ÷ "
                        "decided cases that required review; target 100 %), the on-time rate "
                        "of opinions, rounds per case, open and overdue reviews and the "
                        "reviewer ratio. Heads and reviewers see their body, supervisors "
                        "every body under their region; anyone else gets an empty list. 400 "
                        "invalid_fields (end before start).")
def kpis_get(request: HttpRequest, filters: Query[KpiIn]) -> Any:
    require_perm(request.user, Perm.VIEW_CASES)
    day = today()
    start, end = filters.start or dt.date(day.year, 1, 1), filters.end or day
    if end < start:
        raise InvalidInput(_("Please correct the highlighted fields."), code="invalid_fields",
                           detail={"end": _("The end comes before the start.")})
    bodies = kpi_scope_bodies(request.user).order_by("name", "id")
    if filters.body is not None:
        bodies = bodies.filter(public_id=filters.body)
    return review_kpis(bodies=list(bodies), start=start, end=end, today=day)


# -- submission and assignment --------------------------------------------------------------

@router.put("/cases/{key}/review/draft", response={200: RoundOut, **DENIED_OR_MISSING,
                                                   **REJECTED},
            operation_id="review_draft_save",
            summary="Save the package being prepared (not yet submitted)",
            description="Keeps the handling opinion and the changes of the round being "
                        "prepared; nothing is submitted and no clock starts. Same rights as "
                        "submitting.")
def draft_put(request: HttpRequest, key: str, payload: PackageDraftIn) -> Any:
    case = _case(request.user, key, Perm.HANDLE_CASES)
    rnd = review_draft_save(actor=request.user, case=case,
                            handling_opinion=payload.handling_opinion, changes=payload.changes,
                            voluntary=payload.voluntary)
    return _round_answer(request.user, rnd)


@router.post("/cases/{key}/review/submit", response=CREATED,
             operation_id="review_submit",
             summary="Submit the case for legal review",
             description="An officer on the case or a head submits the complete package: the "
                         "round starts with its time limit (the catalogue's working days, "
                         "default 7) and the case step submit_legal_review is recorded. A "
                         "warning `review_exceeds_case_deadline` tells when the review cannot "
                         "end inside the case's own deadline. 400 review_package_incomplete "
                         "(detail: `missing` codes and `labels`), review_changes_missing (from the "
                         "second round on), invalid_fields (an unknown reviewer); 409 "
                         "review_not_required (send it with `voluntary`), "
                         "review_already_open, review_stage; 403 review_submit_forbidden, "
                         "not_auxiliary.")
def submit_post(request: HttpRequest, key: str, payload: SubmitIn) -> Any:
    user = request.user
    case = _case(user, key, Perm.HANDLE_CASES)
    reviewer = (_people(user, {"reviewer": payload.reviewer})["reviewer"]
                if payload.reviewer is not None else None)
    result = review_submit(actor=user, case=case, handling_opinion=payload.handling_opinion,
                           changes=payload.changes, voluntary=payload.voluntary,
                           reviewer=reviewer, submitted_on=payload.submitted_on)
    review = ReviewRequest.objects.select_related("catalogue").get(pk=result.request.pk)
    warnings = [{"code": w["code"], "message": str(w["message"]),
                 "detail": {k: v for k, v in w.items() if k not in ("code", "message")}}
                for w in result.warnings]
    return Status(201, {"request": request_out(review),
                        "round": round_out(user, _rounds(review).get(pk=result.round.pk),
                                           review),
                        "warnings": warnings})


@router.post("/cases/{key}/review/assign",
             response={200: RoundOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="review_assign",
             summary="Assign the legal reviewer of the open round",
             description="A head assigns any eligible reviewer; a legal reviewer may take the "
                         "review himself. Reassigning is possible until the opinion is given. "
                         "400 reviewer_other_body, reviewer_inactive, reviewer_not_reviewer, "
                         "reviewer_not_in_office, reviewer_is_handler, reviewer_unqualified "
                         "(detail: every problem); 403 review_assign_forbidden, "
                         "review_assign_self_only; 409 review_not_open.")
def assign_post(request: HttpRequest, key: str, payload: AssignIn) -> Any:
    user = request.user
    case = _case(user, key, Perm.HANDLE_CASES)
    review = _request_of(case)
    reviewer = _people(user, {"reviewer": payload.reviewer})["reviewer"]
    rnd = review_assign(actor=user, request=review, reviewer=reviewer)
    return _round_answer(user, rnd)


# -- the opinion ----------------------------------------------------------------------------

@router.put("/cases/{key}/review/opinion/draft",
            response={200: RoundOut, **DENIED_OR_MISSING, **REJECTED},
            operation_id="opinion_save",
            summary="Save the reviewer's draft opinion",
            description="Only the assigned reviewer; nothing is validated beyond the codes "
                        "and nothing is recorded on the ledger (a draft is not an act). 403 "
                        "review_not_assignee; 409 review_not_open.")
def opinion_draft_put(request: HttpRequest, key: str, payload: OpinionDraftIn) -> Any:
    user = request.user
    case = _case(user, key, Perm.HANDLE_CASES)
    rnd = opinion_save(actor=user, request=_request_of(case),
                       points=[p.dict() for p in payload.points], outcome=payload.outcome,
                       opinion=payload.opinion, changes_required=payload.changes_required)
    return _round_answer(user, rnd)


@router.post("/cases/{key}/review/opinion",
             response={201: RoundOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="opinion_submit",
             summary="Give the legal review opinion",
             description="Every review point with its finding (a comment for each problem), "
                         "the outcome and the written opinion. `agree` passes the review; any "
                         "other outcome returns the case to the handler. The case step "
                         "record_review_opinion is recorded and the 法制审核意见书 drafted "
                         "(`opinion_document`). 400 review_opinion_invalid (detail: field -> "
                         "message; `points`: point code -> message), "
                         "review_points_contradict; 403 review_not_assignee, or the "
                         "reviewer no longer eligible (reviewer_is_handler, "
                         "reviewer_not_in_office, reviewer_not_reviewer, reviewer_inactive, "
                         "reviewer_other_body, reviewer_unqualified); 409 review_not_open, "
                         "late_reason_required.")
def opinion_post(request: HttpRequest, key: str, payload: OpinionIn) -> Any:
    user = request.user
    case = _case(user, key, Perm.HANDLE_CASES)
    rnd = opinion_submit(actor=user, request=_request_of(case),
                         points=[p.dict() for p in payload.points], outcome=payload.outcome,
                         opinion=payload.opinion, changes_required=payload.changes_required,
                         decided_on=payload.decided_on, late_reason=payload.late_reason)
    return Status(201, _round_answer(user, rnd))


# -- extensions -----------------------------------------------------------------------------

@router.post("/cases/{key}/review/extensions",
             response={201: ExtensionOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="extension_request",
             summary="Ask for more time for the review (the assigned reviewer)",
             description="At most the catalogue's extension (default 3 working days), once per "
                         "round, approved by a head. 400 reason_required, "
                         "review_extension_too_long; 403 review_not_assignee; 409 "
                         "review_not_open, review_extension_used, review_extension_pending.")
def extension_post(request: HttpRequest, key: str, payload: ExtensionIn) -> Any:
    user = request.user
    case = _case(user, key, Perm.HANDLE_CASES)
    ext = extension_request(actor=user, request=_request_of(case), reason=payload.reason,
                            days=payload.days)
    return Status(201, _extension_answer(ext))


@router.post("/review-extensions/{public_id}/decide",
             response={200: ExtensionOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="extension_decide",
             summary="Approve or refuse an extension (a head, not the requester)",
             description="Approval moves the round's time limit by the days asked. Refusing "
                         "needs a comment (400 comment_required). 403 "
                         "extension_decide_forbidden; 404 review_extension_not_found; 409 "
                         "review_extension_decided, review_not_open.")
def extension_decide_post(request: HttpRequest, public_id: str,
                          payload: ExtensionDecisionIn) -> Any:
    user = request.user
    require_perm(user, Perm.HANDLE_CASES)
    message = _("Extension request not found.")
    pid = _uuid(public_id, "review_extension_not_found", message)
    ext = (ReviewExtension.objects.select_related("round__request__case__body")
           .filter(public_id=pid, round__request__case__in=visible_cases(user)).first())
    if ext is None:
        raise NotFound(message, code="review_extension_not_found")
    extension_decide(actor=user, extension=ext, approve=payload.approve,
                     comment=payload.comment)
    return _extension_answer(ext)


# -- disagreement and collective discussion -------------------------------------------------

@router.post("/cases/{key}/review/contest",
             response={201: DiscussionOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="review_contest",
             summary="Contest the review opinion: the heads' collective discussion decides",
             description="An officer on the case or a head contests an opinion that "
                         "returned the case (agree with changes, do not decide, transfer); the "
                         "discussion is opened and the gate waits for it. 400 "
                         "grounds_required; 403 "
                         "review_contest_forbidden, not_auxiliary; 409 "
                         "review_not_contestable.")
def contest_post(request: HttpRequest, key: str, payload: ContestIn) -> Any:
    user = request.user
    case = _case(user, key, Perm.HANDLE_CASES)
    discussion = review_contest(actor=user, request=_request_of(case), grounds=payload.grounds)
    return Status(201, _discussion_answer(discussion))


@router.post("/cases/{key}/discussions",
             response={201: DiscussionOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="discussion_open",
             summary="Put a complex or major case before the heads' collective discussion",
             description="APL art. 57 §2. An officer on the case or a head; one pending "
                         "discussion per case. 400 agenda_required; 403 "
                         "discussion_forbidden, not_auxiliary; 409 discussion_pending.")
def discussion_post(request: HttpRequest, key: str, payload: DiscussionOpenIn) -> Any:
    user = request.user
    case = _case(user, key, Perm.HANDLE_CASES)
    discussion = discussion_open(actor=user, case=case, agenda=payload.agenda)
    return Status(201, _discussion_answer(discussion))


@router.post("/discussions/{public_id}/record",
             response={200: DiscussionOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="discussion_record",
             summary="Record the collective discussion and its binding conclusion (a head)",
             description="At least two heads of the body attend, each with a position and a "
                         "view; one of them presides. A contested review is passed with the "
                         "handler's proposal (conclusion `proposal`) or returned. The case "
                         "step collective_discussion is recorded and the 重大案件集体讨论记录 "
                         "drafted (`record_document`). 400 invalid_fields (an unknown person), "
                         "discussion_attendee_invalid (detail: attendee index -> message), "
                         "discussion_invalid; 403 discussion_forbidden; 404 "
                         "discussion_not_found; 409 discussion_held.")
def discussion_record_post(request: HttpRequest, public_id: str,
                           payload: DiscussionRecordIn) -> Any:
    user = request.user
    require_perm(user, Perm.HANDLE_CASES)
    message = _("Collective discussion not found.")
    pid = _uuid(public_id, "discussion_not_found", message)
    discussion = (CollectiveDiscussion.objects.select_related("case__body", "request", "round")
                  .filter(public_id=pid, case__in=visible_cases(user)).first())
    if discussion is None:
        raise NotFound(message, code="discussion_not_found")
    wanted = {"presided_by": payload.presided_by,
              **{f"attendees[{i}].person": a.person for i, a in enumerate(payload.attendees)}}
    people = _people(user, wanted)
    attendees = [{"person": people[f"attendees[{i}].person"], "position": a.position,
                  "view": a.view} for i, a in enumerate(payload.attendees)]
    discussion_record(actor=user, discussion=discussion, held_on=payload.held_on,
                      presided_by=people["presided_by"], attendees=attendees,
                      conclusion=payload.conclusion, conclusion_text=payload.conclusion_text,
                      place=payload.place, agenda=payload.agenda)
    return _discussion_answer(discussion)
