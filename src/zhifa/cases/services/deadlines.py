"""A case's deadlines: started and met by actions, recomputed when pauses change or when a
year's holiday calendar is entered (provisional deadlines become final)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

from zhifa.ledger.services import ledger_append
from zhifa.workdays.calendar import deadline_for

from ..events import DEADLINE_RECOMPUTED
from ..models import Case, CaseDeadline, DeadlineState
from ..procedures import Procedure, procedure_get


def _rule_label(rule: str) -> tuple[str, str]:
    from zhifa.workdays.calendar import rule_get

    view = rule_get(rule)  # the calendar's cached table (one query checks it is current)
    return view.name, view.source


def pauses_of(case: Case, *, today: dt.date | None = None) -> list[tuple[dt.date, dt.date]]:
    """Paused intervals; an open pause runs until today (its deadline keeps moving until the
    case resumes)."""
    today = today or timezone.localdate()
    out = []
    for p in case.pauses.all():
        last = p.last_day if p.last_day is not None else today
        if last >= p.first_day:
            out.append((p.first_day, last))
    return out


def deadline_start(case: Case, proc: Procedure, rule: str, start: dt.date) -> CaseDeadline:
    # a rule restarts when it starts again (e.g. a new prior notice): the old one is cancelled
    CaseDeadline.objects.filter(case=case, rule_code=rule, state=DeadlineState.RUNNING).update(
        state=DeadlineState.CANCELLED)
    pauses = pauses_of(case) if rule in proc.pausable else []
    due = deadline_for(rule=rule, start=start, pauses=pauses)
    label, source = _rule_label(rule)
    return CaseDeadline.objects.create(
        case=case, rule_code=rule, label=label, source=due.source or source, start=start,
        due=due.due, provisional=due.provisional,
    )


def deadline_refresh(d: CaseDeadline, case: Case, proc: Procedure,
                     pauses: list[tuple[dt.date, dt.date]] | None = None) -> bool:
    """Recompute one deadline; True when its due date or provisional flag changed.
    ``pauses``: the case's paused intervals when the caller has already read them."""
    if d.rule_code not in proc.pausable:
        pauses = []
    elif pauses is None:
        pauses = pauses_of(case)
    due = deadline_for(rule=d.rule_code, start=d.start, pauses=pauses, extra=d.extra)
    changed = (due.due, due.provisional) != (d.due, d.provisional)
    d.due, d.provisional = due.due, due.provisional
    d.save(update_fields=["due", "provisional", "extra"])
    return changed


def deadlines_refresh_pausable(case: Case, proc: Procedure) -> None:
    pauses = pauses_of(case)
    for d in case.deadlines.filter(state=DeadlineState.RUNNING, rule_code__in=proc.pausable):
        deadline_refresh(d, case, proc, pauses)


def recompute_for_years(years: set[int], actor: Any) -> int:
    """The ``workdays`` calendar hook: running deadlines that were provisional, or whose span
    touches a changed year, are computed again; each change is a ledger entry of its case."""
    if not years:
        return 0
    low, high = dt.date(min(years), 1, 1), dt.date(max(years), 12, 31)
    qs = (CaseDeadline.objects.filter(state=DeadlineState.RUNNING)
          .filter(_provisional_or_span(low, high))
          .select_related("case", "case__body"))
    changed = 0
    for d in qs:
        case = d.case
        proc = procedure_get(case.procedure, body=case.body)
        before = d.due
        if deadline_refresh(d, case, proc):
            changed += 1
            ledger_append(actor=actor, event=DEADLINE_RECOMPUTED, stream=case.stream,
                          body=case.body, payload={
                              "case": case.number, "rule": d.rule_code, "label": d.label,
                              "before": before, "due": d.due, "provisional": d.provisional,
                          })
    return changed


def _provisional_or_span(low: dt.date, high: dt.date) -> Q:
    return Q(provisional=True) | Q(start__lte=high, due__gte=low)


def provisional_count() -> int:
    return CaseDeadline.objects.filter(state=DeadlineState.RUNNING, provisional=True).count()


def _on_calendar_changed(years: set[int], actor: Any) -> None:
    recompute_for_years(years, actor)


def register_calendar_hooks() -> None:
    from zhifa.workdays import hooks

    hooks.on_calendar_changed(_on_calendar_changed)
    hooks.register_provisional_counter(provisional_count)
