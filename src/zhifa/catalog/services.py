"""State changes of the catalogues. The importer, the demo loader, the API and the admin's
actions call these. Versions are never edited in place once in force: a new version closes
the previous one (``effective_to``) in the same transaction."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput, PermissionDenied
from zhifa.orgs.models import Department, EnforcementBody, Region, Sector
from zhifa.orgs.permissions import Perm, perms_of

from .models import (
    Article,
    BenchmarkTier,
    DiscretionBenchmark,
    EnforcementItem,
    HearingThreshold,
    Law,
    LawVersion,
    LegalityReviewStatus,
    RandomInspectionItem,
    ReviewCatalogue,
    ReviewCategoryTrigger,
    ReviewThreshold,
    ServiceGuide,
)


def _require_catalog_scope(actor: Any, body: EnforcementBody | None) -> None:
    """Body administrators manage their own body's catalogues; system administrators any.
    ``actor=None`` is the system itself (demo loader, migrations)."""
    if actor is None:
        return
    perms = perms_of(actor)
    if Perm.ADMINISTER_SYSTEM in perms:
        return
    if Perm.MANAGE_CATALOG not in perms or body is None or actor.person.body_id != body.pk:
        raise PermissionDenied(
            _("You can only manage the catalogues of your own enforcement body."),
            code="catalog_out_of_scope",
        )


def _require_system_admin(actor: Any, message: str) -> None:
    """What every body shares (legal provisions, hearing thresholds) is changed by system
    administrators only; ``actor=None`` is the system itself."""
    if actor is not None and Perm.ADMINISTER_SYSTEM not in perms_of(actor):
        raise PermissionDenied(message, code="missing_administer_system")


def _close_previous(model: Any, *, filters: dict[str, Any], effective_from: dt.date) -> int:
    """Close the version in force before ``effective_from``; return the next version number."""
    previous = model.objects.filter(**filters).order_by("-version").first()
    if previous is None:
        return 1
    if effective_from <= previous.effective_from:
        raise InvalidInput(
            _("A new version must take effect after the current one (%(date)s).")
            % {"date": previous.effective_from.isoformat()},
            code="version_effective_date",
        )
    if previous.effective_to is None or previous.effective_to > effective_from:
        previous.effective_to = effective_from
        previous.save(update_fields=["effective_to", "updated_at"])
    return int(previous.version) + 1


def _create_version(
    model: Any, *, key: dict[str, Any], effective_from: dt.date, **fields: Any
) -> Any:
    """A new row of ``model`` as the next version of the one ``key`` names (its scope and
    code), closing the version in force before it."""
    version = _close_previous(model, filters=key, effective_from=effective_from)
    return model.objects.create(**key, version=version, effective_from=effective_from, **fields)


# --- Legal provisions -----------------------------------------------------------------------
@transaction.atomic
def law_version_create(
    *,
    actor: Any,
    law_code: str,
    title: str,
    level: str,
    issuer: str,
    label: str,
    effective_from: dt.date,
    articles: Sequence[tuple[int, str, str]],
    document_number: str = "",
    promulgated_date: dt.date | None = None,
) -> LawVersion:
    """Add a law (if new) and a text version with its articles ``(number, label, text)``;
    the previous version stops being in force on ``effective_from``."""
    _require_system_admin(actor, _("Only system administrators can edit legal provisions."))
    law, created = Law.objects.get_or_create(
        code=law_code, defaults={"title": title, "level": level}
    )
    previous = law.versions.select_for_update().order_by("-effective_from").first()
    if previous is not None:
        if effective_from <= previous.effective_from:
            raise InvalidInput(_("A new version must take effect after the current one."),
                               code="version_effective_date")
        previous.effective_to = effective_from
        previous.save(update_fields=["effective_to", "updated_at"])
    if not created and (law.title, law.level) != (title, level):
        # A revision may rename a law or change its level; the instrument shows the latest.
        law.title, law.level = title, level
        law.save(update_fields=["title", "level", "updated_at"])
    version = LawVersion.objects.create(
        law=law, label=label, issuer=issuer, document_number=document_number,
        promulgated_date=promulgated_date, effective_from=effective_from,
    )
    numbers = [n for n, _l, _t in articles]
    if len(numbers) != len(set(numbers)):
        raise InvalidInput(_("An article number appears twice."), code="article_duplicate")
    Article.objects.bulk_create(
        [Article(version=version, number=n, label=lbl, text=t) for n, lbl, t in articles]
    )
    return version


# --- Enforcement items ----------------------------------------------------------------------
@transaction.atomic
def item_create(
    *,
    actor: Any,
    body: EnforcementBody,
    code: str,
    name: str,
    category: str,
    procedure_type: str,
    effective_from: dt.date,
    legal_basis: Iterable[Article] = (),
    basis_text: str = "",
    accepting_office: Department | None = None,
    deciding_office: Department | None = None,
    time_limit: int | None = None,
    time_limit_unit: str = "",
    reconsideration_body: str = "",
    reconsideration_days: int = 60,
    litigation_court: str = "",
    litigation_months: int = 6,
) -> EnforcementItem:
    """A new item, or a new version of the item with the same code in this body."""
    _require_catalog_scope(actor, body)
    for office in (accepting_office, deciding_office):
        if office is not None and office.body_id != body.pk:
            raise InvalidInput(_("The office belongs to another body."),
                               code="department_other_body")
    item: EnforcementItem = _create_version(
        EnforcementItem, key={"body": body, "code": code}, effective_from=effective_from,
        name=name, category=category, procedure_type=procedure_type, basis_text=basis_text,
        accepting_office=accepting_office, deciding_office=deciding_office,
        time_limit=time_limit, time_limit_unit=time_limit_unit,
        reconsideration_body=reconsideration_body, reconsideration_days=reconsideration_days,
        litigation_court=litigation_court, litigation_months=litigation_months,
    )
    item.legal_basis.set(list(legal_basis))
    return item


@transaction.atomic
def item_record_legality_review(
    *, actor: Any, item: EnforcementItem, passed: bool, reviewed_on: dt.date, note: str = ""
) -> EnforcementItem:
    """Record the legality review (合法性审核) that makes an item publishable (118号)."""
    _require_catalog_scope(actor, item.body)
    item.legality_review_status = (
        LegalityReviewStatus.PASSED if passed else LegalityReviewStatus.FAILED
    )
    item.legality_reviewed_on = reviewed_on
    item.legality_review_note = note
    item.save(update_fields=["legality_review_status", "legality_reviewed_on",
                             "legality_review_note", "updated_at"])
    return item


@transaction.atomic
def inspection_item_create(
    *,
    actor: Any,
    body: EnforcementBody,
    code: str,
    name: str,
    inspection_objects: str,
    method: str,
    effective_from: dt.date,
    legal_basis: Iterable[Article] = (),
    basis_text: str = "",
    ratio_percent: int | None = None,
    frequency: str = "",
) -> RandomInspectionItem:
    _require_catalog_scope(actor, body)
    item: RandomInspectionItem = _create_version(
        RandomInspectionItem, key={"body": body, "code": code}, effective_from=effective_from,
        name=name, inspection_objects=inspection_objects, method=method, basis_text=basis_text,
        ratio_percent=ratio_percent, frequency=frequency,
    )
    item.legal_basis.set(list(legal_basis))
    return item


@transaction.atomic
def service_guide_create(
    *,
    actor: Any,
    item: EnforcementItem,
    conditions: str,
    materials: str,
    process: str,
    time_limit_text: str,
    effective_from: dt.date,
    fees: str = "不收费",
    location: str = "",
    phone: str = "",
) -> ServiceGuide:
    _require_catalog_scope(actor, item.body)
    return _create_version(
        ServiceGuide, key={"item": item, "code": item.code}, effective_from=effective_from,
        conditions=conditions, materials=materials, process=process,
        time_limit_text=time_limit_text, fees=fees, location=location, phone=phone,
    )


# --- Discretion benchmarks ------------------------------------------------------------------
@dataclass
class TierIn:
    tier: str
    conditions: str
    min_value: int | None = None
    max_value: int | None = None
    penalty_kinds: list[str] = field(default_factory=list)
    other_measures: str = ""


@transaction.atomic
def benchmark_create(
    *,
    actor: Any,
    code: str,
    violation: str,
    sector: Sector,
    region: Region,
    violated_text: str,
    penalty_text: str,
    source_document: str,
    effective_from: dt.date,
    tiers: Sequence[TierIn],
    issuing_body: EnforcementBody | None = None,
    amount_unit: str = "yuan",
    statutory_min: int | None = None,
    statutory_max: int | None = None,
    violated_articles: Iterable[Article] = (),
    penalty_articles: Iterable[Article] = (),
) -> DiscretionBenchmark:
    """A benchmark with its tiers; each tier's range must lie within the statutory range
    (国办发〔2022〕27号: tiers stay within the statutory type and range, except mitigation)."""
    _require_catalog_scope(actor, issuing_body)
    if not tiers:
        raise InvalidInput(_("A benchmark needs at least one tier."), code="benchmark_no_tiers")
    names = [t.tier for t in tiers]
    if len(names) != len(set(names)):
        raise InvalidInput(_("A tier appears twice."), code="benchmark_tier_duplicate")
    if statutory_min is not None and statutory_max is not None and statutory_min > statutory_max:
        raise InvalidInput(_("The statutory minimum is above the maximum."),
                           code="benchmark_range")
    for t in tiers:
        if t.min_value is not None and t.max_value is not None and t.min_value > t.max_value:
            raise InvalidInput(_("A tier's minimum is above its maximum."),
                               code="benchmark_tier_range", detail=t.tier)
        # Mitigation (减轻) goes below the statutory minimum by definition (APL art. 32).
        if t.tier not in ("mitigated", "no_penalty"):
            low, high = t.min_value, t.max_value
            if statutory_min is not None and low is not None and low < statutory_min:
                raise InvalidInput(_("A tier lies below the statutory minimum."),
                                   code="benchmark_tier_outside", detail=t.tier)
            if statutory_max is not None and high is not None and high > statutory_max:
                raise InvalidInput(_("A tier lies above the statutory maximum."),
                                   code="benchmark_tier_outside", detail=t.tier)
    benchmark: DiscretionBenchmark = _create_version(
        DiscretionBenchmark, key={"region": region, "code": code},
        effective_from=effective_from, violation=violation, sector=sector,
        issuing_body=issuing_body, violated_text=violated_text, penalty_text=penalty_text,
        source_document=source_document, amount_unit=amount_unit,
        statutory_min=statutory_min, statutory_max=statutory_max,
    )
    benchmark.violated_articles.set(list(violated_articles))
    benchmark.penalty_articles.set(list(penalty_articles))
    BenchmarkTier.objects.bulk_create(
        [
            BenchmarkTier(benchmark=benchmark, tier=t.tier, conditions=t.conditions,
                          min_value=t.min_value, max_value=t.max_value,
                          penalty_kinds=list(t.penalty_kinds), other_measures=t.other_measures)
            for t in tiers
        ]
    )
    return benchmark


# --- Legal review catalogues and hearing thresholds -----------------------------------------
@dataclass
class ThresholdIn:
    party_type: str
    amount_fen: int
    comparator: str  # "gte" (含本数) or "gt" (不含本数)
    counts_confiscation: bool = True


@transaction.atomic
def review_catalogue_create(
    *,
    actor: Any,
    body: EnforcementBody,
    title: str,
    effective_from: dt.date,
    thresholds: Sequence[ThresholdIn],
    triggers: Sequence[str],
    review_days: int = 7,
    extension_days: int = 3,
    source_document: str = "",
    code: str = "review-catalogue",
) -> ReviewCatalogue:
    """The body's 法制审核目录清单 (APL art. 58); defaults of 7 + 3 working days follow
    common provincial practice and are configurable per catalogue."""
    _require_catalog_scope(actor, body)
    if len({t.party_type for t in thresholds}) != len(thresholds):
        raise InvalidInput(_("A party type has two thresholds."), code="threshold_duplicate")
    catalogue: ReviewCatalogue = _create_version(
        ReviewCatalogue, key={"body": body, "code": code}, effective_from=effective_from,
        title=title, review_days=review_days, extension_days=extension_days,
        source_document=source_document,
    )
    ReviewThreshold.objects.bulk_create(
        [ReviewThreshold(catalogue=catalogue, party_type=t.party_type, amount_fen=t.amount_fen,
                         comparator=t.comparator, counts_confiscation=t.counts_confiscation)
         for t in thresholds]
    )
    ReviewCategoryTrigger.objects.bulk_create(
        [ReviewCategoryTrigger(catalogue=catalogue, trigger=t) for t in sorted(set(triggers))]
    )
    return catalogue


@transaction.atomic
def hearing_threshold_create(
    *,
    actor: Any,
    region: Region,
    party_type: str,
    amount_fen: int,
    source_document: str,
    effective_from: dt.date,
    sector: Sector | None = None,
    comparator: str = "gte",
) -> HearingThreshold:
    _require_system_admin(actor, _("Only system administrators can set hearing thresholds."))
    code = f"hearing-{region.code}-{sector.code if sector else 'all'}-{party_type}"
    return _create_version(
        HearingThreshold, key={"code": code}, effective_from=effective_from, region=region,
        sector=sector, party_type=party_type, amount_fen=amount_fen, comparator=comparator,
        source_document=source_document,
    )
