"""Coverage reports: for a case, each of its steps that the recorded-matters list names, with
the requirement, the on-site interval, the recordings that cover it and a status; for an
agency (the bodies a user sees), how many steps recorded in full by requirement were covered.

Statuses: covered (no gap longer than the tolerance); partly (some of the on-site time
covered); not recorded (none of it); not required (an as-needed step that was not recorded);
recorded that day (an as-needed step without an on-site time, while a recording of the case
ran that day); no interval (a step recorded in full that never stated its on-site time —
only possible for steps taken before the check existed). Reads are scoped by the callers' selectors
(``case_get_for_user``, ``visible_bodies``) and take a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from zhifa.cases.fields import local, onsite_interval
from zhifa.cases.models import Case, CaseStep
from zhifa.core.errors import NotFound
from zhifa.orgs.models import EnforcementBody
from zhifa.orgs.permissions import Perm, perms_of
from zhifa.orgs.selectors import visible_bodies

from .coverage import (
    MatterBook,
    MatterRule,
    Recording,
    Span,
    matter_book,
    matters_for,
    overlaps,
    recordings,
    span_text,
    tolerance,
    uncovered,
)
from .models import RecordedMatter

COVERED, PARTLY, NOT_RECORDED = "covered", "partly", "not_recorded"
NOT_REQUIRED, NO_INTERVAL, THAT_DAY = "not_required", "no_interval", "recorded_that_day"
STATUS_LABELS = {
    COVERED: _("Covered"),
    PARTLY: _("Partly covered"),
    NOT_RECORDED: _("Not recorded"),
    NOT_REQUIRED: _("Not required"),
    THAT_DAY: _("Recorded that day"),
    NO_INTERVAL: _("On-site time not given"),
}
RECORDED = {COVERED, PARTLY, THAT_DAY}


@dataclass
class StepCoverage:
    step_id: int
    action: str
    label: str
    acted_on: dt.date
    rule: MatterRule
    interval: Span | None
    status: str
    covering: list[Recording] = field(default_factory=list)
    gaps: list[Span] = field(default_factory=list)

    @property
    def mandatory(self) -> bool:
        return self.rule.mandatory

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def interval_text(self) -> str:
        return span_text(self.interval, self.acted_on) if self.interval else ""

    @property
    def gap_texts(self) -> list[str]:
        return [span_text(g, self.acted_on) for g in self.gaps]


def step_coverage(*, step_id: int, action: str, label: str, acted_on: dt.date,
                  data: Mapping[str, Any], rule: MatterRule, found: list[Recording],
                  tol: dt.timedelta) -> StepCoverage:
    interval = onsite_interval(data)
    row = StepCoverage(step_id=step_id, action=action, label=label, acted_on=acted_on,
                       rule=rule, interval=interval, status=NOT_REQUIRED)
    if interval is None:
        # shown for information: recordings running on the day of the step
        row.covering = [r for r in found if r.span is not None
                        and local(r.span[0]).date() <= acted_on <= local(r.span[1]).date()]
        if rule.mandatory:
            row.status = NO_INTERVAL
        else:
            row.status = THAT_DAY if row.covering else NOT_REQUIRED
        return row
    row.covering = [r for r in found if r.span is not None and overlaps(r.span, interval)]
    row.gaps = uncovered(interval, [r.span for r in found if r.span is not None], tol)
    if not row.gaps:
        row.status = COVERED
    elif row.gaps == [interval]:
        row.status = NOT_RECORDED if rule.mandatory else NOT_REQUIRED
    else:
        row.status = PARTLY
    return row


# --- One case -----------------------------------------------------------------------------------
@dataclass
class CaseCoverage:
    case: Case
    steps: list[StepCoverage]
    recordings: list[Recording]
    tolerance: dt.timedelta

    @property
    def mandatory(self) -> list[StepCoverage]:
        return [s for s in self.steps if s.mandatory]

    @property
    def unknown_times(self) -> list[Recording]:
        return [r for r in self.recordings if r.span is None]


def case_coverage(case: Case) -> CaseCoverage:
    """The case's steps on its body's recorded-matters list (three queries: steps, list,
    recordings). ``case`` comes from a scoped selector."""
    tol = tolerance()
    steps = list(CaseStep.objects.filter(case=case).order_by("acted_on", "id").values_list(
        "id", "action", "label", "acted_on", "data"))
    book = matter_book([case.body_id])
    found = recordings([case.pk]).get(case.pk, [])
    rows = []
    for step_id, action, label, acted_on, data in steps:
        rule = book.match(case.body_id, case.procedure, action, data or {})
        if rule is not None:
            rows.append(step_coverage(step_id=step_id, action=action, label=label,
                                      acted_on=acted_on, data=data or {}, rule=rule,
                                      found=found, tol=tol))
    return CaseCoverage(case=case, steps=rows, recordings=found, tolerance=tol)


# --- An agency ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Shortfall:
    """A step recorded in full by requirement whose recordings do not cover it."""

    case_public_id: uuid.UUID
    case_number: str
    label: str
    acted_on: dt.date
    status: str
    gaps: tuple[str, ...]

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass
class BodyCoverage:
    body: EnforcementBody
    mandatory: int = 0
    covered: int = 0
    partly: int = 0
    not_recorded: int = 0  # including steps that never stated their on-site time
    as_needed: int = 0
    as_needed_recorded: int = 0  # covered in full or in part, or recorded that day
    shortfalls: list[Shortfall] = field(default_factory=list)

    @property
    def not_covered(self) -> int:
        return self.partly + self.not_recorded

    @property
    def percent(self) -> float | None:
        return round(self.covered * 100 / self.mandatory, 1) if self.mandatory else None

    def add(self, row: StepCoverage, case_public_id: uuid.UUID, case_number: str) -> None:
        if not row.mandatory:
            self.as_needed += 1
            self.as_needed_recorded += row.status in RECORDED
            return
        self.mandatory += 1
        if row.status == COVERED:
            self.covered += 1
            return
        if row.status == PARTLY:
            self.partly += 1
        else:
            self.not_recorded += 1
        self.shortfalls.append(Shortfall(
            case_public_id=case_public_id, case_number=case_number, label=row.label,
            acted_on=row.acted_on, status=row.status, gaps=tuple(row.gap_texts)))


@dataclass
class AgencyCoverage:
    bodies: list[BodyCoverage]
    date_from: dt.date | None
    date_to: dt.date | None
    tolerance: dt.timedelta

    @property
    def total(self) -> BodyCoverage:
        """All bodies together (``body`` is None)."""
        out = BodyCoverage(body=None)  # type: ignore[arg-type]
        for b in self.bodies:
            for name in ("mandatory", "covered", "partly", "not_recorded", "as_needed",
                         "as_needed_recorded"):
                setattr(out, name, getattr(out, name) + getattr(b, name))
        return out


def coverage_bodies(user: Any) -> list[EnforcementBody]:
    """The bodies whose cases the user sees (supervisors: the bodies under their region)."""
    if Perm.VIEW_CASES not in perms_of(user):
        return []
    return list(visible_bodies(user).order_by("name", "id"))


def agency_coverage(user: Any, *, date_from: dt.date | None = None,
                    date_to: dt.date | None = None,
                    bodies: Iterable[EnforcementBody] | None = None) -> AgencyCoverage:
    """Per body in the user's scope: steps on the lists taken between the dates (both
    inclusive; open-ended when not given). Four queries whatever the number of bodies,
    cases and recordings: bodies, lists, steps, recordings."""
    tol = tolerance()
    chosen = list(bodies) if bodies is not None else coverage_bodies(user)
    by_id = {b.pk: BodyCoverage(body=b) for b in chosen}
    book = MatterBook(matters_for(by_id))
    named = book.steps_named()
    steps = CaseStep.objects.filter(case__body_id__in=list(by_id),
                                    action__in=sorted({a for _p, a in named}))
    if date_from is not None:
        steps = steps.filter(acted_on__gte=date_from)
    if date_to is not None:
        steps = steps.filter(acted_on__lte=date_to)
    rows = list(steps.order_by("acted_on", "id").values_list(
        "id", "case_id", "case__body_id", "case__procedure", "case__public_id", "case__number",
        "action", "label", "acted_on", "data"))
    found = recordings(steps.values("case_id")) if rows else {}
    for (step_id, case_id, body_id, procedure, case_public_id, number, action, label,
         acted_on, data) in rows:
        if (procedure, action) not in named:
            continue
        rule = book.match(body_id, procedure, action, data or {})
        if rule is None:
            continue
        row = step_coverage(step_id=step_id, action=action, label=label, acted_on=acted_on,
                            data=data or {}, rule=rule, found=found.get(case_id, []), tol=tol)
        by_id[body_id].add(row, case_public_id, number)
    return AgencyCoverage(bodies=list(by_id.values()), date_from=date_from, date_to=date_to,
                          tolerance=tol)


# --- The lists, as a user may read them ----------------------------------------------------------
def matters_visible_to(user: Any) -> QuerySet[RecordedMatter]:
    """The installation's default lines and the lines of the bodies the user sees, for those
    who see cases or keep a list."""
    if not perms_of(user) & {Perm.VIEW_CASES, Perm.MANAGE_RECORDING, Perm.ADMINISTER_SYSTEM}:
        return RecordedMatter.objects.none()
    return (RecordedMatter.objects.select_related("body")
            .filter(Q(body__isnull=True) | Q(body__in=visible_bodies(user)))
            .order_by("body_id", "procedure", "action", "id"))


def matter_get_for_user(*, user: Any, public_id: Any) -> RecordedMatter:
    try:
        pid = uuid.UUID(str(public_id))
    except ValueError:
        pid = None
    row = matters_visible_to(user).filter(public_id=pid).first() if pid else None
    if row is None:
        raise NotFound(_("Recorded matter not found."), code="recorded_matter_not_found")
    return row
