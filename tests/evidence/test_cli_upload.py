"""``zhifa evidence upload`` against the real tus server (``live_server``): login through the
web form, creation, chunked PATCHes with checksums, resume after an interruption (the client
dropping the connection, and the network cutting it mid-PATCH), and the refusals: wrong
password, a case the account cannot see, a type that may not be evidence."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import http.client
import io
import json
import os
import selectors
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.signals import request_finished
from django.utils import translation

from tests.cases.factories import Agency, agency
from zhifa.core.errors import ApplicationError
from zhifa.evidence.models import Blob, EvidenceFile, EvidenceItem, Upload, UploadState
from zhifa.evidence.sniff import check_allowed, sniff
from zhifa.evidence.storage import get_storage
from zhifa.evidence.tusclient import Session, TusClient
from zhifa.ledger.guard import ledger_unlocked
from zhifa.ledger.models import LedgerEntry
from zhifa.web.views.auth import LoginForm

from .factories import a_case, item

PASSWORD = "Zhifa-test-2026"  # tests.factories.user's default
PDF_HEAD = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
CHUNK = 256 * 1024

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module", autouse=True)
def _ledger_emptied_after_the_test() -> Iterator[None]:
    """The live server needs transactional tests, which empty every table afterwards; on
    SQLite the ledger's append-only triggers allow that only inside ``ledger_unlocked``."""
    with ledger_unlocked():
        yield


class ServerRequests:
    """Requests the client began (``putrequest``) against requests the live server finished
    (``request_finished``). On SQLite the live server's threads share the test's in-memory
    database connection, so a request still running on the server (one whose client dropped
    it) must end before the next one starts, or the two transactions collide."""

    def __init__(self) -> None:
        self.sent = 0
        self.finished = 0
        self.cond = threading.Condition()

    def began(self) -> None:
        with self.cond:
            self.sent += 1

    def on_finished(self, **_kwargs: Any) -> None:
        with self.cond:
            self.finished += 1
            self.cond.notify_all()

    def wait(self, timeout: float = 20) -> None:
        with self.cond:
            done = self.cond.wait_for(lambda: self.finished >= self.sent, timeout)
            assert done, f"the server finished {self.finished} of {self.sent} requests"


@pytest.fixture(autouse=True)
def server_requests(monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerRequests]:
    requests = ServerRequests()
    putrequest = http.client.HTTPConnection.putrequest

    def counted(self: http.client.HTTPConnection, *args: Any, **kwargs: Any) -> None:
        requests.began()
        putrequest(self, *args, **kwargs)

    monkeypatch.setattr(http.client.HTTPConnection, "putrequest", counted)
    request_finished.connect(requests.on_finished, weak=False, dispatch_uid="test_cli_upload")
    yield requests
    request_finished.disconnect(dispatch_uid="test_cli_upload")


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The client's state files go under ``$XDG_CACHE_HOME/zhifa/uploads``."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "zhifa" / "uploads"


@pytest.fixture
def ag() -> Agency:
    return agency()


def pdf(path: Path, size: int) -> Path:
    """``size`` bytes that the server takes for a PDF: the signature, then random bytes."""
    path.write_bytes(PDF_HEAD + os.urandom(size - len(PDF_HEAD)))
    return path


Upload_ = Callable[..., tuple[int, str, str]]  # (server, user, *args, password=)


@pytest.fixture
def upload(monkeypatch: pytest.MonkeyPatch, server_requests: ServerRequests,
           cache_dir: Path) -> Upload_:
    """Runs the command as a user would; gives its exit status, stdout and stderr once the
    server has finished every request the command made."""

    def run(server: str, user: str, *args: str,
            password: str = PASSWORD) -> tuple[int, str, str]:
        monkeypatch.setenv("ZHIFA_PASSWORD", password)
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command("evidence", "upload", *args, "--server", server, "--user", user,
                         stdout=out, stderr=err)
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        server_requests.wait()
        return code, out.getvalue(), err.getvalue()

    return run


def counts() -> tuple[int, int, int, int, int]:
    return (Upload.objects.count(), EvidenceItem.objects.count(), EvidenceFile.objects.count(),
            Blob.objects.count(), LedgerEntry.objects.count())


