"""Recording coverage (全过程记录): a case's steps on the recorded-matters list against its
recordings, the same per body for the bodies in scope, and the recorded-matters lists
(音像记录事项清单) themselves.

Reads are scoped (a case or a list line out of scope is 404); a list is changed through
``recorded_matter_save`` (heads and body administrators: their own body's list; system
administrators: the installation's default list, ``body`` null), which writes the ledger
entry."""

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from zhifa.cases.fields import local
from zhifa.cases.selectors import case_get_for_user
from zhifa.core.errors import InvalidInput, NotFound, PermissionDenied
from zhifa.evidence.coverage import Recording
from zhifa.evidence.coverage_reports import (
    BodyCoverage,
    StepCoverage,
    agency_coverage,
    case_coverage,
    matter_get_for_user,
    matters_visible_to,
)
from zhifa.evidence.models import RecordedMatter, Requirement
from zhifa.evidence.services.matters import recorded_matter_save
from zhifa.orgs.permissions import Perm, perms_of, require_perm
from zhifa.orgs.selectors import visible_bodies

from .common import DENIED, DENIED_OR_MISSING, REJECTED, BodyRefOut

router = Router(tags=["evidence"])

STATUS_DOC = ("`status`: covered (no gap longer than the tolerance), partly, not_recorded, "
              "not_required (an as-needed step that was not recorded), recorded_that_day (an "
              "as-needed step without a time on site, while a recording of the case ran that "
              "day), no_interval (a step recorded in full that did not state its time on "
              "site).")


# -- schemas -------------------------------------------------------------------------------------
class SpanOut(Schema):
    start: dt.datetime
    end: dt.datetime


class RecordingOut(Schema):
    file: uuid.UUID
    filename: str
    item_seq: int
    started_at: dt.datetime | None
    ended_at: dt.datetime | None = Field(description="Given, or start + analysed duration")
    counted: bool = Field(description="False while the start or the end is unknown")


class StepCoverageOut(Schema):
    action: str
    label: str
    acted_on: dt.date
    matter: str
    requirement: Requirement
    line: uuid.UUID | None = Field(description="The list line; null: the statutory floor")
    source: str
    onsite: SpanOut | None
    status: str = Field(description=STATUS_DOC)
    uncovered: list[SpanOut]
    recordings: list[uuid.UUID] = Field(description="Files whose recording overlaps the "
                                        "time on site (with none: those of the step's day)")


class CaseCoverageOut(Schema):
    case: str
    tolerance_seconds: int
    steps: list[StepCoverageOut]
    recordings: list[RecordingOut]


class ShortfallOut(Schema):
    case: uuid.UUID
    case_number: str
    label: str
    acted_on: dt.date
    status: str


class CountsOut(Schema):
    mandatory: int = Field(description="Steps recorded in full by requirement")
    covered: int
    partly: int
    not_recorded: int = Field(description="Including steps that did not state their time "
                              "on site")
    percent: float | None = Field(description="covered / mandatory, one decimal; null "
                                  "when there is none")
    as_needed: int
    as_needed_recorded: int


class BodyCoverageOut(CountsOut):
    body: BodyRefOut
    shortfalls: list[ShortfallOut]


class AgencyCoverageOut(Schema):
    date_from: dt.date | None
    date_to: dt.date | None
    tolerance_seconds: int
    bodies: list[BodyCoverageOut]
    total: CountsOut


class CoverageRangeIn(Schema):
    date_from: dt.date | None = Field(None, description="Steps on or after this day")
    date_to: dt.date | None = Field(None, description="Steps on or before this day")


class MatterOut(Schema):
    public_id: uuid.UUID
    body: BodyRefOut | None = Field(description="null: the installation's default list")
    matter: str
    procedure: str
    action: str
    when: dict[str, Any]
    requirement: Requirement
    source: str
    active: bool


class MatterIn(Schema):
    matter: str = Field(max_length=200)
    procedure: str = Field(max_length=64, description="Procedure code (GET /procedures)")
    action: str = Field(max_length=64, description="Action code of the procedure")
    when: dict[str, Any] = Field(default_factory=dict, description=(
        "Conditions on the step's data: a choice field's values, e.g. "
        "{\"measure\": [\"seal\", \"seize\"]}, or true/false for a yes/no field"))
    requirement: Requirement
    source: str = Field("", max_length=200)
    active: bool = True


class MatterCreateIn(MatterIn):
    body: uuid.UUID | None = Field(None, description="The body whose list it joins; null: "
                                   "the installation's default list (system administrators)")


# -- shaping -------------------------------------------------------------------------------------
def _span(span: Any) -> dict[str, Any] | None:
    return {"start": local(span[0]), "end": local(span[1])} if span else None


def _step(row: StepCoverage) -> dict[str, Any]:
    return {
        "action": row.action, "label": row.label, "acted_on": row.acted_on,
        "matter": row.rule.matter, "requirement": row.rule.requirement,
        "line": row.rule.line_id, "source": row.rule.source, "onsite": _span(row.interval),
        "status": row.status, "uncovered": [_span(g) for g in row.gaps],
        "recordings": [r.public_id for r in row.covering],
    }


