"""Reads of the calendar for people (admin, commands). The calendar is the same for every
body, so nothing here is scoped; deadline arithmetic reads ``workdays.calendar`` instead."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from .models import CalendarYear, DayKind

# Years ahead the admin warns about: the State Council publishes next year's arrangement
# around November, and deadlines set now reach into it.
YEARS_AHEAD = 1


@dataclass(frozen=True)
class YearSummary:
    year: int
    source: str
    published_on: dt.date | None
    holidays: int
    make_up_workdays: int


@dataclass(frozen=True)
class Coverage:
    years: list[YearSummary]  # ascending
    # Years between the first and last entered that have no data (should be none).
    gaps: list[int]
    # This year and the next ``YEARS_AHEAD`` years without data: deadlines reaching them are
    # provisional.
    missing_upcoming: list[int]


def calendar_years() -> list[YearSummary]:
    rows = CalendarYear.objects.annotate(
        holiday_count=Count("days", filter=Q(days__kind=DayKind.HOLIDAY)),
        make_up_count=Count("days", filter=Q(days__kind=DayKind.MAKE_UP_WORKDAY)),
    ).order_by("year")
    return [
        YearSummary(year=r.year, source=r.source, published_on=r.published_on,
                    holidays=r.holiday_count, make_up_workdays=r.make_up_count)
        for r in rows
    ]


def calendar_coverage(*, today: dt.date) -> Coverage:
    years = calendar_years()
    have = {y.year for y in years}
    gaps = ([y for y in range(years[0].year, years[-1].year + 1) if y not in have]
            if years else [])
    upcoming = [y for y in range(today.year, today.year + YEARS_AHEAD + 1) if y not in have]
    return Coverage(years=years, gaps=gaps, missing_upcoming=upcoming)


def year_ranges(years: list[int]) -> list[tuple[int, int]]:
    """[2004, 2005, 2006, 2010] → [(2004, 2006), (2010, 2010)], for a short display."""
    ranges: list[tuple[int, int]] = []
    for year in sorted(years):
        if ranges and year == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], year)
        else:
            ranges.append((year, year))
    return ranges
