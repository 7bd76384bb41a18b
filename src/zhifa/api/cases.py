"""Cases (案件): the list and the case page, opening a case, procedure actions, approvals, the
ledger timeline and the provisional deadlines.

Every change goes through the one service of ``zhifa.cases.services`` (``case_create``,
``case_act``, ``approval_decide``, ``approval_withdraw``), which checks the actor, the
procedure and the legal guards and writes the ledger entry in the same transaction; a refusal
changes nothing. Reads are scoped by ``zhifa.cases.selectors``: a case outside the user's
scope is 404. Money: amounts out are integers in fen (``*_fen``); an action's ``data`` takes
money in yuan as a string, as the staff form does.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from zhifa.cases.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStatus,
    Case,
    CaseDeadline,
    CaseStep,
    OfficerRole,
    Party,
)
from zhifa.cases.procedures import Procedure
from zhifa.cases.selectors import (
    approval_get_for_user,
    case_get_for_user,
    case_search,
    case_view_for,
    cases_for_list,
    may_see_full_id_numbers,
    provisional_deadlines,
)
from zhifa.cases.services import (
    PartyIn,
    approval_decide,
    approval_withdraw,
    case_act,
    case_create,
)
from zhifa.cases.services._access import may_handle
from zhifa.cases.services.act import ActResult
from zhifa.catalog.selectors import visible_items
from zhifa.core.errors import InvalidInput
from zhifa.core.filters import filter_given
from zhifa.core.validators import mask_id_number
from zhifa.ledger.selectors import stream_entries
from zhifa.ledger.services import actor_label
from zhifa.orgs.models import Region, Sector
from zhifa.orgs.permissions import Perm, perms_of, require_perm
from zhifa.orgs.selectors import visible_bodies, visible_people

from .case_schemas import (
    MONEY_IN_DOC,
    MONEY_OUT_DOC,
    ActIn,
    ActOut,
    ApprovalOut,
    CaseCreateIn,
    CaseDetailOut,
    CaseListIn,
    CaseOut,
    DecisionIn,
    ProvisionalDeadlineOut,
    TimelineEntryOut,
    action_label,
    action_out,
    data_out,
    procedure_of,
    stage_label,
)
from .common import DENIED, DENIED_OR_MISSING, REJECTED, paginated, today

router = Router(tags=["cases"])

ACCEPTED = {202: ActOut}


# -- who sees what --------------------------------------------------------------------------

def _can_decide(user: Any, a: ApprovalRequest) -> bool:
    if a.status != ApprovalStatus.PENDING or a.requested_by_id == user.pk:
        return False
    if not may_handle(user, a.case.body):
        return False
    return a.steps[a.current] in (user.roles or []) or Perm.ADMINISTER_SYSTEM in perms_of(user)


# -- shaping --------------------------------------------------------------------------------

def _party(p: Party, full: bool) -> dict[str, Any]:
    masked = bool(p.id_number) and not full
    return {
        "public_id": p.public_id, "party_type": p.party_type, "name": p.name,
        "id_number": mask_id_number(p.id_number) if masked else p.id_number,
        "id_number_masked": masked, "birth_date": None if masked else p.birth_date,
        "credit_code": p.credit_code, "legal_representative": p.legal_representative,
        "address": p.address, "phone": p.phone,
    }


def _deadline(d: CaseDeadline) -> dict[str, Any]:
    return {
        "rule_code": d.rule_code, "label": d.label, "source": d.source, "start": d.start,
        "extra": d.extra, "due": d.due, "provisional": d.provisional, "state": d.state,
        "met_on": d.met_on, "late_reason": d.late_reason,
        "overdue": d.overdue_on(today()), "party_period": d.party_period,
        "lapsed": d.lapsed_on(today()),
    }


def _step(s: CaseStep, proc: Procedure | None) -> dict[str, Any]:
    act = proc.action(s.action) if proc is not None else None
    return {
        "action": s.action, "label": s.label, "from_stage": s.from_stage,
        "to_stage": s.to_stage, "acted_on": s.acted_on, "actor_name": s.actor_name,
        "recorded_at": s.recorded_at, "data": data_out(act, s.data, in_fen=True),
        "reason": s.reason, "late_reason": s.late_reason, "ledger_seq": s.ledger_seq,
        "warnings": s.warnings,
    }


def _approval(user: Any, a: ApprovalRequest, proc: Procedure | None,
              decisions: list[ApprovalDecision]) -> dict[str, Any]:
    act = proc.action(a.action) if proc is not None else None
    pending = a.status == ApprovalStatus.PENDING
    return {
        "public_id": a.public_id,
        "case": {"public_id": a.case.public_id, "number": a.case.number},
        "action": a.action, "action_label": action_label(proc, a.action), "status": a.status,
        "steps": list(a.steps), "current": a.current,
        "current_role": a.steps[a.current] if pending else None,
        "requested_by": actor_label(a.requested_by), "requested_at": a.created_at,
        "data": data_out(act, a.data, in_fen=False), "reason": a.reason,
        "late_reason": a.late_reason,
        "decisions": [{"step": d.step, "role": d.role, "actor_name": actor_label(d.actor),
                       "approved": d.approved, "comment": d.comment,
                       "decided_at": d.decided_at} for d in decisions],
        "can_decide": _can_decide(user, a),
        "can_withdraw": pending and a.requested_by_id == user.pk,
    }


def _decisions(requests: list[ApprovalRequest]) -> dict[int, list[ApprovalDecision]]:
    out: dict[int, list[ApprovalDecision]] = {a.pk: [] for a in requests}
    for d in ApprovalDecision.objects.filter(request__in=requests).select_related(
            "actor__person").order_by("id"):
        out[d.request_id].append(d)
    return out


class _CaseDetail:
    """A case with the parts of its page; ``CaseDetailOut`` reads the case's own columns
    through it."""

    def __init__(self, case: Case, parts: dict[str, Any]) -> None:
        self._case = case
        self.__dict__.update(parts)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._case, name)


def case_detail(request: HttpRequest, case: Case) -> _CaseDetail:
    user = request.user
    view = case_view_for(user=user, case=case)
    case, proc = view.case, view.procedure
    full = may_see_full_id_numbers(user, case)
    for a in view.pending:
        a.case = case
    decisions = _decisions(view.pending)
    pending_actions = {a.action for a in view.pending}
    overdue = any(d.overdue_on(today()) for d in view.deadlines)
    return _CaseDetail(case, {
        "overdue": overdue,
        "item": ({"public_id": case.item.public_id, "code": case.item.code,
                  "name": case.item.name}
                 if case.item is not None else None),
        "parent": ({"public_id": case.parent.public_id, "number": case.parent.number}
                   if case.parent is not None else None),
        "proposed_fine_fen": case.proposed_fine,
        "proposed_confiscation_fen": case.proposed_confiscation,
        "final_confiscation_fen": case.final_confiscation, "paid_fen": case.paid,
        "parties": [_party(p, full) for p in view.parties],
        # the lead handler first, then the co-handlers as they were assigned
        "officers": [{"public_id": o.person.public_id, "name": o.person.name, "role": o.role,
                      "role_label": o.get_role_display()}
                     for o in sorted(view.officers, key=lambda o: o.role != OfficerRole.LEAD)],
        "deadlines": [_deadline(d) for d in view.deadlines],
        "steps": [_step(s, proc) for s in view.steps],
        "pending_approvals": [_approval(user, a, proc, decisions[a.pk]) for a in view.pending],
        "actions": [{**action_out(a), "pending_approval": a.code in pending_actions}
                    for a in view.actions],
    })


def _act_out(request: HttpRequest, case: Case, result: ActResult) -> dict[str, Any]:
    case = Case.objects.select_related("body").get(pk=case.pk)
    proc = procedure_of(request, case)
    approval = None
    if result.approval is not None:
        a = (ApprovalRequest.objects.select_related("case", "case__body",
                                                    "requested_by__person")
             .get(pk=result.approval.pk))
        approval = _approval(request.user, a, proc, _decisions([a])[a.pk])
    return {
        "case": {"public_id": case.public_id, "number": case.number, "stage": case.stage,
                 "stage_label": stage_label(proc, case.stage), "status": case.status},
        "step": _step(result.step, proc) if result.step is not None else None,
        "approval": approval,
        "warnings": [w.as_dict() for w in result.warnings],
    }


# -- reads ----------------------------------------------------------------------------------

def cases_filtered(user: Any, filters: CaseListIn) -> QuerySet[Case]:
    qs = filter_given(cases_for_list(user), procedure=filters.procedure,
                      status=filters.status, stage=filters.stage, overdue=filters.overdue,
                      body__public_id=filters.body)
    if filters.q:
        qs = case_search(qs, filters.q)
    # received_on alone repeats; the id makes a total order for stable pages
    return qs.order_by("-received_on", "-id")


@router.get("/cases", response={200: list[CaseOut], **DENIED}, operation_id="cases_for_list",
            summary="List cases in scope",
            description="Officers see their body's cases, supervisors those of the bodies "
                        "under their region. " + MONEY_OUT_DOC)
@paginated
def cases_list(request: HttpRequest, filters: Query[CaseListIn]) -> Any:
    require_perm(request.user, Perm.VIEW_CASES)
    return cases_filtered(request.user, filters)


@router.get("/cases/{key}", response={200: CaseDetailOut, **DENIED_OR_MISSING},
            operation_id="case_view_for",
            summary="One case: parties, officers, deadlines, steps, approvals, actions",
            description="`key` is the case's public id or its number. Parties' ID numbers "
                        "are masked except for the case's officers, the body's heads and "
                        "legal reviewers. `actions` lists what this user may do now, with "
                        "the fields to send to POST /cases/{key}/actions/{action}. "
                        + MONEY_OUT_DOC)
def case_get(request: HttpRequest, key: str) -> Any:
    require_perm(request.user, Perm.VIEW_CASES)
    return case_detail(request, case_get_for_user(user=request.user, key=key))


@router.get("/cases/{key}/timeline", response={200: list[TimelineEntryOut], **DENIED_OR_MISSING},
            operation_id="stream_entries",
            summary="The case's ledger entries with their verification state",
            description="Every entry of the case's hash chain, oldest first.")
def case_timeline(request: HttpRequest, key: str) -> Any:
    require_perm(request.user, Perm.VIEW_CASES)
    case = case_get_for_user(user=request.user, key=key)
    return [{
        "seq": e.seq, "stream_seq": e.stream_seq, "event_code": e.event_code,
        "event_name": e.event_name, "text": e.text, "actor_name": e.actor_name,
        "recorded_at": e.recorded_at, "payload": e.payload, "leaf_hash": e.leaf_hash_hex,
        "status": e.status,
    } for e in stream_entries(stream=case.stream)]


@router.get("/deadlines/provisional", response={200: list[ProvisionalDeadlineOut], **DENIED},
            operation_id="provisional_deadlines",
            summary="Running deadlines computed without the holiday calendar (administrators)",
            description="They reach a year whose holiday arrangement has not been entered and "
                        "are recomputed when it is.")
@paginated
def deadlines_provisional(request: HttpRequest) -> Any:
    require_perm(request.user, Perm.ADMINISTER_SYSTEM)
    return provisional_deadlines(request.user).order_by("due", "id")


# -- changes --------------------------------------------------------------------------------

def _references(user: Any, payload: CaseCreateIn) -> dict[str, Any]:
    """The payload's codes and ids as rows; unknown or out-of-scope ones are field errors."""
    errors: dict[str, str] = {}
    refs: dict[str, Any] = {
        "sector": Sector.objects.filter(code=payload.sector.strip()).first(),
        "region": Region.objects.filter(code=payload.region.strip()).first(),
        "item": None, "body": None,
    }
    if refs["sector"] is None:
        errors["sector"] = _("Unknown sector code.")
    if refs["region"] is None:
        errors["region"] = _("Unknown region code.")
    if payload.item is not None:
        refs["item"] = visible_items(user).filter(public_id=payload.item).first()
        if refs["item"] is None:
            errors["item"] = _("Unknown enforcement item.")
    if payload.body is not None:
        refs["body"] = visible_bodies(user).filter(public_id=payload.body).first()
        if refs["body"] is None:
            errors["body"] = _("Unknown enforcement body.")
    found = {p.public_id: p for p in visible_people(user).filter(public_id__in=payload.officers)}
    if len(found) != len(set(payload.officers)):
        errors["officers"] = _("Unknown person.")
    refs["officers"] = [found[pid] for pid in payload.officers if pid in found]
    if errors:
        raise InvalidInput(_("Please correct the highlighted fields."), code="invalid_fields",
                           detail=errors)
    return refs


