"""A small tus 1.0 client (core, creation, checksum, termination) on ``http.client``.

Used by ``zhifa evidence upload`` and the evidence benchmark. The file is streamed from disk in
blocks of 1 MiB, so memory stays flat whatever its size: each chunk (one PATCH, 8 MiB by
default) is read twice, once to compute its ``Upload-Checksum: sha256`` (the header goes before
the body) and once to send it; the second read comes from the page cache. A worker thread
hashes the next chunk while the current one travels, so the next PATCH need not wait for it.
The SHA-256 of the whole file is computed on the way, in order, so that the caller can compare
it with the hash the server stored.

Failures while a chunk is in flight (connection dropped, 5xx, 409 offset mismatch, 423, 460
checksum mismatch) are retried a few times with backoff; before resending, the client asks the
server for its offset (HEAD) and continues from there. Any other 4xx stops the upload with the
server's JSON ``message``.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import http.client
import json
import os
import re
import socket
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from html import unescape
from http.cookies import SimpleCookie
from typing import Any, BinaryIO
from urllib.parse import urlencode, urljoin, urlsplit

TUS_VERSION = "1.0.0"
CHUNK_DEFAULT = 8 * 1024 * 1024
IO_BLOCK = 1024 * 1024
RETRIES = 4
BACKOFF = 0.5  # seconds before the first retry; doubled each time
RETRY_STATUSES = {409, 423, 460, 500, 502, 503, 504}

_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)

# What a dropped or refused connection raises in http.client.
NETWORK_ERRORS = (OSError, http.client.HTTPException)


class TusError(Exception):
    """The server refused (``status`` and its JSON ``code``), or the upload could not go on."""

    def __init__(self, message: str, *, status: int = 0, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class UploadGone(TusError):
    """The upload URL is unknown (404) or no longer accepts bytes (410)."""


class LoginFailed(TusError):
    pass


class Interrupted(Exception):
    """``stop_after`` bytes were sent: the connection was dropped on purpose (tests)."""


@dataclass
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)

    def error(self) -> TusError:
        """The server's refusal as an exception: its JSON message and code when it sent one."""
        code, message = "", ""
        try:
            data = json.loads(self.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            data = None
        if isinstance(data, dict):
            code = str(data.get("code") or "")
            message = str(data.get("message") or data.get("detail") or "")
        if not message:
            text = self.body.decode("utf-8", "replace").strip()
            message = text[:300] if text and not text.startswith("<") else ""
        message = message or f"HTTP {self.status} {http.client.responses.get(self.status, '')}"
        cls = UploadGone if self.status in (404, 410) else TusError
        return cls(message.strip(), status=self.status, code=code)


class Session:
    """One keep-alive connection to the server, with its cookies and Django's CSRF header.

    ``request`` retries once on a fresh connection when a kept-alive one turns out to be
    closed before any answer came (the server may drop idle connections)."""

    def __init__(self, base_url: str, *, timeout: float = 120.0) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port
        self.netloc = parts.netloc
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self._conn: http.client.HTTPConnection | None = None

    # --- connection ----------------------------------------------------------------------
    def connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            cls = (http.client.HTTPSConnection if self.scheme == "https"
                   else http.client.HTTPConnection)
            self._conn = cls(self.host, self.port, timeout=self.timeout)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def abort(self) -> None:
        """Drop the connection at once, as a pulled cable would (no orderly shutdown)."""
        conn = self._conn
        self._conn = None
        if conn is not None and conn.sock is not None:
            with contextlib.suppress(OSError):
                conn.sock.shutdown(socket.SHUT_RDWR)
        if conn is not None:
            conn.close()

    def path(self, url_or_path: str) -> str:
        """The request path for ``url_or_path`` (absolute URL, absolute path, or relative
        to the base URL). Requests always go to this session's server: an absolute URL that
        names another host (a proxy's idea of the server's name) only gives its path."""
        parts = urlsplit(urljoin(self.base_url + "/", url_or_path))
        return parts.path + (f"?{parts.query}" if parts.query else "")

    # --- headers -------------------------------------------------------------------------
    def base_headers(self, unsafe: bool) -> dict[str, str]:
        headers = {"Host": self.netloc, "User-Agent": "zhifa-evidence-upload/1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if unsafe:
            token = self.cookies.get("csrftoken")
            if token:
                headers["X-CSRFToken"] = token
            # Django checks the Referer of unsafe requests over HTTPS.
            headers["Referer"] = self.base_url + "/"
        return headers

    def _remember_cookies(self, resp: http.client.HTTPResponse) -> None:
        for raw in resp.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(raw)
            except Exception:  # a cookie we cannot parse is not ours
                continue
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    @staticmethod
    def _quickack(conn: http.client.HTTPConnection) -> None:
        """Acknowledge the answer's first segment at once (Linux). Servers built on wsgiref,
        Django's runserver among them, write the status line and the headers in several small
        sends with Nagle's algorithm on: each later send waits for the ACK of the first, which
        the client would delay by 40 ms, for every request (measured: 50 ms per HEAD on
        loopback without this, 5 ms with it)."""
        if _QUICKACK is not None and conn.sock is not None:
            with contextlib.suppress(OSError):
                conn.sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)

    def _finish(self, resp: http.client.HTTPResponse) -> Response:
        body = resp.read()
        self._remember_cookies(resp)
        headers = {k.lower(): v for k, v in resp.getheaders()}
        if resp.will_close:
            self.close()
        return Response(resp.status, headers, body)

    # --- requests ------------------------------------------------------------------------
    def request(self, method: str, path: str, *, headers: Mapping[str, str] | None = None,
                body: bytes = b"") -> Response:
        unsafe = method not in ("GET", "HEAD", "OPTIONS")
        all_headers = {**self.base_headers(unsafe), **(headers or {})}
        if body or unsafe:
            all_headers["Content-Length"] = str(len(body))
        for attempt in (1, 2):
            conn = self.connection()
            # A kept-alive connection the server closed meanwhile fails before any answer;
            # only then, or for a request that may be repeated, is it worth a second try.
            retry = attempt == 1 and (conn.sock is not None or method != "POST")
            try:
                conn.putrequest(method, self.path(path), skip_host=True,
                                skip_accept_encoding=True)
                for k, v in all_headers.items():
                    conn.putheader(k, v)
                conn.endheaders(body or None)
                self._quickack(conn)
                return self._finish(conn.getresponse())
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if not retry:
                    raise
        raise AssertionError("unreachable")

    def send_stream(self, method: str, path: str, *, headers: Mapping[str, str],
                    length: int, blocks: Callable[[], Iterable[bytes | memoryview]]
                    ) -> Response:
        """Send a body of ``length`` bytes given by ``blocks()`` (an iterator of byte
        blocks). If the server answers before taking the whole body (it refused the chunk),
        its answer is still read when it can be."""
        all_headers = {**self.base_headers(True), **headers, "Content-Length": str(length)}
        conn = self.connection()
        conn.putrequest(method, self.path(path), skip_host=True, skip_accept_encoding=True)
        for k, v in all_headers.items():
            conn.putheader(k, v)
        conn.endheaders()
        try:
            for block in blocks():
                conn.send(block)
        except (BrokenPipeError, ConnectionResetError) as exc:
            # The server may have answered and closed: a refusal is worth reading.
            try:
                resp = self._finish(conn.getresponse())
            except NETWORK_ERRORS:
                self.close()
                raise exc from None
            self.close()
            return resp
        self._quickack(conn)
        try:
            return self._finish(conn.getresponse())
        except NETWORK_ERRORS:
            self.close()
            raise

    # --- login ---------------------------------------------------------------------------
    def login(self, username: str, password: str, *, path: str = "/login/") -> None:
        """Log in through the web form: GET it for the CSRF cookie and the form's token, POST
        the credentials. Success is the redirect away from the login page."""
        page = self.request("GET", self.prefix + path)
        if page.status != 200:
            raise LoginFailed(f"HTTP {page.status} on {path}", status=page.status)
        token = _form_token(page.body.decode("utf-8", "replace"))
        if not token:
            raise LoginFailed(f"no login form at {path}", status=page.status)
        form = urlencode({"csrfmiddlewaretoken": token, "username": username,
                          "password": password, "next": ""}).encode()
        resp = self.request("POST", self.prefix + path, body=form, headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": self.base_url + path})
        location = resp.header("location")
        if resp.status in (301, 302, 303) and not urlsplit(location).path.endswith(path):
            return
        raise LoginFailed(_page_error(resp.body.decode("utf-8", "replace")) or
                          f"HTTP {resp.status}", status=resp.status, code="login_failed")


_TOKEN_RE = re.compile(
    r'<input[^>]*name=["\']csrfmiddlewaretoken["\'][^>]*value=["\']([^"\']+)["\']'
    r'|<input[^>]*value=["\']([^"\']+)["\'][^>]*name=["\']csrfmiddlewaretoken["\']')
_ALERT_RE = re.compile(r'<(div|section|p)[^>]*role=["\']alert["\'][^>]*>(.*?)</\1>', re.S)
_TITLE_RE = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
_TAG_RE = re.compile(r"<[^>]+>")


def _form_token(html: str) -> str:
    m = _TOKEN_RE.search(html)
    return (m.group(1) or m.group(2)) if m else ""


def _text(fragment: str) -> str:
    return " ".join(unescape(_TAG_RE.sub(" ", fragment)).split())


def _page_error(html: str) -> str:
    """The error a page shows: its alert, else its heading (a lockout page)."""
    for pattern in (_ALERT_RE, _TITLE_RE):
        m = pattern.search(html)
        if m:
            text = _text(m.group(m.lastindex or 1))
            if text:
                return text
    return ""


def encode_metadata(metadata: Mapping[str, str]) -> str:
    """``Upload-Metadata``: ``key base64(value)`` pairs separated by commas."""
    parts = []
    for key, value in metadata.items():
        if not key or any(c in key for c in " ,") or not key.isascii():
            raise ValueError(f"bad metadata key {key!r}")
        parts.append(f"{key} {base64.b64encode(str(value).encode('utf-8')).decode('ascii')}")
    return ",".join(parts)


@dataclass
class Progress:
    """What the progress callback is given after each block."""

    offset: int     # bytes the server has (or is receiving, within the current chunk)
    length: int
    sent: int       # bytes sent in this run (retries included)
    elapsed: float  # seconds since the run began


@dataclass
class Result:
    url: str
    length: int
    resumed_from: int
    sent: int
    sha256: str                      # computed here, from the local file
    headers: dict[str, str] = field(default_factory=dict)  # the final answer's headers


class TusClient:
    """Uploads one file over a ``Session``.

    ``chunk_size``: bytes per PATCH. ``relogin``: called when the server answers 401 in the
    middle of an upload (the session expired), before the chunk is tried again.
    ``stop_after``: drop the connection once that many bytes were sent in this run (for tests
    of interruption); ``Interrupted`` is raised then."""

    def __init__(self, session: Session, *, endpoint: str = "/uploads/",
                 chunk_size: int = CHUNK_DEFAULT, retries: int = RETRIES,
                 backoff: float = BACKOFF, progress: Callable[[Progress], None] | None = None,
                 stop_after: int | None = None, relogin: Callable[[], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if chunk_size <= 0:
            raise ValueError("chunk_size must be positive")
        self.session = session
        self.endpoint = session.prefix + endpoint
        self.chunk_size = chunk_size
        self.retries = retries
        self.backoff = backoff
        self.progress = progress
        self.stop_after = stop_after
        self.relogin = relogin
        self.sleep = sleep
        self.sent = 0
        self._started = time.monotonic()
        # one buffer each for sending, hashing here and hashing ahead in the worker
        self._send_buf = bytearray(IO_BLOCK)
        self._buf = bytearray(IO_BLOCK)
        self._buf2 = bytearray(IO_BLOCK)
        self._length = 0

    def _tus_headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return {"Tus-Resumable": TUS_VERSION, **(extra or {})}

    # --- creation, core, termination -----------------------------------------------------
    def create(self, length: int, metadata: Mapping[str, str]) -> str:
        """POST to the endpoint; the upload's URL (a path on the server)."""
        resp = self.session.request("POST", self.endpoint, headers=self._tus_headers({
            "Upload-Length": str(length), "Upload-Metadata": encode_metadata(metadata)}))
        if resp.status != 201:
            raise resp.error()
        location = resp.header("location")
        if not location:
            raise TusError("the server created an upload but sent no Location", status=201)
        return self.session.path(urljoin(self.session.origin + self.endpoint, location))

    def head(self, url: str) -> Response:
        """HEAD the upload: 200 with ``Upload-Offset``; ``UploadGone`` on 404/410."""
        resp = self.session.request("HEAD", url, headers=self._tus_headers(
            {"Cache-Control": "no-store"}))
        if resp.status not in (200, 204):
            raise resp.error()
        if not resp.header("upload-offset").isdigit():
            raise TusError("the server's HEAD answer has no Upload-Offset", status=resp.status)
        return resp

    def terminate(self, url: str) -> None:
        resp = self.session.request("DELETE", url, headers=self._tus_headers())
        if resp.status not in (204, 404, 410):
            raise resp.error()

    # --- the upload ----------------------------------------------------------------------
    def upload(self, fh: BinaryIO, url: str, *, length: int, offset: int) -> Result:
        """Send ``fh`` (opened in binary mode, ``length`` bytes) to ``url`` from ``offset``
        (the server's, from a HEAD or 0 after creation) to the end.

        While a chunk travels and the server hashes it, a worker thread already reads and
        hashes the next one (hashlib releases the GIL), so that the next PATCH can start as
        soon as the answer arrives."""
        self._started = time.monotonic()
        self.sent = 0
        self._length = length
        resumed_from = offset
        file_sha = hashlib.sha256()
        hashed = 0  # bytes of the file fed to file_sha, always a prefix
        sums: dict[tuple[int, int], str] = {}  # (offset, size) → checksum, for retries
        ahead: tuple[int, int, Future[str]] | None = None  # the next chunk, being hashed
        final: Response | None = None
        failures = 0
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zhifa-upload-hash")
        try:
            while final is None:
                if ahead is not None:
                    at, size, future = ahead
                    ahead = None
                    sums[(at, size)] = future.result()
                    hashed = max(hashed, at + size)
                if offset >= length:
                    # complete but the answer carrying the result was lost: HEAD gives it
                    final = self.head(url)
                    break
                if hashed < offset:
                    hashed += self._feed(fh, hashed, offset - hashed, [file_sha], self._buf)
                n = min(self.chunk_size, length - offset)
                checksum = sums.get((offset, n))
                if checksum is None:
                    checksum = self._checksum(fh, offset, n, file_sha, hashed, self._buf)
                    hashed = max(hashed, offset + n)
                    sums[(offset, n)] = checksum
                for key in [k for k in sums if k[0] < offset]:
                    del sums[key]
                following = offset + n
                if following < length and hashed == following:
                    size = min(self.chunk_size, length - following)
                    ahead = (following, size, pool.submit(
                        self._checksum, fh, following, size, file_sha, following, self._buf2))
                try:
                    resp = self.session.send_stream(
                        "PATCH", url, length=n,
                        blocks=functools.partial(self._blocks, fh, offset, n),
                        headers=self._tus_headers({
                            "Content-Type": "application/offset+octet-stream",
                            "Upload-Offset": str(offset),
                            "Upload-Checksum": f"sha256 {checksum}"}))
                except NETWORK_ERRORS as exc:
                    failures = self._failed(failures, str(exc) or type(exc).__name__)
                    offset = self._server_offset(url, length)
                    continue
                if resp.status == 204:
                    new = resp.header("upload-offset")
                    if not new.isdigit() or int(new) != offset + n:
                        raise TusError(f"the server answered offset {new!r} after a chunk "
                                       f"ending at {offset + n}", status=204)
                    offset = int(new)
                    failures = 0
                    if offset >= length:
                        final = resp
                    continue
                if resp.status in RETRY_STATUSES or (resp.status == 401 and self.relogin):
                    failures = self._failed(failures, resp.error().message, resp.status)
                    if resp.status == 460:
                        # hash the chunk again from the disk, in case it is the file that
                        # changed (the final comparison of the file's hash will tell)
                        sums.pop((offset, n), None)
                    if resp.status == 401 and self.relogin:
                        self.relogin()  # the session ended during a long upload
                    offset = self._server_offset(url, length)
                    continue
                raise resp.error()
        finally:
            # never leave the worker reading a file the caller is about to close
            pool.shutdown(wait=True, cancel_futures=True)
        if hashed < length:
            hashed += self._feed(fh, hashed, length - hashed, [file_sha], self._buf)
        headers = dict(final.headers)
        if not headers.get("zhifa-sha256"):
            # the last PATCH's answer lacks the result headers: the HEAD carries them
            headers = dict(self.head(url).headers)
        return Result(url=url, length=length, resumed_from=resumed_from, sent=self.sent,
                      sha256=file_sha.hexdigest(), headers=headers)

    def _checksum(self, fh: BinaryIO, offset: int, n: int, file_sha: Any, hashed: int,
                  buf: bytearray) -> str:
        """The chunk's SHA-256 (base64), feeding the file's hash too when the chunk continues
        it, so that each byte is read for hashing once."""
        if hashed == offset == 0:
            # the first chunk's checksum is the file's hash so far: hash it once
            self._feed(fh, 0, n, [file_sha], buf)
            chunk_sha = file_sha.copy()
        else:
            chunk_sha = hashlib.sha256()
            hashers = [chunk_sha, file_sha] if hashed == offset else [chunk_sha]
            self._feed(fh, offset, n, hashers, buf)
        return base64.b64encode(chunk_sha.digest()).decode("ascii")

    def _failed(self, failures: int, why: str, status: int = 0) -> int:
        failures += 1
        if failures > self.retries:
            raise TusError(f"giving up after {self.retries} retries: {why}", status=status,
                           code="retries_exhausted")
        self.session.close()
        self.sleep(self.backoff * 2 ** (failures - 1))
        return failures

    def _server_offset(self, url: str, length: int) -> int:
        """Where the server stands (after a failure): HEAD, retried like a chunk."""
        failures = 0
        while True:
            try:
                resp = self.head(url)
            except UploadGone:
                raise
            except TusError as exc:
                if exc.status == 401 and self.relogin:
                    failures = self._failed(failures, exc.message, exc.status)
                    self.relogin()
                    continue
                if exc.status and exc.status not in RETRY_STATUSES:
                    raise
                failures = self._failed(failures, exc.message, exc.status)
                continue
            except NETWORK_ERRORS as exc:
                failures = self._failed(failures, str(exc) or type(exc).__name__)
                continue
            server_length = resp.header("upload-length")
            if server_length.isdigit() and int(server_length) != length:
                raise TusError(f"the server holds an upload of {server_length} bytes, "
                               f"not {length}", status=resp.status, code="length_mismatch")
            return int(resp.header("upload-offset"))

    @staticmethod
    def _read(fh: BinaryIO, position: int, n: int, buf: bytearray) -> memoryview:
        view = memoryview(buf)[:min(n, IO_BLOCK)]
        got = os.preadv(fh.fileno(), [view], position)
        if not got:
            raise TusError(f"the file ended at {position} bytes, before the declared length",
                           code="file_changed")
        return view[:got]

    def _feed(self, fh: BinaryIO, position: int, n: int, hashers: list[Any],
              buf: bytearray) -> int:
        """Feed bytes ``[position, position + n)`` of the file to ``hashers``."""
        done = 0
        while done < n:
            block = self._read(fh, position + done, n - done, buf)
            for h in hashers:
                h.update(block)
            done += len(block)
        return done

    def _blocks(self, fh: BinaryIO, position: int, n: int) -> Iterator[bytes | memoryview]:
        done = 0
        while done < n:
            block = self._read(fh, position + done, n - done, self._send_buf)
            if self.stop_after is not None and self.sent + len(block) >= self.stop_after:
                part = self.stop_after - self.sent
                if part > 0:
                    yield bytes(block[:part])
                    self.sent += part
                self.session.abort()
                raise Interrupted(f"stopped after {self.sent} bytes")
            yield block
            done += len(block)
            self.sent += len(block)
            if self.progress is not None:
                self.progress(Progress(offset=position + done, length=self._length, sent=self.sent,
                                       elapsed=time.monotonic() - self._started))