def _recording(r: Recording) -> dict[str, Any]:
    return {"file": r.public_id, "filename": r.filename, "item_seq": r.item_seq,
            "started_at": local(r.started_at) if r.started_at else None,
            "ended_at": local(r.span[1]) if r.span else None,
            "counted": r.span is not None}


def _counts(row: BodyCoverage) -> dict[str, Any]:
    return {"mandatory": row.mandatory, "covered": row.covered, "partly": row.partly,
            "not_recorded": row.not_recorded, "percent": row.percent,
            "as_needed": row.as_needed, "as_needed_recorded": row.as_needed_recorded}


def _matter(line: RecordedMatter) -> dict[str, Any]:
    return {"public_id": line.public_id, "body": line.body, "matter": line.matter,
            "procedure": line.procedure, "action": line.action, "when": line.when,
            "requirement": line.requirement, "source": line.source, "active": line.active}


# -- endpoints -----------------------------------------------------------------------------------
@router.get("/cases/{key}/coverage", response={200: CaseCoverageOut, **DENIED_OR_MISSING},
            operation_id="case_coverage",
            summary="The case's steps on the recorded-matters list against its recordings",
            description="`key` is the case's public id or number. " + STATUS_DOC)
def coverage_of_case(request: HttpRequest, key: str) -> Any:
    require_perm(request.user, Perm.VIEW_CASES)
    report = case_coverage(case_get_for_user(user=request.user, key=key))
    return {"case": report.case.number,
            "tolerance_seconds": int(report.tolerance.total_seconds()),
            "steps": [_step(s) for s in report.steps],
            "recordings": [_recording(r) for r in report.recordings]}


@router.get("/evidence/coverage", response={200: AgencyCoverageOut, **DENIED},
            operation_id="agency_coverage",
            summary="Per body in scope: steps recorded in full and how many were covered",
            description="Supervisors see the bodies under their region. Steps between the "
                        "dates given (both inclusive).")
def coverage_of_agency(request: HttpRequest, filters: Query[CoverageRangeIn]) -> Any:
    require_perm(request.user, Perm.VIEW_CASES)
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        raise InvalidInput(_("The end of the range cannot be before its start."),
                           code="invalid_range")
    report = agency_coverage(request.user, date_from=filters.date_from,
                             date_to=filters.date_to)
    return {
        "date_from": report.date_from, "date_to": report.date_to,
        "tolerance_seconds": int(report.tolerance.total_seconds()),
        "bodies": [{**_counts(b), "body": b.body, "shortfalls": [
            {"case": s.case_public_id, "case_number": s.case_number, "label": s.label,
             "acted_on": s.acted_on, "status": s.status} for s in b.shortfalls]}
            for b in report.bodies],
        "total": _counts(report.total),
    }


@router.get("/evidence/recorded-matters", response={200: list[MatterOut], **DENIED},
            operation_id="matters_visible_to",
            summary="The recorded-matters lists: the defaults and the bodies' own lines",
            description="A body's own lines for a step replace the default lines for that "
                        "step; sealing up, impoundment and forced demolition are recorded in "
                        "full whatever the lists say.")
def matters_list(request: HttpRequest) -> Any:
    if not perms_of(request.user) & {Perm.VIEW_CASES, Perm.MANAGE_RECORDING,
                                     Perm.ADMINISTER_SYSTEM}:
        raise PermissionDenied(_("You do not have permission for this action."),
                               code="missing_view_cases")
    return [_matter(m) for m in matters_visible_to(request.user)]


@router.post("/evidence/recorded-matters",
             response={201: MatterOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="recorded_matter_save", summary="Add a line to a list")
def matter_create(request: HttpRequest, payload: MatterCreateIn) -> Any:
    body = None
    if payload.body is not None:
        body = visible_bodies(request.user).filter(public_id=payload.body).first()
        if body is None:
            raise NotFound(_("Enforcement body not found."), code="body_not_found")
    line = recorded_matter_save(actor=request.user, body=body, **_fields(payload))
    return Status(201, _matter(line))


@router.put("/evidence/recorded-matters/{public_id}",
            response={200: MatterOut, **DENIED_OR_MISSING, **REJECTED},
            operation_id="recorded_matter_update",
            summary="Change a line (it stays in its list)",
            description="Every field is given each time; `active: false` takes the line out "
                        "of use.")
def matter_update(request: HttpRequest, public_id: str, payload: MatterIn) -> Any:
    line = matter_get_for_user(user=request.user, public_id=public_id)
    line = recorded_matter_save(actor=request.user, body=line.body, line=line,
                                **_fields(payload))
    return _matter(line)


def _fields(payload: MatterIn) -> dict[str, Any]:
    return {"matter": payload.matter, "procedure": payload.procedure,
            "action": payload.action, "when": payload.when,
            "requirement": payload.requirement.value, "source": payload.source,
            "active": payload.active}