@router.post("/cases", response={201: CaseDetailOut, **DENIED, **REJECTED},
             operation_id="case_create",
             summary="Open a case",
             description="The case starts at its procedure's first stage with its opening "
                         "deadlines; its ledger chain starts with the case.created entry. "
                         "Field errors are 400 invalid_fields (detail: field -> message) or "
                         "invalid_parties (detail: parties[i] -> message).")
def case_create_post(request: HttpRequest, payload: CaseCreateIn) -> Any:
    require_perm(request.user, Perm.HANDLE_CASES)
    refs = _references(request.user, payload)
    case = case_create(
        actor=request.user, procedure=payload.procedure.strip(), title=payload.title,
        sector=refs["sector"], region=refs["region"],
        parties=[PartyIn(**p.dict()) for p in payload.parties], officers=refs["officers"],
        received_on=payload.received_on, source_kind=payload.source_kind, item=refs["item"],
        summary=payload.summary, body=refs["body"],
    )
    return Status(201, case_detail(request, case))


@router.post("/cases/{key}/actions/{action}",
             response={201: ActOut, **ACCEPTED, **DENIED_OR_MISSING, **REJECTED},
             operation_id="case_act",
             summary="Take a procedure action on a case",
             description=(
                 "201 with the step taken, or 202 with the approval request when the action "
                 "goes up the agency's approval ladder. A legal guard's refusal is 409 with "
                 "the first refusal's code and `detail` = the list of refusals, each with its "
                 "`message` and legal `source`; nothing is changed or recorded. Other "
                 "answers: 404 action_unknown; 409 action_not_available, action_once, "
                 "approval_pending, late_reason_required; 403 action_role, "
                 "missing_handle_cases; 400 invalid_fields (detail: field -> message). "
                 + MONEY_IN_DOC))
