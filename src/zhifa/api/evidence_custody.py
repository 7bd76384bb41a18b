"""Custody of evidence: shares with outside recipients, holds, retention, disposal of expired
files, and the scrub report.

Every change goes through its service (``zhifa.evidence.services.custody``, ``.holds``,
``.disposal``, ``zhifa.evidence.retention``), which checks the actor and writes the ledger
entry in the same transaction; a refusal changes nothing. Reads are scoped like the case:
a share, hold, file or case outside the user's scope is 404.

Error codes: 403 ``missing_handle_cases``, ``case_out_of_scope``, ``missing_manage_recording``,
``retention_out_of_scope``, ``missing_approve_disposal``, ``disposal_out_of_scope``,
``disposal_self``, ``missing_administer_system``; 404 ``case_not_found``, ``share_not_found``,
``hold_not_found``, ``file_not_found``, ``item_not_found``, ``retention_class_not_found``,
``disposal_not_found``; 400 ``invalid_recipient_kind``, ``share_recipient_required``,
``share_files_required``, ``share_expiry_invalid``, ``invalid_hold_kind``,
``hold_reason_required``, ``disposal_files_required``, ``disposal_reason_required``,
``disposal_note_required``, ``disposal_mixed_bodies``; 409 ``share_revoked``,
``hold_released``, ``file_disposed``, ``file_not_disposable`` (``detail``: one row per file
and reason, each with its ``code``), ``disposal_closed``, ``case_archived``.
"""


import datetime as dt
import json
import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from zhifa.cases.models import Case
from zhifa.cases.selectors import case_get_for_user, visible_cases
from zhifa.core.errors import NotFound, PermissionDenied
from zhifa.evidence.events import SCRUB_RUN
from zhifa.evidence.models import (
    Blob,
    BlobState,
    DisposalRequest,
    EvidenceFile,
    HoldKind,
    LegalHold,
    RecipientKind,
    RetentionClass,
    ShareLink,
    VerifyState,
)
from zhifa.evidence.retention import evidence_item_adopt, file_retention_set, retention_label
from zhifa.evidence.scrub import STREAM as SCRUB_STREAM
from zhifa.evidence.selectors import file_get_for_user, item_get_for_user, visible_files
from zhifa.evidence.services.custody import share_create, share_revoke, share_status
from zhifa.evidence.services.disposal import (
    disposal_bodies,
    disposal_decide,
    disposal_get_for_user,
    disposal_request,
    disposal_requests_for,
    files_due,
)
from zhifa.evidence.services.holds import hold_place, hold_release
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.services import actor_label
from zhifa.orgs.permissions import Perm, perms_of, require_perm
from zhifa.orgs.selectors import visible_bodies

from .case_schemas import CaseRefOut
from .common import DENIED, DENIED_OR_MISSING, REJECTED, BodyRefOut, paginated
from .evidence import BlobHashesResolved

router = Router(tags=["evidence"])


# -- schemas --------------------------------------------------------------------------------

class SharedFileOut(Schema):
    public_id: uuid.UUID
    filename: str
    sha256: str


class ShareOut(Schema):
    public_id: uuid.UUID
    case: CaseRefOut
    recipient_kind: str
    recipient: str
    purpose: str
    expires_at: dt.datetime
    allow_download: bool
    status: str = Field(description="active, expired or revoked")
    revoked_at: dt.datetime | None
    access_count: int
    created_at: dt.datetime
    created_by: str
    files: list[SharedFileOut]


class ShareCreatedOut(ShareOut):
    token: str = Field(description="Shown this once; only its SHA-256 is kept")
    url: str


class ShareCreateIn(Schema):
    recipient_kind: RecipientKind
    recipient: str = Field(max_length=200)
    purpose: str = Field("", max_length=200)
    expires_at: dt.datetime = Field(description="ISO 8601; in the future and at most "
                                    "ZHIFA_SHARE_MAX_DAYS (default 90) days ahead")
    allow_download: bool = True
    files: list[uuid.UUID] = Field(description="Public ids of the case's files")


class ReasonIn(Schema):
    reason: str = Field("", max_length=2000)


