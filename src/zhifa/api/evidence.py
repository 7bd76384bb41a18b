"""Evidence (证据): a case's items of the eight statutory kinds and their files, with the
hashes recorded on the ledger and the audio/video details. Files arrive through the tus
server at ``/uploads/`` (not through this API); here they are listed, read and moved between
the items of their case.

Reads are scoped like the case (``visible_cases``): evidence of a case outside the user's
scope is 404 (``case_not_found``, ``item_not_found``, ``file_not_found``). Changes go through
``zhifa.evidence.services.items`` and need handling permission in the case's body (403
``missing_handle_cases``, ``case_out_of_scope``) on a case that is not archived (409
``case_archived``); a withdrawn item cannot be changed (409 ``item_withdrawn``).
"""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from zhifa.cases.models import Case, CaseStep
from zhifa.cases.selectors import case_get_for_user
from zhifa.core.errors import InvalidInput
from zhifa.evidence.models import AvRecord, EvidenceFile, EvidenceItem, EvidenceKind
from zhifa.evidence.selectors import (
    evidence_files_for_case,
    evidence_for_case,
    file_get_for_user,
    item_get_for_user,
)
from zhifa.evidence.services.items import (
    evidence_file_attach,
    evidence_item_create,
    evidence_item_update,
    evidence_item_withdraw,
)
from zhifa.ledger.services import actor_label
from zhifa.orgs.permissions import Perm, require_perm
from zhifa.orgs.selectors import visible_people

from .case_schemas import CaseRefOut, PersonRefOut
from .common import DENIED_OR_MISSING, REJECTED, paginated

router = Router(tags=["evidence"])

STEP_DOC = ("The case step the evidence belongs to, named by the ledger entry number (`seq`) "
            "of that step, as listed by GET /cases/{key}/timeline and in `steps[].ledger_seq` "
            "of GET /cases/{key}.")
COORDINATES_DOC = "Decimal degrees (WGS 84): both latitude and longitude, or neither."


# -- inputs ---------------------------------------------------------------------------------

class ItemCreateIn(Schema):
    kind: EvidenceKind
    title: str = Field(max_length=200)
    description: str = Field("", max_length=20_000)
    source: str = Field("", max_length=200, description="Where or from whom it was obtained")
    collected_at: dt.datetime | None = Field(None, description="ISO 8601; without an offset "
                                             "it is Beijing time")
    place: str = Field("", max_length=200)
    latitude: Decimal | None = Field(None, description=COORDINATES_DOC)
    longitude: Decimal | None = Field(None, description=COORDINATES_DOC)
    step: int | None = Field(None, description=STEP_DOC)
    collectors: list[uuid.UUID] = Field(default_factory=list, description="Public ids of the "
                                        "collecting officers (people of the case's body)")


class ItemUpdateIn(Schema):
    """Only the fields sent are changed; null clears an optional one."""

    kind: EvidenceKind | None = None
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=20_000)
    source: str | None = Field(None, max_length=200)
    collected_at: dt.datetime | None = None
    place: str | None = Field(None, max_length=200)
    latitude: Decimal | None = Field(None, description=COORDINATES_DOC)
    longitude: Decimal | None = Field(None, description=COORDINATES_DOC)
    step: int | None = Field(None, description=STEP_DOC)
    collectors: list[uuid.UUID] | None = None


class WithdrawIn(Schema):
    reason: str = Field(max_length=20_000)


class AttachIn(Schema):
    item: uuid.UUID = Field(description="Public id of an item of the same case")


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _av(f: EvidenceFile) -> dict[str, Any] | None:
    av: AvRecord | None = getattr(f, "av", None)
    if av is None:
        return None
    return {
        "device": ({"public_id": av.device.public_id, "kind": av.device.kind,
                    "serial": av.device.serial} if av.device is not None else None),
        "officer": ({"public_id": av.officer.public_id, "name": av.officer.name}
                    if av.officer is not None else None),
        "started_at": av.started_at, "ended_at": av.ended_at, "duration_ms": av.duration_ms,
        "latitude": _decimal(av.latitude), "longitude": _decimal(av.longitude),
        "interruption_note": av.interruption_note, "probe_state": av.probe_state,
        "has_poster": av.poster_id is not None,
    }


# -- outputs --------------------------------------------------------------------------------

class StepRefOut(Schema):
    ledger_seq: int | None
    action: str
    label: str
    acted_on: dt.date


class ItemRefOut(Schema):
    public_id: uuid.UUID
    seq: int
    title: str


class DeviceRefOut(Schema):
    public_id: uuid.UUID
    kind: str
    serial: str


class AvOut(Schema):
    device: DeviceRefOut | None
    officer: PersonRefOut | None
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    duration_ms: int | None
    latitude: str | None
    longitude: str | None
    interruption_note: str
    probe_state: str
    has_poster: bool


class BlobHashesResolved(Schema):
    """Fills a file schema's ``sha256`` and ``sm3`` from its blob (the subclass declares the
    fields, so they keep their place in it)."""

    @staticmethod
    def resolve_sha256(obj: EvidenceFile) -> str:
        return obj.blob.sha256

    @staticmethod
    def resolve_sm3(obj: EvidenceFile) -> str:
        return obj.blob.sm3


