"""The event registry: every ledger entry carries a stable numeric event code.

Codes are never reused or renumbered (they are inside the hashed leaf data). Ranges:
1000–1999 orgs, 2000–2999 catalog, 3000–3999 workdays, 4000–4999 cases, 5000 evidence,
6000 documents, 7000 reviews, 8000 disclosure, 9000–9999 ledger and system.

Each app declares its events in its own ``<app>/events.py``, imported from its
``AppConfig.ready()``; the template is a lazy English msgid with ``str.format`` fields taken
from the entry's payload, translated in the owning app's ``.po``.
"""

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CODE_MIN, CODE_MAX = 1000, 9999
_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


@dataclass(frozen=True)
class EventType:
    code: int
    name: str  # dotted, e.g. "case.created"
    template: Promise  # gettext_lazy msgid with str.format fields from the payload


class EventRegistry:
    def __init__(self) -> None:
        self._by_code: dict[int, EventType] = {}
        self._by_name: dict[str, EventType] = {}

    def register(self, code: int, name: str, template: Promise) -> EventType:
        if type(code) is not int or not CODE_MIN <= code <= CODE_MAX:
            raise ValueError(f"event code {code!r} is not an integer in {CODE_MIN}–{CODE_MAX}")
        if not _NAME.match(name):
            raise ValueError(f"event name {name!r} is not dotted lowercase (e.g. 'case.created')")
        if code in self._by_code:
            raise ValueError(f"event code {code} is already registered as "
                             f"{self._by_code[code].name!r}")
        if name in self._by_name:
            raise ValueError(f"event name {name!r} is already registered with code "
                             f"{self._by_name[name].code}")
        event = EventType(code=code, name=name, template=template)
        self._by_code[code] = event
        self._by_name[name] = event
        return event

    def get(self, code: int) -> EventType:
        try:
            return self._by_code[code]
        except KeyError:
            raise LookupError(f"no event with code {code} is registered") from None

    def all(self) -> list[EventType]:
        return sorted(self._by_code.values(), key=lambda e: e.code)


registry = EventRegistry()


def register_event(code: int, name: str, template: Promise) -> EventType:
    """Declare an event; raises ``ValueError`` when the code or the name is taken."""
    return registry.register(code, name, template)


def event_get(code: int) -> EventType:
    """The registered event; raises ``LookupError`` for an unknown code."""
    return registry.get(code)


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def render_event(code: int, payload: Mapping[str, Any]) -> str:
    """The event's template filled from the payload, in the active language. Missing fields
    render empty; an unknown code or a template the payload cannot fill still renders
    something, because a timeline must never fail on an old entry."""
    try:
        template = str(event_get(code).template)
    except LookupError:
        return f"#{code}"
    try:
        return string.Formatter().vformat(template, (), _Lenient(payload))
    except (ValueError, TypeError, AttributeError, IndexError, KeyError):
        return template


# --- The ledger's own events ---------------------------------------------------------------
CHECKPOINT_SIGNED = register_event(
    9000, "ledger.checkpoint_signed", _("Checkpoint signed at tree size {tree_size}"))
COSIGNATURE_ADDED = register_event(
    9001, "ledger.cosignature_added",
    _("Checkpoint at tree size {tree_size} cosigned by {witness}"))
