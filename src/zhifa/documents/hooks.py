"""The documents app's part of the cases app's guards: the decision step needs its draft
decision document, complete (see ``services.checks``)."""

from __future__ import annotations

from zhifa.cases import hooks


def register_case_hooks() -> None:
    from .services.checks import decision_document_hook

    hooks.register("decision_document", decision_document_hook)
