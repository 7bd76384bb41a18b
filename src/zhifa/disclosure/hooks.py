"""The disclosure app's listeners on the documents app: a decision document issued drafts its
publication; a decision document voided cancels the draft or withdraws the published record
(see ``services.derive`` and ``services.lifecycle``)."""

from __future__ import annotations

from typing import Any

from zhifa.documents import hooks as document_hooks


def _issued(document: Any) -> None:
    from .services.derive import publication_draft_for_document

    publication_draft_for_document(document=document)


def _voided(document: Any) -> None:
    from .services.lifecycle import publication_on_document_voided

    publication_on_document_voided(document=document)


def register_hooks() -> None:
    document_hooks.register_issued_listener("disclosure", _issued)
    document_hooks.register_voided_listener("disclosure", _voided)
