import datetime as dt
from typing import Any

from django.utils import timezone

from tests.transfer.conftest import (
    World,
    counts,
    csv_file,
    run_import,
    unregistered_credit_code,
    xlsx_from_template,
)
from zhifa.catalog.models import DiscretionBenchmark

FUTURE = (timezone.localdate() + dt.timedelta(days=30)).isoformat()


def _shared(world: World, **overrides: Any) -> dict[str, Any]:
    row = {
        "code": "SCJG-SP-001",
        "violation": "销售不符合食品安全标准的食品",
        "sector": "市场监管",
        "region": "430000",
        "violated_text": "《中华人民共和国食品安全法》第三十四条",
        "penalty_text": "《中华人民共和国食品安全法》第一百二十四条",
        "violated_articles": "food-safety-law:34",
        "penalty_articles": "food-safety-law:124",
        "amount_unit": "元",
        "statutory_min": "50000",
        "statutory_max": "100000",
        "source_document": "湘市监发〔2024〕1号",
        "effective_from": "2024-01-01",
    }
    row.update(overrides)
    return row


def _tiers(world: World, **shared: Any) -> list[dict[str, Any]]:
    base = _shared(world, **shared)
    return [
        {**base, "tier": "从轻", "conditions": "初次违法且货值较小", "tier_min": "50000",
         "tier_max": "65000.5", "penalty_kinds": "罚款"},
        {**base, "tier": "一般", "conditions": "一般情节", "tier_min": "65000.51",
         "tier_max": "85000", "penalty_kinds": "罚款、没收违法所得",
         "other_measures": "没收违法所得"},
        {**base, "tier": "从重", "conditions": "造成严重后果", "tier_min": "85000.01",
         "tier_max": "100000"},
    ]


def _benchmark(code: str, version: int = 1) -> dict[str, Any]:
    b = DiscretionBenchmark.objects.get(code=code, version=version)
    return {
        "violation": b.violation, "sector": b.sector.code, "region": b.region.code,
        "issuing_body": b.issuing_body_id, "unit": b.amount_unit,
        "range": (b.statutory_min, b.statutory_max), "source": b.source_document,
        "effective": b.effective_from,
        "violated": [(a.version.law.code, a.number, a.version.label)
                     for a in b.violated_articles.all()],
        "penalty": [(a.version.law.code, a.number) for a in b.penalty_articles.all()],
        "tiers": [(t.tier, t.conditions, t.min_value, t.max_value, t.penalty_kinds,
                   t.other_measures) for t in b.tiers.order_by("id")],
    }


def test_good_xlsx_imports_one_benchmark_per_group(world: World) -> None:
    rows = _tiers(world)
    rows += [{**r, "code": "SCJG-SP-002", "violation": "另一违法行为"} for r in _tiers(world)]
    before = counts()
    report = run_import(world.sysadmin, "benchmarks", xlsx_from_template("benchmarks", rows))
    assert report.errors == []
    assert (report.rows, report.created) == (6, 2)
    assert counts()["benchmarks"] == before["benchmarks"] + 2
    assert counts()["tiers"] == before["tiers"] + 6
    assert _benchmark("SCJG-SP-001") == {
        "violation": "销售不符合食品安全标准的食品", "sector": "market", "region": "430000",
        "issuing_body": None, "unit": "yuan", "range": (5_000_000, 10_000_000),
        "source": "湘市监发〔2024〕1号", "effective": dt.date(2024, 1, 1),
        "violated": [("food-safety-law", 34, "2021年修正")],
        "penalty": [("food-safety-law", 124)],
        "tiers": [
            ("lighter", "初次违法且货值较小", 5_000_000, 6_500_050, ["fine"], ""),
            ("ordinary", "一般情节", 6_500_051, 8_500_000, ["fine", "confiscate_gains"],
             "没收违法所得"),
            ("heavier", "造成严重后果", 8_500_001, 10_000_000, [], ""),
        ],
    }


def test_good_csv_with_multiples_and_merged_cell_style_rows(world: World) -> None:
    rows = _tiers(world, amount_unit="倍数", statutory_min="1", statutory_max="5")
    rows[0].update(tier_min="1", tier_max="2.125")
    rows[1].update(tier_min="2.126", tier_max="3.5")
    rows[2].update(tier_min="3.501", tier_max="5")
    # Later rows leave the shared columns empty, as merged cells read.
    for row in rows[1:]:
        for key in ("code", "violation", "sector", "region", "effective_from",
                    "source_document"):
            row[key] = ""
    report = run_import(world.sysadmin, "benchmarks", csv_file("benchmarks", rows),
                        name="b.csv")
    assert report.errors == []
    assert report.created == 1
    b = _benchmark("SCJG-SP-001")
    assert (b["unit"], b["range"]) == ("multiple", (1000, 5000))
    assert [(t[0], t[2], t[3]) for t in b["tiers"]] == [
        ("lighter", 1000, 2125), ("ordinary", 2126, 3500), ("heavier", 3501, 5000),
    ]


def test_bad_tier_amount_and_inconsistency(world: World) -> None:
    rows = _tiers(world)
    rows[0]["tier"] = "特别从轻"
    rows[1]["tier_max"] = "85000.123"
    rows[2]["violation"] = "别的违法行为"
    before = counts()
    report = run_import(world.sysadmin, "benchmarks", xlsx_from_template("benchmarks", rows))
    assert report.codes() == [(3, "tier_unknown"), (4, "amount_format"),
                              (5, "benchmark_inconsistent")]
    assert counts() == before


