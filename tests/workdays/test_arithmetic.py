"""Deadline arithmetic on the seeded calendar.

Every expected date below was worked out by hand from the State Council's holiday notices
(国务院办公厅关于部分节假日安排的通知) for 2024, 2025 and 2026, as quoted in each test:
the start day is not counted, working days skip holidays and weekends but count make-up
workdays, and calendar periods ending on a rest day move to the next working day (CPL art. 85).
"""

import datetime as dt

import pytest

from zhifa.core.errors import InvalidInput, NotFound
from zhifa.workdays.calendar import (
    Due,
    deadline_for,
    is_working_day,
    period_end,
    working_days_between,
)

D = dt.date
WORKING, CALENDAR, MONTH, YEAR = "working_day", "calendar_day", "month", "year"


def due(start: dt.date, n: int, unit: str) -> dt.date:
    result = period_end(start=start, n=n, unit=unit)
    assert result.provisional is False
    return result.due


# --- Working days across National Day and Spring Festival ------------------------------------
def test_2026_national_day_counts_the_make_up_saturday(db: None) -> None:
    # 2026: 1–7 Oct off; Sat 10 Oct is a workday. From Wed 30 Sep, 5 working days:
    # 8 Oct (1), 9 Oct (2), Sat 10 Oct (3), Mon 12 Oct (4), Tue 13 Oct (5).
    result = period_end(start=D(2026, 9, 30), n=5, unit=WORKING)
    assert result == Due(start=D(2026, 9, 30), n=5, unit=WORKING, due=D(2026, 10, 13),
                         provisional=False)


def test_2026_mid_autumn_with_the_make_up_sunday_before_it(db: None) -> None:
    # 2026: Sun 20 Sep is a workday; 25–27 Sep (Mid-Autumn) off. From Fri 18 Sep, 7 working
    # days: Sun 20 (1), 21–24 Sep (5), Mon 28 (6), Tue 29 Sep (7).
    assert due(D(2026, 9, 18), 7, WORKING) == D(2026, 9, 29)


def test_2026_spring_festival(db: None) -> None:
    # 2026: 15–23 Feb off; Sat 14 Feb and Sat 28 Feb are workdays. From Fri 13 Feb, 3 working
    # days: Sat 14 Feb (1), Tue 24 Feb (2), Wed 25 Feb (3).
    assert due(D(2026, 2, 13), 3, WORKING) == D(2026, 2, 25)


def test_2025_national_day_and_mid_autumn(db: None) -> None:
    # 2025: 1–8 Oct off; Sun 28 Sep and Sat 11 Oct are workdays. From Fri 26 Sep, 7 working
    # days: Sun 28 Sep (1), 29 (2), 30 Sep (3), 9 Oct (4), 10 (5), Sat 11 (6), Mon 13 Oct (7).
    assert due(D(2025, 9, 26), 7, WORKING) == D(2025, 10, 13)


def test_2025_spring_festival(db: None) -> None:
    # 2025: 28 Jan–4 Feb off; Sun 26 Jan and Sat 8 Feb are workdays. From Fri 24 Jan, 5
    # working days: Sun 26 Jan (1), Mon 27 Jan (2), 5 Feb (3), 6 Feb (4), 7 Feb (5).
    assert due(D(2025, 1, 24), 5, WORKING) == D(2025, 2, 7)


def test_2024_national_day_ten_working_days(db: None) -> None:
    # 2024: 1–7 Oct off; Sun 29 Sep and Sat 12 Oct are workdays. From Fri 27 Sep, 10 working
    # days: Sun 29 Sep (1), 30 Sep (2), 8–11 Oct (6), Sat 12 Oct (7), 14–16 Oct (10).
    assert deadline_for(rule="acl_reminder_10", start=D(2024, 9, 27)).due == D(2024, 10, 16)


def test_a_working_day_period_never_ends_on_a_rest_day(db: None) -> None:
    # From Thu 1 Oct 2026 (a holiday), 1 working day: the first working day after it.
    assert due(D(2026, 10, 1), 1, WORKING) == D(2026, 10, 8)
    # From Fri 9 Oct 2026, 1 working day: the make-up Saturday.
    assert due(D(2026, 10, 9), 1, WORKING) == D(2026, 10, 10)


# --- Calendar periods roll forward to the next working day (CPL art. 85) ---------------------
def test_calendar_period_ending_on_national_day_moves_after_it(db: None) -> None:
    # 16 Sep 2026 + 15 days = Thu 1 Oct (holiday, through 7 Oct) → Thu 8 Oct.
    assert due(D(2026, 9, 16), 15, CALENDAR) == D(2026, 10, 8)


def test_calendar_period_ending_on_a_make_up_saturday_stays(db: None) -> None:
    # 25 Sep 2026 + 15 days = Sat 10 Oct, a make-up workday: not a rest day.
    assert due(D(2026, 9, 25), 15, CALENDAR) == D(2026, 10, 10)


def test_ninety_day_decision_period_ending_in_spring_festival(db: None) -> None:
    # 20 Nov 2025 + 90 days = Wed 18 Feb 2026 (Spring Festival, off through 23 Feb) → Tue 24.
    result = deadline_for(rule="apl_decision_90", start=D(2025, 11, 20))
    assert result == Due(start=D(2025, 11, 20), n=90, unit=CALENDAR, due=D(2026, 2, 24),
                         provisional=False, rule_code="apl_decision_90",
                         source="行政处罚法第六十条")


