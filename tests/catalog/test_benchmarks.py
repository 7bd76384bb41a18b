"""``benchmark_create``: tier ranges within the statutory range (国办发〔2022〕27号)."""

import datetime as dt

import pytest

from tests import factories as f
from zhifa.catalog.models import BenchmarkTier, DiscretionBenchmark
from zhifa.catalog.services import TierIn
from zhifa.core.errors import InvalidInput

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
            from zhifa.catalog.services import benchmark_create

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
