"""Discretion benchmarks (裁量基准): one row per tier; the rows with the same benchmark code,
region and effective date make one benchmark, created with ``catalog.services.benchmark_create``.

Benchmarks are province-wide public texts (APL art. 34): a system administrator imports any;
a body administrator imports only benchmarks issued by their own body, for regions within the
body's own region, and supersedes only versions their body issued (``benchmark_create``).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhifa.catalog.models import AmountUnit, BenchmarkTier, DiscretionBenchmark
from zhifa.catalog.models import Tier as TierChoice
from zhifa.catalog.selectors import visible_benchmarks
from zhifa.catalog.services import TierIn, benchmark_create
from zhifa.orgs.permissions import Perm

from ..vocab import AMOUNT_UNITS, PENALTY_KINDS, TIERS
from .base import (
    BACKDATING_NOTE,
    Action,
    Column,
    Kind,
    Reference,
    SourceRow,
    article_references,
    format_date,
    format_scaled,
    law_reference,
    max_length,
    region_reference,
    sector_reference,
)
from .reader import ImportContext, RowReader, VersionOrder

# Columns that describe the benchmark as a whole; every row of a benchmark repeats them (or
# leaves them empty, as merged cells read, to mean "as above").
SHARED = (
    "code", "violation", "sector", "region", "issuing_body_credit_code", "violated_text",
    "penalty_text", "violated_articles", "penalty_articles", "amount_unit", "statutory_min",
    "statutory_max", "source_document", "effective_from",
)
_GROUP_KEY = ("code", "region", "effective_from")


def places_for(amount_unit: str) -> int:
    """Decimal places of the stored scale: fen for yuan, thousandths for multiples,
    hundredths of a percent for percentages (see ``DiscretionBenchmark.statutory_min``)."""
    return 3 if amount_unit == AmountUnit.MULTIPLE else 2


@dataclass
class _Group:
    rows: list[SourceRow] = field(default_factory=list)


class BenchmarksKind(Kind):
    key = "benchmarks"
    title = gettext_lazy("Discretion benchmarks")
    manage_perm = Perm.MANAGE_CATALOG
    view_perm = Perm.VIEW_CATALOG
    columns = (
        Column("code", gettext_lazy("Benchmark code"),
               gettext_lazy("Code of the benchmark; all rows (tiers) of one benchmark share "
                            "it. A code already used in the region adds a new version."),
               required=True, example="SCJG-SP-001",
               max_length=max_length(DiscretionBenchmark, "code")),
        Column("violation", gettext_lazy("Violation"),
               gettext_lazy("The illegal act the benchmark is for."), required=True,
               example="销售不符合食品安全标准的食品",
               max_length=max_length(DiscretionBenchmark, "violation"), width=30),
        Column("sector", gettext_lazy("Sector"),
               gettext_lazy("Sector code or name; see the sectors sheet."), required=True,
               example="市场监管", width=12),
        Column("region", gettext_lazy("Region code"),
               gettext_lazy("Region code (GB/T 2260) where the benchmark applies; see the "
                            "regions sheet."),
               required=True, example="430000", width=10),
        Column("issuing_body_credit_code", gettext_lazy("Issuing body credit code"),
               gettext_lazy("Unified social credit code of the issuing body. Body "
                            "administrators: empty means your own body. System "
                            "administrators: empty means a province-wide text."),
               example="", width=22),
        Column("violated_text", gettext_lazy("Provision violated"),
               gettext_lazy("The provision violated, as text."), required=True,
               example="《中华人民共和国食品安全法》第三十四条",
               max_length=max_length(DiscretionBenchmark, "violated_text"), width=30),
        Column("penalty_text", gettext_lazy("Penalty provision"),
               gettext_lazy("The provision that sets the penalty, as text."), required=True,
               example="《中华人民共和国食品安全法》第一百二十四条",
               max_length=max_length(DiscretionBenchmark, "penalty_text"), width=30),
        Column("violated_articles", gettext_lazy("Provision violated (articles)"),
               gettext_lazy("Optional: law code:article number, several separated by ;."),
               example="food-safety-law:34", width=20),
        Column("penalty_articles", gettext_lazy("Penalty provision (articles)"),
               gettext_lazy("Optional: law code:article number, several separated by ;."),
               example="food-safety-law:124", width=20),
        Column("amount_unit", gettext_lazy("Amount unit"),
               gettext_lazy("How the amounts below are expressed: 元 (yuan, up to 2 "
                            "decimals), 倍数 (multiple of an amount, up to 3 decimals) or 百分比 "
                            "(percent, up to 2 decimals). Empty means 元."),
               example="元", vocabulary=AMOUNT_UNITS, width=10),
        Column("statutory_min", gettext_lazy("Statutory minimum"),
               gettext_lazy("Lowest amount the law allows, in the amount unit. May be empty."),
               example="50000", width=12),
        Column("statutory_max", gettext_lazy("Statutory maximum"),
               gettext_lazy("Highest amount the law allows, in the amount unit. May be empty."),
               example="100000", width=12),
        Column("tier", gettext_lazy("Tier"), gettext_lazy("One of the allowed values; each tier "
                                                         "once per benchmark."),
               required=True, example="一般", vocabulary=TIERS, width=10),
        Column("conditions", gettext_lazy("Conditions"),
               gettext_lazy("Circumstances in which this tier applies."), required=True,
               example="货值金额一万元以上不足五万元的", width=36),
        Column("tier_min", gettext_lazy("Tier minimum"),
               gettext_lazy("Lowest amount of this tier, in the amount unit. Within the "
                            "statutory range except for 不予处罚 and 减轻."),
               example="60000", width=12),
        Column("tier_max", gettext_lazy("Tier maximum"),
               gettext_lazy("Highest amount of this tier, in the amount unit."),
               example="80000", width=12),
        Column("penalty_kinds", gettext_lazy("Penalty kinds"),
               gettext_lazy("Optional: kinds of penalty (APL art. 9), separated by 、."),
               example="罚款、没收违法所得", vocabulary=PENALTY_KINDS, multiple=True, width=20),
        Column("other_measures", gettext_lazy("Other measures"),
               gettext_lazy("Other penalties or measures of this tier, as text."),
               example="没收违法所得", max_length=max_length(BenchmarkTier, "other_measures"),
               width=20),
        Column("source_document", gettext_lazy("Source document"),
               gettext_lazy("Document that issued the benchmark, with its number."),
               required=True, example="湘市监发〔2024〕1号",
               max_length=max_length(DiscretionBenchmark, "source_document"), width=24),
        Column("effective_from", gettext_lazy("Effective date"),
               gettext_lazy("Date this version takes effect, YYYY-MM-DD."), required=True,
               example="2024-01-01"),
    )
    notes = (
        gettext_lazy("One row per tier. Rows with the same benchmark code, region code and "
                     "effective date form one benchmark and must agree in the benchmark's "
                     "columns; a row whose code, region and date are all empty continues the "
                     "benchmark above."),
        gettext_lazy("Body administrators import benchmarks issued by their own body, for "
                     "their body's region, and new versions only of benchmarks their body "
                     "issued; system administrators import any benchmark."),
        gettext_lazy("Tiers with amounts climb with severity without touching: each tier "
                     "starts above the maximum of the tier before it (e.g. 从轻 up to 15000, "
                     "一般 from 15000.01). A 减轻 tier lies below the statutory minimum."),
        BACKDATING_NOTE,
    )
    error_columns = {
        "version_effective_date": "effective_from",
        "version_backdated": "effective_from",
        "benchmark_range": "statutory_max",
        "benchmark_tier_range": "tier_max",
        "benchmark_tier_outside": "tier_min",
        "benchmark_tier_order": "tier_min",
        "benchmark_tier_overlap": "tier_min",
        "benchmark_mitigated_range": "tier_max",
        "benchmark_tier_duplicate": "tier",
        "benchmark_tier_unknown": "tier",
        "benchmark_no_tiers": "tier",
        "benchmark_out_of_scope": "region",
        "penalty_kind_unknown": "penalty_kinds",
        "amount_unit_unknown": "amount_unit",
        "article_not_in_force": "penalty_articles",
        "catalog_out_of_scope": "issuing_body_credit_code",
    }

    # --- import ---------------------------------------------------------------------------
    def _groups(self, rows: list[SourceRow]) -> list[_Group]:
        groups: dict[tuple[str, ...], _Group] = {}
        previous: _Group | None = None
        for row in rows:
            key = tuple(row.values.get(k, "") for k in _GROUP_KEY)
            if previous is not None and not any(key):
                previous.rows.append(row)
                continue
            previous = groups.setdefault(key, _Group())
            previous.rows.append(row)
        return list(groups.values())

    def plan(self, ctx: ImportContext, rows: list[SourceRow]) -> list[Action]:
        actions: list[Action] = []
        versions = VersionOrder(
            visible_benchmarks(ctx.actor), "region_id",
            in_database=_("This benchmark already has a version in force from %(date)s; "
                          "a new version must take effect later."),
            in_file=_("Row %(row)s has a version of this benchmark from %(date)s; a "
                      "later benchmark must take effect later."),
        )
        for group in self._groups(rows):
            action = self._plan_group(ctx, group, versions)
            if action is not None:
                actions.append(action)
        return actions

    def _plan_group(
        self,
        ctx: ImportContext,
        group: _Group,
        versions: VersionOrder,
    ) -> Action | None:
        head = group.rows[0]
        r = RowReader(ctx, head)
        code = r.text("code")
        violation = r.text("violation")
        sector = r.sector("sector")
        region = r.region("region")
        issuing_body = None
        if r.raw("issuing_body_credit_code"):
            issuing_body = r.body("issuing_body_credit_code")
        elif not ctx.is_system_admin:
            issuing_body = ctx.own_body
        if region is not None and not ctx.is_system_admin:
            own = ctx.own_body
            if own is None or not own.region.covers(region):
                r.fail("region", "region_out_of_scope",
                       _("You can only import benchmarks for your own body's region."))
        violated_text = r.text("violated_text")
        penalty_text = r.text("penalty_text")
        effective_from = r.date("effective_from")
        violated_articles = r.articles("violated_articles", effective_from)
        penalty_articles = r.articles("penalty_articles", effective_from)
        amount_unit = AmountUnit.YUAN.value
        if r.raw("amount_unit"):
            amount_unit = r.choice("amount_unit", AMOUNT_UNITS) or amount_unit
        places = places_for(amount_unit)
        statutory_min = r.amount("statutory_min", places=places)
        statutory_max = r.amount("statutory_max", places=places)
        if (
            statutory_min is not None
            and statutory_max is not None
            and statutory_min > statutory_max
        ):
            r.fail("statutory_max", "benchmark_range",
                   _("The statutory maximum is below the statutory minimum."))
            statutory_min = statutory_max = None
        source_document = r.text("source_document")
        if region is not None and code and effective_from is not None:
            versions.check(r, region.pk, code, effective_from)
        ok = r.ok

        tiers: list[TierIn] = []
        tier_rows: dict[str, int] = {}
        for row in group.rows:
            tr = r if row is head else RowReader(ctx, row)
            if row is not head:
                for key in SHARED:
                    value = tr.raw(key)
                    if value and value != r.raw(key):
                        tr.fail(key, "benchmark_inconsistent",
                                _("Differs from row %(row)s of the same benchmark (“%(value)s”).")
                                % {"row": head.number, "value": r.raw(key)})
            tier = self._tier(tr, statutory_min, statutory_max, places, tier_rows)
            if tier is not None:
                tiers.append(tier)
            ok = ok and tr.ok
        if not ok or sector is None or region is None or effective_from is None:
            return None
        return Action(
            rows=group.rows,
            run=partial(
                benchmark_create, actor=ctx.actor, code=code, violation=violation,
                sector=sector, region=region, violated_text=violated_text,
                penalty_text=penalty_text, source_document=source_document,
                effective_from=effective_from, tiers=tiers, issuing_body=issuing_body,
                amount_unit=amount_unit, statutory_min=statutory_min,
                statutory_max=statutory_max, violated_articles=violated_articles,
                penalty_articles=penalty_articles,
            ),
            detail_rows=tier_rows,
        )

    @staticmethod
    def _tier(
        r: RowReader,
        statutory_min: int | None,
        statutory_max: int | None,
        places: int,
        seen: dict[str, int],
    ) -> TierIn | None:
        errors_before = r.errors
        tier = r.choice("tier", TIERS)
        if tier is not None and tier in seen:
            r.fail("tier", "benchmark_tier_duplicate",
                   _("This tier is already on row %(row)s of the same benchmark.")
                   % {"row": seen[tier]})
        elif tier is not None:
            seen[tier] = r.row.number
        conditions = r.text("conditions")
        low = r.amount("tier_min", places=places)
        high = r.amount("tier_max", places=places)
        if low is not None and high is not None and low > high:
            r.fail("tier_max", "benchmark_tier_range",
                   _("The tier's maximum is below its minimum."))
        # 国办发〔2022〕27号: tiers stay within the statutory range; mitigation (APL art. 32)
        # and no penalty (art. 33) lie below it by definition.
        elif tier not in (TierChoice.MITIGATED, TierChoice.NO_PENALTY, None):
            if statutory_min is not None and low is not None and low < statutory_min:
                r.fail("tier_min", "benchmark_tier_outside",
                       _("The tier lies below the statutory minimum."))
            if statutory_max is not None and high is not None and high > statutory_max:
                r.fail("tier_max", "benchmark_tier_outside",
                       _("The tier lies above the statutory maximum."))
        penalty_kinds = r.choices("penalty_kinds", PENALTY_KINDS)
        other_measures = r.text("other_measures")
        if tier is None or r.errors > errors_before:
            return None
        return TierIn(tier=tier, conditions=conditions, min_value=low, max_value=high,
                      penalty_kinds=penalty_kinds, other_measures=other_measures)

    # --- export ---------------------------------------------------------------------------
    def export_rows(self, actor: Any) -> Iterator[dict[str, str]]:
        order = list(TierChoice.values)
        benchmarks = (
            visible_benchmarks(actor)
            .select_related("issuing_body")
            .prefetch_related("violated_articles__version__law",
                              "penalty_articles__version__law")
            .order_by("code", "region__code", "version")
        )
        for bm in benchmarks:
            places = places_for(bm.amount_unit)

            shared = {
                "code": bm.code,
                "violation": bm.violation,
                "sector": bm.sector.code,
                "region": bm.region.code,
                "issuing_body_credit_code": (
                    bm.issuing_body.credit_code if bm.issuing_body else ""
                ),
                "violated_text": bm.violated_text,
                "penalty_text": bm.penalty_text,
                "violated_articles": article_references(bm.violated_articles.all()),
                "penalty_articles": article_references(bm.penalty_articles.all()),
                "amount_unit": AMOUNT_UNITS.display(bm.amount_unit),
                "statutory_min": format_scaled(bm.statutory_min, places),
                "statutory_max": format_scaled(bm.statutory_max, places),
                "source_document": bm.source_document,
                "effective_from": format_date(bm.effective_from),
            }
            for tier in sorted(bm.tiers.all(), key=lambda t: order.index(t.tier)):
                yield {
                    **shared,
                    "tier": TIERS.display(tier.tier),
                    "conditions": tier.conditions,
                    "tier_min": format_scaled(tier.min_value, places),
                    "tier_max": format_scaled(tier.max_value, places),
                    "penalty_kinds": PENALTY_KINDS.display_many(tier.penalty_kinds),
                    "other_measures": tier.other_measures,
                }

    def references(self) -> list[Reference]:
        return [sector_reference(), region_reference(), law_reference()]