class HoldOut(Schema):
    public_id: uuid.UUID
    case: CaseRefOut
    kind: str
    reason: str
    placed_by: str
    created_at: dt.datetime
    active: bool
    released_at: dt.datetime | None
    released_by: str | None
    release_reason: str


class HoldIn(Schema):
    kind: HoldKind
    reason: str = Field(max_length=2000)


class RetentionClassOut(Schema):
    public_id: uuid.UUID
    code: str
    name: str
    body: BodyRefOut | None = Field(description="null: the installation's default")
    item: str | None = Field(description="enforcement item code")
    sector: str | None
    procedure: str
    months: int | None = Field(description="null: kept permanently")
    source: str
    active: bool

    @staticmethod
    def resolve_item(obj: RetentionClass) -> str | None:
        return obj.item.code if obj.item is not None else None

    @staticmethod
    def resolve_sector(obj: RetentionClass) -> str | None:
        return obj.sector.code if obj.sector is not None else None


class AdoptIn(Schema):
    adopted: bool


class FileRetentionIn(Schema):
    retention_class: uuid.UUID | None = Field(description="null: back to the class resolved "
                                              "for the case")


class FileRetentionOut(Schema):
    public_id: uuid.UUID
    filename: str
    state: str
    retention_class: str | None
    permanent: bool
    retain_until: dt.date | None
    retention: str


class AdoptOut(Schema):
    public_id: uuid.UUID
    seq: int
    adopted: bool
    files: list[FileRetentionOut]


class DisposalFileOut(BlobHashesResolved):
    public_id: uuid.UUID
    case: CaseRefOut
    filename: str
    size: int
    sha256: str
    sm3: str
    state: str
    retain_until: dt.date | None


class DisposalOut(Schema):
    public_id: uuid.UUID
    body: BodyRefOut
    state: str
    reason: str
    requested_by: str
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str
    files: list[DisposalFileOut]

    @staticmethod
    def resolve_requested_by(obj: DisposalRequest) -> str:
        return actor_label(obj.requested_by)

    @staticmethod
    def resolve_requested_at(obj: DisposalRequest) -> dt.datetime:
        return obj.created_at

    @staticmethod
    def resolve_decided_by(obj: DisposalRequest) -> str | None:
        return actor_label(obj.decided_by) if obj.decided_by is not None else None

    @staticmethod
    def resolve_files(obj: DisposalRequest) -> list[EvidenceFile]:
        return list(obj.files.select_related("case", "blob").order_by("case_id", "id"))


class DisposalIn(Schema):
    files: list[uuid.UUID]
    reason: str = Field(max_length=2000)


class DecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=2000)


class ScrubRunOut(Schema):
    seq: int
    recorded_at: dt.datetime
    actor_name: str
    checked: int
    failed: int
    bytes: int
    seconds: float
    sample: int | None
    failures: list[dict[str, Any]]


class FailingBlobOut(Schema):
    sha256: str
    sm3: str
    size: int
    verify_state: str
    verified_at: dt.datetime | None
    files: list[DisposalFileOut]


class ScrubReportOut(Schema):
    runs: list[ScrubRunOut]
    failing: list[FailingBlobOut]


# -- shaping --------------------------------------------------------------------------------

def _case_ref(case: Case) -> dict[str, Any]:
    return {"public_id": case.public_id, "number": case.number}


def _share(s: ShareLink) -> dict[str, Any]:
    return {
        "public_id": s.public_id, "case": _case_ref(s.case), "recipient_kind": s.recipient_kind,
        "recipient": s.recipient, "purpose": s.purpose, "expires_at": s.expires_at,
        "allow_download": s.allow_download, "status": share_status(s),
        "revoked_at": s.revoked_at, "access_count": s.access_count,
        "created_at": s.created_at, "created_by": actor_label(s.created_by),
        "files": [{"public_id": f.public_id, "filename": f.filename, "sha256": f.blob.sha256}
                  for f in sorted(s.files.all(), key=lambda f: f.pk)],
    }


