"""Storing bytes: two writers of the same object never share a temporary file, and bytes
uploaded again over a stored object the last check found damaged or missing replace it."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from zhifa.evidence import storage as storage_module
from zhifa.evidence.events import FILE_UPLOADED
from zhifa.evidence.models import Blob
from zhifa.evidence.scrub import scrub_run
from zhifa.evidence.storage import LocalStorage, get_storage, key_for

from .custody_factories import case_with_files, entries, text_bytes
from .factories import item, stored


@pytest.mark.parametrize("move", [False, True])
def test_two_threads_storing_the_same_bytes_do_not_collide(tmp_path: Path, monkeypatch: Any,
                                                           move: bool) -> None:
    store = LocalStorage(tmp_path / "store")
    data = os.urandom(200_000)
    key = "sha256/ab/cd/abcd-same-bytes"
    sources = []
    for i in range(2):
        source = tmp_path / f"upload-{i}"
        source.write_bytes(data)
        sources.append(source)
    # both threads reach the point between writing their temporary file and renaming it
    # into place before either goes on: the worst interleaving, every time
    barrier = threading.Barrier(2, timeout=10)
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        real_fsync(fd)
        if threading.current_thread().name.startswith("store-"):
            barrier.wait()

    monkeypatch.setattr(storage_module.os, "fsync", fsync)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            store.put_file(key, sources[i], move=move)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,), name=f"store-{i}") for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert errors == []
    target = store.path(key)
    assert target.read_bytes() == data and target.stat().st_mode & 0o777 == 0o440
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]  # no temp left
    assert [s.exists() for s in sources] == [not move, not move]


def _object(blob: Blob) -> Path:
    return Path(settings.ZHIFA_EVIDENCE_DIR) / key_for(blob.sha256)


def _damage(blob: Blob, how: str) -> None:
    path = _object(blob)
    os.chmod(path, 0o640)
    if how == "mismatch":
        with open(path, "r+b") as fh:
            fh.seek(3)
            fh.write(b"#")
    else:
        path.unlink()


@pytest.mark.parametrize("how", ["mismatch", "missing"])
def test_the_same_bytes_uploaded_again_replace_a_damaged_object(a, how: str) -> None:
    data = text_bytes("询问笔录")
    case, (first,) = case_with_files(a, data, closed=False)
    blob = first.blob
    _damage(blob, how)
    assert not scrub_run().ok
    blob.refresh_from_db()
    assert blob.verify_state == how

    again = stored(a, item(a, case, kind="documentary", title="补充材料"), data, "again.txt")

    assert again.blob_id == blob.pk and Blob.objects.count() == 1
    blob.refresh_from_db()
    assert (blob.verify_state, blob.verified_at, blob.state) == ("unchecked", None, "present")
    path = _object(blob)
    assert path.read_bytes() == data and path.stat().st_mode & 0o777 == 0o440
    assert b"".join(get_storage().iter_range(blob.key)) == data
    uploaded = entries(case.stream, FILE_UPLOADED.code)
    assert [e["stored_new"] for e in uploaded] == [True, True]  # stored again, not trusted
    # the next check confirms the repair
    assert scrub_run().ok
    blob.refresh_from_db()
    assert blob.verify_state == "ok"


def test_a_sound_object_is_trusted_and_not_written_again(a) -> None:
    data = text_bytes("现场照片说明")
    case, (first,) = case_with_files(a, data, closed=False)
    assert scrub_run().ok
    path = _object(first.blob)
    inode = path.stat().st_ino
    again = stored(a, item(a, case, kind="documentary", title="补充材料"), data, "again.txt")
    assert again.blob_id == first.blob_id
    blob = Blob.objects.get(pk=first.blob_id)
    assert blob.verify_state == "ok" and path.stat().st_ino == inode
    assert [e["stored_new"] for e in entries(case.stream, FILE_UPLOADED.code)] == [True, False]
