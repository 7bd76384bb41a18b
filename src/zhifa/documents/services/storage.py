"""Bytes of templates and issued documents, kept as blobs of the evidence store (content
addressed by SHA-256, with SM3 beside it), so that the case-file archive, the scrubber and
the verify page treat them like any other stored file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction

from zhifa.evidence.hashing import hash_chunks
from zhifa.evidence.models import Blob
from zhifa.evidence.services.store import blob_store
from zhifa.evidence.storage import storage_named

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIME = "application/pdf"
# scratch files in ZHIFA_UPLOAD_DIR; the upload sweep removes stale ones
SCRATCH_PREFIX = "document-"


def store_bytes(data: bytes, mime: str) -> Blob:
    """The blob holding ``data``, stored if new. Runs in the caller's transaction (or its
    own): ``blob_store`` locks the blob row by its hash."""
    digests = hash_chunks([data])
    directory = Path(settings.ZHIFA_UPLOAD_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=SCRATCH_PREFIX, suffix=".part", dir=directory)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        with transaction.atomic():
            blob, _created = blob_store(path=path, digests=digests, mime=mime, move=True)
    finally:
        path.unlink(missing_ok=True)
    return blob


def read_bytes(blob: Blob) -> bytes:
    """The stored bytes of ``blob`` (templates and documents are small)."""
    with storage_named(blob.storage).open(blob.key) as fh:
        return fh.read()
