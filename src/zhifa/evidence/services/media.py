"""Custody of a file's bytes inside the agency: each opening of a file's page, each read of
its content from the first byte and each download is a ledger entry on the case's stream.

A read of the content from byte 0 (``/evidence/files/<id>/content`` without a ``Range``, or
with ``bytes=0-…``) is a view: the player or image of the file's page, the "open in the
browser" link, or a script. It is recorded once per user and file in ``VIEW_WINDOW`` seconds
(``evidence_file_view_content``): a video player that asks for the start of a file several
times makes one entry, not many. Ranged reads later in the file (playback, seeking) write
nothing: they continue a read that was recorded. Downloads are always recorded.

The window is kept in Django's cache. A cache that lost the mark, or another process that has
not seen it, records once more; a cache that cannot be read records too — an extra entry is
acceptable, a missing one is not.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from zhifa.cases.selectors import visible_cases
from zhifa.core.errors import NotFound
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.services import ledger_append

from ..events import FILE_DOWNLOADED, FILE_VIEWED
from ..models import EvidenceFile

log = logging.getLogger(__name__)

# How long a recorded read covers the same reader's next reads (seconds).
VIEW_WINDOW = 10 * 60


def recorded_recently(key: str) -> bool:
    """Whether a read under ``key`` was recorded within the window. False when unsure (the
    cache does not answer): the caller then records."""
    try:
        return cache.get(key) is not None
    except Exception:  # any cache failure means "record"
        log.warning("evidence read cache unavailable; recording the read", exc_info=True)
        return False


def remember_recorded(key: str, window: int = VIEW_WINDOW) -> None:
    """Mark a read under ``key`` as recorded, for ``window`` seconds. Call it only once the
    entry is written (after the service's transaction), never before."""
    try:
        cache.set(key, 1, window)
    except Exception:  # without the mark, the next read is recorded again
        log.warning("evidence read cache unavailable; next read is recorded too", exc_info=True)


def _require_visible(actor: Any, f: EvidenceFile) -> None:
    if not visible_cases(actor).filter(pk=f.case_id).exists():
        raise NotFound(_("Evidence file not found."), code="file_not_found")


def _payload(f: EvidenceFile) -> dict[str, Any]:
    return {"case": f.case.number, "file": str(f.public_id), "filename": f.filename,
            "sha256": f.blob.sha256, "state": f.state}


@transaction.atomic
def evidence_file_view(*, actor: Any, file: EvidenceFile, via: str = "") -> LedgerEntry:
    """Record that ``actor`` opened the file: its page (``via`` empty), or its content read
    from the first byte (``via="content"``)."""
    _require_visible(actor, file)
    case = file.case
    payload = _payload(file)
    if via:
        payload["via"] = via
    return ledger_append(actor=actor, event=FILE_VIEWED, stream=case.stream, body=case.body,
                         payload=payload)


def content_view_key(actor: Any, file: EvidenceFile) -> str:
    # the public id as well as the pk: a pk given again (a database rebuilt or restored while
    # the cache lives on) must not inherit another file's mark
    return f"zhifa:evidence:content-viewed:{actor.pk}:{file.pk}:{file.public_id}"


def evidence_file_view_content(*, actor: Any, file: EvidenceFile) -> LedgerEntry | None:
    """Record a read of the file's content from byte 0 as a ``FILE_VIEWED`` entry with
    ``"via": "content"``, unless the same actor's read of the same file was recorded within
    ``VIEW_WINDOW`` seconds (then None). Not atomic itself: the window is marked only after
    the entry's transaction (``evidence_file_view``) has ended."""
    key = content_view_key(actor, file)
    if recorded_recently(key):
        _require_visible(actor, file)
        return None
    entry = evidence_file_view(actor=actor, file=file, via="content")
    remember_recorded(key)
    return entry


@transaction.atomic
def evidence_file_download(*, actor: Any, file: EvidenceFile,
                           byte_range: str | None = None) -> LedgerEntry:
    """Record that ``actor`` downloaded the file (``byte_range``: the ``Content-Range`` sent
    when a download manager resumed a part)."""
    _require_visible(actor, file)
    case = file.case
    return ledger_append(actor=actor, event=FILE_DOWNLOADED, stream=case.stream,
                         body=case.body, payload={**_payload(file), "range": byte_range})
