"""Reading a holiday arrangement typed from the State Council's notice, one line per holiday
period or make-up workday::

    2027-01-01..2027-01-03 休 元旦
    2027-02-06~2027-02-14 休 春节
    2027-02-15 班 春节

A line is a date or a range of dates (``..``, ``~`` or ``至``), the kind (休 / 放假 / holiday, or
班 / 上班 / workday), and optionally the holiday's name. Blank lines and lines starting with
``#`` are skipped."""

import datetime as dt
import re

from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput

from .models import DayKind
from .services import DayIn

KINDS = {
    "休": DayKind.HOLIDAY, "放假": DayKind.HOLIDAY, "holiday": DayKind.HOLIDAY,
    "班": DayKind.MAKE_UP_WORKDAY, "上班": DayKind.MAKE_UP_WORKDAY,
    "workday": DayKind.MAKE_UP_WORKDAY, "make_up_workday": DayKind.MAKE_UP_WORKDAY,
}
# Longest holiday period accepted on one line; a longer range is a typing error.
MAX_RANGE_DAYS = 31

_LINE = re.compile(
    r"^(?P<first>\d{4}-\d{1,2}-\d{1,2})"
    r"(?:\s*(?:\.\.|~|至)\s*(?P<last>\d{4}-\d{1,2}-\d{1,2}))?"
    r"[\s,，]+(?P<kind>\S+?)(?:[\s,，]+(?P<name>.*))?$"
)


def _date(text: str) -> dt.date:
    year, month, day = (int(part) for part in text.split("-"))
    return dt.date(year, month, day)


def parse_days(text: str) -> list[DayIn]:
    days: list[DayIn] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        kind = KINDS.get(match.group("kind").lower()) if match else None
        try:
            first = _date(match.group("first")) if match else None
            last = _date(match.group("last")) if match and match.group("last") else first
        except ValueError:
            first = last = None
        if match is None or kind is None or first is None or last is None:
            raise InvalidInput(
                _("Line %(line)d: write a date or a range of dates, then 休 or 班, then the "
                  "holiday's name, e.g. \"2027-10-01..2027-10-07 休 国庆节\".")
                % {"line": number},
                code="days_text_invalid", detail=number,
            )
        if last < first or (last - first).days >= MAX_RANGE_DAYS:
            raise InvalidInput(
                _("Line %(line)d: the range of dates must run forward and cover at most "
                  "%(max)d days.") % {"line": number, "max": MAX_RANGE_DAYS},
                code="days_text_range_invalid", detail=number,
            )
        name = (match.group("name") or "").strip()
        day = first
        while day <= last:
            days.append(DayIn(date=day, kind=kind, name=name))
            day += dt.timedelta(days=1)
    return days
