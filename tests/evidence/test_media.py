"""The file viewer and its bytes: views and downloads on the ledger, HTTP ranges, streaming,
access by case visibility, disposed files, posters, the record form."""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from zhifa.evidence.models import AvRecord, Blob, EvidenceFile
from zhifa.ledger.models import LedgerEntry

from .factories import PNG_1PX, a_case, item, make_video, stored

FILE_VIEWED, FILE_DOWNLOADED, AV_RECORD_SAVED = 5004, 5005, 5022


def client(user: Any) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def url(f: EvidenceFile, part: str = "") -> str:
    return f"/evidence/files/{f.public_id}/{part}"


def payloads(code: int) -> list[dict[str, Any]]:
    return [json.loads(e.payload) for e in
            LedgerEntry.objects.filter(event_code=code).order_by("seq")]


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def photo(a) -> EvidenceFile:  # type: ignore[no-untyped-def]
    # a PNG header then noise: big enough for several chunks, still judged an image
    data = PNG_1PX + os.urandom(2 * 1024 * 1024 + 12345)
    return stored(a, item(a, a_case(a), kind="physical"), data, "现场照片.png")


@pytest.fixture
def video(a, tmp_path, django_capture_on_commit_callbacks) -> EvidenceFile:  # type: ignore[no-untyped-def]
    case = a_case(a)
    with django_capture_on_commit_callbacks(execute=True):
        f = stored(a, item(a, case), make_video(tmp_path / "v.mp4").read_bytes(), "执法记录.mp4")
    return EvidenceFile.objects.get(pk=f.pk)


def data_of(f: EvidenceFile) -> bytes:
    from zhifa.evidence.storage import get_storage

    return b"".join(get_storage().iter_range(f.blob.key))


# --- The viewer ------------------------------------------------------------------------------
def test_viewer_plays_the_video_and_records_the_view(a, video) -> None:
    response = client(a.u_officer).get(url(video))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'src="/evidence/files/{video.public_id}/content"' in html
    assert f'poster="/evidence/files/{video.public_id}/poster"' in html
    assert video.blob.sha256 in html and video.blob.sm3 in html
    assert 'name="started_at"' in html  # the record form, for the case's officer
    [viewed] = payloads(FILE_VIEWED)
    assert viewed["file"] == str(video.public_id) and viewed["filename"] == "执法记录.mp4"
    entry = LedgerEntry.objects.get(event_code=FILE_VIEWED)
    assert entry.stream == video.case.stream and entry.actor_id == a.u_officer.pk
    # the custody list shows the upload, the analysis and this view
    assert html.count('class="timeline-entry') == 3
    client(a.u_officer).get(url(video))
    assert len(payloads(FILE_VIEWED)) == 2


def test_photo_is_shown_inline(a, photo) -> None:
    html = client(a.u_officer).get(url(photo)).content.decode()
    assert f'<img id="image" src="/evidence/files/{photo.public_id}/content"' in html
    assert 'name="started_at"' not in html  # no audio/video record for a photo


def test_failed_analysis_says_it_is_unavailable(a, tmp_path, settings,
                                               django_capture_on_commit_callbacks) -> None:
    settings.ZHIFA_FFPROBE = str(tmp_path / "missing")
    with django_capture_on_commit_callbacks(execute=True):
        f = stored(a, item(a, a_case(a)), make_video(tmp_path / "v.mp4").read_bytes(), "v.mp4")
    html = client(a.u_officer).get(url(f)).content.decode()
    assert "probe-reason" in html and "ffprobe" in html


def test_other_body_gets_404_everywhere_and_nothing_is_recorded(a, video) -> None:
    before = LedgerEntry.objects.count()
    c = client(a.u_other)
    for path in (url(video), url(video, "content"), url(video, "content") + "?download=1",
                 url(video, "poster")):
        assert c.get(path).status_code == 404, path
    assert c.post(url(video), {"interruption_note": "x"}).status_code == 404
    assert LedgerEntry.objects.count() == before


def test_anonymous_is_sent_to_login_and_nothing_is_recorded(a, video) -> None:
    before = LedgerEntry.objects.count()
    for path in (url(video), url(video, "content")):
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert LedgerEntry.objects.count() == before


