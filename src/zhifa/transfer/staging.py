"""Uploaded files kept on the server between "validate only" and "confirm import", and error
reports kept for download.

A file is stored under ``DATA_DIR / "imports"`` by its SHA-256 (prefixed with the user's id,
so two users with the same file never share it); the page carries a signed token holding the
user id, the kind, the hash and the file name, valid for ``MAX_AGE`` seconds. Confirming claims
the file (renames it away, then deletes it), so a token imports at most once.
"""

import hashlib
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput

MAX_AGE = 60 * 60  # seconds a validated file waits for confirmation
_SALT = "zhifa.transfer.staging"
UPLOAD = "upload"
REPORT = "report"


@dataclass(frozen=True)
class Staged:
    kind: str
    file_name: str
    path: Path


def _directory() -> Path:
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _purge_stale(directory: Path) -> None:
    cutoff = time.time() - MAX_AGE - 60
    for entry in directory.iterdir():
        try:
            if entry.stat().st_mtime < cutoff:
                entry.unlink()
        except FileNotFoundError:
            pass


def stage(*, actor: Any, kind: str, purpose: str, file_name: str, data: bytes) -> str:
    """Store ``data`` and return the signed token that refers to it."""
    directory = _directory()
    _purge_stale(directory)
    digest = hashlib.sha256(data).hexdigest()
    path = directory / f"{actor.pk}-{purpose}-{digest}"
    temporary = path.with_name(f"{path.name}.{secrets.token_hex(8)}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return signing.dumps({"u": actor.pk, "k": kind, "h": digest, "p": purpose, "n": file_name},
                         salt=_SALT, compress=True)


def _invalid() -> InvalidInput:
    return InvalidInput(_("This file is no longer available. Upload it again."),
                        code="staged_file_unavailable")


def find(*, actor: Any, token: str, purpose: str) -> Staged:
    """The stored file a token refers to, for this user only; expired, forged or foreign
    tokens are all "no longer available"."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        raise _invalid() from None
    if not isinstance(data, dict) or data.get("u") != actor.pk or data.get("p") != purpose:
        raise _invalid()
    digest = str(data.get("h", ""))
    if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
        raise _invalid()
    path = _directory() / f"{actor.pk}-{purpose}-{digest}"
    return Staged(kind=str(data.get("k", "")), file_name=str(data.get("n", "")), path=path)


def read(staged: Staged) -> bytes:
    try:
        return staged.path.read_bytes()
    except FileNotFoundError:
        raise _invalid() from None


def claim(staged: Staged) -> bytes:
    """The file's bytes, removing it first: of two requests with one token, one wins."""
    claimed = staged.path.with_name(f"{staged.path.name}.{secrets.token_hex(8)}.claimed")
    try:
        os.rename(staged.path, claimed)
    except FileNotFoundError:
        raise InvalidInput(_("This file has already been imported or is no longer available."),
                           code="staged_file_used") from None
    try:
        return claimed.read_bytes()
    finally:
        claimed.unlink(missing_ok=True)
