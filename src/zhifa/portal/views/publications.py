"""Published enforcement decisions on the portal (事后公开): the search, a record's page with
its integrity proof, the proof as JSON, and the list of withdrawn records.

Every read goes through ``zhifa.disclosure.selectors`` (and the search through
``zhifa.disclosure.search.search_publications``): a draft, a withheld or cancelled record, or
the original (unmasked) fields can never reach these pages. A record that was public and no
longer is (withdrawn, ended early, expired) answers with a tombstone: why and since when,
none of its content. Anything else answers the one portal 404, whatever the reason."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhifa.core.money import fen_to_yuan
from zhifa.disclosure import search as disclosure_search
from zhifa.disclosure.fields import FIELDS
from zhifa.disclosure.models import Category, Publication, State, WithdrawalKind
from zhifa.disclosure.search import SearchPage
from zhifa.disclosure.selectors import (
    public_publication,
    public_publications,
    public_tombstone,
    public_withdrawals,
)
from zhifa.orgs.models import EnforcementBody, Region

from ..http import not_found, public_page
from .proof import publication_proof

PER_PAGE = 20
MAX_PAGE = 100  # deeper pages: refine the search instead (offsets grow costly)
MAX_QUERY = 100  # characters
SNIPPET = 90  # characters of the facts or result shown under a hit
MAX_TERMS = 20


# --- Highlighting -------------------------------------------------------------------------
def _terms_pattern(terms: list[str]) -> re.Pattern[str] | None:
    words = sorted({t.strip() for t in terms if t and t.strip()}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words[:MAX_TERMS]), re.IGNORECASE)


def highlight(text: str, pattern: re.Pattern[str] | None) -> SafeString:
    """``text`` escaped, with each occurrence of a search term in ``<mark>``."""
    if pattern is None or not text:
        return mark_safe(escape(text))
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        if match.start() == match.end():
            continue
        out.append(escape(text[last:match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def snippet(text: str, pattern: re.Pattern[str] | None, width: int = SNIPPET) -> str:
    """A piece of ``text`` around its first hit (its start when nothing matches)."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    start = 0
    match = pattern.search(text) if pattern is not None else None
    if match is not None:
        start = max(0, min(match.start() - width // 3, len(text) - width))
    piece = text[start:start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


# --- The search ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Option:
    value: str
    label: str
    depth: int = 0

    @property
    def indent(self) -> str:
        return "\u3000" * self.depth  # ideographic spaces: the select shows the hierarchy


def agency_options() -> list[Option]:
    """Bodies that have at least one public record."""
    bodies = (EnforcementBody.objects
              .filter(Exists(public_publications().filter(body=OuterRef("pk"))))
              .order_by("name").only("public_id", "name"))
    return [Option(str(b.public_id), b.name) for b in bodies]


def region_options() -> list[Option]:
    """Regions of public records and the regions above them (a city finds its counties')."""
    used = (Region.objects.filter(Exists(public_publications().filter(region=OuterRef("pk"))))
            .values_list("path", flat=True))
    codes = {code for path in used for code in path.strip("/").split("/") if code}
    regions = Region.objects.filter(code__in=codes).order_by("path").only("code", "name",
                                                                          "path")
    top = min((r.path.count("/") for r in regions), default=0)
    return [Option(r.code, r.name, r.path.count("/") - top) for r in regions]


@dataclass
class Query:
    q: str = ""
    agency: str = ""
    region: str = ""
    category: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = 1
    errors: tuple[str, ...] = ()

    @property
    def filtered(self) -> bool:
        return bool(self.q or self.agency or self.region or self.category or self.date_from
                    or self.date_to)

    def params(self, **changes: Any) -> str:
        values = {"q": self.q, "agency": self.agency, "region": self.region,
                  "category": self.category,
                  "from": self.date_from.isoformat() if self.date_from else "",
                  "to": self.date_to.isoformat() if self.date_to else "",
                  "page": self.page}
        values.update(changes)
        if values.get("page") == 1:
            values.pop("page")
        return urlencode({k: v for k, v in values.items() if v})


def _date(raw: str, label: str, errors: list[str]) -> dt.date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors.append(_("%(field)s is not a date (YYYY-MM-DD).") % {"field": label})
        return None


def parse_query(request: HttpRequest, agencies: list[Option],
                regions: list[Option]) -> Query:
    """The search parameters as typed; unknown values are dropped (never an error page)."""
    get = request.GET
    errors: list[str] = []
    q = " ".join(get.get("q", "").split())[:MAX_QUERY]
    agency = get.get("agency", "")
    if agency not in {o.value for o in agencies}:
        agency = ""
    region = get.get("region", "")
    if region not in {o.value for o in regions}:
        region = ""
    category = get.get("category", "")
    if category not in Category.values:
        category = ""
    date_from = _date(get.get("from", ""), _("Decided from"), errors)
    date_to = _date(get.get("to", ""), _("Decided until"), errors)
    if date_from and date_to and date_from > date_to:
        errors.append(_("The start date is after the end date."))
        date_from = date_to = None
    try:
        page = min(MAX_PAGE, max(1, int(get.get("page", "1"))))
    except ValueError:
        page = 1
    return Query(q=q, agency=agency, region=region, category=category, date_from=date_from,
                 date_to=date_to, page=page, errors=tuple(errors))


@dataclass(frozen=True)
class Hit:
    pub: Publication
    url: str
    title: SafeString
    number: SafeString
    party: SafeString
    excerpt: SafeString
    category: str


def count_text(result: SearchPage) -> str:
    total = f"{result.total:,}"
    if result.total_is_estimate:
        return ngettext("About %(count)s+ decision", "About %(count)s+ decisions",
                        result.total) % {"count": total}
    return ngettext("%(count)s decision", "%(count)s decisions", result.total) % {
        "count": total}


@public_page
def search(request: HttpRequest) -> HttpResponse:
    agencies = agency_options()
    regions = region_options()
    query = parse_query(request, agencies, regions)
    body_id = None
    if query.agency:
        body_id = (EnforcementBody.objects.filter(public_id=query.agency)
                   .values_list("id", flat=True).first())
    region_path = None
    if query.region:
        region_path = (Region.objects.filter(code=query.region)
                       .values_list("path", flat=True).first())
    result = disclosure_search.search_publications(
        q=query.q, body_id=body_id, region_path=region_path, category=query.category or None,
        date_from=query.date_from, date_to=query.date_to, page=query.page, per_page=PER_PAGE)
    pattern = _terms_pattern(list(result.terms) or query.q.split())
    labels = dict(Category.choices)
    hits = []
    for pub in result.items:
        fields = pub.public or {}
        text = fields.get("facts") or fields.get("result") or ""
        if pattern is not None and not pattern.search(text) and pattern.search(
                fields.get("result") or ""):
            text = fields.get("result") or ""
        hits.append(Hit(
            pub=pub, url=f"/portal/publications/{pub.public_id}/",
            title=highlight(pub.title, pattern),
            number=highlight(pub.decision_number, pattern),
            party=highlight(pub.party_display, pattern),
            excerpt=highlight(snippet(text, pattern), pattern),
            category=str(labels.get(pub.category, pub.category))))
    pages = result.pages
    has_next = query.page < MAX_PAGE and (
        query.page < pages or (result.total_is_estimate and len(result.items) == PER_PAGE))
    context = {
        "query": query, "result": result, "hits": hits, "agencies": agencies,
        "regions": regions, "categories": Category.choices, "count_text": count_text(result),
        "prev_url": f"?{query.params(page=query.page - 1)}" if query.page > 1 else "",
        "next_url": f"?{query.params(page=query.page + 1)}" if has_next else "",
        "pages": pages, "first_number": (result.page - 1) * result.per_page + 1,
        "beyond_last_page": query.page >= MAX_PAGE and (pages > MAX_PAGE
                                                         or result.total_is_estimate),
    }
    return render(request, "portal/publications/search.html", context)


# --- A record -----------------------------------------------------------------------------
def _parse_id(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def _money(fen: int | None) -> str:
    return "" if fen is None else _("%(amount)s yuan") % {"amount": fen_to_yuan(fen)}


def last_public_day(pub: Publication) -> dt.date | None:
    return pub.offline_on - dt.timedelta(days=1) if pub.offline_on else None


@public_page
def publication(request: HttpRequest, public_id: str) -> HttpResponse:
    key = _parse_id(public_id)
    if key is None:
        return not_found(request)
    pub = public_publication(key)
    if pub is None:
        return tombstone(request, key)
    fields = [(label, pub.public.get(k, "")) for k, label in FIELDS if pub.public.get(k, "")]
    amounts = [(label, _money(fen)) for label, fen in (
        (_("Fine"), pub.fine), (_("Confiscated"), pub.confiscation)) if fen]
    bundle = publication_proof(pub)
    context = {
        "pub": pub, "fields": fields, "amounts": amounts, "category": pub.get_category_display(),
        "last_day": last_public_day(pub), "bundle": bundle,
        "proof_url": f"/portal/publications/{pub.public_id}/proof.json",
    }
    return render(request, "portal/publications/detail.html", context)


def tombstone(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    """A record that was public: why it is not any more; none of its content. 410 when it
    was withdrawn (it is gone for good), 404 when its publicity ended."""
    pub = public_tombstone(key)
    if pub is None:
        return not_found(request)
    if pub.state == State.WITHDRAWN:
        kind, status = "withdrawn", 410
    elif pub.state == State.ENDED:
        kind, status = "ended", 404
    elif pub.state in (State.EXPIRED, State.PUBLISHED):  # published: past offline_on, unswept
        kind, status = "expired", 404
    else:
        return not_found(request)
    context = {
        "kind": kind, "decision_number": pub.decision_number, "agency": pub.body.name,
        "withdrawn_on": pub.withdrawn_on,
        "withdrawal_kind": dict(WithdrawalKind.choices).get(pub.withdrawal_kind, ""),
        "withdrawal_reason": pub.withdrawal_reason, "ended_on": pub.ended_on,
        "last_day": last_public_day(pub),
    }
    return render(request, "portal/publications/tombstone.html", context, status=status)


@public_page
def publication_proof_json(request: HttpRequest, public_id: str) -> HttpResponse:
    key = _parse_id(public_id)
    pub = public_publication(key) if key is not None else None
    if pub is None:
        return not_found(request)
    return JsonResponse(publication_proof(pub), json_dumps_params={"ensure_ascii": False,
                                                                   "indent": 2})


# --- Withdrawals --------------------------------------------------------------------------
@public_page
def withdrawals(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(public_withdrawals().order_by("-withdrawn_on", "-id"), 50)
    try:
        number = min(max(1, int(request.GET.get("page", "1"))), paginator.num_pages)
    except ValueError:
        number = 1
    page = paginator.page(number)
    kinds = dict(WithdrawalKind.choices)
    rows = [{"url": f"/portal/publications/{p.public_id}/", "number": p.decision_number,
             "agency": p.body.name, "withdrawn_on": p.withdrawn_on,
             "kind": kinds.get(p.withdrawal_kind, ""), "reason": p.withdrawal_reason}
            for p in page.object_list]
    return render(request, "portal/publications/withdrawals.html",
                  {"rows": rows, "page": page, "paginator": paginator})
