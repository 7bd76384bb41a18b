"""The upload client's parts that need no server: sizes, metadata, the state file's key, the
login page's error, the progress line."""

from __future__ import annotations

import argparse
import io
import os
from pathlib import Path

import pytest

from zhifa.evidence.cli.upload import ProgressLine, StateFile, parse_size
from zhifa.evidence.tus import metadata_decode
from zhifa.evidence.tusclient import Progress, Response, UploadGone, _page_error, encode_metadata


@pytest.mark.parametrize(("text", "expected"), [
    ("1", 1), ("8388608", 8 * 2**20), ("512K", 512 * 1024), ("8M", 8 * 2**20),
    ("64MiB", 64 * 2**20), ("64mb", 64 * 2**20), ("1G", 2**30), (" 2 k ", 2048),
])
def test_sizes(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "0", "-1", "8X", "1.5M", "M"])
def test_bad_sizes(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_size(text)


def test_metadata_is_what_the_server_decodes() -> None:
    meta = {"case": "芙蓉市监罚〔2026〕1号", "filename": "现场 录像,1.mp4", "kind": "audio_visual",
            "title": "执法记录仪视频", "started_at": "2026-09-01T09:30:00+08:00"}
    assert metadata_decode(encode_metadata(meta)) == meta
    with pytest.raises(ValueError):
        encode_metadata({"bad key": "x"})


def test_state_file_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    f = tmp_path / "a.mp4"
    f.write_bytes(b"x" * 10)
    meta = {"case": "C1", "kind": "audio_visual"}

    def state(**kwargs: object) -> StateFile:
        args: dict = {"server": "http://s", "user": "u", "metadata": meta, **kwargs}
        return StateFile(f.resolve(), f.stat(), **args)

    one = state()
    assert one.path.parent == tmp_path / "cache" / "zhifa" / "uploads"
    assert one.load() is None
    one.save("/uploads/abc")
    assert state().load() == "/uploads/abc"
    assert oct(one.path.stat().st_mode & 0o777) == "0o600"
    # another case, server or account is another upload
    assert state(metadata={**meta, "case": "C2"}).load() is None
    assert state(server="http://other").load() is None
    assert state(user="v").load() is None
    # the file changed (its modification time): start afresh
    os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns + 1_000_000_000))
    assert state().load() is None
    one.remove()
    assert not one.path.exists()


def test_the_login_pages_error_and_the_servers_json_message() -> None:
    page = ('<main><div class="alert alert-error" role="alert">\n<p>用户名或密码错误&#xff0c;'
            '多次失败将暂时锁定账号。</p>\n</div><form>…</form></main>')
    assert _page_error(page) == "用户名或密码错误，多次失败将暂时锁定账号。"
    assert _page_error("<h1>账号已锁定</h1><p>请稍后再试</p>") == "账号已锁定"
    refused = Response(415, {}, '{"code": "type_not_allowed", "message": "不能作为证据"}'
                       .encode()).error()
    assert (refused.status, refused.code, refused.message) == (415, "type_not_allowed",
                                                               "不能作为证据")
    gone = Response(410, {}, b"").error()
    assert isinstance(gone, UploadGone) and gone.message == "HTTP 410 Gone"


def test_progress_prints_a_line_per_tenth_when_not_a_terminal() -> None:
    out = io.StringIO()
    line = ProgressLine(out, "a.mp4")
    for done in range(0, 101):
        line(Progress(offset=done * 1000, length=100_000, sent=done * 1000, elapsed=1.0))
    lines = out.getvalue().splitlines()
    assert len(lines) == 11
    assert lines[-1] == "a.mp4: 100.0%  0.1/0.1 MiB  0.1 MB/s"
