"""The one gate through which a case moves: ``case_act`` checks that the action is allowed
now, by this person, and that every legal guard passes; then it changes the case, its
deadlines and its step record, and appends the ledger entry, all in one transaction. A
refusal raises before anything is written, so it changes nothing and leaves no entry.

Actions that need approval become an ``ApprovalRequest`` that climbs the agency's ladder
(``approval_decide``); the last approval performs the action, checking the guards again.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhifa.core.errors import ApplicationError, InvalidInput, NotFound, PermissionDenied
from zhifa.ledger.services import actor_label, ledger_append
from zhifa.orgs.permissions import Perm, perms_of

from .. import hooks
from ..effects import EFFECTS
from ..events import APPROVAL_DECIDED, APPROVAL_REQUESTED, APPROVAL_WITHDRAWN, CASE_ACTION
from ..fields import clean_action_data, to_json
from ..guards import GUARDS, GuardContext, Refusal, dates_in_order, not_auxiliary, person_on_case
from ..models import (
    ApprovalDecision,
    ApprovalLadder,
    ApprovalRequest,
    ApprovalStatus,
    Case,
    CaseOfficer,
    CaseStatus,
    CaseStep,
    DeadlineState,
)
from ..procedures import BUILTIN, Action, Procedure, procedure_get
from ._access import require_handling, require_not_archived
from .deadlines import deadline_start, deadlines_refresh_pausable

DEFAULT_LADDER = ["head"]


class GuardRefused(ApplicationError):
    status = 409
    code = "guard_refused"


@dataclass(frozen=True)
class ActResult:
    step: CaseStep | None = None
    approval: ApprovalRequest | None = None
    warnings: tuple[Refusal, ...] = ()


def available_actions(case: Case, proc: Procedure) -> list[Action]:
    """Actions the procedure allows from the case's stage and status, whoever asks."""
    paused = _paused_reader(case)
    return [a for a in proc.actions if _allowed_now(case, proc, a, paused)]


def _paused_reader(case: Case) -> Callable[[], bool]:
    """Whether the case has an open pause, read on first use: only the actions that start or
    end a pause depend on it."""
    memo: list[bool] = []

    def paused() -> bool:
        if not memo:
            memo.append(any(p.last_day is None for p in case.pauses.all()))
        return memo[0]
    return paused


def _allowed_now(case: Case, proc: Procedure, a: Action, paused: Callable[[], bool]) -> bool:
    if case.status == CaseStatus.ARCHIVED:
        return False
    stage = proc.stage(case.stage)
    if not (case.stage in a.sources or ("*" in a.sources and stage.status == "open")):
        return False
    if case.status == CaseStatus.SUSPENDED and a.pause != "end":
        return False
    if a.pause == "end" and not paused():
        return False
    if a.pause == "start" and paused():  # noqa: SIM103 -- one rule per line
        return False
    return True


def role_allows(actor: Any, case: Case, act: Action, *,
                on_case: Callable[[], bool] | None = None) -> bool:
    """Account roles named by the action; officers and auxiliaries only on their own cases,
    heads and reviewers on any case of their body. Deciding actions never by auxiliaries.
    ``on_case`` tells whether the actor's person is one of the case's officers (default:
    looked up in ``case.officers``, which the case page prefetches)."""
    perms = perms_of(actor)
    if Perm.ADMINISTER_SYSTEM in perms:
        return True
    roles = set(actor.roles or [])
    allowed = set(act.roles)
    if "officer" in allowed and not act.deciding:
        allowed.add("auxiliary")
    if not roles & allowed:
        return False
    if roles & allowed <= {"officer", "auxiliary"}:
        if on_case is not None:
            return on_case()
        return any(o.person_id == actor.person_id for o in case.officers.all())
    return True


