"""Schemas of the case, approval and procedure endpoints, and the helpers that shape their
answers (labels in the request language, money in fen, masked ID numbers).

Money: every amount this API returns is an integer number of fen in a field named
``*_fen``. What a client sends as an action's ``data`` is what the staff form takes: money
fields in yuan as a string (``"5000"``, ``"5000.50"``), dates as ISO strings.
"""

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema

from zhifa.cases.models import Case, CaseStatus, SourceKind
from zhifa.cases.procedures import Action, DefinitionError, Procedure, procedure_get
from zhifa.cases.procedures import Field as DefField
from zhifa.catalog.models import PartyType
from zhifa.core.errors import ApplicationError
from zhifa.core.money import yuan_to_fen

from .common import BodyRefOut, RegionRefOut, SectorRefOut

MONEY_IN_DOC = (
    "Money fields in yuan as a string, exactly as the staff form takes them (\"5000\", "
    "\"5000.50\"); a JSON number is refused. Dates as ISO strings (YYYY-MM-DD). Every action "
    "has `acted_on`, the date of the step: today when left out, never in the future."
)
MONEY_OUT_DOC = "Amounts are integers in fen (1 yuan = 100 fen), in fields named *_fen."
STEP_DATA_DOC = ("The step's data by field name; money fields are renamed <field>_fen and hold "
                 "integers in fen.")


# -- labels of a case's procedure, memoised per request ------------------------------------

def procedure_of(request: HttpRequest | None, case: Case) -> Procedure | None:
    """The procedure a case runs on, or None when its definition is gone (a custom procedure
    that was deactivated). Memoised on the request: a list page asks once per (body, code)."""
    memo: dict[tuple[int, str], Procedure | None] | None = getattr(
        request, "_zhifa_procedures", None)
    if memo is None:
        memo = {}
        if request is not None:
            request._zhifa_procedures = memo  # type: ignore[attr-defined]
    key = (case.body_id, case.procedure)
    if key not in memo:
        try:
            memo[key] = procedure_get(case.procedure, body=case.body)
        except ApplicationError:
            memo[key] = None
    return memo[key]


def stage_label(proc: Procedure | None, code: str) -> str:
    if proc is None:
        return code
    try:
        return str(proc.stage(code).label)
    except DefinitionError:
        return code


def action_label(proc: Procedure | None, code: str) -> str:
    act = proc.action(code) if proc is not None else None
    return str(act.label) if act is not None else code


def _request(context: Any) -> HttpRequest | None:
    return context.get("request") if context else None


# -- money in an action's data --------------------------------------------------------------

def data_out(act: Action | None, data: Mapping[str, Any], *, in_fen: bool) -> dict[str, Any]:
    """An action's data for output: each money field ``x`` becomes ``x_fen`` (an integer).
    ``in_fen``: the values are fen already (a step); else yuan as submitted (a request)."""
    money = {f.name for f in act.fields if f.kind == "money"} if act is not None else set()
    out: dict[str, Any] = {}
    for name, value in data.items():
        if name not in money:
            out[name] = value
            continue
        if value is None or in_fen:
            out[f"{name}_fen"] = value
            continue
        try:
            out[f"{name}_fen"] = yuan_to_fen(str(value))
        except ValueError:
            out[name] = value  # kept as sent; the service re-checks it on approval
    return out


# -- inputs ---------------------------------------------------------------------------------

class CaseListIn(Schema):
    procedure: str | None = None  # procedure code, e.g. general
    status: CaseStatus | None = None
    stage: str | None = None  # stage code of the procedure, e.g. notified
    q: str | None = None  # part of the number, the title or a party's name
    overdue: bool | None = Field(None, description="Cases with a running agency deadline "
                                 "past due (a party's period that ended does not count).")
    body: uuid.UUID | None = None  # for supervisors: one body's cases


class PartyIn(Schema):
    party_type: PartyType
    name: str = Field(max_length=200)
    id_number: str = Field("", max_length=32, description="Citizen ID number (18 characters)")
    credit_code: str = Field("", max_length=32, description="Unified social credit code; "
                             "required for an organisation")
    legal_representative: str = Field("", max_length=64)
    address: str = Field("", max_length=256)
    phone: str = Field("", max_length=32)


