"""Checks of a document's content: its statutory elements (APL art. 59 for a decision and
the other laws named in ``doctypes``), its required fields, and, for a general-procedure
decision, the three written reasons (证据采信理由、依据选择理由、裁量理由: 湖南省行政程序
规定, 湘政办发〔2019〕23号).

``decision_document_hook`` is the documents app's part of the cases app's
``decision_document`` guard: the general procedure's ``decide`` needs, before it is
requested and again when it is approved, a draft (or issued) decision document of the
outcome whose drafted values are complete; the summary procedure's ``decide_on_spot`` needs
a free serial of the body's pre-numbered forms when the body registered books of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from django.utils.translation import gettext as _

from zhifa.cases.models import ApprovalRequest, ApprovalStatus, CaseStep
from zhifa.core.errors import ApplicationError

from .. import doctypes
from ..doctypes import REASONS_ELEMENT, Element
from ..models import Document, DocumentState

# the general procedure's decision outcomes that need a decision document, and its type
DECISION_TYPES = {"penalty": "penalty_decision", "no_penalty": "no_penalty_decision"}
REASONS = REASONS_ELEMENT.placeholders
# the steps that make a decision: a type issued after one of them is a decision document
DECIDING_ACTIONS = frozenset({"decide", "decide_on_spot", "grant", "deny"})
# the types whose deciding step is taken on the draft's text (the hook below checks it, the
# head approves it): the text approved is the text issued, and no other draft may replace it
DECIDED_ON_TEXT = frozenset(DECISION_TYPES.values())


def _empty(values: Mapping[str, Any], name: str) -> bool:
    value = values.get(name)
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def missing(doc_type: str, values: Mapping[str, Any], *,
            only: Iterable[str] | None = None) -> list[Element]:
    """The type's elements not all present in ``values`` (each with the placeholders that
    are empty), then its required fields outside the elements that are empty (as an element
    of their own). ``only``: look at these placeholders only (e.g. the drafted ones)."""
    t = doctypes.doctype(doc_type)
    looked = set(only) if only is not None else None
    out: list[Element] = []
    covered: set[str] = set()
    for element in t.elements:
        covered.update(element.placeholders)
        empty = tuple(p for p in element.placeholders
                      if (looked is None or p in looked) and _empty(values, p))
        if empty:
            out.append(Element(element.label, empty, element.source))
    for f in t.fields:
        if f.required and f.name not in covered and (looked is None or f.name in looked) \
                and _empty(values, f.name):
            out.append(Element(f.label, (f.name,), t.source))
    return out


def split_reasons(found: list[Element]) -> tuple[list[str], list[Element]]:
    """The missing reasons (their Chinese names) and the other missing elements."""
    reasons: list[str] = []
    others: list[Element] = []
    for e in found:
        if e.placeholders and set(e.placeholders) <= set(REASONS) \
                and e.source == REASONS_ELEMENT.source:
            reasons.extend(e.placeholders)
        else:
            others.append(e)
    return reasons, others


def describe(elements: Iterable[Element]) -> str:
    """``label（empty placeholders）；…`` for a message."""
    return "；".join(f"{e.label}（{'、'.join(e.placeholders)}）" for e in elements)


def elements_detail(elements: Iterable[Element]) -> list[dict[str, Any]]:
    return [{"label": str(e.label), "placeholders": list(e.placeholders), "source": e.source}
            for e in elements]


def drafted_names(doc_type: str) -> list[str]:
    return [f.name for f in doctypes.doctype(doc_type).fields]


# --- the guard hook ---------------------------------------------------------------------------

def decision_document_hook(ctx: Any) -> list[Any]:
    """Refusals of the cases app's ``decision_document`` guard (``ctx``: its
    ``GuardContext``)."""
    action = ctx.action.code
    if action == "decide":
        doc_type = DECISION_TYPES.get(str(ctx.data.get("outcome") or ""))
        return _decision_refusals(ctx.case, doc_type) if doc_type else []
    if action == "decide_on_spot":
        return _serial_refusals(ctx.case, str(ctx.data.get("serial") or ""))
    return []


def _decision_documents(case: Any, doc_type: str) -> list[Document]:
    # issued first, then the latest draft
    return list(Document.objects.filter(case=case, doc_type=doc_type).exclude(
        state=DocumentState.VOIDED).order_by("-state", "-created_at", "-id"))


def decision_document_for(case: Any, outcome: str) -> Document | None:
    """The decision document a ``decide`` with ``outcome`` is made on (what the head
    approves): the first complete one the hook would accept, else the latest; None for an
    outcome without a document or a case without one."""
    doc_type = DECISION_TYPES.get(outcome)
    if doc_type is None:
        return None
    docs = _decision_documents(case, doc_type)
    names = drafted_names(doc_type)
    return next((d for d in docs if not missing(doc_type, d.fields, only=names)),
                docs[0] if docs else None)


def _decision_refusals(case: Any, doc_type: str) -> list[Any]:
    from zhifa.cases.guards import Refusal

    t = doctypes.doctype(doc_type)
    docs = _decision_documents(case, doc_type)
    if not docs:
        return [Refusal(
            "decision_document_missing",
            _("Draft the %(title)s first: the decision is made on its text.")
            % {"title": t.title}, t.source, detail={"doc_type": doc_type})]
    names = drafted_names(doc_type)
    problems = [(d, missing(doc_type, d.fields, only=names)) for d in docs]
    if any(not found for _d, found in problems):
        return []
    # none is complete: explain the one most recently worked on (issued first)
    doc, found = problems[0]
    reasons, others = split_reasons(found)
    refusals: list[Any] = []
    if reasons:
        refusals.append(Refusal(
            "decision_reasons_missing",
            _("The %(title)s must state its reasons: %(reasons)s.")
            % {"title": t.title, "reasons": "、".join(reasons)}, REASONS_ELEMENT.source,
            detail={"document": str(doc.public_id), "reasons": reasons}))
    if others:
        refusals.append(Refusal(
            "decision_elements_missing",
            _("The %(title)s lacks statutory elements: %(elements)s.")
            % {"title": t.title, "elements": describe(others)}, t.source,
            detail={"document": str(doc.public_id), "elements": elements_detail(others)}))
    return refusals


def _serial_refusals(case: Any, serial: str) -> list[Any]:
    from zhifa.cases.guards import Refusal

    from .serials import body_has_books, serial_problem

    if not body_has_books(case.body):
        return []
    problem = serial_problem(case.body, serial)
    if problem is None:
        return []
    return [Refusal(problem.code, problem.message, "行政处罚法第五十二条",
                    detail={"serial": serial})]


# --- the decision's text is the one approved --------------------------------------------------
#
# A general-procedure decision is approved by the head on the draft decision document (the
# hook above); the document issued must print what was approved. So a draft of a decision
# type is locked while an approval request of its deciding step is pending, and once that step
# is taken: for the types decided on their text always, for the others (a summary decision
# written on the spot, a licensing decision) when the draft existed when the step was taken.
# ``document_issue`` checks again that the draft was not changed after the step
# (``decision_changed_after_approval``).

Lock = Literal["pending", "decided"]


def deciding_actions(doc_type: str) -> tuple[str, ...]:
    """The deciding steps after which the type is issued (empty: not a decision type)."""
    t = doctypes.BY_CODE.get(doc_type)
    if t is None or t.issue_after is None:
        return ()
    actions = doctypes.ISSUE_AFTER_ANY.get(t.code, (t.issue_after[0],))
    return tuple(a for a in actions if a in DECIDING_ACTIONS)


def deciding_step(case_id: int, doc_type: str) -> CaseStep | None:
    """The case's latest deciding step of the type (None: not decided yet)."""
    actions = deciding_actions(doc_type)
    if not actions:
        return None
    return CaseStep.objects.filter(case_id=case_id, action__in=actions).order_by("-id").first()


