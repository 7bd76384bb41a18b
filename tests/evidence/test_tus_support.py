"""Helpers for the tus tests (no tests here): talking tus through Django's test client, body
streams that end early or fail, and the counts a refused request must leave unchanged."""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from zhifa.cases.models import Case
from zhifa.evidence.models import AvRecord, Blob, EvidenceFile, EvidenceItem, Upload
from zhifa.ledger.models import LedgerEntry

from .factories import PNG_1PX

TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}
OCTETS = "application/offset+octet-stream"
MiB = 1024 * 1024


@pytest.fixture
def client(a) -> Client:  # type: ignore[no-untyped-def]
    """The case officer's logged-in test client (import it into a test module to use it)."""
    c = Client()
    c.force_login(a.u_officer)
    return c


def png_bytes(size: int, seed: int = 1) -> bytes:
    """``size`` bytes that sniff as PNG (a real PNG signature, then noise)."""
    noise = hashlib.shake_256(seed.to_bytes(8, "big")).digest(max(size - len(PNG_1PX), 0))
    return (PNG_1PX + noise)[:size]


def sm3(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def meta_header(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" if v else k
                    for k, v in values.items())


def create(client: Client, case: Case | str, length: int, **meta: str) -> Any:
    values = {"case": case if isinstance(case, str) else case.number}
    values.update(meta)
    if "kind" not in values and "item" not in values:
        values["kind"] = "electronic"
    return client.post("/uploads/", HTTP_UPLOAD_LENGTH=str(length),
                       HTTP_UPLOAD_METADATA=meta_header(**values), **TUS)


def path_of(response: Any) -> str:
    assert response.status_code == 201, response.content
    return urlsplit(response["Location"]).path


def patch(client: Client, url: str, data: bytes, offset: int, *,
          checksum: str | None = None, **extra: Any) -> Any:
    # CONTENT_TYPE too: the test client leaves it out of a request with an empty body
    headers: dict[str, Any] = {"HTTP_UPLOAD_OFFSET": str(offset), "CONTENT_TYPE": OCTETS,
                               **TUS, **extra}
    if checksum is not None:
        headers["HTTP_UPLOAD_CHECKSUM"] = checksum
    return client.generic("PATCH", url, data=data, content_type=OCTETS, **headers)


def patch_stream(client: Client, url: str, stream: Any, offset: int, claimed: int,
                 **extra: Any) -> Any:
    """A PATCH whose body is ``stream`` and whose Content-Length claims ``claimed`` bytes."""
    return client.generic("PATCH", url, data=b"", **{
        "CONTENT_TYPE": OCTETS, "CONTENT_LENGTH": str(claimed), "wsgi.input": stream,
        "HTTP_UPLOAD_OFFSET": str(offset), **TUS, **extra})


def checksum_of(data: bytes, algo: str = "sha256") -> str:
    return f"{algo} {base64.b64encode(hashlib.new(algo, data).digest()).decode()}"


def head(client: Client, url: str) -> Any:
    return client.head(url, **TUS)


def upload_all(client: Client, case: Case | str, data: bytes, chunk: int = MiB,
               **meta: str) -> tuple[str, Any]:
    """Create and send ``data`` in PATCHes of ``chunk`` bytes; returns (url, last answer)."""
    url = path_of(create(client, case, len(data), **meta))
    response = None
    for start in range(0, len(data), chunk):
        response = patch(client, url, data[start:start + chunk], start)
        assert response.status_code == 204, response.content
    return url, response


def upload_of(url: str) -> Upload:
    return Upload.objects.get(public_id=url.rstrip("/").rsplit("/", 1)[-1])


def counts() -> dict[str, int]:
    return {"uploads": Upload.objects.count(), "files": EvidenceFile.objects.count(),
            "blobs": Blob.objects.count(), "items": EvidenceItem.objects.count(),
            "ledger": LedgerEntry.objects.count(), "av": AvRecord.objects.count()}


def evidence_counts() -> dict[str, int]:
    """What must not change when an upload is refused (the upload row itself may)."""
    c = counts()
    del c["uploads"]
    return c


def files_in(directory: Any) -> list[str]:
    if not os.path.isdir(directory):
        return []
    return sorted(name for _root, _dirs, names in os.walk(directory) for name in names)


class ShortStream:
    """A request body that delivers ``data`` and then ends (a dropped connection), or raises
    ``error`` once ``data`` is used up."""

    def __init__(self, data: bytes, error: BaseException | None = None) -> None:
        self.data, self.pos, self.error = data, 0, error
        self.reads: list[int] = []

    def read(self, size: int = -1) -> bytes:
        self.reads.append(size)
        if self.pos >= len(self.data) and self.error is not None:
            raise self.error
        end = len(self.data) if size < 0 else self.pos + size
        chunk = self.data[self.pos:end]
        self.pos += len(chunk)
        return chunk

    readline = read  # part of a wsgi.input's interface; never used for a PATCH body


class GeneratedStream:
    """``size`` bytes made on the fly (never held whole): a PNG head, then a byte pattern."""

    def __init__(self, size: int) -> None:
        self.size, self.pos = size, 0
        self.block = png_bytes(MiB)
        self.max_read = 0

    def read(self, size: int = -1) -> bytes:
        size = self.size - self.pos if size < 0 else min(size, self.size - self.pos)
        self.max_read = max(self.max_read, size)
        out = bytearray()
        while len(out) < size:
            at = (self.pos + len(out)) % MiB
            out += self.block[at:at + size - len(out)]
        self.pos += size
        return bytes(out)

    readline = read  # part of a wsgi.input's interface; never used for a PATCH body

    def expected(self) -> tuple[str, str]:
        sha, sm = hashlib.sha256(), hashlib.new("sm3")
        done = 0
        while done < self.size:
            piece = self.block[:min(MiB, self.size - done)]
            sha.update(piece)
            sm.update(piece)
            done += len(piece)
        return sha.hexdigest(), sm.hexdigest()


class GatedStream:
    """Delivers ``first`` bytes, signals ``entered``, then waits for ``release`` before the
    rest: a PATCH caught in the middle of its body."""

    def __init__(self, data: bytes, first: int) -> None:
        self.data, self.first, self.pos = data, first, 0
        self.entered, self.release = threading.Event(), threading.Event()

    def read(self, size: int = -1) -> bytes:
        if self.pos >= self.first:
            self.entered.set()
            if not self.release.wait(timeout=60):
                raise TimeoutError("the test never released the body")
        limit = self.first if self.pos < self.first else len(self.data)
        end = min(limit, len(self.data) if size < 0 else self.pos + size)
        chunk = self.data[self.pos:end]
        self.pos += len(chunk)
        return chunk

    readline = read  # part of a wsgi.input's interface; never used for a PATCH body
