"""Full-text search over public records (SEARCH HELPER: replace the body of these functions
with the FTS5 / tsvector implementation; keep the signatures).

The index holds a row per *public* record only: ``index_publication`` is called when a record
is published, ``unindex_publication`` when it is withdrawn, ended early or expired. Searches
still join the public visibility rule (``selectors.public_publications``) so that a record
past its ``offline_on`` is never returned even before the sweep removes it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .models import Publication, PublicationSearch
from .selectors import public_publications


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


def tokens_for(pub: Publication) -> str:
    """The search text of a public record (only its public fields)."""
    return " ".join(str(v) for v in pub.public.values() if v)


def index_publication(pub: Publication) -> None:
    region_path = pub.region.path if pub.region_id else ""
    PublicationSearch.objects.update_or_create(
        publication=pub, defaults={"tokens": tokens_for(pub), "body_id_copy": pub.body_id,
                                   "region_path": region_path, "category": pub.category,
                                   "decision_date": pub.decision_date})


def unindex_publication(pub: Publication) -> None:
    PublicationSearch.objects.filter(publication=pub).delete()


def search_publications(*, q: str = "", body_id: int | None = None,
                        region_path: str | None = None, category: str | None = None,
                        date_from: dt.date | None = None, date_to: dt.date | None = None,
                        page: int = 1, per_page: int = 20,
                        on: dt.date | None = None) -> SearchPage:
    qs = public_publications(on=on)
    terms = q.split()
    for term in terms:
        qs = qs.filter(search__tokens__contains=term)
    if body_id:
        qs = qs.filter(body_id=body_id)
    if region_path:
        qs = qs.filter(region__path__startswith=region_path)
    if category:
        qs = qs.filter(category=category)
    if date_from:
        qs = qs.filter(decision_date__gte=date_from)
    if date_to:
        qs = qs.filter(decision_date__lte=date_to)
    total = qs.count()
    page = max(1, page)
    items = list(qs.order_by("-decision_date", "-id")[(page - 1) * per_page: page * per_page])
    return SearchPage(items=items, total=total, page=page, per_page=per_page, terms=terms)
