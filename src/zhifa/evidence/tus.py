"""Resumable uploads (tus 1.0: core, creation, checksum, termination, expiration): the services
behind ``tus_views``. An upload is a work-in-progress buffer, not evidence: its bytes become an
``EvidenceFile`` only when the last byte has arrived and every check has passed, in one
transaction with the ledger entry that carries both hashes. Creating or cancelling an upload
writes no ledger entry.

Who
    An upload belongs to its uploader: anyone else gets 404 for it. Creation needs a case the
    user sees (else 404 ``case_not_found``) and may add evidence to
    (``require_evidence_change``: 403, or 409 ``case_archived``), and every PATCH checks that
    again, as does the completion. The metadata is checked at creation (``METADATA_KEYS``),
    so a bad upload is refused before any byte is sent.

What may be evidence
    The content decides, never the name or the claimed type (``sniff.check_allowed``). A shell
    script is plain text by its content and is accepted as text (stored and served as
    ``text/plain``, never run); programs, archives and unrecognised binary content are refused.

Where the bytes are
    ``<ZHIFA_UPLOAD_DIR>/<public_id>.part`` on local disk, whatever the evidence storage; the
    directory must support ``flock`` (a local file system, or one shared by every application
    server, which then all see the same locks) and should be on the same file system as
    ``ZHIFA_EVIDENCE_DIR`` so that the finished file is renamed into the store, not copied.

A PATCH, and why its transactions are short
    One PATCH may stream gigabytes for an hour over a weak link. A database transaction held
    that long would hold SQLite's single write lock (every other write in the installation
    would wait for it and time out) or a PostgreSQL connection and row lock. So:

    1. ``flock(LOCK_EX | LOCK_NB)`` on the ``.part`` file makes this request the upload's one
       writer. A second PATCH on the same upload (a client retrying while its first request
       still streams, two browser tabs) is answered 409 ``offset_mismatch`` at once: by the time
       it could write, the first will have moved the offset. Nothing waits for the lock.
    2. A short transaction locks the row (``select_for_update``) and checks state, expiry,
       ``Upload-Offset`` = the row's offset, and that the body does not run past the declared
       length. Under the flock the row's offset is the truth, and the file is made to agree with
       it: bytes past the offset (a crash between writing and committing) are cut off; a file
       shorter than the offset (bytes lost) moves the offset back and the client is told 409.
    3. Outside any transaction the body is read in 1 MiB ``read(n)`` calls (never
       ``request.body``), written at the offset and fed to the ``DualHasher`` (SHA-256 and SM3)
       in a worker thread, overlapped with reading the next chunk, and to the tus checksum if
       one was given. Memory stays at a few chunks whatever the size. As soon as the first
       8 KiB (or the whole file, if smaller) are on disk, the content is sniffed and a
       disallowed type is refused at once (415 ``type_not_allowed``): the upload becomes
       ``refused`` and its bytes are deleted.
    4. The file is fsynced, the checksum compared (mismatch: the file is truncated back to the
       old offset, the hasher state is the one from before the chunk, 460), then a second short
       transaction locks the row again, checks it is still open at the old offset (a
       termination or an expiry sweep does not wait for the flock) and moves the offset. Each
       accepted PATCH extends the expiry (``ZHIFA_UPLOAD_EXPIRY_HOURS`` from now): a long
       upload that keeps making progress never expires.

    A body that ends early (the connection dropped) keeps what arrived: the offset moves to the
    bytes received and a HEAD returns it. With ``Upload-Checksum`` an incomplete chunk cannot be
    verified and is discarded (400 ``body_incomplete``).

    The hasher state of an upload is kept in a per-process cache keyed by the upload and its
    offset, so consecutive PATCHes continue it; a PATCH served by another process, or after a
    restart, rebuilds it by hashing the partial file up to the offset.

Completion (offset = length)
    In one transaction: lock the row, take the item named by the metadata or create it
    (``evidence_item_create``), ``evidence_file_create`` (the blob stored once by its
    SHA-256, the file row, the ledger entry with SHA-256 and SM3, the audio/video record), and
    mark the upload complete. The store consumes ``.stage``, a hard link of the partial
    file. On local storage the store renames that file into place and makes it read-only, so
    first ``.part`` is replaced by a new empty file that this request holds locked (``_detach``:
    a second writer is still turned away, and the store never shares an inode with a file
    written later). If the transaction fails, ``.part`` gets the bytes back, writable: the
    stage renamed back if the store has not taken it, else a copy (``_restore``). Then:

    - an ``ApplicationError`` (the case was archived or the uploader lost the right to add
      evidence meanwhile, the item was withdrawn, the content is not allowed) refuses the
      upload for good: state ``refused`` with the error's code, the bytes deleted, the error
      returned. Sending the same bytes again would fail the same way.
    - any other exception (the database went away, a bug) leaves the upload open with every
      byte received; a PATCH with ``Upload-Offset`` = length and an empty body retries the
      completion. (A HEAD then shows the full offset but no ``Zhifa-File`` header.)

    For an object store the bytes are sent before that transaction (a multipart upload can take
    minutes); the key is the content's SHA-256, so the object is right for any later upload of
    the same bytes even if this transaction fails.

    A complete upload answers HEAD (and its last PATCH) with ``Zhifa-File`` (the file's public
    id), ``Zhifa-Item``, ``Zhifa-Sha256`` and ``Zhifa-Sm3``.

Expiry
    ``uploads_expire`` (command ``zhifa evidence expire-uploads``, task
    ``evidence.expire_uploads``) marks open uploads past ``expires_at`` ``expired`` and deletes
    their bytes, skipping any that a PATCH is writing at that moment; it also removes stray
    partial files (no open upload, untouched for an hour) and stray scratch files of the
    archive builder (``archive-*.zip.part``, untouched for an hour). A file it cannot open or
    remove is logged and skipped, never the end of the run. An expired, cancelled or refused
    upload answers 410.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import errno
import fcntl
import hashlib
import logging
import os
import shutil
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhifa.cases.models import Case, CaseStep
from zhifa.cases.selectors import case_get_for_user
from zhifa.core.errors import ApplicationError, InvalidInput, NotFound
from zhifa.core.tasks import task

from .hashing import DualHasher, read_chunks
from .models import (
    EvidenceFile,
    EvidenceItem,
    EvidenceKind,
    ItemState,
    Upload,
    UploadState,
)
from .services._access import require_evidence_change
from .services.av import parse_av_metadata, parse_datetime_local
from .services.items import evidence_item_create
from .services.store import evidence_file_create
from .sniff import SNIFF_BYTES, check_allowed, sniff
from .storage import get_storage, key_for

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024
CHECKSUM_ALGORITHMS = ("sha1", "sha256", "md5")
SHANGHAI = ZoneInfo("Asia/Shanghai")
# a partial file with no open upload is removed by the sweep once untouched this long
STRAY_AFTER = dt.timedelta(hours=1)

# Upload-Metadata keys (values base64 in the header, decoded UTF-8 here). Unknown keys are
# ignored and not stored.
METADATA_KEYS: dict[str, str] = {
    "case": "case number or public id (required)",
    "filename": "the file's name as the uploader knows it",
    "filetype": "the type the client claims (ignored: the content decides)",
    "item": "public id of an existing evidence item of the case",
    "kind": "kind of evidence, to create a new item on completion (EvidenceKind)",
    "title": "name of the new item (default: the file name)",
    "description": "description of the new item",
    "source": "where or from whom the evidence was obtained",
    "place": "place of collection",
    "collected_at": "time of collection, ISO 8601 (naive = Asia/Shanghai)",
    "step": "id of the case step the new item belongs to",
    "device": "recording device: public id or serial number, of the case's body",
    "officer": "public id of the recording officer, of the case's body",
    "started_at": "recording start, ISO 8601 (naive = Asia/Shanghai)",
    "ended_at": "recording end, ISO 8601 (naive = Asia/Shanghai)",
    "latitude": "decimal degrees",
    "longitude": "decimal degrees",
}
_MAX_LENGTHS = {"filename": 255, "title": 200, "source": 200, "place": 200,
                "description": 10000, "filetype": 100}
_DEFAULT_MAX_LENGTH = 200

# Hashing runs beside the socket reads and disk writes of the request that feeds it.
_hash_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="zhifa-tus-hash")


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


# --- Errors ------------------------------------------------------------------------------------
def _not_found() -> NotFound:
    return NotFound(_("Upload not found."), code="upload_not_found")


def upload_gone(upload: Upload) -> ApplicationError:
    """The 410 of an upload that is no longer open (or past its expiry)."""
    if upload.state == UploadState.EXPIRED or (
            upload.state == UploadState.OPEN and upload.expires_at <= timezone.now()):
        return ApplicationError(
            _("This upload has expired: unfinished uploads are kept %(hours)s hours after "
              "their last progress. Start the upload again.")
            % {"hours": settings.ZHIFA_UPLOAD_EXPIRY_HOURS}, code="upload_expired", status=410)
    if upload.state == UploadState.TERMINATED:
        return ApplicationError(_("This upload was cancelled."), code="upload_terminated",
                                status=410)
    return ApplicationError(_("This upload was refused and its bytes deleted."),
                            code="upload_refused", status=410,
                            detail={"reason": upload.error_code})


def _offset_mismatch(current: int, message: str = "") -> ApplicationError:
    return ApplicationError(
        message or _("The upload is at byte %(offset)s, not where this request starts. "
                     "Ask for the offset (HEAD) and continue from there.")
        % {"offset": current},
        code="offset_mismatch", status=409, detail={"offset": current})


def _too_large(limit: int) -> ApplicationError:
    return ApplicationError(
        _("The file is too large: at most %(limit)s bytes can be accepted.") % {"limit": limit},
        code="too_large", status=413, detail={"max": limit})


def _checksum_mismatch() -> ApplicationError:
    return ApplicationError(
        _("The chunk did not match its checksum and was discarded; send it again."),
        code="checksum_mismatch", status=460)


# --- Paths, locks, hasher cache ---------------------------------------------------------------
def upload_dir() -> Path:
    return Path(settings.ZHIFA_UPLOAD_DIR)


def part_path(upload: Upload) -> Path:
    return upload_dir() / f"{upload.public_id}.part"


def _stage_path(upload: Upload) -> Path:
    return upload_dir() / f"{upload.public_id}.stage"


def _swap_path(upload: Upload) -> Path:
    return upload_dir() / f"{upload.public_id}.swap"


def _remove_bytes(upload: Upload) -> None:
    part_path(upload).unlink(missing_ok=True)
    _stage_path(upload).unlink(missing_ok=True)
    _swap_path(upload).unlink(missing_ok=True)
    _cache_drop(upload.pk)


def _same_file(path: Path, st: os.stat_result) -> os.stat_result | None:
    """``path``'s stat when it names the file of ``st``, else None."""
    try:
        here = os.stat(path)
    except FileNotFoundError:
        return None
    return here if (here.st_ino, here.st_dev) == (st.st_ino, st.st_dev) else None


