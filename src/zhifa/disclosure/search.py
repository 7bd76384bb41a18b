"""Full-text search over public records: jieba tokens in SQLite FTS5 or a PostgreSQL
``tsvector``, the newest matches ranked by BM25 (ADR 0016).

**The index.** ``PublicationSearch`` holds one row per *public* record: ``index_publication``
is called when a record is published, ``unindex_publication`` when it is withdrawn, ended
early or expired, ``reindex_all`` rebuilds everything. Its ``tokens`` text has three lines of
space-separated tokens:

1. the heading: the title, the party (as published) and the decision number, tokenised, plus
   *exact* tokens: the decision number, the party, the agency, the legal representative and
   the credit codes each as one whole token (jieba splits names and numbers badly);
2. the body: the other public fields, tokenised;
3. the filters: ``_b<body id>``, ``_c<category>``, ``_r<region code>`` for the region and each
   region above it.

A token is a run of letters and digits, case-folded (NFKC first); a filter token starts with
``_``, which a user's query can never produce. Migration ``0003_search_index`` builds the
vendor's index over this text: a contentless FTS5 table kept in step by triggers, its rowid
the decision date's day number << 32 | publication id (SQLite); a generated ``tsvector``
column with a GIN index and a B-tree on (decision_date, publication_id) (PostgreSQL).

**A query** is split at whitespace; each part matches when all its jieba tokens match, or
when its compact form matches an exact token (a whole name or number); all parts must match
(AND), and so must the filters. Tokens are always quoted, so no user input is query syntax.
A query without any token is a filtered listing, newest decision first.

**Ranking.** The newest ``RANK_WINDOW`` matches (decision date, then id) are ranked by BM25
over the heading and body (``rank_rows``, in Python, from the candidates' own tokens and each
term's document frequency) and come first; older matches follow, newest first. Counting
stops at ``COUNT_CAP``: a broader query reports ``total_is_estimate`` ("10,000+").

Visibility: index entries of records past their ``offline_on`` (or not yet published on
``on``) are excluded from matching and counting, and candidates are re-read through
``selectors.public_publications(on=)``: an entry the expiry sweep has not removed yet is
never returned.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import re
import tempfile
import threading
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import connection, transaction
from django.db.models.expressions import RawSQL

from zhifa.orgs.models import Region

from .models import Publication, PublicationSearch, State
from .selectors import public_publications, today

log = logging.getLogger(__name__)

RANK_WINDOW = 500  # the newest matches ranked by relevance
COUNT_CAP = 10_000  # matches counted exactly up to this number
MAX_QUERY_CHARS = 200  # a longer query is cut here
MAX_QUERY_PARTS = 16  # whitespace-separated parts of a query used, at most
MAX_TOKEN_CHARS = 100  # an exact token is cut here (PostgreSQL lexemes stop at 2 KiB)
MAX_LINE_TOKENS = 20_000  # tokens kept per line (a tsvector stops at 1 MiB)
FTS_TABLE = "disclosure_search_fts"
# BM25 (Robertson/Sparck Jones, the constants FTS5 uses); the heading counts double
BM25_K1 = 1.2
BM25_B = 0.75
HEAD_WEIGHT = 2.0
DF_TTL_SECONDS = 600.0  # document frequencies are cached this long per process


@dataclass(frozen=True)
class SearchPage:
    items: list[Publication]
    total: int
    page: int
    per_page: int
    total_is_estimate: bool = False  # e.g. "1,000+" for a very broad query
    ranked: bool = False  # ordered by relevance (else by date, newest first)
    terms: list[str] = field(default_factory=list)  # the query's tokens, for highlighting

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


# --- Tokens -----------------------------------------------------------------------------------
# jieba's own block pattern (``jieba.re_han_default``): it segments each such run on its own,
# so a text's tokens are its blocks' tokens and a block's tokens can be cached.
_BLOCK = re.compile(r"[\u4e00-\u9fd5a-zA-Z0-9+#&._%\-]+")
_ALNUM = re.compile(r"[^\W_]+")  # runs of letters and digits
_SIMPLE = re.compile(r"[\u4e00-\u9fd5a-z0-9]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

_jieba_lock = threading.Lock()
_jieba: Any = None


def _tokenizer() -> Any:
    """jieba's tokenizer, loaded once per process (its dictionary is bundled: no network).
    Its prefix-dictionary cache goes to the system's temporary directory."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                tok.tmp_dir = tempfile.gettempdir()
                tok.initialize()
                _jieba = tok
    return _jieba


def _norm(word: str) -> str:
    """A token as stored (and as queried): case-folded, letters and digits only, at most
    ``MAX_TOKEN_CHARS`` (a pasted hash or URL in the facts must not exceed PostgreSQL's
    lexeme limit, and both databases cut the same way)."""
    word = word.casefold()
    if not _SIMPLE.fullmatch(word):
        word = "".join(_ALNUM.findall(word))
    return word[:MAX_TOKEN_CHARS]


@lru_cache(maxsize=200_000)
def _block_tokens(block: str) -> tuple[str, ...]:
    # Search-engine mode (the words and their dictionary sub-words); no HMM, so that a name
    # is cut the same way inside a sentence as alone in a query.
    words = _tokenizer().cut_for_search(block, HMM=False)
    return tuple(t for t in (_norm(w) for w in words) if t)


