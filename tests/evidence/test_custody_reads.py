"""Reads of evidence that the ledger must see (issue 4: every view, download and share open
is an entry): the staff content URL read from byte 0 is a view (once per user and file in ten
minutes), downloads always are, a share's downloads always are and its continuation reads
only when no recorded open covers them; the answer that shows a new share's token is never
cached; evidence opened inline is sandboxed."""

from __future__ import annotations

import datetime as dt
import json
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.core.cache.backends import base as cache_base
from django.core.cache.backends import locmem
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhifa.evidence.events import FILE_DOWNLOADED, FILE_VIEWED, SHARE_ACCESSED
from zhifa.evidence.http import EVIDENCE_CSP
from zhifa.evidence.models import EvidenceFile, ShareLink
from zhifa.evidence.services.custody import share_create
from zhifa.ledger.models import LedgerEntry

from .custody_factories import case_with_files, entries, snapshot
from .factories import PNG_1PX, a_case, item, stored

DATA = bytes(range(256)) * 40  # 10 240 bytes
WINDOW = 600  # ten minutes


@pytest.fixture(autouse=True)
def _empty_cache():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


class Clock:
    """The cache's clock, moved by hand (Django's local-memory cache reads ``time.time``)."""

    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:  # type: ignore[no-untyped-def]
    c = Clock()
    fake = SimpleNamespace(time=c.time)
    monkeypatch.setattr(locmem, "time", fake)
    monkeypatch.setattr(cache_base, "time", fake)
    return c


@pytest.fixture
def broken_cache(monkeypatch):  # type: ignore[no-untyped-def]
    def fail(*_args: Any, **_kwargs: Any) -> Any:
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", fail)
    monkeypatch.setattr(cache, "set", fail)


