"""Disposal: deleting the bytes of files whose retention has run out, after a second person
approves, leaving a tombstone on the ledger (both hashes, size, name, reason, requester and
approver), so the proof outlives the file.

A file can be disposed of when it is active, not permanent (not adopted, its class has
months), its ``retain_until`` day has passed, its case is closed or archived and no hold is
in place on the case. Anyone who handles the body's cases asks (``disposal_request``); a
head of the same body who did not ask decides (``disposal_decide``, ``APPROVE_DISPOSAL``).
Everything is checked again at the decision: a hold placed meanwhile stops it.

Order of the work, so that no row ever says "stored" for bytes that are gone:
1. in the decision's transaction: files → ``disposed``, a ``FILE_DISPOSED`` tombstone per
   file on its case's stream, and each blob no longer used by any active file (nor as a
   poster frame of an active file, nor as an archive package) → ``deleted`` with
   ``deleted_at`` empty (bytes pending deletion);
2. after the commit (``transaction.on_commit``): ``blob_bytes_purge`` deletes the bytes,
   holding the blob row lock and only if the row still says ``deleted`` (an upload of the same
   bytes revives the blob under the same lock), then sets ``deleted_at`` = when the bytes
   went. A rollback of step 1 leaves rows and bytes as they were; a failed deletion is logged
   and leaves ``deleted_at`` empty, and the next scrub (``scrub_run``) or
   ``blob_bytes_purge()`` retries it.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhifa.cases.services._access import require_handling
from zhifa.core.errors import ApplicationError, InvalidInput, NotFound, PermissionDenied
from zhifa.ledger.services import actor_label, ledger_append
from zhifa.orgs.models import EnforcementBody
from zhifa.orgs.permissions import Perm, perms_of, require_perm

from ..events import DISPOSAL_DECIDED, DISPOSAL_REQUESTED, FILE_DISPOSED
from ..models import (
    AvRecord,
    Blob,
    BlobState,
    CaseArchive,
    DisposalRequest,
    DisposalState,
    EvidenceFile,
    FileState,
    LegalHold,
)
from ..retention import CLOSED_STATUSES
from ..storage import storage_named

log = logging.getLogger(__name__)


def _zh(value: Any) -> str:
    with translation.override("zh-hans"):
        return str(value)


# --- Who sees what ----------------------------------------------------------------------------
def disposal_bodies(user: Any) -> QuerySet[EnforcementBody]:
    """Disposal is the business of one's own body (system administrators: every body)."""
    perms = perms_of(user)
    if Perm.ADMINISTER_SYSTEM in perms:
        return EnforcementBody.objects.all()
    if not perms & {Perm.HANDLE_CASES, Perm.APPROVE_DISPOSAL} or not user.person_id:
        return EnforcementBody.objects.none()
    return EnforcementBody.objects.filter(pk=user.person.body_id)


def disposal_requests_for(user: Any) -> QuerySet[DisposalRequest]:
    return (DisposalRequest.objects.filter(body__in=disposal_bodies(user))
            .select_related("body", "requested_by__person", "decided_by__person")
            .order_by("-created_at", "-id"))


def disposal_get_for_user(*, user: Any, public_id: Any) -> DisposalRequest:
    try:
        pid = uuid.UUID(str(public_id))
    except ValueError:
        pid = None
    row = disposal_requests_for(user).filter(public_id=pid).first() if pid else None
    if row is None:
        raise NotFound(_("Disposal request not found."), code="disposal_not_found")
    return row


def _pending_q() -> Exists:
    return Exists(DisposalRequest.files.through.objects.filter(
        evidencefile_id=OuterRef("pk"), disposalrequest__state=DisposalState.PENDING))


def files_due(*, bodies: Iterable[EnforcementBody] | QuerySet[EnforcementBody],
              today: dt.date | None = None) -> QuerySet[EvidenceFile]:
    """Files of these bodies that could be disposed of today and are not yet in a pending
    request, oldest expiry first."""
    today = today or timezone.localdate()
    held = Exists(LegalHold.objects.filter(case=OuterRef("case_id"), released_at__isnull=True))
    return (EvidenceFile.objects
            .filter(case__body__in=bodies, state=FileState.ACTIVE, permanent=False,
                    item__adopted=False, retain_until__lt=today,
                    case__status__in=CLOSED_STATUSES)
            .exclude(held).exclude(_pending_q())
            .select_related("case", "item", "blob", "retention_class")
            .order_by("retain_until", "case_id", "id"))


