"""``/s/<token>/``: what a share's recipient opens without logging in — the list, the viewer,
ranged streaming (206/416) with one ledger entry per open, downloads, and the 404/410
answers."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from zhifa.evidence.events import SHARE_ACCESSED
from zhifa.evidence.http import Unsatisfiable, parse_range
from zhifa.evidence.models import ShareLink
from zhifa.evidence.services.custody import share_create, share_revoke

from .custody_factories import case_with_files, entries, snapshot
from .factories import PNG_1PX

DATA = bytes(range(256)) * 40  # 10 240 bytes, every offset recognisable


def _share(a, case, files, **kwargs):
    return share_create(actor=a.u_officer, case=case, files=files, recipient_kind="court",
                        recipient="芙蓉区人民法院",
                        expires_at=timezone.now() + dt.timedelta(days=7), **kwargs)


def _content(token, f, download=False):
    url = reverse("web:share_file_content", kwargs={"token": token, "file_id": f.public_id})
    return url + ("?download=1" if download else "")


@pytest.fixture
def shared(a):
    # a PNG head, so that the content is an image, then recognisable bytes
    case, files = case_with_files(a, PNG_1PX + DATA, names=("现场照片.png",), closed=False)
    share, token = _share(a, case, files)
    return case, files[0], share, token


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_list_page_needs_no_login_and_records_nothing(client, shared) -> None:
    case, f, _share, token = shared
    before = snapshot()
    response = client.get(reverse("web:share_page", kwargs={"token": token}))
    assert response.status_code == 200
    html = response.content.decode()
    assert case.number in html and "芙蓉区人民法院" in html and "现场照片.png" in html
    assert f.blob.sm3 in html and f.blob.sha256 in html
    assert _content(token, f, download=True) in html
    assert response["Cache-Control"] == "no-store, private"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    assert snapshot() == before


def test_full_read_is_an_open(client, shared) -> None:
    case, f, share, token = shared
    response = client.get(_content(token, f), REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 200
    assert body(response) == PNG_1PX + DATA
    assert response["Content-Type"] == "image/png"
    assert response["Content-Length"] == str(len(PNG_1PX + DATA))
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Disposition"].startswith("inline;")
    assert "sandbox" in response["Content-Security-Policy"]
    (opened,) = entries(case.stream, SHARE_ACCESSED.code)
    assert (opened["mode"], opened["client"], opened["file"]) == ("view", "192.0.2.7",
                                                                  str(f.public_id))
    share.refresh_from_db()
    assert share.access_count == 1


def test_ranged_streaming_records_one_open_per_playback(client, shared) -> None:
    case, f, share, token = shared
    whole = PNG_1PX + DATA
    first = client.get(_content(token, f), HTTP_RANGE="bytes=0-99")
    assert first.status_code == 206
    assert first["Content-Range"] == f"bytes 0-99/{len(whole)}"
    assert body(first) == whole[:100]
    rest = client.get(_content(token, f), HTTP_RANGE="bytes=100-")
    assert rest.status_code == 206 and body(rest) == whole[100:]
    assert rest["Content-Range"] == f"bytes 100-{len(whole) - 1}/{len(whole)}"
    tail = client.get(_content(token, f), HTTP_RANGE="bytes=-16")
    assert tail.status_code == 206 and body(tail) == whole[-16:]
    # only the read from byte 0 opened the file
    assert len(entries(case.stream, SHARE_ACCESSED.code)) == 1
    share.refresh_from_db()
    assert share.access_count == 1


def test_unsatisfiable_range_is_416_without_entry(client, shared) -> None:
    _case, f, _share, token = shared
    before = snapshot()
    response = client.get(_content(token, f), HTTP_RANGE=f"bytes={f.size}-")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{f.size}"
    assert snapshot() == before


def test_download_is_an_attachment_and_recorded_as_such(client, shared) -> None:
    case, f, _share, token = shared
    response = client.get(_content(token, f, download=True))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E7%8E%B0%E5%9C%BA%E7%85%A7%E7%89%87.png")
    assert body(response) == PNG_1PX + DATA
    (opened,) = entries(case.stream, SHARE_ACCESSED.code)
    assert opened["mode"] == "download"


def test_view_only_share_refuses_download_even_mid_file(client, a) -> None:
    case, files = case_with_files(a, PNG_1PX + DATA, closed=False)
    _row, token = _share(a, case, files, allow_download=False)
    before = snapshot()
    for headers in ({}, {"HTTP_RANGE": "bytes=10-"}):
        response = client.get(_content(token, files[0], download=True), **headers)
        assert response.status_code == 403
    assert snapshot() == before
    html = client.get(reverse("web:share_page", kwargs={"token": token})).content.decode()
    assert "download=1" not in html


def test_viewer_page_embeds_the_player_and_records_nothing(client, shared) -> None:
    _case, f, _share, token = shared
    before = snapshot()
    response = client.get(reverse("web:share_file", kwargs={"token": token,
                                                            "file_id": f.public_id}))
    assert response.status_code == 200
    assert f'<img src="{_content(token, f)}"' in response.content.decode()
    assert snapshot() == before


def test_unknown_token_is_404_and_records_nothing(client, shared) -> None:
    _case, f, _share, _token = shared
    before = snapshot()
    for url in (reverse("web:share_page", kwargs={"token": "x" * 43}),
                _content("x" * 43, f)):
        assert client.get(url).status_code == 404
    assert snapshot() == before


def test_expired_and_revoked_shares_are_410_pages(client, a, shared) -> None:
    _case, f, share, token = shared
    ShareLink.objects.filter(pk=share.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1))
    before = snapshot()
    for url in (reverse("web:share_page", kwargs={"token": token}), _content(token, f)):
        response = client.get(url)
        assert response.status_code == 410
        assert 'data-code="share_expired"' in response.content.decode()
    assert snapshot() == before
    ShareLink.objects.filter(pk=share.pk).update(
        expires_at=timezone.now() + dt.timedelta(days=1))
    share_revoke(actor=a.u_officer, share=share)
    before = snapshot()
    response = client.get(_content(token, f), HTTP_RANGE="bytes=100-")
    assert response.status_code == 410
    assert 'data-code="share_revoked"' in response.content.decode()
    assert snapshot() == before


UNSATISFIABLE = "unsatisfiable"


@pytest.mark.parametrize(("header", "size", "expected"), [
    (None, 100, None),
    ("bytes=0-", 100, (0, 99)),
    ("bytes=5-9", 100, (5, 9)),
    ("bytes=90-500", 100, (90, 99)),
    ("bytes=-10", 100, (90, 99)),
    ("bytes=-500", 100, (0, 99)),
    ("bytes=100-", 100, UNSATISFIABLE),
    ("bytes=-0", 100, UNSATISFIABLE),
    ("bytes=9-5", 100, None),
    ("bytes=0-1,5-6", 100, None),
    ("items=0-5", 100, None),
    ("bytes=-", 100, None),
])
def test_parse_range(header, size, expected) -> None:
    """Share links serve their bytes through ``evidence.http`` like the staff pages."""
    if expected is UNSATISFIABLE:
        with pytest.raises(Unsatisfiable):
            parse_range(header, size)
    else:
        assert parse_range(header, size) == expected
