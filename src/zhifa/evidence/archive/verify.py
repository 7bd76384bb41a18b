"""Verify a case-file package offline, with nothing but the package.

    python -m zhifa.evidence.archive.verify PACKAGE [--json] [--trusted-key HEX ...]
    zhifa archive verify PACKAGE [--json] [--trusted-key HEX ...]

No Django and no database: the standard library, ``zhifa.ledger.canonical`` and
``zhifa.ledger.merkle`` (pure), ``cryptography`` for Ed25519 and ``tongsuopy`` for SM2.
Every check runs and every failure is named (``member <path>``, ``entry <seq>``,
``checkpoint signature``, ``zip``, ``manifest``), not only the first:

1. the ZIP is exactly in the canonical form of ``zipform`` (every header byte rebuilt and
   compared, members contiguous, nothing before, between or after them);
2. every member's CRC-32, and for deflated members a stream that ends exactly at its end
   with zero padding bits;
3. the members are exactly those of the manifest plus the manifest and the three ledger
   members (nothing missing, nothing extra, no name twice);
4. each member listed in the manifest has the manifest's size, SHA-256 and SM3;
5. the ledger members are in their canonical encoding (``layout.dumps_*``); each entry's leaf
   hash is recomputed from its fields (``zhifa.ledger.canonical.leaf_data``, ADR 0008), the
   stream's hash chain runs unbroken from its first link, and each entry's inclusion proof
   leads to the checkpoint's root at the checkpoint's size;
6. the checkpoint's signature verifies with its public key, which, given ``--trusted-key``,
   must be one of those keys (hex of the DER SubjectPublicKeyInfo);
7. the last entry is ``ARCHIVE_CREATED`` of this case and archive number, and records the
   SHA-256 and SM3 of ``manifest.json`` as it is in the package.

Exit status: 0 verified, 1 verification failed, 2 the package cannot be read at all.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import datetime as dt
import hashlib
import json
import sys
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from zhifa.ledger.canonical import checkpoint_text, leaf_data
from zhifa.ledger.merkle import ALGORITHMS, hasher, verify_inclusion

from . import layout, zipform

CHUNK = 1024 * 1024
# Documents and ledger members are read into memory to be parsed; evidence is streamed.
IN_MEMORY_MAX = 512 * 1024 * 1024
SIGNED_TIME = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Problem:
    where: str  # "member <path>", "entry <seq>", "checkpoint signature", "checkpoint", "zip"…
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"where": self.where, "code": self.code, "message": self.message}


@dataclass
class Report:
    package: str
    problems: list[Problem] = field(default_factory=list)
    archive_number: str = ""
    case_number: str = ""
    algorithm: str = ""
    tree_size: int | None = None
    entries: int = 0
    members: int = 0
    key_algorithm: str = ""
    key_fingerprint: str = ""  # SHA-256 of the DER public key, hex
    key_trusted: bool | None = None  # None: no trusted key was given

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "package": self.package, "archive_number": self.archive_number,
            "case_number": self.case_number, "algorithm": self.algorithm,
            "tree_size": self.tree_size, "entries": self.entries, "members": self.members,
            "key_algorithm": self.key_algorithm, "key_fingerprint": self.key_fingerprint,
            "key_trusted": self.key_trusted,
            "problems": [p.as_dict() for p in self.problems],
        }


class Unreadable(Exception):
    """The file is not there or not readable at all (exit status 2)."""


# --- The ZIP structure ---------------------------------------------------------------------
@dataclass
class _Member:
    name: str  # as the local header has it (the central directory's if that one is unreadable)
    raw_name: bytes
    offset: int  # of its local header
    header: bytes  # the local header as found
    data_offset: int
    compressed: int
    method: int
    crc: int  # as the local header says
    size: int  # uncompressed size as the local header says
    central: bytes | None = None  # its central directory record as found
    # computed from the data
    actual_crc: int = 0
    actual_size: int = 0
    sha256: str = ""
    sm3: str = ""
    content: bytes | None = None
    readable: bool = True


def _zip64_values(extra: bytes) -> list[int]:
    """The 8-byte values of the ZIP64 extra field (id 1), if any."""
    pos = 0
    while pos + 4 <= len(extra):
        tag, length = int.from_bytes(extra[pos:pos + 2], "little"), int.from_bytes(
            extra[pos + 2:pos + 4], "little")
        body = extra[pos + 4:pos + 4 + length]
        if tag == 1:
            return [int.from_bytes(body[i:i + 8], "little") for i in range(0, len(body) - 7, 8)]
        pos += 4 + length
    return []


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")


def _local_at(fh: BinaryIO, offset: int, end: int,
              compressed: int | None = None) -> _Member | None:
    """The member whose local header is at ``offset`` (its data size from the header, or
    ``compressed`` as the central directory says); None when it does not fit in the file."""
    if offset < 0 or offset + zipform.LOCAL.size > end:
        return None
    fh.seek(offset)
    fixed = fh.read(zipform.LOCAL.size)
    (_sig, _ver, _res, _flags, method, _time, _date, crc, csize, usize, nlen,
     elen) = zipform.LOCAL.unpack(fixed)
    if offset + zipform.LOCAL.size + nlen + elen > end:
        return None
    rest = fh.read(nlen + elen)
    raw_name, extra = rest[:nlen], rest[nlen:]
    if csize == 0xFFFFFFFF or usize == 0xFFFFFFFF:
        values = _zip64_values(extra)
        if len(values) >= 2:
            usize, csize = values[0], values[1]
    data_offset = offset + zipform.LOCAL.size + nlen + elen
    member = _Member(name=_decode(raw_name), raw_name=raw_name, offset=offset,
                     header=fixed + rest, data_offset=data_offset,
                     compressed=csize if compressed is None else compressed, method=method,
                     crc=crc, size=usize)
    if data_offset + member.compressed > end:
        return None
    return member


def _scan_locals(fh: BinaryIO, end: int) -> list[_Member]:
    """Members found by walking the local headers from offset 0 (canonical packages have
    their sizes there), up to the first thing that is not a local header."""
    members: list[_Member] = []
    pos = 0
    while True:
        fh.seek(pos)
        if fh.read(4) != zipform.LOCAL_SIG:
            break
        member = _local_at(fh, pos, end)
        if member is None:
            break
        members.append(member)
        pos = member.data_offset + member.compressed
    return members


def _read_end(fh: BinaryIO, end: int) -> tuple[int, int, int] | None:
    """(entries, directory size, directory offset) from the end records, or None."""
    if end < zipform.END.size:
        return None
    fh.seek(end - zipform.END.size)
    (sig, _d, _dcd, _n1, count, size, offset, comment) = zipform.END.unpack(
        fh.read(zipform.END.size))
    if sig != zipform.END_SIG or comment != 0:
        return None
    if count == 0xFFFF or size == 0xFFFFFFFF or offset == 0xFFFFFFFF:
        at = end - zipform.END.size - zipform.LOCATOR64.size
        if at < 0:
            return None
        fh.seek(at)
        lsig, _disk, where, _total = zipform.LOCATOR64.unpack(fh.read(zipform.LOCATOR64.size))
        if lsig != zipform.LOCATOR64_SIG or where + zipform.END64.size > at:
            return None
        fh.seek(where)
        rec = zipform.END64.unpack(fh.read(zipform.END64.size))
        if rec[0] != zipform.END64_SIG:
            return None
        count, size, offset = rec[7], rec[8], rec[9]
    return count, size, offset


def _read_central(fh: BinaryIO, count: int, size: int, offset: int
                  ) -> tuple[list[tuple[bytes, dict[str, int]]], int | None]:
    """The central directory records (raw bytes, fields); the index of the first record that
    cannot be read (None when all ``count`` were read and they fill ``size`` exactly)."""
    fh.seek(offset)
    blob = fh.read(size)
    records: list[tuple[bytes, dict[str, int]]] = []
    pos = 0
    for i in range(count):
        fixed = blob[pos:pos + zipform.CENTRAL.size]
        if len(fixed) < zipform.CENTRAL.size or fixed[:4] != zipform.CENTRAL_SIG:
            return records, i
        f = zipform.CENTRAL.unpack(fixed)
        nlen, elen, clen = f[12], f[13], f[14]
        end = pos + zipform.CENTRAL.size + nlen + elen + clen
        if end > len(blob):
            return records, i
        raw = blob[pos:end]
        extra = raw[zipform.CENTRAL.size + nlen:zipform.CENTRAL.size + nlen + elen]
        csize, usize, where = f[10], f[11], f[18]
        values = iter(_zip64_values(extra))
        if usize == 0xFFFFFFFF:
            usize = next(values, usize)
        if csize == 0xFFFFFFFF:
            csize = next(values, csize)
        if where == 0xFFFFFFFF:
            where = next(values, where)
        records.append((raw, {"name_len": nlen, "method": f[6], "crc": f[9],
                              "compressed": csize, "size": usize, "offset": where}))
        pos = end
    if pos != len(blob):
        return records, len(records)
    return records, None


def _central_name(raw: bytes, nlen: int) -> bytes:
    return raw[zipform.CENTRAL.size:zipform.CENTRAL.size + nlen]


_LOCAL_FIELDS = ("signature", "version needed", "reserved", "flags", "compression method",
                 "time", "date", "CRC-32", "compressed size", "size", "name length",
                 "extra length")
_CENTRAL_FIELDS = ("signature", "version made by", "system", "version needed", "reserved",
                   "flags", "compression method", "time", "date", "CRC-32", "compressed size",
                   "size", "name length", "extra length", "comment length", "disk",
                   "internal attributes", "external attributes", "offset")


def _differences(actual: bytes, expected: bytes, fixed: Any, names: Sequence[str]) -> str:
    """Which fields of a header differ, for the message."""
    out: list[str] = []
    if len(actual) >= fixed.size and len(expected) >= fixed.size:
        a, e = fixed.unpack(actual[:fixed.size]), fixed.unpack(expected[:fixed.size])
        out += [n for n, x, y in zip(names, a, e, strict=True) if x != y]
        if actual[fixed.size:] != expected[fixed.size:]:
            out.append("name or extra field")
    return ", ".join(out) or "length"


# --- Member contents ----------------------------------------------------------------------
def _stored_chunks(fh: BinaryIO, start: int, length: int) -> Iterator[bytes]:
    fh.seek(start)
    left = length
    while left > 0:
        chunk = fh.read(min(CHUNK, left))
        if not chunk:
            raise EOFError("the file ends inside this member")
        left -= len(chunk)
        yield chunk


def _inflate(fh: BinaryIO, start: int, length: int) -> Iterator[bytes]:
    """Inflate a raw deflate stream that must end exactly at ``length`` bytes, its last
    byte's unused bits zero (zlib writes them so; a changed padding bit would otherwise
    leave the content the same)."""
    d = zlib.decompressobj(-15)
    tail = b""
    for chunk in _stored_chunks(fh, start, length):
        data = tail + chunk
        body, tail = data[:-1], data[-1:]
        if body:
            out = d.decompress(body)
            if d.eof and (d.unused_data or tail):
                raise ValueError("data after the end of the deflate stream")
            if out:
                yield out
    if not tail:
        raise ValueError("empty deflate stream")
    before = d.copy()
    out = d.decompress(tail) + d.flush()
    if not d.eof or d.unused_data:
        raise ValueError("the deflate stream does not end at the member's end")
    byte = tail[0]
    for bit in range(8):
        if byte & (1 << bit):
            probe = before.copy()
            try:
                again = probe.decompress(bytes([byte & ~(1 << bit)])) + probe.flush()
            except zlib.error:
                continue
            if probe.eof and not probe.unused_data and again == out:
                raise ValueError("a padding bit after the deflate stream is set")
    if out:
        yield out


# --- Signatures (the same rules as zhifa.ledger.signing, without Django) ------------------
def signature_valid(public_key: bytes, message: bytes, signature: bytes) -> tuple[str, bool]:
    """(algorithm, valid) for a DER SubjectPublicKeyInfo of Ed25519 or SM2 (SM3, default user
    id 1234567812345678); algorithm "" when the key is neither."""
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    try:
        key = serialization.load_der_public_key(public_key)
    except UnsupportedAlgorithm:
        key = None  # SM2 is not a curve that cryptography knows
    except ValueError:
        return "", False
    if isinstance(key, ed25519.Ed25519PublicKey):
        try:
            key.verify(signature, message)
        except InvalidSignature:
            return "ed25519", False
        return "ed25519", True
    if key is not None:
        return "", False
    try:
        from tongsuopy.crypto import hashes
        from tongsuopy.crypto import serialization as t_serialization
        from tongsuopy.crypto.asymciphers import ec
    except ImportError:  # pragma: no cover - tongsuopy is a dependency of the platform
        return "sm2?", False
    try:
        sm2 = t_serialization.load_der_public_key(public_key)
    except Exception:  # tongsuopy raises its own exception types
        return "", False
    if getattr(getattr(sm2, "curve", None), "name", "") != "SM2":
        return "", False
    try:
        sm2.verify(signature, message, ec.ECDSA(hashes.SM3()))
    except Exception:  # InvalidSignature, or a signature that is not DER at all
        return "sm2", False
    return "sm2", True


# --- The verifier ----------------------------------------------------------------------------
class _Verifier:
    def __init__(self, path: Path, trusted_keys: Sequence[bytes]) -> None:
        self.path = path
        self.trusted = list(trusted_keys)
        self.report = Report(package=str(path))

    def problem(self, where: str, code: str, message: str) -> None:
        self.report.problems.append(Problem(where, code, message))

    # -- structure
    def run(self) -> Report:
        try:
            fh = self.path.open("rb")
        except OSError as exc:
            raise Unreadable(f"{self.path}: {exc.strerror or exc}") from exc
        with fh:
            end = fh.seek(0, 2)
            members = self._structure(fh, end)
            by_name: dict[str, _Member] = {}
            for m in members:
                if m.name in by_name:
                    self.problem(f"member {m.name}", "member_duplicate",
                                 "the package holds two members of this name")
                by_name.setdefault(m.name, m)
            manifest_member = by_name.get(layout.MANIFEST)
            if manifest_member is not None:
                self._read(fh, manifest_member)
            manifest = self._manifest(manifest_member)
            self._day = self._archiving_day(manifest, members)
            for m in members:
                if m is not manifest_member:
                    self._read(fh, m)
                self._headers(m)
            self._tail(fh, members, end)
        self.report.members = len(members)
        self._members(manifest, by_name)
        self._ledger(manifest, by_name, manifest_member)
        return self.report

    def _structure(self, fh: BinaryIO, end: int) -> list[_Member]:
        """The members as the central directory locates them; as found by walking the local
        headers when the directory cannot be read."""
        self._end = _read_end(fh, end)
        self._central: list[tuple[bytes, dict[str, int]]] = []
        self._central_ok = False
        if self._end is not None:
            count, size, offset = self._end
            self._central, broken = _read_central(fh, count, size, offset)
            self._central_ok = broken is None
        if self._central_ok:
            members = [self._located(fh, end, raw, f) for raw, f in self._central]
        else:
            # held against the canonical directory in ``_tail``, which names the member
            members = _scan_locals(fh, end)
        if not members:
            raise Unreadable(f"{self.path}: not a ZIP file")
        # contiguous: nothing before, between or after the members but the directory
        expected = 0
        for m in members:
            if m.offset != expected:
                self.problem(f"member {m.name}", "zip_structure",
                             f"starts at byte {m.offset}, not right after the previous "
                             f"member (byte {expected})")
            expected = m.data_offset + m.compressed
        self._members_end = expected
        return members

    def _located(self, fh: BinaryIO, end: int, raw: bytes, f: dict[str, int]) -> _Member:
        """The member a central directory record points at. Named as its local header names
        it, when that header is there: a changed name in the directory is then reported as
        a difference of that member's record."""
        central_name = _central_name(raw, f["name_len"])
        m = _local_at(fh, f["offset"], end, compressed=f["compressed"])
        if m is None or m.header[:4] != zipform.LOCAL_SIG:
            name = _decode(central_name)
            if m is None:
                m = _Member(name=name, raw_name=central_name, offset=f["offset"], header=b"",
                            data_offset=f["offset"], compressed=0, method=f["method"],
                            crc=f["crc"], size=f["size"], readable=False)
                self.problem(f"member {name}", "zip_structure",
                             "its central directory record points outside the package")
            else:
                m.name, m.raw_name = name, central_name
        m.central = raw
        return m

    def _read(self, fh: BinaryIO, m: _Member) -> None:
        sha, sm3, crc, size = hashlib.sha256(), hashlib.new("sm3"), 0, 0
        keep = not layout.stored_uncompressed(m.name) and m.size <= IN_MEMORY_MAX
        parts: list[bytes] = []
        try:
            if m.method == 0:
                chunks = _stored_chunks(fh, m.data_offset, m.compressed)
            elif m.method == 8:
                chunks = _inflate(fh, m.data_offset, m.compressed)
            else:
                raise ValueError(f"unknown compression method {m.method}")
            for chunk in chunks:
                sha.update(chunk)
                sm3.update(chunk)
                crc = zlib.crc32(chunk, crc)
                size += len(chunk)
                if keep:
                    if size > IN_MEMORY_MAX:
                        keep, parts = False, []
                    else:
                        parts.append(chunk)
        except (ValueError, EOFError, zlib.error) as exc:
            m.readable = False
            self.problem(f"member {m.name}", "member_corrupt",
                         f"its data cannot be read: {exc}")
            return
        m.actual_crc, m.actual_size = crc, size
        m.sha256, m.sm3 = sha.hexdigest(), sm3.hexdigest()
        m.content = b"".join(parts) if keep else None
        if crc != m.crc:
            self.problem(f"member {m.name}", "member_crc",
                         "its CRC-32 does not match its content")
        if size != m.size:
            self.problem(f"member {m.name}", "member_size",
                         f"holds {size} bytes, its header says {m.size}")

    def _archiving_day(self, manifest: dict[str, Any] | None,
                       members: list[_Member]) -> tuple[int, int]:
        archived_on = (manifest or {}).get("archive", {}).get("archived_on")
        try:
            return zipform.dos_time(dt.date.fromisoformat(str(archived_on)))
        except (TypeError, ValueError):
            pass
        # no usable manifest: the time most members have
        times = Counter(zipform.LOCAL.unpack(m.header[:zipform.LOCAL.size])[5:7]
                        for m in members if len(m.header) >= zipform.LOCAL.size)
        if not times:
            return 0, 0
        time, date = times.most_common(1)[0][0]
        return time, date

    def _canonical(self, m: _Member) -> tuple[bytes, bytes]:
        """The member's local header and central directory record in the canonical form,
        from its name, the data as read and the archiving day."""
        time, date = self._day
        values: dict[str, Any] = {
            "name": m.raw_name, "method": 0 if layout.stored_uncompressed(m.name) else 8,
            "time": time, "date": date, "crc": m.actual_crc if m.readable else m.crc,
            "compressed": m.compressed, "size": m.actual_size if m.readable else m.size}
        return (zipform.local_header(**values),
                zipform.central_record(**values, offset=m.offset))

    def _headers(self, m: _Member) -> None:
        local, central = self._canonical(m)
        if m.header and m.header != local:
            self.problem(f"member {m.name}", "zip_structure",
                         "its local header differs from the canonical form ("
                         + _differences(m.header, local, zipform.LOCAL, _LOCAL_FIELDS) + ")")
        if m.central is not None and m.central != central:
            self.problem(f"member {m.name}", "zip_structure",
                         "its central directory record differs from the canonical form ("
                         + _differences(m.central, central, zipform.CENTRAL, _CENTRAL_FIELDS)
                         + ")")

    def _tail(self, fh: BinaryIO, members: list[_Member], end: int) -> None:
        """After the members: the central directory, then the end records, exactly."""
        if self._central_ok:
            assert self._end is not None
            _count, size, offset = self._end
            if offset != self._members_end:
                self.problem("zip", "zip_structure",
                             f"the central directory starts at byte {offset}, the members "
                             f"end at byte {self._members_end}")
            fh.seek(offset + size)
            tail = fh.read(max(0, end - offset - size))
            if tail != zipform.end_records(count=len(members), directory_size=size,
                                           directory_offset=offset):
                self.problem("zip", "zip_structure", "the end of central directory record "
                                                     "differs from the canonical form")
            return
        # The directory cannot be read: find where it departs from the canonical one.
        records = [self._canonical(m)[1] for m in members]
        start = self._members_end
        size = sum(len(r) for r in records)
        expected = b"".join(records) + zipform.end_records(
            count=len(members), directory_size=size, directory_offset=start)
        fh.seek(start)
        actual = fh.read(max(0, end - start))
        first = next((i for i, (x, y) in enumerate(zip(actual, expected, strict=False))
                      if x != y), min(len(actual), len(expected)))
        pos = 0
        for m, record in zip(members, records, strict=True):
            if first < pos + len(record):
                self.problem(f"member {m.name}", "zip_structure",
                             "its central directory record is damaged")
                return
            pos += len(record)
        self.problem("zip", "zip_structure",
                     "the end of central directory record is missing or damaged")

    # -- manifest and members
    def _manifest(self, m: _Member | None) -> dict[str, Any] | None:
        if m is None:
            self.problem(f"member {layout.MANIFEST}", "member_missing",
                         "the package has no manifest")
            return None
        if m.content is None:
            return None
        try:
            manifest = json.loads(m.content)
        except ValueError as exc:
            self.problem(f"member {layout.MANIFEST}", "member_invalid",
                         f"not valid JSON: {exc}")
            return None
        if not isinstance(manifest, dict) or manifest.get("format") != layout.FORMAT:
            self.problem(f"member {layout.MANIFEST}", "member_invalid",
                         f"not a manifest of format {layout.FORMAT}")
            return None
        self.report.archive_number = str(manifest.get("archive", {}).get("number", ""))
        self.report.case_number = str(manifest.get("case", {}).get("number", ""))
        return manifest

    def _members(self, manifest: dict[str, Any] | None, by_name: dict[str, _Member]) -> None:
        listed: dict[str, dict[str, Any]] = {}
        for row in (manifest or {}).get("members", []):
            if isinstance(row, dict) and isinstance(row.get("path"), str):
                listed[row["path"]] = row
        expected = set(listed) | {layout.MANIFEST, *layout.LEDGER_MEMBERS}
        for name in sorted(expected - set(by_name)):
            if name != layout.MANIFEST:  # reported already
                self.problem(f"member {name}", "member_missing",
                             "listed in the manifest but not in the package"
                             if name in listed else "missing from the package")
        if manifest is None:
            return
        for name in sorted(set(by_name) - expected):
            self.problem(f"member {name}", "member_extra", "not listed in the manifest")
        for name, row in listed.items():
            m = by_name.get(name)
            if m is None or not m.readable:
                continue
            wrong = [label for label, key, got in (
                ("size", "size", m.actual_size), ("SHA-256", "sha256", m.sha256),
                ("SM3", "sm3", m.sm3)) if row.get(key) != got]
            if wrong:
                self.problem(f"member {name}", "member_hash",
                             f"its {' and '.join(wrong)} differ from the manifest")

    # -- ledger
    def _json_member(self, by_name: dict[str, _Member], name: str) -> Any:
        m = by_name.get(name)
        if m is None or m.content is None:
            return None
        try:
            value = json.loads(m.content)
        except ValueError as exc:
            self.problem(f"member {name}", "member_invalid", f"not valid JSON: {exc}")
            return None
        if layout.dumps_document(value) != m.content:
            self.problem(f"member {name}", "member_not_canonical",
                         "not in the canonical encoding")
        return value

    def _entries(self, by_name: dict[str, _Member]) -> list[dict[str, Any]]:
        m = by_name.get(layout.ENTRIES)
        if m is None or m.content is None:
            return []
        entries: list[dict[str, Any]] = []
        lines = m.content.split(b"\n")
        if lines[-1] != b"":
            self.problem(f"member {layout.ENTRIES}", "member_not_canonical",
                         "does not end with a line feed")
        for number, line in enumerate(lines[:-1], start=1):
            try:
                value = json.loads(line)
            except ValueError as exc:
                self.problem(f"member {layout.ENTRIES}", "member_invalid",
                             f"line {number} is not valid JSON: {exc}")
                continue
            if not isinstance(value, dict) or set(value) != set(layout.ENTRY_FIELDS):
                self.problem(f"member {layout.ENTRIES}", "member_invalid",
                             f"line {number} is not a ledger entry")
                continue
            if layout.dumps_line(value) != line + b"\n":
                self.problem(f"member {layout.ENTRIES}", "member_not_canonical",
                             f"line {number} is not in the canonical encoding")
            entries.append(value)
        return entries

    def _ledger(self, manifest: dict[str, Any] | None, by_name: dict[str, _Member],
                manifest_member: _Member | None) -> None:
        checkpoint = self._json_member(by_name, layout.CHECKPOINT)
        proofs = self._json_member(by_name, layout.PROOFS)
        entries = self._entries(by_name)
        self.report.entries = len(entries)
        cp = self._checkpoint(checkpoint)
        algorithm = cp["algorithm"] if cp else str((manifest or {}).get("ledger", {}).get(
            "algorithm", ""))
        if algorithm not in ALGORITHMS:
            self.problem("checkpoint", "checkpoint_invalid",
                         f"unknown hash algorithm {algorithm!r}")
            return
        self.report.algorithm = algorithm
        if manifest is not None and manifest.get("ledger", {}).get("algorithm") != algorithm:
            self.problem("manifest", "manifest_invalid",
                         "its ledger algorithm differs from the checkpoint's")
        h = hasher(algorithm)
        paths = self._proof_paths(proofs, cp, entries)
        stream = str((manifest or {}).get("ledger", {}).get("stream", ""))
        prev_chain = bytes(h.size)
        next_link = 0
        last_seq = -1
        for index, e in enumerate(entries):
            where = f"entry {e.get('seq')}"
            try:
                data = leaf_data(seq=e["seq"], stream=e["stream"], stream_seq=e["stream_seq"],
                                 event_code=e["event_code"], actor_id=e["actor_id"],
                                 actor_name=e["actor_name"], body_id=e["body_id"],
                                 recorded_at=e["recorded_at"], payload=e["payload"])
                leaf_hash = base64.b64decode(e["leaf_hash"], validate=True)
                prev = base64.b64decode(e["prev_hash"], validate=True)
                chain = base64.b64decode(e["chain_hash"], validate=True)
                if not all(type(e[k]) is int for k in ("seq", "stream_seq", "event_code")):
                    raise TypeError("seq, stream_seq and event_code must be integers")
                json.loads(e["payload"])
            except (KeyError, TypeError, ValueError, binascii.Error) as exc:
                self.problem(where, "entry_invalid", f"cannot be read: {exc}")
                continue
            if e["stream"] != stream:
                self.problem(where, "entry_sequence",
                             f"belongs to stream {e['stream']!r}, not to the case's {stream!r}")
            if e["stream_seq"] != next_link:
                self.problem(where, "entry_sequence",
                             f"is link {e['stream_seq']} of the stream where link {next_link} "
                             "belongs: an entry is missing or out of order")
            next_link = e["stream_seq"] + 1
            if e["seq"] <= last_seq:
                self.problem(where, "entry_sequence", "is out of order")
            last_seq = e["seq"]
            computed = h.leaf(data)
            if computed != leaf_hash:
                self.problem(where, "entry_leaf",
                             "its fields no longer hash to its leaf hash (altered)")
            if prev != prev_chain:
                self.problem(where, "entry_chain",
                             "does not link to the previous entry's chain hash")
            if chain != h.digest(prev + computed):
                self.problem(where, "entry_chain", "its chain hash does not follow from it")
            prev_chain = chain  # go on from what is recorded: one break, one failure
            if cp is not None and paths is not None:
                path = paths.get(index)
                if path is None or not verify_inclusion(
                        h, leaf_index=e["seq"], tree_size=cp["tree_size"], leaf_hash=computed,
                        inclusion_path=path, root_hash=cp["root_hash"]):
                    self.problem(where, "entry_proof",
                                 "its inclusion proof does not lead to the checkpoint's root")
        self._sealed(manifest, entries, manifest_member)

    def _checkpoint(self, value: Any) -> dict[str, Any] | None:
        if value is None:
            return None
        try:
            if not isinstance(value, dict) or set(value) != set(layout.CHECKPOINT_FIELDS):
                raise ValueError("unexpected fields")
            cp = {
                "tree_size": value["tree_size"], "algorithm": value["algorithm"],
                "root_hash": base64.b64decode(value["root_hash"], validate=True),
                "signature": base64.b64decode(value["signature"], validate=True),
                "public_key": base64.b64decode(value["public_key"], validate=True),
                "key_algorithm": value["key_algorithm"],
                "timestamp": dt.datetime.strptime(value["timestamp"], SIGNED_TIME).replace(
                    tzinfo=dt.UTC),
            }
            if type(cp["tree_size"]) is not int or cp["tree_size"] < 1:
                raise ValueError("tree_size is not a size")
        except (ValueError, TypeError, binascii.Error) as exc:
            self.problem("checkpoint", "checkpoint_invalid", f"cannot be read: {exc}")
            return None
        key = cp["public_key"]
        self.report.tree_size = cp["tree_size"]
        self.report.key_fingerprint = hashlib.sha256(key).hexdigest()
        message = checkpoint_text(algorithm=str(cp["algorithm"]), tree_size=cp["tree_size"],
                                  root_hash=cp["root_hash"], timestamp=cp["timestamp"])
        algorithm, valid = signature_valid(key, message, cp["signature"])
        self.report.key_algorithm = algorithm
        if not valid:
            self.problem("checkpoint signature", "signature_invalid",
                         "the signature does not verify with the checkpoint's public key")
        elif algorithm != cp["key_algorithm"]:
            self.problem("checkpoint signature", "signature_invalid",
                         f"the key is {algorithm}, the checkpoint says {cp['key_algorithm']}")
        if self.trusted:
            self.report.key_trusted = key in self.trusted
            if not self.report.key_trusted:
                self.problem("checkpoint signature", "key_untrusted",
                             "signed with a key that is not among the trusted keys "
                             f"(SHA-256 of the key: {self.report.key_fingerprint})")
        return cp

    def _proof_paths(self, proofs: Any, cp: dict[str, Any] | None,
                     entries: list[dict[str, Any]]) -> dict[int, list[bytes]] | None:
        if proofs is None or cp is None:
            return None
        try:
            if proofs["algorithm"] != cp["algorithm"] or proofs["tree_size"] != cp["tree_size"]:
                self.problem(f"member {layout.PROOFS}", "member_invalid",
                             "its algorithm or tree size differ from the checkpoint's")
            rows = proofs["proofs"]
            if len(rows) != len(entries):
                self.problem(f"member {layout.PROOFS}", "member_invalid",
                             f"{len(rows)} proofs for {len(entries)} entries")
            paths: dict[int, list[bytes]] = {}
            for index, (row, e) in enumerate(zip(rows, entries, strict=False)):
                if row["leaf_index"] != e.get("seq"):
                    continue
                paths[index] = [base64.b64decode(p, validate=True)
                                for p in row["inclusion_path"]]
            return paths
        except (KeyError, TypeError, binascii.Error, ValueError) as exc:
            self.problem(f"member {layout.PROOFS}", "member_invalid", f"cannot be read: {exc}")
            return None

    def _sealed(self, manifest: dict[str, Any] | None, entries: list[dict[str, Any]],
                manifest_member: _Member | None) -> None:
        """The last entry seals the package: ARCHIVE_CREATED with the manifest's hashes."""
        last = entries[-1] if entries else None
        if last is None or last.get("event_code") != layout.ARCHIVE_CREATED_CODE:
            self.problem("manifest", "archive_entry_missing",
                         "the ledger does not end with the archive's creation entry")
            return
        where = f"entry {last.get('seq')}"
        try:
            payload = json.loads(last["payload"])
        except (ValueError, TypeError):
            return  # reported with the entry
        if manifest_member is not None and manifest_member.readable and (
                payload.get("manifest_sha256") != manifest_member.sha256
                or payload.get("manifest_sm3") != manifest_member.sm3):
            self.problem(f"member {layout.MANIFEST}", "manifest_hash",
                         f"its SHA-256 or SM3 differ from those recorded in {where}")
        if manifest is not None and (
                payload.get("number") != manifest.get("archive", {}).get("number")
                or payload.get("case") != manifest.get("case", {}).get("number")):
            self.problem(where, "archive_entry_mismatch",
                         "records another archive number or case than the manifest")


