"""Changes to the working-day calendar and the deadline rules.

Only system administrators change them (``actor=None`` is the system itself: migrations, the
demo loader). Each change, in one transaction: validates, replaces the revision token the cache
of ``workdays.calendar`` compares, writes the ledger, and calls the ``workdays.hooks``
callbacks, so that cases recompute their deadlines before the change commits.
"""

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput, NotFound, PermissionDenied
from zhifa.ledger.services import ledger_append
from zhifa.orgs.permissions import Perm, perms_of

from . import events, hooks
from .calendar import check_period
from .models import (
    CalendarDay,
    CalendarRevision,
    CalendarYear,
    DayKind,
    DeadlineRule,
    Unit,
    period_text,
)

__all__ = [
    "DayIn", "calendar_day_remove", "calendar_day_set", "calendar_year_publish",
    "deadline_rule_update",
]

# Years a holiday arrangement may be entered for: a wider range is a typing error.
FIRST_YEAR, LAST_YEAR = 1990, 2200
SOURCE_MAX = CalendarYear._meta.get_field("source").max_length or 300
NAME_MAX = CalendarDay._meta.get_field("name").max_length or 80


@dataclass(frozen=True)
class DayIn:
    """One day of a holiday arrangement: ``kind`` is a ``DayKind`` value."""

    date: dt.date
    kind: str
    name: str = ""


# --- Checks ---------------------------------------------------------------------------------
def _require_admin(actor: Any) -> None:
    if actor is not None and Perm.ADMINISTER_SYSTEM not in perms_of(actor):
        raise PermissionDenied(
            _("Only system administrators may change the working-day calendar and the "
              "deadline rules."),
            code="missing_administer_system",
        )


def _clean_source(source: str, *, max_length: int = SOURCE_MAX) -> str:
    text = (source or "").strip()
    if not text:
        raise InvalidInput(_("Name the source: the notice or the legal provision."),
                           code="source_missing")
    if len(text) > max_length:
        raise InvalidInput(
            _("The source may have at most %(max)d characters.") % {"max": max_length},
            code="source_too_long",
        )
    return text


def _check_year(year: int) -> None:
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(
            _("The year must be from %(first)d to %(last)d.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            code="calendar_year_invalid", detail=year,
        )


def _check_day(day: DayIn) -> DayIn:
    if not isinstance(day.date, dt.date) or isinstance(day.date, dt.datetime):
        raise InvalidInput(_("A calendar day needs a date."), code="calendar_day_date_invalid",
                           detail=str(day.date))
    if day.kind not in DayKind.values:
        raise InvalidInput(
            _("%(date)s: unknown kind of day %(kind)s.")
            % {"date": day.date.isoformat(), "kind": day.kind},
            code="calendar_day_kind_invalid", detail=day.date.isoformat(),
        )
    name = (day.name or "").strip()
    if len(name) > NAME_MAX:
        raise InvalidInput(
            _("%(date)s: the holiday name may have at most %(max)d characters.")
            % {"date": day.date.isoformat(), "max": NAME_MAX},
            code="calendar_day_name_too_long", detail=day.date.isoformat(),
        )
    if day.kind == DayKind.MAKE_UP_WORKDAY and day.date.weekday() < 5:
        raise InvalidInput(
            _("%(date)s is a weekday: a make-up workday is a Saturday or a Sunday that the "
              "State Council's holiday notice makes a working day.")
            % {"date": day.date.isoformat()},
            code="make_up_day_not_weekend", detail=day.date.isoformat(),
        )
    return DayIn(date=day.date, kind=day.kind, name=name)


def _check_days(year: int, days: Sequence[DayIn]) -> list[DayIn]:
    seen: dict[dt.date, DayIn] = {}
    for raw in days:
        day = _check_day(raw)
        if day.date.year != year:
            raise InvalidInput(
                _("%(date)s is not in %(year)s.")
                % {"date": day.date.isoformat(), "year": str(year)},
                code="calendar_day_outside_year", detail=day.date.isoformat(),
            )
        previous = seen.get(day.date)
        if previous is not None:
            if previous.kind != day.kind:
                raise InvalidInput(
                    _("%(date)s is listed both as a holiday and as a make-up workday.")
                    % {"date": day.date.isoformat()},
                    code="calendar_day_both_kinds", detail=day.date.isoformat(),
                )
            raise InvalidInput(
                _("%(date)s is listed twice.") % {"date": day.date.isoformat()},
                code="calendar_day_duplicate", detail=day.date.isoformat(),
            )
        seen[day.date] = day
    if not any(d.kind == DayKind.HOLIDAY for d in seen.values()):
        raise InvalidInput(
            _("A holiday arrangement lists at least the holidays of the year."),
            code="calendar_year_without_holidays", detail=year,
        )
    return sorted(seen.values(), key=lambda d: d.date)


def _new_revision() -> None:
    """Replace the token the calendar cache compares. Also serializes calendar changes: the
    row stays locked until the transaction ends."""
    CalendarRevision.objects.update_or_create(
        pk=1, defaults={"token": uuid.uuid4(), "changed_at": timezone.now()}
    )


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) is not None else None


