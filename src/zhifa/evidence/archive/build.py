"""Archiving a closed case (归档): ``archive_create`` and the download ``archive_package``.

``archive_create`` is one transaction. In order:

1. lock the case row; the actor handles cases of its body; the case is closed (status
   ``closed``) and its procedure lets this actor take the ``archive`` step now;
2. the archive number (``numbering``: the body's counter row, locked, gapless);
3. the package's contents — documents, evidence copied from storage and re-hashed, the
   manifest — written to a temporary file, and hashed (the long part, before the ledger is
   touched, so other cases' changes are not held up);
4. the case's ``archive`` action through ``case_act`` (its guards, its step and entry; the
   case becomes ``archived`` and read-only); every evidence file the package references by
   its hashes instead of holding it (too large to embed, not disposed of) is made permanent,
   a ``RETENTION_CHANGED`` entry each (the back note says its original is kept in the
   agency's store, so retention must never dispose of it); then ``ARCHIVE_CREATED`` on the
   case's stream with the manifest's SHA-256 and SM3, then a signed checkpoint covering
   them all;
5. the ledger members (entries, inclusion proofs against that checkpoint, the checkpoint);
6. the package stored with ``blob_store`` (content-addressed: it is a blob like any other),
   and the ``CaseArchive`` row.

From step 4 on, the ledger's head row is locked until the transaction ends (every
``ledger_append`` takes it), so steps 5–6 are kept small: the package's hash is computed
incrementally and only the ledger members are hashed there. Everything commits together or
nothing does: a refusal or an error leaves the case closed and unarchived, with no entry,
no number used (the counter rolls back) and no ``CaseArchive``. The only thing that can
outlive a rollback is the package file itself if it was already moved into the store: an
orphan under its own SHA-256, never referenced, harmless; the temporary file is removed in
any case.

A case archived before packages existed (through the generic ``archive`` action or the demo
data) has no package: ``archive_create`` builds one for it, keeping its archive number.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhifa.cases.models import Case, CaseStatus
from zhifa.cases.procedures import procedure_get
from zhifa.cases.selectors import visible_cases
from zhifa.cases.services import case_act
from zhifa.cases.services._access import require_handling
from zhifa.cases.services.act import available_actions, role_allows
from zhifa.core.errors import ApplicationError, NotFound, PermissionDenied
from zhifa.ledger.selectors import ledger_state
from zhifa.ledger.services import actor_label, checkpoint_sign, ledger_append

from ..events import ARCHIVE_CREATED, ARCHIVE_EXPORTED
from ..models import BlobState, CaseArchive
from ..retention import retention_keep_referenced
from ..services.store import blob_store
from ..storage import storage_named
from . import layout
from .contents import case_file_collect
from .numbering import archive_number_next
from .package import PackageWriter, write_contents, write_ledger

ARCHIVE_ACTION = "archive"
PACKAGE_MIME = "application/zip"
# the package being written, in ZHIFA_UPLOAD_DIR; a crash can leave one behind, and the
# upload sweep (``tus.uploads_expire``) removes those untouched for an hour
SCRATCH_PREFIX = "archive-"
SCRATCH_SUFFIX = ".zip.part"


def _require_archivable(actor: Any, case: Case) -> None:
    """The ``archive`` step must be open to this actor now; checked before the package is
    built (``case_act`` checks it again, with every guard, when it takes the step)."""
    proc = procedure_get(case.procedure, body=case.body)
    act = proc.action(ARCHIVE_ACTION)
    if act is None or all(a.code != ARCHIVE_ACTION for a in available_actions(case, proc)):
        raise ApplicationError(
            _("The procedure of case %(number)s has no archiving step at its stage "
              "“%(stage)s”.") % {"number": case.number, "stage": proc.stage(case.stage).label},
            code="archive_not_available")
    if not role_allows(actor, case, act):
        raise PermissionDenied(_("Your role cannot archive this case."), code="action_role")


def _number(case: Case, *, backfill: bool, year: int) -> str:
    given = case.flags.get("archive_number") if backfill else None
    if isinstance(given, str) and given.strip() and not CaseArchive.objects.filter(
            number=given.strip()).exists():
        return given.strip()
    return archive_number_next(case.body, year)


def _scratch_file() -> Path:
    directory = Path(settings.ZHIFA_UPLOAD_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=SCRATCH_PREFIX, suffix=SCRATCH_SUFFIX,
                               dir=directory)
    os.close(fd)
    return Path(name)


@transaction.atomic
def archive_create(*, actor: Any, case: Case) -> CaseArchive:
    """Archive a closed case: number, package, ledger entries and checkpoint, read-only."""
    case = Case.objects.select_for_update().select_related(
        "body", "region", "sector").get(pk=case.pk)
    require_handling(actor, case.body)
    existing = CaseArchive.objects.filter(case=case).first()
    if existing is not None:
        raise ApplicationError(
            _("Case %(number)s has already been archived as %(archive)s.")
            % {"number": case.number, "archive": existing.number}, code="archive_exists")
    backfill = case.status == CaseStatus.ARCHIVED
    if not backfill:
        if case.status != CaseStatus.CLOSED:
            raise ApplicationError(
                _("Only a closed case can be archived: close case %(number)s first.")
                % {"number": case.number}, code="case_not_closed")
        _require_archivable(actor, case)
    now = timezone.now()
    today = timezone.localdate(now)
    number = _number(case, backfill=backfill, year=today.year)
    cf = case_file_collect(case=case, number=number, archived_at=now,
                           archived_by=actor_label(actor), algorithm=ledger_state().algorithm)
    path = _scratch_file()
    writer = PackageWriter(path, cf.archived_on)
    try:
        manifest_digests = write_contents(writer, cf)
        writer.hash_written()
        # The ledger from here on: every append in the installation waits for this commit.
        if not backfill:
            case_act(actor=actor, case=case, action=ARCHIVE_ACTION,
                     data={"acted_on": today.isoformat(), "archive_number": number})
        files = cf.files
        # the back note says the originals of files referenced by hash are kept in the
        # agency's store: they are, permanently (each change on the case's stream)
        retention_keep_referenced(actor=actor, case=case, number=number,
                                  files=[e.file for e in files if e.referenced])
        entry = ledger_append(actor=actor, event=ARCHIVE_CREATED, stream=case.stream,
                              body=case.body, payload={
                                  "case": case.number, "number": number,
                                  "format": layout.FORMAT, "retention": cf.retention,
                                  "manifest_sha256": manifest_digests.sha256,
                                  "manifest_sm3": manifest_digests.sm3,
                                  "evidence_files": len(files),
                                  "embedded": sum(1 for f in files if f.member),
                                  "backfill": backfill,
                              })
        checkpoint = checkpoint_sign(actor=actor)
        write_ledger(writer, stream=case.stream, checkpoint=checkpoint)
        digests = writer.close()
        blob, _created = blob_store(path=path, digests=digests, mime=PACKAGE_MIME, move=True)
        return CaseArchive.objects.create(
            case=case, number=number, package=blob, manifest_sha256=manifest_digests.sha256,
            manifest_sm3=manifest_digests.sm3, checkpoint=checkpoint, ledger_seq=entry.seq,
            created_by=actor, retention=cf.retention)
    except BaseException:
        writer.abort()
        raise
    finally:
        path.unlink(missing_ok=True)


@transaction.atomic
def archive_package(*, actor: Any, case: Case, via: str = "") -> CaseArchive:
    """The stored package of an archived case, for download: recorded as
    ``ARCHIVE_EXPORTED`` (chain of custody). Anyone who sees the case may export it."""
    if not visible_cases(actor).filter(pk=case.pk).exists():
        raise NotFound(_("Case not found."), code="case_not_found")
    archive = CaseArchive.objects.select_related("package").filter(case_id=case.pk).first()
    if archive is None:
        raise NotFound(_("Case %(number)s has no case-file package yet.")
                       % {"number": case.number}, code="archive_not_found")
    blob = archive.package
    if blob.state != BlobState.PRESENT or not storage_named(blob.storage).exists(blob.key):
        raise ApplicationError(
            _("The stored package %(archive)s is missing from storage.")
            % {"archive": archive.number}, code="archive_package_missing", status=410)
    ledger_append(actor=actor, event=ARCHIVE_EXPORTED, stream=case.stream, body=case.body,
                  payload={"case": case.number, "number": archive.number,
                           "package_sha256": blob.sha256, "package_sm3": blob.sm3,
                           "size": blob.size, "via": via})
    return archive
