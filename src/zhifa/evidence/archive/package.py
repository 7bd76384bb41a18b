"""Writing a package: the ZIP in the canonical form of ``zipform``, members streamed in.

Evidence files are copied from storage in chunks (memory stays flat whatever their size) and
re-hashed on the way: a stored file that no longer matches its recorded hashes stops the
archiving rather than going into the file. Members are written in a fixed order with fixed
metadata, so the same case file gives the same bytes.

The SHA-256 and SM3 of the whole package are computed in two parts: the members before the
ledger part as soon as they are written, the rest after the ZIP is closed, so the part that
runs while the ledger is locked reads only the small ledger members.
"""

from __future__ import annotations

import contextlib
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from zhifa.core.errors import ApplicationError
from zhifa.ledger.canonical import b64, timestamp_text
from zhifa.ledger.checkpoint_log import checkpoint_record
from zhifa.ledger.models import Checkpoint, LedgerEntry
from zhifa.ledger.selectors import inclusion_proof

from ..hashing import Digests, DualHasher, read_chunks
from ..storage import storage_named
from . import layout, zipform
from .contents import CaseFile, DocEntry, FileEntry
from .render import render_documents


class PackageWriter:
    """A ZIP being written to ``path`` in the canonical form."""

    def __init__(self, path: Path, day: Any) -> None:
        self.path = Path(path)
        self.day = day
        self._fh: IO[bytes] = self.path.open("w+b")
        self._zip = zipfile.ZipFile(self._fh, "w", allowZip64=True)
        self._hasher: DualHasher | None = None
        self._hashed = 0

    def add(self, name: str, data: bytes) -> Digests:
        info = zipform.member_info(name, day=self.day,
                                   stored=layout.stored_uncompressed(name), size=len(data))
        self._zip.writestr(info, data)
        h = DualHasher()
        h.update(data)
        return h.digests()

    def add_stream(self, name: str, chunks: Iterable[bytes], *, size: int) -> Digests:
        info = zipform.member_info(name, day=self.day,
                                   stored=layout.stored_uncompressed(name), size=size)
        h = DualHasher()
        with self._zip.open(info, "w") as member:
            for chunk in chunks:
                h.update(chunk)
                member.write(chunk)
        return h.digests()

    def hash_written(self) -> None:
        """Hash what is final so far: every member written (their headers are patched when
        each one closes; only the central directory comes after them)."""
        self._fh.flush()
        end = self._zip.start_dir
        self._hasher = self._hasher or DualHasher()
        self._feed(self._hashed, end)
        self._hashed = end

    def _feed(self, start: int, end: int | None) -> None:
        assert self._hasher is not None
        with self.path.open("rb") as fh:
            fh.seek(start)
            for chunk in read_chunks(fh, None if end is None else end - start):
                self._hasher.update(chunk)

    def close(self) -> Digests:
        """Write the central directory; the digests of the whole file."""
        self._zip.close()
        self._fh.close()
        self._hasher = self._hasher or DualHasher()
        self._feed(self._hashed, None)
        return self._hasher.digests()

    def abort(self) -> None:
        with contextlib.suppress(OSError, ValueError, RuntimeError):
            self._zip.close()
        self._fh.close()


class DamagedEvidence(ApplicationError):
    code = "evidence_file_damaged"


def _evidence_chunks(entry: FileEntry) -> Iterable[bytes]:
    blob = entry.file.blob
    try:
        yield from storage_named(blob.storage).iter_range(blob.key)
    except OSError as exc:
        raise DamagedEvidence(
            _("The stored bytes of %(file)s (evidence %(seq)s) cannot be read: run the "
              "evidence verification.") % {"file": entry.file.filename,
                                            "seq": entry.file.item.seq}) from exc


class DamagedDocument(ApplicationError):
    code = "archive_document_damaged"


def _document_chunks(entry: DocEntry) -> Iterable[bytes]:
    doc = entry.doc
    if doc.data is not None:
        yield doc.data
        return
    blob = doc.blob
    try:
        yield from storage_named(blob.storage).iter_range(blob.key)
    except OSError as exc:
        raise DamagedDocument(
            _("The stored file of %(title)s %(number)s cannot be read.")
            % {"title": doc.title, "number": doc.number}) from exc


def _write_document(writer: PackageWriter, entry: DocEntry) -> Digests:
    assert entry.member is not None
    digests = writer.add_stream(entry.member, _document_chunks(entry), size=entry.size)
    if (digests.sha256, digests.sm3, digests.size) != (entry.sha256, entry.sm3, entry.size):
        raise DamagedDocument(
            _("The stored file of %(title)s %(number)s no longer matches the hashes recorded "
              "when it was issued.") % {"title": entry.doc.title, "number": entry.doc.number})
    return digests


