"""What the public may see. Every public surface (portal pages, the public API, CSV, feeds,
exports) reads publications through these functions and nothing else, so that a draft, a
withheld record, an expired or ended one, or the original (unmasked) fields can never reach
it by another path.

A record is public from its publication day until the day before ``offline_on``, judged by
today's local date at read time: it goes offline on time even if the expiry sweep has not
run yet."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import QuerySet
from django.utils import timezone

from .models import AnnualReport, Publication, ReportState, State

# The columns a public list may load (never ``original`` or ``masks``).
PUBLIC_COLUMNS: tuple[str, ...] = (
    "id", "public_id", "body_id", "region_id", "sector_id", "category", "state",
    "decision_number", "decision_date", "title", "party_display", "party_credit_code",
    "fine", "confiscation", "public", "published_on", "published_at", "period_months",
    "offline_on", "content_digest", "ledger_seq", "changed_at", "is_demo",
    "withdrawal_kind", "withdrawal_reason", "withdrawn_on", "ended_on")


def today() -> dt.date:
    return timezone.localdate()


def public_publications(*, on: dt.date | None = None) -> QuerySet[Publication]:
    """Published records in their publicity period on ``on`` (default today)."""
    day = on or today()
    return (Publication.objects.filter(state=State.PUBLISHED, published_on__lte=day,
                                       offline_on__gt=day)
            .only(*PUBLIC_COLUMNS).select_related("body", "region", "sector"))


def public_publication(public_id: uuid.UUID | str, *,
                       on: dt.date | None = None) -> Publication | None:
    """One public record, or None (unknown, not yet published, withheld, offline...)."""
    try:
        return public_publications(on=on).get(public_id=public_id)
    except (Publication.DoesNotExist, ValueError):
        return None


def public_withdrawals() -> QuerySet[Publication]:
    """Withdrawn records that had been public: the public sees the decision number, the
    agency, the day and the public reason; never the withdrawn content."""
    return (Publication.objects.filter(state=State.WITHDRAWN, published_on__isnull=False)
            .only(*PUBLIC_COLUMNS).select_related("body", "region"))


def public_tombstone(public_id: uuid.UUID | str) -> Publication | None:
    """A record that was public and no longer is (withdrawn, ended early or expired): its
    detail address answers with the reason instead of the content."""
    try:
        pub = (Publication.objects.only(*PUBLIC_COLUMNS).select_related("body")
               .get(public_id=public_id, published_on__isnull=False))
    except (Publication.DoesNotExist, ValueError):
        return None
    if pub.state == State.PUBLISHED and pub.offline_on and pub.offline_on > today():
        return None  # still public: not a tombstone
    return pub


def public_reports() -> QuerySet[AnnualReport]:
    return (AnnualReport.objects.filter(state=ReportState.PUBLISHED)
            .select_related("body", "body__region"))


def were_public() -> QuerySet[Publication]:
    """Every record that has been public (published, and since withdrawn, ended or expired
    or still public), with the public columns only: what the change log of downstream copies
    (``exports.publication_changes``) reads. The content of a record no longer public is
    never shown from it, only its state and time."""
    return (Publication.objects.filter(published_on__isnull=False, state__in=(
        State.PUBLISHED, State.WITHDRAWN, State.ENDED, State.EXPIRED))
            .only(*PUBLIC_COLUMNS).select_related("body", "region", "sector"))
