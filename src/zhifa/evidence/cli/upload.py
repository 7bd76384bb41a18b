"""Upload a file as evidence of a case through the tus endpoint; resumes after interruption.

``zhifa evidence upload FILE --case CASE [--item ID | --kind KIND [--title T]] [--server URL]
[--user NAME] [--chunk-size BYTES] [--json]``. The password comes from ``ZHIFA_PASSWORD`` or a
prompt; the server from ``--server``, ``ZHIFA_SERVER`` or ``http://127.0.0.1:8000``.

The client logs in through the web login form, creates a tus upload whose metadata names the
case and the item, and sends the file in chunks (each with its SHA-256 for the server to
check). The upload's URL is remembered in a state file under ``$XDG_CACHE_HOME/zhifa/uploads/``
(default ``~/.cache/zhifa/uploads/``), keyed by the file's absolute path, size and modification
time (and the server, account and target), so that running the same command again after an
interruption asks the server how far it got and sends only the rest. The state file goes once
the upload is complete. The SHA-256 the server stored is compared with the one computed here.

Exit status: 0 uploaded, 1 refused (by the server, at login, or a hash mismatch) or
interrupted, 2 wrong usage.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import json
import mimetypes
import os
import re
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from django.utils.translation import gettext as _

from zhifa.evidence.models import EvidenceKind
from zhifa.evidence.tusclient import (
    CHUNK_DEFAULT,
    NETWORK_ERRORS,
    Interrupted,
    LoginFailed,
    Progress,
    Result,
    Session,
    TusClient,
    TusError,
    UploadGone,
)

DEFAULT_SERVER = "http://127.0.0.1:8000"
# Answers after which the server no longer takes this upload (it refused it): the remembered
# URL is forgotten. Others (401, 403, retries used up …) keep it, and a rerun asks the server.
REFUSED_FOR_GOOD = {400, 413, 415}
STATE_VERSION = 1

# option (dest) -> Upload-Metadata key, besides case / filename / item / kind / title
EXTRA_METADATA = {
    "description": "description", "source": "source", "place": "place",
    "collected_at": "collected_at", "step": "step", "device": "device", "officer": "officer",
    "started_at": "started_at", "ended_at": "ended_at", "latitude": "latitude",
    "longitude": "longitude",
}

_SIZE_RE = re.compile(r"^\s*(\d+)\s*([kmgt]?)(i?b)?\s*$", re.I)


def parse_size(text: str) -> int:
    """``8388608``, ``512K``, ``8M``, ``64MiB``, ``1G`` → bytes (binary multiples)."""
    m = _SIZE_RE.match(str(text))
    if not m:
        raise argparse.ArgumentTypeError(_("not a size in bytes: %(value)s") % {"value": text})
    value = int(m.group(1)) * 1024 ** " kmgt".index((m.group(2) or " ").lower())
    if value <= 0:
        raise argparse.ArgumentTypeError(_("the size must be positive"))
    return value


def add_arguments(parser: Any) -> None:
    parser.add_argument("file", metavar="FILE", help=_("the file to upload"))
    parser.add_argument("--case", required=True,
                        help=_("the case: its number or public id"))
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--item", help=_("add the file to this evidence item (public id)"))
    target.add_argument("--kind", choices=EvidenceKind.values,
                        help=_("create a new evidence item of this kind"))
    parser.add_argument("--title", help=_("name of the new item (default: the file name)"))
    helps = {
        "description": _("description of the new item"),
        "source": _("where or from whom the evidence was obtained"),
        "place": _("place of collection"),
        "collected_at": _("time of collection, ISO 8601 (without offset: Beijing time)"),
        "step": argparse.SUPPRESS,  # a case step's internal id: for scripts, not people
        "device": _("recording device: public id or serial number"),
        "officer": _("recording officer: public id of the person"),
        "started_at": _("recording start, ISO 8601 (without offset: Beijing time)"),
        "ended_at": _("recording end, ISO 8601 (without offset: Beijing time)"),
        "latitude": _("latitude in decimal degrees"),
        "longitude": _("longitude in decimal degrees"),
    }
    for dest in EXTRA_METADATA:
        parser.add_argument("--" + dest.replace("_", "-"), dest=dest, help=helps[dest])
    parser.add_argument("--server", default=os.environ.get("ZHIFA_SERVER") or DEFAULT_SERVER,
                        help=_("the server's URL (default: $ZHIFA_SERVER or %(default)s)")
                        % {"default": DEFAULT_SERVER})
    parser.add_argument("--user", default=os.environ.get("ZHIFA_USER"),
                        help=_("the account to log in with (default: $ZHIFA_USER)"))
    parser.add_argument("--chunk-size", type=parse_size, default=CHUNK_DEFAULT,
                        help=_("bytes per request, e.g. 8M or 64MiB (default 8M)"))
    parser.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    parser.add_argument("--no-resume", action="store_true",
                        help=_("start afresh even if an earlier upload of this file is known"))
    # Tests: drop the connection once this many bytes were sent, as a lost network would.
    parser.add_argument("--stop-after", type=int, default=None, help=argparse.SUPPRESS)


class _Fail(Exception):
    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def handle(opts: dict[str, Any], stdout: Any) -> None:
    stderr: TextIO = opts.get("stderr") or sys.stderr
    try:
        _run(opts, stdout, stderr)
    except KeyboardInterrupt:
        stderr.write("\n" + _("Interrupted. Run the same command again to resume.") + "\n")
        raise SystemExit(1) from None
    except _Fail as exc:
        stderr.write(exc.message.rstrip("\n") + "\n")
        stderr.flush()
        raise SystemExit(exc.status) from None


# --- the run -----------------------------------------------------------------------------------
def _run(opts: dict[str, Any], stdout: Any, stderr: TextIO) -> None:
    path = Path(opts["file"]).expanduser().resolve()
    if not path.is_file():
        raise _Fail(_("No such file: %(path)s") % {"path": opts["file"]}, 2)
    stat = path.stat()
    if stat.st_size == 0:
        raise _Fail(_("%(path)s is empty: there is nothing to upload.") % {"path": path}, 2)
    if not opts.get("item") and not opts.get("kind"):
        raise _Fail(_("Say where the file goes: --item ID (an existing evidence item) or "
                      "--kind KIND (a new item)."), 2)
    if opts.get("item") and opts.get("title"):
        raise _Fail(_("--title names a new item: use it with --kind, not with --item."), 2)
    username = opts.get("user") or ""
    if not username:
        if not sys.stdin.isatty():
            raise _Fail(_("Give the account with --user NAME or $ZHIFA_USER."), 2)
        username = input(_("Username: ")).strip()
    password = os.environ.get("ZHIFA_PASSWORD")
    if password is None:
        password = getpass.getpass(_("Password for %(user)s: ") % {"user": username})

    metadata = _metadata(opts, path)
    server = opts["server"].rstrip("/")
    try:
        session = Session(server)
    except ValueError:
        raise _Fail(_("Not a server URL: %(url)s") % {"url": server}, 2) from None
    state = StateFile(path, stat, server=server, user=username, metadata=metadata)
    progress = ProgressLine(stderr, path.name)
    client = TusClient(session, chunk_size=opts["chunk_size"], progress=progress,
                       stop_after=opts.get("stop_after"),
                       relogin=lambda: session.login(username, password))
    try:
        try:
            session.login(username, password)
        except LoginFailed as exc:
            raise _Fail(_("Login to %(server)s as %(user)s failed: %(reason)s")
                        % {"server": server, "user": username, "reason": exc.message}) from None
        url, offset = _resume_or_create(client, state, stat.st_size, metadata, stderr,
                                        fresh=bool(opts.get("no_resume")))
        try:
            with open(path, "rb") as fh:
                result = client.upload(fh, url, length=stat.st_size, offset=offset)
        except Interrupted:
            progress.done()
            raise _Fail(_("Interrupted after %(sent)s bytes. Run the same command again to "
                          "resume.") % {"sent": client.sent}) from None
        except UploadGone as exc:
            progress.done()
            state.remove()
            raise _Fail(_("The server refused the upload: %(message)s")
                        % {"message": exc.message}) from None
        except TusError as exc:
            progress.done()
            if exc.status in REFUSED_FOR_GOOD and exc.code != "retries_exhausted":
                state.remove()  # a rerun must start afresh (and will be refused again)
                raise _Fail(_("The server refused the upload: %(message)s")
                            % {"message": exc.message}) from None
            raise _Fail(_("The upload stopped: %(message)s. Run the same command again to "
                          "resume.") % {"message": exc.message}) from None
        except NETWORK_ERRORS as exc:
            progress.done()
            raise _Fail(_("The connection to %(server)s failed: %(error)s. Run the same "
                          "command again to resume.")
                        % {"server": server, "error": exc}) from None
    except NETWORK_ERRORS as exc:
        raise _Fail(_("Cannot reach %(server)s: %(error)s") % {"server": server, "error": exc}
                    ) from None
    except TusError as exc:
        raise _Fail(_("The server refused the upload: %(message)s")
                    % {"message": exc.message}) from None
    finally:
        session.close()
    progress.done()
    state.remove()
    _report(result, path, stdout, as_json=bool(opts.get("json")))


def _metadata(opts: dict[str, Any], path: Path) -> dict[str, str]:
    metadata = {"case": str(opts["case"]), "filename": path.name}
    guessed = mimetypes.guess_type(path.name)[0]
    if guessed:
        metadata["filetype"] = guessed  # the server judges by content; this is a hint
    if opts.get("item"):
        metadata["item"] = str(opts["item"])
    else:
        metadata["kind"] = str(opts["kind"])
        metadata["title"] = str(opts.get("title") or path.name)
    for dest, key in EXTRA_METADATA.items():
        if opts.get(dest) not in (None, ""):
            metadata[key] = str(opts[dest])
    return metadata


def _resume_or_create(client: TusClient, state: StateFile, length: int,
                      metadata: dict[str, str], stderr: TextIO, *, fresh: bool) -> tuple[str, int]:
    """The upload URL and the offset to continue from: the remembered upload if the server
    still has it, else a new one."""
    remembered = None if fresh else state.load()
    if remembered:
        try:
            head = client.head(remembered)
        except TusError as exc:
            # 404/410 (expired, terminated, refused) or no longer ours (403): start afresh
            if exc.status not in (403, 404, 410):
                raise
            stderr.write(_("The earlier upload of this file is gone from the server "
                           "(%(reason)s); starting afresh.\n") % {"reason": exc.message})
        else:
            server_length = head.header("upload-length")
            if server_length == str(length):
                offset = int(head.header("upload-offset"))
                stderr.write(_("Resuming the earlier upload at byte %(offset)s of %(length)s."
                               "\n") % {"offset": offset, "length": length})
                return remembered, offset
            stderr.write(_("The earlier upload has another length; starting afresh.\n"))
        state.remove()
    url = client.create(length, metadata)
    state.save(url)
    return url, 0


def _report(result: Result, path: Path, stdout: Any, *, as_json: bool) -> None:
    server_sha = result.headers.get("zhifa-sha256", "").lower()
    if not server_sha:
        raise _Fail(_("The server finished the upload but did not say which hashes it stored "
                      "(no Zhifa-Sha256 header); check the case's evidence page."))
    if server_sha != result.sha256:
        raise _Fail(_("HASH MISMATCH: the server stored SHA-256 %(server)s but %(path)s has "
                      "SHA-256 %(local)s. The stored file is not this file; do not rely on "
                      "it.") % {"server": server_sha, "path": path, "local": result.sha256})
    out = {"file": result.headers.get("zhifa-file", ""), "sha256": server_sha,
           "sm3": result.headers.get("zhifa-sm3", ""), "size": result.length,
           "resumed_from": result.resumed_from, "sent": result.sent}
    if as_json:
        stdout.write(json.dumps(out) + "\n")
        return
    stdout.write(_("Uploaded %(name)s (%(size)s bytes): evidence file %(file)s.")
                 % {"name": path.name, "size": out["size"], "file": out["file"]} + "\n")
    stdout.write(f"SHA-256 {out['sha256']}\nSM3     {out['sm3']}\n")
    if result.resumed_from:
        stdout.write(_("Resumed from byte %(offset)s; %(sent)s bytes sent in this run.")
                     % {"offset": result.resumed_from, "sent": result.sent} + "\n")


# --- the remembered upload -----------------------------------------------------------------
def state_dir() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "zhifa" / "uploads"


class StateFile:
    """Where a file's unfinished upload is, keyed by the file's absolute path, size and
    modification time, and by the server, account and metadata: the same file sent to
    another case is another upload."""

    def __init__(self, path: Path, stat: os.stat_result, *, server: str, user: str,
                 metadata: dict[str, str]) -> None:
        self.fields = {"path": str(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
                       "server": server, "user": user, "metadata": metadata}
        key = hashlib.sha256(json.dumps(self.fields, sort_keys=True).encode()).hexdigest()
        self.path = state_dir() / f"{key}.json"

    def load(self) -> str | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            return None
        if any(data.get(k) != v for k, v in self.fields.items()):
            return None
        url = data.get("url")
        return url if isinstance(url, str) and url else None

    def save(self, url: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        data = {"version": STATE_VERSION, "url": url, **self.fields,
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
        os.replace(tmp, self.path)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


# --- progress on stderr --------------------------------------------------------------------
class ProgressLine:
    """Percent, MiB and MB/s on stderr: one line redrawn on a terminal, else a line every
    tenth of the file."""

    def __init__(self, stream: TextIO, name: str, interval: float = 0.5) -> None:
        self.stream = stream
        self.name = name
        self.interval = interval
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self._last = 0.0
        self._tenth = -1
        self._drawn = False

    def __call__(self, p: Progress) -> None:
        if p.length <= 0:
            return
        now = time.monotonic()
        tenth = p.offset * 10 // p.length
        if self.tty:
            if now - self._last < self.interval and p.offset < p.length:
                return
        elif tenth == self._tenth:
            return
        self._last, self._tenth = now, tenth
        rate = p.sent / p.elapsed / 1e6 if p.elapsed > 0 else 0.0
        line = (f"{self.name}: {p.offset / p.length:6.1%}  {p.offset / 2**20:,.1f}/"
                f"{p.length / 2**20:,.1f} MiB  {rate:,.1f} MB/s")
        if self.tty:
            self.stream.write("\r" + line + "\x1b[K")
            self._drawn = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def done(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
