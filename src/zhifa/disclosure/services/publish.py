"""The publicity clerk's decisions on a draft: more terms masked, approved (published) or not
published (withheld). Each needs ``Perm.PUBLISH`` in the publication's body and a draft.

Approval publishes the record as it stands: published today, for the period of its rules
(``periods.period_for``), offline from ``offline_on``; its digest (the ledger's algorithm over
the canonical JSON of ``fields.public_record``) is recorded in the ``disclosure.published``
entry, whose payload holds no personal data (the portal shows it with its inclusion proof).
Publishing after the deadline needs a reason (``late_reason_required``).

What is published is masked under the rules in force at approval: should the policy, the
clerk's terms or the case's data (a third party served, a phone corrected) give another public
record or title than the draft's, approval is refused (``masking_changed``) until the clerk
refreshes the masking (``publication_mask_update`` with the same terms) and sees the result;
should the current rules withhold the decision (a minor; a warning only where the sector no
longer publishes warnings), it is refused (``publication_must_be_withheld``).
``draft_check`` tells the staff page the same, without a lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhifa.core.errors import ApplicationError, InvalidInput
from zhifa.ledger.canonical import canonical_json
from zhifa.ledger.merkle import hasher
from zhifa.ledger.services import ledger_append

from .. import search
from ..events import PUBLICATION_MASK_CHANGED, PUBLICATION_PUBLISHED, PUBLICATION_WITHHELD
from ..fields import public_record
from ..masking import clean_terms
from ..models import Category, Publication, State, WithholdReason
from ..periods import offline_on, period_for
from ._access import require_publisher
from .derive import (
    known_for_publication,
    masked,
    masked_title,
    site_text,
    title_for,
    withhold_reason_for,
)
from .policy import policy_for

MAX_TERMS = 50
MAX_TERM_LENGTH = 100
NOTE_REQUIRED = (WithholdReason.SECRET, WithholdReason.OTHER)


def locked(actor: Any, publication: Publication) -> Publication:
    """The publication under its row lock, once the actor may act on it (``_access``)."""
    require_publisher(actor, publication.body_id)
    return (Publication.objects.select_for_update(of=("self",))
            .select_related("case", "case__body", "body", "sector")
            .get(pk=publication.pk))


def require_state(pub: Publication, *states: str) -> None:
    if pub.state not in states:
        raise ApplicationError(
            _("This publication is “%(state)s”: this cannot be done now.")
            % {"state": pub.get_state_display()}, code="publication_state",
            detail={"state": pub.state, "allowed": list(states)})


def digest_of(pub: Publication, algorithm: str) -> str:
    """The digest of the published record (``fields.public_record``)."""
    data = canonical_json(public_record(pub)).encode()
    return hasher(algorithm).digest(data).hex()


def _algorithm() -> str:
    from zhifa.ledger.services.append import lock_head

    return lock_head().algorithm


@dataclass(frozen=True)
class Remasked:
    """A draft masked again from its original fields under the current rules."""

    public: dict[str, str]
    masks: list[dict[str, Any]]
    title: str


def remasked(pub: Publication, *, policy: Any) -> Remasked:
    """``pub``'s original fields and title masked with ``policy``, the case's current data
    and the clerk's terms (``pub.extra_terms``)."""
    known = known_for_publication(pub)
    public, masks = masked(pub.original, policy=policy, known=known)
    title = (masked_title(title_for(pub.case, pub.original), policy=policy, known=known)
             or pub.decision_number)[:300]
    return Remasked(public=public, masks=masks, title=title)


def _is_stale(pub: Publication, again: Remasked) -> bool:
    return again.public != pub.public or again.title != pub.title


@dataclass(frozen=True)
class DraftCheck:
    stale: bool = False       # the masking in force would publish another record
    withhold_reason: str = ""  # the rules in force withhold it (``WithholdReason``)


def draft_check(publication: Publication) -> DraftCheck:
    """What approval would refuse for a draft now (read only: for the staff page)."""
    if publication.state != State.DRAFT:
        return DraftCheck()
    policy = policy_for(publication.sector_id)
    reason = withhold_reason_for(publication.case, category=publication.category,
                                 decision_date=publication.decision_date, policy=policy)
    return DraftCheck(stale=_is_stale(publication, remasked(publication, policy=policy)),
                      withhold_reason=reason)


