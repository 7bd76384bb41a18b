"""Cases closed long ago with stored files, and snapshots of everything custody services
touch (rows, ledger, stored bytes), for "refused: nothing changed" assertions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings

from tests.cases.factories import Agency, act, open_case
from zhifa.cases.models import Case
from zhifa.evidence.models import (
    Blob,
    DisposalRequest,
    EvidenceFile,
    EvidenceItem,
    LegalHold,
    RetentionClass,
    ShareLink,
)
from zhifa.evidence.retention import retention_recompute
from zhifa.ledger.models import LedgerEntry

from .factories import PNG_1PX, item, stored

CLOSED_ON = dt.date(2025, 3, 10)  # + 6 months = 2025-09-10, long past (today is later)


def generic_case(a: Agency, received: dt.date = dt.date(2025, 2, 1), **kwargs: Any) -> Case:
    return open_case(a, "generic", received_on=received, **kwargs)


def close(a: Agency, case: Case, on: dt.date = CLOSED_ON) -> Case:
    """Walk a generic case to closed (start → decide → close) on ``on``."""
    act(a, case, "start", acted_on=on - dt.timedelta(days=3))
    act(a, case, "decide", acted_on=on - dt.timedelta(days=2), decision="办结")
    act(a, case, "close", acted_on=on, summary="办结")
    case.refresh_from_db()
    # what the close step does once the lead wires it (idempotent: a second call changes
    # nothing and writes nothing)
    retention_recompute(case, actor=a.u_officer)
    return case


def text_bytes(label: str) -> bytes:
    # ends in ASCII: sniff() cuts the last 3 bytes before decoding, which must not split a
    # character of a complete short text
    return f"现场检查笔录 {label}\nEND\n".encode()


def case_with_files(a: Agency, *payloads: bytes, closed: bool = True,
                    names: tuple[str, ...] = ()) -> tuple[Case, list[EvidenceFile]]:
    """A generic case with one item holding a file per payload (default: one PNG), closed
    on ``CLOSED_ON`` unless ``closed`` is False. Files are refreshed after closing."""
    case = generic_case(a)
    it = item(a, case, kind="documentary", title="检查笔录")
    files = [stored(a, it, data, names[i] if i < len(names) else f"file{i}.txt")
             for i, data in enumerate(payloads or (PNG_1PX,))]
    if closed:
        close(a, case)
    for f in files:
        f.refresh_from_db()
    return case, files


def storage_files() -> list[tuple[str, int]]:
    root = Path(settings.ZHIFA_EVIDENCE_DIR)
    if not root.exists():
        return []
    return sorted((str(p.relative_to(root)), p.stat().st_size)
                  for p in root.rglob("*") if p.is_file())


def snapshot() -> dict[str, Any]:
    def rows(model: Any) -> list[dict[str, Any]]:
        return list(model.objects.order_by("id").values())

    return {
        "files": rows(EvidenceFile), "items": rows(EvidenceItem), "blobs": rows(Blob),
        "shares": rows(ShareLink), "holds": rows(LegalHold),
        "requests": rows(DisposalRequest), "classes": rows(RetentionClass),
        "request_files": list(DisposalRequest.files.through.objects.order_by("id").values()),
        "share_files": list(ShareLink.files.through.objects.order_by("id").values()),
        "ledger": LedgerEntry.objects.count(), "stored": storage_files(),
    }


def entries(stream: str, code: int) -> list[dict[str, Any]]:
    import json

    return [json.loads(e.payload) for e in
            LedgerEntry.objects.filter(stream=stream, event_code=code).order_by("seq")]