def verify_package(path: Path | str, *, trusted_keys: Iterable[bytes] = ()) -> Report:
    """Check the package at ``path``; ``trusted_keys``: DER public keys, one of which must
    have signed the checkpoint. Raises ``Unreadable`` when there is nothing to check."""
    return _Verifier(Path(path), list(trusted_keys)).run()


# --- Command line --------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("package", type=Path, help="the package (.zip)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--trusted-key", action="append", default=[], metavar="HEX",
                        help="hex of a DER public key that must have signed the checkpoint "
                             "(repeatable)")


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


def run(package: Path, *, as_json: bool, trusted_hex: Sequence[str], out: Writer,
        err: Writer) -> int:
    try:
        keys = [bytes.fromhex(k.strip()) for k in trusted_hex]
    except ValueError:
        err.write("--trusted-key: not a hexadecimal string\n")
        return 2
    try:
        report = verify_package(package, trusted_keys=keys)
    except Unreadable as exc:
        if as_json:
            out.write(json.dumps({"ok": False, "package": str(package), "problems": [
                {"where": "package", "code": "unreadable", "message": str(exc)}]},
                ensure_ascii=False, indent=2) + "\n")
        else:
            err.write(f"cannot read the package: {exc}\n")
        return 2
    if as_json:
        out.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(f"package: {report.package}\n"
                  f"archive number: {report.archive_number}  case: {report.case_number}\n"
                  f"{report.members} members, {report.entries} ledger entries "
                  f"({report.algorithm}), checkpoint at tree size {report.tree_size}\n"
                  f"signed with {report.key_algorithm or '?'} key "
                  f"SHA-256:{report.key_fingerprint or '?'} ("
                  + {True: "trusted", False: "NOT trusted",
                     None: "not checked against a trusted key"}[report.key_trusted] + ")\n")
        for p in report.problems:
            out.write(f"  FAILED {p.where}: {p.message} [{p.code}]\n")
        out.write("package verification OK\n" if report.ok else
                  f"package verification FAILED: {len(report.problems)} problem(s)\n")
    return 0 if report.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m zhifa.evidence.archive.verify",
        description="Verify a Zhifa case-file package offline.")
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run(args.package, as_json=args.json, trusted_hex=args.trusted_key,
               out=sys.stdout, err=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