def clean(text: str) -> str:
    """NFKC (full-width digits and letters become plain ones), no control characters."""
    return _CONTROL.sub(" ", unicodedata.normalize("NFKC", text))


def tokenize(text: str) -> list[str]:
    """The search tokens of a text: jieba's search-engine mode over its Chinese, Latin and
    digit runs; other letters and digits as runs of their own; no punctuation."""
    text = clean(text)
    out: list[str] = []
    pos = 0
    for m in _BLOCK.finditer(text):
        if m.start() > pos:
            out.extend(t for t in (_norm(w) for w in _ALNUM.findall(text[pos:m.start()])) if t)
        out.extend(_block_tokens(m.group()))
        pos = m.end()
    if pos < len(text):
        out.extend(t for t in (_norm(w) for w in _ALNUM.findall(text[pos:])) if t)
    return out


def compact(value: str) -> str:
    """A value as one exact token: its letters and digits only (``芙市监罚〔2024〕12号`` →
    ``芙市监罚202412号``), case-folded, at most ``MAX_TOKEN_CHARS``."""
    return _norm(clean(value))[:MAX_TOKEN_CHARS]


def filter_tokens(*, body_id: int, category: str, region_path: str) -> list[str]:
    """The record's filter tokens: its body, category, and its region and those above it."""
    out = [f"_b{body_id}", f"_c{_norm(category)}"]
    out += [f"_r{_norm(code)}" for code in region_path.split("/") if code]
    return out


EXACT_KEYS = ("decision_number", "party", "party_credit_code", "agency",
              "agency_credit_code", "legal_representative")
HEAD_KEYS = ("party", "decision_number")
BODY_KEYS = ("agency", "party_type", "legal_representative", "category", "conclusion",
             "facts", "basis", "result")


@lru_cache(maxsize=20_000)
def _field_tokens(text: str) -> tuple[str, ...]:
    # Many field values recur (agencies, legal bases, conclusions): tokenised once.
    return tuple(tokenize(text))


def tokens_text(*, title: str, public: dict[str, Any], body_id: int, category: str,
                region_path: str) -> str:
    """The ``PublicationSearch.tokens`` of a record: heading, body and filter lines."""
    head = list(_field_tokens(title))
    for key in HEAD_KEYS:
        head += _field_tokens(str(public.get(key) or ""))
    for key in EXACT_KEYS:
        exact = compact(str(public.get(key) or ""))
        if len(exact) >= 2:
            head.append(exact)
    body: list[str] = []
    for key in BODY_KEYS:
        body += _field_tokens(str(public.get(key) or ""))
    filters = filter_tokens(body_id=body_id, category=category, region_path=region_path)
    return "\n".join((" ".join(head[:MAX_LINE_TOKENS]), " ".join(body[:MAX_LINE_TOKENS]),
                      " ".join(filters)))


def tokens_for(pub: Publication) -> str:
    """The search text of a public record (only its public fields)."""
    return tokens_text(title=pub.title, public=pub.public or {}, body_id=pub.body_id,
                       category=pub.category, region_path=pub.region.path)


# --- Index maintenance -----------------------------------------------------------------------
def index_publication(pub: Publication) -> None:
    """Put a record that has just become public into the index (or refresh its entry). A
    record that is not published is taken out instead: the index holds public records
    only."""
    if pub.state != State.PUBLISHED:
        unindex_publication(pub)
        return
    PublicationSearch.objects.update_or_create(
        publication=pub, defaults={"tokens": tokens_for(pub), "body_id_copy": pub.body_id,
                                   "region_path": pub.region.path, "category": pub.category,
                                   "decision_date": pub.decision_date})


def unindex_publication(pub: Publication) -> None:
    """Take a record out of the index (withdrawn, ended early, expired)."""
    PublicationSearch.objects.filter(publication=pub).delete()


