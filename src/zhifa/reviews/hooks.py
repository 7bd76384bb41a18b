"""The reviews app's part of the cases app's guards (registered in ``ReviewsConfig.ready``):

- ``legal_review_passed`` (the gate, APL art. 58): a deciding step refuses while the review the
  decision needs is missing, pending, contested or not passed, when a hearing was held after
  it passed, or when the decision is heavier than the proposal it passed;
- ``review_step``: the legal-review case steps are taken only by this app's services (with the
  package, the structured opinion, the discussion record), never directly;
- a step listener that evaluates again whether review is required when the proposed decision
  or the hearing changes (``services.determine``);
- the documents' issue check: a decision document is not numbered or issued while the gate
  would refuse its decision.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.utils.translation import gettext as _

from zhifa.cases import hooks

from .models import Outcome, RequestState, ReviewRequest
from .triggers import evaluate, label

GATE = "legal_review_passed"  # the cases app's guard (and hook) this module fills
SOURCE = "行政处罚法第五十八条；国办发〔2018〕118号"
AFTER_HEARING_SOURCE = "行政处罚法第五十八条第一款第二项"

# set while a reviews service takes a legal-review case step
_via_service: contextvars.ContextVar[bool] = contextvars.ContextVar("zhifa_review_step",
                                                                    default=False)


@contextmanager
def review_service_step() -> Iterator[None]:
    token = _via_service.set(True)
    try:
        yield
    finally:
        _via_service.reset(token)


def _refusal(code: str, message: str, source: str = SOURCE) -> Any:
    from zhifa.cases.guards import Refusal

    return Refusal(code, message, source)


def review_step_hook(ctx: Any) -> list[Any]:
    if _via_service.get():
        return []
    return [_refusal("review_via_service",
                     _("Legal review is submitted, given and discussed on the case's legal "
                       "review page, not as a plain step."))]


def heavier_than(decision: Mapping[str, Any], passed: Mapping[str, Any]) -> list[str]:
    """What in ``decision`` goes beyond the proposal the review passed."""
    out = []
    if decision.get("outcome") and passed.get("outcome") and \
            decision["outcome"] != passed["outcome"] and decision["outcome"] == "penalty":
        out.append("outcome")
    kinds = set(decision.get("kinds") or [])
    if kinds - set(passed.get("kinds") or []):
        out.append("kinds")
    for name in ("fine", "confiscation"):
        if int(decision.get(name) or 0) > int(passed.get(name) or 0):
            out.append(name)
    return out


def decision_draft_digest(case: Any) -> str:
    """SHA-256 of the drafted text of the case's decision documents that are not voided (the
    draft the review read): a review passes that text, and the gate refuses a decision whose
    draft changed after it passed. "" when the case has none."""
    from zhifa.documents.models import Document, DocumentState

    from .services.determine import DECISION_DOCUMENTS

    rows = list(Document.objects.filter(case=case, doc_type__in=DECISION_DOCUMENTS)
                .exclude(state=DocumentState.VOIDED).order_by("id")
                .values_list("doc_type", "fields"))
    if not rows:
        return ""
    raw = json.dumps(rows, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def gate_refusals(case: Any, *, action: str, decision: Mapping[str, Any] | None,
                  day: dt.date | None = None) -> list[Any]:
    """Why the decision cannot be made now ([] when it can). ``day``: the day of the decision
    (the catalogue in force then applies; default today)."""
    from .services.determine import sent_voluntarily

    request = ReviewRequest.objects.filter(case=case).first()
    det = evaluate(case, action=action, decision=decision, voluntary=sent_voluntarily(request),
                   day=day)
    if not det.required and (request is None or request.state in (RequestState.DRAFT,
                                                                   RequestState.WITHDRAWN)):
        return []
    if request is None or request.state in (RequestState.DRAFT, RequestState.WITHDRAWN):
        return [_refusal("legal_review_missing",
                         _("This decision needs legal review (%(why)s): submit it for "
                           "review first.") % {"why": "；".join(det.labels())})]
    if request.state in (RequestState.SUBMITTED, RequestState.IN_REVIEW):
        return [_refusal("legal_review_pending",
                         _("The legal review of this case has not given its opinion yet."))]
    if request.state == RequestState.CONTESTED:
        return [_refusal("legal_review_contested",
                         _("The handler contested the legal review opinion: the collective "
                           "discussion must decide first."))]
    if request.state == RequestState.RETURNED:
        # the round whose opinion returned it (a next package may be saved as a draft)
        latest = request.rounds.filter(number=request.current_round).first()
        outcome = latest.outcome if latest is not None else ""
        if outcome == Outcome.TRANSFER and decision is not None \
                and decision.get("outcome") == "transfer":
            return []  # the opinion was to transfer, and the case is transferred
        return [_refusal("legal_review_not_passed",
                         _("The legal review did not pass (%(outcome)s): change the case and "
                           "submit it again, or contest the opinion.")
                         % {"outcome": Outcome(outcome).label if outcome else "—"})]
    # passed, or decided by collective discussion
    if case.hearing_held_on and (request.passed_on is None
                                 or request.passed_on < case.hearing_held_on):
        return [_refusal("legal_review_after_hearing",
                         _("A hearing was held after the legal review passed: the decision "
                           "needs a review after the hearing."), AFTER_HEARING_SOURCE)]
    if decision is not None and "outcome" in decision:
        over = heavier_than(decision, request.passed_proposal or {})
        if over:
            return [_refusal("legal_review_outdated",
                             _("The decision goes beyond what the legal review passed: submit "
                               "the changed decision for review again."))]
    return []


def gate_hook(ctx: Any) -> list[Any]:
    if not ctx.action.deciding:
        return []  # review precedes the decision (APL art. 58), not the prior notice
    return gate_refusals(ctx.case, action=ctx.action.code, decision=ctx.data, day=ctx.on)


def on_step(ctx: Any, step: Any) -> None:
    from .services.determine import REEVALUATE_ON, review_determine

    if ctx.action.code in REEVALUATE_ON:
        review_determine(case=ctx.case, actor=ctx.actor)


def document_issue_check(case: Any, doc_type: str, step: Any) -> None:
    """Before a decision document is numbered: the decision it carries passes the gate now
    (checked only for a decision the gate guards: a licence granted is not)."""
    from zhifa.cases.procedures import procedure_get
    from zhifa.core.errors import ApplicationError

    from .services.determine import DECISION_DOCUMENTS

    if doc_type not in DECISION_DOCUMENTS or step is None:
        return
    act = procedure_get(case.procedure, body=case.body).action(step.action)
    if act is None or GATE not in act.guards:
        return
    found = gate_refusals(case, action=step.action, decision=step.data, day=step.acted_on)
    if found:
        raise ApplicationError(found[0].message, code=found[0].code,
                               detail=[r.as_dict() for r in found])


def register_hooks() -> None:
    hooks.register(GATE, gate_hook)
    hooks.register("review_step", review_step_hook)
    hooks.on_step_taken("reviews", on_step)
    from zhifa.documents.hooks import register_issue_check

    register_issue_check("reviews", document_issue_check)


__all__ = ["gate_hook", "gate_refusals", "label", "register_hooks", "review_service_step"]
