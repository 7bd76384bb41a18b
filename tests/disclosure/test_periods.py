"""Publicity periods: light and standard penalties (the light-fine limit inclusive), several
penalties take the longest, licensing and other decisions, the sector minimum, the 3–36
month clamp, and the offline day at the end of a month. The basis is read in English (the
msgids), whatever the catalogue holds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils.translation import override

from zhifa.disclosure.models import DisclosurePolicy
from zhifa.disclosure.periods import Period, add_months, is_light, offline_on, period_for

D = dt.date


def policy(**overrides: object) -> DisclosurePolicy:
    """The default rules (unsaved): light 3 months up to 10,000 yuan, others 36 months,
    licensing 36, other decisions 12, minimum 3."""
    return DisclosurePolicy(**overrides)


def months(kinds: list[str], fine: int | None = None, category: str = "penalty",
           **overrides: object) -> int:
    return period_for(category=category, kinds=kinds, fine=fine,
                      policy=policy(**overrides)).months


@pytest.mark.parametrize(("kinds", "fine", "expected"), [
    (["warning"], None, 3),
    (["criticism"], None, 3),
    (["warning", "criticism"], None, 3),
    (["fine"], 500_000, 3),
    (["fine"], 1_000_000, 3),              # the limit itself is light (inclusive)
    (["fine"], 1_000_001, 36),
    (["warning", "fine"], 200_000, 3),     # several light penalties stay light
    (["fine", "confiscate_gains"], 100_000, 36),   # the longest of several
    (["warning", "revoke_licence"], None, 36),
    (["suspend_licence"], None, 36),
    ([], 300_000, 3),                      # kinds missing: a fine is read as a fine
    ([], None, 36),                        # nothing known: the longer period
    (["fine"], None, 36),                  # a fine of unknown amount is not known light
    (["warning", "fine"], None, 36),
    (["fine"], 0, 3),
])
def test_penalty_periods(kinds: list[str], fine: int | None, expected: int) -> None:
    assert months(kinds, fine) == expected


def test_is_light_needs_the_fines_amount() -> None:
    rules = policy()
    assert (is_light(["fine"], None, rules), is_light(["fine"], 1_000_000, rules),
            is_light(["warning"], None, rules), is_light([], None, rules)) == (
        False, True, True, False)


@override("en")
def test_the_basis_says_why() -> None:
    light = period_for(category="penalty", kinds=["fine"], fine=500_000, policy=policy())
    assert light == Period(3, "Light penalty (warning, circulated criticism or a fine up to "
                              "10,000 yuan): 3 months")
    several = period_for(category="penalty", kinds=["fine", "revoke_licence"],
                         fine=500_000, policy=policy())
    assert several == Period(36, "Several penalties, the longest period applies: 36 months")
    assert period_for(category="penalty", kinds=["closure"], fine=None,
                      policy=policy()).basis == "Penalty: 36 months"


def test_licensing_other_and_the_policy_values() -> None:
    assert months([], category="licensing") == 36
    assert months([], category="other") == 12
    assert months(["fine"], 2_000_000, light_fine_max=5_000_000, light_months=6) == 6
    assert months(["fine"], 2_000_000, light_fine_max=1_999_999, standard_months=24) == 24
    assert months([], category="licensing", licensing_months=12) == 12
    assert months([], category="other", other_months=6) == 6


@override("en")
def test_sector_minimum_raises_and_the_clamp_bounds() -> None:
    period = period_for(category="penalty", kinds=["warning"], fine=None,
                        policy=policy(min_months=12))
    assert period == Period(12, "Light penalty (warning, circulated criticism or a fine up to "
                                "10,000 yuan): 3 months; raised to the sector minimum of 12 "
                                "months")
    assert months(["revoke_licence"], min_months=12) == 36  # the minimum never lowers
    # a policy outside 3..36 is kept within it
    assert months(["warning"], light_months=1) == 3
    clamped = period_for(category="penalty", kinds=["closure"], fine=None,
                         policy=policy(standard_months=48))
    assert clamped == Period(36, "Penalty: 48 months; kept within 3 to 36 months: 36 months")
    assert months(["warning"], min_months=40) == 36


def test_is_light() -> None:
    p = policy()
    assert is_light(["warning"], None, p) and is_light(["fine"], 0, p)
    assert not is_light([], None, p)
    assert not is_light(["fine", "stop_production"], 1, p)


@pytest.mark.parametrize(("start", "n", "expected"), [
    (D(2026, 9, 30), 3, D(2026, 12, 30)),
    (D(2026, 11, 30), 3, D(2027, 2, 28)),   # no 30 February: the month's last day
    (D(2027, 11, 30), 3, D(2028, 2, 29)),   # leap year
    (D(2026, 8, 31), 6, D(2027, 2, 28)),
    (D(2026, 1, 31), 1, D(2026, 2, 28)),
    (D(2026, 3, 31), 36, D(2029, 3, 31)),
    (D(2026, 12, 15), 12, D(2027, 12, 15)),
])
def test_offline_day(start: dt.date, n: int, expected: dt.date) -> None:
    assert offline_on(start, n) == add_months(start, n) == expected
