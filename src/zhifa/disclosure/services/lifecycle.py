"""A published record's end: withdrawn (APL art. 48: the decision changed, revoked, confirmed
illegal or void; within 3 working days of that event, with a public reason), ended early
(credit restoration, 信用修复), expired (its period over: ``publications_expire``, daily), and
what a voided decision document does to its publication.

Every end removes the record from the search index and sets ``changed_at``, which feeds and
exports follow so that downstream copies drop it too. The public reason of a withdrawal is
masked like the record (the clerk may name the party in it).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from zhifa.core.errors import InvalidInput
from zhifa.ledger.services import ledger_append

from .. import search
from ..events import (
    PUBLICATION_CANCELLED,
    PUBLICATION_ENDED,
    PUBLICATION_EXPIRED,
    PUBLICATION_WITHDRAWN,
)
from ..masking import MaskRules, mask_text
from ..models import Publication, State, WithdrawalKind
from .derive import known_for_publication, site_text
from .policy import policy_for
from .publish import locked, require_state

log = logging.getLogger(__name__)

WITHDRAW_RULE = "publicity_withdraw_3"
WITHDRAW_DAYS = 3
MAX_REASON = 2000
# the public reason of a publication withdrawn because its decision document was voided
VOIDED_REASON = gettext_noop("The deciding body revoked this decision document.")


def _masked_reason(pub: Publication, text: str) -> str:
    rules = MaskRules.from_policy(policy_for(pub.sector_id))
    masked, _masks = mask_text(text, rules=rules, known=known_for_publication(pub),
                               field="reason", health=True)
    return masked


def withdrawal_due(event_on: dt.date) -> dt.date:
    from zhifa.core.errors import ApplicationError
    from zhifa.workdays.calendar import deadline_for, period_end

    try:
        return deadline_for(rule=WITHDRAW_RULE, start=event_on).due
    except ApplicationError:
        return period_end(start=event_on, n=WITHDRAW_DAYS, unit="working_day").due


def _withdraw(pub: Publication, *, actor: Any, kind: str, reason: str, event_on: dt.date,
              due: dt.date, late_reason: str = "") -> Publication:
    now = timezone.now()
    pub.state = State.WITHDRAWN
    pub.withdrawal_kind, pub.withdrawal_reason = kind, reason
    pub.withdrawal_event_on, pub.withdrawal_due = event_on, due
    pub.withdrawal_late_reason = late_reason
    pub.withdrawn_on, pub.withdrawn_at, pub.changed_at = timezone.localdate(), now, now
    pub.save(update_fields=["state", "withdrawal_kind", "withdrawal_reason",
                            "withdrawal_event_on", "withdrawal_due", "withdrawal_late_reason",
                            "withdrawn_on", "withdrawn_at", "changed_at", "updated_at"])
    search.unindex_publication(pub)
    payload: dict[str, Any] = {
        "publication": str(pub.public_id), "decision_number": pub.decision_number,
        "kind": kind, "reason": reason, "event_on": event_on.isoformat(),
        "due": due.isoformat(), "withdrawn_on": pub.withdrawn_on.isoformat()}
    if late_reason:
        payload["late_reason"] = late_reason
    ledger_append(actor=actor, event=PUBLICATION_WITHDRAWN, stream=pub.case.stream,
                  body=pub.case.body, payload=payload)
    return pub


@transaction.atomic
def publication_withdraw(*, actor: Any, publication: Publication, kind: str, reason: str,
                         event_on: dt.date, late_reason: str = "") -> Publication:
    """Withdraw a published record (also one whose period ended and that the daily sweep has
    not reached yet). ``reason`` is public (masked); ``event_on`` is the day the decision was
    changed, revoked or confirmed illegal or void; after 3 working days from it
    ``late_reason`` is required (kept, masked, on the record and in the ledger entry)."""
    pub = locked(actor, publication)
    require_state(pub, State.PUBLISHED)
    today = timezone.localdate()
    reason = (reason or "").strip()
    late_reason = (late_reason or "").strip()
    errors: dict[str, str] = {}
    if kind not in WithdrawalKind.values:
        errors["kind"] = _("Choose what happened to the decision.")
    if not reason:
        errors["reason"] = _("Give the reason the public will read.")
    elif len(reason) > MAX_REASON:
        errors["reason"] = _("At most %(n)d characters.") % {"n": MAX_REASON}
    if not isinstance(event_on, dt.date):
        errors["event_on"] = _("Give the date.")
    elif event_on > today:
        errors["event_on"] = _("The date cannot be in the future.")
    elif event_on < pub.decision_date:
        errors["event_on"] = _("The date cannot be before the decision (%(day)s).") % {
            "day": pub.decision_date.isoformat()}
    if errors:
        code = "reason_required" if list(errors) == ["reason"] and not reason else (
            "event_on_invalid" if list(errors) == ["event_on"] else "invalid_fields")
        raise InvalidInput(_("Please correct the highlighted fields."), code=code,
                           detail=errors)
    due = withdrawal_due(event_on)
    if today > due and not late_reason:
        raise InvalidInput(
            _("The withdrawal was due on %(due)s: give the reason for withdrawing late.")
            % {"due": due.isoformat()}, code="late_reason_required",
            detail={"late_reason": _("Required after the deadline.")})
    return _withdraw(pub, actor=actor, kind=kind, reason=_masked_reason(pub, reason),
                     event_on=event_on, due=due,
                     late_reason=_masked_reason(pub, late_reason) if today > due else "")


@transaction.atomic
def publication_end_early(*, actor: Any, publication: Publication, reason: str,
                          ended_on: dt.date | None = None) -> Publication:
    """End a published record's period early (the party's credit restored). The record goes
    offline at once; its planned ``offline_on`` stays (the published record's digest covers
    it)."""
    pub = locked(actor, publication)
    require_state(pub, State.PUBLISHED)
    today = timezone.localdate()
    day = ended_on or today
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = _("Give the reason (the credit restoration decided).")
    elif len(reason) > MAX_REASON:
        errors["reason"] = _("At most %(n)d characters.") % {"n": MAX_REASON}
    if day > today:
        errors["ended_on"] = _("The date cannot be in the future.")
    elif pub.published_on and day < pub.published_on:
        errors["ended_on"] = _("The date cannot be before the publication (%(day)s).") % {
            "day": pub.published_on.isoformat()}
    if errors:
        raise InvalidInput(_("Please correct the highlighted fields."),
                           code="reason_required" if "reason" in errors and not reason
                           else "invalid_fields", detail=errors)
    now = timezone.now()
    pub.state, pub.ended_on = State.ENDED, day
    pub.end_reason = _masked_reason(pub, reason)
    pub.changed_at = now
    pub.save(update_fields=["state", "ended_on", "end_reason", "changed_at", "updated_at"])
    search.unindex_publication(pub)
    ledger_append(actor=actor, event=PUBLICATION_ENDED, stream=pub.case.stream,
                  body=pub.case.body, payload={
                      "publication": str(pub.public_id),
                      "decision_number": pub.decision_number, "ended_on": day.isoformat(),
                      "reason": pub.end_reason})
    return pub


def _expire_filter(today: dt.date) -> dict[str, Any]:
    return {"state": State.PUBLISHED, "offline_on__lte": today}


@transaction.atomic
def _expire_one(pk: int, today: dt.date) -> bool:
    pub = (Publication.objects.select_for_update(of=("self",))
           .select_related("case", "case__body").filter(pk=pk, **_expire_filter(today))
           .first())
    if pub is None:  # withdrawn, ended or expired meanwhile
        return False
    pub.state = State.EXPIRED
    pub.changed_at = timezone.now()
    pub.save(update_fields=["state", "changed_at", "updated_at"])
    search.unindex_publication(pub)
    ledger_append(actor=None, event=PUBLICATION_EXPIRED, stream=pub.case.stream,
                  body=pub.case.body, payload={
                      "publication": str(pub.public_id),
                      "decision_number": pub.decision_number,
                      "offline_on": pub.offline_on.isoformat() if pub.offline_on else None})
    return True


def publications_expire(*, today: dt.date | None = None) -> int:
    """Every published record whose period is over (``offline_on`` on or before today)
    becomes ``EXPIRED``, leaves the index and gets one ``disclosure.expired`` entry, each in
    its own transaction. Safe to run any number of times; ``today`` cannot run ahead of the
    clock. Returns how many expired."""
    today = min(today or timezone.localdate(), timezone.localdate())
    pks = list(Publication.objects.filter(**_expire_filter(today))
               .order_by("offline_on", "id").values_list("pk", flat=True))
    return sum(1 for pk in pks if _expire_one(pk, today))


def publication_on_document_voided(*, document: Any) -> Publication | None:
    """The decision document was voided (inside its transaction): a draft or withheld
    publication is cancelled; a published one is withdrawn at once (``revoked``, with a fixed
    public reason); any other is left as it is."""
    pk = getattr(document, "pk", None)
    pub = Publication.objects.filter(document_id=pk).first() if pk is not None else None
    if pub is None:
        return None
    # part of the void: a fault here refuses the void, so that a voided decision never stays
    # public
    return _voided(pub.pk, document)


def _voided(pk: int, document: Any) -> Publication:
    pub = (Publication.objects.select_for_update(of=("self",))
           .select_related("case", "case__body").get(pk=pk))
    actor = getattr(document, "voided_by", None)
    if pub.state in (State.DRAFT, State.WITHHELD):
        was = pub.state
        pub.state = State.CANCELLED
        pub.save(update_fields=["state", "updated_at"])
        ledger_append(actor=actor, event=PUBLICATION_CANCELLED, stream=pub.case.stream,
                      body=pub.case.body, payload={
                          "publication": str(pub.public_id),
                          "decision_number": pub.decision_number, "was": was})
        return pub
    if pub.state == State.PUBLISHED:
        today = timezone.localdate()
        return _withdraw(pub, actor=actor, kind=WithdrawalKind.REVOKED,
                         reason=site_text(gettext_lazy(VOIDED_REASON)), event_on=today,
                         due=withdrawal_due(today))
    return pub