def _hold(h: LegalHold) -> dict[str, Any]:
    return {
        "public_id": h.public_id, "case": _case_ref(h.case), "kind": h.kind, "reason": h.reason,
        "placed_by": actor_label(h.placed_by), "created_at": h.created_at,
        "active": h.released_at is None, "released_at": h.released_at,
        "released_by": actor_label(h.released_by) if h.released_by else None,
        "release_reason": h.release_reason,
    }


def _file_retention(f: EvidenceFile) -> dict[str, Any]:
    return {"public_id": f.public_id, "filename": f.filename, "state": f.state,
            "retention_class": f.retention_class.code if f.retention_class else None,
            "permanent": f.permanent, "retain_until": f.retain_until,
            "retention": retention_label(f)}


def _shares(user: Any) -> QuerySet[ShareLink]:
    return (ShareLink.objects.filter(case__in=visible_cases(user))
            .select_related("case", "created_by__person").prefetch_related("files__blob"))


def _holds(user: Any) -> QuerySet[LegalHold]:
    return (LegalHold.objects.filter(case__in=visible_cases(user))
            .select_related("case", "case__body", "placed_by__person", "released_by__person"))


def _share_get(user: Any, public_id: Any) -> ShareLink:
    share = _shares(user).select_related("case__body").filter(public_id=public_id).first()
    if share is None:
        raise NotFound(_("Share not found."), code="share_not_found")
    return share


def _require_disposal_access(user: Any) -> None:
    if not perms_of(user) & {Perm.HANDLE_CASES, Perm.APPROVE_DISPOSAL,
                             Perm.ADMINISTER_SYSTEM}:
        raise PermissionDenied(_("You do not have permission for this action."),
                               code="missing_handle_cases")


# -- shares ---------------------------------------------------------------------------------

@router.get("/cases/{key}/shares", response={200: list[ShareOut], **DENIED_OR_MISSING},
            operation_id="shares_for_case", summary="The case's shares, newest first")
def shares_list(request: HttpRequest, key: str) -> Any:
    require_perm(request.user, Perm.VIEW_CASES)
    case = case_get_for_user(user=request.user, key=key)
    return [_share(s) for s in _shares(request.user).filter(case=case)
            .order_by("-created_at", "-id")]


