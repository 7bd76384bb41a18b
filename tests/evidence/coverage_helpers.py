"""Recordings and on-site steps for the coverage tests, made through the services."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import zhifa.demo
from tests.cases.factories import Agency, act, general_to_notice, open_case
from tests.documents.factories import decision_draft
from zhifa.cases.models import Case
from zhifa.cases.procedures.other import ACL18_STEPS
from zhifa.evidence.models import EvidenceFile

from .factories import item, stored

BJ = ZoneInfo("Asia/Shanghai")
D = dt.date
DAY = D(2026, 9, 2)
# the demo's sample recording: a 3-second H.264/AAC MP4 (see zhifa.demo.loader)
SAMPLE = Path(zhifa.demo.__file__).parent / "data" / "media" / "recording-sample.mp4"


def at(hms: str, day: dt.date = DAY) -> dt.datetime:
    h, m, *s = (int(x) for x in hms.split(":"))
    return dt.datetime(day.year, day.month, day.day, h, m, s[0] if s else 0, tzinfo=BJ)


def onsite(start: str, end: str, day: dt.date = DAY) -> dict[str, str]:
    """The on-site interval as a form sends it (local time, no offset)."""
    return {"onsite_from": f"{day.isoformat()}T{start}", "onsite_until": f"{day.isoformat()}T{end}"}


def measure(kind: str = "seize", **over: Any) -> dict[str, Any]:
    return {"acted_on": DAY, "measure": kind, "items": "不合格产品20件",
            "place": "长沙市芙蓉区某路1号仓库", "steps": [s for s, _l in ACL18_STEPS],
            **onsite("09:30", "10:40"), **over}


def coercive(a: Agency) -> Case:
    return open_case(a, "coercive", received_on=D(2026, 9, 1))


def recording(a: Agency, case: Case, start: dt.datetime | None,
              end: dt.datetime | None = None, *, title: str = "执法记录仪视频",
              actor: Any = None) -> EvidenceFile:
    """An audio/video file of ``case`` recorded from ``start`` to ``end`` (as the uploader
    states them: the tus metadata)."""
    meta: dict[str, Any] = {}
    if start is not None:
        meta["started_at"] = start.isoformat()
    if end is not None:
        meta["ended_at"] = end.isoformat()
    it = item(a, case, title=title, actor=actor)
    return stored(a, it, SAMPLE.read_bytes(), filename="bodycam.mp4", metadata=meta,
                  actor=actor)


def served(a: Agency) -> Case:
    """A general-procedure case whose decision was served on 30 September 2026."""
    case = general_to_notice(a)
    decision_draft(a, case)  # the decision is made on its draft document
    act(a, case, "decide", acted_on=D(2026, 9, 29), outcome="penalty", kinds=["fine"],
        fine="5000", reasons="证据确凿")
    act(a, case, "serve_decision", acted_on=D(2026, 9, 30), served_on=D(2026, 9, 30),
        method="direct")
    return case


DEMOLITION_DAY = D(2026, 11, 4)


def demolition(**over: Any) -> dict[str, Any]:
    return {"acted_on": DEMOLITION_DAY, "kind": "demolition",
            "decision_number": "芙蓉市监强执〔2026〕1号", "announced_on": D(2026, 10, 21),
            "place": "长沙市芙蓉区某路1号", "summary": "依法强制拆除违法建筑",
            **onsite("09:00", "12:00", DEMOLITION_DAY), **over}


def reminded(a: Agency) -> Case:
    """Served, then a reminder on 20 October whose period ended on 3 November."""
    case = served(a)
    act(a, case, "send_reminder", acted_on=D(2026, 10, 20), served_on=D(2026, 10, 20))
    return case