def _lock_current(path: Path) -> BinaryIO | None:
    """The partial file ``path`` names, open and locked; ``None`` when another request holds
    it. A completion replaces the file under its lock (``_detach``, ``_restore``): a request
    that opened the file before that and gets the lock after it opens ``path`` again."""
    for _attempt in range(3):
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o640)
        fh = cast(BinaryIO, os.fdopen(fd, "r+b"))
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            fh.close()
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            return None
        if _same_file(path, os.fstat(fh.fileno())) is not None:
            return fh
        fh.close()  # replaced (or removed) meanwhile: the lock is on the wrong file
    return None


@contextmanager
def _writer_lock(path: Path) -> Iterator[BinaryIO | None]:
    """The open partial file, locked for writing; ``None`` when another request holds it."""
    fh = _lock_current(path)
    try:
        yield fh
    finally:
        if fh is not None:
            fh.close()  # closing releases the flock


_cache_lock = threading.Lock()
_hashers: OrderedDict[int, tuple[int, DualHasher]] = OrderedDict()
_CACHE_SIZE = 256


def _cache_get(upload_pk: int, offset: int) -> DualHasher | None:
    with _cache_lock:
        hit = _hashers.get(upload_pk)
        if hit is None or hit[0] != offset:
            return None
        _hashers.move_to_end(upload_pk)
        return hit[1]