def pending_decision(case_id: int, doc_type: str) -> ApprovalRequest | None:
    """The pending approval request of the type's deciding step, if any."""
    actions = deciding_actions(doc_type)
    if not actions:
        return None
    return ApprovalRequest.objects.filter(case_id=case_id, action__in=actions,
                                          status=ApprovalStatus.PENDING).order_by("-id").first()


def drafted_before(doc: Document, step: CaseStep) -> bool:
    """Whether ``doc`` existed when ``step`` was taken: by the order of their ledger entries
    (one global sequence), or by their times when one has no entry."""
    if doc.ledger_seq is not None and step.ledger_seq is not None:
        return doc.ledger_seq < step.ledger_seq
    return doc.created_at <= step.recorded_at


def decision_lock(doc: Document) -> Lock | None:
    """Why a draft decision document can no longer be changed: its deciding step is waiting
    for approval (``pending``) or was taken on it (``decided``); None: it can be."""
    if doc.state != DocumentState.DRAFT or not deciding_actions(doc.doc_type):
        return None
    if pending_decision(doc.case_id, doc.doc_type) is not None:
        return "pending"
    step = deciding_step(doc.case_id, doc.doc_type)
    if step is not None and (doc.doc_type in DECIDED_ON_TEXT or drafted_before(doc, step)):
        return "decided"
    return None


