"""Hooks that later parts of the platform fill: the legal-review gate (reviews) and the
mandatory audio/video check (evidence). A hook takes the guard context and returns refusals.

Each hook has a default here. ``register`` replaces it (the reviews and evidence apps call it
from their ``AppConfig.ready``); tests restore the default with ``reset``.
"""

from __future__ import annotations

from collections.abc import Callable
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


def _av_default(ctx: GuardContext) -> list[Refusal]:
    """Until the evidence app checks recorded time against the step, the officer confirms
    that the step was recorded on audio/video in full (a field of the step)."""
    from .guards import Refusal

    # mandatory for sealing up and impoundment of property (查封扣押), not for freezing deposits
    if ctx.data.get("measure") == "freeze" or ctx.data.get("av_confirmed", True):
        return []
    return [Refusal("av_missing",
                    _("Seizure and impoundment must be recorded on audio and video in full."),
                    "国办发〔2018〕118号")]


DEFAULTS: dict[str, Hook] = {
    "legal_review_passed": _review_default,
    "av_recorded": _av_default,
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