def _cache_put(upload_pk: int, offset: int, hasher: DualHasher) -> None:
    with _cache_lock:
        _hashers[upload_pk] = (offset, hasher)
        _hashers.move_to_end(upload_pk)
        while len(_hashers) > _CACHE_SIZE:
            _hashers.popitem(last=False)


def _cache_drop(upload_pk: int) -> None:
    with _cache_lock:
        _hashers.pop(upload_pk, None)


def _hasher_at(upload: Upload, offset: int, fh: BinaryIO) -> DualHasher:
    """The hash state after ``offset`` bytes: from the cache, else re-read from the partial
    file (through the locked handle, which still reads if the file was removed meanwhile)."""
    cached = _cache_get(upload.pk, offset)
    if cached is not None:
        return cached
    fh.seek(0)
    hasher = DualHasher()
    for chunk in read_chunks(fh, offset):
        hasher.update(chunk)
    if hasher.size != offset:  # reconciled under the flock just before: cannot happen
        raise RuntimeError(f"partial file of upload {upload.public_id} is short")
    _cache_put(upload.pk, offset, hasher)
    return hasher


# --- Metadata ------------------------------------------------------------------------------------
def metadata_decode(header: str) -> dict[str, str]:
    """``Upload-Metadata: key base64,key base64,…`` → dict (a key may have no value)."""
    result: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in header.split(","))):
        key, _sep, value = pair.partition(" ")
        value = value.strip()
        if not key or " " in value or key in result:
            raise InvalidInput(_("Upload-Metadata is malformed."), code="invalid_metadata")
        try:
            result[key] = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise InvalidInput(_("Upload-Metadata value of %(key)s is not base64 of UTF-8 "
                                 "text.") % {"key": key}, code="invalid_metadata") from None
    return result


