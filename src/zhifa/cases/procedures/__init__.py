"""The procedure registry: built-in statutory procedures and agencies' own ones."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput

from .base import Action, DefinitionError, Field, Procedure, Stage, parse_procedure
from .other import COERCIVE, GENERIC, INSPECTION, LICENSING
from .penalty import GENERAL, SUMMARY

if TYPE_CHECKING:
    from zhifa.orgs.models import EnforcementBody

__all__ = [
    "BUILTIN",
    "Action",
    "DefinitionError",
    "Field",
    "Procedure",
    "Stage",
    "builtin_codes",
    "parse",
    "procedure_from_row",
    "procedure_get",
]

BUILTIN: dict[str, dict[str, Any]] = {
    str(p["code"]): p for p in (SUMMARY, GENERAL, COERCIVE, INSPECTION, LICENSING, GENERIC)
}


def parse(raw: dict[str, Any], *, known_rules: set[str] | None = None) -> Procedure:
    from ..effects import EFFECTS
    from ..guards import GUARDS

    return parse_procedure(raw, known_guards=set(GUARDS), known_effects=set(EFFECTS),
                           known_rules=known_rules)


@cache
def _builtin(code: str) -> Procedure:
    return parse(BUILTIN[code])


def builtin_codes() -> list[str]:
    return list(BUILTIN)


def procedure_get(code: str, *, body: EnforcementBody | None = None,
                  active_only: bool = False) -> Procedure:
    """The definition a case runs on: a built-in procedure, or the body's own (custom)
    procedure with that code. A deactivated custom procedure still runs its open cases;
    ``active_only`` (opening a case) refuses it."""
    if code in BUILTIN:
        return _builtin(code)
    from ..models import CustomProcedure

    custom = None
    if body is not None:
        rows = CustomProcedure.objects.filter(body=body, code=code)
        custom = (rows.filter(active=True) if active_only else rows).first()
    if custom is None:
        raise InvalidInput(_("Unknown procedure."), code="procedure_unknown")
    return procedure_from_row(custom)


def procedure_from_row(row: Any) -> Procedure:
    """A custom procedure already read (no second query)."""
    return _parse_custom(row.pk, row.updated_at.isoformat(), row.definition_with_code())


@cache
def _parse_custom(pk: int, stamp: str, raw: Any) -> Procedure:
    # keyed by the row's update stamp so an edited definition is parsed again
    return parse(_thaw(raw))


def _thaw(raw: Any) -> Any:
    if isinstance(raw, tuple) and raw and raw[0] == "__dict__":
        return {k: _thaw(v) for k, v in raw[1]}
    if isinstance(raw, tuple):
        return [_thaw(v) for v in raw]
    return raw