class CaseCreateIn(Schema):
    procedure: str = Field(max_length=64, description="Procedure code (GET /procedures)")
    title: str = Field(max_length=1000)
    sector: str = Field(max_length=64, description="Sector code: the enforcement category")
    region: str = Field(max_length=64, description="Region code of the place of the act")
    parties: list[PartyIn]
    officers: list[uuid.UUID] = Field(description="Public ids of the officers (people of the "
                                      "body); the requesting officer leads when among them")
    received_on: dt.date | None = Field(None, description="Default: today")
    source_kind: SourceKind = SourceKind.INSPECTION
    item: uuid.UUID | None = Field(None, description="Enforcement item (power list entry)")
    summary: str = Field("", max_length=20_000)
    body: uuid.UUID | None = Field(None, description="Default: the requesting officer's body "
                                   "(system administrators name it)")


class ActIn(Schema):
    data: dict[str, Any] = Field(default_factory=dict, description=MONEY_IN_DOC)
    reason: str = Field("", max_length=20_000)
    late_reason: str = Field("", max_length=20_000, description=(
        "Required when the step meets a deadline that has passed (409 late_reason_required)"))


class DecisionIn(Schema):
    approve: bool
    comment: str = Field("", max_length=20_000, description="Required when sending it back")


# -- outputs --------------------------------------------------------------------------------

class PersonRefOut(Schema):
    public_id: uuid.UUID
    name: str


class ItemRefOut(Schema):
    public_id: uuid.UUID
    code: str
    name: str


class CaseRefOut(Schema):
    public_id: uuid.UUID
    number: str


class CaseOut(Schema):
    public_id: uuid.UUID
    number: str
    title: str
    procedure: str
    procedure_label: str
    stage: str
    stage_label: str
    status: str
    body: BodyRefOut
    sector: SectorRefOut
    handler: PersonRefOut
    received_on: dt.date
    registered_on: dt.date | None
    decided_on: dt.date | None
    closed_on: dt.date | None
    outcome: str
    final_fine_fen: int | None = Field(description=MONEY_OUT_DOC)
    overdue: bool = Field(description="A running deadline is past due.")

    @staticmethod
    def resolve_procedure_label(obj: Case, context: Any) -> str:
        proc = procedure_of(_request(context), obj)
        return str(proc.label) if proc is not None else obj.procedure

    @staticmethod
    def resolve_stage_label(obj: Case, context: Any) -> str:
        return stage_label(procedure_of(_request(context), obj), obj.stage)

    @staticmethod
    def resolve_final_fine_fen(obj: Case) -> int | None:
        return obj.final_fine


class PartyOut(Schema):
    public_id: uuid.UUID
    party_type: str
    name: str
    id_number: str = Field(description="Masked (first 6 and last 4 characters) unless the "
                           "user handles the case")
    id_number_masked: bool
    birth_date: dt.date | None = Field(description="From the ID number; null when masked")
    credit_code: str
    legal_representative: str
    address: str
    phone: str


class OfficerOut(Schema):
    public_id: uuid.UUID
    name: str
    role: str  # lead / assistant
    role_label: str


class DeadlineOut(Schema):
    rule_code: str
    label: str
    source: str
    start: dt.date = Field(description="The period starts after this day")
    extra: int
    due: dt.date
    provisional: bool = Field(description="Computed on weekends only: the calendar of a year "
                              "it reaches has not been entered yet")
    state: str  # running / met / cancelled
    met_on: dt.date | None
    late_reason: str
    overdue: bool = Field(description="An agency time limit that has passed while running")
    party_period: bool = Field(description="A period that runs for the party (statement, "
                               "hearing request, payment, reminder), never overdue for the "
                               "agency")
    lapsed: bool = Field(description="A party's period that has ended: the agency may go on")


class StepOut(Schema):
    warnings: list[dict[str, Any]] = Field(description="Non-blocking legal findings recorded "
                                           "with the step, e.g. a minor party (APL art. 30)")
    action: str
    label: str
    from_stage: str
    to_stage: str
    acted_on: dt.date
    actor_name: str
    recorded_at: dt.datetime
    data: dict[str, Any] = Field(description=STEP_DATA_DOC)
    reason: str
    late_reason: str
    ledger_seq: int | None


class ChoiceOut(Schema):
    value: str
    label: str


class FieldOut(Schema):
    name: str
    kind: str = Field(description="text, textarea, date, money (yuan as a string), int, bool, "
                      "choice, multichoice, checklist (every choice must be sent)")
    label: str
    required: bool
    choices: list[ChoiceOut]
    help: str


class ActionOut(Schema):
    code: str
    label: str
    target: str | None = Field(description="The stage it leads to; null: the stage stays")
    approval: bool = Field(description="Goes up the agency's approval ladder (answer 202)")
    deciding: bool
    roles: list[str]
    guards: list[str]
    documents: list[str]
    evidence: list[str]
    once: bool
    pause: str
    source: str = Field(description="Legal source of the step")
    description: str
    fields: list[FieldOut]


