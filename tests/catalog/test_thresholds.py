"""Hearing thresholds (较大数额, APL art. 63) and legal-review amount thresholds."""

import datetime as dt

import pytest

from tests import factories as f
from zhifa.catalog.models import (
    Comparator,
    HearingThreshold,
    ReviewCatalogue,
    ReviewCategoryTrigger,
    ReviewThreshold,
)
from zhifa.catalog.selectors import hearing_threshold_for
from zhifa.catalog.services import hearing_threshold_create
from zhifa.core.errors import InvalidInput, PermissionDenied

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


@pytest.mark.parametrize(
    ("comparator", "amount_fen", "met"),
    [(Comparator.GTE, 99_999, False), (Comparator.GTE, 100_000, True),
     (Comparator.GTE, 100_001, True), (Comparator.GT, 99_999, False),
     (Comparator.GT, 100_000, False), (Comparator.GT, 100_001, True)],
)
def test_hearing_threshold_inclusive_or_exclusive(comparator: str, amount_fen: int,
                                                  met: bool) -> None:
    # 较大数额 of 1,000 yuan: 含本数 (at least) by default, 不含本数 (more than) where a rule says.
    threshold = f.hearing_threshold(f.regions()["province"], "natural_person", 100_000,
                                    comparator=comparator)
    assert threshold.is_met(amount_fen) is met


# --- Inputs ---------------------------------------------------------------------------
def _catalogue_rows() -> tuple[int, int, int]:
    return (ReviewCatalogue.objects.count(), ReviewThreshold.objects.count(),
            ReviewCategoryTrigger.objects.count())


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [({"thresholds": (f.ThresholdIn(party_type="company", amount_fen=1, comparator="gte"),)},
      "party_type_unknown"),
     ({"thresholds": (f.ThresholdIn(party_type="organisation", amount_fen=1,
                                    comparator=">="),)}, "comparator_unknown"),
     ({"thresholds": (f.ThresholdIn(party_type="organisation", amount_fen=-1,
                                    comparator="gte"),)}, "value_negative"),
     ({"triggers": ("revoke_licence", "everything")}, "review_trigger_unknown"),
     ({"review_days": 0}, "review_days_invalid"),
     ({"extension_days": -1}, "review_days_invalid")],
)
def test_review_catalogue_inputs_are_checked(kwargs: dict[str, object], code: str) -> None:
    body = f.body(f.regions()["county"])
    f.review_catalogue(body, effective_from=D(2023, 1, 1))
    before = (_catalogue_rows(), list(ReviewCatalogue.objects.values_list("effective_to")))
    with pytest.raises(InvalidInput) as exc:
        f.review_catalogue(body, effective_from=D(2024, 1, 1), **kwargs)
    assert exc.value.code == code
    assert (_catalogue_rows(), list(ReviewCatalogue.objects.values_list("effective_to"))
            ) == before


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [({"party_type": "anyone"}, "party_type_unknown"),
     ({"comparator": "lte"}, "comparator_unknown"),
     ({"amount_fen": -100}, "value_negative")],
)
def test_hearing_threshold_inputs_are_checked(kwargs: dict[str, object], code: str) -> None:
    region = f.regions()["province"]
    args: dict[str, object] = {"party_type": "natural_person", "amount_fen": 100_000,
                               "comparator": "gte", **kwargs}
    with pytest.raises(InvalidInput) as exc:
        hearing_threshold_create(actor=None, region=region, source_document="规定",
                                 effective_from=D(2024, 1, 1), **args)  # type: ignore[arg-type]
    assert exc.value.code == code
    assert HearingThreshold.objects.count() == 0


def test_hearing_thresholds_are_set_by_system_administrators_only() -> None:
    w = f.scoping_world()
    for actor in (w.u_admin_a, w.u_supervisor):
        with pytest.raises(PermissionDenied) as exc:
            hearing_threshold_create(actor=actor, region=w.regions["province"],
                                     party_type="natural_person", amount_fen=100_000,
                                     source_document="规定", effective_from=D(2030, 1, 1))
        assert exc.value.code == "missing_administer_system"
    assert HearingThreshold.objects.count() == 0
