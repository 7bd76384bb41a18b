"""The fields of a published decision record, in the order the portal, the feeds and the
exports show them (118号 minimum: agency, target, category, conclusion; penalty records also
carry the decision number, facts, basis, result and date; 双公示 field names in
``exports``).

``Publication.original`` and ``Publication.public`` both hold a dict with exactly these keys
(strings; an empty string when a field does not apply). ``public_record`` is the exact
record the publication's ledger entry commits to: its canonical JSON (``ledger.canonical``)
hashed with the ledger's algorithm is ``Publication.content_digest``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from .models import Publication

# (key, label). Keys are stable: they are in ledger payloads, JSON, CSV and feeds.
FIELDS: tuple[tuple[str, Any], ...] = (
    ("agency", _("Enforcement body")),
    ("agency_credit_code", _("The body's unified social credit code")),
    ("party", pgettext_lazy("publication", "Party")),
    ("party_type", _("Party type")),
    ("party_credit_code", _("Unified social credit code")),
    ("legal_representative", _("Legal representative")),
    ("category", _("Enforcement category")),
    ("conclusion", _("Conclusion")),
    ("decision_number", _("Decision number")),
    ("facts", _("Facts")),
    ("basis", _("Legal basis")),
    ("result", pgettext_lazy("publication", "Result")),
    ("decision_date", _("Decision date")),
)
KEYS: tuple[str, ...] = tuple(k for k, _label in FIELDS)

# Free-text fields the masking engine scans (the others are structured and masked whole or
# not at all).
TEXT_KEYS: tuple[str, ...] = ("facts", "basis", "result", "conclusion")


def empty_fields() -> dict[str, str]:
    return dict.fromkeys(KEYS, "")


def public_record(pub: Publication) -> dict[str, Any]:
    """The record as published: what the portal shows and the ledger entry's digest covers.
    Only public data: the masked fields, the publication's id, its period."""
    return {
        "publication": str(pub.public_id),
        "fields": {k: pub.public.get(k, "") for k in KEYS},
        "fine_fen": pub.fine,
        "confiscation_fen": pub.confiscation,
        "published_on": pub.published_on.isoformat() if pub.published_on else None,
        "offline_on": pub.offline_on.isoformat() if pub.offline_on else None,
        "period_months": pub.period_months,
    }
