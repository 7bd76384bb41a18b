"""Recovering from a failed completion and a stuck sweep: the stored object never shares an
inode with the partial file, so after a failure the ``.part`` is still whole and writable and a
retry completes; the expiry sweep carries on past a file it cannot open or remove, and removes
the archive builder's stray scratch files."""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import logging
import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from zhifa.evidence import tus
from zhifa.evidence.archive import build
from zhifa.evidence.models import Blob, EvidenceFile, Upload, UploadState
from zhifa.evidence.storage import get_storage, key_for
from zhifa.evidence.tus import uploads_expire

from . import test_tus_support
from .factories import a_case
from .test_tus_support import (
    create,
    evidence_counts,
    files_in,
    patch,
    path_of,
    png_bytes,
    upload_of,
)

client = test_tus_support.client  # the fixture: the case officer's logged-in client


@pytest.fixture
def lenient(a) -> Client:  # type: ignore[no-untyped-def]
    """A client that gets the 500 answer instead of the exception."""
    c = Client(raise_request_exception=False)
    c.force_login(a.u_officer)
    return c


def _part(url: str) -> Path:
    return Path(settings.ZHIFA_UPLOAD_DIR) / f"{upload_of(url).public_id}.part"


def _stored_path(data: bytes) -> Path:
    return Path(settings.ZHIFA_EVIDENCE_DIR) / key_for(hashlib.sha256(data).hexdigest())


def _age(path: Path, hours: float) -> None:
    then = (timezone.now() - dt.timedelta(hours=hours)).timestamp()
    os.utime(path, (then, then))


def _assert_part_whole_and_writable(part: Path, data: bytes) -> os.stat_result:
    st = os.stat(part)
    assert st.st_mode & 0o200, oct(st.st_mode)  # writable by its owner: a retry can open it
    assert st.st_mode & 0o777 == 0o640
    assert st.st_nlink == 1  # no other name (the store's object) for this inode
    assert part.read_bytes() == data
    return st


def test_a_failure_after_the_bytes_were_stored_leaves_the_part_writable(
        a, client, lenient, monkeypatch) -> None:
    """The store renamed the bytes into place and made them read-only, then the transaction
    failed (twice: the second time the store already had the object). The partial file is
    still whole, writable and an inode of its own; the retry completes."""
    case = a_case(a)
    data = png_bytes(30_000)
    url = path_of(create(client, case, len(data)))
    part = _part(url)
    real = tus.evidence_file_create
    during: list[tuple[os.stat_result, os.stat_result]] = []

    def flaky(**kwargs: Any) -> Any:
        if len(during) < 2:
            real(**kwargs)  # stored, then the transaction fails
            during.append((os.stat(_stored_path(data)), os.stat(part)))
            # a second writer is still turned away while the completion runs
            with open(part, "r+b") as other, pytest.raises(BlockingIOError):
                fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(tus, "evidence_file_create", flaky)
    before = evidence_counts()
    for attempt in (1, 2):
        r = patch(lenient, url, data, 0) if attempt == 1 else patch(lenient, url, b"",
                                                                   len(data))
        assert r.status_code == 500
        assert evidence_counts() == before
        upload = upload_of(url)
        assert (upload.state, upload.offset) == (UploadState.OPEN, len(data))
        stored_st, part_during = during[-1]
        # while the store held the object, the .part was another file
        assert stored_st.st_ino != part_during.st_ino
        assert stored_st.st_mode & 0o777 == 0o440
        st = _assert_part_whole_and_writable(part, data)
        stored = os.stat(_stored_path(data))
        assert stored.st_ino != st.st_ino and stored.st_mode & 0o777 == 0o440
        assert files_in(settings.ZHIFA_UPLOAD_DIR) == [part.name]
    # the retry: an empty PATCH at the end
    r = patch(client, url, b"", len(data))
    assert r.status_code == 204 and r["Zhifa-Sha256"] == hashlib.sha256(data).hexdigest()
    assert EvidenceFile.objects.count() == 1 and Blob.objects.count() == 1
    blob = Blob.objects.get()
    assert b"".join(get_storage().iter_range(blob.key)) == data
    assert files_in(settings.ZHIFA_UPLOAD_DIR) == []
    assert upload_of(url).state == UploadState.COMPLETE