def reindex_all(*, on: dt.date | None = None, batch: int = 2000) -> int:
    """Rebuild the index from the records public on ``on`` (default today): every entry is
    written again (e.g. after a change of the tokenizer or its dictionary) and entries of
    records no longer public are removed. Returns the number of records indexed. Runs in
    batches, each its own transaction; searches keep working meanwhile."""
    day = on or today()
    public = public_publications(on=day)
    stale = PublicationSearch.objects.exclude(publication__in=public.values("pk"))
    with transaction.atomic():
        stale.delete()
    ids = list(public.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        with transaction.atomic():
            pubs = (Publication.objects.filter(pk__in=chunk)
                    .only("id", "title", "public", "body_id", "category", "decision_date",
                          "region__path").select_related("region"))
            existing = set(PublicationSearch.objects.filter(publication_id__in=chunk)
                           .values_list("publication_id", flat=True))
            PublicationSearch.objects.filter(publication_id__in=existing).delete()
            PublicationSearch.objects.bulk_create(
                PublicationSearch(publication_id=p.pk, tokens=tokens_for(p),
                                  body_id_copy=p.body_id, region_path=p.region.path,
                                  category=p.category, decision_date=p.decision_date)
                for p in pubs)
    optimize_index()
    return len(ids)


def optimize_index() -> None:
    """Merge the index's segments (SQLite) or refresh the planner's statistics of it
    (PostgreSQL); after bulk changes."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
        elif connection.vendor == "postgresql":
            cursor.execute("ANALYZE disclosure_publicationsearch")
    clear_caches()


# --- Queries ----------------------------------------------------------------------------------
# A query is an AND of clauses; a clause an OR of alternatives; an alternative an AND of tokens.
Alternative = tuple[str, ...]
Clause = tuple[Alternative, ...]


@dataclass(frozen=True)
class ParsedQuery:
    words: tuple[Clause, ...]  # from the user's text
    terms: tuple[str, ...]  # for highlighting

    @property
    def tokens(self) -> set[str]:
        return {t for clause in self.words for alt in clause for t in alt}


def parse_query(q: str) -> ParsedQuery:
    """The user's text as clauses: per whitespace-separated part, (all its jieba tokens) OR
    (its compact form as one exact token)."""
    text = clean(q or "")[:MAX_QUERY_CHARS]
    clauses: list[Clause] = []
    terms: list[str] = []
    for part in text.split()[:MAX_QUERY_PARTS]:
        words = tuple(dict.fromkeys(tokenize(part)))
        if not words:
            continue
        exact = compact(part)
        alts: list[Alternative] = [words]
        if len(exact) >= 2 and (exact,) != words:
            alts.append((exact,))
        clause = tuple(alts)
        if clause not in clauses:
            clauses.append(clause)
        terms += [part.strip(), *words]
    return ParsedQuery(words=tuple(clauses), terms=tuple(dict.fromkeys(t for t in terms if t)))


def _fts5(clauses: Sequence[Clause]) -> str:
    def alt(tokens: Alternative) -> str:
        quoted = ['"' + t.replace('"', '""') + '"' for t in tokens]
        return quoted[0] if len(quoted) == 1 else "(" + " AND ".join(quoted) + ")"

    parts = [alt(c[0]) if len(c) == 1 else "(" + " OR ".join(alt(a) for a in c) + ")"
             for c in clauses]
    return " AND ".join(parts)


def _tsquery(clauses: Sequence[Clause]) -> str:
    def alt(tokens: Alternative) -> str:
        quoted = ["'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in tokens]
        return quoted[0] if len(quoted) == 1 else "(" + " & ".join(quoted) + ")"

    parts = [alt(c[0]) if len(c) == 1 else "(" + " | ".join(alt(a) for a in c) + ")"
             for c in clauses]
    return " & ".join(parts)


def _filter_clauses(*, body_id: int | None, category: str | None,
                    region_path: str | None) -> list[Clause] | None:
    """The filters as token clauses; None when they can match nothing (an unknown region)."""
    out: list[Clause] = []
    if body_id:
        out.append(((f"_b{int(body_id)}",),))
    if category:
        out.append(((f"_c{_norm(category)}",),))
    if region_path:
        paths = sorted(Region.objects.filter(path__startswith=region_path)
                       .values_list("path", flat=True), key=len)
        top: list[str] = []
        for path in paths:  # the regions whose parent is outside the prefix
            if not any(path.startswith(p) for p in top):
                top.append(path)
        codes = [p.rstrip("/").rsplit("/", 1)[-1] for p in top]
        if not codes:
            return None
        out.append(tuple((f"_r{_norm(code)}",) for code in codes))
    return out


# --- Ranking ----------------------------------------------------------------------------------
def rank_rows(rows: Sequence[tuple[int, str]], clauses: Sequence[Clause],
              df: dict[str, float], n_docs: float) -> list[int]:
    """The ids of ``rows`` (id, tokens text), best first: BM25 of the query's clauses (a
    clause scores its best alternative) over the heading (counted ``HEAD_WEIGHT`` times)
    and the body; ties go to the newer record (rows come newest first)."""
    if not rows:
        return []
    n = max(n_docs, 1.0)
    idf = {t: math.log(1.0 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
    docs = []
    total_len = 0
    for pid, text in rows:
        head, _, rest = text.partition("\n")
        body = rest.partition("\n")[0]
        length = head.count(" ") + body.count(" ") + 2
        total_len += length
        # doubled spaces: every token is " t " on its own, even next to a repeat of itself
        docs.append((pid, " " + head.replace(" ", "  ") + " ", " " + body.replace(" ", "  ")
                     + " ", length))
    avg = total_len / len(docs)
    scored = []
    for order, (pid, head, body, length) in enumerate(docs):
        norm = BM25_K1 * (1.0 - BM25_B + BM25_B * length / avg)
        score = 0.0
        for clause in clauses:
            best = 0.0
            for alt in clause:
                s = 0.0
                for t in alt:
                    needle = f" {t} "
                    tf = HEAD_WEIGHT * head.count(needle) + body.count(needle)
                    if tf:
                        s += idf.get(t, 1.0) * tf * (BM25_K1 + 1.0) / (tf + norm)
                best = max(best, s)
            score += best
        scored.append((-score, order, pid))
    scored.sort()
    return [pid for _s, _o, pid in scored]


# --- Document frequencies (for the ranking's IDF), cached per process -------------------------
_df_cache: dict[tuple[str, str], tuple[float, float]] = {}
_common_cache: dict[str, tuple[dict[str, float], float]] = {}
CACHE_MIN_DOCS = 10_000  # small indexes (tests, new installations) are always counted afresh


def _cached(key: tuple[str, str], compute: Any, n_docs: float) -> float:
    now = time.monotonic()
    hit = _df_cache.get(key)
    if hit is not None and hit[1] > now:
        return hit[0]
    value = float(compute())
    if n_docs >= CACHE_MIN_DOCS:
        if len(_df_cache) > 50_000:
            _df_cache.clear()
        _df_cache[key] = (value, now + DF_TTL_SECONDS)
    return value


def clear_caches() -> None:
    _df_cache.clear()
    _common_cache.clear()


def warm_up() -> None:
    """Load jieba's dictionary now (about a second), e.g. when a worker process starts,
    rather than in the first search."""
    tokenize("罚款")


# --- The vendors' indexes --------------------------------------------------------------------
DAY_SHIFT = 32
ID_MASK = (1 << DAY_SHIFT) - 1
EPOCH = dt.date(1970, 1, 1)
PG_SAMPLE_ROWS = 2000  # a walk tests at least this many rows (PostgreSQL)
PG_WALK_MIN_DENSITY = 0.1  # sparser matches are fetched through the GIN index instead
PG_WALK_MAX_ROWS = 30_000  # at most this many rows walked in one step
PG_WINDOW_MAX_ROWS = 300_000  # a wider window of the GIN index is the whole range
PG_RARE_DENSITY = 0.002  # expected to match fewer: straight to the GIN index
PG_MIN_WINDOW_ROWS = 100  # added to a window's size
PG_UNBOUNDED_MATCHES = 10_000  # expecting fewer matches left: fetch and count them all
DF_CAP = 20_000  # above this, a term's frequency is estimated from the newest rows
DF_SAMPLE_ROWS = 20_000

# Index entries of records that are not public on the day: past their period (the expiry
# sweep removes them later that day) or not yet published. Two index ranges.
_EXCLUDED = ("SELECT id FROM disclosure_publication WHERE state = %s AND offline_on <= %s "
             "UNION ALL SELECT id FROM disclosure_publication WHERE published_on > %s")


def _ids_sql() -> str:
    """A subquery of the ids passed as one parameter (``_ids_param``)."""
    if connection.vendor == "postgresql":
        return "SELECT unnest(%s::bigint[])"
    return "SELECT value FROM json_each(%s)"


def _ids_param(ids: list[int]) -> Any:
    return ids if connection.vendor == "postgresql" else json.dumps(ids)


def _public_tokens(cursor: Any, ids: list[int], day: dt.date) -> dict[int, str]:
    """The tokens of the candidates ``ids`` that are public on ``day``: an entry the index
    still holds may no longer be public (the rule is the selector's own)."""
    if not ids:
        return {}
    listed = RawSQL(_ids_sql(), [_ids_param(ids)])
    visible, params = (public_publications(on=day).filter(pk__in=listed).order_by().values("pk")
                       .query.sql_with_params())
    cursor.execute("SELECT publication_id, tokens FROM disclosure_publicationsearch "
                   f"WHERE publication_id IN ({visible})", params)
    return {int(pid): text for pid, text in cursor.fetchall()}


def _key(day: dt.date, pid: int = 0) -> int:
    return ((day - EPOCH).days << DAY_SHIFT) + pid


@dataclass
class _Found:
    rows: list[tuple[int, str]]  # (publication id, tokens), newest first
    last: tuple[dt.date, int] | None  # the oldest candidate (date, id)
    exhausted: bool  # every match is in rows
    density: float | None = None  # share of matching rows seen by a walk (PostgreSQL)


class _Index:
    """One vendor's full-text index: the newest matches, counts, the rest of the order."""

    def __init__(self, *, match: Sequence[Clause], date_from: dt.date | None,
                 date_to: dt.date | None, day: dt.date) -> None:
        self.match = list(match)
        self.date_from = date_from
        self.date_to = date_to
        self.day = day
        self.excluded: list[Any] = [State.PUBLISHED.value, day.isoformat(), day.isoformat()]

    def candidates(self, limit: int) -> _Found:
        raise NotImplementedError

    def count(self, found: _Found, cap: int) -> tuple[int, bool]:
        raise NotImplementedError

    def older(self, last: tuple[dt.date, int], offset: int, limit: int) -> list[int]:
        raise NotImplementedError

    def df(self, token: str) -> float:
        raise NotImplementedError

    def n_docs(self) -> float:
        raise NotImplementedError

    def listing(self, offset: int, limit: int) -> list[int]:
        """Ids of matches (filters only, or none: every entry) from ``offset``, newest
        first."""
        raise NotImplementedError

    def count_all(self, cap: int) -> tuple[int, bool]:
        raise NotImplementedError


class _Sqlite(_Index):
    def _where(self) -> tuple[str, list[Any]]:
        lo = _key(self.date_from) if self.date_from else -(1 << 62)
        hi = _key(self.date_to, ID_MASK) if self.date_to else 1 << 62
        return (f"{FTS_TABLE} MATCH %s AND rowid BETWEEN %s AND %s "
                f"AND (rowid & {ID_MASK}) NOT IN ({_EXCLUDED})",
                [_fts5(self.match), lo, hi, *self.excluded])

    def _plain(self) -> tuple[str, list[Any]]:
        """Every entry (no words, no filters): the entries table, in its date order."""
        sql = [f"publication_id NOT IN ({_EXCLUDED})"]
        params: list[Any] = list(self.excluded)
        if self.date_from:
            sql.append("decision_date >= %s")
            params.append(self.date_from.isoformat())
        if self.date_to:
            sql.append("decision_date <= %s")
            params.append(self.date_to.isoformat())
        return " AND ".join(sql), params

    def listing(self, offset: int, limit: int) -> list[int]:
        with connection.cursor() as cursor:
            if self.match:
                where, params = self._where()
                cursor.execute(f"SELECT rowid FROM {FTS_TABLE} WHERE {where} "
                               "ORDER BY rowid DESC LIMIT %s OFFSET %s", [*params, limit, offset])
                return [k & ID_MASK for (k,) in cursor.fetchall()]
            where, params = self._plain()
            cursor.execute("SELECT publication_id FROM disclosure_publicationsearch "
                           f"WHERE {where} ORDER BY decision_date DESC, publication_id DESC "
                           "LIMIT %s OFFSET %s", [*params, limit, offset])
            return [int(pid) for (pid,) in cursor.fetchall()]

    def count_all(self, cap: int) -> tuple[int, bool]:
        if self.match:
            where, params = self._where()
            sql = f"SELECT 1 FROM {FTS_TABLE} WHERE {where}"
        else:
            where, params = self._plain()
            sql = f"SELECT 1 FROM disclosure_publicationsearch WHERE {where}"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({sql} LIMIT %s)", [*params, cap + 1])
            total = int(cursor.fetchone()[0])
        return (cap, True) if total > cap else (total, False)

    def candidates(self, limit: int) -> _Found:
        where, params = self._where()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {FTS_TABLE} WHERE {where} "
                           "ORDER BY rowid DESC LIMIT %s", [*params, limit])
            keys = [k for (k,) in cursor.fetchall()]
            ids = [k & ID_MASK for k in keys]
            tokens = _public_tokens(cursor, ids, self.day)
        rows = [(pid, tokens[pid]) for pid in ids if pid in tokens]
        last = None
        if keys:
            last = (EPOCH + dt.timedelta(days=keys[-1] >> DAY_SHIFT), keys[-1] & ID_MASK)
        return _Found(rows=rows, last=last, exhausted=len(keys) < limit)

    def count(self, found: _Found, cap: int) -> tuple[int, bool]:
        if found.exhausted:
            return len(found.rows), False
        where, params = self._where()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {FTS_TABLE} WHERE {where} "
                           "LIMIT %s)", [*params, cap + 1])
            total = int(cursor.fetchone()[0])
        return (cap, True) if total > cap else (total, False)

    def older(self, last: tuple[dt.date, int], offset: int, limit: int) -> list[int]:
        where, params = self._where()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {FTS_TABLE} WHERE {where} AND rowid < %s "
                           "ORDER BY rowid DESC LIMIT %s OFFSET %s",
                           [*params, _key(*last), limit, offset])
            return [k & ID_MASK for (k,) in cursor.fetchall()]

    def n_docs(self) -> float:
        def count() -> int:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM disclosure_publicationsearch")
                return int(cursor.fetchone()[0])
        hit = _df_cache.get(("sqlite", ""))
        if hit is not None and hit[1] > time.monotonic():
            return hit[0]
        n = float(count())
        return _cached(("sqlite", ""), lambda: n, n)

    def df(self, token: str) -> float:
        n = self.n_docs()

        def compute() -> float:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {FTS_TABLE} "
                               f"WHERE {FTS_TABLE} MATCH %s LIMIT %s)",
                               [_fts5([((token,),)]), DF_CAP + 1])
                total = int(cursor.fetchone()[0])
                if total <= DF_CAP:
                    return total
                # Frequent: its share among the newest DF_SAMPLE_ROWS entries.
                cursor.execute("SELECT decision_date, publication_id FROM "
                               "disclosure_publicationsearch ORDER BY decision_date DESC, "
                               "publication_id DESC LIMIT 1 OFFSET %s", [DF_SAMPLE_ROWS - 1])
                row = cursor.fetchone()
                if row is None:
                    return total
                first = _key(_as_date(row[0]), int(row[1]))
                cursor.execute(f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
                               "AND rowid >= %s", [_fts5([((token,),)]), first])
                return max(total, int(cursor.fetchone()[0]) * n / DF_SAMPLE_ROWS)
        return _cached(("sqlite", token), compute, n)


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


