"""Body-camera recordings of the demo's on-site steps. Sealing up and impoundment are
recorded on audio and video in full (国办发〔2018〕118号), and a step is refused unless the
case's recordings cover its time on site; so before such a step the walker uploads the
recording, through the evidence services, as an officer would (evidence item, file, and the
recording's start and end from the upload's metadata).

Every demo recording is the same small sample (``data/media/recording-sample.mp4``: 3
seconds of a test pattern and a tone, 11 KB, made with ffmpeg's ``testsrc`` and ``sine``
sources), stored once by its hash; only the times it claims to cover differ. The background
analysis finds its real length (3 s) where ffmpeg is installed and leaves the given times
as they are.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

from django.utils import timezone

from zhifa.cases.fields import local, onsite_interval
from zhifa.cases.models import Case
from zhifa.evidence.hashing import Digests, hash_file
from zhifa.evidence.models import EvidenceKind
from zhifa.evidence.services import evidence_file_create, evidence_item_create
from zhifa.orgs.models import User

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "media" / "recording-sample.mp4"
# the camera is switched on before the officers reach the scene and off after they leave
LEAD_IN, LEAD_OUT = dt.timedelta(minutes=2), dt.timedelta(minutes=3)


@cache
def _digests() -> Digests:
    return hash_file(SAMPLE)[0].digests()


def onsite_times(seed: str, on: dt.date) -> dict[str, str]:
    """A plausible morning or afternoon on site (60 to 105 minutes) on day ``on``, the same
    for the same ``seed``; on the day of loading it ends before now."""
    n = sum(map(ord, seed))
    start = dt.datetime.combine(on, dt.time(9 + (n % 2) * 5, (n % 4) * 15),
                                tzinfo=timezone.get_default_timezone())
    end = start + dt.timedelta(minutes=60 + (n % 4) * 15)
    now = local(timezone.now()).replace(second=0, microsecond=0)
    if end > now - dt.timedelta(minutes=10):
        # the step is today: it finished ten minutes ago at the latest
        end = now - dt.timedelta(minutes=10)
        midnight = dt.datetime.combine(on, dt.time(0), tzinfo=end.tzinfo)
        start = max(end - dt.timedelta(minutes=60), midnight)
        if end <= start:
            # loaded just after midnight: on site from midnight until now
            start, end = midnight, now
    return {"onsite_from": start.strftime("%Y-%m-%dT%H:%M"),
            "onsite_until": end.strftime("%Y-%m-%dT%H:%M")}


def record_on_site(actor: User, case: Case, data: dict[str, Any]) -> None:
    """Upload a recording covering the step's time on site, if it states one."""
    interval = onsite_interval(data)
    if interval is None:
        return
    start, end = local(interval[0] - LEAD_IN), local(interval[1] + LEAD_OUT)
    person = actor.person
    item = evidence_item_create(
        actor=actor, case=case, kind=EvidenceKind.AUDIO_VISUAL,
        title="执法记录仪现场执法视频", source="执法记录仪",
        description="现场执法全过程音像记录（演示数据：示例视频）。", collected_at=end,
        place=str(data.get("place") or ""), collectors=[person] if person else [])
    metadata = {"started_at": start.isoformat(), "ended_at": end.isoformat()}
    if person is not None:
        metadata["officer"] = str(person.public_id)
    evidence_file_create(actor=actor, item=item, path=SAMPLE, digests=_digests(),
                         mime="video/mp4", filename=f"执法记录仪_{start:%Y%m%d_%H%M%S}.mp4",
                         metadata=metadata, move=False)
