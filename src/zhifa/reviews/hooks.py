"""The reviews app's part of the cases app's guards (registered in ``ReviewsConfig.ready``):

- ``legal_review_passed`` (the gate, APL art. 58): a deciding step refuses while the review the
  decision needs is missing, pending, contested or not passed, when a hearing was held after
  it passed, or when what it passed is outdated: the decision is heavier than the proposal
  it passed, the investigation report's facts changed, or the draft decision document it
  read changed. The cases app runs it on the deciding steps that list it, and on every
  deciding step of an agency's own procedure (``gated``);
- ``review_step``: the legal-review case steps are taken only by this app's services (with the
  package, the structured opinion, the discussion record), never directly;
- a step listener that evaluates again whether review is required when the proposed decision
  or the hearing changes (``services.determine``), and closes a review left open when the
  case is decided by a step the gate does not guard (a licence granted);
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

from django.utils import translation
from django.utils.translation import gettext as _

from zhifa.cases import hooks
from zhifa.ledger.services import ledger_append

from .events import REVIEW_WITHDRAWN
from .models import (
    ExtensionState,
    Outcome,
    RequestState,
    ReviewRequest,
    RoundState,
)
from .triggers import evaluate, label

GATE = "legal_review_passed"  # the cases app's guard (and hook) this module fills
REVIEW_STEP = "review_step"  # the guard of the legal-review case steps
REVIEW_RULE = "review_7"  # the review's time limit
# a review still being prepared or at the office: closed when the case is decided without it
UNFINISHED = (RequestState.DRAFT, RequestState.SUBMITTED, RequestState.IN_REVIEW)
SOURCE = "行政处罚法第五十八条；国办发〔2018〕118号"
AFTER_HEARING_SOURCE = "行政处罚法第五十八条第一款第二项"
# the comment an extension still waiting for a head is closed with when its review is
# withdrawn (recorded text, in Chinese like the ledger's labels)
WITHDRAWN_EXTENSION_COMMENT = "审核已撤回，延期申请不再处理。"

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


def gated(case: Any, act: Any) -> bool:
    """Whether the gate checks the action (as ``cases.services.act`` runs it): a deciding
    action that lists it, or any deciding action of an agency's own procedure but the
    legal-review steps."""
    from zhifa.cases.procedures import BUILTIN

    if not act.deciding:
        return False
    return GATE in act.guards or (case.procedure not in BUILTIN
                                  and REVIEW_STEP not in act.guards)


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
    # passed, or decided by collective discussion; the latest hearing as its steps record it
    # (a new investigation report clears the case's date, not the hearing held)
    heard = det.hearing_on
    if heard is not None and (request.passed_on is None or request.passed_on < heard):
        return [_refusal("legal_review_after_hearing",
                         _("A hearing was held after the legal review passed: the decision "
                           "needs a review after the hearing."), AFTER_HEARING_SOURCE)]
    return outdated(case, request.passed_proposal or {}, decision)


def outdated(case: Any, passed: Mapping[str, Any],
             decision: Mapping[str, Any] | None) -> list[Any]:
    """What changed since the review passed ``passed`` (the proposal of its round): the
    facts of the investigation report, the decision (heavier), the draft decision document.
    The facts and the draft are compared when the round recorded them."""
    found = []
    if "facts" in passed:
        report = (case.data or {}).get("submit_report", {}) or {}
        if str(report.get("facts") or "").strip() != str(passed["facts"] or "").strip():
            found.append(_refusal(
                "legal_review_outdated",
                _("The facts of the investigation report changed after the legal review "
                  "passed: submit the case for review again with the new report.")))
    if decision is not None and "outcome" in decision and heavier_than(decision, passed):
        found.append(_refusal("legal_review_outdated",
                              _("The decision goes beyond what the legal review passed: "
                                "submit the changed decision for review again.")))
    if "document_digest" in passed and decision_draft_digest(case) != passed["document_digest"]:
        found.append(_refusal("legal_review_outdated",
                              _("The draft decision document changed after the legal review "
                                "passed: submit the changed draft for review again.")))
    return found


def gate_hook(ctx: Any) -> list[Any]:
    if not ctx.action.deciding:
        return []  # review precedes the decision (APL art. 58), not the prior notice
    return gate_refusals(ctx.case, action=ctx.action.code, decision=ctx.data, day=ctx.on)


def on_step(ctx: Any, step: Any) -> None:
    from .services.determine import REEVALUATE_ON, review_determine

    act = ctx.action
    withdrawn = (act.deciding and REVIEW_STEP not in act.guards and not gated(ctx.case, act)
                 and withdraw_unfinished(ctx, step))
    if withdrawn or act.code in REEVALUATE_ON:
        review_determine(case=ctx.case, actor=ctx.actor)


def withdraw_unfinished(ctx: Any, step: Any) -> bool:
    """The case was decided by a step the gate does not guard (a licence granted) while its
    review was being prepared or at the office: the review has nothing left to concern, and
    is withdrawn (it leaves the office's queue and figures, its time limit ends, an extension
    waiting for a head is refused). Whether it was."""
    from zhifa.cases.models import CaseDeadline, DeadlineState

    case = ctx.case
    request = (ReviewRequest.objects.select_for_update()
               .filter(case=case, state__in=UNFINISHED).first())
    if request is None:
        return False
    before = request.state
    request.state = RequestState.WITHDRAWN
    request.save(update_fields=["state", "updated_at"])
    request.rounds.filter(state__in=(RoundState.DRAFT, RoundState.SUBMITTED)).update(
        state=RoundState.WITHDRAWN)
    CaseDeadline.objects.filter(case=case, rule_code=REVIEW_RULE,
                                state=DeadlineState.RUNNING).update(
        state=DeadlineState.CANCELLED)
    with translation.override("zh-hans"):
        action_label = str(ctx.action.label)
    ledger_append(actor=ctx.actor, event=REVIEW_WITHDRAWN, stream=case.stream, body=case.body,
                  payload={"case": case.number, "round": request.current_round,
                           "state_before": before, "action": ctx.action.code,
                           "action_label": action_label, "step": step.pk})
    _refuse_pending_extensions(ctx, request)
    return True


def _refuse_pending_extensions(ctx: Any, request: ReviewRequest) -> None:
    """The withdrawn review's extensions still waiting for a head: refused, nobody deciding
    (the time limit they would extend has ended), each with its ledger entry."""
    from .services.extensions import extensions_close

    for rnd in request.rounds.filter(extensions__state=ExtensionState.PENDING).distinct():
        extensions_close(actor=ctx.actor, case=ctx.case, rnd=rnd,
                         comment=WITHDRAWN_EXTENSION_COMMENT)


def document_issue_check(case: Any, doc_type: str, step: Any) -> None:
    """Before a decision document is numbered: the decision it carries passes the gate now
    (checked only for a decision the gate guards: a licence granted is not)."""
    from zhifa.cases.procedures import procedure_get
    from zhifa.core.errors import ApplicationError

    from .services.determine import DECISION_DOCUMENTS

    if doc_type not in DECISION_DOCUMENTS or step is None:
        return
    act = procedure_get(case.procedure, body=case.body).action(step.action)
    if act is None or not gated(case, act):
        return
    found = gate_refusals(case, action=step.action, decision=step.data, day=step.acted_on)
    if found:
        raise ApplicationError(found[0].message, code=found[0].code,
                               detail=[r.as_dict() for r in found])


def register_hooks() -> None:
    hooks.register(GATE, gate_hook)
    hooks.register(REVIEW_STEP, review_step_hook)
    hooks.on_step_taken("reviews", on_step)
    from zhifa.documents.hooks import register_issue_check

    register_issue_check("reviews", document_issue_check)


__all__ = ["gate_hook", "gate_refusals", "gated", "label", "register_hooks",
           "review_service_step"]