def _require_action(actor: Any, case: Case, proc: Procedure, action: str,
                    cache: dict[str, Any]) -> Action:
    """The action, if this actor may take it now. ``cache`` is the guard context's: whether
    the actor is one of the case's officers is asked once, by the lock, for the role check
    and the guards alike."""
    act = proc.action(action)
    if act is None:
        raise NotFound(_("This procedure has no such action."), code="action_unknown")
    if not _allowed_now(case, proc, act, _paused_reader(case)):
        raise ApplicationError(
            _("“%(action)s” is not possible at the stage “%(stage)s”.") % {
                "action": act.label, "stage": proc.stage(case.stage).label},
            code="action_not_available")
    if not role_allows(actor, case, act, on_case=lambda: actor.person_id is not None
                       and person_on_case(case, actor.person_id, cache)):
        raise PermissionDenied(_("Your role cannot take this step on this case."),
                               code="action_role")
    if act.once and case.steps.filter(action=act.code).exists():
        raise ApplicationError(_("This step can only be taken once per case."),
                               code="action_once")
    return act


# the legal-review gate (APL art. 58), and the guard of the legal-review steps themselves
REVIEW_GATE, REVIEW_STEP = "legal_review_passed", "review_step"


def _guards(ctx: GuardContext) -> tuple[str, ...]:
    """The action's guards. An agency's own procedure cannot leave a decision out of the
    legal-review gate: its every deciding action (but a legal-review step) runs it."""
    act = ctx.action
    if (act.deciding and ctx.case.procedure not in BUILTIN
            and REVIEW_GATE not in act.guards and REVIEW_STEP not in act.guards):
        return (*act.guards, REVIEW_GATE)
    return act.guards


def _evaluate(ctx: GuardContext, approver: Any = None) -> tuple[list[Refusal], list[Refusal]]:
    found: list[Refusal] = dates_in_order(ctx)
    if ctx.action.deciding:
        found += not_auxiliary(ctx.actor)
        if approver is not None:
            found += not_auxiliary(approver)
    for name in _guards(ctx):
        found += GUARDS[name](ctx)
    blocking = [r for r in found if r.blocking]
    return blocking, [r for r in found if not r.blocking]


def _refuse(refusals: list[Refusal]) -> GuardRefused:
    first = refusals[0]
    message = "；".join(f"{r.message}（{r.source}）" for r in refusals)
    return GuardRefused(message, code=first.code, detail=[r.as_dict() for r in refusals])


def _late(ctx: GuardContext) -> list[Any]:
    if not ctx.action.meets:
        return []  # only a deadline this action meets can be met late
    return [d for d in ctx.deadlines() if d.rule_code in ctx.action.meets
            and d.state == DeadlineState.RUNNING and d.due < ctx.on]


def _context(actor: Any, case: Case, proc: Procedure, act: Action,
             raw: Mapping[str, Any], cache: dict[str, Any]) -> GuardContext:
    today = timezone.localdate()
    data = clean_action_data(act, raw, today=today)
    return GuardContext(case=case, actor=actor, procedure=proc, action=act, data=data,
                        on=data.get("acted_on", today), today=today, cache=cache)


def _approval_may_be_pending(case: Case, act: Action) -> bool:
    """Requests are only made for actions that need approval. A built-in procedure's
    actions are fixed in code; an agency may edit its own procedure after a request was
    made, so there every action is checked."""
    return act.approval or case.procedure not in BUILTIN


def _ladder(case: Case, act: Action) -> list[str]:
    rows = {r.action: r.steps for r in ApprovalLadder.objects.filter(
        body_id=case.body_id, procedure=case.procedure, action__in=[act.code, ""])}
    steps = rows.get(act.code, rows.get("", DEFAULT_LADDER))
    return list(steps)


def _lock(pk: int, actor: Any, cache: dict[str, Any]) -> tuple[Case, dict[str, Any]]:
    """The case row, locked until the transaction ends (a concurrent action on the same case
    waits and then sees this one's result), and its columns as read, so that ``_apply``
    writes back only what the action changed.

    Only the case's own row: a FOR UPDATE that joined the body, region and sector would lock
    those rows as well (PostgreSQL locks every row the statement reads), and they are
    needed only on some paths. The body is the acting account's, already read for the
    permission check, when the case is of that body (the scope check requires it). The same
    statement tells whether the actor is one of the case's officers (the role check and
    some guards ask), recorded in the guard context's ``cache``."""
    person_id = getattr(actor, "person_id", None)
    rows = list(Case.objects.raw(_lock_sql(), {"person": person_id, "case": pk}))
    if not rows:
        raise Case.DoesNotExist("Case matching query does not exist.")
    case = rows[0]
    on_case = case.__dict__.pop("zhifa_actor_on_case")
    if person_id is not None:
        cache.setdefault("on_case", {})[person_id] = bool(on_case)
        person = actor.person
        if person.body_id == case.body_id:
            case.body = person.body
    return case, _columns(case)