def metadata_encode(metadata: dict[str, Any]) -> str:
    return ",".join(f"{key} {base64.b64encode(str(value).encode()).decode()}"
                    for key, value in metadata.items())


def parse_when(value: str, field: str) -> dt.datetime:
    """ISO 8601 with an offset, or naive meaning Asia/Shanghai (the time on the device)."""
    try:
        when = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(_("%(field)s is not a date and time (ISO 8601): %(value)s")
                           % {"field": field, "value": value}, code="invalid_datetime") from None
    if timezone.is_naive(when):
        when = when.replace(tzinfo=SHANGHAI)
    return when


def _clean_name(name: str) -> str:
    """Only the last path component, without control characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in name if ord(c) >= 32 and ord(c) != 127).strip()


def _clean_metadata(case: Any, raw: dict[str, str]) -> dict[str, str]:
    """Validate before any byte is sent: everything completion will need must hold now."""
    meta = {k: v.strip() for k, v in raw.items() if k in METADATA_KEYS and v.strip()}
    for key, value in meta.items():
        if "\x00" in value:
            raise InvalidInput(_("Upload-Metadata contains a NUL character."),
                               code="invalid_metadata")
        limit = _MAX_LENGTHS.get(key, _DEFAULT_MAX_LENGTH)
        if len(value) > limit:
            raise InvalidInput(_("%(key)s is longer than %(limit)s characters.")
                               % {"key": key, "limit": limit}, code="metadata_too_long")
    if "filename" in meta:
        meta["filename"] = _clean_name(meta["filename"])
    if "item" in meta:
        try:
            item_id = uuid.UUID(meta["item"])
        except ValueError:
            item_id = None
        _active_item(case, EvidenceItem.objects.filter(case=case, public_id=item_id).first()
                     if item_id else None)
    elif "kind" in meta:
        if meta["kind"] not in EvidenceKind.values:
            raise InvalidInput(_("Unknown kind of evidence: %(kind)s.") % {"kind": meta["kind"]},
                               code="invalid_evidence_kind")
    else:
        raise InvalidInput(_("Say which evidence item the file belongs to (item), or the kind "
                             "of a new item (kind)."), code="metadata_item_or_kind_required")
    if "step" in meta:
        try:
            step_pk = int(meta["step"])
        except ValueError:
            step_pk = -1
        if not CaseStep.objects.filter(case=case, pk=step_pk).exists():
            raise InvalidInput(_("That step belongs to another case."), code="step_not_in_case")
    if "collected_at" in meta:
        parse_when(meta["collected_at"], "collected_at")
    # the recording's details, checked by the same function that later reads them
    _values, problems = parse_av_metadata(case, meta)
    for key in ("device", "officer", "started_at", "ended_at", "latitude"):
        if key in problems:
            code = _AV_PROBLEM_CODES[key]
            if key == "ended_at" and "started_at" in meta and _parses(meta["ended_at"]):
                code = "invalid_time_range"  # both are times: the end lies before the start
            raise InvalidInput(problems[key], code=code)
    return meta


_AV_PROBLEM_CODES = {"device": "device_not_found", "officer": "officer_not_found",
                     "started_at": "invalid_datetime", "ended_at": "invalid_datetime",
                     "latitude": "invalid_coordinates"}


def _parses(value: str) -> bool:
    try:
        parse_datetime_local(value)
    except ValueError:
        return False
    return True


# --- Services ------------------------------------------------------------------------------------
def _expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=settings.ZHIFA_UPLOAD_EXPIRY_HOURS)


@transaction.atomic
def upload_create(*, actor: Any, case_key: str, length: int,
                  metadata: dict[str, str]) -> Upload:
    """A new, empty upload of ``length`` bytes for the case named in the metadata; every
    metadata value is checked now so that a bad upload is refused before any byte is sent."""
    if not case_key:
        raise InvalidInput(_("Say which case the file belongs to (metadata: case)."),
                           code="metadata_case_required")
    case = case_get_for_user(user=actor, key=case_key)
    require_evidence_change(actor, case)
    limit = settings.ZHIFA_EVIDENCE_MAX_BYTES
    if length < 0:
        raise InvalidInput(_("Upload-Length must be a whole number of bytes."),
                           code="invalid_length")
    if length > limit:
        raise _too_large(limit)
    if length == 0:
        raise InvalidInput(_("An empty file cannot be evidence."), code="upload_empty")
    meta = _clean_metadata(case, {**metadata, "case": case_key})
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(directory).free
    if length > free:
        raise ApplicationError(
            _("The server does not have room for a file of %(length)s bytes now; try again "
              "later or ask the administrator.") % {"length": length},
            code="insufficient_storage", status=507)
    upload = Upload.objects.create(case=case, user=actor, length=length,
                                   filename=meta.get("filename", ""), metadata=meta,
                                   expires_at=_expiry())
    # the writer's lock target; if this transaction rolls back, the sweep removes it
    part_path(upload).touch(mode=0o640)
    return upload


def upload_get_for_user(*, user: Any, public_id: Any) -> Upload:
    """An upload is its uploader's own buffer: anyone else is told it does not exist."""
    if not getattr(user, "is_authenticated", False):
        raise _not_found()
    try:
        pid = uuid.UUID(str(public_id))
    except ValueError:
        raise _not_found() from None
    upload = (Upload.objects.select_related("case", "case__body", "file", "file__blob",
                                            "file__item")
              .filter(public_id=pid, user=user).first())
    if upload is None:
        raise _not_found()
    return upload


