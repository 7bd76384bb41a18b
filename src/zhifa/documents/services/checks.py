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
from typing import Any

from django.utils.translation import gettext as _

from .. import doctypes
from ..doctypes import REASONS_ELEMENT, Element
from ..models import Document, DocumentState

# the general procedure's decision outcomes that need a decision document, and its type
DECISION_TYPES = {"penalty": "penalty_decision", "no_penalty": "no_penalty_decision"}
REASONS = REASONS_ELEMENT.placeholders


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


def _decision_refusals(case: Any, doc_type: str) -> list[Any]:
    from zhifa.cases.guards import Refusal

    t = doctypes.doctype(doc_type)
    docs = list(Document.objects.filter(case=case, doc_type=doc_type).exclude(
        state=DocumentState.VOIDED).order_by("-state", "-created_at", "-id"))
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