class FileOut(BlobHashesResolved):
    public_id: uuid.UUID
    item: ItemRefOut
    filename: str
    mime: str
    size: int
    sha256: str
    sm3: str
    state: str
    uploaded_at: dt.datetime
    uploaded_by: str
    ledger_seq: int | None = Field(description="The ledger entry that recorded the upload "
                                   "with both hashes")
    av: AvOut | None

    @staticmethod
    def resolve_uploaded_at(obj: EvidenceFile) -> dt.datetime:
        return obj.created_at

    @staticmethod
    def resolve_uploaded_by(obj: EvidenceFile) -> str:
        return actor_label(obj.uploaded_by)

    @staticmethod
    def resolve_av(obj: EvidenceFile) -> dict[str, Any] | None:
        return _av(obj)


class FileDetailOut(FileOut):
    case: CaseRefOut
    retention_class: str | None
    retain_until: dt.date | None
    permanent: bool
    disposed_at: dt.datetime | None
    verify_state: str = Field(description="Result of the last re-hash of the stored bytes")
    verified_at: dt.datetime | None

    @staticmethod
    def resolve_retention_class(obj: EvidenceFile) -> str | None:
        return obj.retention_class.name if obj.retention_class is not None else None

    @staticmethod
    def resolve_verify_state(obj: EvidenceFile) -> str:
        return obj.blob.verify_state

    @staticmethod
    def resolve_verified_at(obj: EvidenceFile) -> dt.datetime | None:
        return obj.blob.verified_at


class ItemOut(Schema):
    public_id: uuid.UUID
    case: CaseRefOut
    seq: int = Field(description="Evidence number within the case")
    kind: str
    kind_label: str
    title: str
    description: str
    source: str
    collected_at: dt.datetime | None
    place: str
    latitude: str | None
    longitude: str | None
    step: StepRefOut | None
    collectors: list[PersonRefOut]
    adopted: bool
    state: str
    state_reason: str
    created_at: dt.datetime
    created_by: str
    files: list[FileOut]


# -- shaping --------------------------------------------------------------------------------

def item_out(it: EvidenceItem, case: Case) -> dict[str, Any]:
    step = it.step
    return {
        "public_id": it.public_id, "case": {"public_id": case.public_id, "number": case.number},
        "seq": it.seq, "kind": it.kind, "kind_label": it.get_kind_display(), "title": it.title,
        "description": it.description, "source": it.source, "collected_at": it.collected_at,
        "place": it.place, "latitude": _decimal(it.latitude),
        "longitude": _decimal(it.longitude),
        "step": ({"ledger_seq": step.ledger_seq, "action": step.action, "label": step.label,
                  "acted_on": step.acted_on} if step is not None else None),
        "collectors": [{"public_id": p.public_id, "name": p.name}
                       for p in it.collectors.all()],
        "adopted": it.adopted, "state": it.state, "state_reason": it.state_reason,
        "created_at": it.created_at, "created_by": actor_label(it.created_by),
        "files": list(it.files.all()),
    }


def _item_answer(user: Any, item: EvidenceItem) -> dict[str, Any]:
    """An item as stored now, shaped with the same few queries as the list."""
    case = Case.objects.get(pk=item.case_id)
    fresh = next(i for i in evidence_for_case(user, case) if i.pk == item.pk)
    return item_out(fresh, case)


def _references(user: Any, case: Case, fields: dict[str, Any]) -> dict[str, Any]:
    """``step`` (a ledger seq) and ``collectors`` (public ids) as rows; unknown ones are
    field errors (400 ``invalid_fields``). A time without an offset is Beijing time."""
    errors: dict[str, str] = {}
    at = fields.get("collected_at")
    if at is not None and timezone.is_naive(at):
        fields["collected_at"] = timezone.make_aware(at)
    if fields.get("step") is not None:
        step = CaseStep.objects.filter(case=case, ledger_seq=fields["step"]).first()
        if step is None:
            errors["step"] = _("This case has no step with that ledger entry.")
        fields["step"] = step
    if fields.get("collectors") is not None:
        ids = list(dict.fromkeys(fields["collectors"]))
        found = {p.public_id: p for p in visible_people(user).filter(public_id__in=ids)}
        if len(found) != len(ids):
            errors["collectors"] = _("Unknown person.")
        fields["collectors"] = [found[i] for i in ids if i in found]
    if errors:
        raise InvalidInput(_("Please correct the highlighted fields."), code="invalid_fields",
                           detail=errors)
    return fields


# -- reads ----------------------------------------------------------------------------------

@router.get("/cases/{key}/evidence", response={200: list[ItemOut], **DENIED_OR_MISSING},
            operation_id="evidence_for_case",
            summary="A case's evidence items with their files",
            description="In evidence-number order, withdrawn items included (state "
                        "`withdrawn`, with the reason). `key` is the case's public id or "
                        "number.")
