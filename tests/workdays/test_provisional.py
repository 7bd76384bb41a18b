"""A deadline that depends on a year without holiday data is computed on weekends only, marked
provisional, and final once the year is entered (the hook lets cases recompute)."""

import datetime as dt
from typing import Any

from tests.workdays.conftest import DAYS_2027, SOURCE_2027, HookCalls
from zhifa.orgs.models import User
from zhifa.workdays import hooks
from zhifa.workdays.calendar import Due, deadline_for, is_working_day, period_end
from zhifa.workdays.models import DayKind
from zhifa.workdays.services import DayIn, calendar_year_publish

D = dt.date


def test_a_working_period_into_2027_is_provisional_on_weekends_only(db: None) -> None:
    # From Thu 24 Dec 2026, 7 working days: 25 Dec (1), 28–31 Dec (5), then 2027 without
    # data: Fri 1 Jan counts (6), Mon 4 Jan (7).
    result = period_end(start=D(2026, 12, 24), n=7, unit="working_day")
    assert result == Due(start=D(2026, 12, 24), n=7, unit="working_day", due=D(2027, 1, 4),
                         provisional=True, missing_years=(2027,))


def test_a_calendar_period_ending_in_2027_is_provisional(db: None) -> None:
    # 10 Mar 2025 + 2 years = Wed 10 Mar 2027, judged without 2027 data.
    result = deadline_for(rule="apl_limitation_2y", start=D(2025, 3, 10))
    assert (result.due, result.provisional, result.missing_years) == (
        D(2027, 3, 10), True, (2027,))


def test_a_period_within_2026_is_not_provisional(db: None) -> None:
    result = period_end(start=D(2026, 12, 1), n=10, unit="working_day")
    assert (result.due, result.provisional) == (D(2026, 12, 15), False)


def test_a_pause_that_pushes_a_working_period_into_2027_makes_it_provisional(db: None) -> None:
    # From Tue 1 Dec 2026, 10 working days: 2–4 Dec (3), then paused 7–31 Dec, then 2027 on
    # weekends only: Fri 1 Jan (4), 4–8 Jan (9), Mon 11 Jan (10).
    result = period_end(start=D(2026, 12, 1), n=10, unit="working_day",
                        pauses=[(D(2026, 12, 7), D(2026, 12, 31))])
    assert (result.due, result.provisional) == (D(2027, 1, 11), True)


def test_a_pause_that_pushes_a_calendar_period_into_2027_makes_it_provisional(db: None) -> None:
    # Seizure from 20 Nov 2026: 30 days end Sun 20 Dec → Mon 21 Dec. Testing from 25 Nov to
    # 14 Dec (20 days) moves the end to Sat 9 Jan 2027 → Mon 11 Jan on weekends only.
    plain = deadline_for(rule="acl_seizure_30", start=D(2026, 11, 20))
    paused = deadline_for(rule="acl_seizure_30", start=D(2026, 11, 20),
                          pauses=[(D(2026, 11, 25), D(2026, 12, 14))])
    assert (plain.due, plain.provisional) == (D(2026, 12, 21), False)
    assert (paused.due, paused.provisional) == (D(2027, 1, 11), True)


def test_publishing_2027_makes_the_deadline_final_and_calls_the_hook(
    sysadmin: User, calendar_hook: HookCalls
) -> None:
    before = period_end(start=D(2026, 12, 24), n=7, unit="working_day")
    assert (before.due, before.provisional) == (D(2027, 1, 4), True)
    seen_inside: list[Due] = []

    def recompute(years: set[int], actor: Any) -> None:
        # What cases do: recompute inside the publishing transaction, where 2027 is visible.
        seen_inside.append(period_end(start=D(2026, 12, 24), n=7, unit="working_day"))

    hooks.on_calendar_changed(recompute)
    calendar_year_publish(actor=sysadmin, year=2027, source=SOURCE_2027, days=DAYS_2027)

    assert calendar_hook.calls == [({2027}, sysadmin)]
    # 1–3 Jan 2027 are now holidays: 25 Dec (1), 28–31 Dec (5), Mon 4 (6), Tue 5 Jan (7).
    after = Due(start=D(2026, 12, 24), n=7, unit="working_day", due=D(2027, 1, 5),
                provisional=False)
    assert seen_inside == [after]
    assert period_end(start=D(2026, 12, 24), n=7, unit="working_day") == after
    assert is_working_day(D(2027, 1, 1)) is False
    assert is_working_day(D(2027, 2, 14)) is True  # the make-up Sunday of the test data


def test_roll_forward_alone_can_make_a_deadline_provisional(sysadmin: User) -> None:
    # With 2028 entered (illustrative data) but not 2029: 30 Nov 2028 + 30 days = Sat 30 Dec
    # 2028; Sun 31 Dec is a rest day too, and the next day, Mon 1 Jan 2029, is judged without
    # data. The years crossed on the way (2027 has no data either) do not matter to a
    # calendar-day count.
    calendar_year_publish(actor=sysadmin, year=2028, source="测试数据",
                          days=[DayIn(D(2028, 1, 1), DayKind.HOLIDAY, "元旦")])
    result = period_end(start=D(2028, 11, 30), n=30, unit="calendar_day")
    assert (result.due, result.provisional, result.missing_years) == (
        D(2029, 1, 1), True, (2029,))
    inside = period_end(start=D(2028, 11, 1), n=30, unit="calendar_day")
    assert (inside.due, inside.provisional) == (D(2028, 12, 1), False)
