"""Where evidence bytes live: content-addressed by SHA-256, stored once.

``LocalStorage`` keeps ``<root>/sha256/ab/cd/<sha256>`` on disk (default ``var/media``);
``S3Storage`` keeps the key ``sha256/ab/cd/<sha256>`` in a bucket of any S3-compatible object
store. Both stream: nothing reads a whole file into memory. ``get_storage()`` returns the
configured backend; ``storage_named(name)`` the one a blob was written to (a blob records
its backend, so a switch of configuration never loses the older files).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import BinaryIO, Protocol

from django.conf import settings

CHUNK = 1024 * 1024


def key_for(sha256: str) -> str:
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


class Storage(Protocol):
    name: str

    def exists(self, key: str) -> bool: ...

    def put_file(self, key: str, path: Path, *, move: bool = False) -> None:
        """Store the finished local file ``path`` under ``key`` (a no-op when ``key`` exists:
        same address, same bytes). With ``move`` the local file may be consumed."""

    def open(self, key: str) -> BinaryIO:
        """A readable, seekable-or-not binary stream of the whole object."""

    def iter_range(self, key: str, start: int = 0, end: int | None = None,
                   chunk: int = CHUNK) -> Iterator[bytes]:
        """Bytes ``start`` … ``end`` (inclusive; ``None``: to the end), in chunks."""

    def size(self, key: str) -> int: ...

    def delete(self, key: str) -> None: ...


class LocalStorage:
    name = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / key

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def put_file(self, key: str, path: Path, *, move: bool = False) -> None:
        """Write to a temporary file of its own next to the target (``mkstemp``: two threads
        or processes storing the same bytes never share one), make it read-only, rename it
        into place. With ``move`` the file is renamed in when it can be: the store then owns
        that inode (and makes it read-only), so the caller must not keep another name for it
        that is written later."""
        target = self.path(key)
        if target.is_file():
            if move:
                Path(path).unlink(missing_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f"{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        tmp = Path(name)
        moved, mode = False, 0o640
        try:
            if move:
                try:
                    mode = os.stat(path).st_mode & 0o777
                    os.replace(path, tmp)  # same file system: a rename, no copy
                    moved = True
                except OSError:
                    pass
            if moved:
                with open(tmp, "rb") as fh:
                    os.fsync(fh.fileno())
            else:
                with open(tmp, "wb") as out, open(path, "rb") as src:
                    shutil.copyfileobj(src, out, CHUNK)
                    out.flush()
                    os.fsync(out.fileno())
            os.chmod(tmp, 0o440)
            os.replace(tmp, target)
        except BaseException:
            if moved:  # give the caller its file back
                with contextlib.suppress(OSError):
                    os.chmod(tmp, mode)
                    os.replace(tmp, path)
            tmp.unlink(missing_ok=True)
            raise
        if move and not moved:
            Path(path).unlink(missing_ok=True)

    def open(self, key: str) -> BinaryIO:
        return open(self.path(key), "rb")

    def iter_range(self, key: str, start: int = 0, end: int | None = None,
                   chunk: int = CHUNK) -> Iterator[bytes]:
        with open(self.path(key), "rb") as fh:
            fh.seek(start)
            left = None if end is None else end - start + 1
            while left is None or left > 0:
                data = fh.read(chunk if left is None else min(chunk, left))
                if not data:
                    return
                if left is not None:
                    left -= len(data)
                yield data

    def size(self, key: str) -> int:
        return self.path(key).stat().st_size

    def delete(self, key: str) -> None:
        path = self.path(key)
        if path.is_file():
            os.chmod(path, 0o640)
            path.unlink()


@cache
def storage_named(name: str) -> Storage:
    if name == "local":
        return LocalStorage(settings.ZHIFA_EVIDENCE_DIR)
    if name == "s3":
        from .s3 import S3Storage

        return S3Storage.from_settings()
    raise ValueError(f"unknown evidence storage {name!r} (local or s3)")


def get_storage() -> Storage:
    return storage_named(settings.ZHIFA_EVIDENCE_STORAGE)


def reset_storage_cache() -> None:
    """Tests that change the storage settings call this."""
    storage_named.cache_clear()
