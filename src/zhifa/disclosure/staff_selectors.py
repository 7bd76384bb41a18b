"""What staff read of publications, always scoped by the user's organisation and role.

- system administrators see every publication;
- supervisors (``Perm.SUPERVISE``) those of the bodies under their body's region (read
  only: acting needs ``Perm.PUBLISH`` in the publication's body, which the services check);
- publicity clerks, heads and officers those of their own body.
Anything outside that scope is "not found". Public surfaces never use this module: they read
``selectors`` (the published, masked columns only).

- ``publication_queue``: the clerk's work list in buckets (drafts overdue, due within
  ``DUE_SOON_WORKING_DAYS`` working days, other drafts; withheld; published; closed);
- ``publication_entries``: the publication's own ledger entries (from its case's stream).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhifa.core.errors import NotFound
from zhifa.ledger.events import render_event
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.permissions import Perm, perms_of
from zhifa.orgs.selectors import visible_bodies
from zhifa.workdays.calendar import period_end

from .fields import FIELDS
from .models import Category, Publication, State
from .periods import offline_on, period_for
from .services.policy import policy_for

# a draft is "due soon" when its deadline ends within this many working days
DUE_SOON_WORKING_DAYS = 2
DRAFT_BUCKETS = ("overdue", "due_soon", "drafts")
# rows shown per bucket of records that need no action (the state filter lists them all)
BUCKET_LIMIT = 50
# the states of a record that is no longer (or never was) public and needs no action
CLOSED_STATES: tuple[str, ...] = (State.ENDED, State.WITHDRAWN, State.EXPIRED, State.CANCELLED)
# the ledger events of one publication (8001-8010; the others are reports and policies)
PUBLICATION_EVENTS = range(8001, 8011)
# what each kind of mask hides (the masking engine's kinds)
MASK_KINDS: dict[str, Any] = {
    "id_number": _("ID number"),
    "phone": _("Phone number"),
    "address": _("Address"),
    "bank_account": _("Bank account"),
    "health": _("Health information"),
    "third_party": _("Third party's name"),
    "person_name": _("Natural person's name (partly masked)"),
    "extra": pgettext_lazy("mask kind", "Term added by the clerk"),
}
# the heavy columns a list never needs
_LIST_DEFER = ("original", "public", "masks", "extra_terms")


def visible_publications(user: Any) -> QuerySet[Publication]:
    perms = perms_of(user)
    qs = Publication.objects.select_related("body", "region", "sector", "case")
    if Perm.ADMINISTER_SYSTEM in perms:
        return qs
    if Perm.SUPERVISE in perms:
        return qs.filter(body__in=visible_bodies(user))
    if perms & {Perm.PUBLISH, Perm.VIEW_CASES}:
        return qs.filter(body_id=user.person.body_id)
    return qs.none()


def publication_get_for_user(*, user: Any, public_id: Any) -> Publication:
    try:
        pid = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
        return visible_publications(user).select_related(
            "approved_by", "document").get(public_id=pid)
    except (ValueError, Publication.DoesNotExist):
        raise NotFound(_("Publication not found."), code="publication_not_found") from None


def may_act(user: Any, publication: Publication) -> bool:
    """Whether the user may change this publication (the services decide; pages only offer):
    ``PUBLISH`` in the publication's body, or a system administrator."""
    perms = perms_of(user)
    if Perm.ADMINISTER_SYSTEM in perms:
        return True
    return (Perm.PUBLISH in perms and getattr(user, "person_id", None) is not None
            and user.person.body_id == publication.body_id)


def publications_filtered(qs: QuerySet[Publication], *, state: str = "", category: str = "",
                          q: str = "", body: Any = None) -> QuerySet[Publication]:
    """``q``: part of the decision number, the title, the party as published or the case
    number."""
    if state:
        qs = qs.filter(state=state)
    if category:
        qs = qs.filter(category=category)
    if body:
        qs = qs.filter(body__public_id=body)
    text = (q or "").strip()
    if text:
        qs = qs.filter(Q(decision_number__icontains=text) | Q(title__icontains=text)
                       | Q(party_display__icontains=text) | Q(case__number__icontains=text))
    return qs


def due_soon_limit(today: dt.date) -> dt.date:
    return period_end(start=today, n=DUE_SOON_WORKING_DAYS, unit="working_day").due


@dataclass
class Bucket:
    key: str
    rows: list[Publication]
    count: int  # all matching rows (``rows`` may hold fewer)

    @property
    def truncated(self) -> bool:
        return self.count > len(self.rows)

    @property
    def of_drafts(self) -> bool:
        return self.key in DRAFT_BUCKETS


@dataclass
class Queue:
    """``overdue``: drafts past their deadline (``due_on`` before today); ``due_soon``: due
    within ``DUE_SOON_WORKING_DAYS`` working days; ``drafts``: the other drafts (each by due
    date); ``withheld``, ``published`` and ``closed`` (ended, withdrawn, expired, cancelled):
    the latest first, at most ``BUCKET_LIMIT`` rows each."""

    overdue: Bucket
    due_soon: Bucket
    drafts: Bucket
    withheld: Bucket
    published: Bucket
    closed: Bucket
    today: dt.date
    soon: dt.date
    buckets: list[Bucket] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.buckets = [self.overdue, self.due_soon, self.drafts, self.withheld,
                        self.published, self.closed]

    @property
    def total(self) -> int:
        return sum(b.count for b in self.buckets)

    @property
    def to_do(self) -> int:
        return self.overdue.count + self.due_soon.count + self.drafts.count


def _limited(key: str, qs: QuerySet[Publication], limit: int | None) -> Bucket:
    if limit is None:
        rows = list(qs)
        return Bucket(key=key, rows=rows, count=len(rows))
    rows = list(qs[:limit])
    count = len(rows) if len(rows) < limit else qs.count()
    return Bucket(key=key, rows=rows, count=count)


