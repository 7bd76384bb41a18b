"""State changes of the catalogues. The importer, the demo loader, the API and the admin call
these. Versions are never edited in place: a new version closes the previous one
(``effective_to``) in the same transaction (``versioning.create_version``, which also says who
may date a version in the past). Every change writes its ledger entry in the same transaction
(``catalog.events``, stream ``"catalog"``)."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput, PermissionDenied
from zhifa.ledger.services import ledger_append
from zhifa.orgs.models import Department, EnforcementBody, Region, Sector
from zhifa.orgs.permissions import Perm, perms_of

from . import events
from .benchmark_rules import TierIn, check_tiers
from .models import (
    AmountUnit,
    Article,
    BenchmarkTier,
    Comparator,
    DiscretionBenchmark,
    EnforcementItem,
    HearingThreshold,
    ItemCategory,
    Law,
    LawVersion,
    LegalityReviewStatus,
    PartyType,
    ProcedureType,
    RandomInspectionItem,
    ReviewCatalogue,
    ReviewCategoryTrigger,
    ReviewThreshold,
    ReviewTrigger,
    ServiceGuide,
    TimeUnit,
)
from .versioning import (
    article_refs,
    create_version,
    is_system_actor,
    latest_version,
    ledger_actor,
    record_version,
)

__all__ = [
    "ThresholdIn", "TierIn", "benchmark_create", "hearing_threshold_create",
    "inspection_item_create", "item_create", "item_record_legality_review",
    "law_version_create", "review_catalogue_create", "service_guide_create",
]


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


def _require_choice(value: str, choices: Any, *, code: str, message: str) -> None:
    if value not in choices.values:
        raise InvalidInput(message, code=code, detail=value)


def _require_not_negative(**values: int | None) -> None:
    for name, value in values.items():
        if value is not None and value < 0:
            raise InvalidInput(_("A number or amount cannot be negative."),
                               code="value_negative", detail=name)


def _require_articles_in_force(articles: list[Article], day: dt.date) -> None:
    """A basis cites the text in force when the version takes effect (APL art. 37: the rules
    in force at the time of the act apply)."""
    # Read the versions again: the caller's instances may predate a newer text closing them.
    fresh = Article.objects.select_related("version__law").filter(pk__in=[a.pk for a in articles])
    for article in fresh:
        version = article.version
        repealed = version.law.repeal_date
        if not (
            version.effective_from <= day
            and (version.effective_to is None or day < version.effective_to)
            and (repealed is None or day < repealed)
        ):
            raise InvalidInput(
                _("%(article)s (%(version)s) was not in force on %(date)s.")
                % {"article": str(article), "version": version.label, "date": day.isoformat()},
                code="article_not_in_force",
                detail=f"{version.law.code}:{article.number}",
            )


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
    renamed = {key: [old, new] for key, old, new in
               (("title", law.title, title), ("level", law.level, level)) if old != new}
    if not created and renamed:
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
    payload: dict[str, Any] = {
        "law_code": law.code, "title": title, "level": level, "law_version": version.public_id,
        "label": label, "issuer": issuer, "document_number": document_number,
        "promulgated_date": promulgated_date, "effective_from": effective_from,
        "articles": sorted(numbers),
    }
    if created:
        event = events.LAW_CREATED
    else:
        event = events.LAW_VERSION_CREATED
        payload.update(previous_label=previous.label if previous else None, changes=renamed)
    ledger_append(actor=ledger_actor(actor), event=event, stream=events.CATALOG_STREAM,
                  payload=payload)
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
    _require_choice(category, ItemCategory, code="category_unknown",
                    message=_("Unknown item category."))
    _require_choice(procedure_type, ProcedureType, code="procedure_unknown",
                    message=_("Unknown procedure type."))
    if time_limit_unit:
        _require_choice(time_limit_unit, TimeUnit, code="time_unit_unknown",
                        message=_("Unknown unit of the time limit."))
    _require_not_negative(time_limit=time_limit, reconsideration_days=reconsideration_days,
                          litigation_months=litigation_months)
    for office in (accepting_office, deciding_office):
        if office is not None and office.body_id != body.pk:
            raise InvalidInput(_("The office belongs to another body."),
                               code="department_other_body")
    articles = list(legal_basis)
    _require_articles_in_force(articles, effective_from)
    item: EnforcementItem = create_version(
        EnforcementItem, actor=actor, key={"body": body, "code": code},
        effective_from=effective_from,
        name=name, category=category, procedure_type=procedure_type, basis_text=basis_text,
        accepting_office=accepting_office, deciding_office=deciding_office,
        time_limit=time_limit, time_limit_unit=time_limit_unit,
        reconsideration_body=reconsideration_body, reconsideration_days=reconsideration_days,
        litigation_court=litigation_court, litigation_months=litigation_months,
    )
    item.legal_basis.set(articles)
    record_version(
        actor=actor, obj=item, first=events.ITEM_CREATED, later=events.ITEM_VERSION_CREATED,
        body=body, payload={
            "item": item.public_id, "name": name, "category": category,
            "procedure_type": procedure_type, "legal_basis": article_refs(articles),
            "basis_text": basis_text,
            "accepting_office": accepting_office.name if accepting_office else None,
            "deciding_office": deciding_office.name if deciding_office else None,
            "time_limit": time_limit, "time_limit_unit": time_limit_unit,
            "reconsideration_body": reconsideration_body,
            "reconsideration_days": reconsideration_days,
            "litigation_court": litigation_court, "litigation_months": litigation_months,
        })
    return item


@transaction.atomic
def item_record_legality_review(
    *, actor: Any, item: EnforcementItem, passed: bool, reviewed_on: dt.date, note: str = ""
) -> EnforcementItem:
    """Record the legality review (合法性审核) that makes an item publishable (118号)."""
    _require_catalog_scope(actor, item.body)
    previous_status = item.legality_review_status
    item.legality_review_status = (
        LegalityReviewStatus.PASSED if passed else LegalityReviewStatus.FAILED
    )
    item.legality_reviewed_on = reviewed_on
    item.legality_review_note = note
    item.save(update_fields=["legality_review_status", "legality_reviewed_on",
                             "legality_review_note", "updated_at"])
    ledger_append(actor=ledger_actor(actor), event=events.ITEM_LEGALITY_REVIEWED,
                  stream=events.CATALOG_STREAM, body=item.body, payload={
                      "item": item.public_id, "code": item.code, "version": item.version,
                      "status": item.legality_review_status,
                      "previous_status": previous_status, "reviewed_on": reviewed_on,
                      "note": note})
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
    _require_not_negative(ratio_percent=ratio_percent)
    articles = list(legal_basis)
    _require_articles_in_force(articles, effective_from)
    item: RandomInspectionItem = create_version(
        RandomInspectionItem, actor=actor, key={"body": body, "code": code},
        effective_from=effective_from, name=name, inspection_objects=inspection_objects,
        method=method, basis_text=basis_text, ratio_percent=ratio_percent, frequency=frequency,
    )
    item.legal_basis.set(articles)
    record_version(
        actor=actor, obj=item, first=events.INSPECTION_ITEM_CREATED,
        later=events.INSPECTION_ITEM_VERSION_CREATED, body=body, payload={
            "inspection_item": item.public_id, "name": name,
            "inspection_objects": inspection_objects, "method": method,
            "legal_basis": article_refs(articles), "basis_text": basis_text,
            "ratio_percent": ratio_percent, "frequency": frequency,
        })
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
    guide: ServiceGuide = create_version(
        ServiceGuide, actor=actor, key={"item": item, "code": item.code},
        effective_from=effective_from,
        conditions=conditions, materials=materials, process=process,
        time_limit_text=time_limit_text, fees=fees, location=location, phone=phone,
    )
    record_version(
        actor=actor, obj=guide, first=events.SERVICE_GUIDE_CREATED,
        later=events.SERVICE_GUIDE_VERSION_CREATED, body=item.body, payload={
            "service_guide": guide.public_id, "item": item.public_id,
            "item_version": item.version, "conditions": conditions, "materials": materials,
            "process": process, "time_limit_text": time_limit_text, "fees": fees,
            "location": location, "phone": phone,
        })
    return guide


# --- Discretion benchmarks ------------------------------------------------------------------
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
    """A benchmark with its tiers (rules in ``benchmark_rules.check_tiers``).

    A body administrator issues benchmarks in their own body's name, for regions within the
    body's region, and supersedes only a version their body issued: a county bureau cannot
    close a province-wide or another body's benchmark (``benchmark_out_of_scope``)."""
    _require_catalog_scope(actor, issuing_body)
    key = {"region": region, "code": code}
    if not is_system_actor(actor):
        own = actor.person.body
        previous = latest_version(DiscretionBenchmark, key)
        if not own.region.covers(region) or (
            previous is not None and previous.issuing_body_id != own.pk
        ):
            raise PermissionDenied(
                _("You can only issue benchmarks for your own body's region and supersede "
                  "benchmarks your body issued."),
                code="benchmark_out_of_scope",
            )
    _require_choice(amount_unit, AmountUnit, code="amount_unit_unknown",
                    message=_("Unknown amount unit."))
    check_tiers(tiers, statutory_min=statutory_min, statutory_max=statutory_max)
    violated, penalty = list(violated_articles), list(penalty_articles)
    _require_articles_in_force(violated + penalty, effective_from)
    benchmark: DiscretionBenchmark = create_version(
        DiscretionBenchmark, actor=actor, key=key,
        effective_from=effective_from, violation=violation, sector=sector,
        issuing_body=issuing_body, violated_text=violated_text, penalty_text=penalty_text,
        source_document=source_document, amount_unit=amount_unit,
        statutory_min=statutory_min, statutory_max=statutory_max,
    )
    benchmark.violated_articles.set(violated)
    benchmark.penalty_articles.set(penalty)
    BenchmarkTier.objects.bulk_create(
        [
            BenchmarkTier(benchmark=benchmark, tier=t.tier, conditions=t.conditions,
                          min_value=t.min_value, max_value=t.max_value,
                          penalty_kinds=list(t.penalty_kinds), other_measures=t.other_measures)
            for t in tiers
        ]
    )
    record_version(
        actor=actor, obj=benchmark, first=events.BENCHMARK_CREATED,
        later=events.BENCHMARK_VERSION_CREATED, body=issuing_body, payload={
            "benchmark": benchmark.public_id, "violation": violation, "region": region.code,
            "sector": sector.code,
            "issuing_body": issuing_body.credit_code if issuing_body else None,
            "violated_text": violated_text, "penalty_text": penalty_text,
            "violated_articles": article_refs(violated),
            "penalty_articles": article_refs(penalty), "source_document": source_document,
            "amount_unit": amount_unit, "statutory_min": statutory_min,
            "statutory_max": statutory_max,
            "tiers": [{"tier": t.tier, "conditions": t.conditions, "min_value": t.min_value,
                       "max_value": t.max_value, "penalty_kinds": list(t.penalty_kinds),
                       "other_measures": t.other_measures} for t in tiers],
        })
    return benchmark


