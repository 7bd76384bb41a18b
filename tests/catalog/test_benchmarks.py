"""``benchmark_create``: tier ranges within the statutory range (国办发〔2022〕27号)."""

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories as f
from zhifa.catalog.models import BenchmarkTier, DiscretionBenchmark
from zhifa.catalog.services import TierIn, benchmark_create
from zhifa.core.errors import InvalidInput, PermissionDenied
from zhifa.orgs.models import AccountRole, RoleKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def where():  # type: ignore[no-untyped-def]
    return f.regions()["province"], f.sector()


def counts() -> tuple[int, int]:
    return DiscretionBenchmark.objects.count(), BenchmarkTier.objects.count()


def test_valid_benchmark_with_tiers(where) -> None:  # type: ignore[no-untyped-def]
    region, sec = where
    bm = f.benchmark(region, sec, code="BM1", tiers=(
        TierIn(tier="no_penalty", conditions="首违不罚", penalty_kinds=[]),
        TierIn(tier="mitigated", conditions="主动消除危害后果", min_value=100_000,
               max_value=499_999, penalty_kinds=["fine"]),
        TierIn(tier="lighter", conditions="初次", min_value=500_000, max_value=1_500_000,
               penalty_kinds=["warning", "fine"]),
        TierIn(tier="heavier", conditions="屡教不改", min_value=3_500_000,
               max_value=5_000_000, penalty_kinds=["fine", "confiscate_gains"]),
    ))
    assert (bm.version, bm.statutory_min, bm.statutory_max) == (1, 500_000, 5_000_000)
    assert list(bm.tiers.order_by("id").values_list("tier", "min_value", "max_value")) == [
        ("no_penalty", None, None), ("mitigated", 100_000, 499_999),
        ("lighter", 500_000, 1_500_000), ("heavier", 3_500_000, 5_000_000),
    ]
    assert counts() == (1, 4)


@pytest.mark.parametrize(
    ("kwargs", "code", "detail"),
    [
        ({"statutory_min": 600, "statutory_max": 500, "tiers": (
            TierIn(tier="ordinary", conditions="c"),)}, "benchmark_range", None),
        ({"tiers": (TierIn(tier="ordinary", conditions="c", min_value=2_000_000,
                           max_value=1_000_000),)}, "benchmark_tier_range", "ordinary"),
        ({"tiers": (TierIn(tier="lighter", conditions="c", min_value=499_999,
                           max_value=1_000_000),)}, "benchmark_tier_outside", "lighter"),
        ({"tiers": (TierIn(tier="heavier", conditions="c", min_value=4_000_000,
                           max_value=5_000_001),)}, "benchmark_tier_outside", "heavier"),
        ({"tiers": (TierIn(tier="ordinary", conditions="a", min_value=500_000),
                    TierIn(tier="ordinary", conditions="b", min_value=600_000))},
         "benchmark_tier_duplicate", None),
        ({"tiers": ()}, "benchmark_no_tiers", None),
    ],
)
def test_invalid_ranges_create_nothing(where, kwargs, code, detail) -> None:  # type: ignore[no-untyped-def]
    region, sec = where
    before = counts()
    with pytest.raises(InvalidInput) as exc:
        if kwargs.get("tiers") == ():
            benchmark_create(actor=None, code="BMX", violation="v", sector=sec, region=region,
                             violated_text="a", penalty_text="b", source_document="c",
                             effective_from=dt.date(2024, 1, 1), tiers=())
        else:
            f.benchmark(region, sec, code="BMX", **kwargs)
    assert (exc.value.code, exc.value.detail) == (code, detail)
    assert counts() == before


def test_boundaries_are_inside_the_statutory_range(where) -> None:  # type: ignore[no-untyped-def]
    region, sec = where
    bm = f.benchmark(region, sec, code="BM2", tiers=(
        TierIn(tier="ordinary", conditions="c", min_value=500_000, max_value=5_000_000),))
    assert bm.tiers.get().max_value == 5_000_000


def test_new_benchmark_version_closes_the_previous(where) -> None:  # type: ignore[no-untyped-def]
    region, sec = where
    f.benchmark(region, sec, code="BM3", effective_from=dt.date(2023, 1, 1))
    second = f.benchmark(region, sec, code="BM3", effective_from=dt.date(2024, 7, 1))
    assert second.version == 2
    assert list(DiscretionBenchmark.objects.filter(code="BM3").order_by("version")
                .values_list("version", "effective_to")) == [(1, dt.date(2024, 7, 1)),
                                                            (2, None)]


