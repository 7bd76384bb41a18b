"""From finished bytes to evidence: store the blob once by its SHA-256, create the file row,
record both hashes on the ledger. Only complete, checked uploads come here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput
from zhifa.ledger.services import ledger_append

from ..events import FILE_UPLOADED
from ..hashing import Digests
from ..models import Blob, BlobState, EvidenceFile, EvidenceItem, Upload, VerifyState
from ..storage import get_storage, key_for, storage_named
from ._access import require_evidence_change


def blob_store(*, path: Path, digests: Digests, mime: str, move: bool = True) -> tuple[Blob, bool]:
    """The blob for these bytes, storing them if they are new (``created`` is True then).

    ``path`` holds the bytes just hashed into ``digests``: they are right by construction.
    So a blob whose stored bytes were disposed of earlier is stored again and revived, and so
    is one whose stored object the last check found damaged or gone (``verify_state``
    ``mismatch`` or ``missing``): the bad object is deleted and the good bytes stored in its
    place, and the blob goes back to ``unchecked`` for the next scrub to confirm."""
    existing = Blob.objects.select_for_update().filter(sha256=digests.sha256).first()
    damaged = existing is not None and existing.verify_state in (VerifyState.MISMATCH,
                                                                 VerifyState.MISSING)
    if existing is not None and existing.state == BlobState.PRESENT and not damaged:
        storage = storage_named(existing.storage)
        if storage.exists(existing.key):
            if move:
                Path(path).unlink(missing_ok=True)
            return existing, False
    if existing is not None and damaged and existing.state == BlobState.PRESENT:
        # the object under this address is not these bytes (or not there): never trust it
        storage_named(existing.storage).delete(existing.key)
    storage = get_storage()
    key = key_for(digests.sha256)
    storage.put_file(key, Path(path), move=move)
    if existing is not None:
        existing.state, existing.deleted_at = BlobState.PRESENT, None
        existing.storage, existing.key = storage.name, key
        existing.verify_state, existing.verified_at = VerifyState.UNCHECKED, None
        existing.save(update_fields=["state", "deleted_at", "storage", "key", "verify_state",
                                     "verified_at"])
        return existing, True
    try:
        with transaction.atomic():
            blob = Blob.objects.create(sha256=digests.sha256, sm3=digests.sm3,
                                       size=digests.size, mime=mime, storage=storage.name,
                                       key=key)
    except IntegrityError:  # the same bytes finished at the same moment in another upload
        return Blob.objects.get(sha256=digests.sha256), False
    return blob, True


def file_payload(f: EvidenceFile, *, blob_new: bool | None = None) -> dict[str, Any]:
    payload = {
        "case": f.case.number, "file": str(f.public_id), "item": str(f.item.public_id),
        "item_seq": f.item.seq, "filename": f.filename, "mime": f.mime, "size": f.size,
        "sha256": f.blob.sha256, "sm3": f.blob.sm3, "sm3_short": f.blob.sm3[:16],
        "storage": f.blob.storage,
    }
    if blob_new is not None:
        payload["stored_new"] = blob_new
    return payload


@transaction.atomic
def evidence_file_create(
    *, actor: Any, item: EvidenceItem, path: Path, digests: Digests, mime: str,
    filename: str, upload: Upload | None = None, metadata: dict[str, Any] | None = None,
    move: bool = True,
) -> EvidenceFile:
    """Store ``path`` (complete, hashed, type-checked) as a file of ``item``; the ledger entry
    carries SHA-256 and SM3. Audio and video get an ``AvRecord`` and a background analysis."""
    case = item.case
    require_evidence_change(actor, case)
    if digests.size != Path(path).stat().st_size:
        raise InvalidInput(_("The stored bytes do not match the upload's length."),
                           code="upload_incomplete")
    blob, created = blob_store(path=path, digests=digests, mime=mime, move=move)
    f = EvidenceFile.objects.create(
        case=case, item=item, blob=blob, filename=filename[:255] or blob.sha256[:12],
        mime=mime, size=digests.size, uploaded_by=actor)
    from ..retention import assign_default_retention

    assign_default_retention(f)
    entry = ledger_append(actor=actor, event=FILE_UPLOADED, stream=case.stream, body=case.body,
                          payload=file_payload(f, blob_new=created))
    f.ledger_seq = entry.seq
    f.save(update_fields=["ledger_seq", "retention_class", "retain_until", "permanent"])
    if upload is not None:
        upload.file = f
        upload.save(update_fields=["file", "updated_at"])
    if f.is_video or f.is_audio:
        from .av import av_record_init

        av_record_init(actor=actor, file=f, metadata=metadata or {})
    return f
