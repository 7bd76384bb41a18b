"""ffprobe/ffmpeg analysis of audio/video files: duration, streams, the container's creation
time and a poster frame, run in the background task ``evidence.probe`` after the file is
committed (``zhifa evidence probe`` runs it again by hand).

Nothing here reads a whole file into memory: ffprobe and ffmpeg read the stored file from its
local path (``LocalStorage``), from a presigned URL when the storage offers one
(``presigned_url(key)``, S3), or else from a temporary copy written in chunks. The result,
the poster (a JPEG stored content-addressed like any blob) and the ``AV_PROBED`` entry on the
case's stream are written in one transaction. Running it twice is harmless: a record that is
no longer pending is left alone unless ``force`` is given.

If ffprobe is missing or cannot read the file, the record is marked ``failed`` with a code
(``PROBE_ERRORS``) and the reason; an upload is never refused or broken by its analysis.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from zhifa.ledger.services import ledger_append

from .events import AV_PROBED
from .hashing import hash_file
from .models import AvRecord, Blob, BlobState, EvidenceFile, FileState, ProbeState
from .services.av import BEIJING
from .services.store import blob_store
from .storage import storage_named

log = logging.getLogger(__name__)

PROBE_ERRORS = {
    "ffprobe_missing": _("ffprobe is not installed on the server, so audio/video analysis is "
                         "unavailable."),
    "ffprobe_failed": _("ffprobe could not read the file: it may be damaged or in a format "
                        "it does not know."),
    "no_media_streams": _("The file contains no audio or video stream."),
    "no_duration": _("The length of the recording could not be determined."),
    "timeout": _("The analysis took too long and was stopped."),
    "bytes_missing": _("The stored bytes are not available (disposed of or missing)."),
}

POSTER_MAX_WIDTH = 640
# Containers that were never given a date say 1904 (QuickTime epoch) or 1970.
EARLIEST_CREATION = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


class ProbeFailure(Exception):
    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail[-500:]


@dataclass
class Analysis:
    duration_ms: int
    summary: dict[str, Any]
    creation_time: dt.datetime | None = None
    poster_path: Path | None = None
    problems: list[str] = field(default_factory=list)


def _tool(name: str) -> str | None:
    """The executable of ffprobe/ffmpeg: ``settings.ZHIFA_FFPROBE`` / ``ZHIFA_FFMPEG`` (a
    name on the PATH or a full path), default the plain name."""
    configured = getattr(settings, f"ZHIFA_{name.upper()}", name)
    return shutil.which(configured)


def _timeout() -> int:
    return int(getattr(settings, "ZHIFA_PROBE_TIMEOUT_SECONDS", 600))


def _workdir() -> Path:
    # next to the partial uploads: a disk that holds large files (/tmp may be a small tmpfs)
    base = Path(settings.ZHIFA_UPLOAD_DIR)
    base.mkdir(parents=True, exist_ok=True)
    return base


@contextmanager
def media_source(blob: Blob, workdir: Path) -> Iterator[str]:
    """What ffprobe/ffmpeg read: a local path, a presigned URL, or a temporary copy."""
    storage = storage_named(blob.storage)
    if blob.state != BlobState.PRESENT or not storage.exists(blob.key):
        raise ProbeFailure("bytes_missing")
    local = getattr(storage, "path", None)
    if callable(local):
        yield str(local(blob.key))
        return
    presign = getattr(storage, "presigned_url", None)
    if callable(presign):
        yield str(presign(blob.key))
        return
    copy = workdir / "media"
    with open(copy, "wb") as fh:
        for chunk in storage.iter_range(blob.key):
            fh.write(chunk)
    yield str(copy)


def _run(args: list[str]) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(args, capture_output=True, timeout=_timeout(), check=False,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise ProbeFailure("timeout", f"{Path(args[0]).name} ran longer than "
                                      f"{_timeout()} s") from None


def _seconds_ms(value: Any) -> int | None:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    if seconds != seconds or seconds <= 0:  # NaN or nothing
        return None
    return round(seconds * 1000)


def _creation_time(tags: dict[str, Any]) -> dt.datetime | None:
    raw = tags.get("creation_time")
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(str(raw).strip())
    except ValueError:
        return None
    if value.tzinfo is None:  # QuickTime stores UTC
        value = value.replace(tzinfo=dt.UTC)
    return value if value >= EARLIEST_CREATION else None


def _rate(text: Any) -> float | None:
    try:
        num, _slash, den = str(text).partition("/")
        value = float(num) / float(den or 1)
    except (ValueError, ZeroDivisionError):
        return None
    return round(value, 3) if value > 0 else None


def summarise(data: dict[str, Any]) -> tuple[int, dict[str, Any], dt.datetime | None, bool]:
    """Duration (ms), the summary kept on the record, the creation time, and whether there
    is a picture stream to take a poster from. Raises ``ProbeFailure``."""
    fmt = data.get("format") or {}
    streams: list[dict[str, Any]] = []
    has_picture = False
    creation = _creation_time(fmt.get("tags") or {})
    for s in data.get("streams") or []:
        kind = s.get("codec_type")
        if kind not in ("video", "audio"):
            continue
        if kind == "video" and (s.get("disposition") or {}).get("attached_pic"):
            continue  # an audio file's cover art
        row: dict[str, Any] = {"type": kind, "codec": s.get("codec_name") or "",
                               "duration_ms": _seconds_ms(s.get("duration"))}
        if kind == "video":
            has_picture = True
            row.update(width=s.get("width"), height=s.get("height"),
                       frame_rate=_rate(s.get("avg_frame_rate") or s.get("r_frame_rate")))
        else:
            row.update(sample_rate=int(s.get("sample_rate") or 0) or None,
                       channels=s.get("channels"))
        streams.append(row)
        creation = creation or _creation_time(s.get("tags") or {})
    if not streams:
        raise ProbeFailure("no_media_streams")
    duration = _seconds_ms(fmt.get("duration")) or max(
        (s["duration_ms"] or 0 for s in streams), default=0)
    if not duration:
        raise ProbeFailure("no_duration")
    summary = {
        "format": fmt.get("format_name") or "", "duration_ms": duration,
        "bit_rate": int(fmt.get("bit_rate") or 0) or None, "streams": streams,
        "creation_time": creation.isoformat() if creation else None,
    }
    return duration, summary, creation, has_picture


def _poster(ffmpeg: str, source: str, duration_ms: int, out: Path) -> str:
    """Write a JPEG frame a third of the way into the first second or so; returns "" or
    the reason there is none."""
    at = min(1.0, duration_ms / 3000)
    error = ""
    for seek in (at, 0.0):
        out.unlink(missing_ok=True)
        done = _run([ffmpeg, "-v", "error", "-nostdin", "-y", "-ss", f"{seek:.3f}", "-i", source,
                     "-frames:v", "1", "-vf", f"scale=w='min({POSTER_MAX_WIDTH},iw)':h=-2",
                     "-q:v", "4", "-f", "image2", "-c:v", "mjpeg", str(out)])
        if done.returncode == 0 and out.is_file() and out.stat().st_size > 2:
            with open(out, "rb") as fh:
                if fh.read(2) == b"\xff\xd8":
                    return ""
        error = done.stderr.decode("utf-8", "replace").strip()[-300:] or "no frame"
    out.unlink(missing_ok=True)
    return error


def analyse(blob: Blob, workdir: Path) -> Analysis:
    """Run ffprobe (and ffmpeg for the poster) on the blob's bytes. Raises ``ProbeFailure``."""
    ffprobe = _tool("ffprobe")
    if ffprobe is None:
        raise ProbeFailure("ffprobe_missing")
    with media_source(blob, workdir) as source:
        done = _run([ffprobe, "-v", "error", "-print_format", "json", "-show_format",
                     "-show_streams", source])
        stderr = done.stderr.decode("utf-8", "replace").strip()
        try:
            data = json.loads(done.stdout or b"{}")
        except ValueError:
            data = {}
        if done.returncode != 0 or not isinstance(data, dict) or not data.get("format"):
            raise ProbeFailure("ffprobe_failed", stderr or f"exit status {done.returncode}")
        duration, summary, creation, has_picture = summarise(data)
        result = Analysis(duration_ms=duration, summary=summary, creation_time=creation)
        if has_picture:
            ffmpeg = _tool("ffmpeg")
            out = workdir / "poster.jpg"
            problem = ("ffmpeg is not installed" if ffmpeg is None
                       else _poster(ffmpeg, source, duration, out))
            if problem:
                result.problems.append(problem)
            else:
                result.poster_path = out
    return result


