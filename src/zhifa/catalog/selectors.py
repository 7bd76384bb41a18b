"""Catalogue reads. Items and review catalogues belong to a body and follow the registry's
scope; legal provisions and discretion benchmarks are public texts (APL art. 34 requires
benchmarks to be published) and are visible to every staff account."""

import datetime as dt
import uuid
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhifa.core.errors import NotFound
from zhifa.orgs.permissions import Perm, perms_of
from zhifa.orgs.selectors import visible_bodies

from .models import (
    Article,
    DiscretionBenchmark,
    EnforcementItem,
    HearingThreshold,
    PartyType,
    ReviewCatalogue,
)


def article_in_force(*, law_code: str, number: int, day: dt.date) -> Article:
    """The text of article ``number`` of the law ``law_code`` in force on ``day``."""
    article = (
        Article.objects.select_related("version", "version__law")
        .filter(version__law__code=law_code, number=number, version__effective_from__lte=day)
        .exclude(version__effective_to__lte=day)
        .exclude(version__law__repeal_date__lte=day)
        .order_by("-version__effective_from")
        .first()
    )
    if article is None:
        raise NotFound(
            _("No text of that article was in force on that date."), code="article_not_in_force"
        )
    return article


def visible_items(user: Any) -> QuerySet[EnforcementItem]:
    if Perm.VIEW_CATALOG not in perms_of(user):
        return EnforcementItem.objects.none()
    return EnforcementItem.objects.filter(body__in=visible_bodies(user)).select_related(
        "body", "body__region"
    )


def item_get_for_user(*, user: Any, public_id: Any) -> EnforcementItem:
    try:
        return visible_items(user).get(public_id=uuid.UUID(str(public_id)))
    except (EnforcementItem.DoesNotExist, ValueError):
        raise NotFound(_("Enforcement item not found."), code="item_not_found") from None


def visible_benchmarks(user: Any) -> QuerySet[DiscretionBenchmark]:
    if Perm.VIEW_CATALOG not in perms_of(user):
        return DiscretionBenchmark.objects.none()
    return DiscretionBenchmark.objects.select_related("sector", "region").prefetch_related(
        "tiers"
    )


def benchmark_get_for_user(*, user: Any, public_id: Any) -> DiscretionBenchmark:
    try:
        return visible_benchmarks(user).get(public_id=uuid.UUID(str(public_id)))
    except (DiscretionBenchmark.DoesNotExist, ValueError):
        raise NotFound(_("Benchmark not found."), code="benchmark_not_found") from None


def visible_review_catalogues(user: Any) -> QuerySet[ReviewCatalogue]:
    if Perm.VIEW_CATALOG not in perms_of(user):
        return ReviewCatalogue.objects.none()
    return ReviewCatalogue.objects.filter(body__in=visible_bodies(user)).prefetch_related(
        "thresholds", "category_triggers"
    )


def hearing_threshold_for(
    *, region_path: str, sector_id: int | None, party_type: str, day: dt.date
) -> HearingThreshold | None:
    """The 较大数额 threshold that applies: the most specific region on the path, a
    sector-specific row before the general one (APL art. 63 leaves amounts to local rules)."""
    codes = [c for c in region_path.strip("/").split("/") if c]
    party_types: list[str]
    if party_type == PartyType.INDIVIDUAL_BUSINESS:
        party_types = [PartyType.INDIVIDUAL_BUSINESS, PartyType.NATURAL_PERSON]
    else:
        party_types = [party_type]
    rows = list(
        HearingThreshold.objects.in_force_on(day)
        .filter(region__code__in=codes, party_type__in=party_types)
        .select_related("region")
    )

    def rank(row: HearingThreshold) -> tuple[int, int, int]:
        return (
            -codes.index(row.region.code),
            0 if row.sector_id == sector_id else 1,
            party_types.index(row.party_type),
        )

    rows = [r for r in rows if r.sector_id in (None, sector_id)]
    return min(rows, key=rank) if rows else None
