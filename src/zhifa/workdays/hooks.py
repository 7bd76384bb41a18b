"""Registries through which higher layers react to the calendar (workdays cannot import them).

- ``on_calendar_changed(callback)``: ``callback(years, actor)`` runs inside the transaction of
  every calendar change, with the set of years whose days changed; cases recompute the
  deadlines that touch those years (a provisional deadline becomes final when its year is
  entered). An exception in a callback rolls the calendar change back.
- ``on_deadline_rule_changed(callback)``: ``callback(code, actor)`` inside the transaction of a
  rule change. Whether deadlines already set follow the new rule is the caller's decision.
- ``register_provisional_counter(fn)``: ``fn()`` returns how many stored deadlines are
  provisional; the admin's calendar page shows the sum.

Registration is idempotent (``AppConfig.ready`` may run more than once in tests).
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from zhifa.orgs.models import User

CalendarCallback = Callable[[set[int], "User | None"], None]
RuleCallback = Callable[[str, "User | None"], None]
ProvisionalCounter = Callable[[], int]

F = TypeVar("F", bound=Callable[..., Any])

_calendar_changed: list[CalendarCallback] = []
_rule_changed: list[RuleCallback] = []
_provisional_counters: list[ProvisionalCounter] = []


def _register(registry: list[Any], fn: F) -> F:
    if fn not in registry:
        registry.append(fn)
    return fn


def on_calendar_changed(callback: CalendarCallback) -> CalendarCallback:
    """Register ``callback(years, actor)``; usable as a decorator."""
    return _register(_calendar_changed, callback)


def on_deadline_rule_changed(callback: RuleCallback) -> RuleCallback:
    """Register ``callback(code, actor)``; usable as a decorator."""
    return _register(_rule_changed, callback)


def register_provisional_counter(fn: ProvisionalCounter) -> ProvisionalCounter:
    """Register ``fn() -> int``; usable as a decorator."""
    return _register(_provisional_counters, fn)


def calendar_changed(years: set[int], actor: "User | None") -> None:
    """Called by ``workdays.services`` inside the change's transaction."""
    for callback in list(_calendar_changed):
        callback(set(years), actor)


def deadline_rule_changed(code: str, actor: "User | None") -> None:
    for callback in list(_rule_changed):
        callback(code, actor)


def provisional_count() -> int | None:
    """The number of provisional deadlines reported by the registered counters, or ``None``
    when nothing is registered (nothing stores deadlines yet)."""
    if not _provisional_counters:
        return None
    return sum(fn() for fn in list(_provisional_counters))
