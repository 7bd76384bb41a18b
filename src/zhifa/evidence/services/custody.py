"""Shares: a link that lets someone outside the case — a legal reviewer, a court, a
reconsideration body — see chosen files of a case until the link expires or is revoked.

The token is ``secrets.token_urlsafe(32)`` (256 random bits); only its SHA-256 is stored, and
the token is handed back once, when the share is created. Creating and revoking a share need
the right to handle the case's body (``require_handling``), not the right to change its
evidence: handing an archived case's files to a court is normal work and changes nothing in
the case file, so shares are allowed on archived cases.

Every open of a shared file is a ``SHARE_ACCESSED`` entry on the case's stream. A file is
opened by a download (any read with ``?download=1``, resumed parts included) and by a read
that starts at its first byte (viewing, playing). A view's ranged read that starts later
continues an open (the player fetching the next part, a seek) and writes no entry, so one
playback is one entry — but only if that open was recorded for the same share, file and
client address within ``OPEN_WINDOW`` seconds (``share_opened_recently``); otherwise the
read is an open of its own. Which reads are opens is decided by ``share_views``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from zhifa.cases.models import Case
from zhifa.cases.services._access import require_handling
from zhifa.core.errors import ApplicationError, InvalidInput, NotFound, PermissionDenied
from zhifa.ledger.services import ledger_append

from ..events import SHARE_ACCESSED, SHARE_CREATED, SHARE_REVOKED
from ..models import EvidenceFile, FileState, RecipientKind, ShareLink
from .media import recorded_recently, remember_recorded

# How long a recorded open covers the continuation reads of the same client (seconds).
OPEN_WINDOW = 10 * 60

# The longest a share may run; ``settings.ZHIFA_SHARE_MAX_DAYS`` overrides it.
SHARE_MAX_DAYS = 90


def share_max_days() -> int:
    return int(getattr(settings, "ZHIFA_SHARE_MAX_DAYS", SHARE_MAX_DAYS))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def share_status(share: ShareLink, now: dt.datetime | None = None) -> str:
    """``active``, ``expired`` or ``revoked``."""
    if share.revoked_at is not None:
        return "revoked"
    if share.expires_at <= (now or timezone.now()):
        return "expired"
    return "active"


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="minutes")


@transaction.atomic
def share_create(
    *, actor: Any, case: Case, files: Iterable[EvidenceFile], recipient_kind: str,
    recipient: str, expires_at: dt.datetime, purpose: str = "", allow_download: bool = True,
) -> tuple[ShareLink, str]:
    """The share and its token (shown once: only its hash is kept)."""
    require_handling(actor, case.body)
    chosen = list(files)
    if recipient_kind not in RecipientKind.values:
        raise InvalidInput(_("Unknown kind of recipient: %(kind)s.") % {"kind": recipient_kind},
                           code="invalid_recipient_kind")
    recipient = (recipient or "").strip()
    if not recipient:
        raise InvalidInput(_("Name the recipient of the share."),
                           code="share_recipient_required")
    if not chosen:
        raise InvalidInput(_("Choose at least one file to share."), code="share_files_required")
    for f in chosen:
        if f.case_id != case.pk:
            raise NotFound(_("Evidence file not found."), code="file_not_found")
        if f.state != FileState.ACTIVE:
            raise ApplicationError(_("“%(name)s” has been disposed of and cannot be shared.")
                                   % {"name": f.filename}, code="file_disposed")
    now = timezone.now()
    if timezone.is_naive(expires_at):
        expires_at = timezone.make_aware(expires_at)
    if expires_at <= now:
        raise InvalidInput(_("The expiry must be in the future."), code="share_expiry_invalid")
    if expires_at > now + dt.timedelta(days=share_max_days()):
        raise InvalidInput(_("A share can run for at most %(days)s days.")
                           % {"days": share_max_days()}, code="share_expiry_invalid")
    token = secrets.token_urlsafe(32)
    share = ShareLink.objects.create(
        case=case, recipient_kind=recipient_kind, recipient=recipient[:200],
        purpose=(purpose or "").strip()[:200], token_hash=token_hash(token),
        allow_download=allow_download, expires_at=expires_at, created_by=actor)
    unique = list({f.pk: f for f in chosen}.values())
    share.files.set(unique)
    ledger_append(actor=actor, event=SHARE_CREATED, stream=case.stream, body=case.body,
                  payload={
                      "case": case.number, "share": str(share.public_id),
                      "recipient_kind": recipient_kind, "recipient": share.recipient,
                      "purpose": share.purpose, "expires_at": _local(expires_at),
                      "allow_download": allow_download,
                      "files": [{"file": str(f.public_id), "filename": f.filename,
                                 "sha256": f.blob.sha256} for f in unique]})
    return share, token


@transaction.atomic
def share_revoke(*, actor: Any, share: ShareLink, reason: str = "") -> ShareLink:
    case = share.case
    require_handling(actor, case.body)
    locked = ShareLink.objects.select_for_update().get(pk=share.pk)
    if locked.revoked_at is not None:
        raise ApplicationError(_("This share has already been revoked."),
                               code="share_revoked")
    locked.revoked_at, locked.revoked_by = timezone.now(), actor
    locked.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    ledger_append(actor=actor, event=SHARE_REVOKED, stream=case.stream, body=case.body,
                  payload={"case": case.number, "share": str(locked.public_id),
                           "recipient": locked.recipient, "reason": (reason or "").strip(),
                           "was": share_status(share, locked.revoked_at)})
    return locked


class ShareGone(ApplicationError):
    """The share existed but no longer opens: expired or revoked (HTTP 410)."""

    status = 410


@dataclass(frozen=True)
class Opened:
    share: ShareLink
    file: EvidenceFile | None


def share_resolve(*, token: str, file: Any = None) -> Opened:
    """The share of ``token`` and, given a file public id, that shared file; records nothing.
    Unknown token or file → 404 (``share_not_found`` / ``file_not_found``); expired or
    revoked share → 410 (``share_expired`` / ``share_revoked``); a shared file that has been
    disposed of → 410 ``file_disposed``."""
    share = (ShareLink.objects.select_related("case", "case__body")
             .filter(token_hash=token_hash(token or "")).first())
    if share is None:
        raise NotFound(_("This link is not valid."), code="share_not_found")
    status = share_status(share)
    if status == "revoked":
        raise ShareGone(_("This link has been revoked."), code="share_revoked")
    if status == "expired":
        raise ShareGone(_("This link has expired."), code="share_expired")
    if file is None:
        return Opened(share=share, file=None)
    found = (share.files.select_related("blob", "item").filter(public_id=file).first()
             if _is_uuid(file) else None)
    if found is None:
        raise NotFound(_("Evidence file not found."), code="file_not_found")
    if found.state != FileState.ACTIVE:
        raise ShareGone(_("“%(name)s” has been disposed of; its hashes stay on the record.")
                        % {"name": found.filename}, code="file_disposed")
    return Opened(share=share, file=found)


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _open_key(share: ShareLink, f: EvidenceFile, client: str) -> str:
    # public ids as well as pks: a pk given again must not inherit another share's mark
    return (f"zhifa:evidence:share-opened:{share.pk}:{share.public_id}:{f.pk}:{f.public_id}:"
            f"{hashlib.sha256(client.encode('utf-8', 'surrogatepass')).hexdigest()[:32]}")


def share_opened_recently(*, share: ShareLink, file: EvidenceFile, client: str = "") -> bool:
    """Whether an open of ``file`` through ``share`` from ``client`` was recorded within
    ``OPEN_WINDOW`` seconds. False when unsure (the cache does not answer)."""
    return recorded_recently(_open_key(share, file, client))


def share_open_recorded(*, token: str, file: Any, download: bool = False, client: str = "",
                        byte_range: str | None = None) -> Opened:
    """``share_open``, then the mark that lets this client's continuation reads go unrecorded
    for ``OPEN_WINDOW`` seconds — set only once the entry's transaction has ended."""
    opened = share_open(token=token, file=file, download=download, client=client,
                        byte_range=byte_range)
    assert opened.file is not None
    remember_recorded(_open_key(opened.share, opened.file, client), OPEN_WINDOW)
    return opened


@transaction.atomic
def share_open(*, token: str, file: Any, download: bool = False, client: str = "",
               byte_range: str | None = None) -> Opened:
    """Open a shared file (``file``: its public id): a SHARE_ACCESSED entry on the case's
    stream and one more on the share's count. ``download`` needs a share that allows it
    (403 ``share_download_not_allowed``). ``client``: the requester's address, recorded;
    ``byte_range``: the ``Content-Range`` sent, when not the whole file."""
    opened = share_resolve(token=token, file=file)
    share, f = opened.share, opened.file
    assert f is not None
    if download and not share.allow_download:
        raise PermissionDenied(_("This share does not allow downloading."),
                               code="share_download_not_allowed")
    ShareLink.objects.filter(pk=share.pk).update(access_count=F("access_count") + 1)
    case = share.case
    ledger_append(actor=None, event=SHARE_ACCESSED, stream=case.stream, body=case.body,
                  payload={"case": case.number, "share": str(share.public_id),
                           "recipient_kind": share.recipient_kind,
                           "recipient": share.recipient, "file": str(f.public_id),
                           "filename": f.filename, "sha256": f.blob.sha256,
                           "mode": "download" if download else "view", "client": client,
                           "range": byte_range})
    return opened
