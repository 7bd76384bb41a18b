"""Evidence on a case, made through the services."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings

from tests.cases.factories import Agency, open_case
from zhifa.cases.models import Case
from zhifa.evidence.hashing import hash_chunks
from zhifa.evidence.models import EvidenceFile, EvidenceItem
from zhifa.evidence.services import evidence_file_create, evidence_item_create
from zhifa.evidence.sniff import sniff

# A tiny valid PNG (1×1, red), made by hand: no image library needed.
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415408d763f8cfc0000003010100c9fe92ef0000000049454e44ae426082")


def a_case(a: Agency, procedure: str = "general", **kwargs: Any) -> Case:
    return open_case(a, procedure, received_on=kwargs.pop("received_on", dt.date(2026, 9, 1)),
                     **kwargs)


def item(a: Agency, case: Case, kind: str = "audio_visual", title: str = "现场执法记录",
         actor: Any = None, **kwargs: Any) -> EvidenceItem:
    return evidence_item_create(actor=actor or a.u_officer, case=case, kind=kind, title=title,
                                **kwargs)


def stored(a: Agency, it: EvidenceItem, data: bytes, filename: str = "photo.png",
           actor: Any = None, metadata: dict[str, Any] | None = None) -> EvidenceFile:
    """Store ``data`` as a file of ``it`` the way a finished upload does."""
    up = Path(settings.ZHIFA_UPLOAD_DIR)
    up.mkdir(parents=True, exist_ok=True)
    path = up / f"factory-{len(list(up.iterdir()))}.part"
    path.write_bytes(data)
    return evidence_file_create(actor=actor or a.u_officer, item=it, path=path,
                                digests=hash_chunks([data]), mime=sniff(data[:8192]),
                                filename=filename, metadata=metadata)


def make_video(path: Path, seconds: int = 2, size: str = "160x120") -> Path:
    """A small H.264/AAC MP4 made with ffmpeg (installed by .ci/run)."""
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
         f"testsrc=duration={seconds}:size={size}:rate=10", "-f", "lavfi", "-i",
         f"sine=duration={seconds}", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac",
         "-shortest", "-movflags", "+faststart", str(path)], check=True)
    return path
