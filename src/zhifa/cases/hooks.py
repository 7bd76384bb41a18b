"""Hooks that later parts of the platform fill: the legal-review gate (reviews), the
mandatory audio/video check (evidence) and the decision document's check (documents). A hook
takes the guard context and returns refusals.

Each hook has a default here. ``register`` replaces it (the reviews and evidence apps call it
from their ``AppConfig.ready``); tests restore the default with ``reset``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .guards import GuardContext, Refusal

Hook = Callable[["GuardContext"], "list[Refusal]"]


def _review_default(ctx: GuardContext) -> list[Refusal]:
    """Until the reviews app owns the gate: a case marked major needs a recorded legal review
    opinion of "agree" (or "agree with changes") before the notice and the decision."""
    from .guards import Refusal

    case = ctx.case
    if case.is_major and case.review_passed_on is None:
        return [Refusal("legal_review_missing",
                        _("This is a major case: the decision needs a legal review that "
                          "passed."),
                        "行政处罚法第五十八条；国办发〔2018〕118号")]
    if case.hearing_held_on and (case.review_passed_on is None
                                 or case.review_passed_on < case.hearing_held_on):
        return [Refusal("legal_review_after_hearing",
                        _("A hearing was held: the decision needs a legal review that passed "
                          "after the hearing."),
                        "行政处罚法第五十八条第一款第二项")]
    return []


# Steps that must be recorded on audio and video in full, whatever an agency's recorded-matters
# list says (国办发〔2018〕118号): sealing up and impoundment of property (查封、扣押; not the
# freezing of deposits) and forced demolition (强制拆除). ``when``: the step's data must match
# (see ``when_matches``). The evidence app checks the recordings against these and the lists.
FULL_RECORDING_SOURCE = "国办发〔2018〕118号"
FULL_RECORDING: tuple[dict[str, Any], ...] = (
    {"matter": "查封、扣押财产", "procedure": "coercive", "action": "apply_measure",
     "when": {"measure": ["seal", "seize"]}},
    {"matter": "强制拆除", "procedure": "general", "action": "direct_execution",
     "when": {"kind": ["demolition"]}},
)


def when_matches(when: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    """Whether a step's data meet the conditions of a recorded-matters line: for each field
    named, the value (or one of the values of a multiple choice) is among those listed; a
    single value or ``true``/``false`` may be given instead of a list."""
    for name, wanted in when.items():
        value = data.get(name)
        if isinstance(wanted, bool):
            if bool(value) != wanted:
                return False
            continue
        allowed = {str(w) for w in (wanted if isinstance(wanted, list | tuple) else [wanted])}
        given = {str(v) for v in value} if isinstance(value, list | tuple) else (
            {str(value)} if value not in (None, "") else set())
        if not given & allowed:
            return False
    return True


def full_recording_for(procedure: str, action: str,
                       data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The statutory full-recording matter this step falls under, if any."""
    return next((m for m in FULL_RECORDING if m["procedure"] == procedure
                 and m["action"] == action and when_matches(m["when"], data)), None)


def interval_missing(matter: str) -> Refusal:
    from .guards import Refusal

    return Refusal("av_interval_missing",
                   _("“%(matter)s” must be recorded on audio and video in full: enter when the "
                     "on-site step started and ended, which the recordings must cover.")
                   % {"matter": matter}, FULL_RECORDING_SOURCE)


def _av_default(ctx: GuardContext) -> list[Refusal]:
    """Until the evidence app checks the recordings against the step, a step that must be
    recorded in full at least states its on-site interval."""
    from .fields import onsite_interval

    matter = full_recording_for(ctx.procedure.code, ctx.action.code, ctx.data)
    if matter is None or onsite_interval(ctx.data) is not None:
        return []
    return [interval_missing(matter["matter"])]


def _review_step_default(ctx: GuardContext) -> list[Refusal]:
    """Until the reviews app owns the legal-review steps (submitting, the opinion, the
    collective discussion), they may be taken directly as case steps."""
    return []


def _decision_document_default(ctx: GuardContext) -> list[Refusal]:
    """Until the documents app checks the draft decision document (its statutory elements
    and, in the general procedure, its three written reasons), nothing is checked here."""
    return []


DEFAULTS: dict[str, Hook] = {
    "legal_review_passed": _review_default,
    "av_recorded": _av_default,
    "decision_document": _decision_document_default,
    "review_step": _review_step_default,
}
_hooks: dict[str, Hook] = dict(DEFAULTS)


def register(name: str, fn: Hook) -> None:
    if name not in DEFAULTS:
        raise KeyError(name)
    _hooks[name] = fn


def reset(name: str) -> None:
    _hooks[name] = DEFAULTS[name]


def run(name: str, ctx: Any) -> list[Refusal]:
    return _hooks[name](ctx)


# Told, inside the transaction of the step, that a step changed a case's status (the evidence
# app recomputes how long the case's files are kept). Called as ``fn(case, actor, old_status)``.
StatusListener = Callable[[Any, Any, str], None]
_status_listeners: dict[str, StatusListener] = {}


def on_status_changed(name: str, fn: StatusListener) -> None:
    _status_listeners[name] = fn


def status_changed(case: Any, actor: Any, old_status: str) -> None:
    for fn in list(_status_listeners.values()):
        fn(case, actor, old_status)


# Told, inside the transaction of the step and after its ledger entry, that a step was taken
# (the reviews app re-evaluates whether the case needs legal review when the proposed decision
# or the hearing changes). Called as ``fn(ctx, step)`` with the step's guard context.
StepListener = Callable[[Any, Any], None]
_step_listeners: dict[str, StepListener] = {}


def on_step_taken(name: str, fn: StepListener) -> None:
    _step_listeners[name] = fn


def step_taken(ctx: Any, step: Any) -> None:
    for fn in list(_step_listeners.values()):
        fn(ctx, step)