# --- Tier order, overlap and mitigation ----------------------------------------------------
def _tiers(*spec: tuple[str, int | None, int | None]) -> tuple[TierIn, ...]:
    return tuple(TierIn(tier=t, conditions=t, min_value=lo, max_value=hi) for t, lo, hi in spec)


@pytest.mark.parametrize(
    ("tiers", "code", "detail"),
    [
        # 15,000 yuan closes one tier and opens the next: a fine of 15,000 would fit both.
        (_tiers(("lighter", 500_000, 1_500_000), ("ordinary", 1_500_000, 3_500_000)),
         "benchmark_tier_overlap", "ordinary"),
        (_tiers(("lighter", 500_000, 2_000_000), ("ordinary", 1_500_000, 3_500_000)),
         "benchmark_tier_overlap", "ordinary"),
        # Consecutive tiers with amounts are compared even with a tier between them missing.
        (_tiers(("lighter", 500_000, 4_000_000), ("heavier", 3_500_000, 5_000_000)),
         "benchmark_tier_overlap", "heavier"),
        # A lighter tier without a maximum reaches into every tier above it.
        (_tiers(("lighter", 500_000, None), ("ordinary", 1_500_001, 3_500_000)),
         "benchmark_tier_overlap", "ordinary"),
        (_tiers(("lighter", 3_500_000, 5_000_000), ("ordinary", 500_000, 1_500_000)),
         "benchmark_tier_order", "ordinary"),
        (_tiers(("ordinary", 1_000_000, 3_000_000), ("heavier", 1_000_000, 2_000_000)),
         "benchmark_tier_order", "heavier"),
        (_tiers(("mitigated", 100_000, 200_000), ("no_penalty", 300_000, 400_000)),
         "benchmark_tier_order", "mitigated"),
        # APL art. 32: a mitigated fine is below the statutory minimum (5,000 yuan).
        (_tiers(("mitigated", 100_000, 500_000),), "benchmark_mitigated_range", "mitigated"),
        (_tiers(("mitigated", 100_000, None),), "benchmark_mitigated_range", "mitigated"),
        (_tiers(("mitigated", 100_000, 900_000),), "benchmark_mitigated_range", "mitigated"),
        (_tiers(("severe", 100_000, 900_000),), "benchmark_tier_unknown", "severe"),
        (_tiers(("ordinary", -1, 900_000),), "value_negative", "ordinary"),
    ],
)
def test_inconsistent_tiers_create_nothing(where, tiers, code, detail) -> None:  # type: ignore[no-untyped-def]
    region, sec = where
    f.benchmark(region, sec, code="BMT", effective_from=dt.date(2023, 1, 1))
    before = (counts(), list(DiscretionBenchmark.objects.values_list("effective_to", flat=True)))
    with pytest.raises(InvalidInput) as exc:
        f.benchmark(region, sec, code="BMT", tiers=tiers)
    assert (exc.value.code, exc.value.detail) == (code, detail)
    # The version in force was not closed, nothing was added.
    assert (counts(), list(DiscretionBenchmark.objects.values_list("effective_to", flat=True))
            ) == before == ((1, 2), [None])


def test_tiers_that_climb_without_touching(where) -> None:  # type: ignore[no-untyped-def]
    region, sec = where
    bm = f.benchmark(region, sec, code="BMC", tiers=_tiers(
        ("no_penalty", None, None), ("mitigated", 250_000, 499_999),
        ("lighter", 500_000, 1_500_000), ("ordinary", 1_500_001, 3_500_000),
        ("heavier", 3_500_001, None),
    ))
    assert bm.tiers.count() == 5
    # Without a statutory minimum, a mitigated range cannot be checked against it.
    bm = f.benchmark(region, sec, code="BMD", statutory_min=None, statutory_max=None,
                     tiers=_tiers(("mitigated", 100_000, 900_000)))
    assert bm.tiers.get().max_value == 900_000


# --- Who may issue and supersede a benchmark ---------------------------------------------
@pytest.fixture
def w():  # type: ignore[no-untyped-def]
    world = f.scoping_world()
    world.u_admin_city = f.user(f.person(world.body_city, "钱进", roles=(RoleKind.HEAD,)),
                                roles=(AccountRole.BODY_ADMIN,))
    return world