def disposal_blockers(f: EvidenceFile, *, today: dt.date | None = None,
                      request: DisposalRequest | None = None) -> list[tuple[str, str]]:
    """Why ``f`` cannot be disposed of today, as (code, message); empty when it can. A
    pending request other than ``request`` that holds the file blocks it too."""
    today = today or timezone.localdate()
    out: list[tuple[str, str]] = []
    if f.state != FileState.ACTIVE:
        return [("file_disposed", _("The file has already been disposed of."))]
    if f.permanent or f.item.adopted:
        out.append(("file_permanent", _("The file is kept permanently.")))
    elif f.retain_until is None:
        out.append(("retention_not_started",
                    _("The retention period starts when the case is closed.")))
    elif f.retain_until >= today:
        out.append(("retention_not_expired", _("The file is kept until %(day)s.")
                    % {"day": f.retain_until.isoformat()}))
    if f.case.status not in CLOSED_STATUSES:
        out.append(("case_open", _("The case is still open.")))
    if LegalHold.objects.filter(case=f.case_id, released_at__isnull=True).exists():
        out.append(("case_on_hold", _("A hold is in place on the case.")))
    others = DisposalRequest.objects.filter(files=f, state=DisposalState.PENDING)
    if request is not None:
        others = others.exclude(pk=request.pk)
    if others.exists():
        out.append(("disposal_pending", _("The file is already in a pending disposal "
                                          "request.")))
    return out


def _refuse(blocked: list[tuple[EvidenceFile, list[tuple[str, str]]]]) -> ApplicationError:
    detail = [{"file": str(f.public_id), "filename": f.filename, "case": f.case.number,
               "code": code, "message": message}
              for f, reasons in blocked for code, message in reasons]
    first = detail[0]
    return ApplicationError(
        _("“%(name)s” cannot be disposed of: %(why)s") % {"name": first["filename"],
                                                          "why": first["message"]},
        code="file_not_disposable", detail=detail)


def _locked_files(files: Iterable[EvidenceFile]) -> list[EvidenceFile]:
    ids = sorted({f.pk for f in files})
    return list(EvidenceFile.objects.select_for_update(of=("self",)).filter(pk__in=ids)
                .select_related("case", "case__body", "item", "blob", "retention_class")
                .order_by("case_id", "id"))


def _by_case(files: list[EvidenceFile]) -> dict[int, list[EvidenceFile]]:
    groups: dict[int, list[EvidenceFile]] = {}
    for f in files:
        groups.setdefault(f.case_id, []).append(f)
    return groups


# --- Services --------------------------------------------------------------------------------
@transaction.atomic
def disposal_request(*, actor: Any, files: Iterable[EvidenceFile],
                     reason: str) -> DisposalRequest:
    """Ask for the bytes of ``files`` (all of one body) to be deleted."""
    require_perm(actor, Perm.HANDLE_CASES)
    chosen = list(files)
    if not chosen:
        raise InvalidInput(_("Choose at least one file."), code="disposal_files_required")
    bodies = {f.case.body_id for f in chosen}
    if len(bodies) != 1:
        raise InvalidInput(_("A disposal request covers the files of one enforcement body."),
                           code="disposal_mixed_bodies")
    body = chosen[0].case.body
    require_handling(actor, body)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason for the disposal."),
                           code="disposal_reason_required")
    locked = _locked_files(chosen)
    today = timezone.localdate()
    blocked = [(f, r) for f in locked if (r := disposal_blockers(f, today=today))]
    if blocked:
        raise _refuse(blocked)
    request = DisposalRequest.objects.create(body=body, reason=reason, requested_by=actor)
    request.files.set(locked)
    for group in _by_case(locked).values():
        case = group[0].case
        ledger_append(actor=actor, event=DISPOSAL_REQUESTED, stream=case.stream, body=body,
                      payload={"case": case.number, "request": str(request.public_id),
                               "count": len(group), "reason": reason,
                               "files": [{"file": str(f.public_id), "filename": f.filename,
                                          "sha256": f.blob.sha256, "sm3": f.blob.sm3,
                                          "retain_until": f.retain_until.isoformat()
                                          if f.retain_until else None} for f in group]})
    return request


def blob_in_use(blob_id: int) -> bool:
    """Still needed: by an active file, as the poster frame of an active file, or as an
    archive package."""
    return (EvidenceFile.objects.filter(blob_id=blob_id, state=FileState.ACTIVE).exists()
            or AvRecord.objects.filter(poster_id=blob_id, file__state=FileState.ACTIVE).exists()
            or CaseArchive.objects.filter(package_id=blob_id).exists())