def _parse_checksum(header: str | None) -> tuple[str, bytes] | None:
    if header is None:
        return None
    algo, _sep, value = header.strip().partition(" ")
    if algo not in CHECKSUM_ALGORITHMS:
        raise InvalidInput(_("Checksum algorithm %(algo)s is not supported (sha1, sha256, "
                             "md5).") % {"algo": algo or "?"},
                           code="checksum_algorithm_unsupported")
    try:
        expected = base64.b64decode(value.strip(), validate=True)
    except binascii.Error:
        expected = b""
    if len(expected) != hashlib.new(algo).digest_size:
        raise InvalidInput(_("Upload-Checksum is malformed."), code="invalid_checksum")
    return algo, expected


@dataclass
class _Received:
    size: int = 0
    complete: bool = True


def _read_chunks(stream: Readable, length: int, received: _Received) -> Iterator[bytes]:
    """``length`` bytes of ``stream`` in chunks of up to 1 MiB; a stream that ends or fails
    early (a dropped connection) just ends, with ``received.complete`` False."""
    left = length
    while left > 0:
        try:
            chunk = stream.read(min(CHUNK, left))
        except OSError:  # UnreadablePostError, ConnectionResetError, timeouts
            chunk = b""
        if not chunk:
            received.complete = False
            return
        chunk = chunk[:left]
        left -= len(chunk)
        received.size += len(chunk)
        yield chunk


def _refuse(upload: Upload, exc: ApplicationError) -> None:
    """The upload is refused for good: state and code kept, bytes deleted."""
    with transaction.atomic():
        row = Upload.objects.select_for_update().filter(pk=upload.pk,
                                                        state=UploadState.OPEN).first()
        if row is not None:
            row.state, row.error_code = UploadState.REFUSED, exc.code[:64]
            row.save(update_fields=["state", "error_code", "updated_at"])
            upload.state, upload.error_code = row.state, row.error_code
    _remove_bytes(upload)


def _check_head(upload: Upload, fh: BinaryIO) -> str:
    """The type the first bytes show; refuses the upload if it cannot be evidence."""
    head = os.pread(fh.fileno(), min(SNIFF_BYTES, upload.length), 0)
    mime = sniff(head)
    try:
        check_allowed(mime, filename=upload.filename)
    except ApplicationError as exc:
        _refuse(upload, exc)
        raise
    return mime


def upload_append(*, actor: Any, upload: Upload, offset: int, stream: Readable,
                  content_length: int, checksum: str | None = None) -> Upload:
    """Append the body of a PATCH at ``offset``; completes the upload at its last byte.

    Not one transaction on purpose: see the module's docstring (lock the file, check the row
    briefly, stream outside any transaction, move the offset briefly)."""
    require_evidence_change(actor, upload.case)
    parsed = _parse_checksum(checksum)
    if content_length < 0:
        raise InvalidInput(_("Content-Length must be a whole number of bytes."),
                           code="invalid_length")
    upload.refresh_from_db()
    if upload.state == UploadState.COMPLETE:
        # a repeated last PATCH (its answer was lost): the same answer again
        if offset != upload.length:
            raise _offset_mismatch(upload.length)
        if content_length:
            raise _too_large(upload.length)
        return upload_get_for_user(user=actor, public_id=upload.public_id)
    if upload.state != UploadState.OPEN:
        raise upload_gone(upload)
    path = part_path(upload)
    upload_dir().mkdir(parents=True, exist_ok=True)
    with _writer_lock(path) as fh:
        if fh is None:
            raise _offset_mismatch(upload.offset, _(
                "Another request is writing to this upload now. Ask for the offset (HEAD) "
                "and continue from there."))
        old = _check_and_reconcile(upload, fh, offset, content_length)
        if old == upload.length:  # every byte is here: (re)try the completion
            return _complete(actor, upload, fh)
        hasher = _hasher_at(upload, old, fh)
        new = _stream(upload, fh, old, stream, content_length, parsed, hasher)
        if new != upload.length:
            return upload
        return _complete(actor, upload, fh)


