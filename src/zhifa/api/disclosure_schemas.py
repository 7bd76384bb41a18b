"""Schemas of the staff publicity API (``disclosure``): what a client sends and what it gets.

The original (unmasked) fields and the masks are staff data: they appear here and never in
the public API. Codes (states, categories, withhold reasons, withdrawal kinds, mask kinds) are
stable; every ``*_label`` follows the user's language. Money is in fen.
"""

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Schema

from zhifa.disclosure.fields import KEYS
from zhifa.disclosure.models import Category, State, WithdrawalKind, WithholdReason

from .common import BodyRefOut, today

TEXT = 20_000


def _choices(enum: Any) -> str:
    return ", ".join(f"`{c}`" for c in enum.values)


FIELDS_DOC = "The record's fields: " + ", ".join(f"`{k}`" for k in KEYS) + " (strings)"


# -- inputs ---------------------------------------------------------------------------------

class PublicationListIn(Schema):
    state: State | None = Field(None, description="One of " + _choices(State))
    category: Category | None = Field(None, description="One of " + _choices(Category))
    body: uuid.UUID | None = Field(None, description="Public id of a body in scope")
    overdue: bool | None = Field(None, description="Drafts past their deadline (true) or "
                                 "not (false)")
    q: str | None = Field(None, max_length=100, description="Part of the decision number, "
                          "the title, the party as published or the case number")


class MaskIn(Schema):
    extra_terms: list[str] = Field(description="Every additional term to mask (the list "
                                   "replaces the previous one; the record is masked again "
                                   "from its original fields)")


class ApproveIn(Schema):
    late_reason: str = Field("", max_length=TEXT, description="Required after the deadline "
                             "(409 `late_reason_required`)")


class WithholdIn(Schema):
    reason: str = Field(max_length=16, description="One of " + _choices(WithholdReason))
    note: str = Field("", max_length=TEXT, description="Required with `secret` and `other`")


class WithdrawIn(Schema):
    kind: str = Field(max_length=16, description="One of " + _choices(WithdrawalKind))
    reason: str = Field(max_length=TEXT, description="The public reason (shown in place of "
                        "the record; personal data in it is masked)")
    event_on: dt.date = Field(description="The day the decision was changed, revoked or "
                              "confirmed illegal or void: not in the future, not before the "
                              "decision")
    late_reason: str = Field("", max_length=TEXT, description="Required more than 3 working "
                             "days after `event_on`")


class EndIn(Schema):
    reason: str = Field(max_length=TEXT, description="The credit restoration that ends the "
                        "publicity")
    ended_on: dt.date | None = Field(None, description="Today when omitted")


# -- outputs --------------------------------------------------------------------------------

class CaseRef(Schema):
    public_id: uuid.UUID
    number: str


class MaskOut(Schema):
    field: str = Field(description="The field's key")
    kind: str = Field(description="What the span hides: `id_number`, `phone`, `address`, "
                      "`bank_account`, `health`, `third_party`, `person_name`, `extra`")
    kind_label: str
    start: int = Field(description="Offset of the span in the original field (characters)")
    end: int
    replacement: str


class PublicationOut(Schema):
    public_id: uuid.UUID
    state: str
    state_label: str
    category: str
    category_label: str
    decision_number: str
    decision_date: dt.date
    title: str
    party_display: str = Field(description="The party as published (masked)")
    body: BodyRefOut
    case: CaseRef
    due_on: dt.date
    overdue: bool = Field(description="A draft past its deadline")
    published_on: dt.date | None
    offline_on: dt.date | None
    withdrawn_on: dt.date | None
    ended_on: dt.date | None

    @staticmethod
    def resolve_state_label(obj: Any) -> str:
        return obj["state_label"] if isinstance(obj, dict) else obj.get_state_display()

    @staticmethod
    def resolve_category_label(obj: Any) -> str:
        return obj["category_label"] if isinstance(obj, dict) else obj.get_category_display()

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        if isinstance(obj, dict):
            return bool(obj["overdue"])
        return bool(obj.state == State.DRAFT and obj.due_on < today())


class PeriodOut(Schema):
    months: int | None
    basis: str
    starts: dt.date | None
    offline_on: dt.date | None
    expected: bool = Field(description="Not approved yet: the period approval today would "
                           "give")


class EntryOut(Schema):
    seq: int
    event_code: int
    text: str
    actor_name: str
    recorded_at: dt.datetime


class PublicationDetailOut(PublicationOut):
    original: dict[str, str] = Field(description=FIELDS_DOC + ", as derived (staff only)")
    public: dict[str, str] = Field(description=FIELDS_DOC + ", as published (masked)")
    masks: list[MaskOut]
    extra_terms: list[str]
    fine: int | None
    confiscation: int | None
    due_rule: str
    late_reason: str
    period: PeriodOut
    approved_by: str | None
    content_digest: str
    ledger_seq: int | None
    withhold_reason: str
    withhold_note: str
    end_reason: str
    withdrawal_kind: str
    withdrawal_reason: str
    withdrawal_event_on: dt.date | None
    withdrawal_due: dt.date | None
    may_act: bool = Field(description="Whether the user may act on it (PUBLISH in its body)")
    entries: list[EntryOut] = Field(description="Its ledger entries, in order")