def test_supervisor_views_read_only(a, video) -> None:
    c = client(a.u_supervisor)
    response = c.get(url(video))
    assert response.status_code == 200
    assert 'name="started_at"' not in response.content.decode()
    assert payloads(FILE_VIEWED)[0]["file"] == str(video.public_id)
    assert c.get(url(video, "content")).status_code == 200
    record_before = AvRecord.objects.filter(file=video).values().get()
    before = LedgerEntry.objects.count()
    assert c.post(url(video), {"interruption_note": "x"}).status_code == 403
    assert AvRecord.objects.filter(file=video).values().get() == record_before
    assert LedgerEntry.objects.count() == before


def test_officer_saves_the_record_details(a, video) -> None:
    response = client(a.u_officer).post(url(video), {
        "officer": str(a.officer.public_id), "started_at": "2026-09-01T09:30:00",
        "ended_at": "", "latitude": "28.1", "longitude": "112.9",
        "interruption_note": ""})
    assert response.status_code == 302 and response["Location"] == url(video)
    record = AvRecord.objects.get(file=video)
    assert record.officer == a.officer and record.ended_at is not None
    [saved] = payloads(AV_RECORD_SAVED)
    assert saved["started_at"] == "2026-09-01T09:30:00+08:00" and saved["via"] == "edit"


def test_refused_record_details_come_back_with_the_reason(a, video) -> None:
    before = (AvRecord.objects.filter(file=video).values().get(), LedgerEntry.objects.count())
    response = client(a.u_officer).post(url(video), {
        "started_at": "2026-09-01T10:00:00", "ended_at": "2026-09-01T09:00:00"})
    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    assert (AvRecord.objects.filter(file=video).values().get(),
            LedgerEntry.objects.count()) == before


# --- Ranged content --------------------------------------------------------------------------
def test_whole_file_without_range(a, photo) -> None:
    data = data_of(photo)
    before = LedgerEntry.objects.count()
    response = client(a.u_officer).get(url(photo, "content"))
    assert response.status_code == 200 and response.streaming
    chunks = list(response.streaming_content)
    assert b"".join(chunks) == data and len(chunks) == 3
    assert max(len(c) for c in chunks) <= 1024 * 1024  # streamed in storage chunks
    assert response["Content-Type"] == "image/png"
    assert response["Content-Length"] == str(len(data))
    assert response["Accept-Ranges"] == "bytes"
    assert response["ETag"] == f'"{photo.blob.sha256}"'
    assert response["Cache-Control"] == "private"
    assert response["Content-Disposition"] == (
        "inline; filename*=utf-8''" + quote("现场照片.png"))
    assert LedgerEntry.objects.count() == before + 1  # a read from byte 0 is a view


@pytest.mark.parametrize("header,start,end", [
    ("bytes=0-9", 0, 9),
    ("bytes=100-", 100, None),
    ("bytes=-500", -500, None),
    ("bytes=5-999999999", 5, None),
    ("bytes=-999999999", 0, None),
    ("BYTES = 7 - 8", 7, 8),
])
def test_single_ranges(a, photo, header, start, end) -> None:
    data = data_of(photo)
    size = len(data)
    response = client(a.u_officer).get(url(photo, "content"), HTTP_RANGE=header)
    expected = data[start:] if end is None else data[start:end + 1]
    first = start % size if start >= 0 else size + start
    assert response.status_code == 206
    assert body(response) == expected
    assert response["Content-Range"] == f"bytes {first}-{first + len(expected) - 1}/{size}"
    assert response["Content-Length"] == str(len(expected))
    assert response["Accept-Ranges"] == "bytes"


@pytest.mark.parametrize("header", ["bytes={size}-", "bytes={size}-{size}", "bytes=-0"])
def test_unsatisfiable_ranges(a, photo, header) -> None:
    size = photo.size
    response = client(a.u_officer).get(url(photo, "content"),
                                       HTTP_RANGE=header.format(size=size))
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"
    assert response.content == b""


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "bytes=9-3", "items=0-1", "bytes=a-b",
                                    "bytes=-", "bytes=٣-٤"])
def test_ranges_not_served_give_the_whole_file(a, photo, header) -> None:
    response = client(a.u_officer).get(url(photo, "content"), HTTP_RANGE=header)
    assert response.status_code == 200 and body(response) == data_of(photo)


