"""Power lists, random-inspection lists, service guides, discretion benchmarks, legal-review
catalogues and hearing thresholds."""

import datetime as dt

from zhifa.catalog.services import (
    ThresholdIn,
    TierIn,
    benchmark_create,
    hearing_threshold_create,
    inspection_item_create,
    item_create,
    item_record_legality_review,
    review_catalogue_create,
    service_guide_create,
)

from ..data import CATALOGUE_EFFECTIVE
from ..data.benchmarks import BENCHMARKS
from ..data.bodies import ENTRUSTED
from ..data.catalogues import DEFAULT_PATTERN, HEARING_THRESHOLDS, PATTERNS
from ..data.inspections import GUIDES, INSPECTIONS
from ..data.items import ITEMS, POWER_KIND_CODES
from ..data.laws import all_laws, article_label
from ..data.regions import PROVINCE, REGIONS
from . import LoadContext, rng_for

_GOVERNMENTS = {r.code: r.government for r in REGIONS}
_TITLES = {law.code: law.title for law in all_laws()}
_COURT = "有管辖权的人民法院"
# Every PENDING_EVERY-th item is left without a recorded legality review (not publishable).
PENDING_EVERY = 9
_REVIEW_NOTE = "经本机关法制审核机构合法性审核，同意纳入权责清单并向社会公布。"


def _basis_text(refs: tuple[tuple[str, int], ...]) -> str:
    by_law: dict[str, list[int]] = {}
    for code, number in refs:
        by_law.setdefault(code, []).append(number)
    parts = []
    for code, numbers in by_law.items():
        parts.append(f"《{_TITLES[code]}》" + "、".join(article_label(n) for n in numbers))
    return "；".join(parts)


def _load_items(ctx: LoadContext) -> None:
    rng = rng_for("items")
    counter = 0
    for body_index, (key, spec) in enumerate(ctx.specs.items(), start=1):
        body, depts = ctx.bodies[key], ctx.departments[key]
        government = _GOVERNMENTS[spec.reconsideration_region or spec.region]
        templates = [
            t for t in ITEMS.get(spec.sector, [])
            if spec.level in t.levels and (t.entrusted or spec.kind != ENTRUSTED)
        ]
        for item_index, template in enumerate(templates, start=1):
            code = (f"{spec.region}{body_index:03d}{POWER_KIND_CODES[template.category]}"
                    f"{item_index:03d}00")
            item = item_create(
                actor=None, body=body, code=code, name=template.name,
                category=template.category, procedure_type=template.procedure,
                effective_from=CATALOGUE_EFFECTIVE,
                legal_basis=[ctx.articles[ref] for ref in template.basis],
                basis_text=_basis_text(template.basis),
                accepting_office=depts.handling[0], deciding_office=depts.leadership,
                time_limit=template.time_limit, time_limit_unit=template.time_unit,
                reconsideration_body=government, reconsideration_days=60,
                litigation_court=_COURT, litigation_months=6,
            )
            counter += 1
            if counter % PENDING_EVERY != 0:
                item_record_legality_review(
                    actor=None, item=item, passed=True, note=_REVIEW_NOTE,
                    reviewed_on=dt.date(2023, 12, rng.randrange(4, 29)),
                )
            ctx.items.append((key, template.key, item))
            guide = GUIDES.get(template.key)
            if guide is not None:
                place = government.removesuffix("人民政府")
                service_guide_create(
                    actor=None, item=item, conditions=guide.conditions,
                    materials=guide.materials, process=guide.process,
                    time_limit_text=guide.time_limit_text, effective_from=CATALOGUE_EFFECTIVE,
                    fees="不收费", location=f"{place}政务服务中心{spec.short_name}窗口",
                    phone="12345（政务服务便民热线）",
                )


def _load_inspections(ctx: LoadContext) -> None:
    for body_index, (key, spec) in enumerate(ctx.specs.items(), start=1):
        if spec.level == "province":
            continue
        for index, template in enumerate(INSPECTIONS.get(spec.sector, []), start=1):
            inspection_item_create(
                actor=None, body=ctx.bodies[key],
                code=f"{spec.region}{body_index:03d}-random-{index:02d}", name=template.name,
                inspection_objects=template.objects, method=template.method,
                effective_from=CATALOGUE_EFFECTIVE,
                legal_basis=[ctx.articles[ref] for ref in template.basis],
                basis_text=_basis_text(template.basis),
                ratio_percent=template.ratio_percent, frequency=template.frequency,
            )


def _load_benchmarks(ctx: LoadContext) -> None:
    for spec in BENCHMARKS:
        benchmark_create(
            actor=None, code=spec.code, violation=spec.violation,
            sector=ctx.sectors[spec.sector], region=ctx.regions[spec.region],
            issuing_body=ctx.bodies[spec.issuer] if spec.issuer else None,
            violated_text=spec.violated_text, penalty_text=spec.penalty_text,
            source_document=spec.source, effective_from=CATALOGUE_EFFECTIVE,
            amount_unit=spec.unit, statutory_min=spec.statutory[0],
            statutory_max=spec.statutory[1],
            violated_articles=[ctx.articles[ref] for ref in spec.violated],
            penalty_articles=[ctx.articles[ref] for ref in spec.penalty],
            tiers=[
                TierIn(tier=t.tier, conditions=t.conditions, min_value=t.min_value,
                       max_value=t.max_value, penalty_kinds=list(t.kinds),
                       other_measures=t.other)
                for t in spec.tiers
            ],
        )


def _load_review_catalogues(ctx: LoadContext) -> None:
    for key, spec in ctx.specs.items():
        pattern = PATTERNS.get(spec.sector, DEFAULT_PATTERN)
        body = ctx.bodies[key]
        review_catalogue_create(
            actor=None, body=body, title=f"{body.name}重大执法决定法制审核目录清单",
            effective_from=CATALOGUE_EFFECTIVE,
            thresholds=[ThresholdIn(party_type=p, amount_fen=a, comparator=c)
                        for p, a, c in pattern.thresholds],
            triggers=list(pattern.triggers), review_days=pattern.review_days,
            extension_days=pattern.extension_days,
            source_document=f"《{body.name}重大执法决定法制审核目录清单》（演示文件，虚构）",
        )


def _load_hearing_thresholds(ctx: LoadContext) -> None:
    for spec in HEARING_THRESHOLDS:
        hearing_threshold_create(
            actor=None, region=ctx.regions[PROVINCE],
            sector=ctx.sectors[spec.sector] if spec.sector else None,
            party_type=spec.party_type, amount_fen=spec.amount_fen, comparator="gte",
            source_document=spec.source, effective_from=dt.date(2021, 7, 15),
        )


def load(ctx: LoadContext) -> None:
    _load_items(ctx)
    _load_inspections(ctx)
    _load_benchmarks(ctx)
    _load_review_catalogues(ctx)
    _load_hearing_thresholds(ctx)
