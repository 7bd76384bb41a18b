"""Procedures as data: stages, actions (the allowed transitions), their fields, guards,
required documents and evidence, approvals and the deadlines they start and meet.

A procedure is written as plain data (dicts of strings and lists) and parsed into the frozen
dataclasses below, so that the built-in procedures and an agency's own generic procedures
(stored as JSON in ``CustomProcedure``) go through one validator and one engine. Nothing in
the engine branches on a procedure's code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

FIELD_KINDS = {
    "text",  # one line
    "textarea",
    "date",
    "datetime",  # a moment in local time (ISO 8601; naive = the installation's time zone)
    "money",  # yuan in the form, fen in the data
    "int",
    "bool",
    "choice",
    "multichoice",
    "checklist",  # every item must be ticked (e.g. ACL art. 18 on-site steps)
}


class DefinitionError(ValueError):
    """A procedure definition that the engine cannot run."""


@dataclass(frozen=True)
class Choice:
    value: str
    label: str | Promise


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    label: str | Promise
    required: bool = True
    choices: tuple[Choice, ...] = ()
    help: str | Promise = ""

    def choice_values(self) -> set[str]:
        return {c.value for c in self.choices}


@dataclass(frozen=True)
class DeadlineStart:
    """Start the deadline ``rule`` when the action happens; the anchor is the action's date,
    or the date in the field ``anchor`` when it names one (e.g. the service date)."""

    rule: str
    anchor: str = ""
    when: str = ""  # a bool field or a data condition name that must hold, else always


@dataclass(frozen=True)
class Stage:
    code: str
    label: str | Promise
    terminal: bool = False
    # the status the case shows while in this stage: open, closed, archived
    status: str = "open"


@dataclass(frozen=True)
class Action:
    code: str
    label: str | Promise
    sources: tuple[str, ...]  # stages the action is allowed from
    target: str | None = None  # None: the stage does not change
    fields: tuple[Field, ...] = ()
    guards: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()  # documents the step needs (document type codes)
    evidence: tuple[str, ...] = ()  # kinds of evidence the step needs
    approval: bool = False  # goes through the agency's approval ladder
    deciding: bool = False  # makes or signs a decision: never an auxiliary (APL art. 42)
    roles: tuple[str, ...] = ("officer", "head")  # account roles that may start it
    starts: tuple[DeadlineStart, ...] = ()
    meets: tuple[str, ...] = ()  # deadline rules this action completes
    cancels: tuple[str, ...] = ()  # deadline rules that no longer apply
    pause: str = ""  # "start" / "end": pauses the running pausable deadlines
    effect: str = ""  # a named effect in ``cases.effects`` applied after the generic updates
    once: bool = False  # at most once per case
    source: str = ""  # the legal source of the step, shown in the UI
    description: str | Promise = ""


@dataclass(frozen=True)
class Procedure:
    code: str
    label: str | Promise
    category: str  # catalog ItemCategory value
    stages: tuple[Stage, ...]
    actions: tuple[Action, ...]
    initial: str
    source: str = ""
    # deadline rules whose clock stops while the case is suspended
    pausable: tuple[str, ...] = ()
    # deadlines that start when the case is created, from the date it was received
    opening: tuple[str, ...] = ()
    _stage_map: dict[str, Stage] = field(default_factory=dict, compare=False, repr=False)
    _action_map: dict[str, Action] = field(default_factory=dict, compare=False, repr=False)

    def stage(self, code: str) -> Stage:
        try:
            return self._stage_map[code]
        except KeyError:
            raise DefinitionError(f"unknown stage {code!r} in {self.code}") from None

    def action(self, code: str) -> Action | None:
        return self._action_map.get(code)

    def actions_from(self, stage: str) -> list[Action]:
        return [a for a in self.actions if stage in a.sources or "*" in a.sources]


# -- parsing -----------------------------------------------------------------------------

def _as_tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _parse_field(raw: Mapping[str, Any], where: str) -> Field:
    name, kind = raw.get("name"), raw.get("kind", "text")
    if not isinstance(name, str) or not name.isidentifier():
        raise DefinitionError(f"{where}: a field needs an identifier name")
    if kind not in FIELD_KINDS:
        raise DefinitionError(f"{where}.{name}: unknown field kind {kind!r}")
    choices = tuple(
        Choice(value=str(c[0]), label=c[1]) if isinstance(c, Sequence) and not isinstance(c, str)
        else Choice(value=str(c), label=str(c))
        for c in raw.get("choices", ())
    )
    if kind in {"choice", "multichoice", "checklist"} and not choices:
        raise DefinitionError(f"{where}.{name}: a {kind} field needs choices")
    return Field(name=name, kind=kind, label=raw.get("label", name),
                 required=bool(raw.get("required", True)), choices=choices,
                 help=raw.get("help", ""))


def parse_procedure(raw: Mapping[str, Any], *, known_guards: set[str],
                    known_effects: set[str], known_rules: set[str] | None = None) -> Procedure:
    """Check and freeze a procedure definition. ``known_rules`` is None when the deadline
    rule table is not available (e.g. while migrating)."""
    code = raw.get("code")
    if not isinstance(code, str) or not code:
        raise DefinitionError("a procedure needs a code")
    stages = tuple(
        Stage(code=s["code"], label=s.get("label", s["code"]), terminal=bool(s.get("terminal")),
              status=s.get("status", "closed" if s.get("terminal") else "open"))
        for s in raw.get("stages", ())
    )
    stage_codes = [s.code for s in stages]
    if not stages or len(set(stage_codes)) != len(stage_codes):
        raise DefinitionError(f"{code}: stages must be present and unique")
    for s in stages:
        if s.status not in {"open", "closed", "archived"}:
            raise DefinitionError(f"{code}.{s.code}: unknown status {s.status!r}")
    initial = raw.get("initial", stage_codes[0])
    if initial not in stage_codes:
        raise DefinitionError(f"{code}: initial stage {initial!r} is not a stage")
    actions: list[Action] = []
    for a in raw.get("actions", ()):
        where = f"{code}.{a.get('code')}"
        sources = _as_tuple(a.get("from"))
        for s in sources:
            if s != "*" and s not in stage_codes:
                raise DefinitionError(f"{where}: unknown source stage {s!r}")
        target = a.get("to")
        if target is not None and target not in stage_codes:
            raise DefinitionError(f"{where}: unknown target stage {target!r}")
        guards = _as_tuple(a.get("guards"))
        for g in guards:
            if g not in known_guards:
                raise DefinitionError(f"{where}: unknown guard {g!r}")
        effect = a.get("effect", "")
        if effect and effect not in known_effects:
            raise DefinitionError(f"{where}: unknown effect {effect!r}")
        fields = tuple(_parse_field(f, where) for f in a.get("fields", ()))
        names = [f.name for f in fields]
        if len(set(names)) != len(names):
            raise DefinitionError(f"{where}: duplicate field names")
        starts = tuple(
            DeadlineStart(rule=s) if isinstance(s, str)
            else DeadlineStart(rule=s["rule"], anchor=s.get("anchor", ""), when=s.get("when", ""))
            for s in a.get("starts", ())
        )
        rules = [s.rule for s in starts] + list(_as_tuple(a.get("meets"))) + list(
            _as_tuple(a.get("cancels")))
        if known_rules is not None:
            for r in rules:
                if r not in known_rules:
                    raise DefinitionError(f"{where}: unknown deadline rule {r!r}")
        for start in starts:
            if start.anchor and start.anchor not in names:
                raise DefinitionError(
                    f"{where}: deadline anchor {start.anchor!r} is not a field")
        pause = a.get("pause", "")
        if pause not in {"", "start", "end"}:
            raise DefinitionError(f"{where}: pause must be 'start' or 'end'")
        actions.append(Action(
            code=a["code"], label=a.get("label", a["code"]), sources=sources, target=target,
            fields=fields, guards=guards, documents=_as_tuple(a.get("documents")),
            evidence=_as_tuple(a.get("evidence")), approval=bool(a.get("approval")),
            deciding=bool(a.get("deciding")),
            roles=_as_tuple(a.get("roles", ("officer", "head"))), starts=starts,
            meets=_as_tuple(a.get("meets")), cancels=_as_tuple(a.get("cancels")), pause=pause,
            effect=effect, once=bool(a.get("once")), source=a.get("source", ""),
            description=a.get("description", ""),
        ))
    action_codes = [a.code for a in actions]
    if len(set(action_codes)) != len(action_codes):
        raise DefinitionError(f"{code}: duplicate action codes")
    proc = Procedure(
        code=code, label=raw.get("label", code), category=raw.get("category", "other"),
        stages=stages, actions=tuple(actions), initial=initial, source=raw.get("source", ""),
        pausable=_as_tuple(raw.get("pausable")),
        opening=_as_tuple(raw.get("starts")),
    )
    if known_rules is not None:
        for r in (*proc.pausable, *proc.opening):
            if r not in known_rules:
                raise DefinitionError(f"{code}: unknown deadline rule {r!r}")
    proc._stage_map.update({s.code: s for s in stages})
    proc._action_map.update({a.code: a for a in actions})
    # every non-terminal stage must have a way out, and every stage must be reachable
    reachable = {initial}
    frontier = [initial]
    while frontier:
        stage = frontier.pop()
        for a in proc.actions_from(stage):
            nxt = a.target or stage
            if nxt not in reachable:
                reachable.add(nxt)
                frontier.append(nxt)
    unreachable = [s for s in stage_codes if s not in reachable]
    if unreachable:
        raise DefinitionError(f"{code}: stages not reachable: {', '.join(unreachable)}")
    for s in stages:
        if not s.terminal and not any(a.target and a.target != s.code
                                      for a in proc.actions_from(s.code)):
            raise DefinitionError(f"{code}: stage {s.code!r} has no way out")
    return proc