def lock_error(doc_type: str, lock: Lock, *, new: bool = False) -> ApplicationError:
    """The ``decision_draft_locked`` refusal of changing (or drafting anew) a decision."""
    title = doctypes.doctype(doc_type).title
    if lock == "pending":
        message = _("The decision has been submitted for approval on the text of the "
                    "%(title)s: it cannot be changed while the request is pending. Withdraw "
                    "the request or have it sent back to change it.")
    elif new:
        message = _("The decision has been made on the text of the %(title)s: a new one "
                    "can no longer be drafted. A decision draft is voided and drafted again "
                    "only before the decision; a decision is changed through the case.")
    else:
        message = _("The decision has been made on the text of the %(title)s: it can no "
                    "longer be changed. A decision draft is voided and drafted again only "
                    "before the decision; a decision is changed through the case.")
    return ApplicationError(message % {"title": title}, code="decision_draft_locked",
                            detail={"lock": lock, "doc_type": doc_type})


def require_unlocked(doc: Document) -> None:
    """Refuse ``decision_draft_locked`` to change a locked draft decision document."""
    lock = decision_lock(doc)
    if lock is not None:
        raise lock_error(doc.doc_type, lock)


def require_may_draft(case_id: int, doc_type: str) -> None:
    """Refuse ``decision_draft_locked`` to draft a decision document anew while its decision
    waits for approval, or (decided on its text) once it is made."""
    if not deciding_actions(doc_type):
        return
    if pending_decision(case_id, doc_type) is not None:
        raise lock_error(doc_type, "pending", new=True)
    if doc_type in DECIDED_ON_TEXT and deciding_step(case_id, doc_type) is not None:
        raise lock_error(doc_type, "decided", new=True)


def require_as_decided(doc: Document, step: CaseStep) -> None:
    """At issue: refuse ``decision_changed_after_approval`` when the draft's values were
    changed after its deciding step was taken, or (decided on its text) when the draft was
    made after it, so is not the text the decision was made on."""
    if step.action not in DECIDING_ACTIONS:
        return
    before = drafted_before(doc, step)
    if before and doc.updated_at <= step.recorded_at:
        return
    if not before and doc.doc_type not in DECIDED_ON_TEXT:
        return  # written after the step (on the spot, or a licence): nothing was approved
    title = doctypes.doctype(doc.doc_type).title
    if before:
        message = _("The %(title)s was changed after the decision was made on it: it is not "
                    "the text that was approved, and cannot be issued.")
    else:
        message = _("The %(title)s was drafted after the decision was made: it is not the "
                    "text that was approved, and cannot be issued.")
    raise ApplicationError(message % {"title": title}, code="decision_changed_after_approval",
                           detail={"step": step.action,
                                   "recorded_at": step.recorded_at.isoformat(),
                                   "updated_at": doc.updated_at.isoformat()})