@transaction.atomic
def disposal_decide(*, actor: Any, request: DisposalRequest, approve: bool,
                    note: str = "") -> DisposalRequest:
    """Approve (the files are disposed of, their unused bytes deleted after the commit) or
    reject (only the decision is recorded). The approver has ``APPROVE_DISPOSAL`` in the
    request's own body and is not the requester."""
    require_perm(actor, Perm.APPROVE_DISPOSAL)
    if not actor.person_id or actor.person.body_id != request.body_id:
        raise PermissionDenied(_("Only the heads of the body that holds the files decide on "
                                 "their disposal."), code="disposal_out_of_scope")
    locked = DisposalRequest.objects.select_for_update().get(pk=request.pk)
    if locked.state != DisposalState.PENDING:
        raise ApplicationError(_("This request has already been decided."),
                               code="disposal_closed")
    if locked.requested_by_id == actor.pk:
        raise PermissionDenied(_("A disposal is approved by someone other than the person "
                                 "who asked for it."), code="disposal_self")
    note = (note or "").strip()
    if not approve and not note:
        raise InvalidInput(_("Give the reason for rejecting the request."),
                           code="disposal_note_required")
    files = _locked_files(locked.files.all())
    now = timezone.now()
    if approve:
        today = timezone.localdate()
        blocked = [(f, r) for f in files
                   if (r := disposal_blockers(f, today=today, request=locked))]
        if blocked:
            raise _refuse(blocked)
    locked.state = DisposalState.APPROVED if approve else DisposalState.REJECTED
    locked.decided_by, locked.decided_at, locked.decision_note = actor, now, note
    locked.save(update_fields=["state", "decided_by", "decided_at", "decision_note",
                               "updated_at"])
    label = _zh(_("approved and carried out") if approve else _("rejected"))
    purge: list[int] = []
    if approve:
        purge = _dispose(actor=actor, request=locked, files=files, now=now)
    for group in _by_case(files).values():
        case = group[0].case
        ledger_append(actor=actor, event=DISPOSAL_DECIDED, stream=case.stream,
                      body=locked.body,
                      payload={"case": case.number, "request": str(locked.public_id),
                               "decision": "approved" if approve else "rejected",
                               "decision_label": label, "note": note, "count": len(group),
                               "requested_by": actor_label(locked.requested_by),
                               "reason": locked.reason})
    if purge:
        transaction.on_commit(lambda: blob_bytes_purge(purge), robust=True)
    request.state, request.decided_by, request.decided_at = locked.state, actor, now
    request.decision_note = note
    return locked


def _dispose(*, actor: Any, request: DisposalRequest, files: list[EvidenceFile],
             now: dt.datetime) -> list[int]:
    """Files → disposed with their tombstones; the blobs nobody needs any more → deleted
    (bytes pending). Returns the ids of those blobs."""
    ids = [f.pk for f in files]
    EvidenceFile.objects.filter(pk__in=ids).update(state=FileState.DISPOSED, disposed_at=now,
                                                   updated_at=now)
    posters = dict(AvRecord.objects.filter(file_id__in=ids, poster__isnull=False)
                   .values_list("file_id", "poster_id"))
    candidates = sorted({f.blob_id for f in files} | set(posters.values()))
    going = {pk for pk in candidates if not blob_in_use(pk)}
    if going:
        Blob.objects.filter(pk__in=going, state=BlobState.PRESENT).update(
            state=BlobState.DELETED, deleted_at=None)
    requested_by = actor_label(request.requested_by)
    approved_by = actor_label(actor)
    for f in files:
        case, blob = f.case, f.blob
        ledger_append(actor=actor, event=FILE_DISPOSED, stream=case.stream, body=case.body,
                      payload={
                          "case": case.number, "file": str(f.public_id),
                          "item": str(f.item.public_id), "item_seq": f.item.seq,
                          "filename": f.filename, "mime": f.mime, "size": f.size,
                          "sha256": blob.sha256, "sm3": blob.sm3, "sm3_short": blob.sm3[:16],
                          "reason": request.reason, "request": str(request.public_id),
                          "requested_by": requested_by, "approved_by": approved_by,
                          "note": request.decision_note,
                          "retention_class": f.retention_class.code
                          if f.retention_class is not None else None,
                          "retain_until": f.retain_until.isoformat() if f.retain_until
                          else None,
                          "bytes_deleted": blob.pk in going})
        f.state, f.disposed_at = FileState.DISPOSED, now
    return sorted(going)


def blob_bytes_purge(blob_ids: Iterable[int] | None = None) -> int:
    """Delete the bytes of blobs marked deleted whose bytes are still pending (all of them,
    or these); returns how many went. Each runs in its own short transaction holding the
    blob row, so an upload of the same bytes at that moment either revives the row first
    (nothing is deleted) or stores the bytes again after. Failures are logged and retried on
    the next run."""
    qs = Blob.objects.filter(state=BlobState.DELETED, deleted_at__isnull=True)
    if blob_ids is not None:
        qs = qs.filter(pk__in=list(blob_ids))
    done = 0
    for pk in list(qs.order_by("id").values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                blob = (Blob.objects.select_for_update()
                        .filter(Q(pk=pk), state=BlobState.DELETED, deleted_at__isnull=True)
                        .first())
                if blob is None:
                    continue
                if blob_in_use(pk):  # never expected: refuse to delete what is referenced
                    log.error("blob %s is marked deleted but still referenced; kept", pk)
                    continue
                storage_named(blob.storage).delete(blob.key)
                blob.deleted_at = timezone.now()
                blob.save(update_fields=["deleted_at"])
            done += 1
        except Exception:
            log.exception("deleting the bytes of blob %s failed; retried on the next run", pk)
    return done