def test_a_failure_before_the_store_took_the_bytes_renames_them_back(
        a, client, lenient, monkeypatch) -> None:
    case = a_case(a)
    data = png_bytes(20_000)
    url = path_of(create(client, case, len(data)))
    part = _part(url)
    patch(client, url, data[:10_000], 0)
    inode = os.stat(part).st_ino
    real = tus.evidence_file_create
    calls: list[int] = []

    def failing_first(**kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the item could not be read")
        return real(**kwargs)

    monkeypatch.setattr(tus, "evidence_file_create", failing_first)
    before = evidence_counts()
    assert patch(lenient, url, data[10_000:], 10_000).status_code == 500
    assert evidence_counts() == before
    st = _assert_part_whole_and_writable(part, data)
    assert st.st_ino == inode  # renamed back, not copied
    assert files_in(settings.ZHIFA_UPLOAD_DIR) == [part.name]
    assert files_in(settings.ZHIFA_EVIDENCE_DIR) == []
    r = patch(client, url, b"", len(data))
    assert r.status_code == 204 and EvidenceFile.objects.count() == 1
    assert files_in(settings.ZHIFA_UPLOAD_DIR) == []


def test_a_writer_whose_file_was_replaced_before_it_got_the_lock_opens_it_again(
        tmp_path: Path, monkeypatch: Any) -> None:
    path = tmp_path / "upload.part"
    path.write_bytes(b"old")
    newer = tmp_path / "newer"
    newer.write_bytes(b"new")
    real = fcntl.flock
    locked: list[int] = []

    def replaced_meanwhile(fd: int, op: int) -> None:
        if not locked:  # a completion swapped the file between our open and our lock
            os.replace(newer, path)
        locked.append(fd)
        real(fd, op)

    monkeypatch.setattr(fcntl, "flock", replaced_meanwhile)
    with tus._writer_lock(path) as fh:
        assert fh is not None and len(locked) == 2
        assert fh.read() == b"new"
        assert os.fstat(fh.fileno()).st_ino == os.stat(path).st_ino


# --- the sweep ---------------------------------------------------------------------------------

def _expired(client: Client, case: Any, data: bytes) -> str:
    url = path_of(create(client, case, len(data)))
    patch(client, url, data[:1_000], 0)
    Upload.objects.filter(pk=upload_of(url).pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1))
    return url


def test_expiry_carries_on_past_an_upload_whose_file_cannot_be_removed(
        a, client, monkeypatch, caplog) -> None:
    case = a_case(a)
    data = png_bytes(5_000)
    urls = [_expired(client, case, data) for _i in range(3)]
    stuck = _part(urls[1])
    real_unlink = Path.unlink

    def unlink(self: Path, missing_ok: bool = False) -> None:
        if self == stuck:
            raise PermissionError(13, "Permission denied", str(self))
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)
    with caplog.at_level(logging.ERROR, logger="zhifa.evidence.tus"):
        assert uploads_expire() == 3
    assert [upload_of(u).state for u in urls] == [UploadState.EXPIRED] * 3
    assert [_part(u).exists() for u in urls] == [False, True, False]
    assert any(str(upload_of(urls[1]).public_id) in r.getMessage() for r in caplog.records)
    # once it can be removed, the stray sweep takes it (no open upload, untouched an hour)
    monkeypatch.undo()
    _age(stuck, 2)
    assert uploads_expire() == 0 and not stuck.exists()


def test_expiry_carries_on_past_an_upload_whose_file_cannot_be_opened(
        a, client, monkeypatch, caplog) -> None:
    case = a_case(a)
    data = png_bytes(5_000)
    urls = [_expired(client, case, data) for _i in range(3)]
    stuck = _part(urls[0])
    real_open = os.open

    def open_(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if Path(path) == stuck and flags & os.O_RDWR:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    with caplog.at_level(logging.ERROR, logger="zhifa.evidence.tus"):
        assert uploads_expire() == 2
    assert [upload_of(u).state for u in urls] == [UploadState.OPEN, UploadState.EXPIRED,
                                                  UploadState.EXPIRED]
    assert stuck.stat().st_size == 1_000 and upload_of(urls[0]).offset == 1_000
    assert any(str(upload_of(urls[0]).public_id) in r.getMessage() for r in caplog.records)
    monkeypatch.undo()
    assert uploads_expire() == 1 and not stuck.exists()


def test_the_sweep_removes_stray_archive_scratch_files_only_when_old(a) -> None:
    stale = build._scratch_file()  # the builder's own name for its package being written
    fresh = build._scratch_file()
    assert stale.name.startswith("archive-") and stale.name.endswith(".zip.part")
    unrelated = stale.with_name("archive-notes.txt")
    unrelated.write_bytes(b"x")
    _age(stale, 2)
    _age(unrelated, 2)
    assert uploads_expire() == 0
    assert not stale.exists()
    assert fresh.exists() and unrelated.exists()
    _age(fresh, 1.01)
    uploads_expire()
    assert not fresh.exists()