def zh(text: str) -> str:
    with translation.override("zh-hans"):
        return str(translation.gettext(text))


# --- a complete upload -----------------------------------------------------------------------
def test_upload_creates_the_evidence_file_with_both_hashes(live_server, ag, cache_dir,
                                                            tmp_path, upload) -> None:
    case = a_case(ag)
    sample = pdf(tmp_path / "检查笔录.pdf", 3 * CHUNK + 1234)
    data = sample.read_bytes()
    code, out, err = upload(live_server.url, ag.u_officer.username, str(sample),
                            "--case", case.number, "--kind", "documentary",
                            "--title", "现场检查笔录", "--source", "现场提取",
                            "--place", "长沙市芙蓉区某路1号", "--collected-at", "2026-09-01T10:30",
                            "--chunk-size", "256K", "--json")
    assert (code, err.count("100.0%")) == (0, 1), err
    result = json.loads(out)
    sha256, sm3 = hashlib.sha256(data).hexdigest(), hashlib.new("sm3", data).hexdigest()
    assert result == {"file": result["file"], "sha256": sha256, "sm3": sm3, "size": len(data),
                      "resumed_from": 0, "sent": len(data)}

    f = EvidenceFile.objects.select_related("blob", "item").get(public_id=result["file"])
    assert (f.case_id, f.filename, f.size, f.mime, f.uploaded_by_id) == (
        case.pk, "检查笔录.pdf", len(data), "application/pdf", ag.u_officer.pk)
    assert (f.blob.sha256, f.blob.sm3, f.blob.size) == (sha256, sm3, len(data))
    assert (f.item.kind, f.item.title, f.item.source, f.item.place, f.item.case_id) == (
        "documentary", "现场检查笔录", "现场提取", "长沙市芙蓉区某路1号", case.pk)
    # a time without offset is Beijing time
    assert f.item.collected_at == dt.datetime(2026, 9, 1, 2, 30, tzinfo=dt.UTC)
    stored = b"".join(get_storage().iter_range(f.blob.key))
    assert stored == data
    entry = LedgerEntry.objects.get(stream=case.stream, event_code=5003)
    assert entry.seq == f.ledger_seq and f'"sha256":"{sha256}"' in entry.payload
    assert f'"sm3":"{sm3}"' in entry.payload
    up = Upload.objects.get()
    assert (up.state, up.offset, up.length, up.file_id) == (
        UploadState.COMPLETE, len(data), len(data), f.pk)
    assert not cache_dir.exists() or list(cache_dir.iterdir()) == []


def test_upload_to_an_existing_item_prints_the_hashes(live_server, ag, cache_dir, tmp_path,
                                                       upload) -> None:
    case = a_case(ag)
    it = item(ag, case, kind="documentary", title="进货单")
    sample = pdf(tmp_path / "invoice.pdf", 40_000)
    data = sample.read_bytes()
    code, out, err = upload(live_server.url, ag.u_officer.username, str(sample),
                            "--case", str(case.public_id), "--item", str(it.public_id))
    assert code == 0, err
    f = EvidenceFile.objects.get()
    assert (f.item_id, f.case_id) == (it.pk, case.pk)
    assert EvidenceItem.objects.count() == 1
    lines = out.splitlines()
    assert str(f.public_id) in lines[0] and "invoice.pdf" in lines[0]
    assert lines[1:] == [f"SHA-256 {hashlib.sha256(data).hexdigest()}",
                         f"SM3     {hashlib.new('sm3', data).hexdigest()}"]


