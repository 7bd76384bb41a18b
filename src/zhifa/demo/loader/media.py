"""Small demo media made on the spot, with no binary in the repository: PNG photos and WAV
audio written in pure Python, and — where ffmpeg is installed — short MP4 videos. Every file is
fictional test imagery (colour bars, tones), marked as demo by its case."""

from __future__ import annotations

import math
import shutil
import struct
import subprocess
import tempfile
import wave
import zlib
from pathlib import Path


def png(width: int, height: int, seed: int) -> bytes:
    """A width×height RGB image of soft diagonal bands whose colours depend on ``seed``."""
    base = ((seed * 53) % 200 + 30, (seed * 97) % 200 + 30, (seed * 31) % 200 + 30)
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter type: none
        for x in range(width):
            band = ((x + y + seed) // 12) % 4
            row += bytes(min(255, c + 18 * band) for c in base)
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw)
            + chunk(b"IEND", b""))


def wav(seconds: int, seed: int, rate: int = 8000) -> bytes:
    """Mono 16-bit PCM: a quiet tone (no speech: demo data)."""
    freq = 300 + (seed % 7) * 40
    frames = b"".join(
        struct.pack("<h", int(3000 * math.sin(2 * math.pi * freq * i / rate)))
        for i in range(seconds * rate))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.wav"
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(frames)
        return path.read_bytes()


def mp4(seconds: int, seed: int) -> bytes | None:
    """A 320×240 colour-bar video with a tone, or None when ffmpeg is not installed."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "v.mp4"
        subprocess.run(
            [ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i",
             f"testsrc2=duration={seconds}:size=320x240:rate=10", "-f", "lavfi", "-i",
             f"sine=frequency={300 + seed % 7 * 40}:duration={seconds}", "-c:v", "libx264",
             "-preset", "veryfast", "-crf", "35", "-pix_fmt", "yuv420p", "-c:a", "aac",
             "-b:a", "32k", "-shortest", "-movflags", "+faststart", str(path)],
            check=True, timeout=60)
        return path.read_bytes()