def _check_and_reconcile(upload: Upload, fh: BinaryIO, offset: int,
                         content_length: int) -> int:
    """Under the writer's lock: the row is open and at ``offset``, the body fits, and the
    file holds exactly the row's offset bytes. Returns that offset."""
    path = part_path(upload)
    with transaction.atomic():
        row = Upload.objects.select_for_update().get(pk=upload.pk)
        upload.state, upload.offset, upload.expires_at = row.state, row.offset, row.expires_at
    if upload.state != UploadState.OPEN:
        path.unlink(missing_ok=True)  # the lock's open recreated the removed file
        if upload.state == UploadState.COMPLETE:  # finished by the request before this one
            raise _offset_mismatch(upload.length)
        raise upload_gone(upload)
    if upload.expires_at <= timezone.now():
        raise upload_gone(upload)
    size = os.fstat(fh.fileno()).st_size
    if size > upload.offset:  # written but never committed (a crash): the row decides
        fh.truncate(upload.offset)
        os.fsync(fh.fileno())
    elif size < upload.offset:  # bytes lost on disk: go back to what is really there
        _cache_drop(upload.pk)
        with transaction.atomic():
            Upload.objects.select_for_update().filter(pk=upload.pk).update(
                offset=size, updated_at=timezone.now())
        upload.offset = size
        raise _offset_mismatch(size)
    if offset != upload.offset:
        raise _offset_mismatch(upload.offset)
    if upload.offset + content_length > upload.length:
        raise ApplicationError(
            _("The request carries more bytes than the upload declared (%(length)s).")
            % {"length": upload.length}, code="too_large", status=413,
            detail={"length": upload.length})
    return upload.offset


def _stream(upload: Upload, fh: BinaryIO, old: int, stream: Readable, content_length: int,
            checksum: tuple[str, bytes] | None, hasher: DualHasher) -> int:
    """Write the body at ``old``; returns the committed new offset."""
    work = hasher.copy()  # the cached state stays as it was until the chunk is accepted
    check = hashlib.new(checksum[0]) if checksum else None
    need = min(SNIFF_BYTES, upload.length)
    received = _Received()
    position = old
    pending: Future[None] | None = None
    fh.seek(old)
    try:
        for chunk in _read_chunks(stream, content_length, received):
            if pending is not None:
                pending.result()
            pending = _hash_pool.submit(work.update, chunk)
            try:
                fh.write(chunk)
            except OSError as exc:
                if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                    raise
                fh.truncate(old)
                raise ApplicationError(
                    _("The server's disk is full: the chunk was discarded. Try again later "
                      "or ask the administrator."), code="insufficient_storage",
                    status=507) from None
            if check is not None:
                check.update(chunk)
            before, position = position, position + len(chunk)
            if before < need <= position:
                fh.flush()
                _check_head(upload, fh)
    finally:
        if pending is not None:
            pending.result()
    fh.flush()
    if checksum is not None and check is not None and (
            not received.complete or check.digest() != checksum[1]):
        fh.truncate(old)
        os.fsync(fh.fileno())
        if not received.complete:
            raise InvalidInput(_("The chunk arrived incomplete and could not be checked "
                                 "against its checksum; send it again."),
                               code="body_incomplete")
        raise _checksum_mismatch()
    if position == old:
        return old
    os.fsync(fh.fileno())
    with transaction.atomic():
        row = Upload.objects.select_for_update().get(pk=upload.pk)
        if row.state != UploadState.OPEN or row.offset != old:
            # cancelled or expired while the bytes were arriving
            upload.state, upload.offset = row.state, row.offset
            if row.state != UploadState.OPEN:
                _remove_bytes(upload)
                raise upload_gone(row)
            raise _offset_mismatch(row.offset)
        row.offset, row.expires_at = position, _expiry()
        row.save(update_fields=["offset", "expires_at", "updated_at"])
        upload.offset, upload.expires_at = row.offset, row.expires_at
    _cache_put(upload.pk, position, work)
    return position


