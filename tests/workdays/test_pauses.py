"""Paused intervals (testing, expert review, hearings: ALL art. 45, ACL art. 25) do not count."""

import datetime as dt

import pytest

from zhifa.core.errors import InvalidInput
from zhifa.workdays.calendar import deadline_for, period_end, working_days_between

D = dt.date


def test_paused_days_extend_a_calendar_period(db: None) -> None:
    # Seizure from Mon 2 Mar 2026: 30 days end Wed 1 Apr. Testing from 10 to 19 Mar (10 days)
    # moves the end to Sat 11 Apr, a rest day → Mon 13 Apr.
    plain = deadline_for(rule="acl_seizure_30", start=D(2026, 3, 2))
    paused = deadline_for(rule="acl_seizure_30", start=D(2026, 3, 2),
                          pauses=[(D(2026, 3, 10), D(2026, 3, 19))])
    assert (plain.due, paused.due) == (D(2026, 4, 1), D(2026, 4, 13))
    assert paused.provisional is False


def test_paused_working_days_are_not_counted(db: None) -> None:
    # Licensing decision from Mon 2 Mar 2026: 20 working days end Mon 30 Mar. Expert review
    # from Tue 10 to Mon 16 Mar pauses 5 working days: 3–6, 9 Mar (5), 17–20 (9), 23–27 (14),
    # 30, 31 Mar (16), 1–3 Apr (19), 4–6 Apr Qingming off, Tue 7 Apr (20).
    plain = deadline_for(rule="all_decision_20", start=D(2026, 3, 2))
    paused = deadline_for(rule="all_decision_20", start=D(2026, 3, 2),
                          pauses=[(D(2026, 3, 10), D(2026, 3, 16))])
    assert (plain.due, paused.due) == (D(2026, 3, 30), D(2026, 4, 7))
    assert working_days_between(D(2026, 3, 2), D(2026, 4, 7)) == 25


def test_overlapping_and_adjacent_pauses_count_once(db: None) -> None:
    one = period_end(start=D(2026, 3, 2), n=30, unit="calendar_day",
                     pauses=[(D(2026, 3, 10), D(2026, 3, 19))])
    split = period_end(start=D(2026, 3, 2), n=30, unit="calendar_day",
                       pauses=[(D(2026, 3, 14), D(2026, 3, 19)), (D(2026, 3, 10), D(2026, 3, 15)),
                               (D(2026, 3, 12), D(2026, 3, 12))])
    adjacent = period_end(start=D(2026, 3, 2), n=30, unit="calendar_day",
                          pauses=[(D(2026, 3, 10), D(2026, 3, 14)),
                                  (D(2026, 3, 15), D(2026, 3, 19))])
    assert one.due == split.due == adjacent.due == D(2026, 4, 13)


def test_pauses_before_the_start_do_not_count(db: None) -> None:
    # A pause from 20 Feb to 5 Mar counts only 3–5 Mar after a start on 2 Mar: 1 Apr + 3 days =
    # Sat 4 Apr (Qingming, off through Mon 6 Apr) → Tue 7 Apr.
    result = period_end(start=D(2026, 3, 2), n=30, unit="calendar_day",
                        pauses=[(D(2026, 2, 20), D(2026, 3, 5)), (D(2026, 1, 5), D(2026, 1, 9))])
    assert result.due == D(2026, 4, 7)


def test_a_pause_after_the_end_changes_nothing(db: None) -> None:
    result = period_end(start=D(2026, 9, 30), n=5, unit="working_day",
                        pauses=[(D(2026, 10, 14), D(2026, 10, 20))])
    assert result.due == D(2026, 10, 13)


def test_a_paused_working_day_period_skips_the_make_up_day(db: None) -> None:
    # From 30 Sep 2026, 5 working days end 13 Oct; with 9–10 Oct paused the make-up Saturday
    # does not count: 8 Oct (1), 12 (2), 13 (3), 14 (4), 15 Oct (5).
    result = period_end(start=D(2026, 9, 30), n=5, unit="working_day",
                        pauses=[(D(2026, 10, 9), D(2026, 10, 10))])
    assert result.due == D(2026, 10, 15)


def test_a_reversed_pause_is_refused(db: None) -> None:
    with pytest.raises(InvalidInput) as exc:
        period_end(start=D(2026, 3, 2), n=5, unit="working_day",
                   pauses=[(D(2026, 3, 10), D(2026, 3, 9))])
    assert exc.value.code == "pause_reversed"
