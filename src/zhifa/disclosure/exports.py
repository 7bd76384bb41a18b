"""Open data: the rows every public copy of the records is built from (the JSON API, the CSV
files, the 双公示 credit export, the Atom feed), so that all copies say the same thing, and
the change log a downstream copy (a credit platform, a feed reader) follows to stay in step.

Only public data: every row is built from ``Publication.public`` and the denormalised public
columns (``selectors.PUBLIC_COLUMNS``), never from ``original`` or ``masks``. The record lists
come from ``search.search_publications`` (the public visibility rule); the change log reads
records that *were* public (``published_on`` set) and, for those no longer public, only their
identity, state and time.

A record's change is its latest public state and the time it took it:
- ``published``: public now; time = ``changed_at`` (set at approval);
- ``withdrawn``/``ended``: time = ``changed_at`` (set by the withdrawal / early end);
- ``expired``: the publicity period is over; time = the start of ``offline_on`` (local
  midnight, Asia/Shanghai), whether or not the expiry sweep has run: the record leaves every
  copy when it leaves the portal.
Changes are ordered by (time, publication id); a cursor is the last pair a reader has seen.
"""

from __future__ import annotations

import csv
import datetime as dt
import heapq
import io
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from zhifa.orgs.models import EnforcementBody, Region

from .fields import KEYS
from .models import Category, Publication, State
from .search import SearchPage, search_publications
from .selectors import were_public

# Rows per export request: a larger set is asked for by date range (``date_from``/``date_to``).
EXPORT_MAX_ROWS = 10_000
# Rows fetched from the search per round trip while an export streams.
EXPORT_CHUNK = 500
# Changes per answer of the change log, and the feed's length.
CHANGES_MAX = 1000
FEED_ENTRIES = 50
# The change log answers only changes at least this old, so that a change committed by a
# slow transaction (its ``changed_at`` is taken before the commit) is never behind a
# reader's cursor when it becomes visible.
SETTLE_SECONDS = 30

PORTAL_DETAIL = "/portal/publications/{public_id}/"


def portal_path(pub: Publication) -> str:
    return PORTAL_DETAIL.format(public_id=pub.public_id)


# -- amounts and dates --------------------------------------------------------------------------

def wan_yuan(fen: int | None) -> str:
    """An amount in fen as 万元 (10,000 yuan) with 6 decimals, exact: 500000 -> '0.500000'."""
    if fen is None:
        return ""
    return f"{(Decimal(fen) / Decimal(1_000_000)).quantize(Decimal('0.000001'))}"


def last_public_day(pub: Publication) -> dt.date | None:
    return pub.offline_on - dt.timedelta(days=1) if pub.offline_on else None


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def local_tz() -> dt.tzinfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=local_tz())


# -- one record as data -------------------------------------------------------------------------

def record_fields(pub: Publication) -> dict[str, str]:
    """The public fields, every key present, in the order of ``fields.FIELDS``."""
    return {k: str(pub.public.get(k, "") or "") for k in KEYS}


def record_data(pub: Publication) -> dict[str, Any]:
    """A public record for the JSON API, the change log and the feed."""
    return {
        "public_id": pub.public_id,
        "title": pub.title,
        "category": pub.category,
        "category_label": str(Category(pub.category).label),
        "decision_number": pub.decision_number,
        "decision_date": pub.decision_date,
        "body": {"public_id": pub.body.public_id, "name": pub.body.name},
        "region": {"code": pub.region.code, "name": pub.region.name,
                   "level": pub.region.level},
        "sector": ({"code": pub.sector.code, "name": pub.sector.name}
                   if pub.sector is not None else None),
        "party": pub.party_display,
        "party_credit_code": pub.party_credit_code,
        "fine_fen": pub.fine,
        "confiscation_fen": pub.confiscation,
        "fields": record_fields(pub),
        "published_on": pub.published_on,
        "offline_on": pub.offline_on,
        "period_months": pub.period_months,
        "content_digest": pub.content_digest,
        "ledger_seq": pub.ledger_seq,
        "portal_path": portal_path(pub),
        "is_demo": pub.is_demo,
    }


