"""The background analysis of audio/video files (ffprobe/ffmpeg): duration, streams, poster,
the AV_PROBED ledger entry, failures that never break an upload, idempotence."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from zhifa.evidence import probe
from zhifa.evidence.models import AvRecord, Blob, EvidenceFile, ProbeState
from zhifa.evidence.storage import get_storage
from zhifa.ledger.models import LedgerEntry

from .factories import a_case, item, make_video, stored

AV_PROBED = 5017
BEIJING = dt.timezone(dt.timedelta(hours=8))


def entries(case: Any, code: int = AV_PROBED) -> list[dict[str, Any]]:
    return [json.loads(e.payload) for e in
            LedgerEntry.objects.filter(stream=case.stream, event_code=code).order_by("seq")]


def upload(a: Any, path: Path, capture: Any, filename: str | None = None,
           metadata: dict[str, Any] | None = None) -> EvidenceFile:
    """Store ``path`` as a finished upload; the inline task runs once the transaction
    commits."""
    case = a_case(a)
    it = item(a, case)
    with capture(execute=True) as callbacks:
        f = stored(a, it, path.read_bytes(), filename or path.name, metadata=metadata)
    assert len(callbacks) == 1  # the probe, queued for after the commit
    f.refresh_from_db()
    return f


def video_with_creation_time(tmp_path: Path, when: str) -> Path:
    src = make_video(tmp_path / "plain.mp4")
    out = tmp_path / "dated.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(src), "-c", "copy",
                    "-metadata", f"creation_time={when}", str(out)], check=True)
    return out


def test_video_is_analysed_after_commit_with_duration_poster_and_ledger_entry(
        a, tmp_path, django_capture_on_commit_callbacks) -> None:
    f = upload(a, make_video(tmp_path / "v.mp4", seconds=2), django_capture_on_commit_callbacks)
    record = AvRecord.objects.select_related("poster").get(file=f)
    assert record.probe_state == ProbeState.DONE
    assert abs(record.duration_ms - 2000) <= 100
    assert [s["type"] for s in record.probe["streams"]] == ["video", "audio"]
    video = record.probe["streams"][0]
    assert (video["codec"], video["width"], video["height"]) == ("h264", 160, 120)
    poster = record.poster
    assert poster is not None and poster.mime == "image/jpeg"
    head = b"".join(get_storage().iter_range(poster.key, 0, 1))
    assert head == b"\xff\xd8" and get_storage().size(poster.key) == poster.size
    # no times were given and the container has no date: the interval stays unknown
    assert record.started_at is None and record.ended_at is None
    [entry] = entries(f.case)
    assert entry["ok"] is True and entry["file"] == str(f.public_id)
    assert entry["duration_ms"] == record.duration_ms
    assert entry["poster_sha256"] == poster.sha256 and entry["poster_sm3"] == poster.sm3
    assert entry["streams"] == ["video h264 160x120", "audio aac 44100 Hz"]


def test_given_start_gets_its_end_from_the_duration(a, tmp_path,
                                                    django_capture_on_commit_callbacks) -> None:
    f = upload(a, make_video(tmp_path / "v.mp4", seconds=3), django_capture_on_commit_callbacks,
               metadata={"started_at": "2026-09-01T09:30:00"})
    record = f.av
    assert record.started_at == dt.datetime(2026, 9, 1, 9, 30, tzinfo=BEIJING)
    assert record.ended_at == record.started_at + dt.timedelta(milliseconds=record.duration_ms)
    [entry] = entries(f.case)
    assert entry["started_at"] == "2026-09-01T09:30:00+08:00"
    assert entry["ended_at"] == record.ended_at.astimezone(BEIJING).isoformat()
    assert entry["times_from"] is None


def test_container_creation_time_fills_a_missing_start(a, tmp_path,
                                                      django_capture_on_commit_callbacks) -> None:
    path = video_with_creation_time(tmp_path, "2026-09-01T01:30:00Z")
    f = upload(a, path, django_capture_on_commit_callbacks)
    record = f.av
    assert record.started_at == dt.datetime(2026, 9, 1, 9, 30, tzinfo=BEIJING)
    assert record.probe["times_from"] == "container"
    assert record.ended_at - record.started_at == dt.timedelta(milliseconds=record.duration_ms)
    assert entries(f.case)[0]["times_from"] == "container"


def test_audio_only_file_has_duration_and_no_poster(a, tmp_path,
                                                   django_capture_on_commit_callbacks) -> None:
    path = tmp_path / "talk.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=duration=3",
                    "-ac", "1", str(path)], check=True)
    f = upload(a, path, django_capture_on_commit_callbacks)
    assert f.mime == "audio/x-wav"
    record = f.av
    assert record.probe_state == ProbeState.DONE
    assert abs(record.duration_ms - 3000) <= 100
    assert [s["type"] for s in record.probe["streams"]] == ["audio"]
    assert record.poster is None and "poster_error" not in record.probe
    [entry] = entries(f.case)
    assert entry["ok"] is True and entry["poster_sha256"] is None


def test_broken_media_is_marked_failed_and_the_file_stays(
        a, tmp_path, django_capture_on_commit_callbacks) -> None:
    path = tmp_path / "broken.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + os.urandom(20_000))
    f = upload(a, path, django_capture_on_commit_callbacks)
    assert f.mime == "video/mp4"
    record = f.av
    assert record.probe_state == ProbeState.FAILED
    assert record.probe["error"] == "ffprobe_failed" and record.probe["detail"]
    assert record.duration_ms is None and record.poster is None
    [entry] = entries(f.case)
    assert (entry["ok"], entry["error"], entry["duration_label"]) == (False, "ffprobe_failed", "—")
    assert EvidenceFile.objects.filter(pk=f.pk, state="active").exists()


def test_missing_ffprobe_marks_failed_with_a_clear_reason(
        a, tmp_path, settings, django_capture_on_commit_callbacks) -> None:
    settings.ZHIFA_FFPROBE = str(tmp_path / "no-such-ffprobe")
    f = upload(a, make_video(tmp_path / "v.mp4"), django_capture_on_commit_callbacks)
    record = f.av
    assert record.probe_state == ProbeState.FAILED
    assert record.probe["error"] == "ffprobe_missing"
    assert "ffprobe" in str(probe.PROBE_ERRORS["ffprobe_missing"])
    assert EvidenceFile.objects.filter(pk=f.pk).exists()


def test_missing_ffmpeg_still_gives_duration_without_poster(
        a, tmp_path, settings, django_capture_on_commit_callbacks) -> None:
    settings.ZHIFA_FFMPEG = str(tmp_path / "no-such-ffmpeg")
    f = upload(a, make_video(tmp_path / "v.mp4"), django_capture_on_commit_callbacks)
    record = f.av
    assert record.probe_state == ProbeState.DONE and record.poster is None
    assert record.probe["poster_error"] == "ffmpeg is not installed"


def test_probe_is_idempotent_and_force_runs_again(a, tmp_path,
                                                 django_capture_on_commit_callbacks) -> None:
    f = upload(a, make_video(tmp_path / "v.mp4"), django_capture_on_commit_callbacks)
    first = f.av
    before = (LedgerEntry.objects.count(), Blob.objects.count())
    again = probe.probe_file(f.pk)
    assert again is not None and again.updated_at == first.updated_at
    assert (LedgerEntry.objects.count(), Blob.objects.count()) == before
    forced = probe.probe_file(f.pk, force=True)
    assert forced is not None and forced.probe_state == ProbeState.DONE
    assert forced.poster_id == first.poster_id  # the same frame, stored once
    assert Blob.objects.count() == before[1]
    assert len(entries(f.case)) == 2


def test_file_without_record_is_ignored(a) -> None:
    from .factories import PNG_1PX

    f = stored(a, item(a, a_case(a), kind="physical"), PNG_1PX)
    before = LedgerEntry.objects.count()
    assert probe.probe_file(f.pk) is None
    assert LedgerEntry.objects.count() == before


def test_disposed_bytes_are_reported_missing(a, tmp_path) -> None:
    f = stored(a, item(a, a_case(a)), make_video(tmp_path / "v.mp4").read_bytes(), "v.mp4")
    EvidenceFile.objects.filter(pk=f.pk).update(state="disposed")
    record = probe.probe_file(f.pk)
    assert record is not None and record.probe_state == ProbeState.FAILED
    assert record.probe["error"] == "bytes_missing"


class _Remote:
    """A storage without local paths (like S3), over the local one."""

    name = "local"

    def __init__(self, inner: Any, presign: bool) -> None:
        self.inner = inner
        self.presigned: list[str] = []
        if presign:
            self.presigned_url = self._presign

    def _presign(self, key: str) -> str:
        self.presigned.append(key)
        return str(self.inner.path(key))  # ffprobe reads URLs and paths alike

    def exists(self, key: str) -> bool:
        return self.inner.exists(key)

    def iter_range(self, key: str, start: int = 0, end: int | None = None,
                   chunk: int = 1024 * 1024) -> Any:
        return self.inner.iter_range(key, start, end, chunk=chunk)


@pytest.mark.parametrize("presign", [True, False])
def test_storage_without_paths_is_read_by_url_or_a_chunked_copy(a, tmp_path, monkeypatch,
                                                                presign) -> None:
    f = stored(a, item(a, a_case(a)), make_video(tmp_path / "v.mp4").read_bytes(), "v.mp4")
    remote = _Remote(get_storage(), presign)
    reads: list[tuple[int, int | None]] = []
    real_iter = remote.iter_range

    def counting(key: str, start: int = 0, end: int | None = None, chunk: int = 1 << 20) -> Any:
        reads.append((start, end))
        return real_iter(key, start, end, chunk=chunk)

    remote.iter_range = counting  # type: ignore[method-assign]
    monkeypatch.setattr(probe, "storage_named", lambda name: remote)
    record = probe.probe_file(f.pk)
    assert record is not None and record.probe_state == ProbeState.DONE
    assert abs(record.duration_ms - 2000) <= 100 and record.poster is not None
    if presign:
        assert remote.presigned == [f.blob.key] and reads == []
    else:
        assert reads == [(0, None)]
    # the temporary copy is gone
    assert not any(p.name.startswith("zhifa-probe-") for p in tmp_path.joinpath(
        "uploads").iterdir())


def test_duration_label() -> None:
    assert probe.duration_label(3_723_456) == "1:02:03.456"
    assert probe.duration_label(None) == "—"


# --- zhifa evidence probe ---------------------------------------------------------------------
def run_cli(*args: str) -> tuple[int, str]:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = StringIO()
    try:
        call_command("evidence", "probe", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def test_cli_runs_pending_then_failed_then_one_file(a, tmp_path, settings) -> None:
    good = stored(a, item(a, a_case(a)), make_video(tmp_path / "v.mp4").read_bytes(), "v.mp4")
    settings.ZHIFA_FFPROBE = str(tmp_path / "missing")
    code, out = run_cli()  # --pending is the default
    assert code == 1 and "failed (ffprobe_missing)" in out and "1 file(s) analysed" in out
    assert AvRecord.objects.get(file=good).probe_state == ProbeState.FAILED
    assert run_cli("--pending")[1].startswith("0 file(s)")
    settings.ZHIFA_FFPROBE = "ffprobe"
    code, out = run_cli("--failed")
    assert code == 0 and f"{good.public_id}  v.mp4: done 0:00:02" in out
    assert AvRecord.objects.get(file=good).probe_state == ProbeState.DONE
    code, out = run_cli("--file", str(good.public_id))
    assert code == 0 and "done" in out
    assert len(entries(good.case)) == 3


def test_cli_refuses_unknown_files(a) -> None:
    assert run_cli("--file", "nonsense")[0] == 2
    assert run_cli("--file", "00000000-0000-0000-0000-000000000000")[0] == 2
