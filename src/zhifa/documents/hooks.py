"""The documents app's part of the cases app's guards: the decision step needs its draft
decision document, complete (see ``services.checks``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zhifa.cases import hooks


def register_case_hooks() -> None:
    from .services.checks import decision_document_hook

    hooks.register("decision_document", decision_document_hook)


# Checks other apps add before a document is numbered and issued (the reviews app: a decision
# document is not issued while its decision lacks the legal review it needs). Called as
# ``fn(case, doc_type, step)`` with the step the type is issued after (or None); a check
# raises an ``ApplicationError`` to refuse.
IssueCheck = Callable[[Any, str, Any], None]
_issue_checks: dict[str, IssueCheck] = {}


def register_issue_check(name: str, fn: IssueCheck) -> None:
    _issue_checks[name] = fn


def run_issue_checks(case: Any, doc_type: str, step: Any) -> None:
    for fn in list(_issue_checks.values()):
        fn(case, doc_type, step)


# Listeners other apps add to a document's issue and void, called inside the transaction that
# issues or voids it, after its ledger entry (the disclosure app: a decision document issued
# drafts its publication; voided, it cancels or withdraws it). Called as ``fn(document)``;
# whatever they write commits or rolls back with the document.
DocumentListener = Callable[[Any], None]
_issued_listeners: dict[str, DocumentListener] = {}
_voided_listeners: dict[str, DocumentListener] = {}


def register_issued_listener(name: str, fn: DocumentListener) -> None:
    _issued_listeners[name] = fn


def register_voided_listener(name: str, fn: DocumentListener) -> None:
    _voided_listeners[name] = fn


def run_issued_listeners(document: Any) -> None:
    for fn in list(_issued_listeners.values()):
        fn(document)


def run_voided_listeners(document: Any) -> None:
    for fn in list(_voided_listeners.values()):
        fn(document)
