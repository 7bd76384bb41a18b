"""Both hashes of a byte stream, computed while the bytes go by.

SM3 (national standard, ~350 MB/s here) and SHA-256 (~1.7 GB/s) are fed the same chunks;
for chunks of 256 KiB and more the two run in parallel threads (hashlib releases the GIL), so
the pair costs little more than SM3 alone. ``copy()`` lets a caller roll back a chunk that
failed its tus checksum.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

PARALLEL_MIN = 256 * 1024
CHUNK = 1024 * 1024
_pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="zhifa-sm3")


@dataclass(frozen=True)
class Digests:
    sha256: str
    sm3: str
    size: int


class DualHasher:
    def __init__(self, *, _sha: Any = None, _sm3: Any = None, _size: int = 0) -> None:
        self._sha = _sha or hashlib.sha256()
        self._sm3 = _sm3 or hashlib.new("sm3")
        self.size = _size

    def update(self, chunk: bytes | memoryview) -> None:
        if len(chunk) >= PARALLEL_MIN:
            future = _pool.submit(self._sm3.update, chunk)
            self._sha.update(chunk)
            future.result()
        else:
            self._sha.update(chunk)
            self._sm3.update(chunk)
        self.size += len(chunk)

    def copy(self) -> DualHasher:
        return DualHasher(_sha=self._sha.copy(), _sm3=self._sm3.copy(), _size=self.size)

    def digests(self) -> Digests:
        return Digests(sha256=self._sha.hexdigest(), sm3=self._sm3.hexdigest(), size=self.size)


def hash_chunks(chunks: Iterable[bytes]) -> Digests:
    h = DualHasher()
    for chunk in chunks:
        h.update(chunk)
    return h.digests()


def read_chunks(fh: BinaryIO, limit: int | None = None, size: int = CHUNK) -> Iterable[bytes]:
    """Chunks of ``fh`` from its position, at most ``limit`` bytes in all."""
    left = limit
    while left is None or left > 0:
        want = size if left is None else min(size, left)
        chunk = fh.read(want)
        if not chunk:
            return
        if left is not None:
            left -= len(chunk)
        yield chunk


def hash_file(path: Path, limit: int | None = None) -> tuple[DualHasher, int]:
    """The hasher state after the first ``limit`` bytes of ``path`` (all by default)."""
    h = DualHasher()
    with open(path, "rb") as fh:
        for chunk in read_chunks(fh, limit):
            h.update(chunk)
    return h, h.size