_LOCK_SQL: dict[str, str] = {}


def _lock_sql() -> str:
    # Written out rather than built by the ORM on every call: this statement starts every
    # action, and compiling it (with the officer subquery) cost more than running it.
    sql = _LOCK_SQL.get(connection.vendor)
    if sql is None:
        q = connection.ops.quote_name
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        sql = _LOCK_SQL[connection.vendor] = (
            f"SELECT c.*, EXISTS (SELECT 1 FROM {q(CaseOfficer._meta.db_table)} o"
            f" WHERE o.case_id = c.id AND o.person_id = %(person)s) AS zhifa_actor_on_case"
            f" FROM {q(Case._meta.db_table)} c WHERE c.id = %(case)s{lock}")
    return sql


def _columns(case: Case) -> dict[str, Any]:
    # JSON values are copied: an effect that changed a list or dict in place must still be
    # seen as a change.
    return {f.attname: (copy.deepcopy(v) if isinstance(v, dict | list) else v)
            for f in Case._meta.concrete_fields if not f.primary_key
            for v in (getattr(case, f.attname),)}


def _changed_fields(case: Case, loaded: dict[str, Any]) -> list[str]:
    changed = [f.name for f in Case._meta.concrete_fields
               if f.attname in loaded and getattr(case, f.attname) != loaded[f.attname]]
    if "updated_at" not in changed:
        changed.append("updated_at")  # every action touches the case
    return changed


def _zh(value: Any) -> str:
    with translation.override("zh-hans"):
        return str(value)


@transaction.atomic
def case_act(*, actor: Any, case: Case, action: str, data: Mapping[str, Any],
             reason: str = "", late_reason: str = "") -> ActResult:
    cache: dict[str, Any] = {}
    case, loaded = _lock(case.pk, actor, cache)
    require_handling(actor, case.body)
    require_not_archived(case)
    proc = procedure_get(case.procedure, body=case.body)
    act = _require_action(actor, case, proc, action, cache)
    if _approval_may_be_pending(case, act) and case.approvals.filter(
            action=act.code, status=ApprovalStatus.PENDING).exists():
        raise ApplicationError(_("This step is already waiting for approval."),
                               code="approval_pending")
    ctx = _context(actor, case, proc, act, data, cache)
    blocking, warnings = _evaluate(ctx)
    if blocking:
        raise _refuse(blocking)
    late = _late(ctx)
    late_reason = late_reason.strip()
    if late and not late_reason:
        raise ApplicationError(
            _("The time limit “%(label)s” ended on %(due)s: record the reason for acting "
              "late.") % {"label": late[0].label, "due": late[0].due.isoformat()},
            code="late_reason_required",
            detail=[{"rule": d.rule_code, "due": d.due.isoformat()} for d in late])
    steps = _ladder(case, act) if act.approval else []
    if steps:
        _dry_run(ctx)
        raw = {f.name: v for f, v in ((f, data.get(f.name)) for f in act.fields)
               if v is not None}
        request = ApprovalRequest.objects.create(
            case=case, action=act.code, data=to_json(raw), reason=reason.strip(),
            late_reason=late_reason, steps=steps, requested_by=actor)
        ledger_append(actor=actor, event=APPROVAL_REQUESTED, stream=case.stream, body=case.body,
                      payload={"case": case.number, "action": act.code,
                               "action_label": _zh(act.label), "request": request.public_id,
                               "steps": steps, "data": to_json(ctx.data)})
        return ActResult(approval=request, warnings=tuple(warnings))
    step = _apply(ctx, reason=reason.strip(), late_reason=late_reason, late=late,
                  warnings=warnings, approved_by=[], loaded=loaded)
    return ActResult(step=step, warnings=tuple(warnings))


def _dry_run(ctx: GuardContext) -> None:
    """Effects check the data they need (amounts against kinds, a deferral date): run the
    effect in a savepoint that is always rolled back, so that a request that could never be
    carried out is refused when it is made, not at its last approval."""
    if not ctx.action.effect:
        return
    savepoint = transaction.savepoint()
    try:
        EFFECTS[ctx.action.effect](ctx)
    finally:
        transaction.savepoint_rollback(savepoint)