def evidence_list(request: HttpRequest, key: str) -> Any:
    require_perm(request.user, Perm.VIEW_CASES)
    case = case_get_for_user(user=request.user, key=key)
    return [item_out(it, case) for it in evidence_for_case(request.user, case)]


@router.get("/cases/{key}/evidence/files", response={200: list[FileOut], **DENIED_OR_MISSING},
            operation_id="evidence_files_for_case",
            summary="Every file of a case's evidence",
            description="In upload order, with both hashes and the audio/video details.")
@paginated
def evidence_files(request: HttpRequest, key: str) -> QuerySet[EvidenceFile]:
    require_perm(request.user, Perm.VIEW_CASES)
    case = case_get_for_user(user=request.user, key=key)
    return evidence_files_for_case(request.user, case)


@router.get("/evidence/items/{public_id}", response={200: ItemOut, **DENIED_OR_MISSING},
            operation_id="evidence_item_get_for_user", summary="One evidence item")
def evidence_item_get(request: HttpRequest, public_id: str) -> Any:
    require_perm(request.user, Perm.VIEW_CASES)
    return _item_answer(request.user, item_get_for_user(user=request.user,
                                                        public_id=public_id))


@router.get("/evidence/files/{public_id}", response={200: FileDetailOut, **DENIED_OR_MISSING},
            operation_id="file_get_for_user",
            summary="One evidence file: hashes, audio/video details, ledger entry, retention",
            description="Reading these details is not a view of the content: the content "
                        "is at /evidence/files/{public_id}/content, which records views and "
                        "downloads on the ledger.")
def evidence_file_get(request: HttpRequest, public_id: str) -> Any:
    require_perm(request.user, Perm.VIEW_CASES)
    return file_get_for_user(user=request.user, public_id=public_id)


# -- changes --------------------------------------------------------------------------------

@router.post("/cases/{key}/evidence", response={201: ItemOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="evidence_item_create", url_name="evidence_item_create",
             summary="Record an evidence item",
             description="The item gets the case's next evidence number; its files are "
                         "uploaded afterwards through the tus server (/uploads/, metadata "
                         "`item`). 400 invalid_fields (detail: field -> message), "
                         "invalid_coordinates, evidence_title_required, "
                         "collector_out_of_body.")
def evidence_item_create_post(request: HttpRequest, key: str, payload: ItemCreateIn) -> Any:
    require_perm(request.user, Perm.HANDLE_CASES)
    case = case_get_for_user(user=request.user, key=key)
    fields = _references(request.user, case, payload.dict())
    item = evidence_item_create(actor=request.user, case=case, **fields)
    return Status(201, _item_answer(request.user, item))


@router.patch("/evidence/items/{public_id}",
              response={200: ItemOut, **DENIED_OR_MISSING, **REJECTED},
              operation_id="evidence_item_update",
              summary="Change an evidence item's details",
              description="Only the fields sent change; the ledger entry lists each changed "
                          "field with its old and new value (none when nothing changed). "
                          "409 item_withdrawn, case_archived; 400 invalid_fields, "
                          "invalid_coordinates, evidence_title_required, "
                          "collector_out_of_body.")
def evidence_item_patch(request: HttpRequest, public_id: str, payload: ItemUpdateIn) -> Any:
    require_perm(request.user, Perm.HANDLE_CASES)
    item = item_get_for_user(user=request.user, public_id=public_id)
    given = payload.dict(exclude_unset=True)
    for name in ("kind", "title", "collectors"):
        if name in given and given[name] is None:
            raise InvalidInput(_("Please correct the highlighted fields."),
                               code="invalid_fields", detail={name: _("Required.")})
    fields = _references(request.user, item.case, given)
    evidence_item_update(actor=request.user, item=item, **fields)
    return _item_answer(request.user, item)


@router.post("/evidence/items/{public_id}/withdraw",
             response={200: ItemOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="evidence_item_withdraw",
             summary="Withdraw an evidence item, with the reason",
             description="The item and its files stay in the record (state `withdrawn`). "
                         "400 reason_required; 409 item_withdrawn, case_archived.")
def evidence_item_withdraw_post(request: HttpRequest, public_id: str,
                                payload: WithdrawIn) -> Any:
    require_perm(request.user, Perm.HANDLE_CASES)
    item = item_get_for_user(user=request.user, public_id=public_id)
    evidence_item_withdraw(actor=request.user, item=item, reason=payload.reason)
    return _item_answer(request.user, item)


@router.post("/evidence/files/{public_id}/attach",
             response={200: FileDetailOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="evidence_file_attach",
             summary="Move a file to another evidence item of its case",
             description="400 item_not_in_case; 404 item_not_found; 409 item_withdrawn, "
                         "file_already_in_item, case_archived.")
def evidence_file_attach_post(request: HttpRequest, public_id: str, payload: AttachIn) -> Any:
    require_perm(request.user, Perm.HANDLE_CASES)
    f = file_get_for_user(user=request.user, public_id=public_id)
    item = item_get_for_user(user=request.user, public_id=payload.item)
    evidence_file_attach(actor=request.user, file=f, item=item)
    return file_get_for_user(user=request.user, public_id=public_id)