# -- CSV of the public records ---------------------------------------------------------------------
# The columns are part of the file format that programs read: fixed Chinese names that do
# not change with the reader's language (like the 双公示 names below).

CSV_COLUMNS: tuple[tuple[str, Callable[[Publication, dict[str, str]], str]], ...] = (
    ("公示编号", lambda p, f: str(p.public_id)),
    ("标题", lambda p, f: p.title),
    ("公示类别", lambda p, f: p.category),
    ("执法机关", lambda p, f: f["agency"]),
    ("执法机关统一社会信用代码", lambda p, f: f["agency_credit_code"]),
    ("行政相对人", lambda p, f: p.party_display),
    ("行政相对人类别", lambda p, f: f["party_type"]),
    ("统一社会信用代码", lambda p, f: p.party_credit_code),
    ("法定代表人", lambda p, f: f["legal_representative"]),
    ("执法类别", lambda p, f: f["category"]),
    ("执法结论", lambda p, f: f["conclusion"]),
    ("决定书文号", lambda p, f: p.decision_number),
    ("违法事实", lambda p, f: f["facts"]),
    ("依据", lambda p, f: f["basis"]),
    ("结果", lambda p, f: f["result"]),
    ("决定日期", lambda p, f: _iso(p.decision_date)),
    ("罚款金额（元）", lambda p, f: _yuan(p.fine)),
    ("没收金额（元）", lambda p, f: _yuan(p.confiscation)),
    ("公示日期", lambda p, f: _iso(p.published_on)),
    ("公示截止日期", lambda p, f: _iso(last_public_day(p))),
    ("公示期限（月）", lambda p, f: "" if p.period_months is None else str(p.period_months)),
    ("区划代码", lambda p, f: p.region.code),
    ("内容摘要值", lambda p, f: p.content_digest),
    ("详情地址", lambda p, f: portal_path(p)),
)


def _yuan(fen: int | None) -> str:
    """Plain yuan with 2 decimals (no thousands separator: a number for spreadsheets)."""
    if fen is None:
        return ""
    return f"{(Decimal(fen) / Decimal(100)).quantize(Decimal('0.01'))}"


def csv_row(pub: Publication) -> list[str]:
    fields = record_fields(pub)
    return [get(pub, fields) for _name, get in CSV_COLUMNS]


# -- 双公示: the credit-publicity penalty record ------------------------------------------------
# Field names as the credit platforms' import files name them. Natural persons: no ID type or
# number; the name as published (partly masked); no credit code.

CREDIT_COLUMNS: tuple[tuple[str, Callable[[Publication, dict[str, str]], str]], ...] = (
    ("行政相对人名称", lambda p, f: p.party_display),
    ("行政相对人类别", lambda p, f: f["party_type"]),
    ("统一社会信用代码", lambda p, f: p.party_credit_code),
    ("法定代表人", lambda p, f: f["legal_representative"]),
    ("行政处罚决定书文号", lambda p, f: p.decision_number),
    ("违法行为类型", lambda p, f: p.title),
    ("违法事实", lambda p, f: f["facts"]),
    ("处罚依据", lambda p, f: f["basis"]),
    ("处罚类别", lambda p, f: f["conclusion"]),
    ("处罚内容", lambda p, f: f["result"]),
    ("罚款金额（万元）", lambda p, f: wan_yuan(p.fine)),
    ("没收违法所得、没收非法财物的金额（万元）", lambda p, f: wan_yuan(p.confiscation)),
    ("处罚决定日期", lambda p, f: _iso(p.decision_date)),
    ("处罚有效期", lambda p, f: _iso(last_public_day(p))),
    ("公示截止期", lambda p, f: _iso(last_public_day(p))),
    ("处罚机关", lambda p, f: p.body.name),
    ("处罚机关统一社会信用代码", lambda p, f: p.body.credit_code),
    ("数据来源单位", lambda p, f: p.body.name),
    ("数据来源单位统一社会信用代码", lambda p, f: p.body.credit_code),
    ("备注", lambda p, f: ""),
)


def credit_row(pub: Publication) -> list[str]:
    fields = record_fields(pub)
    return [get(pub, fields) for _name, get in CREDIT_COLUMNS]