@router.post("/cases/{key}/shares",
             response={201: ShareCreatedOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="share_create",
             summary="Share files of the case by link, with an expiry",
             description="The answer carries the token and the link once; only the token's "
                         "SHA-256 is kept. Needs handling permission in the case's body; "
                         "allowed on archived cases.")
def share_create_post(request: HttpRequest, key: str, payload: ShareCreateIn) -> Any:
    require_perm(request.user, Perm.HANDLE_CASES)
    case = case_get_for_user(user=request.user, key=key)
    files = list(EvidenceFile.objects.filter(case=case, public_id__in=payload.files)
                 .select_related("blob"))
    if len(files) != len(set(payload.files)):
        raise NotFound(_("Evidence file not found."), code="file_not_found")
    share, token = share_create(
        actor=request.user, case=case, files=files, recipient_kind=payload.recipient_kind,
        recipient=payload.recipient, expires_at=payload.expires_at, purpose=payload.purpose,
        allow_download=payload.allow_download)
    out = _share(_shares(request.user).get(pk=share.pk))
    url = request.build_absolute_uri(reverse("web:share_page", kwargs={"token": token}))
    return Status(201, {**out, "token": token, "url": url})


@router.post("/shares/{public_id}/revoke",
             response={200: ShareOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="share_revoke", summary="Revoke a share at once")
def share_revoke_post(request: HttpRequest, public_id: uuid.UUID, payload: ReasonIn) -> Any:
    require_perm(request.user, Perm.HANDLE_CASES)
    share = _share_get(request.user, public_id)
    share_revoke(actor=request.user, share=share, reason=payload.reason)
    return _share(_shares(request.user).get(pk=share.pk))


# -- holds ----------------------------------------------------------------------------------

@router.get("/cases/{key}/holds", response={200: list[HoldOut], **DENIED_OR_MISSING},
            operation_id="holds_for_case", summary="The case's holds, active ones first")
def holds_list(request: HttpRequest, key: str) -> Any:
    require_perm(request.user, Perm.VIEW_CASES)
    case = case_get_for_user(user=request.user, key=key)
    return [_hold(h) for h in _holds(request.user).filter(case=case)
            .order_by("released_at", "-created_at", "-id")]


@router.post("/cases/{key}/holds", response={201: HoldOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="hold_place",
             summary="Place a hold: none of the case's files can be disposed of meanwhile")
def hold_place_post(request: HttpRequest, key: str, payload: HoldIn) -> Any:
    require_perm(request.user, Perm.HANDLE_CASES)
    case = case_get_for_user(user=request.user, key=key)
    hold = hold_place(actor=request.user, case=case, kind=payload.kind, reason=payload.reason)
    return Status(201, _hold(_holds(request.user).get(pk=hold.pk)))


@router.post("/holds/{public_id}/release",
             response={200: HoldOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="hold_release", summary="Release a hold (a reason is required)")
def hold_release_post(request: HttpRequest, public_id: uuid.UUID, payload: ReasonIn) -> Any:
    require_perm(request.user, Perm.HANDLE_CASES)
    hold = _holds(request.user).filter(public_id=public_id).first()
    if hold is None:
        raise NotFound(_("Hold not found."), code="hold_not_found")
    hold_release(actor=request.user, hold=hold, reason=payload.reason)
    return _hold(_holds(request.user).get(pk=hold.pk))


# -- retention ------------------------------------------------------------------------------

@router.get("/retention-classes", response={200: list[RetentionClassOut], **DENIED},
            operation_id="retention_classes_for",
            summary="Retention classes of the bodies in scope and the installation's")
@paginated
def retention_classes_list(request: HttpRequest) -> Any:
    if not perms_of(request.user) & {Perm.VIEW_CASES, Perm.MANAGE_RECORDING}:
        require_perm(request.user, Perm.VIEW_CASES)
    bodies = visible_bodies(request.user)
    return (RetentionClass.objects.filter(Q(body__in=bodies) | Q(body__isnull=True))
            .select_related("body", "item", "sector").order_by("body_id", "code", "id"))


@router.post("/evidence/items/{public_id}/adopt",
             response={200: AdoptOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="evidence_item_adopt",
             summary="Mark an item as used (or not) as evidence in the decision (采信)",
             description="Files of an adopted item are kept permanently; each file whose "
                         "retention changes gets a RETENTION_CHANGED entry.")
def item_adopt_post(request: HttpRequest, public_id: uuid.UUID, payload: AdoptIn) -> Any:
    require_perm(request.user, Perm.HANDLE_CASES)
    item = item_get_for_user(user=request.user, public_id=public_id)
    evidence_item_adopt(actor=request.user, item=item, adopted=payload.adopted)
    files = EvidenceFile.objects.filter(item=item).select_related("retention_class")
    return {"public_id": item.public_id, "seq": item.seq, "adopted": payload.adopted,
            "files": [_file_retention(f) for f in files.order_by("id")]}


@router.put("/evidence/files/{public_id}/retention",
            response={200: FileRetentionOut, **DENIED_OR_MISSING, **REJECTED},
            operation_id="file_retention_set",
            summary="Put one file in a retention class by hand (heads, body administrators)")
def file_retention_put(request: HttpRequest, public_id: uuid.UUID,
                       payload: FileRetentionIn) -> Any:
    f = file_get_for_user(user=request.user, public_id=public_id)
    cls = None
    if payload.retention_class is not None:
        cls = RetentionClass.objects.filter(public_id=payload.retention_class).first()
        if cls is None:
            raise NotFound(_("Retention class not found."), code="retention_class_not_found")
    file_retention_set(actor=request.user, file=f, retention_class=cls)
    return _file_retention(EvidenceFile.objects.select_related("retention_class").get(pk=f.pk))


# -- disposal -------------------------------------------------------------------------------

@router.get("/disposal/due", response={200: list[DisposalFileOut], **DENIED},
            operation_id="files_due",
            summary="Files of one's body whose retention has run out and that can be "
                    "disposed of")
@paginated
def disposal_due(request: HttpRequest) -> Any:
    _require_disposal_access(request.user)
    return files_due(bodies=disposal_bodies(request.user))


@router.get("/disposal/requests", response={200: list[DisposalOut], **DENIED},
            operation_id="disposal_requests_for", summary="Disposal requests, newest first")
@paginated
def disposal_list(request: HttpRequest) -> Any:
    _require_disposal_access(request.user)
    return disposal_requests_for(request.user)


@router.get("/disposal/requests/{public_id}",
            response={200: DisposalOut, **DENIED_OR_MISSING},
            operation_id="disposal_get_for_user", summary="One disposal request")
def disposal_get(request: HttpRequest, public_id: uuid.UUID) -> Any:
    _require_disposal_access(request.user)
    return disposal_get_for_user(user=request.user, public_id=public_id)


@router.post("/disposal/requests",
             response={201: DisposalOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="disposal_request",
             summary="Ask for the bytes of expired files to be deleted",
             description="All files of one body, each past its retention, of a closed case "
                         "without a hold, not permanent and not in another pending request "
                         "(else 409 file_not_disposable, detail: one row per file and "
                         "reason).")
def disposal_request_post(request: HttpRequest, payload: DisposalIn) -> Any:
    require_perm(request.user, Perm.HANDLE_CASES)
    files = list(visible_files(request.user).filter(public_id__in=payload.files)
                 .select_related("case", "case__body"))
    if len(files) != len(set(payload.files)):
        raise NotFound(_("Evidence file not found."), code="file_not_found")
    req = disposal_request(actor=request.user, files=files, reason=payload.reason)
    return Status(201, disposal_requests_for(request.user).get(pk=req.pk))


@router.post("/disposal/requests/{public_id}/decision",
             response={200: DisposalOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="disposal_decide",
             summary="Approve (dispose of the files) or reject a disposal request",
             description="A head of the request's body who did not ask for it. Approval "
                         "leaves a FILE_DISPOSED tombstone per file (both hashes, size, name, "
                         "reason, requester, approver); bytes no other file uses are deleted "
                         "after the commit. Rejection needs a note.")
def disposal_decide_post(request: HttpRequest, public_id: uuid.UUID, payload: DecisionIn) -> Any:
    require_perm(request.user, Perm.APPROVE_DISPOSAL)
    req = disposal_get_for_user(user=request.user, public_id=public_id)
    disposal_decide(actor=request.user, request=req, approve=payload.approve,
                    note=payload.note)
    return disposal_requests_for(request.user).get(pk=req.pk)


# -- scrub ----------------------------------------------------------------------------------

@router.get("/evidence/scrub", response={200: ScrubReportOut, **DENIED},
            operation_id="scrub_report",
            summary="The latest re-hash runs and the stored files now failing (administrators)")
def scrub_report(request: HttpRequest, runs: int = 10) -> Any:
    require_perm(request.user, Perm.ADMINISTER_SYSTEM)
    entries = (LedgerEntry.objects.filter(stream=SCRUB_STREAM, event_code=SCRUB_RUN.code)
               .order_by("-stream_seq")[:max(1, min(runs, 100))])
    out_runs = []
    for e in entries:
        p = json.loads(e.payload)
        out_runs.append({"seq": e.seq, "recorded_at": e.recorded_at, "actor_name": e.actor_name,
                         "checked": p.get("checked", 0), "failed": p.get("failed", 0),
                         "bytes": p.get("bytes", 0), "seconds": p.get("ms", 0) / 1000,
                         "sample": p.get("sample"), "failures": p.get("failures", [])})
    failing = []
    for b in (Blob.objects.filter(state=BlobState.PRESENT,
                                  verify_state__in=[VerifyState.MISMATCH, VerifyState.MISSING])
              .order_by("id")[:500]):
        files = EvidenceFile.objects.filter(blob=b).select_related("case", "blob")
        failing.append({"sha256": b.sha256, "sm3": b.sm3, "size": b.size,
                        "verify_state": b.verify_state, "verified_at": b.verified_at,
                        "files": list(files.order_by("id"))})
    return {"runs": out_runs, "failing": failing}
