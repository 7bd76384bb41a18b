"""Hearing thresholds (较大数额, APL art. 63) and legal-review amount thresholds."""

import datetime as dt

import pytest

from tests import factories as f
from zhifa.catalog.models import Comparator, HearingThreshold, ReviewThreshold
from zhifa.catalog.selectors import hearing_threshold_for

pytestmark = pytest.mark.django_db

D = dt.date
DAY = D(2025, 6, 1)


@pytest.fixture
def province():  # type: ignore[no-untyped-def]
    r = f.regions()
    market, env = f.sector(), f.sector("environment", "生态环境")
    f.hearing_threshold(r["province"], "natural_person", 100_000)
    f.hearing_threshold(r["province"], "organisation", 2_000_000)
    f.hearing_threshold(r["province"], "natural_person", 1_000_000, sec=market)
    f.hearing_threshold(r["province"], "organisation", 10_000_000, sec=market)
    f.hearing_threshold(r["county"], "natural_person", 200_000)
    return r, market, env


def amount(region, sector, party_type: str, day: dt.date = DAY) -> int | None:  # type: ignore[no-untyped-def]
    row = hearing_threshold_for(region_path=region.path, sector_id=sector.pk if sector else None,
                                party_type=party_type, day=day)
    return row.amount_fen if row else None


def test_region_specificity(province) -> None:  # type: ignore[no-untyped-def]
    r, _market, _env = province
    # The county's own amount beats the province's, even the province's sector-specific one.
    assert amount(r["county"], None, "natural_person") == 200_000
    assert amount(r["county"], _market, "natural_person") == 200_000
    # Elsewhere in the province the provincial rows apply.
    assert amount(r["other_county"], None, "natural_person") == 100_000
    assert amount(r["city"], None, "natural_person") == 100_000
    assert amount(r["province"], None, "natural_person") == 100_000


def test_sector_specific_before_general(province) -> None:  # type: ignore[no-untyped-def]
    r, market, env = province
    assert amount(r["other_county"], market, "natural_person") == 1_000_000
    assert amount(r["other_county"], market, "organisation") == 10_000_000
    # A sector without its own row gets the general one.
    assert amount(r["other_county"], env, "natural_person") == 100_000
    assert amount(r["other_county"], env, "organisation") == 2_000_000
    # The county has no organisation row: the province's applies.
    assert amount(r["county"], market, "organisation") == 10_000_000


def test_individual_business_falls_back_to_natural_person(province) -> None:  # type: ignore[no-untyped-def]
    r, market, _env = province
    assert amount(r["other_county"], None, "individual_business") == 100_000
    assert amount(r["other_county"], market, "individual_business") == 1_000_000
    f.hearing_threshold(r["province"], "individual_business", 300_000)
    assert amount(r["other_county"], None, "individual_business") == 300_000
    # The natural-person fallback never applies to organisations.
    assert amount(r["other_city"], None, "organisation") == 2_000_000


def test_versions_and_dates(province) -> None:  # type: ignore[no-untyped-def]
    r, _market, _env = province
    assert amount(r["other_county"], None, "natural_person", D(2021, 7, 14)) is None
    f.hearing_threshold(r["province"], "natural_person", 300_000, effective_from=D(2026, 1, 1))
    assert amount(r["other_county"], None, "natural_person", D(2025, 12, 31)) == 100_000
    assert amount(r["other_county"], None, "natural_person", D(2026, 1, 1)) == 300_000
    assert HearingThreshold.objects.filter(region=r["province"], sector=None,
                                           party_type="natural_person").count() == 2


def test_nothing_configured() -> None:
    r = f.regions()
    assert amount(r["county"], None, "natural_person") is None


@pytest.mark.parametrize(
    ("comparator", "amount_fen", "met"),
    [(Comparator.GTE, 499_999, False), (Comparator.GTE, 500_000, True),
     (Comparator.GTE, 500_001, True), (Comparator.GT, 499_999, False),
     (Comparator.GT, 500_000, False), (Comparator.GT, 500_001, True)],
)
def test_review_threshold_inclusive_or_exclusive(comparator: str, amount_fen: int,
                                                 met: bool) -> None:
    # 含本数 (at least) vs 不含本数 (more than) at exactly 5,000 yuan.
    catalogue = f.review_catalogue(
        f.body(f.regions()["county"]),
        thresholds=(f.ThresholdIn(party_type="natural_person", amount_fen=500_000,
                                  comparator=comparator),),
    )
    threshold = ReviewThreshold.objects.get(catalogue=catalogue)
    assert threshold.is_met(amount_fen) is met