class AvailableActionOut(ActionOut):
    pending_approval: bool = Field(description="A request for this action awaits approval")


class RefusalOut(Schema):
    code: str
    message: str
    source: str = Field(description="The legal source, e.g. 行政处罚法第四十二条")
    warning: bool = False
    detail: Any = None


class DecisionOut(Schema):
    step: int
    role: str
    actor_name: str
    approved: bool
    comment: str
    decided_at: dt.datetime


class ApprovalOut(Schema):
    public_id: uuid.UUID
    case: CaseRefOut
    action: str
    action_label: str
    status: str  # pending / approved / rejected / withdrawn
    steps: list[str] = Field(description="Account roles that approve, in order")
    current: int = Field(description="Index of the step awaiting a decision")
    current_role: str | None
    requested_by: str
    requested_at: dt.datetime
    data: dict[str, Any] = Field(description=(
        "The action's data as submitted; money fields are renamed <field>_fen, in fen"))
    reason: str
    late_reason: str
    decisions: list[DecisionOut]
    can_decide: bool
    can_withdraw: bool


class CaseDetailOut(CaseOut):
    summary: str
    region: RegionRefOut
    item: ItemRefOut | None = Field(description="The enforcement item (power list entry)")
    source_kind: str
    parent: CaseRefOut | None
    act_date: dt.date | None
    review_passed_on: dt.date | None
    discussed_on: dt.date | None
    notice_served_on: dt.date | None
    hearing_right: bool
    hearing_requested_on: dt.date | None
    hearing_on: dt.date | None
    hearing_held_on: dt.date | None
    defence_waived: bool
    decision_served_on: dt.date | None
    reminder_served_on: dt.date | None
    court_applied_on: dt.date | None
    is_major: bool
    is_complex: bool
    proposed_kinds: list[str]
    proposed_fine_fen: int | None
    proposed_confiscation_fen: int | None
    final_kinds: list[str]
    final_confiscation_fen: int | None
    paid_fen: int
    flags: dict[str, Any]
    parties: list[PartyOut]
    officers: list[OfficerOut]
    deadlines: list[DeadlineOut]
    steps: list[StepOut]
    pending_approvals: list[ApprovalOut]
    actions: list[AvailableActionOut] = Field(description=(
        "The actions this user may take now, with their fields. " + MONEY_IN_DOC))


class CaseStateOut(CaseRefOut):
    stage: str
    stage_label: str
    status: str


class ActOut(Schema):
    case: CaseStateOut
    step: StepOut | None = Field(description="The step taken (201)")
    approval: ApprovalOut | None = Field(description="The approval request (202), or the "
                                         "request a decision concerned")
    warnings: list[RefusalOut] = Field(description="Non-blocking guard findings recorded with "
                                       "the step (e.g. a minor party)")


class TimelineEntryOut(Schema):
    seq: int = Field(description="Leaf index in the installation's Merkle tree")
    stream_seq: int
    event_code: int
    event_name: str
    text: str
    actor_name: str
    recorded_at: dt.datetime
    payload: dict[str, Any] = Field(description=(
        "The canonical payload exactly as recorded and hashed; money in fen under the "
        "field's name"))
    leaf_hash: str = Field(description="Hex")
    status: str = Field(description="verified: the hashes recompute and a signed checkpoint "
                        "covers the entry; pending: they recompute, no checkpoint yet; broken: "
                        "they do not")


class ProvisionalCaseOut(CaseRefOut):
    title: str
    body: BodyRefOut


class ProvisionalDeadlineOut(Schema):
    case: ProvisionalCaseOut
    rule_code: str
    label: str
    source: str
    start: dt.date
    due: dt.date
    provisional: bool
    state: str


# -- shaping procedure definitions ----------------------------------------------------------

def field_out(f: DefField) -> dict[str, Any]:
    return {"name": f.name, "kind": f.kind, "label": str(f.label), "required": f.required,
            "choices": [{"value": c.value, "label": str(c.label)} for c in f.choices],
            "help": str(f.help)}


def action_out(act: Action) -> dict[str, Any]:
    return {
        "code": act.code, "label": str(act.label), "target": act.target,
        "approval": act.approval, "deciding": act.deciding, "roles": list(act.roles),
        "guards": list(act.guards), "documents": list(act.documents),
        "evidence": list(act.evidence), "once": act.once, "pause": act.pause,
        "source": act.source, "description": str(act.description),
        "fields": [field_out(f) for f in act.fields],
    }