class _Postgres(_Index):
    """The newest matches in (decision date, id) order: dense queries walk that order and
    test each row (``_walk``); sparse ones ask the GIN index for the matches within a window
    of the newest rows sized from the query's expected density, widening it until enough are
    found (``_window``). The planner's statistics of the lexemes give the first estimate;
    what a step finds corrects it."""

    ORDER = "ORDER BY decision_date DESC, publication_id DESC"

    def _range(self) -> tuple[str, list[Any]]:
        sql = [f"publication_id NOT IN ({_EXCLUDED})"]
        params: list[Any] = list(self.excluded)
        if self.date_from:
            sql.append("decision_date >= %s")
            params.append(self.date_from)
        if self.date_to:
            sql.append("decision_date <= %s")
            params.append(self.date_to)
        return " AND ".join(sql), params

    @staticmethod
    def _before(after: tuple[dt.date, int] | None) -> tuple[str, list[Any]]:
        if after is None:
            return "", []
        return " AND (decision_date, publication_id) < (%s, %s)", list(after)

    def _walk(self, cursor: Any, after: tuple[dt.date, int] | None, rows: int, need: int
              ) -> tuple[list[tuple[int, dt.date]], int, int, tuple[dt.date, int] | None]:
        """The next ``rows`` rows of the order after ``after``, each tested: the first
        ``need`` matches, the number of matches and of rows walked, the last row walked."""
        where, params = self._range()
        before, bparams = self._before(after)
        cursor.execute(
            "WITH w AS MATERIALIZED (SELECT publication_id, decision_date, "
            "tsv @@ %s::tsquery AS hit FROM disclosure_publicationsearch "
            f"WHERE {where}{before} {self.ORDER} LIMIT %s), "
            "h AS (SELECT publication_id, decision_date FROM w WHERE hit) "
            f"SELECT * FROM (SELECT publication_id, decision_date, 0, 0, 0 FROM h {self.ORDER} "
            "LIMIT %s) m UNION ALL (SELECT publication_id, decision_date, 1, "
            "(SELECT count(*) FROM w), (SELECT count(*) FROM h) FROM w "
            "ORDER BY decision_date, publication_id LIMIT 1)",
            [_tsquery(self.match), *params, *bparams, rows, need])
        hits: list[tuple[int, dt.date]] = []
        walked = matched = 0
        last = None
        for pid, day, kind, n_walked, n_hits in cursor.fetchall():
            if kind == 0:
                hits.append((int(pid), day))
            else:  # the last row walked, with the counts
                last = (day, int(pid))
                walked, matched = int(n_walked), int(n_hits)
        hits.sort(key=lambda h: (h[1], h[0]), reverse=True)
        return hits, walked, matched, last

    def _bound(self, cursor: Any, after: tuple[dt.date, int] | None, rows: int
               ) -> tuple[dt.date, int] | None:
        """The position ``rows`` rows down the order after ``after`` (None: past the end);
        an index-only scan."""
        where, params = ["TRUE"], []
        if self.date_from:
            where.append("decision_date >= %s")
            params.append(self.date_from)
        if self.date_to:
            where.append("decision_date <= %s")
            params.append(self.date_to)
        before, bparams = self._before(after)
        cursor.execute(f"SELECT decision_date, publication_id FROM disclosure_publicationsearch "
                       f"WHERE {' AND '.join(where)}{before} {self.ORDER} LIMIT 1 OFFSET %s",
                       [*params, *bparams, rows - 1])
        row = cursor.fetchone()
        return (row[0], int(row[1])) if row else None

    def _window(self, cursor: Any, after: tuple[dt.date, int] | None,
                bound: tuple[dt.date, int] | None, need: int
                ) -> tuple[list[tuple[int, dt.date]], int]:
        """Through the GIN index: the first ``need`` matches after ``after`` down to
        ``bound`` (included; None: to the end), and how many matches there are."""
        where, params = self._range()
        before, bparams = self._before(after)
        lower, lparams = "", []
        if bound is not None:
            lower, lparams = " AND (decision_date, publication_id) >= (%s, %s)", list(bound)
        rows = self._bitmap(
            cursor,
            "SELECT publication_id, decision_date, count(*) OVER () FROM "
            f"disclosure_publicationsearch WHERE tsv @@ %s::tsquery AND {where}{before}{lower} "
            f"{self.ORDER} LIMIT %s",
            [_tsquery(self.match), *params, *bparams, *lparams, need])
        total = int(rows[0][2]) if rows else 0
        return [(int(pid), day) for pid, day, _n in rows], total

    def _bitmap(self, cursor: Any, sql: str, params: list[Any]) -> list[Any]:
        """A query through the GIN index (the planner's other choices switched off)."""
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        try:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
        finally:
            cursor.execute("SET LOCAL enable_seqscan TO DEFAULT")
            cursor.execute("SET LOCAL enable_indexscan TO DEFAULT")

    def _expected_density(self) -> tuple[float, float] | None:
        """The share of rows the query should match, from the planner's statistics of the
        lexemes: an estimate (independent words) and an upper bound (no clause matches more
        than its rarest word); None without statistics."""
        common = self._common()
        if not common:
            return None
        rare = min(common.values()) / 2
        estimate = upper = 1.0
        for clause in self.match:
            freqs = [[common.get(t, rare) for t in alt] for alt in clause]
            estimate *= min(1.0, sum(math.prod(f) for f in freqs))
            upper = min(upper, sum(min(f) for f in freqs))
        return estimate, upper

    def candidates(self, limit: int) -> _Found:
        found: list[tuple[int, dt.date]] = []
        exhausted = False
        density: float | None = None  # matches per row over the rows covered
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")  # compiling costs more than these queries
            stats = self._expected_density()
            expected = stats[0] if stats else None
            after: tuple[dt.date, int] | None = None
            seen = matched_seen = 0  # rows of the order covered, matches among them
            if stats is None or stats[1] >= PG_RARE_DENSITY:
                # Dense: walk far enough for all the candidates; sparser: walk a sample first,
                # whose density (words are correlated) decides what comes next.
                rows = PG_SAMPLE_ROWS
                if expected is None or expected >= PG_WALK_MIN_DENSITY:
                    rows = self._walk_rows(limit, expected or 1.0)
                for _step in range(2):
                    hits, walked, matched, last = self._walk(cursor, after, rows,
                                                             limit - len(found))
                    found += hits
                    seen += walked
                    matched_seen += matched
                    density = matched_seen / seen if seen else None
                    if len(found) >= limit:
                        break
                    if walked < rows or last is None:
                        exhausted = True
                        break
                    after = last
                    if not density or density < PG_WALK_MIN_DENSITY:
                        break
                    rows = self._walk_rows(limit - len(found), density)
            if not exhausted and len(found) < limit:
                # The rest through the GIN index, in windows of the newest rows.
                observed = density if density is not None else (expected or 0.0)
                while True:
                    need = limit - len(found)
                    size = int(need / max(observed, 1e-6) * 1.5) + PG_MIN_WINDOW_ROWS
                    rest = max(0.0, self._rows_in_range() - seen)
                    # Few matches left: all of them at once, and their exact number.
                    whole = (size > PG_WINDOW_MAX_ROWS or size >= rest
                             or observed * rest <= PG_UNBOUNDED_MATCHES)
                    bound = None if whole else self._bound(cursor, after, size)
                    hits, matched = self._window(cursor, after, bound, need)
                    found += hits
                    matched_seen += matched
                    if bound is None:  # to the end: every match is counted
                        exhausted = matched <= need
                        self.gin_total = matched_seen
                        break
                    seen += size
                    density = matched_seen / seen
                    if len(found) >= limit:
                        break
                    after = bound
                    observed = max(density, observed / 8)
            ids = [pid for pid, _d in found]
            tokens = _public_tokens(cursor, ids, self.day)
        last_found = (found[-1][1], found[-1][0]) if found else None
        return _Found(rows=[(pid, tokens[pid]) for pid in ids if pid in tokens],
                      last=last_found, exhausted=exhausted, density=density)

    @staticmethod
    def _walk_rows(need: int, density: float) -> int:
        guess = need / max(density, PG_WALK_MIN_DENSITY) * 1.3 + 100
        return int(min(PG_WALK_MAX_ROWS, max(PG_SAMPLE_ROWS, guess)))

    gin_total: int | None = None

    def count(self, found: _Found, cap: int) -> tuple[int, bool]:
        if found.exhausted:
            return len(found.rows), False
        if self.gin_total is not None:
            return (cap, True) if self.gin_total > cap else (self.gin_total, False)
        if found.density is not None and found.density * self._rows_in_range() > 1.2 * cap:
            return cap, True
        where, params = self._range()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            (total,), = self._bitmap(
                cursor,
                "SELECT count(*) FROM (SELECT 1 FROM disclosure_publicationsearch "
                f"WHERE tsv @@ %s::tsquery AND {where} LIMIT %s) s",
                [_tsquery(self.match), *params, cap + 1])
        return (cap, True) if total > cap else (int(total), False)

    _in_range: float | None = None

    def _rows_in_range(self) -> float:
        """The entries in the date range (the planner's estimate)."""
        if self._in_range is None:
            self._in_range = self._estimate_rows_in_range()
        return self._in_range

    def _estimate_rows_in_range(self) -> float:
        if not self.date_from and not self.date_to:
            return self.n_docs()
        sql, params = ["TRUE"], []
        if self.date_from:
            sql.append("decision_date >= %s")
            params.append(self.date_from)
        if self.date_to:
            sql.append("decision_date <= %s")
            params.append(self.date_to)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) SELECT 1 FROM disclosure_publicationsearch "
                           f"WHERE {' AND '.join(sql)}", params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return float(plan[0]["Plan"]["Plan Rows"])

    def _matching(self) -> tuple[str, list[Any]]:
        where, params = self._range()
        if self.match:
            where += " AND tsv @@ %s::tsquery"
            params.append(_tsquery(self.match))
        return where, params

    def listing(self, offset: int, limit: int) -> list[int]:
        where, params = self._matching()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(f"SELECT publication_id FROM disclosure_publicationsearch WHERE {where} "
                           f"{self.ORDER} LIMIT %s OFFSET %s", [*params, limit, offset])
            return [int(pid) for (pid,) in cursor.fetchall()]

    def count_all(self, cap: int) -> tuple[int, bool]:
        where, params = self._matching()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SELECT count(*) FROM (SELECT 1 FROM disclosure_publicationsearch "
                           f"WHERE {where} LIMIT %s) s", [*params, cap + 1])
            total = int(cursor.fetchone()[0])
        return (cap, True) if total > cap else (total, False)

    def older(self, last: tuple[dt.date, int], offset: int, limit: int) -> list[int]:
        where, params = self._range()
        sql = ("SELECT publication_id FROM disclosure_publicationsearch "
               f"WHERE tsv @@ %s::tsquery AND {where} "
               f"AND (decision_date, publication_id) < (%s, %s) {self.ORDER} LIMIT %s OFFSET %s")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(sql, [_tsquery(self.match), *params, *last, limit, offset])
            return [int(pid) for (pid,) in cursor.fetchall()]

    def n_docs(self) -> float:
        hit = _df_cache.get(("postgresql", ""))
        if hit is not None and hit[1] > time.monotonic():
            return hit[0]
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class "
                           "WHERE relname = 'disclosure_publicationsearch'")
            row = cursor.fetchone()
            n = float(row[0]) if row else -1.0
            if n < CACHE_MIN_DOCS:
                cursor.execute("SELECT count(*) FROM disclosure_publicationsearch")
                n = float(cursor.fetchone()[0])
        return _cached(("postgresql", ""), lambda: n, n)

    def _common(self) -> dict[str, float]:
        """The planner's most common lexemes and their frequencies (after ANALYZE), for
        large indexes only (a small one is counted exactly)."""
        hit = _common_cache.get("postgresql")
        if hit is not None and hit[1] > time.monotonic():
            return hit[0]
        common: dict[str, float] = {}
        if self.n_docs() >= CACHE_MIN_DOCS:
            with connection.cursor() as cursor:
                cursor.execute("SELECT most_common_elems::text::text[], most_common_elem_freqs "
                               "FROM pg_stats WHERE tablename = 'disclosure_publicationsearch' "
                               "AND attname = 'tsv'")
                row = cursor.fetchone()
            if row and row[0]:
                common = dict(zip(row[0], row[1], strict=False))
            _common_cache["postgresql"] = (common, time.monotonic() + DF_TTL_SECONDS)
        return common

    def df(self, token: str) -> float:
        n = self.n_docs()
        freq = self._common().get(token)
        if freq is not None:
            return freq * n

        def compute() -> int:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM disclosure_publicationsearch "
                               "WHERE tsv @@ %s::tsquery", [_tsquery([((token,),)])])
                return int(cursor.fetchone()[0])
        return _cached(("postgresql", token), compute, n)