def publication_queue(user: Any, *, today: dt.date, state: str = "", category: str = "",
                      q: str = "", body: Any = None,
                      limit: int | None = BUCKET_LIMIT) -> Queue:
    """The user's publications in buckets (filters as ``publications_filtered``). Drafts are
    the work: every one is listed; the other buckets hold at most ``limit`` rows."""
    qs = publications_filtered(visible_publications(user), state=state, category=category,
                               q=q, body=body).defer(*_LIST_DEFER)
    soon = due_soon_limit(today)
    drafts = qs.filter(state=State.DRAFT).order_by("due_on", "decision_date", "id")
    latest = ("-decision_date", "-id")
    return Queue(
        overdue=_limited("overdue", drafts.filter(due_on__lt=today), None),
        due_soon=_limited("due_soon", drafts.filter(due_on__gte=today, due_on__lte=soon),
                          None),
        drafts=_limited("drafts", drafts.filter(due_on__gt=soon), None),
        withheld=_limited("withheld", qs.filter(state=State.WITHHELD).order_by(*latest),
                          limit),
        published=_limited("published", qs.filter(state=State.PUBLISHED)
                           .order_by("-published_on", "-id"), limit),
        closed=_limited("closed", qs.filter(state__in=CLOSED_STATES)
                        .order_by("-changed_at", *latest), limit),
        today=today, soon=soon)


# --- The record shown with its masks ----------------------------------------------------------
@dataclass(frozen=True)
class Segment:
    """A piece of a field's original text; ``kind`` set when it is masked."""

    text: str
    kind: str = ""
    replacement: str = ""


@dataclass(frozen=True)
class FieldView:
    key: str
    label: str
    original: str
    public: str
    segments: list[Segment]

    @property
    def masked(self) -> bool:
        return any(s.kind for s in self.segments)

    @property
    def changed(self) -> bool:
        return self.original != self.public


def _segments(text: str, masks: Iterable[dict[str, Any]]) -> list[Segment]:
    """``text`` cut at the masks' spans (overlapping or invalid spans are skipped: the first
    that starts wins)."""
    out: list[Segment] = []
    pos = 0
    spans = sorted(((int(m.get("start", 0)), int(m.get("end", 0)), m) for m in masks),
                   key=lambda s: (s[0], -s[1]))
    for start, end, m in spans:
        if start < pos or end <= start or end > len(text):
            continue
        if start > pos:
            out.append(Segment(text=text[pos:start]))
        out.append(Segment(text=text[start:end], kind=str(m.get("kind", "")) or "extra",
                           replacement=str(m.get("replacement", ""))))
        pos = end
    if pos < len(text) or not out:
        out.append(Segment(text=text[pos:]))
    return out


def record_fields(publication: Publication) -> list[FieldView]:
    """Every field of the record: the original cut into masked and plain pieces, and the
    published value."""
    by_field: dict[str, list[dict[str, Any]]] = {}
    for m in publication.masks or []:
        if isinstance(m, dict):
            by_field.setdefault(str(m.get("field", "")), []).append(m)
    original = publication.original or {}
    public = publication.public or {}
    return [FieldView(key=key, label=str(label), original=str(original.get(key, "") or ""),
                      public=str(public.get(key, "") or ""),
                      segments=_segments(str(original.get(key, "") or ""),
                                         by_field.get(key, [])))
            for key, label in FIELDS]


def mask_kind_label(kind: str) -> str:
    return str(MASK_KINDS.get(kind, kind))


# --- The publicity period ---------------------------------------------------------------------
@dataclass(frozen=True)
class PeriodView:
    """The publicity period: as set at approval, or the one approval would set on ``today``
    (``expected``)."""

    months: int | None
    basis: str
    starts: dt.date | None
    offline_on: dt.date | None
    expected: bool


def publication_period(publication: Publication, *, today: dt.date) -> PeriodView:
    pub = publication
    if pub.period_months is not None:
        return PeriodView(months=pub.period_months, basis=pub.period_basis,
                          starts=pub.published_on, offline_on=pub.offline_on, expected=False)
    if pub.state != State.DRAFT:
        return PeriodView(months=None, basis="", starts=None, offline_on=None, expected=False)
    # as ``services.publish.publication_approve`` computes it
    kinds = pub.case.final_kinds if pub.category == Category.PENALTY else []
    period = period_for(category=pub.category, kinds=kinds, fine=pub.fine,
                        policy=policy_for(pub.sector_id))
    return PeriodView(months=period.months, basis=period.basis, starts=today,
                      offline_on=offline_on(today, period.months), expected=True)


# --- The publication's ledger entries ---------------------------------------------------------
@dataclass(frozen=True)
class EntryLine:
    seq: int
    event_code: int
    text: str
    actor_name: str
    recorded_at: dt.datetime
    payload: dict[str, Any]


def publication_entries(publication: Publication) -> list[EntryLine]:
    """The entries about this publication on its case's stream, in order."""
    marker = str(publication.public_id)
    rows = (LedgerEntry.objects.filter(stream=publication.case.stream,
                                       event_code__in=list(PUBLICATION_EVENTS),
                                       payload__contains=marker)
            .order_by("seq").only("seq", "event_code", "actor_name", "recorded_at", "payload"))
    out = []
    for row in rows:
        try:
            payload = json.loads(row.payload)
        except ValueError:
            continue
        if str(payload.get("publication", "")) != marker:
            continue
        out.append(EntryLine(seq=row.seq, event_code=row.event_code,
                             text=render_event(row.event_code, payload),
                             actor_name=row.actor_name, recorded_at=row.recorded_at,
                             payload=payload))
    return out
