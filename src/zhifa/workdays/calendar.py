"""Deadline arithmetic on the Chinese working-day calendar.

Counting rules (see ``docs/adr/0009-working-day-calendar.md``):

- the start day is not counted (CPL art. 85);
- a working-day period counts working days: Monday to Friday and make-up workdays (调休上班日),
  not statutory holidays nor ordinary weekends (APL art. 85, ACL art. 69, ALL art. 82);
- a calendar-day, month or year period that ends on a rest day ends on the next working day
  (CPL art. 85); months and years land on the same day of the month, or on the month's last day
  when it has no such day (Jan 31 + 1 month = Feb 28/29);
- paused intervals ``(first, last)``, both inclusive, do not count (ALL art. 45, ACL art. 25):
  for calendar units the end moves by the paused days after the start; for working days a
  paused day is simply not counted;
- a date of a year without calendar data is judged by weekends only, and a result that judged
  any such date is ``provisional`` — shown as such and recomputed when the year is entered
  (``workdays.hooks.on_calendar_changed``).

The table is held in process and checked with one small query per call (the revision token
the services replace, plus row counts and last-change times, which also catch a flushed or
hand-edited table), so deadlines can be computed inside every case transition.
"""

import bisect
import calendar as _stdlib_calendar
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import connection, models
from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput, NotFound

from .models import CalendarDay, CalendarRevision, CalendarYear, DayKind, DeadlineRule, Unit

__all__ = [
    "Due", "RuleView", "check_period", "deadline_for", "is_working_day", "period_end", "rule_get",
    "working_days_between", "years_with_data",
]

ONE_DAY = dt.timedelta(days=1)

# Longest period accepted, about a century in each unit: a larger number is a typing error and
# would walk (or overflow) the date range.
MAX_LENGTH = {
    Unit.WORKING_DAY: 26_000,
    Unit.CALENDAR_DAY: 36_600,
    Unit.MONTH: 1_200,
    Unit.YEAR: 100,
}


@dataclass(frozen=True)
class Due:
    start: dt.date
    n: int
    unit: str
    due: dt.date
    provisional: bool
    rule_code: str = ""
    source: str = ""
    # Years without calendar data that the result depended on (empty unless provisional).
    missing_years: tuple[int, ...] = ()


@dataclass(frozen=True)
class RuleView:
    code: str
    name: str
    n: int
    unit: str
    source: str


# --- The cached table -----------------------------------------------------------------------
@dataclass(frozen=True)
class _Table:
    stamp: tuple[object, ...]
    years: frozenset[int]
    holidays: frozenset[dt.date]
    make_up: frozenset[dt.date]
    # Sorted, for counting working days between two dates without walking them.
    holiday_weekdays: tuple[dt.date, ...]
    make_up_weekends: tuple[dt.date, ...]
    rules: Mapping[str, RuleView]

    def is_working(self, day: dt.date) -> bool:
        if day in self.make_up:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


_cached: _Table | None = None


def _stamp_sql() -> str:
    q = connection.ops.quote_name

    def column(model: type[models.Model], name: str) -> str:
        field = model._meta.get_field(name)
        return q(getattr(field, "column", None) or name)

    parts = []
    for model in (CalendarYear, CalendarDay, DeadlineRule):
        table = q(model._meta.db_table)
        parts.append(f"(SELECT COUNT(*) FROM {table})")
        parts.append(f"(SELECT MAX({column(model, 'updated_at')}) FROM {table})")
    revision = q(CalendarRevision._meta.db_table)
    parts.append(f"(SELECT {column(CalendarRevision, 'token')} FROM {revision} "
                 f"WHERE {column(CalendarRevision, 'id')} = 1)")
    return "SELECT " + ", ".join(parts)


def _stamp() -> tuple[object, ...]:
    with connection.cursor() as cursor:
        cursor.execute(_stamp_sql())
        row = cursor.fetchone()
    return (connection.alias, *row)


def _load(stamp: tuple[object, ...]) -> _Table:
    years = frozenset(CalendarYear.objects.values_list("year", flat=True))
    holidays: set[dt.date] = set()
    make_up: set[dt.date] = set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (make_up if kind == DayKind.MAKE_UP_WORKDAY else holidays).add(day)
    rules = {
        code: RuleView(code=code, name=name, n=n, unit=unit, source=source)
        for code, name, n, unit, source in DeadlineRule.objects.values_list(
            "code", "name", "n", "unit", "source")
    }
    return _Table(
        stamp=stamp,
        years=years,
        holidays=frozenset(holidays),
        make_up=frozenset(make_up),
        holiday_weekdays=tuple(sorted(d for d in holidays if d.weekday() < 5)),
        make_up_weekends=tuple(sorted(d for d in make_up if d.weekday() >= 5)),
        rules=rules,
    )


def _table() -> _Table:
    """The current table: one query to check the stamp, a reload only after a change.

    The stamp is read before the rows, so a change committed in between can only make the
    cache hold newer rows under an older stamp, which the next call reloads. A change rolled
    back leaves a stamp that no later state repeats (a fresh random token), so the cache never
    keeps rows that were not committed."""
    global _cached
    stamp = _stamp()
    current = _cached
    if current is not None and current.stamp == stamp:
        return current
    fresh = _load(stamp)
    _cached = fresh
    return fresh


