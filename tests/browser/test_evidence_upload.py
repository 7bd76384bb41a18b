"""A video uploaded from the case's evidence page in a real Chromium, through the page's tus
widget (tus-js-client) and the platform's tus server: interrupted twice — paused, then the
page reloaded mid-upload — and resumed from the server's offset each time (never from the
start), stored with the right SHA-256, then played back on the file's page.

The interruptions are made deterministic by holding the widget's PATCH requests at the
browser's network layer once a given number of parts have gone through; the parts are small
(``?chunk=``, honoured in tests only)."""

import contextlib
import hashlib
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from tests.browser.helpers import log_in
from tests.cases.factories import agency, registered
from zhifa.evidence.models import (
    AvRecord,
    DeviceKind,
    EvidenceFile,
    EvidenceItem,
    ProbeState,
    RecordingDevice,
    Upload,
    UploadState,
)
from zhifa.ledger.models import LedgerEntry

CHUNK = 256 * 1024


@pytest.fixture
def browser_page(browser_page):  # type: ignore[no-untyped-def]
    """The shared page (tests/browser/conftest.py), with more time for the slow upload steps."""
    browser_page.set_default_timeout(20_000)
    return browser_page


def make_mp4(path: Path, seconds: int = 50) -> Path:
    """An H.264/AAC MP4 of about 2 MB. Debian's Chromium plays H.264 (checked: it reaches
    readyState 4 and its time advances). ``tests.evidence.factories.make_video``'s default
    encoding makes a test pattern so small that 2 MB would take minutes of video and half a
    minute of encoding; the ultrafast preset gets there in seconds."""
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
         f"testsrc=duration={seconds}:size=640x480:rate=25", "-f", "lavfi", "-i",
         f"sine=duration={seconds}", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", "-movflags", "+faststart",
         str(path)], check=True)
    return path


class PatchGate:
    """Lets a given number of the widget's PATCH requests through, then holds the next ones
    (they never reach the server), until told to let more through."""

    def __init__(self, page: Any) -> None:
        self.allowed = 0
        self.held: list[Any] = []
        page.route("**/uploads/*", self._handle)

    def _handle(self, route: Any) -> None:
        if route.request.method != "PATCH" or self.allowed > 0:
            if route.request.method == "PATCH":
                self.allowed -= 1
            route.continue_()
            return
        self.held.append(route)

    def wait_held(self, page: Any) -> None:
        """Until the browser's next PATCH is in the gate (each call to the page lets the
        route handlers run; no sleeping)."""
        for _ in range(500):
            if self.held:
                return
            page.evaluate("0")
        raise AssertionError("no PATCH request was held")

    def drop_held(self) -> None:
        for route in self.held:
            with contextlib.suppress(Exception):  # the browser has cancelled it already
                route.abort()
        self.held.clear()


def is_patch(request: Any) -> bool:
    return request.method == "PATCH" and "/uploads/" in request.url


def nth_patch(n: int) -> Any:
    """A predicate for ``expect_request``: true on the n-th PATCH it sees."""
    seen: list[Any] = []

    def match(request: Any) -> bool:
        if is_patch(request):
            seen.append(request)
        return len(seen) == n

    return match


