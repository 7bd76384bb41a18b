"""Reads about a case's archive: its row, a preview of what a package would hold, the stored
package as a local file, and the verification of the stored package. Callers scope the case
first (``case_get_for_user``)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from zhifa.cases.models import Case
from zhifa.ledger import signing
from zhifa.ledger.selectors import ledger_state

from ..models import Blob, CaseArchive
from ..storage import LocalStorage, storage_named
from .contents import CaseFile, case_file_collect
from .verify import Report, verify_package


def archive_for_case(case: Case) -> CaseArchive | None:
    return (CaseArchive.objects.select_related("package", "checkpoint", "created_by__person")
            .filter(case_id=case.pk).first())


def archive_preview(case: Case, *, archived_by: str = "") -> CaseFile:
    """What a package of the case would hold now (the number is given when archiving)."""
    return case_file_collect(case=case, number="", archived_at=timezone.now(),
                             archived_by=archived_by, algorithm=ledger_state().algorithm)


@contextmanager
def package_file(blob: Blob) -> Iterator[Path]:
    """The package as a local file: the stored file itself on local storage, else a
    temporary copy (streamed) that is removed afterwards."""
    storage = storage_named(blob.storage)
    if isinstance(storage, LocalStorage):
        yield storage.path(blob.key)
        return
    directory = Path(settings.ZHIFA_UPLOAD_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="archive-verify-", suffix=".zip", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in storage.iter_range(blob.key):
                out.write(chunk)
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def archive_verify_stored(archive: CaseArchive) -> Report:
    """The offline verification of the stored package, with the installation's own keys as
    the trusted ones."""
    with package_file(archive.package) as path:
        return verify_package(path, trusted_keys=list(signing.trusted_public_keys()))