# --- The holiday table ----------------------------------------------------------------------
@transaction.atomic
def calendar_year_publish(
    *,
    actor: Any,
    year: int,
    source: str,
    days: Sequence[DayIn],
    published_on: dt.date | None = None,
) -> CalendarYear:
    """Enter a year's holiday arrangement, or replace the one entered: ``days`` lists every
    holiday (including the weekend days inside a holiday period) and every make-up workday of
    the year; the other days follow the ordinary week."""
    _require_admin(actor)
    _check_year(year)
    source = _clean_source(source)
    cleaned = _check_days(year, days)
    _new_revision()
    entry = CalendarYear.objects.select_for_update().filter(year=year).first()
    replaced = entry is not None
    if entry is None:
        entry = CalendarYear(year=year)
    entry.source = source
    entry.published_on = published_on
    entry.entered_by = _user_or_none(actor)
    entry.save()
    CalendarDay.objects.filter(year=entry).delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(year=entry, date=d.date, kind=d.kind, name=d.name) for d in cleaned]
    )
    holidays = [d for d in cleaned if d.kind == DayKind.HOLIDAY]
    make_up = [d for d in cleaned if d.kind == DayKind.MAKE_UP_WORKDAY]
    payload: dict[str, Any] = {
        "year": year,
        "source": source,
        "replaced": replaced,
        "holiday_count": len(holidays),
        "make_up_count": len(make_up),
        "holidays": [{"date": d.date.isoformat(), "name": d.name} for d in holidays],
        "make_up_workdays": [{"date": d.date.isoformat(), "name": d.name} for d in make_up],
    }
    if published_on is not None:
        payload["published_on"] = published_on.isoformat()
    ledger_append(actor=_user_or_none(actor), event=events.CALENDAR_YEAR_PUBLISHED,
                  payload=payload, stream=events.STREAM)
    hooks.calendar_changed({year}, _user_or_none(actor))
    return entry


@transaction.atomic
def calendar_day_set(*, actor: Any, date: dt.date, kind: str, name: str = "") -> CalendarDay:
    """Make one date of an entered year a holiday or a make-up workday (a correction after
    the year was entered, e.g. a holiday added by a later notice)."""
    _require_admin(actor)
    day = _check_day(DayIn(date=date, kind=kind, name=name))
    entry = CalendarYear.objects.select_for_update().filter(year=day.date.year).first()
    if entry is None:
        raise InvalidInput(
            _("Enter the holiday arrangement of %(year)s first; a single day of a year "
              "without data cannot be set.") % {"year": str(day.date.year)},
            code="calendar_year_missing", detail=day.date.year,
        )
    existing = CalendarDay.objects.filter(date=day.date).first()
    previous_kind = existing.kind if existing is not None else ""
    if existing is not None and existing.kind == day.kind and existing.name == day.name:
        return existing
    _new_revision()
    row, _created = CalendarDay.objects.update_or_create(
        date=day.date, defaults={"year": entry, "kind": day.kind, "name": day.name}
    )
    entry.entered_by = _user_or_none(actor)
    entry.save(update_fields=["entered_by", "updated_at"])
    event = (events.HOLIDAY_SET if day.kind == DayKind.HOLIDAY
             else events.MAKE_UP_WORKDAY_SET)
    ledger_append(
        actor=_user_or_none(actor), event=event, stream=events.STREAM,
        payload={"date": day.date.isoformat(), "year": day.date.year, "kind": day.kind,
                 "name": day.name, "previous_kind": previous_kind},
    )
    hooks.calendar_changed({day.date.year}, _user_or_none(actor))
    return row


@transaction.atomic
def calendar_day_remove(*, actor: Any, date: dt.date) -> None:
    """Make a holiday or make-up workday an ordinary day again."""
    _require_admin(actor)
    row = CalendarDay.objects.select_related("year").filter(date=date).first()
    if row is None:
        raise NotFound(
            _("%(date)s is not in the holiday table.") % {"date": date.isoformat()},
            code="calendar_day_not_found", detail=date.isoformat(),
        )
    _new_revision()
    entry = row.year
    payload = {"date": date.isoformat(), "year": date.year, "kind": row.kind,
               "name": row.name}
    row.delete()
    entry.entered_by = _user_or_none(actor)
    entry.save(update_fields=["entered_by", "updated_at"])
    ledger_append(actor=_user_or_none(actor), event=events.CALENDAR_DAY_REMOVED,
                  payload=payload, stream=events.STREAM)
    hooks.calendar_changed({date.year}, _user_or_none(actor))


# --- Deadline rules -------------------------------------------------------------------------
@transaction.atomic
def deadline_rule_update(
    *, actor: Any, rule: DeadlineRule, n: int, unit: str, source: str
) -> DeadlineRule:
    """Change a rule's length, unit or source (e.g. a province sets its review period).
    Deadlines already stored are not changed here; ``hooks.on_deadline_rule_changed`` tells
    whoever stores them."""
    _require_admin(actor)
    check_period(n, unit)
    source = _clean_source(source, max_length=DeadlineRule._meta.get_field("source").max_length
                           or 300)
    locked = DeadlineRule.objects.select_for_update().get(pk=rule.pk)
    if (locked.n, locked.unit, locked.source) == (n, unit, source):
        return locked
    _new_revision()
    # The ledger keeps the period as people read it, in the installation's language.
    with translation.override(settings.LANGUAGE_CODE):
        old_period, new_period = period_text(locked.n, locked.unit), period_text(n, unit)
    payload = {
        "code": locked.code, "name": locked.name,
        "old_n": locked.n, "old_unit": locked.unit, "old_source": locked.source,
        "n": n, "unit": unit, "source": source,
        "old_period": old_period, "period": new_period,
    }
    locked.n, locked.unit, locked.source = n, Unit(unit).value, source
    locked.save(update_fields=["n", "unit", "source", "updated_at"])
    ledger_append(actor=_user_or_none(actor), event=events.DEADLINE_RULE_UPDATED,
                  payload=payload, stream=events.STREAM)
    hooks.deadline_rule_changed(locked.code, _user_or_none(actor))
    rule.n, rule.unit, rule.source, rule.updated_at = (
        locked.n, locked.unit, locked.source, locked.updated_at)
    return locked