def test_ranges_are_checked(world: World) -> None:
    rows = _tiers(world)
    rows[0]["tier_min"] = "40000"  # below the statutory minimum
    rows[1]["tier_min"], rows[1]["tier_max"] = "90000", "80000"
    rows[2]["tier"] = "一般"  # the tier twice
    mitigated = {**rows[0], "tier": "减轻", "tier_min": "10000", "tier_max": "50000"}
    before = counts()
    report = run_import(world.sysadmin, "benchmarks",
                        xlsx_from_template("benchmarks", [*rows, mitigated]))
    assert report.codes() == [(3, "benchmark_tier_outside"), (4, "benchmark_tier_range"),
                              (5, "benchmark_tier_duplicate")]
    assert counts() == before


def test_body_admin_imports_own_benchmarks_only(world: World) -> None:
    # The province-wide text is beyond a county bureau.
    before = counts()
    report = run_import(world.admin_a, "benchmarks",
                        xlsx_from_template("benchmarks", _tiers(world)))
    assert report.codes() == [(3, "region_out_of_scope")]
    # Another body is outside the administrator's scope: as unknown as an unregistered one.
    for credit_code in (world.body_b.credit_code, unregistered_credit_code()):
        report = run_import(world.admin_a, "benchmarks", xlsx_from_template(
            "benchmarks", _tiers(world, region="430102", effective_from=FUTURE,
                                 issuing_body_credit_code=credit_code)))
        assert report.codes() == [(3, "body_unknown")]
    assert counts() == before
    # Their own body's benchmark for their own region, from today on: issued by their body.
    report = run_import(world.admin_a, "benchmarks", xlsx_from_template(
        "benchmarks", _tiers(world, region="430102", effective_from=FUTURE)))
    assert report.errors == []
    assert _benchmark("SCJG-SP-001")["issuing_body"] == world.body_a.pk


def test_body_admin_cannot_supersede_a_benchmark_issued_by_others(world: World) -> None:
    """A province-wide text for the county (imported by a system administrator) is not the
    county bureau's to replace: ``benchmark_create`` refuses and the import reports it."""
    assert run_import(world.sysadmin, "benchmarks", xlsx_from_template(
        "benchmarks", _tiers(world, region="430102"))).ok
    before = counts()
    report = run_import(world.admin_a, "benchmarks", xlsx_from_template(
        "benchmarks", _tiers(world, region="430102", effective_from=FUTURE)))
    assert [(e.row, e.column, e.code) for e in report.errors] == [
        (3, "行政区划代码", "benchmark_out_of_scope")]
    assert report.errors[0].message == (
        "只能为本执法主体管辖区域制定裁量基准，且只能修订本执法主体制定的裁量基准。")
    assert counts() == before
    assert DiscretionBenchmark.objects.get(code="SCJG-SP-001").effective_to is None


def test_body_admin_cannot_backdate_a_benchmark(world: World) -> None:
    before = counts()
    report = run_import(world.admin_a, "benchmarks", xlsx_from_template(
        "benchmarks", _tiers(world, region="430102", effective_from="2024-01-01")))
    assert [(e.row, e.column, e.code) for e in report.errors] == [
        (3, "生效日期", "version_backdated")]
    assert counts() == before


def test_tier_order_and_overlap_are_reported_on_the_tier_row(world: World) -> None:
    """The service's tier rules (order, no shared endpoint, mitigation below the minimum)
    come back on the row of the offending tier, in Chinese."""
    overlap = _tiers(world)
    overlap[2]["tier_min"] = "85000"  # the ordinary tier's maximum
    inverted = _tiers(world, code="SCJG-SP-002")
    inverted[1].update(tier_min="50000", tier_max="60000")  # below the lighter tier
    inverted[0].update(tier_min="60000.01", tier_max="65000")
    mitigated = [{**_shared(world, code="SCJG-SP-003"), "tier": "减轻", "conditions": "主动消除",
                  "tier_min": "10000", "tier_max": "50000"}]
    before = counts()
    report = run_import(world.sysadmin, "benchmarks", xlsx_from_template(
        "benchmarks", [*overlap, *inverted, *mitigated]))
    assert [(e.row, e.column, e.code) for e in report.sorted_errors()] == [
        (5, "阶次下限", "benchmark_tier_overlap"),
        (7, "阶次下限", "benchmark_tier_order"),
        (9, "阶次上限", "benchmark_mitigated_range"),
    ]
    assert [e.message for e in report.sorted_errors()] == [
        "“一般”与“从重”两个阶次的裁量幅度重叠；每一阶次的下限须高于前一阶次的上限。",
        "“一般”阶次的幅度低于较轻的“从轻”阶次。",
        "减轻处罚阶次的上限须低于法定下限（《行政处罚法》第三十二条）。",
    ]
    assert counts() == before


def test_new_version_of_a_benchmark(world: World) -> None:
    assert run_import(world.sysadmin, "benchmarks",
                      xlsx_from_template("benchmarks", _tiers(world))).ok
    later = _tiers(world, effective_from="2025-01-01", source_document="湘市监发〔2025〕2号")
    earlier = _tiers(world, effective_from="2023-01-01")
    before = counts()
    report = run_import(world.sysadmin, "benchmarks",
                        xlsx_from_template("benchmarks", [*later, *earlier]))
    assert report.codes() == [(6, "version_effective_date")]
    assert counts() == before
    report = run_import(world.sysadmin, "benchmarks", xlsx_from_template("benchmarks", later))
    assert report.ok
    assert DiscretionBenchmark.objects.get(code="SCJG-SP-001", version=1).effective_to == (
        dt.date(2025, 1, 1)
    )
    assert _benchmark("SCJG-SP-001", 2)["source"] == "湘市监发〔2025〕2号"