def signed_in(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def payloads(code: Any) -> list[dict[str, Any]]:
    return [json.loads(e.payload) for e in
            LedgerEntry.objects.filter(event_code=code.code).order_by("seq")]


# --- Staff: /evidence/files/<id>/content ------------------------------------------------------
@pytest.fixture
def photo(a) -> EvidenceFile:  # type: ignore[no-untyped-def]
    return stored(a, item(a, a_case(a), kind="physical"), PNG_1PX + DATA, "现场照片.png")


def content(f: EvidenceFile, download: bool = False) -> str:
    return f"/evidence/files/{f.public_id}/content" + ("?download=1" if download else "")


def test_content_read_is_a_view_once_in_ten_minutes(a, photo, clock) -> None:
    c = signed_in(a.u_officer)
    response = c.get(content(photo))
    assert response.status_code == 200 and body(response) == PNG_1PX + DATA
    [viewed] = payloads(FILE_VIEWED)
    assert viewed["via"] == "content" and viewed["file"] == str(photo.public_id)
    assert viewed["sha256"] == photo.blob.sha256
    entry = LedgerEntry.objects.get(event_code=FILE_VIEWED.code)
    assert entry.actor_id == a.u_officer.pk and entry.stream == photo.case.stream
    # within the window: the whole file again, a range from byte 0, a later range — nothing
    clock.now += WINDOW - 1
    assert c.get(content(photo)).status_code == 200
    assert c.get(content(photo), HTTP_RANGE="bytes=0-99").status_code == 206
    assert c.get(content(photo), HTTP_RANGE="bytes=100-").status_code == 206
    assert len(payloads(FILE_VIEWED)) == 1
    # the window is counted from the recorded read: past it, a read is a view again
    clock.now += 2
    assert c.get(content(photo)).status_code == 200
    assert [p["via"] for p in payloads(FILE_VIEWED)] == ["content", "content"]
    assert payloads(FILE_DOWNLOADED) == []


def test_a_range_from_byte_0_is_a_view_and_later_ranges_are_not(a, photo) -> None:
    c = signed_in(a.u_officer)
    assert c.get(content(photo), HTTP_RANGE="bytes=100-").status_code == 206
    assert c.get(content(photo), HTTP_RANGE="bytes=5000-5999").status_code == 206
    assert payloads(FILE_VIEWED) == []
    first = c.get(content(photo), HTTP_RANGE="bytes=0-")
    assert first.status_code == 206
    assert first["Content-Range"] == f"bytes 0-{photo.size - 1}/{photo.size}"
    [viewed] = payloads(FILE_VIEWED)
    assert viewed["via"] == "content"


def test_each_user_has_a_window_of_their_own(a, photo) -> None:
    signed_in(a.u_officer).get(content(photo))
    signed_in(a.u_officer).get(content(photo))
    signed_in(a.u_supervisor).get(content(photo))
    actors = list(LedgerEntry.objects.filter(event_code=FILE_VIEWED.code).order_by("seq")
                  .values_list("actor_id", flat=True))
    assert actors == [a.u_officer.pk, a.u_supervisor.pk]


def test_a_copy_revalidated_from_the_browser_cache_is_a_view(a, photo) -> None:
    etag = f'"{photo.blob.sha256}"'
    cached = signed_in(a.u_officer).get(content(photo), HTTP_IF_NONE_MATCH=etag)
    assert cached.status_code == 304
    [viewed] = payloads(FILE_VIEWED)
    assert viewed["via"] == "content"


def test_downloads_are_always_recorded(a, photo, clock) -> None:
    c = signed_in(a.u_officer)
    assert c.get(content(photo)).status_code == 200  # a view first: no cover for downloads
    for headers in ({}, {}, {"HTTP_RANGE": "bytes=100-"}):
        response = c.get(content(photo, download=True), **headers)
        assert response.status_code in (200, 206)
    ranges = [p["range"] for p in payloads(FILE_DOWNLOADED)]
    assert ranges == [None, None, f"bytes 100-{photo.size - 1}/{photo.size}"]
    assert len(payloads(FILE_VIEWED)) == 1


def test_head_and_unsatisfiable_reads_record_nothing(a, photo) -> None:
    c = signed_in(a.u_officer)
    before = LedgerEntry.objects.count()
    assert c.head(content(photo)).status_code == 200
    assert c.head(content(photo, download=True)).status_code == 200
    assert c.get(content(photo), HTTP_RANGE=f"bytes={photo.size}-").status_code == 416
    assert LedgerEntry.objects.count() == before


def test_unreadable_cache_records_every_view(a, photo, broken_cache) -> None:
    c = signed_in(a.u_officer)
    for _ in range(2):
        response = c.get(content(photo))
        assert response.status_code == 200 and body(response) == PNG_1PX + DATA
    assert len(payloads(FILE_VIEWED)) == 2


def test_other_body_gets_404_and_nothing_is_recorded(a, photo) -> None:
    c = signed_in(a.u_other)
    before = LedgerEntry.objects.count()
    for path, headers in ((content(photo), {}), (content(photo), {"HTTP_RANGE": "bytes=0-9"}),
                          (content(photo, download=True), {}),
                          (content(photo, download=True), {"HTTP_RANGE": "bytes=1-"})):
        assert c.get(path, **headers).status_code == 404, (path, headers)
    assert LedgerEntry.objects.count() == before
    # and no mark of a read was left that would hide the next real one
    signed_in(a.u_officer).get(content(photo))
    assert len(payloads(FILE_VIEWED)) == 1


# --- Staff: evidence opened inline is sandboxed ------------------------------------------------
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.mark.parametrize(("data", "name", "mime"), [
    (b"<html><body><script>alert(document.cookie)</script></body></html>\n", "page.txt",
     "text/plain"),
    (PNG_1PX + DATA, "photo.png", "image/png"),
])
def test_inline_content_is_sandboxed_and_never_sniffed(a, data, name, mime) -> None:
    f = stored(a, item(a, a_case(a), kind="documentary"), data, name)
    assert f.mime == mime
    c = signed_in(a.u_officer)
    for path, headers in ((content(f), {}), (content(f), {"HTTP_RANGE": "bytes=1-"}),
                          (content(f, download=True), {})):
        response = c.get(path, **headers)
        assert response.status_code in (200, 206)
        assert response["Content-Type"] == mime
        assert response["Content-Security-Policy"] == EVIDENCE_CSP
        assert response["Content-Security-Policy"].startswith("sandbox;")
        assert response["X-Content-Type-Options"] == "nosniff"
    cached = c.get(content(f), HTTP_IF_NONE_MATCH=f'"{f.blob.sha256}"')
    assert cached.status_code == 304
    assert cached["Content-Security-Policy"] == EVIDENCE_CSP


def test_share_responses_use_the_same_policy(a) -> None:
    case, files = case_with_files(a, PNG_1PX + DATA, names=("p.png",), closed=False)
    _share_row, token = _share(a, case, files)
    response = Client().get(_share_content(token, files[0]))
    assert response["Content-Security-Policy"] == EVIDENCE_CSP
    assert response["X-Content-Type-Options"] == "nosniff"


# --- Shares: /s/<token>/files/<id>/content ----------------------------------------------------
def _share(a, case, files, **kwargs):  # type: ignore[no-untyped-def]
    return share_create(actor=a.u_officer, case=case, files=files, recipient_kind="court",
                        recipient="芙蓉区人民法院",
                        expires_at=timezone.now() + dt.timedelta(days=7), **kwargs)


def _share_content(token: str, f: EvidenceFile, download: bool = False) -> str:
    url = reverse("web:share_file_content", kwargs={"token": token, "file_id": f.public_id})
    return url + ("?download=1" if download else "")


@pytest.fixture
def shared(a):  # type: ignore[no-untyped-def]
    case, files = case_with_files(a, PNG_1PX + DATA, names=("现场照片.png",), closed=False)
    share, token = _share(a, case, files)
    return case, files[0], share, token


def test_share_download_from_a_later_byte_is_recorded(client, shared) -> None:
    case, f, share, token = shared
    whole = PNG_1PX + DATA
    response = client.get(_share_content(token, f, download=True), HTTP_RANGE="bytes=1-",
                          REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 206 and body(response) == whole[1:]
    assert response["Content-Disposition"].startswith("attachment;")
    (opened,) = entries(case.stream, SHARE_ACCESSED.code)
    assert (opened["mode"], opened["client"], opened["range"]) == (
        "download", "192.0.2.9", f"bytes 1-{len(whole) - 1}/{len(whole)}")
    # every download, resumed parts included, however soon after the last
    for headers in ({}, {"HTTP_RANGE": "bytes=1-"}, {"HTTP_RANGE": "bytes=500-599"}):
        assert client.get(_share_content(token, f, download=True), REMOTE_ADDR="192.0.2.9",
                          **headers).status_code in (200, 206)
    opened_all = entries(case.stream, SHARE_ACCESSED.code)
    assert [p["range"] for p in opened_all] == [
        f"bytes 1-{len(whole) - 1}/{len(whole)}", None,
        f"bytes 1-{len(whole) - 1}/{len(whole)}", f"bytes 500-599/{len(whole)}"]
    assert {p["mode"] for p in opened_all} == {"download"}
    share.refresh_from_db()
    assert share.access_count == 4


def test_every_share_read_from_byte_0_is_an_open(client, shared) -> None:
    case, f, _share_row, token = shared
    client.get(_share_content(token, f))
    client.get(_share_content(token, f))
    client.get(_share_content(token, f), HTTP_RANGE="bytes=0-99")
    opened = entries(case.stream, SHARE_ACCESSED.code)
    assert [(p["mode"], p["range"]) for p in opened] == [
        ("view", None), ("view", None), ("view", f"bytes 0-99/{f.size}")]


def test_share_view_from_a_later_byte_without_an_open_is_recorded(client, shared) -> None:
    case, f, share, token = shared
    first = client.get(_share_content(token, f), HTTP_RANGE="bytes=1-",
                       REMOTE_ADDR="198.51.100.4")
    assert first.status_code == 206 and body(first) == (PNG_1PX + DATA)[1:]
    (opened,) = entries(case.stream, SHARE_ACCESSED.code)
    assert (opened["mode"], opened["client"], opened["range"]) == (
        "view", "198.51.100.4", f"bytes 1-{f.size - 1}/{f.size}")
    # that open now covers this client's continuation reads of the file
    assert client.get(_share_content(token, f), HTTP_RANGE="bytes=200-",
                      REMOTE_ADDR="198.51.100.4").status_code == 206
    assert len(entries(case.stream, SHARE_ACCESSED.code)) == 1
    share.refresh_from_db()
    assert share.access_count == 1


def test_share_continuations_are_covered_per_client_and_for_ten_minutes(
        client, shared, clock) -> None:
    case, f, _share_row, token = shared
    url = _share_content(token, f)
    assert client.get(url, REMOTE_ADDR="192.0.2.1").status_code == 200
    clock.now += WINDOW - 1
    assert client.get(url, HTTP_RANGE="bytes=100-", REMOTE_ADDR="192.0.2.1").status_code == 206
    assert len(entries(case.stream, SHARE_ACCESSED.code)) == 1
    # another address is not covered by that open
    assert client.get(url, HTTP_RANGE="bytes=100-", REMOTE_ADDR="192.0.2.2").status_code == 206
    # nor is the first address once the window has passed
    clock.now += 2
    assert client.get(url, HTTP_RANGE="bytes=300-", REMOTE_ADDR="192.0.2.1").status_code == 206
    opened = entries(case.stream, SHARE_ACCESSED.code)
    assert [(p["client"], p["range"]) for p in opened] == [
        ("192.0.2.1", None), ("192.0.2.2", f"bytes 100-{f.size - 1}/{f.size}"),
        ("192.0.2.1", f"bytes 300-{f.size - 1}/{f.size}")]


def test_a_download_covers_the_continuations_of_a_view(client, shared) -> None:
    case, f, _share_row, token = shared
    client.get(_share_content(token, f, download=True))
    client.get(_share_content(token, f), HTTP_RANGE="bytes=100-")
    assert [p["mode"] for p in entries(case.stream, SHARE_ACCESSED.code)] == ["download"]


def test_other_files_and_shares_are_not_covered(client, a) -> None:
    case, files = case_with_files(a, PNG_1PX + DATA, PNG_1PX + DATA[::-1],
                                  names=("a.png", "b.png"), closed=False)
    one, token1 = _share(a, case, files)
    two, token2 = _share(a, case, files)
    client.get(_share_content(token1, files[0]))
    client.get(_share_content(token1, files[1]), HTTP_RANGE="bytes=100-")
    client.get(_share_content(token2, files[0]), HTTP_RANGE="bytes=100-")
    opened = entries(case.stream, SHARE_ACCESSED.code)
    assert [(p["share"], p["file"]) for p in opened] == [
        (str(one.public_id), str(files[0].public_id)),
        (str(one.public_id), str(files[1].public_id)),
        (str(two.public_id), str(files[0].public_id))]


def test_share_head_records_nothing(client, shared) -> None:
    _case, f, _share_row, token = shared
    before = snapshot()
    for path, headers in ((_share_content(token, f), {"HTTP_RANGE": "bytes=1-"}),
                          (_share_content(token, f), {}),
                          (_share_content(token, f, download=True), {"HTTP_RANGE": "bytes=1-"})):
        assert client.head(path, **headers).status_code in (200, 206)
    assert snapshot() == before


def test_view_only_share_refuses_a_later_byte_download_and_records_nothing(client, a) -> None:
    case, files = case_with_files(a, PNG_1PX + DATA, closed=False)
    _row, token = _share(a, case, files, allow_download=False)
    before = snapshot()
    for method in (client.get, client.head):
        response = method(_share_content(token, files[0], download=True), HTTP_RANGE="bytes=1-")
        assert response.status_code == 403
    assert snapshot() == before
    # a refused download leaves no mark: the next view read from a later byte is recorded
    client.get(_share_content(token, files[0]), HTTP_RANGE="bytes=1-")
    assert [p["mode"] for p in entries(case.stream, SHARE_ACCESSED.code)] == ["view"]


def test_unreadable_cache_records_every_share_read(client, shared, broken_cache) -> None:
    case, f, _share_row, token = shared
    client.get(_share_content(token, f))
    client.get(_share_content(token, f), HTTP_RANGE="bytes=100-")
    assert len(entries(case.stream, SHARE_ACCESSED.code)) == 2


def test_gone_share_continuation_is_410_and_records_nothing(client, shared) -> None:
    _case, f, share, token = shared
    ShareLink.objects.filter(pk=share.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1))
    before = snapshot()
    for download in (False, True):
        response = client.get(_share_content(token, f, download=download),
                              HTTP_RANGE="bytes=1-")
        assert response.status_code == 410
    assert snapshot() == before


# --- The answer that shows a new share's token -------------------------------------------------
def test_the_new_share_link_is_never_cached(client, a) -> None:
    case, (file,) = case_with_files(a)
    client.force_login(a.u_officer)
    expires = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    response = client.post(reverse("web:evidence_share_create",
                                   kwargs={"public_id": case.public_id}),
                           {"recipient_kind": "court", "recipient": "芙蓉区人民法院",
                            "purpose": "诉讼", "expires_on": expires,
                            "file_ids": [str(file.public_id)]})
    assert response.status_code == 201
    assert re.search(r'value="http://testserver/s/[^"]+/"', response.content.decode())
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives


def test_a_pdf_is_never_sniffed_and_not_sandboxed_so_browsers_can_show_it(a) -> None:
    """Browsers refuse to display a PDF under a ``sandbox`` policy (their viewer is a plugin);
    a PDF is not run as a page of this origin, so it goes without the policy."""
    f = stored(a, item(a, a_case(a), kind="documentary"), PDF_BYTES, "report.pdf")
    assert f.mime == "application/pdf"
    response = signed_in(a.u_officer).get(content(f))
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in response

