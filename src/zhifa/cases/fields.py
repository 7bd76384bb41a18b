"""Turn the raw values of an action's form or API payload into typed, checked data.

Money arrives in yuan ("5000", "5000.50") and is kept in fen; dates arrive as ISO strings.
Every problem is collected and reported at once with the field's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput
from zhifa.core.money import yuan_to_fen

from .procedures import Action

MAX_TEXT = 20_000
MAX_FEN = 10**15  # ten trillion yuan: far above any fine, well inside a 64-bit column


def clean_action_data(action: Action, raw: Mapping[str, Any], *, today: dt.date) -> dict[str, Any]:
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
        if isinstance(value, dt.date) and name != "acted_on" and value > today and name not in {
            "hearing_on", "until", "valid_until", "correct_by"
        }:
            errors[name] = _("This date cannot be in the future.")
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


def to_json(data: Mapping[str, Any]) -> dict[str, Any]:
    """Typed data back to JSON-safe values (dates as ISO strings)."""
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()}
