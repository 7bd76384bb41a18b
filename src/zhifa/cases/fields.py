"""Turn the raw values of an action's form or API payload into typed, checked data.

Money arrives in yuan ("5000", "5000.50") and is kept in fen; dates arrive as ISO strings,
moments (``datetime``) as ISO 8601 date and time, naive meaning the installation's local time.
Every problem is collected and reported at once with the field's name.

A step done on site can state when it started and ended there (``onsite_from`` and
``onsite_until``): the audio/video recordings of a step that must be recorded in full are
checked against that interval (the ``av_recorded`` guard hook).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput
from zhifa.core.money import yuan_to_fen

from .procedures import Action

MAX_TEXT = 20_000
MAX_FEN = 10**15  # ten trillion yuan: far above any fine, well inside a 64-bit column
# Dates that may lie ahead of the step (a hearing date, a new final date, …).
AHEAD = {"hearing_on", "until", "valid_until", "correct_by"}
# The on-site interval of a step: when the officers started and finished on site.
ONSITE_FROM, ONSITE_UNTIL = "onsite_from", "onsite_until"
MAX_ONSITE = dt.timedelta(hours=24)


def clean_action_data(action: Action, raw: Mapping[str, Any], *, today: dt.date,
                      now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    unknown = set(raw) - {f.name for f in action.fields}
    for name in sorted(unknown):
        errors[name] = _("Unknown field.")
    for f in action.fields:
        value = raw.get(f.name)
        if isinstance(value, str):
            value = value.strip()
        empty = value is None or value == "" or value == [] or (f.kind == "bool" and value is False)
        if f.name == "acted_on" and empty:
            value, empty = today.isoformat(), False
        if empty:
            if f.required and f.kind != "bool":
                errors[f.name] = _("This field is required.")
            elif f.kind == "bool":
                data[f.name] = False
            continue
        try:
            data[f.name] = _clean_one(f.kind, value, f.choice_values())
        except ValueError as exc:
            errors[f.name] = str(exc)
            continue
        if f.kind == "checklist" and set(data[f.name]) != f.choice_values():
            missing = [str(c.label) for c in f.choices if c.value not in data[f.name]]
            errors[f.name] = _("Every step must be done and ticked: %(steps)s") % {
                "steps": "；".join(missing)}
    acted_on = data.get("acted_on")
    if isinstance(acted_on, dt.date) and acted_on > today:
        errors["acted_on"] = _("A step cannot be recorded in the future.")
    for name, value in data.items():
        if isinstance(value, dt.datetime):
            if value > now and name not in AHEAD:
                errors[name] = _("This time cannot be in the future.")
        elif isinstance(value, dt.date) and name != "acted_on" and value > today \
                and name not in AHEAD:
            errors[name] = _("This date cannot be in the future.")
    if {ONSITE_FROM, ONSITE_UNTIL} <= {f.name for f in action.fields}:
        _check_onsite(data, errors)
    if errors:
        raise InvalidInput(_("Please correct the highlighted fields."), code="invalid_fields",
                           detail=errors)
    return data


def _clean_one(kind: str, value: Any, choices: set[str]) -> Any:
    if kind in {"text", "textarea"}:
        if not isinstance(value, str):
            raise ValueError(_("Enter text."))
        if "\x00" in value or len(value) > MAX_TEXT:
            raise ValueError(_("The text is too long or contains invalid characters."))
        if kind == "text" and ("\n" in value or len(value) > 500):
            raise ValueError(_("Enter one line of at most 500 characters."))
        return value
    if kind == "date":
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise ValueError(_("Enter a date such as 2026-03-01.")) from None
    if kind == "datetime":
        try:
            return parse_local_datetime(value)
        except ValueError:
            raise ValueError(_("Enter a date and time such as 2026-03-01 09:30.")) from None
    if kind == "money":
        if not isinstance(value, str):
            raise ValueError(_("Enter the amount in yuan as text, e.g. \"5000\"."))
        try:
            fen = yuan_to_fen(str(value))
        except Exception:
            raise ValueError(_("Enter an amount in yuan, e.g. 5000 or 5000.50.")) from None
        if fen < 0:
            raise ValueError(_("The amount cannot be negative."))
        if fen > MAX_FEN:
            raise ValueError(_("The amount is too large."))
        return fen
    if kind == "int":
        try:
            number = int(str(value))
        except ValueError:
            raise ValueError(_("Enter a whole number.")) from None
        if abs(number) > 2**31 - 1:
            raise ValueError(_("The number is too large."))
        return number
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if str(value).lower() in {"1", "true", "on", "yes"}:
            return True
        if str(value).lower() in {"0", "false", "off", "no"}:
            return False
        raise ValueError(_("Enter yes or no."))
    if kind == "choice":
        if str(value) not in choices:
            raise ValueError(_("Select a valid choice."))
        return str(value)
    if kind in {"multichoice", "checklist"}:
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ValueError(_("Select valid choices."))
        if set(values) - choices:
            raise ValueError(_("Select valid choices."))
        return sorted(set(values), key=values.index)
    raise ValueError(kind)


def _check_onsite(data: dict[str, Any], errors: dict[str, str]) -> None:
    """Both ends or neither; the start on the date of the step, the end after it. An
    operation that runs past midnight may end the next day, within 24 hours."""
    if ONSITE_FROM in errors or ONSITE_UNTIL in errors:
        return
    start, end = data.get(ONSITE_FROM), data.get(ONSITE_UNTIL)
    if start is None and end is None:
        return
    if start is None or end is None:
        errors[ONSITE_FROM if start is None else ONSITE_UNTIL] = _(
            "Enter both when the on-site step started and when it ended.")
        return
    day = data.get("acted_on")
    if isinstance(day, dt.date) and local(start).date() != day:
        errors[ONSITE_FROM] = _("The on-site step must start on the date of the step "
                                "(%(day)s).") % {"day": day.isoformat()}
    if end <= start:
        errors[ONSITE_UNTIL] = _("The on-site step must end after it started.")
    elif end - start > MAX_ONSITE:
        errors[ONSITE_UNTIL] = _("An on-site step lasts at most 24 hours: record a longer "
                                 "operation as several steps.")


def local(moment: dt.datetime) -> dt.datetime:
    """A moment in the installation's time zone (``TIME_ZONE``)."""
    return moment.astimezone(timezone.get_default_timezone())


def parse_local_datetime(value: Any) -> dt.datetime:
    """An aware datetime from a datetime or an ISO 8601 text with a time (a date alone is
    refused); naive means the installation's local time. Raises ``ValueError``."""
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        text = str(value).strip()
        if len(text) <= 10:
            raise ValueError(text)
        parsed = dt.datetime.fromisoformat(text)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


def onsite_interval(data: Mapping[str, Any]) -> tuple[dt.datetime, dt.datetime] | None:
    """The on-site interval of a step's data (typed, or as stored in JSON), or None when it
    was not given in full."""
    start, end = data.get(ONSITE_FROM), data.get(ONSITE_UNTIL)
    if not start or not end:
        return None
    try:
        start, end = parse_local_datetime(start), parse_local_datetime(end)
    except (TypeError, ValueError):
        return None
    return (start, end) if end > start else None


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return (local(value) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def to_json(data: Mapping[str, Any]) -> dict[str, Any]:
    """Typed data back to JSON-safe values (dates and moments as ISO strings, moments with
    the local offset)."""
    return {k: _json_value(v) for k, v in data.items()}
