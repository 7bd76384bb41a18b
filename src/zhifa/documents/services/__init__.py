"""Document services: every state change is one transaction with its ledger entry (issuing:
two phases, see ``issue``)."""

from .checks import decision_document_hook, missing
from .context import computed, prefill
from .downloads import document_download_record
from .drafts import document_draft, document_preview, document_update
from .issue import document_issue, document_void
from .numbering import number_example, number_pattern, number_peek, number_take, pattern_save
from .profiles import profile_get, profile_save
from .serials import serial_book_register, serial_find, serial_void
from .storage import read_bytes, store_bytes
from .templates import (
    system_template_ensure,
    template_activate,
    template_file,
    template_for,
    template_retire,
    template_upload,
)

__all__ = [
    "computed", "decision_document_hook", "document_download_record", "document_draft",
    "document_issue", "document_preview", "document_update", "document_void", "missing",
    "number_example", "number_pattern", "number_peek", "number_take", "pattern_save", "prefill",
    "profile_get", "profile_save", "read_bytes", "serial_book_register", "serial_find",
    "serial_void", "service_deem_due", "service_record", "store_bytes", "system_template_ensure",
    "template_activate", "template_file", "template_for", "template_retire", "template_upload",
]

# the service of issued documents (送达), written alongside
from .service import service_deem_due, service_record