def _condition(name: str, ctx: GuardContext) -> bool:
    """``field=value`` compares a field of the step; otherwise a bool field, a named
    condition or a case attribute."""
    if "=" in name:
        field, _sep, value = name.partition("=")
        return str(ctx.data.get(field, "")) == value
    if name in ctx.data:
        return bool(ctx.data[name])
    if name == "has_fine":
        return bool(ctx.case.final_fine)
    if name == "unpaid_fine":
        return bool(ctx.case.final_fine) and ctx.case.paid < (ctx.case.final_fine or 0)
    return bool(getattr(ctx.case, name))


def _apply(ctx: GuardContext, *, reason: str, late_reason: str, late: list[Any],
           warnings: list[Refusal], approved_by: list[str],
           loaded: dict[str, Any]) -> CaseStep:
    """Carry the action out. ``loaded``: the case's columns as locked; only those that
    changed are written."""
    case, act, proc, on = ctx.case, ctx.action, ctx.procedure, ctx.on
    from_stage = case.stage
    target = act.target
    if act.effect:
        override = EFFECTS[act.effect](ctx)
        if override:
            target = override
    for d in ctx.deadlines() if act.meets or act.cancels else ():
        if d.state != DeadlineState.RUNNING:
            continue
        if d.rule_code in act.meets:
            d.state, d.met_on = DeadlineState.MET, on
            if d in late:
                d.late_reason = late_reason
            d.save(update_fields=["state", "met_on", "late_reason"])
        elif d.rule_code in act.cancels:
            d.state = DeadlineState.CANCELLED
            d.save(update_fields=["state"])
    if act.pause:
        deadlines_refresh_pausable(case, proc)
    for start in act.starts:
        if start.when and not _condition(start.when, ctx):
            continue
        anchor = ctx.data.get(start.anchor) if start.anchor else on
        deadline_start(case, proc, start.rule, anchor or on)
    status_before = case.status
    if target:
        case.stage = target
        status = proc.stage(target).status
        if status in (CaseStatus.CLOSED, CaseStatus.ARCHIVED):
            case.status = status
            # a closed case has no time limits left running (nor shows as overdue)
            for d in ctx.deadlines():
                if d.state == DeadlineState.RUNNING:
                    d.state = DeadlineState.CANCELLED
                    d.save(update_fields=["state"])
        elif case.status != CaseStatus.SUSPENDED:
            case.status = CaseStatus.OPEN
    if warnings:
        case.flags = {**case.flags, **{w.code: True for w in warnings}}
    data = to_json(ctx.data)
    case.data = {**case.data, act.code: data}
    case.save(update_fields=_changed_fields(case, loaded))
    label = _zh(act.label)
    payload = {
        "case": case.number, "action": act.code, "action_label": label,
        "from": from_stage, "to": case.stage, "on": on, "data": data,
        "reason": reason, "late_reason": late_reason,
        "warnings": [w.code for w in warnings], "approved_by": approved_by,
    }
    if "child_case" in ctx.cache:
        payload["opened_case"] = ctx.cache["child_case"]
    entry = ledger_append(actor=ctx.actor, event=CASE_ACTION, stream=case.stream,
                          body=case.body, payload=payload)
    step = CaseStep.objects.create(
        case=case, action=act.code, label=label, from_stage=from_stage,
        to_stage=case.stage, acted_on=on, actor=ctx.actor if getattr(ctx.actor, "pk", None)
        else None, actor_name=_actor_name(ctx.actor), data=data, reason=reason,
        late_reason=late_reason, ledger_seq=entry.seq,
        warnings=[w.as_dict() for w in warnings],
    )
    if case.status != status_before:
        hooks.status_changed(case, ctx.actor, status_before)
    hooks.step_taken(ctx, step)
    return step


def _actor_name(actor: Any) -> str:
    return actor_label(actor) if getattr(actor, "pk", None) else ""


