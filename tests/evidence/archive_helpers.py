"""Closed cases ready to archive, and ways to take a package apart and put it back together
(in the canonical ZIP form, so that a test of a content check is not caught by the
structure check first)."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tests.cases.factories import Agency, act
from tests.evidence.factories import PNG_1PX, a_case, item, stored
from zhifa.cases.models import Case
from zhifa.evidence.archive import layout, zipform
from zhifa.evidence.models import CaseArchive
from zhifa.evidence.storage import storage_named

D = dt.date
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def closed_inspection(a: Agency, *, files: Iterable[tuple[bytes, str]] = (
        (PNG_1PX, "现场照片.png"), (PDF, "检查笔录.pdf")), title: str = "某超市日常检查",
        actor: Any = None) -> Case:
    """The shortest procedure to ``closed``: an inspection with no finding, with an item of
    evidence (its files) attached to the on-site step."""
    case = a_case(a, "inspection", title=title)
    act(a, case, "start_inspection", actor=actor, acted_on=D(2026, 9, 2), place="某超市",
        findings="检查货架和进货台账")
    files = list(files)
    if files:
        it = item(a, case, kind="inspection_record", title="现场检查记录",
                  step=case.steps.get(action="start_inspection"), source="现场检查",
                  collectors=[a.officer, a.officer2])
        for data, name in files:
            stored(a, it, data, name)
    act(a, case, "conclude", actor=actor, acted_on=D(2026, 9, 3), result="no_finding",
        conclusion="未发现违法行为")
    act(a, case, "close", actor=actor, acted_on=D(2026, 9, 4), summary="检查结束")
    case.refresh_from_db()
    return case


def package_bytes(archive: CaseArchive) -> bytes:
    blob = archive.package
    return b"".join(storage_named(blob.storage).iter_range(blob.key))


def save_package(archive: CaseArchive, path: Path) -> Path:
    path.write_bytes(package_bytes(archive))
    return path


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def rezip(path: Path, contents: dict[str, bytes], *, day: dt.date | None = None) -> Path:
    """Write ``contents`` (name -> bytes, in order) as a canonical package."""
    day = day or dt.date(2026, 11, 26)
    with zipfile.ZipFile(path, "w") as z:
        for name, data in contents.items():
            z.writestr(zipform.member_info(name, day=day,
                                           stored=layout.stored_uncompressed(name),
                                           size=len(data)), data)
    return path


def archiving_day(contents: dict[str, bytes]) -> dt.date:
    import json

    return dt.date.fromisoformat(json.loads(contents[layout.MANIFEST])["archive"]["archived_on"])
