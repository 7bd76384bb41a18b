"""What a case-file package contains and how its JSON members are encoded (format v1).

Pure standard library: the verifier imports this without Django.

Members, in this order in the ZIP:

- ``00-封面.html`` cover, ``01-卷内目录.html`` index, ``02-办案记录.html`` the steps record,
  ``documents/<index seq>-<file name>`` each document other apps contribute to the case
  file (``contributors``: the issued enforcement documents' PDFs), in case-file order,
  ``evidence/<index seq>-<evidence no.>-<file name>`` each embedded evidence file,
  ``99-备考表.html`` back note — printable HTML in Chinese, no external assets;
- ``manifest.json``: metadata and the SHA-256, SM3 and size of every member above;
- ``ledger/entries.jsonl``: the case stream's ledger entries up to ``ARCHIVE_CREATED``, which
  records the manifest's SHA-256 and SM3; ``ledger/proofs.json``: an RFC 6962 inclusion proof
  of each entry against ``ledger/checkpoint.json``, the signed checkpoint with its public key.

The ledger members cannot be in the manifest (the manifest's hash is inside them); they are
checked by the leaf hashes, the chain, the proofs and the signature, and must be exactly the
canonical encoding below, so that no byte of the package goes unchecked.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

FORMAT = "zhifa-case-archive/v1"

COVER = "00-封面.html"
INDEX = "01-卷内目录.html"
STEPS = "02-办案记录.html"
BACK_NOTE = "99-备考表.html"
MANIFEST = "manifest.json"
ENTRIES = "ledger/entries.jsonl"
PROOFS = "ledger/proofs.json"
CHECKPOINT = "ledger/checkpoint.json"
LEDGER_MEMBERS = (ENTRIES, PROOFS, CHECKPOINT)
EVIDENCE_DIR = "evidence/"
DOCUMENTS_DIR = "documents/"

# The ledger event that seals the package (``zhifa.evidence.events.ARCHIVE_CREATED``; a test
# keeps the two equal). Its payload carries ``manifest_sha256`` and ``manifest_sm3``.
ARCHIVE_CREATED_CODE = 5019

# Fields of one line of ``ledger/entries.jsonl``: the leaf fields of ADR 0008 (``payload`` is
# the stored canonical JSON text, verbatim) and the stored hashes (standard base64).
ENTRY_FIELDS = ("seq", "stream", "stream_seq", "event_code", "actor_id", "actor_name",
                "body_id", "recorded_at", "payload", "leaf_hash", "prev_hash", "chain_hash")
CHECKPOINT_FIELDS = ("tree_size", "root_hash", "algorithm", "timestamp", "signature",
                     "public_key", "key_algorithm")

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def stored_uncompressed(name: str) -> bool:
    """Evidence (photos, audio, video, PDFs) and contributed documents (PDFs) are stored as
    they are; the package's own HTML documents and JSON deflated."""
    return name.startswith((EVIDENCE_DIR, DOCUMENTS_DIR))


def safe_filename(name: str, limit: int = 80) -> str:
    """A file name that every file system and unzip tool accepts: no path separators,
    control or reserved characters, no leading dots, at most ``limit`` characters (the
    extension kept)."""
    text = unicodedata.normalize("NFC", name or "")
    text = _UNSAFE.sub("_", text).strip().lstrip(".").strip() or "file"
    if len(text) > limit:
        stem, dot, ext = text.rpartition(".")
        if dot and 0 < len(ext) <= 10 and stem:
            text = stem[: limit - len(ext) - 1] + "." + ext
        else:
            text = text[:limit]
    return text


def evidence_member(index_seq: int, item_seq: int, filename: str) -> str:
    return f"{EVIDENCE_DIR}{index_seq:03d}-{item_seq}-{safe_filename(filename)}"


def document_member(index_seq: int, filename: str) -> str:
    return f"{DOCUMENTS_DIR}{index_seq:03d}-{safe_filename(filename)}"


def dumps_document(value: Any) -> bytes:
    """``manifest.json``, ``ledger/proofs.json``, ``ledger/checkpoint.json``: keys sorted,
    one-space indent, UTF-8 (not ASCII-escaped), a final line feed."""
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1,
                       allow_nan=False) + "\n").encode()


def dumps_line(value: Any) -> bytes:
    """One line of ``ledger/entries.jsonl``: keys sorted, no whitespace, UTF-8, line feed."""
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                       allow_nan=False) + "\n").encode()
