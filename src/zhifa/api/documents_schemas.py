"""Schemas of the documents API (``documents`` and ``documents_admin``): what a client sends
and what it gets back, and the shaping of rows into answers.

Printed values are Chinese whatever the language of the request (``fields`` keys are the
placeholders of the type, e.g. ``违法事实``); labels (``type_name``, ``missing``, field labels)
follow the user's language.
"""

import datetime as dt
import uuid
from typing import Any, Literal

from ninja import Field, Schema

from zhifa.documents import doctypes
from zhifa.documents.models import DocumentTemplate, ServiceMethod, TemplateScope, TemplateState
from zhifa.ledger.services import actor_label

from .case_schemas import CaseRefOut
from .common import BodyRefOut, RegionRefOut
from .evidence import StepRefOut

Format = Literal["pdf", "docx"]
FORMAT_DOC = "`pdf` (default) or `docx`"


# -- documents ------------------------------------------------------------------------------

class DraftIn(Schema):
    doc_type: str = Field(max_length=64, description="A type of the case's procedure, as "
                          "listed by GET /document-types?procedure=")
    step: int | None = Field(None, description="The case step the document belongs to, named "
                             "by its ledger entry number (`steps[].ledger_seq` of "
                             "GET /cases/{key})")
    fields: dict[str, str] | None = Field(None, description="Drafted values by placeholder "
                                          "name; merged over the values prefilled from the "
                                          "case")


class DocumentUpdateIn(Schema):
    fields: dict[str, str] = Field(description="Only the values sent change; an empty string "
                                   "clears one")


class IssueIn(Schema):
    issued_on: dt.date | None = Field(None, description="The document's date; today when "
                                      "omitted")


class VoidIn(Schema):
    reason: str = Field(max_length=2000)


class HashesOut(Schema):
    sha256: str
    sm3: str
    size: int


class TemplateRefOut(Schema):
    public_id: uuid.UUID
    version: int
    scope: str
    name: str


class ServiceOut(Schema):
    public_id: uuid.UUID
    method: str
    method_label: str
    state: str = Field(description="`served`, or `pending` for an announcement not yet "
                       "deemed served")
    recipient: str
    recipient_relation: str
    place: str
    served_on: dt.date | None = Field(description="The date the law counts from")
    announced_on: dt.date | None
    announcement_medium: str
    witness: str
    refusal_note: str
    tracking_number: str
    electronic_address: str
    consent_on: dt.date | None
    consent_document: uuid.UUID | None
    confirmed_at: dt.datetime | None
    proof: uuid.UUID | None = Field(description="Public id of the evidence file that proves "
                                    "the service")
    note: str
    case_step: StepRefOut | None = Field(description="The case step recorded with the "
                                         "service (its periods run from it)")
    recorded_at: dt.datetime
    recorded_by: str
    ledger_seq: int | None


class ElementOut(Schema):
    label: str
    placeholders: list[str]
    source: str


class DocumentOut(Schema):
    public_id: uuid.UUID
    case: CaseRefOut
    doc_type: str
    type_name: str
    title: str = Field(description="The printed title (Chinese)")
    stage: str
    state: str = Field(description="draft, issued or voided")
    number: str = Field(description="The number (文号) or the form serial; empty on a draft")
    verify_code: str = Field(description="XXXX-XXXX-XXXX; empty on a draft")
    verify_url: str
    fields: dict[str, str]
    step: StepRefOut | None
    template: TemplateRefOut | None
    issued_on: dt.date | None
    issued_at: dt.datetime | None
    issued_by: str | None
    docx: HashesOut | None
    pdf: HashesOut | None
    missing: list[ElementOut] = Field(description="A draft's statutory elements (and "
                                      "required fields) with the drafted placeholders still "
                                      "empty; empty once issued")
    voided_at: dt.datetime | None
    voided_by: str | None
    void_reason: str
    created_at: dt.datetime
    created_by: str
    ledger_seq: int | None
    services: list[ServiceOut]


class ServiceIn(Schema):
    method: ServiceMethod
    recipient: str = Field(max_length=200)
    served_on: dt.date | None = None
    recipient_relation: str = Field("", max_length=100)
    place: str = Field("", max_length=200)
    announced_on: dt.date | None = None
    announcement_medium: str = Field("", max_length=200)
    witness: str = Field("", max_length=200)
    refusal_note: str = Field("", max_length=5000)
    tracking_number: str = Field("", max_length=64)
    electronic_address: str = Field("", max_length=200)
    consent_on: dt.date | None = None
    consent_document: uuid.UUID | None = Field(None, description="Public id of an issued "
                                               "送达地址确认书 of the same case")
    confirmed_at: dt.datetime | None = Field(None, description="ISO 8601; without an offset "
                                             "it is Beijing time")
    proof: uuid.UUID | None = Field(None, description="Public id of an evidence file of the "
                                    "case")
    note: str = Field("", max_length=5000)
    late_reason: str = Field("", max_length=2000, description="Why the case step comes "
                             "after its time limit (e.g. a decision served more than 7 days "
                             "after it was made), when it does")


# -- document types -------------------------------------------------------------------------

class DocFieldOut(Schema):
    name: str
    label: str
    kind: str
    required: bool
    prefill: str
    help: str