def _complete(actor: Any, upload: Upload, fh: BinaryIO) -> Upload:
    """Every byte is here (and we hold the writer's lock): make the evidence file."""
    hasher = _hasher_at(upload, upload.length, fh)
    digests = hasher.digests()
    mime = _check_head(upload, fh)
    path, stage = part_path(upload), _stage_path(upload)
    storage = get_storage()
    try:
        if storage.name != "local":
            # object stores: send the bytes before the transaction (content-addressed, so an
            # object left behind by a failed transaction is right for the same bytes later)
            storage.put_file(key_for(digests.sha256), path, move=False)
        stage.unlink(missing_ok=True)
        os.link(path, stage)  # the store consumes the stage; see _detach for local storage
    except FileNotFoundError:  # cancelled (or expired) and removed meanwhile
        row = Upload.objects.get(pk=upload.pk)
        if row.state != UploadState.OPEN:
            raise upload_gone(row) from None
        raise
    holder: BinaryIO | None = None
    try:
        if storage.name == "local":
            holder = _detach(upload)
        with transaction.atomic():
            row = Upload.objects.select_for_update().get(pk=upload.pk)
            if row.state != UploadState.OPEN:
                raise upload_gone(row)
            item = _item_for(actor, row)
            evidence_file_create(actor=actor, item=item, path=stage, digests=digests,
                                 mime=mime, filename=row.filename, upload=row,
                                 metadata=row.metadata, move=True)
            row.state, row.offset, row.error_code = UploadState.COMPLETE, row.length, ""
            row.save(update_fields=["state", "offset", "error_code", "updated_at"])
    except ApplicationError as exc:
        if exc.status != 410:
            _refuse(upload, exc)  # removes the bytes too
        else:
            _remove_bytes(upload)
        raise
    except Exception:
        log.warning("completing upload %s failed; it stays open for a retry",
                    upload.public_id)
        try:
            _restore(upload, fh)
        except OSError:
            log.exception("could not put back the bytes of upload %s; its client will "
                          "have to send them again", upload.public_id)
        raise
    finally:
        if holder is not None:
            holder.close()
    _remove_bytes(upload)
    return upload_get_for_user(user=actor, public_id=upload.public_id)


def _detach(upload: Upload) -> BinaryIO:
    """Before local storage takes the received bytes (renamed into the store, made
    read-only): ``.part`` becomes a new empty file, locked by this request so that a second
    writer is still turned away, and the bytes keep only the name ``.stage``. The store then
    never shares an inode with a file that is written later. Returns the new file's handle
    (closing it releases its lock)."""
    swap = _swap_path(upload)
    swap.unlink(missing_ok=True)
    fd = os.open(swap, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o640)
    holder = cast(BinaryIO, os.fdopen(fd, "r+b"))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a new file: nobody else has it
        os.replace(swap, part_path(upload))
    except BaseException:
        holder.close()
        swap.unlink(missing_ok=True)
        raise
    return holder