def test_calendar_period_ending_on_an_ordinary_weekend(db: None) -> None:
    # 6 Mar 2026 + 15 days = Sat 21 Mar → Mon 23 Mar.
    assert deadline_for(rule="apl_payment_15", start=D(2026, 3, 6)).due == D(2026, 3, 23)


def test_calendar_period_ending_on_a_working_day_is_not_moved(db: None) -> None:
    # 2 Mar 2026 + 30 days = Wed 1 Apr.
    assert deadline_for(rule="acl_seizure_30", start=D(2026, 3, 2)).due == D(2026, 4, 1)


def test_extra_units_extend_a_rule(db: None) -> None:
    # Seizure with its 30-day extension: 2 Mar 2026 + 60 days = Fri 1 May (Labour Day, off
    # 1–5 May) → Wed 6 May.
    result = deadline_for(rule="acl_seizure_30", start=D(2026, 3, 2), extra=30)
    assert (result.n, result.due, result.source) == (60, D(2026, 5, 6), "行政强制法第二十五条")


# --- Months and years ---------------------------------------------------------------------
def test_month_end_is_clamped_in_a_leap_year(db: None) -> None:
    # 31 Jan 2024 + 1 month: February has no 31st → Thu 29 Feb 2024, a working day.
    assert due(D(2024, 1, 31), 1, MONTH) == D(2024, 2, 29)


def test_month_end_is_clamped_onto_a_make_up_saturday(db: None) -> None:
    # 31 Jan 2026 + 1 month → Sat 28 Feb 2026, a make-up workday: it stays.
    assert due(D(2026, 1, 31), 1, MONTH) == D(2026, 2, 28)


def test_months_clamped_then_rolled_forward(db: None) -> None:
    # 31 Aug 2025 + 3 months → 30 Nov 2025 (a Sunday) → Mon 1 Dec.
    assert due(D(2025, 8, 31), 3, MONTH) == D(2025, 12, 1)
    # Court enforcement application: 7 Jul 2026 + 3 months = 7 Oct (holiday) → 8 Oct.
    assert deadline_for(rule="acl_court_application_3m", start=D(2026, 7, 7)).due == D(
        2026, 10, 8)


def test_years_from_a_leap_day(db: None) -> None:
    # 29 Feb 2024 + 2 years → 28 Feb 2026 (clamped), a make-up Saturday: it stays.
    assert deadline_for(rule="apl_limitation_2y", start=D(2024, 2, 29)).due == D(2026, 2, 28)
    # 1 Oct 2021 + 5 years = 1 Oct 2026 (holiday) → 8 Oct.
    assert deadline_for(rule="apl_limitation_5y", start=D(2021, 10, 1)).due == D(2026, 10, 8)


# --- Single days and counting between dates -------------------------------------------------
def test_is_working_day(db: None) -> None:
    assert is_working_day(D(2026, 10, 10)) is True  # make-up Saturday
    assert is_working_day(D(2026, 10, 1)) is False  # National Day
    assert is_working_day(D(2026, 10, 11)) is False  # ordinary Sunday
    assert is_working_day(D(2026, 10, 12)) is True  # ordinary Monday
    assert is_working_day(D(2026, 2, 23)) is False  # Spring Festival, a Monday
    assert is_working_day(D(2027, 1, 1)) is True  # no 2027 data yet: a Friday


def test_working_days_between(db: None) -> None:
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 13)) == 5
    assert working_days_between(D(2026, 10, 13), D(2026, 9, 30)) == -5
    assert working_days_between(D(2026, 10, 13), D(2026, 10, 13)) == 0
    # 1–7 Oct holidays, then 8, 9 and the make-up Saturday 10 Oct.
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == 3
    # The whole of 2026: 261 weekdays − 19 holidays on weekdays + 6 make-up days = 248.
    assert working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 248


def test_working_days_between_agrees_with_period_end(db: None) -> None:
    start = D(2024, 1, 3)
    while start < D(2026, 12, 1):
        for n in (1, 3, 5, 7, 10, 20):
            end = period_end(start=start, n=n, unit=WORKING).due
            assert working_days_between(start, end) == n, (start, n)
            assert is_working_day(end), (start, n)
        start += dt.timedelta(days=11)


# --- Refusals -------------------------------------------------------------------------------
@pytest.mark.parametrize(("n", "unit", "code"), [
    (0, WORKING, "period_length_invalid"),
    (-3, CALENDAR, "period_length_invalid"),
    (101, YEAR, "period_length_invalid"),
    (5, "fortnight", "unit_invalid"),
])
def test_invalid_periods_are_refused(db: None, n: int, unit: str, code: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        period_end(start=D(2026, 3, 2), n=n, unit=unit)
    assert exc.value.code == code


def test_unknown_rule_is_refused(db: None) -> None:
    with pytest.raises(NotFound) as exc:
        deadline_for(rule="no_such_rule", start=D(2026, 3, 2))
    assert exc.value.code == "deadline_rule_not_found"


def test_a_period_beyond_the_date_range_is_refused(db: None) -> None:
    with pytest.raises(InvalidInput) as exc:
        period_end(start=D(9999, 6, 1), n=12, unit=MONTH)
    assert exc.value.code == "period_out_of_range"