def _create(actor, region, *, issuing_body, code="BMS", day=None, **kwargs):  # type: ignore[no-untyped-def]
    return benchmark_create(
        actor=actor, code=code, violation="销售不合格产品", sector=f.sector(), region=region,
        violated_text="a", penalty_text="b", source_document="c",
        effective_from=day or timezone.localdate(), issuing_body=issuing_body,
        tiers=_tiers(("ordinary", 100, 200)), **kwargs,
    )


def _state(code: str) -> list[tuple[int, int | None, dt.date, dt.date | None]]:
    return list(DiscretionBenchmark.objects.filter(code=code).order_by("region_id", "version")
                .values_list("version", "issuing_body_id", "effective_from", "effective_to"))


def test_a_body_administrator_cannot_supersede_another_bodys_benchmark(w) -> None:  # type: ignore[no-untyped-def]
    county = w.regions["county"]
    today = timezone.localdate()
    # A province-wide text for the county (system) and the city bureau's text for the county.
    _create(None, county, issuing_body=None, code="BM-PROV", day=dt.date(2024, 1, 1))
    _create(w.u_admin_city, county, issuing_body=w.body_city, code="BM-CITY")
    before = {code: _state(code) for code in ("BM-PROV", "BM-CITY")}
    for code in before:
        with pytest.raises(PermissionDenied) as exc:
            _create(w.u_admin_a, county, issuing_body=w.body_a, code=code,
                    day=today + dt.timedelta(days=30))
        assert exc.value.code == "benchmark_out_of_scope"
    assert {code: _state(code) for code in before} == before
    # The city bureau may supersede its own text; the system may supersede any.
    _create(w.u_admin_city, county, issuing_body=w.body_city, code="BM-CITY",
            day=today + dt.timedelta(days=30))
    _create(None, county, issuing_body=w.body_a, code="BM-PROV", day=dt.date(2025, 1, 1))
    assert [row[:2] for row in _state("BM-CITY")] == [(1, w.body_city.pk), (2, w.body_city.pk)]
    assert [row[:2] for row in _state("BM-PROV")] == [(1, None), (2, w.body_a.pk)]


def test_a_body_administrator_issues_benchmarks_for_their_region_only(w) -> None:  # type: ignore[no-untyped-def]
    before = counts()
    for region in (w.regions["province"], w.regions["city"], w.regions["other_county"]):
        with pytest.raises(PermissionDenied) as exc:
            _create(w.u_admin_a, region, issuing_body=w.body_a)
        assert exc.value.code == "benchmark_out_of_scope"
    # In another body's name: refused before anything else.
    with pytest.raises(PermissionDenied) as exc:
        _create(w.u_admin_a, w.regions["county"], issuing_body=w.body_b)
    assert exc.value.code == "catalog_out_of_scope"
    assert counts() == before
    _create(w.u_admin_a, w.regions["county"], issuing_body=w.body_a)
    _create(w.u_admin_city, w.regions["county"], issuing_body=w.body_city, code="BM-C2")
    assert counts() == (before[0] + 2, before[1] + 2)


def test_units_kinds_and_cited_articles_are_checked(where) -> None:  # type: ignore[no-untyped-def]
    region, sec = where
    old = f.law_version(effective_from=dt.date(2017, 9, 1), label="2017年修正",
                        articles=((50, "第五十条", "旧"),)).articles.get()
    f.law_version(effective_from=dt.date(2021, 7, 15), label="2021年修订",
                  articles=((50, "第五十条", "新"),))
    cases = [
        ({"amount_unit": "dollar"}, "amount_unit_unknown"),
        ({"tiers": (TierIn(tier="ordinary", conditions="c", min_value=600_000,
                           max_value=900_000, penalty_kinds=["fine", "flogging"]),)},
         "penalty_kind_unknown"),
        # The 2017 text was no longer in force in 2024.
        ({"penalty_articles": [old]}, "article_not_in_force"),
    ]
    for kwargs, code in cases:
        with pytest.raises(InvalidInput) as exc:
            f.benchmark(region, sec, code="BMU", **kwargs)
        assert exc.value.code == code
    assert counts() == (0, 0)
    bm = f.benchmark(region, sec, code="BMU", effective_from=dt.date(2020, 1, 1),
                     penalty_articles=[old])
    assert list(bm.penalty_articles.all()) == [old]