def _restore(upload: Upload, fh: BinaryIO) -> None:
    """After a failed completion (still under the writer's lock, ``fh`` the received bytes):
    ``.part`` names every received byte again, writable (0640), in an inode nothing else has
    a name for, so that a retry can open it for writing. Renamed back when the store has not
    taken the bytes; copied when it has (the store keeps its object: content-addressed, it is
    right for these bytes)."""
    path, stage = part_path(upload), _stage_path(upload)
    mine = os.fstat(fh.fileno())
    if _same_file(path, mine) is not None:  # not detached (object store): drop the link
        stage.unlink(missing_ok=True)
        if os.fstat(fh.fileno()).st_nlink == 1:
            os.chmod(path, 0o640)
            return
    else:
        staged = _same_file(stage, mine)
        if staged is not None and staged.st_nlink == 1:
            os.chmod(stage, 0o640)
            os.replace(stage, path)
            return
        stage.unlink(missing_ok=True)
    swap = _swap_path(upload)
    swap.unlink(missing_ok=True)
    fd = os.open(swap, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
        with os.fdopen(fd, "wb") as out:
            fh.seek(0)
            for chunk in read_chunks(fh, upload.length):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(swap, 0o640)
        os.replace(swap, path)
    except BaseException:
        swap.unlink(missing_ok=True)
        raise


def _active_item(case: Case, it: EvidenceItem | None) -> EvidenceItem:
    """The item named in an upload's metadata: it must be in the case and not withdrawn."""
    if it is None:
        raise InvalidInput(_("That evidence item is not part of case %(number)s.")
                           % {"number": case.number}, code="item_not_found")
    if it.state != ItemState.ACTIVE:
        raise ApplicationError(_("Evidence %(seq)s has been withdrawn.") % {"seq": it.seq},
                               code="item_withdrawn")
    return it


def _item_for(actor: Any, upload: Upload) -> EvidenceItem:
    meta = upload.metadata
    case = upload.case
    if meta.get("item"):
        return _active_item(case, EvidenceItem.objects.select_related("case")
                            .filter(case=case, public_id=uuid.UUID(meta["item"])).first())
    step = (CaseStep.objects.filter(case=case, pk=int(meta["step"])).first()
            if meta.get("step") else None)
    return evidence_item_create(
        actor=actor, case=case, kind=meta.get("kind", ""),
        title=meta.get("title") or upload.filename or _("Uploaded file"),
        description=meta.get("description", ""), source=meta.get("source", ""),
        collected_at=(parse_when(meta["collected_at"], "collected_at")
                      if meta.get("collected_at") else None),
        place=meta.get("place", ""), latitude=meta.get("latitude"),
        longitude=meta.get("longitude"), step=step)


def upload_terminate(*, actor: Any, upload: Upload) -> None:
    """Cancel an unfinished upload and delete its bytes (tus termination). Only its uploader
    may, and always may (even on a case archived meanwhile: nothing of the case changes). A
    complete upload is evidence and is not touched; a request still streaming into the upload
    finds it cancelled when it tries to move the offset."""
    with transaction.atomic():
        row = Upload.objects.select_for_update().get(pk=upload.pk)
        if row.user_id != getattr(actor, "pk", None):
            raise _not_found()
        if row.state == UploadState.COMPLETE:
            raise ApplicationError(_("This upload is complete and its file is evidence now; "
                                     "it cannot be cancelled."), code="upload_complete")
        if row.state != UploadState.OPEN:
            raise upload_gone(row)
        row.state = UploadState.TERMINATED
        row.save(update_fields=["state", "updated_at"])
        upload.state = row.state
    _remove_bytes(upload)


def uploads_expire(*, now: dt.datetime | None = None) -> int:
    """Expire open uploads past ``expires_at`` (bytes deleted, state ``expired``) and remove
    stray partial files and the archive builder's stray scratch files; returns the number of
    uploads expired. An upload a PATCH is writing right now is left alone: it is alive, and
    its PATCH will extend its expiry. A file that cannot be opened or removed (permissions,
    a disk error) is logged and skipped: the sweep carries on with the others."""
    now = now or timezone.now()
    count = 0
    due = Upload.objects.filter(state=UploadState.OPEN, expires_at__lte=now)
    for upload in due.only("pk", "public_id").iterator():
        path = part_path(upload)
        try:
            if path.parent.is_dir():
                with _writer_lock(path) as fh:
                    if fh is None:
                        continue
                    count += _expire_one(upload, now)
            else:
                count += _expire_one(upload, now)
        except OSError:
            log.exception("could not expire upload %s; skipped", upload.public_id)
    _sweep_strays(now)
    return count


def _expire_one(upload: Upload, now: dt.datetime) -> int:
    with transaction.atomic():
        row = (Upload.objects.select_for_update()
               .filter(pk=upload.pk, state=UploadState.OPEN, expires_at__lte=now).first())
        if row is None:
            return 0
        row.state = UploadState.EXPIRED
        row.save(update_fields=["state", "updated_at"])
    try:
        _remove_bytes(upload)
    except OSError:  # expired all the same; the stray sweep tries the file again later
        log.exception("could not remove the bytes of expired upload %s", upload.public_id)
    return 1


def _unlink(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        log.exception("could not remove %s; skipped", path)


def _sweep_strays(now: dt.datetime) -> None:
    """Partial files (and stage and swap files) with no open upload (a crash, a failed
    unlink, a rolled-back creation), and the archive builder's scratch files
    (``archive-*.zip.part``: an archiving that crashed), untouched for an hour."""
    from .archive.build import SCRATCH_PREFIX, SCRATCH_SUFFIX

    directory = upload_dir()
    if not directory.is_dir():
        return
    cutoff = (now - STRAY_AFTER).timestamp()
    candidates: dict[uuid.UUID, list[Path]] = {}
    for path in directory.iterdir():
        scratch = path.name.startswith(SCRATCH_PREFIX) and path.name.endswith(SCRATCH_SUFFIX)
        if not scratch and path.suffix not in (".part", ".stage", ".swap"):
            continue
        try:
            if path.stat().st_mtime > cutoff:
                continue
            if scratch:
                _unlink(path)
                continue
            pid = uuid.UUID(path.stem)
        except (ValueError, FileNotFoundError):
            continue
        candidates.setdefault(pid, []).append(path)
    if not candidates:
        return
    open_ids = set(Upload.objects.filter(public_id__in=list(candidates),
                                         state=UploadState.OPEN)
                   .values_list("public_id", flat=True))
    for pid, paths in candidates.items():
        if pid in open_ids:
            # a stage file keeps the partial file's (old) mtime: it may be in use by a
            # completion right now; an open upload's leftover is replaced anyway
            continue
        for path in paths:
            _unlink(path)


@task("evidence.expire_uploads")
def expire_uploads() -> int:
    return uploads_expire()


def completed_headers(upload: Upload) -> dict[str, str]:
    """What a client learns about the evidence file its upload became."""
    f: EvidenceFile | None = upload.file
    if upload.state != UploadState.COMPLETE or f is None:
        return {}
    return {"Zhifa-File": str(f.public_id), "Zhifa-Item": str(f.item.public_id),
            "Zhifa-Sha256": f.blob.sha256, "Zhifa-Sm3": f.blob.sm3}
