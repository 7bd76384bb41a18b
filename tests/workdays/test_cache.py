"""The in-process table: one small query per call, and never stale."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from tests.workdays.conftest import DAYS_2027, SOURCE_2027
from zhifa.workdays.calendar import (
    deadline_for,
    is_working_day,
    period_end,
    working_days_between,
)
from zhifa.workdays.models import CalendarDay, DeadlineRule
from zhifa.workdays.services import calendar_year_publish

D = dt.date


def test_each_call_costs_one_query_once_loaded(db: None, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    period_end(start=D(2026, 9, 30), n=5, unit="working_day")
    with django_assert_num_queries(1):
        deadline_for(rule="apl_decision_90", start=D(2025, 11, 20))
    with django_assert_num_queries(1):
        period_end(start=D(2026, 9, 30), n=5, unit="working_day")
    with django_assert_num_queries(1):
        is_working_day(D(2026, 10, 10))
    with django_assert_num_queries(1):
        working_days_between(D(2020, 1, 1), D(2026, 12, 31))


def test_a_change_outside_the_services_is_seen_too(db: None) -> None:
    assert is_working_day(D(2026, 10, 10)) is True
    CalendarDay.objects.filter(date=D(2026, 10, 10)).delete()
    assert is_working_day(D(2026, 10, 10)) is False
    assert deadline_for(rule="review_7", start=D(2026, 9, 30)).n == 7
    # A row saved with a new ``updated_at`` (``save()`` sets it) is seen by its time.
    DeadlineRule.objects.filter(code="review_7").update(n=5, updated_at=timezone.now())
    assert deadline_for(rule="review_7", start=D(2026, 9, 30)).n == 5


def test_a_rolled_back_change_is_not_kept(db: None) -> None:
    assert period_end(start=D(2026, 12, 24), n=7, unit="working_day").provisional is True

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        calendar_year_publish(actor=None, year=2027, source=SOURCE_2027, days=DAYS_2027)
        assert period_end(start=D(2026, 12, 24), n=7, unit="working_day").due == D(2027, 1, 5)
        raise Abort
    result = period_end(start=D(2026, 12, 24), n=7, unit="working_day")
    assert (result.due, result.provisional) == (D(2027, 1, 4), True)