def write_contents(writer: PackageWriter, cf: CaseFile) -> Digests:
    """Documents, evidence and the manifest; the manifest's digests."""
    members: list[dict[str, Any]] = []
    documents = render_documents(cf)
    roles = {layout.COVER: "cover", layout.INDEX: "index", layout.STEPS: "record",
             layout.BACK_NOTE: "back_note"}

    def listed(name: str, digests: Digests) -> None:
        role = roles.get(name) or ("document" if name.startswith(layout.DOCUMENTS_DIR)
                                   else "evidence")
        members.append({"path": name, "role": role,
                        "size": digests.size, "sha256": digests.sha256, "sm3": digests.sm3})

    for name in (layout.COVER, layout.INDEX, layout.STEPS):
        listed(name, writer.add(name, documents[name]))
    # the enforcement documents, in case-file order (the index's)
    for doc in sorted((d for d in cf.documents if d.member), key=lambda d: d.member or ""):
        assert doc.member is not None
        listed(doc.member, _write_document(writer, doc))
    for entry in cf.files:
        if entry.member is None:
            continue
        f = entry.file
        digests = writer.add_stream(entry.member, _evidence_chunks(entry), size=f.size)
        if (digests.sha256, digests.sm3, digests.size) != (f.blob.sha256, f.blob.sm3, f.size):
            raise DamagedEvidence(
                _("The stored bytes of %(file)s (evidence %(seq)s) no longer match the hashes "
                  "recorded when it was uploaded: run the evidence verification.")
                % {"file": f.filename, "seq": f.item.seq})
        listed(entry.member, digests)
    listed(layout.BACK_NOTE, writer.add(layout.BACK_NOTE, documents[layout.BACK_NOTE]))
    manifest = layout.dumps_document(manifest_for(cf, members))
    return writer.add(layout.MANIFEST, manifest)


def manifest_for(cf: CaseFile, members: list[dict[str, Any]]) -> dict[str, Any]:
    case = cf.case
    return {
        "format": layout.FORMAT,
        "archive": {
            "number": cf.number, "archived_on": cf.archived_on.isoformat(),
            "archived_at": cf.archived_at.isoformat(), "archived_by": cf.archived_by,
            "retention": cf.retention, "retention_label": cf.retention_label,
        },
        "case": {
            "number": case.number, "public_id": str(case.public_id), "title": case.title,
            "procedure": case.procedure, "procedure_label": cf.procedure_label,
            "body": {"name": case.body.name, "credit_code": case.body.credit_code},
            "parties": [{"name": n, "type": t, "identifier": i} for n, t, i in cf.parties],
            "officers": cf.officers, "outcome": case.outcome, "outcome_label": cf.outcome_label,
            "received_on": _day(case.received_on), "registered_on": _day(case.registered_on),
            "decided_on": _day(case.decided_on), "closed_on": _day(case.closed_on),
        },
        "ledger": {"algorithm": cf.algorithm, "stream": case.stream,
                   "entries": layout.ENTRIES, "proofs": layout.PROOFS,
                   "checkpoint": layout.CHECKPOINT},
        "index": [{"seq": r.seq, "title": r.title, "date": r.day, "path": r.member,
                   "note": r.note} for r in cf.rows],
        "evidence": [{
            "item": str(v.item.public_id), "item_seq": v.item.seq, "kind": v.item.kind,
            "title": v.item.title, "item_state": v.item.state,
            "file": str(e.file.public_id), "filename": e.file.filename, "mime": e.file.mime,
            "size": e.file.size, "sha256": e.file.blob.sha256, "sm3": e.file.blob.sm3,
            "ledger_seq": e.file.ledger_seq, "state": e.file.state,
            "embedded": e.member is not None, "path": e.member, "note": e.note,
        } for v in cf.items for e in v.files],
        "documents": [{
            "key": d.doc.key, "title": d.doc.title, "number": d.doc.number,
            "stage": d.doc.stage, "date": _day(d.doc.date), "state": d.doc.state,
            "note": d.doc.note, "path": d.member,
            "size": d.size if d.member else None, "sha256": d.sha256 or None,
            "sm3": d.sm3 or None,
        } for d in cf.documents],
        "members": members,
    }


def _day(value: Any) -> str | None:
    return value.isoformat() if value else None


def entry_line(e: LedgerEntry) -> dict[str, Any]:
    return {
        "seq": e.seq, "stream": e.stream, "stream_seq": e.stream_seq,
        "event_code": e.event_code, "actor_id": e.actor_id, "actor_name": e.actor_name,
        "body_id": e.body_id, "recorded_at": timestamp_text(e.recorded_at),
        "payload": e.payload, "leaf_hash": b64(bytes(e.leaf_hash)),
        "prev_hash": b64(bytes(e.prev_hash)), "chain_hash": b64(bytes(e.chain_hash)),
    }


def write_ledger(writer: PackageWriter, *, stream: str, checkpoint: Checkpoint) -> int:
    """The stream's entries, their inclusion proofs against ``checkpoint``, and the
    checkpoint itself; the number of entries."""
    entries = list(LedgerEntry.objects.filter(stream=stream, seq__lt=checkpoint.tree_size)
                   .order_by("stream_seq"))
    writer.add(layout.ENTRIES, b"".join(layout.dumps_line(entry_line(e)) for e in entries))
    proofs = []
    for e in entries:
        proof = inclusion_proof(seq=e.seq, size=checkpoint.tree_size)
        proofs.append({"leaf_index": proof.leaf_index,
                       "inclusion_path": [b64(p) for p in proof.inclusion_path]})
    writer.add(layout.PROOFS, layout.dumps_document({
        "algorithm": checkpoint.algorithm, "tree_size": checkpoint.tree_size,
        "proofs": proofs}))
    writer.add(layout.CHECKPOINT, layout.dumps_document({
        **checkpoint_record(checkpoint), "key_algorithm": checkpoint.key_algorithm}))
    return len(entries)