# -- bounded, streamed record sets -----------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    q: str = ""
    body_id: int | None = None
    region_path: str | None = None
    category: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def search(self, *, page: int, per_page: int, on: dt.date | None = None) -> SearchPage:
        return search_publications(q=self.q, body_id=self.body_id,
                                   region_path=self.region_path, category=self.category,
                                   date_from=self.date_from, date_to=self.date_to,
                                   page=page, per_page=per_page, on=on)


def resolve_filters(*, q: str = "", body: uuid.UUID | None = None, region: str | None = None,
                    category: str | None = None, date_from: dt.date | None = None,
                    date_to: dt.date | None = None) -> Filters | None:
    """The filters of a public list from their public names (a body's public id, a region
    code); None when the body or the region does not exist (nothing matches)."""
    body_id = region_path = None
    if body is not None:
        body_id = (EnforcementBody.objects.filter(public_id=body)
                   .values_list("pk", flat=True).first())
        if body_id is None:
            return None
    if region:
        region_path = (Region.objects.filter(code=region.strip())
                       .values_list("path", flat=True).first())
        if region_path is None:
            return None
    return Filters(q=q.strip(), body_id=body_id, region_path=region_path,
                   category=category or None, date_from=date_from, date_to=date_to)


@dataclass
class Export:
    """The first page of an export (already read: its total tells whether the export is cut
    at ``EXPORT_MAX_ROWS``) and an iterator over all its rows, newest decision first."""

    total: int
    total_is_estimate: bool
    rows: Iterator[Publication]

    @property
    def truncated(self) -> bool:
        return self.total > EXPORT_MAX_ROWS or self.total_is_estimate


def export_records(filters: Filters, *, on: dt.date | None = None) -> Export:
    first = filters.search(page=1, per_page=EXPORT_CHUNK, on=on)

    def rows() -> Iterator[Publication]:
        page, sent, current = 1, 0, first
        while True:
            for pub in current.items:
                if sent >= EXPORT_MAX_ROWS:
                    return
                sent += 1
                yield pub
            if not current.items or len(current.items) < current.per_page:
                return
            page += 1
            current = filters.search(page=page, per_page=current.per_page, on=on)

    return Export(total=first.total, total_is_estimate=first.total_is_estimate, rows=rows())


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """A text cell a spreadsheet would read as a formula gets a leading apostrophe (CSV
    injection); amounts and dates never start with these characters."""
    return "'" + value if value.startswith(_FORMULA_START) else value


