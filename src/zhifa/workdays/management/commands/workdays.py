"""``zhifa workdays``: deadline arithmetic from the command line.

- ``zhifa workdays add START N [--unit working|calendar|month|year] [--json]`` prints the ISO
  date on which a period of N units starting on START ends (START itself not counted), followed
  by `` (provisional: no calendar data for 2027)`` when a year without holiday data decided it.
  ``--json`` prints ``{"start", "n", "unit", "due", "provisional"}``.
- ``zhifa workdays years [--json] [--today YYYY-MM-DD]`` lists the years with holiday data
  and warns about this year and the next when they have none.

The plain output is for scripts as much as for people, so it is not translated. Bad input exits
with status 1 (2 for unknown options) and says why on stderr.
"""

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from zhifa.core.errors import ApplicationError
from zhifa.workdays import selectors
from zhifa.workdays.calendar import period_end
from zhifa.workdays.models import Unit

UNITS = {
    "working": Unit.WORKING_DAY, "calendar": Unit.CALENDAR_DAY, "month": Unit.MONTH,
    "year": Unit.YEAR,
    # The stored names are accepted too.
    **{u.value: u for u in Unit},
}


class Command(BaseCommand):
    help = "Working-day calendar: 'add' computes when a period ends; 'years' lists the data."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser(
            "add", help="Print the date on which N units after START end (START not counted).")
        add.add_argument("start", help="start date, YYYY-MM-DD")
        add.add_argument("n", help="length of the period, a whole number from 1")
        add.add_argument("--unit", default="working", choices=sorted(UNITS),
                         help="working (default), calendar, month or year")
        add.add_argument("--json", action="store_true", help="print JSON")
        years = actions.add_parser("years", help="List the years with holiday data.")
        years.add_argument("--json", action="store_true", help="print JSON")
        years.add_argument("--today", type=dt.date.fromisoformat, default=None,
                           help="warn about the years from this date's (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "add":
            self._add(options)
        else:
            self._years(options)

    def _add(self, options: dict[str, Any]) -> None:
        try:
            start = dt.date.fromisoformat(options["start"])
        except ValueError:
            raise CommandError(f"START must be a date written YYYY-MM-DD, not {options['start']!r}."
                               ) from None
        try:
            n = int(options["n"])
        except ValueError:
            raise CommandError(f"N must be a whole number, not {options['n']!r}.") from None
        try:
            due = period_end(start=start, n=n, unit=UNITS[options["unit"]])
        except ApplicationError as exc:
            raise CommandError(f"{exc.message} [{exc.code}]") from None
        if options["json"]:
            self.stdout.write(json.dumps({
                "start": due.start.isoformat(), "n": due.n, "unit": due.unit,
                "due": due.due.isoformat(), "provisional": due.provisional,
            }))
            return
        line = due.due.isoformat()
        if due.provisional:
            years = ", ".join(str(y) for y in due.missing_years)
            line += f" (provisional: no calendar data for {years})"
        self.stdout.write(line)

    def _years(self, options: dict[str, Any]) -> None:
        coverage = selectors.calendar_coverage(today=options["today"] or timezone.localdate())
        if options["json"]:
            self.stdout.write(json.dumps({
                "years": [
                    {"year": y.year, "source": y.source,
                     "published_on": y.published_on.isoformat() if y.published_on else None,
                     "holidays": y.holidays, "make_up_workdays": y.make_up_workdays}
                    for y in coverage.years
                ],
                "missing_upcoming": coverage.missing_upcoming,
            }, ensure_ascii=False))
            return
        for y in coverage.years:
            self.stdout.write(f"{y.year}\t{y.holidays} holidays\t"
                              f"{y.make_up_workdays} make-up workdays\t{y.source}")
        for year in coverage.missing_upcoming:
            self.stderr.write(f"warning: no calendar data for {year}; deadlines reaching "
                              f"{year} are provisional")