@transaction.atomic
def approval_decide(*, actor: Any, request: ApprovalRequest, approve: bool,
                    comment: str = "") -> ActResult:
    request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
    # facts about people (who is on the case) hold for the approver and the requester alike
    cache: dict[str, Any] = {}
    case, loaded = _lock(request.case_id, actor, cache)
    require_handling(actor, case.body)
    require_not_archived(case)
    if request.status != ApprovalStatus.PENDING:
        raise ApplicationError(_("This request has already been decided."),
                               code="approval_closed")
    role = request.steps[request.current]
    admin = Perm.ADMINISTER_SYSTEM in perms_of(actor)
    if role not in (actor.roles or []) and not admin:
        raise PermissionDenied(_("This approval step belongs to another role."),
                               code="approval_role")
    if actor.pk == request.requested_by_id:
        raise PermissionDenied(_("You cannot approve your own request."), code="approval_self")
    proc = procedure_get(case.procedure, body=case.body)
    act = proc.action(request.action)
    assert act is not None
    # Approving signs off on the step, whatever it is: never by auxiliary staff (APL art. 42).
    auxiliary = not_auxiliary(actor)
    if auxiliary:
        raise _refuse(auxiliary)
    comment = comment.strip()
    if not approve and not comment:
        raise InvalidInput(_("Give the reason for sending it back."), code="comment_required",
                           detail={"comment": _("This field is required.")})
    ApprovalDecision.objects.create(request=request, step=request.current, role=role,
                                    actor=actor, approved=approve, comment=comment)
    final = approve and request.current + 1 >= len(request.steps)
    ledger_append(actor=actor, event=APPROVAL_DECIDED, stream=case.stream, body=case.body,
                  payload={"case": case.number, "request": request.public_id,
                           "action": request.action, "step": request.current + 1,
                           "role": role, "decision": "approved" if approve else "rejected",
                           # the timeline shows this (labels in the payload are Chinese)
                           "decision_label": _zh(ApprovalStatus.APPROVED.label if approve
                                                 else ApprovalStatus.REJECTED.label),
                           "comment": comment})
    if not approve:
        request.status = ApprovalStatus.REJECTED
        request.save(update_fields=["status", "updated_at"])
        return ActResult(approval=request)
    if not final:
        request.current += 1
        request.save(update_fields=["current", "updated_at"])
        return ActResult(approval=request)
    requester = request.requested_by
    # the action is performed now, as of today, with every guard checked again
    act = _require_action(requester, case, proc, request.action, cache)
    cache["floor_before"] = request.created_at
    ctx = _context(requester, case, proc, act, request.data, cache)
    blocking, warnings = _evaluate(ctx, approver=actor)
    if blocking:
        raise _refuse(blocking)
    late = _late(ctx)
    if late and not request.late_reason:
        raise ApplicationError(_("The time limit has passed: the request needs a reason for "
                                 "acting late; send it back."), code="late_reason_required")
    approvers = [_actor_name(d.actor) for d in request.decisions.select_related(
        "actor__person")]
    step = _apply(ctx, reason=request.reason, late_reason=request.late_reason, late=late,
                  warnings=warnings, approved_by=approvers, loaded=loaded)
    request.status = ApprovalStatus.APPROVED
    request.save(update_fields=["status", "updated_at"])
    return ActResult(step=step, approval=request, warnings=tuple(warnings))


@transaction.atomic
def approval_withdraw(*, actor: Any, request: ApprovalRequest) -> ApprovalRequest:
    request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
    case = Case.objects.select_for_update().get(pk=request.case_id)
    require_handling(actor, case.body)
    require_not_archived(case)
    if actor.pk != request.requested_by_id:
        raise PermissionDenied(_("Only the person who asked can withdraw the request."),
                               code="approval_not_requester")
    if request.status != ApprovalStatus.PENDING:
        raise ApplicationError(_("This request has already been decided."),
                               code="approval_closed")
    request.status = ApprovalStatus.WITHDRAWN
    request.save(update_fields=["status", "updated_at"])
    act = procedure_get(case.procedure, body=case.body).action(request.action)
    ledger_append(actor=actor, event=APPROVAL_WITHDRAWN, stream=case.stream, body=case.body,
                  payload={"case": case.number, "request": request.public_id,
                           "action": request.action,
                           "action_label": _zh(act.label) if act else request.action})
    return request
