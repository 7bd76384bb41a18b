"""Custody of a file's bytes inside the agency: each opening of a file's page and each
download is a ledger entry on the case's stream. Ranged reads for playback write nothing
themselves: the page that plays them was recorded as viewed."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhifa.cases.selectors import visible_cases
from zhifa.core.errors import NotFound
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.services import ledger_append

from ..events import FILE_DOWNLOADED, FILE_VIEWED
from ..models import EvidenceFile


def _require_visible(actor: Any, f: EvidenceFile) -> None:
    if not visible_cases(actor).filter(pk=f.case_id).exists():
        raise NotFound(_("Evidence file not found."), code="file_not_found")


def _payload(f: EvidenceFile) -> dict[str, Any]:
    return {"case": f.case.number, "file": str(f.public_id), "filename": f.filename,
            "sha256": f.blob.sha256, "state": f.state}


@transaction.atomic
def evidence_file_view(*, actor: Any, file: EvidenceFile) -> LedgerEntry:
    """Record that ``actor`` opened the file (its page, player or image)."""
    _require_visible(actor, file)
    case = file.case
    return ledger_append(actor=actor, event=FILE_VIEWED, stream=case.stream, body=case.body,
                         payload=_payload(file))


@transaction.atomic
def evidence_file_download(*, actor: Any, file: EvidenceFile,
                           byte_range: str | None = None) -> LedgerEntry:
    """Record that ``actor`` downloaded the file (``byte_range``: the ``Content-Range`` sent
    when a download manager resumed a part)."""
    _require_visible(actor, file)
    case = file.case
    return ledger_append(actor=actor, event=FILE_DOWNLOADED, stream=case.stream,
                         body=case.body, payload={**_payload(file), "range": byte_range})