# --- interruption and resume -------------------------------------------------------------------
def test_interrupted_upload_resumes_from_the_servers_offset(live_server, ag, cache_dir,
                                                             tmp_path, upload) -> None:
    case = a_case(ag)
    sample = pdf(tmp_path / "bodycam.pdf", 8 * CHUNK + 777)
    data = sample.read_bytes()
    args = (str(sample), "--case", case.number, "--kind", "documentary", "--chunk-size",
            str(CHUNK), "--json")
    # The first run drops its connection in the middle of the fourth chunk.
    code, out, err = upload(live_server.url, ag.u_officer.username, *args, "--stop-after",
                            str(3 * CHUNK + 1000))
    assert (code, out) == (1, ""), err
    assert len(list(cache_dir.iterdir())) == 1  # the upload's URL is remembered
    assert EvidenceFile.objects.count() == 0 and EvidenceItem.objects.count() == 0

    code, out, err = upload(live_server.url, ag.u_officer.username, *args)
    assert code == 0, err
    result = json.loads(out)
    # The three chunks the server confirmed are not sent again; the cut one may be.
    assert 3 * CHUNK <= result["resumed_from"] < len(data)
    assert result["sent"] == len(data) - result["resumed_from"] < len(data)
    assert result["sha256"] == hashlib.sha256(data).hexdigest()
    assert result["sm3"] == hashlib.new("sm3", data).hexdigest()
    up = Upload.objects.get()  # the same upload, continued
    f = EvidenceFile.objects.get()
    assert (up.state, up.file_id, str(f.public_id)) == (UploadState.COMPLETE, f.pk,
                                                         result["file"])
    assert b"".join(get_storage().iter_range(f.blob.key)) == data
    assert list(cache_dir.iterdir()) == []


def test_rerun_of_a_finished_upload_reports_it_and_sends_nothing(live_server, ag, cache_dir,
                                                                  tmp_path, upload) -> None:
    """The client died after the last chunk but before forgetting the upload: a rerun finds
    it complete on the server and neither sends nor stores anything again."""
    case = a_case(ag)
    sample = pdf(tmp_path / "done.pdf", 2 * CHUNK + 5)
    args = (str(sample), "--case", case.number, "--kind", "documentary", "--chunk-size",
            str(CHUNK), "--json")
    code, _out, err = upload(live_server.url, ag.u_officer.username, *args, "--stop-after",
                             str(CHUNK + 10))
    assert code == 1, err
    (state,) = cache_dir.iterdir()
    remembered = state.read_bytes()
    code, out, err = upload(live_server.url, ag.u_officer.username, *args)
    assert code == 0, err
    first = json.loads(out)
    state.write_bytes(remembered)
    before = counts()
    code, out, err = upload(live_server.url, ag.u_officer.username, *args)
    assert code == 0, err
    again = json.loads(out)
    assert again == {**first, "resumed_from": sample.stat().st_size, "sent": 0}
    assert counts() == before
    assert list(cache_dir.iterdir()) == []