def test_if_range_and_if_none_match(a, photo) -> None:
    c = client(a.u_officer)
    etag = f'"{photo.blob.sha256}"'
    matching = c.get(url(photo, "content"), HTTP_RANGE="bytes=0-3", HTTP_IF_RANGE=etag)
    assert matching.status_code == 206
    stale = c.get(url(photo, "content"), HTTP_RANGE="bytes=0-3", HTTP_IF_RANGE='"other"')
    assert stale.status_code == 200
    cached = c.get(url(photo, "content"), HTTP_IF_NONE_MATCH=etag)
    assert cached.status_code == 304 and cached["ETag"] == etag


def test_head_sends_headers_only(a, photo) -> None:
    response = client(a.u_officer).head(url(photo, "content") + "?download=1",
                                        HTTP_RANGE="bytes=0-9")
    assert response.status_code == 206 and response.content == b""
    assert response["Content-Length"] == "10"
    assert payloads(FILE_DOWNLOADED) == []


# --- Downloads -------------------------------------------------------------------------------
def test_download_is_an_attachment_with_the_original_name_and_a_ledger_entry(a, video) -> None:
    c = client(a.u_officer)
    response = c.get(url(video, "content") + "?download=1")
    assert response.status_code == 200 and body(response) == data_of(video)
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''" + quote("执法记录.mp4"))
    [entry] = payloads(FILE_DOWNLOADED)
    assert entry["file"] == str(video.public_id) and entry["range"] is None
    assert entry["sha256"] == video.blob.sha256
    resumed = c.get(url(video, "content") + "?download=1", HTTP_RANGE="bytes=10-")
    assert resumed.status_code == 206
    assert payloads(FILE_DOWNLOADED)[1]["range"] == f"bytes 10-{video.size - 1}/{video.size}"
    refused = c.get(url(video, "content") + "?download=1", HTTP_RANGE="bytes=-0")
    assert refused.status_code == 416 and len(payloads(FILE_DOWNLOADED)) == 2


def test_supervisor_may_download(a, video) -> None:
    response = client(a.u_supervisor).get(url(video, "content") + "?download=1")
    assert response.status_code == 200
    assert LedgerEntry.objects.get(event_code=FILE_DOWNLOADED).actor_id == a.u_supervisor.pk


# --- Poster and disposed files ----------------------------------------------------------------
def test_poster_is_the_jpeg_frame(a, video, photo) -> None:
    c = client(a.u_officer)
    response = c.get(url(video, "poster"))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert body(response)[:2] == b"\xff\xd8"
    assert c.get(url(photo, "poster")).status_code == 404


def test_disposed_file_is_gone_with_its_tombstone(a, photo) -> None:
    from django.db import transaction

    from zhifa.evidence.events import FILE_DISPOSED
    from zhifa.ledger.services import ledger_append

    case = photo.case
    with transaction.atomic():  # what disposal_decide records (services/disposal.py)
        ledger_append(actor=a.u_head, event=FILE_DISPOSED, stream=case.stream, body=case.body,
                      payload={"case": case.number, "file": str(photo.public_id),
                               "filename": photo.filename, "sha256": photo.blob.sha256,
                               "sm3": photo.blob.sm3, "sm3_short": photo.blob.sm3[:16],
                               "reason": "保存期限届满", "requested_by": "李明",
                               "approved_by": "王芳"})
    EvidenceFile.objects.filter(pk=photo.pk).update(state="disposed")
    Blob.objects.filter(pk=photo.blob_id).update(state="deleted")
    before = LedgerEntry.objects.count()
    response = client(a.u_officer).get(url(photo, "content") + "?download=1")
    assert response.status_code == 410
    html = response.content.decode()
    assert photo.blob.sha256 in html and photo.blob.sm3 in html
    assert "保存期限届满" in html and "王芳" in html
    assert LedgerEntry.objects.count() == before
    page = client(a.u_officer).get(url(photo)).content.decode()
    assert "tombstone" in page and f"/evidence/files/{photo.public_id}/content" not in page


def test_bytes_missing_from_storage_is_404(a, photo) -> None:
    from zhifa.evidence.storage import get_storage

    get_storage().delete(photo.blob.key)
    assert client(a.u_officer).get(url(photo, "content")).status_code == 404
