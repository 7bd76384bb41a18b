"""Open data: the published enforcement decisions as JSON under ``/api/v1/public/`` (no login,
no cookies, no CSRF; answers may be cached by anyone for ``PUBLIC_MAX_AGE`` seconds).

The same records as the portal, the CSV files and the Atom feed (``zhifa.disclosure.exports``
builds them all): only published records in their publicity period, masked; never drafts,
withheld records or the original fields.

- ``GET /public/publications``: the public records, newest decision first (ranked by
  relevance when ``q`` is given); filters ``q``, ``body`` (a body's public id), ``region``
  (a region code: that region and those under it), ``category``, ``date_from``/``date_to``
  (decision date); ``page`` from 1, ``per_page`` 1–100. The answer is ``{count,
  count_is_estimate, page, per_page, items}``; a page past the last is empty, and so is any
  page after the 10,000th (a full copy follows the change log instead).
- ``GET /public/publications/{public_id}``: one record; 404 ``publication_not_found`` for
  anything that is not and never was public (unknown, draft, withheld, malformed id); 410
  ``publication_withdrawn`` when it was withdrawn (detail: the public reason; gone for good);
  404 ``publication_ended`` (ended early, credit restored) or ``publication_expired`` (its
  publicity period is over), as the portal answers for those records.
- ``GET /public/withdrawals``: withdrawn records (number, body, day, public reason), newest
  first; paged like the list.
- ``GET /public/changes?since=<ISO datetime>&after=<id>``: what a downstream copy (a credit
  platform) polls: every record whose public state changed after the cursor, oldest first,
  each with its id, state (``published``, ``withdrawn``, ``ended``, ``expired``) and time; a
  published one carries its record, the others no content (a withdrawn one its public
  reason). Ask again with ``next_since``/``next_after`` while ``more`` is true. Changes
  younger than a few seconds (``until``) come in the next answer, so that a reader's cursor
  never passes a change still being committed. Expiry takes effect at the start of
  ``offline_on`` (Asia/Shanghai).

Errors: 404 ``publication_not_found``, ``publication_ended``, ``publication_expired``; 410
``publication_withdrawn``; 405 ``method_not_allowed``; 422
``invalid_payload`` (a malformed filter, a page out of range).
"""

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from zhifa.disclosure import exports
from zhifa.disclosure.models import Category, Publication, State, WithdrawalKind
from zhifa.disclosure.selectors import (
    public_publication,
    public_tombstone,
    public_withdrawals,
)

from .common import BodyRefOut, ErrorOut, RegionRefOut, SectorRefOut

router = Router(tags=["open data"], auth=None)

PUBLIC_MAX_AGE = 60
MAX_PAGE = 10_000


def _public(response: HttpResponse) -> None:
    response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    patch_vary_headers(response, ("Cookie",))  # the language of error messages


def _error(status: int, code: str, message: str, detail: object = None) -> Status:
    return Status(status, {"code": code, "message": message, "detail": detail})


def stamp(moment: dt.datetime | None) -> str | None:
    """A time to the microsecond (the JSON encoder would cut it to milliseconds, and a
    cursor must name the exact time of the last change)."""
    return moment.isoformat(timespec="microseconds") if moment is not None else None


# -- schemas ---------------------------------------------------------------------------------

PAGING = (
    "Paged by page number: `page` counts from 1, `per_page` defaults to 20 and is capped at "
    "100. The answer is `{count, page, per_page, items}` where `count` is the number of "
    "matching records; a page past the last (however large its number) answers 200 with "
    "the true `count` and an empty `items` list. A page below 1, or a number too long to "
    "read, is 422 `invalid_payload`."
)
DEEP_PAGES = (
    f"Pages after the {MAX_PAGE:,}th are empty: narrow the filters (e.g. by decision date), "
    "or follow `/public/changes` to keep a full copy. `count_is_estimate` is true when "
    "`count` is a lower bound (a very broad search)."
)


class PagingIn(Schema):
    page: int = Field(1, ge=1)
    per_page: int = Field(20, ge=1, le=100)


class PublicationListIn(PagingIn):
    q: str = Field("", max_length=200)
    body: uuid.UUID | None = None  # a body's public id
    region: str | None = Field(None, max_length=9)  # a region code: it and those under it
    category: Category | None = None
    date_from: dt.date | None = None  # decision date
    date_to: dt.date | None = None