def _index(**kwargs: Any) -> _Index:
    if connection.vendor == "postgresql":
        return _Postgres(**kwargs)
    if connection.vendor == "sqlite":
        return _Sqlite(**kwargs)
    raise NotImplementedError(f"no full-text search for {connection.vendor}")


# --- Search -----------------------------------------------------------------------------------
def search_publications(*, q: str = "", body_id: int | None = None,
                        region_path: str | None = None, category: str | None = None,
                        date_from: dt.date | None = None, date_to: dt.date | None = None,
                        page: int = 1, per_page: int = 20,
                        on: dt.date | None = None) -> SearchPage:
    """Public records matching ``q`` and the filters, a page of them. With words: the newest
    ``RANK_WINDOW`` matches by relevance, then the older ones newest first; without: every
    public record that passes the filters, newest decision first."""
    day = on or today()
    page = max(1, int(page))
    per_page = max(1, int(per_page))
    parsed = parse_query(q)
    empty = SearchPage(items=[], total=0, page=page, per_page=per_page,
                       ranked=bool(parsed.words), terms=list(parsed.terms))
    if date_from and date_to and date_from > date_to:
        return empty
    filters = _filter_clauses(body_id=body_id, category=category, region_path=region_path)
    if filters is None:
        return empty
    if not parsed.words:
        return _listing(filters=filters, date_from=date_from, date_to=date_to, page=page,
                        per_page=per_page, day=day)
    index = _index(match=[*parsed.words, *filters], date_from=date_from, date_to=date_to,
                   day=day)
    found = index.candidates(RANK_WINDOW)
    total, estimate = index.count(found, COUNT_CAP)
    start = (page - 1) * per_page
    end = start + per_page
    ranked_ids: list[int] = []
    if start < len(found.rows):
        n_docs = index.n_docs()
        df = {t: index.df(t) for t in parsed.tokens}
        ranked_ids = rank_rows(found.rows, parsed.words, df, n_docs)
    ids = ranked_ids[start:end]
    if len(ids) < per_page and not found.exhausted and found.last is not None:
        offset = max(0, start - len(found.rows))
        ids += index.older(found.last, offset, per_page - len(ids))
    items = _load(ids, day)
    return SearchPage(items=items, total=total, page=page, per_page=per_page,
                      total_is_estimate=estimate, ranked=True, terms=list(parsed.terms))


def _load(ids: list[int], day: dt.date) -> list[Publication]:
    """The records of ``ids`` in that order, re-read through the public visibility rule."""
    if not ids:
        return []
    pubs = {p.pk: p for p in public_publications(on=day).filter(pk__in=ids)}
    return [pubs[i] for i in ids if i in pubs]


def _listing(*, filters: list[Clause], date_from: dt.date | None, date_to: dt.date | None,
             page: int, per_page: int, day: dt.date) -> SearchPage:
    """Every public record that passes the filters, newest decision first, through the
    index (which holds every public record: ``publication_approve`` indexes it)."""
    index = _index(match=filters, date_from=date_from, date_to=date_to, day=day)
    total, estimate = index.count_all(COUNT_CAP)
    start = (page - 1) * per_page
    items = _load(index.listing(start, per_page), day)
    return SearchPage(items=items, total=total, page=page, per_page=per_page,
                      total_is_estimate=estimate)
