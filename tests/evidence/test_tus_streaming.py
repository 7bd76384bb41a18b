"""Streaming and concurrency: memory stays flat whatever the size; a PATCH that is streaming
holds no database transaction, and a second writer on the same upload is turned away."""

from __future__ import annotations

import hashlib
import threading
import tracemalloc
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from zhifa.evidence.models import EvidenceFile, Upload, UploadState

from .factories import a_case
from .test_tus_support import (
    GatedStream,
    GeneratedStream,
    MiB,
    counts,
    create,
    head,
    patch,
    patch_stream,
    path_of,
    png_bytes,
    sm3,
    upload_of,
)


def test_a_64_mib_patch_is_streamed_in_bounded_memory(a) -> None:
    case = a_case(a)
    client = Client()
    client.force_login(a.u_officer)
    size = 64 * MiB + 123
    url = path_of(create(client, case, size))
    stream = GeneratedStream(size)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        r = patch_stream(client, url, stream, 0, claimed=size)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert r.status_code == 204, r.content
    sha, sm = stream.expected()
    assert (r["Zhifa-Sha256"], r["Zhifa-Sm3"]) == (sha, sm)
    assert stream.max_read <= MiB
    # a few 1 MiB chunks in flight, not the body: 64 MiB read whole would show here
    assert peak < 12 * MiB, f"peak {peak / MiB:.1f} MiB"
    assert EvidenceFile.objects.get().size == size


@pytest.mark.django_db(transaction=True)
def test_a_streaming_patch_holds_no_transaction_and_excludes_a_second_writer(a) -> None:
    case = a_case(a)
    data = png_bytes(3 * MiB)
    owner = Client()
    owner.force_login(a.u_officer)
    url = path_of(create(owner, case, len(data)))
    gated = GatedStream(data, first=MiB)
    answers: dict[str, Any] = {}

    def first_writer() -> None:
        c = Client()
        c.force_login(a.u_officer)
        try:
            answers["first"] = patch_stream(c, url, gated, 0, claimed=len(data))
        except BaseException as exc:  # reported to the test
            answers["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=first_writer)
    thread.start()
    try:
        assert gated.entered.wait(timeout=60), answers
        # 1 MiB is on disk and the request waits for the rest of its body. Meanwhile:
        # the database takes writes (no transaction is held by the streaming PATCH) …
        before = counts()
        other = path_of(create(owner, case, 10))
        assert counts()["uploads"] == before["uploads"] + 1 and other != url
        # … a HEAD answers the committed offset …
        assert head(owner, url)["Upload-Offset"] == "0"
        # … and a second writer on the same upload is turned away without writing.
        second = patch(owner, url, data, 0)
        assert second.status_code == 409 and second.json()["code"] == "offset_mismatch"
    finally:
        gated.release.set()
        thread.join(timeout=120)
    assert "error" not in answers, answers.get("error")
    first = answers["first"]
    assert first.status_code == 204 and first["Upload-Offset"] == str(len(data))
    assert first["Zhifa-Sha256"] == hashlib.sha256(data).hexdigest()
    assert first["Zhifa-Sm3"] == sm3(data)
    assert upload_of(url).state == UploadState.COMPLETE
    assert EvidenceFile.objects.count() == 1
    # the second writer, retried at its stale offset, learns where the upload is
    r = patch(owner, url, data, 0)
    assert r.status_code == 409 and r.json()["detail"] == {"offset": len(data)}
    assert Upload.objects.get(public_id=upload_of(url).public_id).offset == len(data)


@pytest.mark.django_db(transaction=True)
def test_terminating_while_a_patch_streams_wins(a) -> None:
    case = a_case(a)
    data = png_bytes(2 * MiB)
    owner = Client()
    owner.force_login(a.u_officer)
    url = path_of(create(owner, case, len(data)))
    gated = GatedStream(data, first=MiB)
    answers: dict[str, Any] = {}

    def writer() -> None:
        c = Client()
        c.force_login(a.u_officer)
        try:
            answers["first"] = patch_stream(c, url, gated, 0, claimed=len(data))
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert gated.entered.wait(timeout=60)
        r = owner.delete(url, HTTP_TUS_RESUMABLE="1.0.0")
        assert r.status_code == 204
    finally:
        gated.release.set()
        thread.join(timeout=120)
    first = answers["first"]
    assert first.status_code == 410 and first.json()["code"] == "upload_terminated"
    upload = upload_of(url)
    assert (upload.state, upload.offset) == (UploadState.TERMINATED, 0)
    assert EvidenceFile.objects.count() == 0