class RecordFieldsOut(Schema):
    """The published (masked) fields; keys as in ``zhifa.disclosure.fields``."""

    agency: str
    agency_credit_code: str
    party: str
    party_type: str
    party_credit_code: str
    legal_representative: str
    category: str
    conclusion: str
    decision_number: str
    facts: str
    basis: str
    result: str
    decision_date: str


class PublicationOut(Schema):
    public_id: uuid.UUID
    title: str
    category: str
    category_label: str
    decision_number: str
    decision_date: dt.date
    body: BodyRefOut
    region: RegionRefOut
    sector: SectorRefOut | None
    party: str
    party_credit_code: str
    fine_fen: int | None
    confiscation_fen: int | None
    fields: RecordFieldsOut
    published_on: dt.date | None
    offline_on: dt.date | None  # the first day it is no longer public
    period_months: int | None
    content_digest: str
    ledger_seq: int | None
    portal_path: str
    is_demo: bool


class PublicationPageOut(Schema):
    count: int
    count_is_estimate: bool
    page: int
    per_page: int
    items: list[PublicationOut]


class WithdrawalOut(Schema):
    publication: uuid.UUID
    decision_number: str
    category: str
    decision_date: dt.date
    body: BodyRefOut
    withdrawal_kind: str
    withdrawal_kind_label: str
    reason: str
    withdrawn_on: dt.date | None
    changed_at: str | None  # ISO 8601, to the microsecond


class WithdrawalPageOut(Schema):
    count: int
    page: int
    per_page: int
    items: list[WithdrawalOut]


class ChangesIn(Schema):
    since: dt.datetime | None = None  # naive times are Asia/Shanghai
    after: uuid.UUID | None = None  # the last publication seen at exactly ``since``
    limit: int = Field(100, ge=1, le=exports.CHANGES_MAX)


class ChangeOut(Schema):
    publication: uuid.UUID
    state: str  # published | withdrawn | ended | expired
    changed_at: str  # ISO 8601, to the microsecond
    decision_number: str
    body: BodyRefOut
    record: PublicationOut | None  # published only
    withdrawal_kind: str  # withdrawn only
    withdrawal_reason: str  # withdrawn only


class ChangesOut(Schema):
    items: list[ChangeOut]
    more: bool
    until: str  # changes after this time come in a later answer
    next_since: str | None  # ask with these next (the last change's time and id)
    next_after: uuid.UUID | None


# -- shaping ---------------------------------------------------------------------------------

def _kind_label(kind: str) -> str:
    return str(WithdrawalKind(kind).label) if kind in WithdrawalKind.values else kind


def withdrawal_out(pub: Publication) -> dict[str, Any]:
    return {"publication": pub.public_id, "decision_number": pub.decision_number,
            "category": pub.category, "decision_date": pub.decision_date,
            "body": {"public_id": pub.body.public_id, "name": pub.body.name},
            "withdrawal_kind": pub.withdrawal_kind,
            "withdrawal_kind_label": _kind_label(pub.withdrawal_kind),
            "reason": pub.withdrawal_reason, "withdrawn_on": pub.withdrawn_on,
            "changed_at": stamp(pub.changed_at)}


def change_out(change: exports.Change) -> dict[str, Any]:
    pub = change.publication
    withdrawn = change.state == State.WITHDRAWN
    return {"publication": pub.public_id, "state": change.state, "changed_at": stamp(change.at),
            "decision_number": pub.decision_number,
            "body": {"public_id": pub.body.public_id, "name": pub.body.name},
            "record": (exports.record_data(pub) if change.state == State.PUBLISHED
                       else None),
            "withdrawal_kind": pub.withdrawal_kind if withdrawn else "",
            "withdrawal_reason": pub.withdrawal_reason if withdrawn else ""}


def tombstone_error(pub: Publication) -> Status:
    """The answer for a record that was public and is no longer: 410 when withdrawn, 404
    when its publicity ended (the portal's statuses)."""
    base = {"publication": str(pub.public_id), "decision_number": pub.decision_number}
    if pub.state == State.WITHDRAWN:
        return _error(410, "publication_withdrawn", _("This publication was withdrawn."),
                           {**base, "withdrawal_kind": pub.withdrawal_kind,
                            "withdrawal_kind_label": _kind_label(pub.withdrawal_kind),
                            "reason": pub.withdrawal_reason,
                            "withdrawn_on": (pub.withdrawn_on.isoformat()
                                             if pub.withdrawn_on else None)})
    if pub.state == State.ENDED:
        return _error(404, "publication_ended",
                           _("The publicity of this decision ended early."),
                           {**base, "ended_on": (pub.ended_on.isoformat()
                                                 if pub.ended_on else None)})
    return _error(404, "publication_expired",
                       _("The publicity period of this decision is over."),
                       {**base, "offline_on": (pub.offline_on.isoformat()
                                               if pub.offline_on else None)})


