"""Reading an issued document's file is part of its custody: every download of the stored DOCX
or PDF is an entry on the case's stream (as evidence downloads are), naming the file's hash."""

from __future__ import annotations

from typing import Any, Literal

from django.db import transaction
from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput
from zhifa.ledger.services import ledger_append

from .. import doctypes
from ..events import DOCUMENT_DOWNLOADED
from ..models import Document, DocumentState


@transaction.atomic
def document_download_record(*, actor: Any, document: Document,
                             fmt: Literal["pdf", "docx"]) -> None:
    """Record that ``actor`` (who can see the case: the caller's selector checked it) took the
    stored ``fmt`` file of an issued or voided document."""
    blob = document.pdf if fmt == "pdf" else document.docx if fmt == "docx" else None
    if document.state == DocumentState.DRAFT or blob is None:
        raise InvalidInput(_("Only an issued document has stored files."),
                           code="document_not_issued")
    t = doctypes.BY_CODE.get(document.doc_type)
    case = document.case
    ledger_append(actor=actor, event=DOCUMENT_DOWNLOADED, stream=case.stream, body=case.body,
                  payload={"case": case.number, "document": str(document.public_id),
                           "doc_type": document.doc_type, "title": t.title if t else "",
                           "number": document.number, "format": fmt,
                           "sha256": blob.sha256, "sm3": blob.sm3})
