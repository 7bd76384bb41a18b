"""Recording coverage (执法全过程记录, 国办发〔2018〕118号): which steps are recorded on audio and
video, and whether the recordings cover them.

- The recorded-matters list (音像记录事项清单, ``RecordedMatter``) names steps by procedure and
  action, with conditions on the step's data (``when``) and a requirement: in full
  (mandatory) or as circumstances require. A body's own lines for a step replace the
  installation's default lines (body empty) for that step; an inactive own line thus removes
  a default. Sealing up, impoundment and forced demolition are recorded in full whatever the
  lists say (``zhifa.cases.hooks.FULL_RECORDING``).
- A step states its on-site interval (``onsite_from`` / ``onsite_until``). The union of the
  case's recordings — audio/video files still stored, of items not withdrawn, whose start is
  known and whose end is given or follows from the analysed duration — must cover it, with no
  gap longer than ``settings.ZHIFA_AV_GAP_TOLERANCE_SECONDS``.
- ``av_recorded`` is the guard hook (registered by ``hooks.register_case_hooks``): a mandatory
  step whose recordings do not cover it is refused, naming the uncovered times; an as-needed
  step that names the hook only gets a warning.

``uncovered`` is the algorithm, a pure function; ``MatterBook`` resolves the lists.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from zhifa.cases.fields import local, onsite_interval
from zhifa.cases.hooks import FULL_RECORDING, FULL_RECORDING_SOURCE, interval_missing, when_matches

from .models import AvRecord, FileState, ItemState, RecordedMatter, Requirement

if TYPE_CHECKING:
    from zhifa.cases.guards import GuardContext, Refusal

Span = tuple[dt.datetime, dt.datetime]


# --- The algorithm -----------------------------------------------------------------------------
def record_span(started_at: dt.datetime | None, ended_at: dt.datetime | None,
                duration_ms: int | None) -> Span | None:
    """The time a recording covers: its start to its end, or to start + duration when the
    end was not given; None when either is unknown (or the end is not after the start)."""
    if started_at is None:
        return None
    end = ended_at
    if end is None and duration_ms:
        end = started_at + dt.timedelta(milliseconds=duration_ms)
    if end is None or end <= started_at:
        return None
    return started_at, end


def uncovered(target: Span, spans: Iterable[Span],
              tolerance: dt.timedelta = dt.timedelta(0)) -> list[Span]:
    """The parts of ``target`` that the union of ``spans`` leaves uncovered, in order, except
    gaps no longer than ``tolerance`` — but a target that no span touches is uncovered
    whatever the tolerance. Touching spans leave no gap; spans outside the target are
    ignored."""
    start, end = target
    cursor = start
    gaps: list[Span] = []
    for s, e in sorted(spans):
        if e <= cursor:
            continue
        if s >= end:
            break
        if s > cursor:
            gaps.append((cursor, s))
        cursor = e
        if cursor >= end:
            break
    if cursor < end:
        gaps.append((cursor, end))
    if gaps == [target]:
        return gaps
    return [(s, e) for s, e in gaps if e - s > tolerance]


def overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def tolerance() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "ZHIFA_AV_GAP_TOLERANCE_SECONDS", 0) or 0)


def span_text(span: Span, day: dt.date | None = None) -> str:
    """"09:30:00–10:40:00" in local time; a moment on another day than ``day`` (the step's)
    shows its date too."""
    def moment(m: dt.datetime) -> str:
        m = local(m)
        return m.strftime("%H:%M:%S" if day is None or m.date() == day else "%Y-%m-%d %H:%M:%S")
    return f"{moment(span[0])}–{moment(span[1])}"


# --- The recorded-matters lists -------------------------------------------------------------------
@dataclass(frozen=True)
class MatterRule:
    matter: str
    procedure: str
    action: str
    when: Mapping[str, Any]
    requirement: str
    source: str = ""
    body_id: int | None = None
    line_id: uuid.UUID | None = None  # the list line's public id; None: the statutory floor
    active: bool = True

    @property
    def mandatory(self) -> bool:
        return self.requirement == Requirement.MANDATORY

    @property
    def statutory(self) -> bool:
        return self.line_id is None


STATUTORY: tuple[MatterRule, ...] = tuple(
    MatterRule(matter=m["matter"], procedure=m["procedure"], action=m["action"],
               when=m["when"], requirement=Requirement.MANDATORY, source=FULL_RECORDING_SOURCE)
    for m in FULL_RECORDING)


def rule_of(row: RecordedMatter) -> MatterRule:
    return MatterRule(matter=row.matter, procedure=row.procedure, action=row.action,
                      when=row.when or {}, requirement=row.requirement, source=row.source,
                      body_id=row.body_id, line_id=row.public_id, active=row.active)


class MatterBook:
    """The lines of some bodies' lists and the installation's defaults, read once."""

    def __init__(self, rows: Iterable[RecordedMatter]) -> None:
        self._lines: dict[tuple[int | None, str, str], list[MatterRule]] = defaultdict(list)
        for row in rows:
            self._lines[(row.body_id, row.procedure, row.action)].append(rule_of(row))

    def lines_for(self, body_id: int | None, procedure: str, action: str) -> list[MatterRule]:
        """The active lines that apply to a step of ``body_id``: its own if it has any for the
        step (active or not), else the installation's."""
        own = self._lines.get((body_id, procedure, action))
        lines = own if own is not None else self._lines.get((None, procedure, action), [])
        return [r for r in lines if r.active]

    def match(self, body_id: int, procedure: str, action: str,
              data: Mapping[str, Any]) -> MatterRule | None:
        """The line a step falls under: a mandatory one before an as-needed one, a list's line
        before the statutory floor; None when the step is not on the list."""
        found = [r for r in self.lines_for(body_id, procedure, action)
                 if when_matches(r.when, data)]
        found += [r for r in STATUTORY if (r.procedure, r.action) == (procedure, action)
                  and when_matches(r.when, data)]
        return next((r for r in found if r.mandatory), found[0] if found else None)

    def in_force(self, body_id: int | None) -> list[MatterRule]:
        """The list a body works to (None: the installation's default list), step by step."""
        steps = sorted({(p, a) for (b, p, a) in self._lines if b is None or b == body_id})
        return [r for p, a in steps for r in self.lines_for(body_id, p, a)]

    def steps_named(self) -> set[tuple[str, str]]:
        """Every (procedure, action) some active line or the statutory floor names."""
        named = {(p, a) for (_b, p, a), rules in self._lines.items()
                 if any(r.active for r in rules)}
        return named | {(r.procedure, r.action) for r in STATUTORY}


def matters_for(body_ids: Iterable[int]) -> QuerySet[RecordedMatter]:
    return RecordedMatter.objects.filter(Q(body_id__in=list(body_ids)) | Q(body__isnull=True))


def matter_book(body_ids: Iterable[int], *, procedure: str | None = None,
                action: str | None = None) -> MatterBook:
    qs = matters_for(body_ids)
    if procedure is not None:
        qs = qs.filter(procedure=procedure)
    if action is not None:
        qs = qs.filter(action=action)
    return MatterBook(qs)


# --- The case's recordings ----------------------------------------------------------------------
@dataclass(frozen=True)
class Recording:
    file_id: int
    public_id: uuid.UUID
    filename: str
    case_id: int
    item_seq: int
    started_at: dt.datetime | None
    span: Span | None  # None: start or end unknown, so it covers nothing (yet)


def recordings(cases: Iterable[int] | QuerySet[Any]) -> dict[int, list[Recording]]:
    """The audio/video recordings of the cases (ids, or a query of ids: one query either
    way), by case, in order of start. Files disposed of and items withdrawn do not count."""
    rows = (AvRecord.objects
            .filter(file__case_id__in=cases, file__state=FileState.ACTIVE,
                    file__item__state=ItemState.ACTIVE)
            .order_by("started_at", "file_id")
            .values_list("file_id", "file__public_id", "file__filename", "file__case_id",
                         "file__item__seq", "started_at", "ended_at", "duration_ms"))
    out: dict[int, list[Recording]] = defaultdict(list)
    for file_id, public_id, filename, case_id, seq, start, end, duration in rows:
        out[case_id].append(Recording(
            file_id=file_id, public_id=public_id, filename=filename, case_id=case_id,
            item_seq=seq, started_at=start, span=record_span(start, end, duration)))
    return out


# --- The guard hook ------------------------------------------------------------------------------
# The code of the warning on an as-needed step (also set as a flag on the case, as every
# warning is).
AS_NEEDED_WARNING = "av_as_needed_uncovered"


def av_recorded(ctx: GuardContext) -> list[Refusal]:
    """The ``av_recorded`` guard: a step the list says is recorded in full needs its on-site
    interval and recordings covering it; an as-needed step gets a warning when recordings
    cover only part of its interval, or none of it."""
    case, code, action = ctx.case, ctx.procedure.code, ctx.action.code
    rule = matter_book([case.body_id], procedure=code, action=action).match(
        case.body_id, code, action, ctx.data)
    if rule is None:
        return []
    interval = onsite_interval(ctx.data)
    if interval is None:
        return [interval_missing(rule.matter)] if rule.mandatory else []
    found = recordings([case.pk]).get(case.pk, [])
    spans = [r.span for r in found if r.span is not None]
    gaps = uncovered(interval, spans, tolerance())
    if not gaps:
        return []
    return [_refusal(rule, interval, gaps, unknown=len(found) - len(spans),
                     day=ctx.data.get("acted_on"))]


def _refusal(rule: MatterRule, interval: Span, gaps: list[Span], *, unknown: int,
             day: Any) -> Refusal:
    from zhifa.cases.guards import Refusal

    day = day if isinstance(day, dt.date) else local(interval[0]).date()
    texts = {"matter": rule.matter, "interval": span_text(interval, day),
             "gaps": "、".join(span_text(g, day) for g in gaps)}
    nothing = gaps == [interval]  # no part of the interval is covered
    if rule.mandatory and nothing:
        code = "av_missing"
        message = _("“%(matter)s” must be recorded on audio and video in full, but no recording "
                    "of this case covers the time on site (%(interval)s).") % texts
    elif rule.mandatory:
        code = "av_not_covering"
        message = _("“%(matter)s” must be recorded on audio and video in full, but the "
                    "recordings of this case leave %(gaps)s of the time on site "
                    "(%(interval)s) uncovered.") % texts
    elif nothing:
        code = AS_NEEDED_WARNING
        message = _("“%(matter)s” is recorded as circumstances require: no recording of this "
                    "case covers the time on site (%(interval)s).") % texts
    else:
        code = AS_NEEDED_WARNING
        message = _("“%(matter)s” is recorded as circumstances require: the recordings of "
                    "this case leave %(gaps)s of the time on site (%(interval)s) "
                    "uncovered.") % texts
    if unknown:
        message += " " + _("%(count)d recording(s) of this case have no known start or end "
                           "yet (being analysed, or the times were not entered).") % {
            "count": unknown}
    detail = {"matter": rule.matter, "interval": [local(m).isoformat() for m in interval],
              "uncovered": [[local(s).isoformat(), local(e).isoformat()] for s, e in gaps],
              "tolerance_seconds": int(tolerance().total_seconds())}
    return Refusal(code, message, rule.source or FULL_RECORDING_SOURCE,
                   blocking=rule.mandatory, detail=detail)