def _not_found() -> Status:
    return _error(404, "publication_not_found", _("No public record has this id."))


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


# -- endpoints -------------------------------------------------------------------------------

@router.get("/public/publications", response={200: PublicationPageOut, 422: ErrorOut},
            operation_id="search_publications", summary="Published decisions (open data)",
            description="The published records in their publicity period, newest decision "
                        "first, or by relevance to `q`.\n\n" + PAGING + "\n\n" + DEEP_PAGES)
def publications_list(request: HttpRequest, response: HttpResponse,
                      filters: Query[PublicationListIn]) -> Any:
    _public(response)
    resolved = exports.resolve_filters(
        q=filters.q, body=filters.body, region=filters.region,
        category=filters.category.value if filters.category else None,
        date_from=filters.date_from, date_to=filters.date_to)
    if resolved is None:
        return {"count": 0, "count_is_estimate": False, "page": filters.page,
                "per_page": filters.per_page, "items": []}
    if filters.page > MAX_PAGE:  # never a deep offset: the count only
        found = resolved.search(page=1, per_page=1)
        items: list[Publication] = []
    else:
        found = resolved.search(page=filters.page, per_page=filters.per_page)
        items = found.items
    return {"count": found.total, "count_is_estimate": found.total_is_estimate,
            "page": filters.page, "per_page": filters.per_page,
            "items": [exports.record_data(p) for p in items]}


@router.get("/public/publications/{public_id}",
            response={200: PublicationOut, 404: ErrorOut, 410: ErrorOut},
            operation_id="public_publication", summary="One published decision",
            description="404 `publication_not_found`: not public and never was (or a "
                        "malformed id). 410 `publication_withdrawn`: withdrawn (detail: "
                        "kind, public reason, day). 404 `publication_ended` (ended early, "
                        "credit restored) or `publication_expired` (publicity period over).")
def publication_detail(request: HttpRequest, response: HttpResponse, public_id: str) -> Any:
    _public(response)
    key = _uuid(public_id)
    if key is None:
        return _not_found()
    pub = public_publication(key)
    if pub is not None:
        return exports.record_data(pub)
    gone = public_tombstone(key)
    return tombstone_error(gone) if gone is not None else _not_found()


@router.get("/public/withdrawals", response={200: WithdrawalPageOut, 422: ErrorOut},
            operation_id="public_withdrawals", summary="Withdrawn publications",
            description="Withdrawn records (number, body, day, public reason; never their "
                        "content), the latest first.\n\n" + PAGING)
def withdrawals_list(request: HttpRequest, response: HttpResponse,
                     paging: Query[PagingIn]) -> Any:
    _public(response)
    qs = public_withdrawals().order_by("-changed_at", "-id")
    count = qs.count()
    offset = (paging.page - 1) * paging.per_page
    items = list(qs[offset:offset + paging.per_page]) if offset < count else []
    return {"count": count, "page": paging.page, "per_page": paging.per_page,
            "items": [withdrawal_out(p) for p in items]}


@router.get("/public/changes", response={200: ChangesOut, 422: ErrorOut},
            operation_id="publication_changes", summary="Changes of the public records",
            description="For a copy kept in step (e.g. a credit platform): every record "
                        "whose public state changed after the cursor, oldest first: its id, "
                        "state (`published`, `withdrawn`, `ended`, `expired`) and time; a "
                        "published one with its record, the others without content (a "
                        "withdrawn one with its public reason): delete them from the copy. "
                        "`since`: an ISO 8601 time (without an offset: Beijing time); "
                        "`after`: the last id seen at exactly `since` (without it, every "
                        "change at `since` is included). Ask again with `next_since` and "
                        "`next_after` while `more` is true. Changes later than `until` (a "
                        "few seconds ago) come in a later answer. An expiry takes effect at "
                        "the start of `offline_on` (Beijing time).")
def changes_list(request: HttpRequest, response: HttpResponse,
                 cursor: Query[ChangesIn]) -> Any:
    _public(response)
    page = exports.publication_changes(since=cursor.since, after=cursor.after,
                                       limit=cursor.limit)
    return {"items": [change_out(c) for c in page.items], "more": page.more,
            "until": stamp(page.until), "next_since": stamp(page.next_since),
            "next_after": page.next_after}