@transaction.atomic
def publication_mask_update(*, actor: Any, publication: Publication,
                            extra_terms: list[str]) -> Publication:
    """Mask ``extra_terms`` too (the clerk's list replaces the previous one): the public
    fields are masked again from the original ones."""
    pub = locked(actor, publication)
    require_state(pub, State.DRAFT)
    terms = clean_terms(extra_terms if isinstance(extra_terms, list | tuple) else [])
    if len(terms) > MAX_TERMS or any(len(t) > MAX_TERM_LENGTH for t in terms):
        message = _("At most %(n)d terms of at most %(len)d characters each.") % {
            "n": MAX_TERMS, "len": MAX_TERM_LENGTH}
        raise InvalidInput(_("Please correct the highlighted fields."), code="invalid_fields",
                           detail={"extra_terms": message})
    policy = policy_for(pub.sector_id)
    pub.extra_terms = terms
    again = remasked(pub, policy=policy)
    pub.public, pub.masks, pub.title = again.public, again.masks, again.title
    pub.party_display = pub.public.get("party", "")[:200]
    pub.save(update_fields=["extra_terms", "public", "masks", "title", "party_display",
                            "updated_at"])
    ledger_append(actor=actor, event=PUBLICATION_MASK_CHANGED, stream=pub.case.stream,
                  body=pub.case.body, payload={
                      "publication": str(pub.public_id),
                      "decision_number": pub.decision_number,
                      "extra_terms": len(terms), "masks": len(pub.masks)})
    return pub


@transaction.atomic
def publication_approve(*, actor: Any, publication: Publication,
                        late_reason: str = "") -> Publication:
    """Publish the draft today (see the module's docstring)."""
    pub = locked(actor, publication)
    require_state(pub, State.DRAFT)
    policy = policy_for(pub.sector_id)
    reason = withhold_reason_for(pub.case, category=pub.category,
                                 decision_date=pub.decision_date, policy=policy)
    if reason:
        raise ApplicationError(
            _("Under the current publicity rules this decision is not published (%(reason)s): "
              "record it as not published instead.")
            % {"reason": WithholdReason(reason).label}, code="publication_must_be_withheld",
            detail={"reason": reason})
    if _is_stale(pub, remasked(pub, policy=policy)):
        raise ApplicationError(
            _("The masking rules, the terms or the case's data changed since this draft was "
              "masked: refresh the masking, check the public record again, then approve."),
            code="masking_changed")
    today = timezone.localdate()
    late_reason = (late_reason or "").strip()
    late = today > pub.due_on
    if late and not late_reason:
        raise InvalidInput(
            _("The publication was due on %(due)s: give the reason for publishing late.")
            % {"due": pub.due_on.isoformat()}, code="late_reason_required",
            detail={"late_reason": _("Required after the deadline.")})
    kinds = pub.case.final_kinds if pub.category == Category.PENALTY else []
    period = period_for(category=pub.category, kinds=kinds, fine=pub.fine, policy=policy)
    now = timezone.now()
    pub.state = State.PUBLISHED
    pub.published_on, pub.published_at, pub.approved_by = today, now, actor
    pub.period_months, pub.period_basis = period.months, period.basis
    pub.offline_on = offline_on(today, period.months)
    pub.late_reason = late_reason if late else ""
    pub.changed_at = now
    algorithm = _algorithm()
    pub.content_digest = digest_of(pub, algorithm)
    pub.save()
    search.index_publication(pub)
    entry = ledger_append(actor=actor, event=PUBLICATION_PUBLISHED, stream=pub.case.stream,
                          body=pub.case.body, payload={
                              "publication": str(pub.public_id),
                              "decision_number": pub.decision_number,
                              "category": str(pub.category),
                              "body": str(pub.body.public_id),
                              "published_on": today.isoformat(),
                              "offline_on": pub.offline_on.isoformat(),
                              "content_digest": pub.content_digest,
                              "algorithm": algorithm})
    pub.ledger_seq = entry.seq
    pub.save(update_fields=["ledger_seq", "updated_at"])
    return pub


@transaction.atomic
def publication_withhold(*, actor: Any, publication: Publication, reason: str,
                         note: str = "") -> Publication:
    """Do not publish the draft, for ``reason`` (``WithholdReason``); a note is required for
    secrets and privacy and for other reasons. The note stays with the staff (not in the
    ledger entry)."""
    pub = locked(actor, publication)
    require_state(pub, State.DRAFT)
    note = (note or "").strip()
    errors = {}
    if reason not in WithholdReason.values:
        errors["reason"] = _("Choose a reason.")
    elif reason in NOTE_REQUIRED and not note:
        errors["note"] = _("Explain why it is not published.")
    if errors:
        raise InvalidInput(_("Please correct the highlighted fields."),
                           code="note_required" if "note" in errors else "invalid_fields",
                           detail=errors)
    pub.state = State.WITHHELD
    pub.withhold_reason, pub.withhold_note = reason, note
    pub.save(update_fields=["state", "withhold_reason", "withhold_note", "updated_at"])
    ledger_append(actor=actor, event=PUBLICATION_WITHHELD, stream=pub.case.stream,
                  body=pub.case.body, payload={
                      "publication": str(pub.public_id),
                      "decision_number": pub.decision_number, "category": str(pub.category),
                      "reason": reason,
                      "reason_label": site_text(WithholdReason(reason).label),
                      "automatic": False})
    return pub
