"""Archiving a closed case (归档): ``archive_create`` and the download ``archive_package``.

``archive_create`` works in two phases, so that copying the evidence does not hold the
database's write lock (on SQLite every transaction takes it at BEGIN, and other writers
give up after their busy timeout):

1. *before the transaction* (reads only): the actor handles cases of its body; the case is
   closed (status ``closed``) and its procedure lets this actor take the ``archive`` step
   now (or it was archived before packages existed: below); the archive number it will
   most likely get is peeked (``numbering.archive_number_peek``); the package's contents —
   documents, evidence copied from storage and re-hashed, the manifest — are written to a
   temporary file and hashed. This is the long part. What it was built from is kept: the
   documents, the manifest without its member list and each embedded file's blob, i.e.
   everything ``write_contents`` puts into the file (the evidence bytes are fixed by their
   blob hashes, checked again as they are copied).
2. *one transaction*: lock the case row and check it all again; take the archive number
   (``numbering``: the body's counter row, locked, gapless); read the case file again with
   that number. If the number or anything the package shows changed in between (another
   archiving took the number; evidence, steps, parties … changed), the package is built
   again here, inside the transaction, as a single-phase archiving would; otherwise the
   file of phase 1 is exactly the one this would write, and is kept. Then:

   - the case's ``archive`` action through ``case_act`` (its guards, its step and entry;
     the case becomes ``archived`` and read-only); every evidence file the package
     references by its hashes instead of holding it (too large to embed, not disposed of)
     is made permanent, a ``RETENTION_CHANGED`` entry each (the back note says its original
     is kept in the agency's store, so retention must never dispose of it); then
     ``ARCHIVE_CREATED`` on the case's stream with the manifest's SHA-256 and SM3, then a
     signed checkpoint covering them all;
   - the ledger members (entries, inclusion proofs against that checkpoint, the
     checkpoint);
   - the package stored with ``blob_store`` (content-addressed: it is a blob like any
     other), and the ``CaseArchive`` row.

From the ``archive`` action on, the ledger's head row is locked until the transaction ends
(every ``ledger_append`` takes it), so what follows is kept small: the package's hash is
computed incrementally and only the ledger members are hashed there. Everything of phase 2
commits together or nothing does: a refusal or an error (in either phase) leaves the case
closed and unarchived, with no entry, no number used (the counter rolls back; a peek takes
nothing) and no ``CaseArchive``. The only thing that can outlive a rollback is the package
file itself if it was already moved into the store: an orphan under its own SHA-256, never
referenced, harmless; the temporary file is removed in any case.

A case archived before packages existed (through the generic ``archive`` action or the demo
data) has no package: ``archive_create`` builds one for it, keeping its archive number.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
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
from ..hashing import Digests
from ..models import BlobState, CaseArchive
from ..retention import retention_keep_referenced
from ..services.store import blob_store
from ..storage import storage_named
from . import layout
from .contents import CaseFile, case_file_collect
from .numbering import archive_number_next, archive_number_peek
from .package import PackageWriter, manifest_for, write_contents, write_ledger
from .render import render_documents

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


def _given_number(case: Case, *, backfill: bool) -> str | None:
    """The archive number a case archived before packages existed already has, if free."""
    given = case.flags.get("archive_number") if backfill else None
    if isinstance(given, str) and given.strip() and not CaseArchive.objects.filter(
            number=given.strip()).exists():
        return given.strip()
    return None


def _number(case: Case, *, backfill: bool, year: int) -> str:
    return _given_number(case, backfill=backfill) or archive_number_next(case.body, year)


def _number_peek(case: Case, *, backfill: bool, year: int) -> str:
    return _given_number(case, backfill=backfill) or archive_number_peek(case.body, year)


def _scratch_file() -> Path:
    directory = Path(settings.ZHIFA_UPLOAD_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=SCRATCH_PREFIX, suffix=SCRATCH_SUFFIX,
                               dir=directory)
    os.close(fd)
    return Path(name)


def _case_checked(actor: Any, pk: int, *, lock: bool) -> tuple[Case, bool]:
    """The case, read again (its row locked with ``lock``), if this actor may archive it now;
    whether it is a backfill (archived before packages existed)."""
    rows = Case.objects.select_for_update() if lock else Case.objects.all()
    case = rows.select_related("body", "region", "sector").get(pk=pk)
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
    return case, backfill


def _built_from(cf: CaseFile) -> tuple[Any, ...]:
    """Everything ``write_contents`` writes for ``cf``, short of the bytes of the embedded
    evidence, which their blobs' hashes fix (and the copy checks): two case files with the
    same value give the same package contents, byte for byte."""
    evidence = [(e.member, e.file.pk, e.file.size, e.file.blob.storage, e.file.blob.key,
                 e.file.blob.sha256, e.file.blob.sm3) for e in cf.files if e.member]
    return render_documents(cf), manifest_for(cf, []), evidence


@dataclass
class _Draft:
    """The package's contents written before the transaction, and what they show."""

    number: str
    built_from: tuple[Any, ...]
    writer: PackageWriter
    manifest: Digests


def _collect(case: Case, *, number: str, now: dt.datetime, actor: Any) -> CaseFile:
    return case_file_collect(case=case, number=number, archived_at=now,
                             archived_by=actor_label(actor),
                             algorithm=ledger_state().algorithm)


def _write(path: Path, cf: CaseFile) -> tuple[PackageWriter, Digests]:
    writer = PackageWriter(path, cf.archived_on)
    try:
        manifest = write_contents(writer, cf)
        writer.hash_written()
    except BaseException:
        writer.abort()
        raise
    return writer, manifest


def archive_create(*, actor: Any, case: Case) -> CaseArchive:
    """Archive a closed case: number, package, ledger entries and checkpoint, read-only.

    Not one ``@transaction.atomic`` like other services: the package's contents are written
    before the transaction (see the module's docstring), which then checks everything again
    and commits or rolls back as a whole."""
    now = timezone.now()
    path = _scratch_file()
    writers: list[PackageWriter] = []
    try:
        # phase 1: read and write the package's contents, the database left unlocked
        seen, backfill = _case_checked(actor, case.pk, lock=False)
        number = _number_peek(seen, backfill=backfill, year=timezone.localdate(now).year)
        cf = _collect(seen, number=number, now=now, actor=actor)
        writer, manifest = _write(path, cf)
        writers.append(writer)
        draft = _Draft(number=number, built_from=_built_from(cf), writer=writer,
                       manifest=manifest)
        # phase 2: check again, take the number, and finish
        with transaction.atomic():
            return _finish(actor, case.pk, path=path, now=now, draft=draft, writers=writers)
    except BaseException:
        for w in writers:
            w.abort()
        raise
    finally:
        path.unlink(missing_ok=True)


def _finish(actor: Any, pk: int, *, path: Path, now: dt.datetime, draft: _Draft,
            writers: list[PackageWriter]) -> CaseArchive:
    case, backfill = _case_checked(actor, pk, lock=True)
    today = timezone.localdate(now)
    number = _number(case, backfill=backfill, year=today.year)
    cf = _collect(case, number=number, now=now, actor=actor)
    writer, manifest_digests = draft.writer, draft.manifest
    if number != draft.number or _built_from(cf) != draft.built_from:
        # changed since phase 1: build it again, here (the database stays locked meanwhile)
        writer.abort()
        writer, manifest_digests = _write(path, cf)
        writers.append(writer)
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