class _Line:
    """A write-only file for ``csv.writer`` that hands back what was written."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()

    def write(self, text: str) -> int:
        return self.buffer.write(text)

    def take(self) -> str:
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text


def csv_chunks(header: list[str], rows: Iterator[list[str]], *, per_chunk: int = 200
               ) -> Iterator[bytes]:
    """UTF-8 CSV with a byte-order mark (Excel then reads the Chinese text correctly), CRLF
    line ends, every field a safe spreadsheet text; in chunks of ``per_chunk`` rows."""
    line = _Line()
    writer = csv.writer(line, lineterminator="\r\n")
    writer.writerow(header)
    yield "\ufeff".encode() + line.take().encode()
    for n, row in enumerate(rows, start=1):
        writer.writerow([spreadsheet_safe(v) for v in row])
        if n % per_chunk == 0:
            yield line.take().encode()
    rest = line.take()
    if rest:
        yield rest.encode()


# openpyxl refuses these (XML 1.0 forbids them); a record never needs them.
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xlsx_bytes(sheet_title: str, header: list[str], rows: Iterator[list[str]]) -> bytes:
    """A one-sheet workbook, every cell text (so a value starting with '=' is never a
    formula), written in openpyxl's streaming mode; bounded by ``EXPORT_MAX_ROWS``."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title)

    def cells(values: list[str]) -> list[Any]:
        out = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=_XLSX_ILLEGAL.sub("", value))
            cell.data_type = "s"
            out.append(cell)
        return out

    sheet.append(cells(header))
    for row in rows:
        sheet.append(cells(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# -- the change log -------------------------------------------------------------------------------



@dataclass(frozen=True)
class Change:
    publication: Publication
    state: str  # published | withdrawn | ended | expired
    at: dt.datetime

    @property
    def key(self) -> tuple[dt.datetime, str]:
        return (self.at, self.publication.public_id.hex)


@dataclass(frozen=True)
class ChangesPage:
    items: list[Change]
    more: bool
    until: dt.datetime  # changes after this are not in the answer yet (``SETTLE_SECONDS``)
    next_since: dt.datetime | None  # the cursor to ask with next (unchanged when empty)
    next_after: uuid.UUID | None


def _changed(day: dt.date) -> Q:
    """Records whose latest change is their ``changed_at`` as seen on ``day``: public ones,
    withdrawn and ended ones (expired ones are ``_expired``)."""
    return (Q(state=State.PUBLISHED, published_on__lte=day, offline_on__gt=day)
            | Q(state__in=(State.WITHDRAWN, State.ENDED)))


def _expired(day: dt.date) -> Q:
    return Q(state__in=(State.PUBLISHED, State.EXPIRED), offline_on__lte=day)


def _state_of(pub: Publication, day: dt.date) -> str:
    if pub.state in (State.PUBLISHED, State.EXPIRED):
        public = pub.offline_on is not None and pub.offline_on > day
        return State.PUBLISHED if public and pub.state == State.PUBLISHED else State.EXPIRED
    return pub.state


def _change(pub: Publication, day: dt.date) -> Change:
    state = _state_of(pub, day)
    if state == State.EXPIRED:
        assert pub.offline_on is not None
        return Change(pub, state, local_midnight(pub.offline_on))
    assert pub.changed_at is not None
    return Change(pub, state, pub.changed_at)


def publication_changes(*, since: dt.datetime | None = None, after: uuid.UUID | None = None,
                        limit: int = 100, now: dt.datetime | None = None) -> ChangesPage:
    """The records whose public state changed after the cursor (``since``, and ``after``: the
    last publication id seen at exactly ``since``; without ``after`` every change at
    ``since`` is included), oldest first, at most ``limit``; ``more`` when there are others
    up to ``until``."""
    limit = max(1, min(limit, CHANGES_MAX))
    until = (now or timezone.now()) - dt.timedelta(seconds=SETTLE_SECONDS)
    day = until.astimezone(local_tz()).date()
    changed = were_public().filter(_changed(day), changed_at__isnull=False,
                                    changed_at__lte=until)
    expired = were_public().filter(_expired(day))
    if since is not None:
        if timezone.is_naive(since):
            since = timezone.make_aware(since, local_tz())
        if after is None:
            changed = changed.filter(changed_at__gte=since)
        else:
            changed = changed.filter(Q(changed_at__gt=since)
                                     | Q(changed_at=since, public_id__gt=after))
        local = since.astimezone(local_tz())
        if local.time() == dt.time() and local.tzinfo is not None:
            on = local.date()  # since is a local midnight: records going offline that day
            expired = expired.filter(
                Q(offline_on__gt=on)
                | Q(offline_on=on, **({"public_id__gt": after} if after else {})))
        else:
            expired = expired.filter(offline_on__gt=local.date())
    first = changed.order_by("changed_at", "public_id")[:limit + 1]
    second = expired.order_by("offline_on", "public_id")[:limit + 1]
    merged = list(heapq.merge((_change(p, day) for p in first),
                              (_change(p, day) for p in second), key=lambda c: c.key))
    items = merged[:limit]
    last = items[-1] if items else None
    return ChangesPage(
        items=items, more=len(merged) > limit, until=until,
        next_since=last.at if last else since,
        next_after=last.publication.public_id if last else after)


def latest_changes(*, count: int = FEED_ENTRIES, now: dt.datetime | None = None
                   ) -> list[Change]:
    """The ``count`` most recent changes, newest first (the feed)."""
    moment = now or timezone.now()
    day = moment.astimezone(local_tz()).date()
    changed = (were_public().filter(_changed(day), changed_at__isnull=False,
                                     changed_at__lte=moment)
               .order_by("-changed_at", "-public_id")[:count])
    expired = were_public().filter(_expired(day)).order_by("-offline_on", "-public_id")[:count]
    merged = heapq.merge((_change(p, day) for p in changed), (_change(p, day) for p in expired),
                         key=lambda c: c.key, reverse=True)
    return list(merged)[:count]
