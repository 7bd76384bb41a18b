"""Procedure definitions (程序): the statutory built-in procedures and an agency's own ones,
with their stages, actions, fields (labels in the request's language), guards, legal sources
and deadline rules. The same data the engine runs on: nothing here is a second copy."""

import uuid
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from zhifa.cases.models import CustomProcedure
from zhifa.cases.procedures import Procedure, builtin_codes, procedure_get
from zhifa.core.errors import NotFound
from zhifa.orgs.models import EnforcementBody
from zhifa.orgs.permissions import Perm, require_perm
from zhifa.orgs.selectors import body_get_for_user
from zhifa.workdays.models import DeadlineRule

from .case_schemas import MONEY_IN_DOC, ActionOut, action_out
from .common import DENIED_OR_MISSING

router = Router(tags=["procedures"])


class ProcedureSummaryOut(Schema):
    code: str
    label: str
    category: str
    source: str
    builtin: bool


class StageOut(Schema):
    code: str
    label: str
    terminal: bool
    status: str


class DeadlineStartOut(Schema):
    rule: str
    anchor: str = Field(description="Field whose date starts the period; empty: the step's "
                        "date")
    when: str = Field(description="Condition that must hold; empty: always")


class ProcedureActionOut(ActionOut):
    sources: list[str] = Field(description="Stages the action is allowed from (* = any open "
                               "stage)")
    starts: list[DeadlineStartOut]
    meets: list[str]
    cancels: list[str]


class DeadlineRuleOut(Schema):
    code: str
    name: str
    n: int
    unit: str
    unit_label: str
    source: str


class ProcedureOut(ProcedureSummaryOut):
    initial: str
    pausable: list[str] = Field(description="Deadline rules whose clock stops while paused")
    opening: list[str] = Field(description="Deadline rules started when a case is opened")
    stages: list[StageOut]
    actions: list[ProcedureActionOut]
    deadlines: list[DeadlineRuleOut] = Field(description="The deadline rules the procedure "
                                             "uses, with their periods and legal sources")


class ProcedureBodyIn(Schema):
    body: uuid.UUID | None = Field(None, description="Whose own procedures to include; "
                                   "default: the user's body")


def _body(user: Any, public_id: uuid.UUID | None) -> EnforcementBody | None:
    if public_id is not None:
        return body_get_for_user(user=user, public_id=public_id)
    return user.person.body if user.person_id else None


def _summary(proc: Procedure, *, builtin: bool) -> dict[str, Any]:
    return {"code": proc.code, "label": str(proc.label), "category": proc.category,
            "source": proc.source, "builtin": builtin}


def procedure_definition(proc: Procedure, *, builtin: bool) -> dict[str, Any]:
    rules: list[str] = [*proc.opening, *proc.pausable]
    actions = []
    for act in proc.actions:
        rules += [s.rule for s in act.starts] + list(act.meets) + list(act.cancels)
        actions.append({
            **action_out(act), "sources": list(act.sources),
            "starts": [{"rule": s.rule, "anchor": s.anchor, "when": s.when}
                       for s in act.starts],
            "meets": list(act.meets), "cancels": list(act.cancels),
        })
    return {
        **_summary(proc, builtin=builtin), "initial": proc.initial,
        "pausable": list(proc.pausable), "opening": list(proc.opening),
        "stages": [{"code": s.code, "label": str(s.label), "terminal": s.terminal,
                    "status": s.status} for s in proc.stages],
        "actions": actions,
        "deadlines": [{"code": r.code, "name": r.name, "n": r.n, "unit": r.unit,
                       "unit_label": r.get_unit_display(), "source": r.source}
                      for r in DeadlineRule.objects.filter(code__in=set(rules))],
    }


@router.get("/procedures", response={200: list[ProcedureSummaryOut], **DENIED_OR_MISSING},
            operation_id="visible_procedures",
            summary="The procedures cases can run on",
            description="The built-in statutory procedures, then the body's own active "
                        "procedures (404 body_not_found for a body out of scope).")
def procedures_list(request: HttpRequest, params: Query[ProcedureBodyIn]) -> Any:
    require_perm(request.user, Perm.VIEW_CASES)
    body = _body(request.user, params.body)
    out = [_summary(procedure_get(code), builtin=True) for code in builtin_codes()]
    if body is not None:
        for row in (CustomProcedure.objects.filter(body=body, active=True)
                    .exclude(code__in=builtin_codes()).order_by("code")):
            definition = row.definition if isinstance(row.definition, dict) else {}
            out.append({"code": row.code, "label": row.name,
                        "category": str(definition.get("category", "other")),
                        "source": str(definition.get("source", "")), "builtin": False})
    return out


@router.get("/procedures/{code}", response={200: ProcedureOut, **DENIED_OR_MISSING},
            operation_id="procedure_get",
            summary="A procedure's definition: stages, actions, fields, guards, deadlines",
            description="Labels are in the request's language. " + MONEY_IN_DOC)
def procedure_detail(request: HttpRequest, code: str, params: Query[ProcedureBodyIn]) -> Any:
    require_perm(request.user, Perm.VIEW_CASES)
    body = _body(request.user, params.body)
    builtin = code in builtin_codes()
    if not builtin and (body is None or not CustomProcedure.objects.filter(
            body=body, code=code, active=True).exists()):
        raise NotFound(_("Procedure not found."), code="procedure_not_found")
    return procedure_definition(procedure_get(code, body=body), builtin=builtin)
