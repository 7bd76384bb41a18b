"""Services of publicity: every change to a publication, a policy or an annual report, each
in one transaction with its ledger entry. Keyword-only arguments; ``actor`` first.

The pipeline's services are re-exported here; the annual report's live in ``reports``."""

from .alerts import AlertSummary, publications_alert
from .derive import DECISION_TYPES, known_for, publication_draft_for_document
from .lifecycle import (
    publication_end_early,
    publication_on_document_voided,
    publication_withdraw,
    publications_expire,
)
from .policy import policy_create, policy_for, policy_update
from .publish import publication_approve, publication_mask_update, publication_withhold

__all__ = [
    "DECISION_TYPES",
    "AlertSummary",
    "known_for",
    "policy_create",
    "policy_for",
    "policy_update",
    "publication_approve",
    "publication_draft_for_document",
    "publication_end_early",
    "publication_mask_update",
    "publication_on_document_voided",
    "publication_withdraw",
    "publication_withhold",
    "publications_alert",
    "publications_expire",
]