# --- Legal review catalogues and hearing thresholds -----------------------------------------
@dataclass
class ThresholdIn:
    party_type: str
    amount_fen: int
    comparator: str  # "gte" (含本数) or "gt" (不含本数)
    counts_confiscation: bool = True


def _require_threshold(*, party_type: str, comparator: str, amount_fen: int) -> None:
    _require_choice(party_type, PartyType, code="party_type_unknown",
                    message=_("Unknown party type."))
    _require_choice(comparator, Comparator, code="comparator_unknown",
                    message=_("Unknown comparator; use “at least” or “more than”."))
    _require_not_negative(amount_fen=amount_fen)


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
    for t in thresholds:
        _require_threshold(party_type=t.party_type, comparator=t.comparator,
                           amount_fen=t.amount_fen)
    if len({t.party_type for t in thresholds}) != len(thresholds):
        raise InvalidInput(_("A party type has two thresholds."), code="threshold_duplicate")
    unknown = sorted(set(triggers) - set(ReviewTrigger.values))
    if unknown:
        raise InvalidInput(_("Unknown review trigger."), code="review_trigger_unknown",
                           detail=unknown)
    if review_days < 1 or extension_days < 0:
        raise InvalidInput(_("The review takes at least one working day and the extension "
                             "cannot be negative."), code="review_days_invalid")
    catalogue: ReviewCatalogue = create_version(
        ReviewCatalogue, actor=actor, key={"body": body, "code": code},
        effective_from=effective_from,
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
    record_version(
        actor=actor, obj=catalogue, first=events.REVIEW_CATALOGUE_CREATED,
        later=events.REVIEW_CATALOGUE_VERSION_CREATED, body=body, payload={
            "review_catalogue": catalogue.public_id, "title": title,
            "review_days": review_days, "extension_days": extension_days,
            "source_document": source_document,
            "thresholds": [{"party_type": t.party_type, "amount_fen": t.amount_fen,
                            "comparator": t.comparator,
                            "counts_confiscation": t.counts_confiscation}
                           for t in thresholds],
            "triggers": sorted(set(triggers)),
        })
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
    _require_threshold(party_type=party_type, comparator=comparator, amount_fen=amount_fen)
    code = f"hearing-{region.code}-{sector.code if sector else 'all'}-{party_type}"
    threshold: HearingThreshold = create_version(
        HearingThreshold, actor=actor, key={"code": code}, effective_from=effective_from,
        region=region,
        sector=sector, party_type=party_type, amount_fen=amount_fen, comparator=comparator,
        source_document=source_document,
    )
    record_version(
        actor=actor, obj=threshold, first=events.HEARING_THRESHOLD_CREATED,
        later=events.HEARING_THRESHOLD_VERSION_CREATED, body=None, payload={
            "hearing_threshold": threshold.public_id, "region": region.code,
            "sector": sector.code if sector else None, "party_type": party_type,
            "amount_fen": amount_fen, "comparator": comparator,
            "source_document": source_document,
        })
    return threshold
