"""ffprobe/ffmpeg analysis of audio/video files: duration and a poster frame."""

from __future__ import annotations


def probe_file(file_id: int) -> None:
    return None
