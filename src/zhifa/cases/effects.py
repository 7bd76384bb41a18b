"""Named effects of actions on the case's own columns, applied by ``case_act`` after the
guards passed and inside its transaction. An effect may return a stage that replaces the
action's target (e.g. a review opinion that sends the case back to investigation)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from zhifa.catalog.selectors import hearing_threshold_for
from zhifa.core.errors import InvalidInput

from .models import CasePause, CaseStatus, DeadlineState, Outcome

if TYPE_CHECKING:
    from .guards import GuardContext

Effect = Callable[["GuardContext"], "str | None"]
EFFECTS: dict[str, Effect] = {}

# Penalties that give the party a right to a hearing whatever the amount (APL art. 63).
HEARING_KINDS = {"revoke_licence", "lower_qualification", "stop_production", "closure",
                 "restrict_practice"}


def effect(name: str) -> Callable[[Effect], Effect]:
    def register(fn: Effect) -> Effect:
        EFFECTS[name] = fn
        return fn
    return register


@effect("register")
def register(ctx: GuardContext) -> None:
    case, data = ctx.case, ctx.data
    case.registered_on = data["acted_on"]
    case.act_date = data["act_date"]
    if data.get("limitation_override"):
        case.flags = {**case.flags, "limitation_override": data["limitation_override"]}


@effect("propose")
def propose(ctx: GuardContext) -> None:
    case, data = ctx.case, ctx.data
    kinds = data.get("kinds") or []
    _check_amounts(kinds, data)
    case.proposed_kinds = kinds
    case.proposed_fine = data.get("fine") or None
    case.proposed_confiscation = data.get("confiscation") or None
    case.is_major = bool(data.get("major"))
    case.is_complex = bool(data.get("complex"))
    case.summary = data.get("facts", case.summary)
    # a new proposal needs a new review, discussion and prior notice, and the party's
    # rights start again with that notice
    case.review_passed_on = None
    case.discussed_on = None
    case.notice_served_on = None
    case.hearing_right = case.defence_waived = False
    case.hearing_requested_on = case.hearing_on = case.hearing_held_on = None


def _check_amounts(kinds: list[str], data: dict[str, Any]) -> None:
    errors = {}
    if "fine" in kinds and not data.get("fine"):
        errors["fine"] = _("Enter the amount of the fine.")
    if data.get("fine") and "fine" not in kinds:
        errors["kinds"] = _("A fine was entered but not selected.")
    confiscating = {"confiscate_gains", "confiscate_property"} & set(kinds)
    if data.get("confiscation") and not confiscating:
        errors["kinds"] = _("A confiscated value was entered but no confiscation selected.")
    if errors:
        raise InvalidInput(_("Please correct the highlighted fields."), code="invalid_fields",
                           detail=errors)


@effect("review_opinion")
def review_opinion(ctx: GuardContext) -> str | None:
    """Back to where the case was sent from: the report, or the notice stage when the review
    follows a hearing (APL art. 58 §1(2)). Only "agree" passes: any other opinion goes back
    to the handler, who changes the proposal or the draft and submits again."""
    outcome = ctx.data["outcome"]
    origin = ctx.case.flags.get("review_from", "reported")
    if outcome == "agree":
        ctx.case.review_passed_on = ctx.data["acted_on"]
        return origin
    ctx.case.review_passed_on = None
    return "investigating" if outcome == "supplement" else origin


@effect("review_submit")
def review_submit(ctx: GuardContext) -> None:
    ctx.case.flags = {**ctx.case.flags, "review_from": ctx.case.stage}


@effect("collective")
def collective(ctx: GuardContext) -> None:
    ctx.case.discussed_on = ctx.data["acted_on"]


def hearing_right_for(case: Any, day: Any) -> bool:
    """APL art. 63: licence revocation, closure and the like always; fines and confiscations
    when they reach the 较大数额 set for the region, sector and party type."""
    kinds = set(case.proposed_kinds or [])
    if kinds & HEARING_KINDS:
        return True
    amount = (case.proposed_fine or 0) + (case.proposed_confiscation or 0)
    if not amount:
        return False
    for party in case.parties.all():
        threshold = hearing_threshold_for(region_path=case.region.path,
                                          sector_id=case.sector_id,
                                          party_type=party.party_type, day=day)
        if threshold is not None and threshold.is_met(amount):
            return True
    return False


@effect("notice")
def notice(ctx: GuardContext) -> None:
    case = ctx.case
    if not case.proposed_kinds:
        raise InvalidInput(_("Submit an investigation report proposing a penalty first."),
                           code="no_proposed_penalty")
    case.notice_served_on = ctx.data["served_on"]
    case.hearing_right = hearing_right_for(case, ctx.data["served_on"])
    case.defence_waived = False
    case.hearing_requested_on = case.hearing_on = case.hearing_held_on = None


@effect("defence")
def defence(ctx: GuardContext) -> None:
    pass


@effect("waive_defence")
def waive_defence(ctx: GuardContext) -> None:
    ctx.case.defence_waived = True


@effect("hearing_requested")
def hearing_requested(ctx: GuardContext) -> None:
    ctx.case.hearing_requested_on = ctx.data["requested_on"]


@effect("hearing_scheduled")
def hearing_scheduled(ctx: GuardContext) -> None:
    ctx.case.hearing_on = ctx.data["hearing_on"]


@effect("hearing_held")
def hearing_held(ctx: GuardContext) -> None:
    ctx.case.hearing_held_on = ctx.data["acted_on"]


@effect("decide")
def decide(ctx: GuardContext) -> None:
    case, data = ctx.case, ctx.data
    outcome = data["outcome"]
    kinds = data.get("kinds") or []
    errors = {}
    if outcome == "penalty" and not kinds:
        errors["kinds"] = _("Select the penalty.")
    if outcome != "penalty" and (kinds or data.get("fine") or data.get("confiscation")):
        errors["kinds"] = _("No penalty may be set for this decision.")
    if outcome == "no_penalty" and not data.get("no_penalty_reason"):
        errors["no_penalty_reason"] = _("Give the reason for no penalty.")
    if errors:
        raise InvalidInput(_("Please correct the highlighted fields."), code="invalid_fields",
                           detail=errors)
    _check_amounts(kinds, data)
    case.outcome = outcome
    case.final_kinds = kinds
    case.final_fine = data.get("fine") or None
    case.final_confiscation = data.get("confiscation") or None
    case.decided_on = data["acted_on"]


@effect("serve_decision")
def serve_decision(ctx: GuardContext) -> None:
    ctx.case.decision_served_on = ctx.data["served_on"]


@effect("payment")
def payment(ctx: GuardContext) -> None:
    case = ctx.case
    owed = case.final_fine or 0
    if ctx.data["amount"] <= 0:
        raise InvalidInput(_("Please correct the highlighted fields."), code="invalid_fields",
                           detail={"amount": _("The amount must be more than zero.")})
    if case.paid + ctx.data["amount"] > owed:
        raise InvalidInput(_("The payment is more than the fine still owed."),
                           code="overpayment", detail={"amount": _("Too much.")})
    case.paid += ctx.data["amount"]
    if case.paid >= owed:
        d = ctx.running("apl_payment_15")
        if d is not None:
            d.state, d.met_on = DeadlineState.MET, ctx.data["acted_on"]
            d.save(update_fields=["state", "met_on"])


@effect("deferral")
def deferral(ctx: GuardContext) -> None:
    from zhifa.workdays.calendar import rule_get

    from .services.deadlines import deadline_refresh

    d = ctx.running("apl_payment_15")
    if d is not None:
        until = ctx.data["until"]
        if until <= d.due:
            raise InvalidInput(_("Please correct the highlighted fields."),
                               code="invalid_fields",
                               detail={"until": _("The new final date must be after %(due)s.")
                                       % {"due": d.due.isoformat()}})
        # Kept as an extension of the rule (in its unit, calendar days) rather than a bare
        # date, so that recomputing the deadline after a calendar change keeps it.
        d.extra = (until - d.start).days - rule_get(d.rule_code).n
        deadline_refresh(d, ctx.case, ctx.procedure)
    ctx.case.flags = {**ctx.case.flags, "payment_arrangement": ctx.data["kind"]}


@effect("reminder")
def reminder(ctx: GuardContext) -> None:
    ctx.case.reminder_served_on = ctx.data["served_on"]


@effect("court_application")
def court_application(ctx: GuardContext) -> None:
    ctx.case.court_applied_on = ctx.data["acted_on"]


@effect("close")
def close(ctx: GuardContext) -> None:
    ctx.case.closed_on = ctx.data["acted_on"]
    if not ctx.case.outcome and ctx.case.procedure == "coercive":
        ctx.case.outcome = Outcome.MEASURE_HANDLED


@effect("archive")
def archive(ctx: GuardContext) -> None:
    ctx.case.flags = {**ctx.case.flags, "archive_number": ctx.data["archive_number"]}


@effect("summary_decide")
def summary_decide(ctx: GuardContext) -> None:
    case, data = ctx.case, ctx.data
    kinds = data.get("kinds") or []
    case.act_date = data["act_date"]
    case.summary = data["facts"]
    case.proposed_kinds = case.final_kinds = kinds
    case.proposed_fine = case.final_fine = data.get("fine") or None
    case.outcome = Outcome.PENALTY
    case.decided_on = data["acted_on"]
    case.flags = {**case.flags, "serial": data["serial"]}
    if data.get("paid_on_spot") and data.get("fine"):
        case.paid = data["fine"]


@effect("measure_apply")
def measure_apply(ctx: GuardContext) -> None:
    ctx.case.flags = {**ctx.case.flags, "measure": ctx.data["measure"]}


def _extend(ctx: GuardContext, rule: str, extra: int) -> None:
    from .services.deadlines import deadline_refresh

    d = ctx.running(rule)
    if d is None:
        raise InvalidInput(_("There is no running time limit to extend."),
                           code="nothing_to_extend")
    d.extra = extra
    deadline_refresh(d, ctx.case, ctx.procedure)


@effect("measure_extend")
def measure_extend(ctx: GuardContext) -> None:
    days = ctx.data["days"]
    if not 1 <= days <= 30:  # ACL art. 25: once, by at most 30 days
        message = _("An extension is 1 to 30 days (行政强制法第二十五条).")
        raise InvalidInput(message, code="invalid_fields", detail={"days": message})
    _extend(ctx, "acl_seizure_30", days)


@effect("licence_extend")
def licence_extend(ctx: GuardContext) -> None:
    _extend(ctx, "all_decision_20", 10)  # ALL art. 42: 10 more working days, once


@effect("measure_handle")
def measure_handle(ctx: GuardContext) -> None:
    ctx.case.outcome = Outcome.MEASURE_HANDLED
    ctx.case.decided_on = ctx.data["acted_on"]
    ctx.case.flags = {**ctx.case.flags, "handling": ctx.data["handling"]}


@effect("inspection_conclude")
def inspection_conclude(ctx: GuardContext) -> None:
    result = ctx.data["result"]
    ctx.case.outcome = {"no_finding": Outcome.NO_FINDING,
                        "order_to_correct": Outcome.ORDER_TO_CORRECT,
                        "case": Outcome.CASE_OPENED}[result]
    ctx.case.decided_on = ctx.data["acted_on"]
    if result == "case":
        from .services.create import case_open_from

        child = case_open_from(actor=ctx.actor, parent=ctx.case, procedure="general",
                               on=ctx.data["acted_on"],
                               title=ctx.data.get("case_title") or "")
        ctx.cache["child_case"] = child.number


@effect("licence_decide")
def licence_decide(ctx: GuardContext) -> None:
    ctx.case.outcome = Outcome.GRANTED if ctx.action.code == "grant" else Outcome.DENIED
    ctx.case.decided_on = ctx.data["acted_on"]


@effect("suspend")
def suspend(ctx: GuardContext) -> None:
    # coercive measures pause only for testing (ACL art. 25), without a "why" field
    default = "testing" if ctx.action.code == "start_testing" else "suspension"
    CasePause.objects.create(case=ctx.case, kind=ctx.data.get("kind") or default,
                             first_day=ctx.data["acted_on"], reason=ctx.data.get("reason", ""))
    if ctx.action.code == "suspend":
        ctx.case.status = CaseStatus.SUSPENDED


@effect("resume")
def resume(ctx: GuardContext) -> None:
    import datetime as dt

    pause = ctx.case.pauses.filter(last_day__isnull=True).order_by("-id").first()
    if pause is None:  # the engine checks this first; kept as a safety net
        raise InvalidInput(_("The case is not paused."), code="not_paused")
    # the day of resumption counts again
    pause.last_day = max(ctx.data["acted_on"] - dt.timedelta(days=1),
                         pause.first_day - dt.timedelta(days=1))
    pause.save(update_fields=["last_day"])
    if ctx.case.status == CaseStatus.SUSPENDED:
        ctx.case.status = CaseStatus.OPEN