def case_act_post(request: HttpRequest, key: str, action: str, payload: ActIn) -> Any:
    require_perm(request.user, Perm.HANDLE_CASES)
    case = case_get_for_user(user=request.user, key=key)
    result = case_act(actor=request.user, case=case, action=action, data=payload.data,
                      reason=payload.reason, late_reason=payload.late_reason)
    return Status(201 if result.step is not None else 202, _act_out(request, case, result))


@router.post("/approvals/{public_id}/decision",
             response={200: ActOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="approval_decide",
             summary="Approve or send back an approval request at its current step",
             description="The last approval performs the action as of today, checking every "
                         "guard again (409 with the refusals when one fails; nothing is "
                         "recorded then). Sending back needs a comment (400 "
                         "comment_required). 403 approval_role, approval_self; 409 "
                         "approval_closed.")
def approval_decide_post(request: HttpRequest, public_id: str, payload: DecisionIn) -> Any:
    require_perm(request.user, Perm.HANDLE_CASES)
    approval = approval_get_for_user(user=request.user, public_id=public_id)
    result = approval_decide(actor=request.user, request=approval, approve=payload.approve,
                             comment=payload.comment)
    return _act_out(request, approval.case, result)


@router.post("/approvals/{public_id}/withdraw",
             response={200: ApprovalOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="approval_withdraw",
             summary="Withdraw one's own pending approval request",
             description="403 approval_not_requester; 409 approval_closed.")
def approval_withdraw_post(request: HttpRequest, public_id: str) -> Any:
    require_perm(request.user, Perm.HANDLE_CASES)
    approval = approval_get_for_user(user=request.user, public_id=public_id)
    approval_withdraw(actor=request.user, request=approval)
    a = (ApprovalRequest.objects.select_related("case", "case__body", "requested_by__person")
         .get(pk=approval.pk))
    return _approval(request.user, a, procedure_of(request, a.case), _decisions([a])[a.pk])