def duration_label(ms: int | None) -> str:
    """1:02:03.456 — the same in every language."""
    if not ms:
        return "—"
    seconds, milli = divmod(int(ms), 1000)
    minutes, sec = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours}:{minute:02d}:{sec:02d}.{milli:03d}"


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(BEIJING).isoformat() if value is not None else None


def _stream_text(s: dict[str, Any]) -> str:
    if s["type"] == "video":
        return f"video {s['codec']} {s.get('width')}x{s.get('height')}"
    return f"audio {s['codec']} {s.get('sample_rate') or '?'} Hz"


@transaction.atomic
def _record(record_pk: int, outcome: Analysis | ProbeFailure, *, force: bool) -> AvRecord:
    record = AvRecord.objects.select_for_update().get(pk=record_pk)
    if not force and record.probe_state != ProbeState.PENDING:
        return record  # another run finished first
    f = EvidenceFile.objects.select_related("case", "case__body").get(pk=record.file_id)
    case = f.case
    kept = {k: record.probe[k] for k in ("metadata_problems", "times_from")
            if record.probe.get(k)}
    payload: dict[str, Any] = {"case": case.number, "file": str(f.public_id),
                               "filename": f.filename}
    if isinstance(outcome, ProbeFailure):
        record.probe_state = ProbeState.FAILED
        record.probe = {**kept, "error": outcome.code, "detail": outcome.detail}
        payload.update(ok=False, error=outcome.code, duration_ms=record.duration_ms,
                       duration_label=duration_label(record.duration_ms))
    else:
        record.probe_state = ProbeState.DONE
        record.duration_ms = outcome.duration_ms
        record.probe = {**kept, **outcome.summary}
        if outcome.problems:
            record.probe["poster_error"] = "; ".join(outcome.problems)
        if outcome.poster_path is not None:
            digests = hash_file(outcome.poster_path)[0].digests()
            record.poster, _created = blob_store(path=outcome.poster_path, digests=digests,
                                                 mime="image/jpeg", move=True)
        if record.started_at is None and outcome.creation_time is not None:
            # the camera's own clock: shown as such until an officer confirms or corrects it
            record.started_at = outcome.creation_time
            record.probe["times_from"] = "container"
        if record.ended_at is None and record.started_at is not None:
            record.ended_at = record.started_at + dt.timedelta(milliseconds=record.duration_ms)
        payload.update(
            ok=True, duration_ms=record.duration_ms,
            duration_label=duration_label(record.duration_ms),
            streams=[_stream_text(s) for s in outcome.summary["streams"]])
    poster = record.poster
    payload.update(
        poster_sha256=poster.sha256 if poster else None,
        poster_sm3=poster.sm3 if poster else None, poster_size=poster.size if poster else None,
        started_at=_iso(record.started_at), ended_at=_iso(record.ended_at),
        times_from=record.probe.get("times_from"))
    record.save()
    ledger_append(actor=None, event=AV_PROBED, stream=case.stream, body=case.body,
                  payload=payload)
    return record


def probe_file(file_id: int, *, force: bool = False) -> AvRecord | None:
    """Analyse the audio/video file ``file_id`` (an ``EvidenceFile`` pk) if its record is
    still pending (always with ``force``). Returns the record, or None for a file without
    one (not audio/video)."""
    record = (AvRecord.objects.select_related("file", "file__blob")
              .filter(file_id=file_id).first())
    if record is None:
        return None
    if not force and record.probe_state != ProbeState.PENDING:
        return record
    f = record.file
    with tempfile.TemporaryDirectory(prefix="zhifa-probe-", dir=_workdir()) as tmp:
        outcome: Analysis | ProbeFailure
        try:
            if f.state == FileState.DISPOSED:
                raise ProbeFailure("bytes_missing")
            outcome = analyse(f.blob, Path(tmp))
        except ProbeFailure as failure:
            log.warning("audio/video analysis of file %s failed: %s %s", f.public_id,
                        failure.code, failure.detail)
            outcome = failure
        return _record(record.pk, outcome, force=force)