def server_offset(page: Any, url: str) -> int:
    """What a tus client learns from a HEAD: the server's Upload-Offset."""
    return int(page.evaluate("""async (url) => {
        const r = await fetch(url, {method: "HEAD", headers: {"Tus-Resumable": "1.0.0"}});
        return r.headers.get("Upload-Offset");
    }""", url))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_video_upload_interrupted_resumed_and_played(live_server, browser_page,
                                                     tmp_path):
    a = agency()
    case = registered(a)
    device = RecordingDevice.objects.create(body=a.body, kind=DeviceKind.BODY_CAMERA,
                                            serial="DSJ-0001", holder=a.officer)
    video = make_mp4(tmp_path / "现场执法记录.mp4")
    data = video.read_bytes()
    size = len(data)
    assert 2 * 1024 * 1024 <= size <= 3 * 1024 * 1024, size
    base = live_server.url
    page = browser_page
    evidence_url = base + reverse("web:evidence_case", kwargs={"public_id": case.public_id})

    log_in(page, base, a.u_officer.username)
    # the case page links to its evidence
    page.goto(base + reverse("web:case_detail", kwargs={"public_id": case.public_id}))
    page.locator("#case-evidence-link").click()
    page.wait_for_url(evidence_url)
    gate = PatchGate(page)
    page.goto(f"{evidence_url}?chunk={CHUNK}")
    texts = page.evaluate(
        "() => JSON.parse(document.getElementById('evidence-upload-texts').textContent)")
    assert page.locator("#evidence-upload").get_attribute("data-chunk-size") == str(CHUNK)

    # A new item of kind 视听资料 with the recording's details; the video is chosen.
    assert page.locator("#upload-target-new").is_checked()  # no item yet
    assert page.locator("#upload-av").is_hidden()  # not before audio or video is in view
    page.locator("#upload-kind").select_option("audio_visual")
    page.locator("#upload-title").fill("现场执法记录仪视频")
    page.locator("#upload-files").set_input_files(str(video))
    assert page.locator("#upload-av").is_visible()
    page.locator("#upload-device").select_option(str(device.public_id))
    page.locator("#upload-officer").select_option(str(a.officer.public_id))
    page.locator("#upload-started").fill("2026-09-03T10:00:00")

    # Interruption 1: three parts go through, the fourth is held; the officer pauses.
    gate.allowed = 3
    with page.expect_request(nth_patch(4)):
        page.locator("#upload-start").click()
    gate.wait_held(page)
    row = page.locator("#upload-queue .upload-row")
    assert row.get_attribute("data-state") == "uploading"
    row.locator(".upload-pause").click()
    page.wait_for_selector('#upload-queue .upload-row[data-state="paused"]')
    assert row.locator(".upload-pause").is_hidden() and row.locator(".upload-resume").is_visible()
    gate.drop_held()
    upload = Upload.objects.get()
    assert (upload.offset, upload.length, upload.state) == (3 * CHUNK, size, UploadState.OPEN)
    upload_url = base + reverse("web:tus_upload", kwargs={"public_id": upload.public_id})
    assert server_offset(page, upload_url) == 3 * CHUNK
    assert 0 < upload.offset < size
    assert EvidenceFile.objects.count() == 0 and EvidenceItem.objects.count() == 0

    # Resume: two more parts, then the next is held and the page is reloaded mid-upload.
    gate.allowed = 2
    with page.expect_request(nth_patch(3)):
        row.locator(".upload-resume").click()
    gate.wait_held(page)
    page.reload()
    gate.drop_held()
    page.unroute("**/uploads/*")
    offset = server_offset(page, upload_url)
    upload.refresh_from_db()
    assert offset == upload.offset == 5 * CHUNK
    assert EvidenceFile.objects.count() == 0  # nothing partial is evidence

    # After the reload the page remembers the unfinished upload (tus fingerprint storage).
    pending = page.locator("#upload-pending")
    pending.wait_for(state="visible")
    assert video.name in pending.inner_text()

    # Choosing the same file again continues from the server's offset.
    sent_from: list[int] = []
    page.on("request", lambda r: sent_from.append(int(r.headers["upload-offset"]))
            if is_patch(r) else None)
    page.locator("#upload-kind").select_option("audio_visual")
    page.locator("#upload-files").set_input_files(str(video))
    page.locator("#upload-start").click()
    done = page.locator('#upload-queue .upload-row[data-state="done"]')
    done.wait_for(timeout=60_000)
    assert done.locator(".upload-message").is_hidden()
    assert done.locator(".upload-pause").is_hidden() and done.locator(".upload-resume").is_hidden()
    assert done.locator("progress").get_attribute("value") == "100"
    assert sent_from[0] == 5 * CHUNK and sent_from == sorted(sent_from)
    resent = size - sent_from[0]
    assert resent < size and resent == size - 5 * CHUNK
    assert Upload.objects.count() == 1  # the same upload, not a new one
    assert texts["resuming"]  # the note shown while resuming (cleared on success)

    # The evidence: one item, one file with the right hashes on the ledger.
    f = EvidenceFile.objects.select_related("blob", "item").get()
    assert f.blob.sha256 == hashlib.sha256(data).hexdigest()
    assert (f.size, f.mime, f.filename) == (size, "video/mp4", video.name)
    assert (f.item.kind, f.item.title, f.item.seq) == ("audio_visual", "现场执法记录仪视频", 1)
    entry = LedgerEntry.objects.get(seq=f.ledger_seq)
    assert entry.event_code == 5003 and f.blob.sha256 in entry.payload
    upload.refresh_from_db()
    assert (upload.state, upload.offset, upload.file_id) == (UploadState.COMPLETE, size, f.pk)
    av = AvRecord.objects.select_related("device", "officer").get(file=f)
    assert (av.device, av.officer) == (device, a.officer)
    assert av.probe_state == ProbeState.DONE and 49_000 <= (av.duration_ms or 0) <= 51_000
    # the fingerprint is forgotten once the upload is complete
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('tus::'))"
                         ".length") == 0

    # The list was drawn again without a reload: the file is there, with its hashes.
    file_row = page.locator(f"#file-{f.public_id}")
    file_row.wait_for()
    assert file_row.locator('[data-hash="sha256"]').get_attribute("title") == f.blob.sha256
    page.wait_for_function("() => document.querySelectorAll('#upload-item option').length === 1"
                           " && !document.getElementById('upload-item').disabled")

    # Playback on the file's page: the browser plays it through ranged reads.
    file_row.get_by_role("link", name=video.name).click()
    page.wait_for_url(base + reverse("web:evidence_file", kwargs={"public_id": f.public_id}))
    player = page.locator("video#player")
    player.wait_for()
    start = page.evaluate("""async () => {
        const v = document.querySelector("video#player");
        v.muted = true;
        await v.play();
        return v.currentTime;
    }""")
    page.wait_for_function("""(start) => {
        const v = document.querySelector("video#player");
        return v.readyState >= 2 && v.currentTime > start + 0.5 && !v.error;
    }""", arg=start, timeout=20_000)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_refused_content_shows_the_servers_message(live_server, browser_page,
                                                   tmp_path):
    """A program renamed to .mp4 is refused by its content; the page shows the server's
    message (in the user's language) next to the file, and nothing becomes evidence."""
    a = agency()
    case = registered(a)
    fake = tmp_path / "录像.mp4"
    fake.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00" + os.urandom(20_000))
    base = live_server.url
    page = browser_page
    log_in(page, base, a.u_officer.username)
    page.goto(base + reverse("web:evidence_case", kwargs={"public_id": case.public_id}))
    page.locator("#upload-kind").select_option("documentary")
    page.locator("#upload-files").set_input_files(str(fake))
    with page.expect_response(lambda r: is_patch(r.request)) as answer:
        page.locator("#upload-start").click()
    response = answer.value
    assert response.status == 415
    message = response.json()["message"]
    assert response.json()["code"] == "type_not_allowed" and fake.name in message
    row = page.locator('#upload-queue .upload-row[data-state="failed"]')
    row.wait_for()
    assert row.locator(".upload-message").inner_text() == message
    assert row.locator(".upload-pause").is_hidden() and row.locator(".upload-resume").is_hidden()
    upload = Upload.objects.get()
    assert (upload.state, upload.error_code) == (UploadState.REFUSED, "type_not_allowed")
    assert EvidenceFile.objects.count() == 0 and EvidenceItem.objects.count() == 0
    # the refused upload is not offered for resuming
    page.wait_for_function("() => Object.keys(localStorage).filter(k => k.startsWith('tus::'))"
                           ".length === 0")
