"""Recipes: the steps a demo case takes, with the days between them, and where its dates
land relative to the day of loading.

A recipe is placed by ``Clock.place``: it looks for the latest day of receipt, counting back
from today, for which every step falls on a working day no later than today, the last step
lies at least ``idle`` days back, and (when the recipe aims at one) a chosen time limit ends
in a chosen window around today — e.g. "the statement period ends within three days" or
"the seizure period ran out last week". The same recipe therefore gives the same picture on
whatever day the demo is loaded, holidays included, and never a date in the future.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zhifa.workdays.calendar import RuleView, is_working_day, period_end, rule_get

if TYPE_CHECKING:
    from .content import Facts

DAY = dt.timedelta(days=1)
# How far back a case may start (about a year and a half).
MAX_BACK = 540

DataFn = Callable[["Facts", dt.date], Mapping[str, Any]]


@dataclass(frozen=True)
class Step:
    action: str
    # days after the previous step (rolled forward to a working day), or a function of the
    # previous step's date; the first step counts from the day the case was received
    gap: int | Callable[[Clock, dt.date], dt.date] = 1
    data: DataFn | Mapping[str, Any] = field(default_factory=dict)
    by: str = "handler"  # handler | head | reviewer
    # approval-bearing steps: None approves every rung of the ladder; n approves the first n
    # rungs and leaves the request waiting at the next one
    pending: int | None = None
    # the head sends the first request back with this comment before it is asked again
    rejected: str = ""
    child: bool = False  # acts on the case the previous steps opened (inspection → case)
    late: str = ""  # reason recorded when the step comes after its time limit

    def values(self, facts: Facts, on: dt.date) -> dict[str, Any]:
        raw = self.data(facts, on) if callable(self.data) else self.data
        return {k: v for k, v in raw.items() if v not in (None, "")}


@dataclass(frozen=True)
class Aim:
    """The time limit ``rule``, started on the date of the step ``action`` ("" for the day
    of receipt), ends between ``today + lo`` and ``today + hi`` (both inclusive)."""

    rule: str
    action: str
    lo: int
    hi: int


@dataclass(frozen=True)
class Recipe:
    name: str
    procedure: str
    steps: tuple[Step, ...] = ()
    idle: int = 0
    aim: Aim | None = None
    needs: frozenset[str] = frozenset()  # what the case's content must allow (see content)
    # up to this many more idle days, drawn per case, so that finished cases spread over the
    # past months instead of all ending last week
    spread: int = 0
    # an extra condition on the placed dates (e.g. the hearing day is today or just past)
    check: Callable[[Clock, list[dt.date]], bool] | None = None


class Clock:
    """Today and the working-day calendar, with the deadline rules read once per load."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        # The calendar checks its table with a query on every call; placing the recipes asks
        # about the same few hundred days tens of thousands of times, so answers are kept.
        self._rules: dict[str, RuleView] = {}
        self._working: dict[dt.date, bool] = {}
        self._due: dict[tuple[str, int, dt.date], dt.date] = {}

    def _period(self, start: dt.date, n: int, unit: str) -> dt.date:
        key = (unit, n, start)
        if key not in self._due:
            self._due[key] = period_end(start=start, n=n, unit=unit).due
        return self._due[key]

    def due(self, rule: str, start: dt.date) -> dt.date:
        view = self._rules.get(rule)
        if view is None:
            view = self._rules[rule] = rule_get(rule)
        return self._period(start, view.n, view.unit)

    def is_working(self, day: dt.date) -> bool:
        if day not in self._working:
            self._working[day] = is_working_day(day)
        return self._working[day]

    def workday(self, day: dt.date) -> dt.date:
        while not self.is_working(day):
            day += DAY
        return day

    def hearing_day(self, notified: dt.date) -> dt.date:
        """The earliest hearing day after notifying the party on ``notified`` (APL art. 64:
        seven working days' notice)."""
        return self.workday(self._period(notified, 7, "working_day"))

    def schedule(self, recipe: Recipe, received: dt.date) -> list[dt.date]:
        dates: list[dt.date] = []
        prev = received
        for step in recipe.steps:
            if callable(step.gap):
                day = step.gap(self, prev)
            else:
                day = self.workday(prev + step.gap * DAY) if step.gap else prev
            dates.append(day)
            prev = day
        return dates

    def place(self, recipe: Recipe, extra: int = 0) -> tuple[dt.date, list[dt.date]]:
        """The latest day of receipt that fits the recipe (``extra`` more idle days). In a
        long holiday no time limit can end in a window of a few days (time limits end on
        working days), so the window is widened by a week at a time until one fits."""
        latest = self.today - (recipe.idle + extra) * DAY
        for slack in (0, 7, 14, 21, 28):
            for back in range(MAX_BACK):
                received = self.today - back * DAY
                if not self.is_working(received):
                    continue
                dates = self.schedule(recipe, received)
                if (dates[-1] if dates else received) > latest:
                    continue
                if recipe.aim is not None and not self._aimed(recipe, received, dates, slack):
                    continue
                if recipe.check is not None and not recipe.check(self, dates):
                    continue
                return received, dates
            if recipe.aim is None:
                break
        raise ValueError(f"demo recipe {recipe.name} cannot be placed before today")

    def _aimed(self, recipe: Recipe, received: dt.date, dates: list[dt.date],
               slack: int) -> bool:
        aim = recipe.aim
        assert aim is not None
        if aim.action:
            index = next(i for i, s in enumerate(recipe.steps) if s.action == aim.action)
            start = dates[index]
        else:
            start = received
        due = self.due(aim.rule, start)
        lo, hi = aim.lo, aim.hi
        if slack:  # widen away from today: a later "due" window, an earlier "overdue" one
            lo, hi = (lo, hi + slack) if hi >= 0 else (lo - slack, hi)
        return self.today + lo * DAY <= due <= self.today + hi * DAY
