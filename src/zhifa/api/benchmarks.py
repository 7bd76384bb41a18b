"""Discretion benchmarks (裁量基准) with their tiers.

Fixed amounts are integers in fen and come with a formatted yuan string; multiples and
percentages are not money and have no yuan string.
"""

import datetime as dt
import uuid
from typing import Any, cast

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema

from zhifa.catalog.models import AmountUnit, DiscretionBenchmark
from zhifa.catalog.selectors import benchmark_get_for_user, visible_benchmarks
from zhifa.core.filters import filter_given
from zhifa.core.models import VersionedQuerySet
from zhifa.orgs.permissions import Perm, require_perm

from .common import DENIED, DENIED_OR_MISSING, RegionRefOut, SectorRefOut, paginated, yuan
from .laws import ArticleRefOut

router = Router(tags=["benchmarks"])


class BenchmarkListIn(Schema):
    sector: str | None = None  # sector code
    region: str | None = None  # region code the benchmark is issued for
    in_force_on: dt.date | None = None
    q: str | None = None  # part of the violation, or the code


def _yuan_if_money(benchmark: DiscretionBenchmark, value: int | None) -> str | None:
    return yuan(value) if benchmark.amount_unit == AmountUnit.YUAN else None


class BenchmarkOut(Schema):
    public_id: uuid.UUID
    code: str
    version: int
    violation: str
    sector: SectorRefOut
    region: RegionRefOut
    amount_unit: str
    statutory_min: int | None
    statutory_max: int | None
    statutory_min_yuan: str | None
    statutory_max_yuan: str | None
    source_document: str
    effective_from: dt.date
    effective_to: dt.date | None

    @staticmethod
    def resolve_statutory_min_yuan(obj: DiscretionBenchmark) -> str | None:
        return _yuan_if_money(obj, obj.statutory_min)

    @staticmethod
    def resolve_statutory_max_yuan(obj: DiscretionBenchmark) -> str | None:
        return _yuan_if_money(obj, obj.statutory_max)


class TierOut(Schema):
    tier: str
    conditions: str
    min_value: int | None
    max_value: int | None
    min_yuan: str | None
    max_yuan: str | None
    penalty_kinds: list[str]
    other_measures: str

    @staticmethod
    def resolve_min_yuan(obj: Any) -> str | None:
        return _yuan_if_money(obj.benchmark, obj.min_value)

    @staticmethod
    def resolve_max_yuan(obj: Any) -> str | None:
        return _yuan_if_money(obj.benchmark, obj.max_value)


class BenchmarkDetailOut(BenchmarkOut):
    violated_text: str
    penalty_text: str
    violated_articles: list[ArticleRefOut]
    penalty_articles: list[ArticleRefOut]
    tiers: list[TierOut]

    @staticmethod
    def resolve_violated_articles(obj: DiscretionBenchmark) -> list[Any]:
        return list(obj.violated_articles.select_related("version", "version__law"))

    @staticmethod
    def resolve_penalty_articles(obj: DiscretionBenchmark) -> list[Any]:
        return list(obj.penalty_articles.select_related("version", "version__law"))

    @staticmethod
    def resolve_tiers(obj: DiscretionBenchmark) -> list[Any]:
        tiers = list(obj.tiers.all())
        for tier in tiers:
            tier.benchmark = obj  # the tiers were prefetched; no query back to the benchmark
        return tiers


def benchmarks_filtered(user: Any, filters: BenchmarkListIn) -> QuerySet[DiscretionBenchmark]:
    # A total order, so that pages neither repeat nor skip rows.
    qs = filter_given(
        visible_benchmarks(user).order_by("sector__sort_order", "sector__code", "code",
                                          "-version", "pk"),
        sector__code=filters.sector, region__code=filters.region,
    )
    if filters.in_force_on:
        qs = cast(VersionedQuerySet, qs).in_force_on(filters.in_force_on)
    if filters.q:
        term = filters.q.strip()
        qs = qs.filter(Q(violation__icontains=term) | Q(code__icontains=term))
    return qs


@router.get("/benchmarks", response={200: list[BenchmarkOut], **DENIED},
            operation_id="visible_benchmarks",
            summary="List discretion benchmarks")
@paginated
def benchmarks_list(request: HttpRequest, filters: Query[BenchmarkListIn]) -> Any:
    require_perm(request.user, Perm.VIEW_CATALOG)
    return benchmarks_filtered(request.user, filters)


@router.get("/benchmarks/{public_id}", response={200: BenchmarkDetailOut, **DENIED_OR_MISSING},
            operation_id="benchmark_get_for_user",
            summary="One discretion benchmark with its tiers")
def benchmark_detail(request: HttpRequest, public_id: str) -> Any:
    require_perm(request.user, Perm.VIEW_CATALOG)
    return benchmark_get_for_user(user=request.user, public_id=public_id)