def test_a_session_ending_mid_upload_logs_in_again_and_continues(
        live_server, ag, cache_dir, tmp_path, upload, monkeypatch, settings) -> None:
    case = a_case(ag)
    sample = pdf(tmp_path / "long.pdf", 5 * CHUNK + 99)
    data = sample.read_bytes()
    patches = [0]
    send_stream = Session.send_stream

    def session_lost_before_the_third_chunk(self: Session, *args: Any, **kwargs: Any) -> Any:
        patches[0] += 1
        if patches[0] == 3:  # as if the server had ended the session (8 hours are up)
            self.cookies[settings.SESSION_COOKIE_NAME] = "expired"
        return send_stream(self, *args, **kwargs)

    monkeypatch.setattr(Session, "send_stream", session_lost_before_the_third_chunk)
    code, out, err = upload(live_server.url, ag.u_officer.username, str(sample),
                            "--case", case.number, "--kind", "documentary",
                            "--chunk-size", str(CHUNK), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert patches[0] == 7  # six chunks, the third twice
    assert result["sent"] == len(data) + CHUNK  # the refused chunk went once for nothing
    assert result["sha256"] == hashlib.sha256(data).hexdigest()
    assert Upload.objects.count() == 1 and EvidenceFile.objects.count() == 1


def test_a_chunk_refused_for_its_checksum_is_hashed_and_sent_again(
        live_server, ag, cache_dir, tmp_path, upload, monkeypatch) -> None:
    case = a_case(ag)
    sample = pdf(tmp_path / "bits.pdf", 4 * CHUNK + 17)
    data = sample.read_bytes()
    calls: list[int] = []
    checksum = TusClient._checksum

    def flipped_once(self: TusClient, fh: Any, offset: int, *args: Any) -> str:
        calls.append(offset)
        right = checksum(self, fh, offset, *args)
        if offset == CHUNK and calls.count(CHUNK) == 1:  # a bit flipped on the way
            return base64.b64encode(hashlib.sha256(b"not the chunk").digest()).decode()
        return right

    monkeypatch.setattr(TusClient, "_checksum", flipped_once)
    code, out, err = upload(live_server.url, ag.u_officer.username, str(sample),
                            "--case", case.number, "--kind", "documentary",
                            "--chunk-size", str(CHUNK), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert calls == [0, CHUNK, 2 * CHUNK, CHUNK, 3 * CHUNK, 4 * CHUNK]
    assert result["sent"] == len(data) + CHUNK
    assert result["sha256"] == hashlib.sha256(data).hexdigest()
    f = EvidenceFile.objects.get()
    assert b"".join(get_storage().iter_range(f.blob.key)) == data


class CuttingProxy:
    """A TCP relay to the live server that cuts every connection once ``cut_after`` bytes
    went upstream in all, once: a network failure in the middle of a PATCH body."""

    def __init__(self, target: tuple[str, int], cut_after: int) -> None:
        self.target = target
        self.cut_after = cut_after
        self.upstream = 0
        self.cuts = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def close(self) -> None:
        self._stop.set()
        self.listener.close()
        for t in self._threads:
            t.join(timeout=5)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _addr = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            t = threading.Thread(target=self._relay, args=(client, server), daemon=True)
            self._threads.append(t)
            t.start()

    def _relay(self, client: socket.socket, server: socket.socket) -> None:
        sel = selectors.DefaultSelector()
        sel.register(client, selectors.EVENT_READ, server)
        sel.register(server, selectors.EVENT_READ, client)
        try:
            while not self._stop.is_set():
                for key, _mask in sel.select(timeout=0.2):
                    src: Any = key.fileobj
                    data = src.recv(65536)
                    if not data:
                        return
                    if src is client:
                        if self.cuts == 0 and self.upstream + len(data) > self.cut_after:
                            self.cuts += 1
                            return  # both ends closed below, mid-body
                        self.upstream += len(data)
                    key.data.sendall(data)
        except OSError:
            return
        finally:
            sel.close()
            for s in (client, server):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()


def test_connection_cut_mid_patch_is_retried_from_the_servers_offset(
        live_server, ag, cache_dir, tmp_path, upload) -> None:
    case = a_case(ag)
    sample = pdf(tmp_path / "cut.pdf", 6 * CHUNK + 4321)
    data = sample.read_bytes()
    host, port = live_server.thread.host, live_server.thread.port
    # Login and creation take a few KiB; the cut comes inside the third chunk's body.
    proxy = CuttingProxy((host, port), cut_after=2 * CHUNK + CHUNK // 2)
    try:
        code, out, err = upload(f"http://{host}:{proxy.port}", ag.u_officer.username,
                                str(sample), "--case", case.number, "--kind", "documentary",
                                "--chunk-size", str(CHUNK), "--json")
    finally:
        proxy.close()
    assert (code, proxy.cuts) == (0, 1), err
    result = json.loads(out)
    # One run: nothing to resume from, but part of a chunk was sent twice.
    assert result["resumed_from"] == 0
    assert len(data) < result["sent"] <= len(data) + CHUNK
    assert result["sha256"] == hashlib.sha256(data).hexdigest()
    assert result["sm3"] == hashlib.new("sm3", data).hexdigest()
    assert Upload.objects.count() == 1 and EvidenceFile.objects.count() == 1
    f = EvidenceFile.objects.get()
    assert b"".join(get_storage().iter_range(f.blob.key)) == data


def test_a_remembered_upload_gone_from_the_server_starts_afresh(
        live_server, ag, cache_dir, tmp_path, upload, server_requests) -> None:
    case = a_case(ag)
    sample = pdf(tmp_path / "gone.pdf", 4 * CHUNK)
    args = (str(sample), "--case", case.number, "--kind", "documentary", "--chunk-size",
            str(CHUNK), "--json")
    code, _out, err = upload(live_server.url, ag.u_officer.username, *args, "--stop-after",
                             str(CHUNK + 10))
    assert code == 1, err
    # The upload is cancelled on the server (tus termination): HEAD no longer finds it.
    (state,) = cache_dir.iterdir()
    url = json.loads(state.read_text())["url"]
    session = Session(live_server.url)
    session.login(ag.u_officer.username, PASSWORD)
    TusClient(session).terminate(url)
    session.close()
    server_requests.wait()
    first = Upload.objects.get()
    assert first.state == UploadState.TERMINATED
    code, out, err = upload(live_server.url, ag.u_officer.username, *args)
    assert code == 0, err
    result = json.loads(out)
    assert (result["resumed_from"], result["sent"]) == (0, 4 * CHUNK)
    assert Upload.objects.count() == 2
    assert Upload.objects.get(file__isnull=False).pk != first.pk


# --- refusals ------------------------------------------------------------------------------
def test_wrong_password_is_refused_with_the_login_pages_message(live_server, ag, cache_dir,
                                                                tmp_path, upload) -> None:
    case = a_case(ag)
    sample = pdf(tmp_path / "x.pdf", 20_000)
    before = counts()
    code, out, err = upload(live_server.url, ag.u_officer.username, str(sample),
                            "--case", case.number, "--kind", "documentary",
                            password="not-the-password")
    assert (code, out) == (1, "")
    with translation.override("zh-hans"):
        page_says = str(LoginForm.error_messages["invalid_login"])
    assert live_server.url in err and ag.u_officer.username in err and page_says in err
    assert counts() == before
    assert not cache_dir.exists()


def test_case_out_of_scope_is_not_found_and_nothing_is_created(live_server, ag, cache_dir,
                                                               tmp_path, upload) -> None:
    case = a_case(ag)
    sample = pdf(tmp_path / "x.pdf", 20_000)
    before = counts()
    code, out, err = upload(live_server.url, ag.u_other.username, str(sample),
                            "--case", case.number, "--kind", "documentary")
    assert (code, out) == (1, "")
    assert zh("Case not found.") in err
    assert counts() == before
    assert not cache_dir.exists() or list(cache_dir.iterdir()) == []


def test_disallowed_type_is_refused_with_the_servers_message(live_server, ag, cache_dir,
                                                             tmp_path, upload) -> None:
    case = a_case(ag)
    # A program, whatever its name says: an ELF header and then random bytes.
    sample = tmp_path / "photo.jpg"
    sample.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(8) + os.urandom(3 * CHUNK))
    items, files, blobs, entries = (EvidenceItem.objects.count(), EvidenceFile.objects.count(),
                                    Blob.objects.count(), LedgerEntry.objects.count())
    code, out, err = upload(live_server.url, ag.u_officer.username, str(sample),
                            "--case", case.number, "--kind", "audio_visual",
                            "--chunk-size", str(CHUNK))
    assert (code, out) == (1, "")
    with translation.override("zh-hans"), pytest.raises(ApplicationError) as refused:
        check_allowed(sniff(sample.read_bytes()[:8192]), filename="photo.jpg")
    assert refused.value.message in err
    assert (EvidenceItem.objects.count(), EvidenceFile.objects.count(), Blob.objects.count(),
            LedgerEntry.objects.count()) == (items, files, blobs, entries)
    assert Upload.objects.get().state == UploadState.REFUSED
    assert list(cache_dir.iterdir()) == []  # a refused upload is not resumed


def test_usage_errors_exit_2_before_anything_is_sent(live_server, ag, cache_dir, tmp_path,
                                                     upload) -> None:
    case = a_case(ag)
    sample = pdf(tmp_path / "x.pdf", 20_000)
    before = counts()
    code, _out, err = upload(live_server.url, ag.u_officer.username, str(sample),
                             "--case", case.number)
    assert code == 2 and "--kind" in err
    code, _out, err = upload(live_server.url, ag.u_officer.username,
                             str(tmp_path / "missing.pdf"), "--case", case.number,
                             "--kind", "documentary")
    assert code == 2 and "missing.pdf" in err
    assert counts() == before