class DocTypeOut(Schema):
    code: str
    name: str
    title: str
    number_word: str | None
    stage: str
    stage_label: str
    procedures: list[str]
    actions: list[str]
    fields: list[DocFieldOut]
    elements: list[ElementOut]
    reasons: bool
    serial: bool
    serves: str
    issue_after: str | None = Field(description="The case step that must come first")
    source: str
    placeholders: list[str] = Field(description="Every placeholder a template of the type "
                                    "may use: the computed ones, then the drafted fields")


class DocTypeListIn(Schema):
    procedure: str | None = Field(None, description="Only the types of this procedure, in "
                                  "case-file order")


# -- templates ------------------------------------------------------------------------------

class TemplateOut(Schema):
    public_id: uuid.UUID
    doc_type: str
    type_name: str
    scope: str
    body: BodyRefOut | None
    region: RegionRefOut | None
    version: int
    name: str
    state: str
    placeholders: list[str]
    docx: HashesOut
    filing_number: str
    filed_with: str
    filed_on: dt.date | None
    in_force_from: dt.datetime | None
    retired_at: dt.datetime | None
    note: str
    uploaded_at: dt.datetime
    uploaded_by: str | None
    ledger_seq: int | None

    @staticmethod
    def resolve_type_name(obj: DocumentTemplate) -> str:
        return doctypes.type_name(obj.doc_type)

    @staticmethod
    def resolve_docx(obj: DocumentTemplate) -> dict[str, Any]:
        return {"sha256": obj.blob.sha256, "sm3": obj.blob.sm3, "size": obj.blob.size}

    @staticmethod
    def resolve_uploaded_at(obj: DocumentTemplate) -> dt.datetime:
        return obj.created_at

    @staticmethod
    def resolve_uploaded_by(obj: DocumentTemplate) -> str | None:
        return actor_label(obj.uploaded_by) if obj.uploaded_by is not None else None


class TemplateListIn(Schema):
    doc_type: str | None = None
    scope: TemplateScope | None = None
    state: TemplateState | None = None


class TemplateFilingIn(Schema):
    filing_number: str = Field(max_length=100)
    filed_with: str = Field(max_length=200)
    filed_on: dt.date


class TemplateRetireIn(Schema):
    reason: str = Field(max_length=2000)


# -- numbers, serials, profile --------------------------------------------------------------

class NumberPatternOut(Schema):
    doc_type: str
    type_name: str
    number_word: str | None
    pattern: str
    custom: bool = Field(description="false: the installation's default pattern")
    next_number: str = Field(description="The number the next document of the type would "
                             "get this year")


class PatternIn(Schema):
    pattern: str = Field(max_length=100, description="Fields: {机关简称}, {字}, {年}, {序号} "
                         "(with a format spec, e.g. {序号:03d}); {序号} is required")


class SerialBookOut(Schema):
    public_id: uuid.UUID
    body: BodyRefOut
    doc_type: str
    prefix: str
    first: int
    last: int
    width: int
    first_serial: str
    last_serial: str
    holder: dict[str, Any] | None
    received_on: dt.date
    note: str
    used: int
    voided: int
    ledger_seq: int | None


class SerialBookIn(Schema):
    first: int = Field(ge=0)
    last: int = Field(ge=0)
    received_on: dt.date
    prefix: str = Field("", max_length=32)
    width: int = Field(8, ge=1, le=20)
    holder: uuid.UUID | None = Field(None, description="Public id of a person of the body")
    note: str = Field("", max_length=2000)


class SerialVoidIn(Schema):
    serial: str = Field(max_length=64)
    reason: str = Field(max_length=2000)


class SerialUseOut(Schema):
    serial: str
    state: str
    book: uuid.UUID
    case: CaseRefOut | None
    reason: str
    at: dt.datetime
    by: str | None
    ledger_seq: int | None


class ProfileOut(Schema):
    body: BodyRefOut
    saved: bool = Field(description="false: the defaults, never saved")
    address: str
    phone: str
    reconsideration_body: str
    reconsideration_period: str
    court: str
    litigation_period: str
    statement_period: str
    payment_instructions: str
    ledger_seq: int | None


class ProfileIn(Schema):
    """Every field is replaced by the value sent (an omitted field keeps its value)."""

    address: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=64)
    reconsideration_body: str | None = Field(None, max_length=200)
    reconsideration_period: str | None = Field(None, max_length=100)
    court: str | None = Field(None, max_length=200)
    litigation_period: str | None = Field(None, max_length=100)
    statement_period: str | None = Field(None, max_length=100)
    payment_instructions: str | None = Field(None, max_length=5000)


# -- public verification --------------------------------------------------------------------

class VerifyOut(Schema):
    """What anyone holding the code may learn: no party, no content, no officer."""

    verify_code: str
    doc_type: str
    type_name: str
    title: str
    number: str
    agency: str
    issued_on: dt.date | None
    state: str = Field(description="issued or voided")
    voided_on: dt.date | None
    docx: HashesOut | None
    pdf: HashesOut | None
    match: bool | None = Field(description="null without `sha256`; otherwise whether it is "
                               "the SHA-256 of this document's PDF or DOCX")
    matched: Format | None = Field(description="Which file the hash is that of")