# --- Arithmetic -----------------------------------------------------------------------------
def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise OverflowError
    last = _stdlib_calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def _merged_pauses(start: dt.date,
                   pauses: Iterable[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    """The paused intervals after the start day, sorted and merged."""
    clipped = []
    for first, last in pauses:
        if last < first:
            raise InvalidInput(
                _("A paused interval cannot end (%(last)s) before it begins (%(first)s).")
                % {"first": first.isoformat(), "last": last.isoformat()},
                code="pause_reversed", detail=[first.isoformat(), last.isoformat()],
            )
        if last <= start:
            continue
        clipped.append((max(first, start + ONE_DAY), last))
    clipped.sort()
    merged: list[tuple[dt.date, dt.date]] = []
    for first, last in clipped:
        if merged and first <= merged[-1][1] + ONE_DAY:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


class _Pauses:
    """Membership test for days visited in increasing order."""

    def __init__(self, merged: list[tuple[dt.date, dt.date]]) -> None:
        self._merged = merged
        self._i = 0

    def __contains__(self, day: dt.date) -> bool:
        while self._i < len(self._merged) and self._merged[self._i][1] < day:
            self._i += 1
        return self._i < len(self._merged) and self._merged[self._i][0] <= day


def check_period(n: int, unit: str) -> Unit:
    """The unit, once ``n`` and ``unit`` are known to make a valid period."""
    if unit not in Unit.values:
        raise InvalidInput(_("Unknown unit of a period: %(unit)s.") % {"unit": unit},
                           code="unit_invalid", detail=unit)
    valid = Unit(unit)
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_LENGTH[valid]:
        raise InvalidInput(
            _("The length of a period must be a whole number from 1 to %(max)d.")
            % {"max": MAX_LENGTH[valid]},
            code="period_length_invalid", detail=n,
        )
    return valid


def _compute(table: _Table, start: dt.date, n: int, unit: Unit,
             pauses: Sequence[tuple[dt.date, dt.date]]) -> tuple[dt.date, set[int]]:
    merged = _merged_pauses(start, pauses)
    paused = _Pauses(merged)
    missing: set[int] = set()
    if unit == Unit.WORKING_DAY:
        day, counted = start, 0
        while counted < n:
            day += ONE_DAY
            if day in paused:
                continue
            if day.year not in table.years:
                missing.add(day.year)
            if table.is_working(day):
                counted += 1
        return day, missing

    if unit == Unit.CALENDAR_DAY:
        end = start + dt.timedelta(days=n)
    else:
        end = _add_months(start, n if unit == Unit.MONTH else 12 * n)
    for first, last in merged:
        if first > end:
            break
        end += (last - first) + ONE_DAY
    # CPL art. 85: a period ending on a rest day (or while paused) ends on the next working day.
    paused = _Pauses(merged)
    while True:
        if end.year not in table.years:
            missing.add(end.year)
        if end not in paused and table.is_working(end):
            return end, missing
        end += ONE_DAY


def period_end(*, start: dt.date, n: int, unit: str,
               pauses: Sequence[tuple[dt.date, dt.date]] = ()) -> Due:
    """When a period of ``n`` units starting on ``start`` (not counted) ends."""
    valid = check_period(n, unit)
    table = _table()
    try:
        due, missing = _compute(table, start, n, valid, pauses)
    except OverflowError:
        raise InvalidInput(_("The period ends outside the range of dates."),
                           code="period_out_of_range", detail=n) from None
    return Due(start=start, n=n, unit=valid.value, due=due, provisional=bool(missing),
               missing_years=tuple(sorted(missing)))


def rule_get(code: str) -> RuleView:
    rule = _table().rules.get(code)
    if rule is None:
        raise NotFound(_("There is no deadline rule %(code)s.") % {"code": code},
                       code="deadline_rule_not_found", detail=code)
    return rule


def deadline_for(*, rule: str, start: dt.date, pauses: Sequence[tuple[dt.date, dt.date]] = (),
                 extra: int = 0) -> Due:
    """The deadline of rule ``rule`` (a ``DeadlineRule.code``) from ``start``; ``extra`` adds
    units (an approved extension counted in the rule's unit)."""
    table = _table()
    view = table.rules.get(rule)
    if view is None:
        raise NotFound(_("There is no deadline rule %(code)s.") % {"code": rule},
                       code="deadline_rule_not_found", detail=rule)
    n = view.n + extra
    valid = check_period(n, view.unit)
    try:
        due, missing = _compute(table, start, n, valid, pauses)
    except OverflowError:
        raise InvalidInput(_("The period ends outside the range of dates."),
                           code="period_out_of_range", detail=n) from None
    return Due(start=start, n=n, unit=valid.value, due=due, provisional=bool(missing),
               rule_code=view.code, source=view.source, missing_years=tuple(sorted(missing)))


def is_working_day(day: dt.date) -> bool:
    return _table().is_working(day)


def _weekdays_through(day: dt.date) -> int:
    """Mondays to Fridays from 0001-01-01 (a Monday) through ``day``."""
    days = day.toordinal()
    return days // 7 * 5 + min(days % 7, 5)


def working_days_between(first: dt.date, last: dt.date) -> int:
    """Working days after ``first`` up to and including ``last`` — the days left from today
    (``first``) to a due date (``last``); negative when ``last`` is before ``first`` (the
    working days overdue). ``period_end(start=a, n=k, unit="working_day").due == b`` implies
    ``working_days_between(a, b) == k`` when nothing is paused."""
    if last < first:
        return -working_days_between(last, first)
    table = _table()
    count = _weekdays_through(last) - _weekdays_through(first)
    lo = bisect.bisect_right(table.holiday_weekdays, first)
    hi = bisect.bisect_right(table.holiday_weekdays, last)
    count -= hi - lo
    lo = bisect.bisect_right(table.make_up_weekends, first)
    hi = bisect.bisect_right(table.make_up_weekends, last)
    return count + (hi - lo)


def years_with_data() -> frozenset[int]:
    return _table().years
