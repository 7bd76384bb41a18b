"""Archiving a closed case: the number, the archive step, the package and what it holds, the
ledger entries and checkpoint; refusals that change nothing; the download."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests import factories as f
from tests.cases.factories import Agency, act, agency, certified, open_case, snapshot
from tests.evidence.archive_helpers import PDF, closed_inspection, members, package_bytes
from tests.evidence.factories import PNG_1PX
from zhifa.cases.models import CaseCounter, CaseStatus, CaseStep
from zhifa.core.errors import ApplicationError
from zhifa.evidence import events
from zhifa.evidence.archive import layout, zipform
from zhifa.evidence.archive.build import archive_create, archive_package
from zhifa.evidence.archive.contents import case_file_collect
from zhifa.evidence.archive.package import PackageWriter, write_contents
from zhifa.evidence.archive.selectors import archive_verify_stored, package_file
from zhifa.evidence.archive.verify import verify_package
from zhifa.evidence.models import Blob, CaseArchive, EvidenceFile
from zhifa.evidence.storage import get_storage
from zhifa.ledger.models import Checkpoint, LedgerEntry
from zhifa.ledger.selectors import entry_leaf_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keys(settings: Any, tmp_path: Path) -> None:
    settings.ZHIFA_LEDGER_KEY_DIR = str(tmp_path / "keys")


def everything(case: Any) -> dict[str, Any]:
    """A refusal must leave all of this as it was."""
    return {**snapshot(case), "archives": CaseArchive.objects.count(),
            "blobs": Blob.objects.count(), "checkpoints": Checkpoint.objects.count(),
            "counters": list(CaseCounter.objects.order_by("id").values_list(
                "kind", "year", "last"))}


def test_a_closed_case_is_archived_in_one_call(a: Agency, tmp_path: Path) -> None:
    case = closed_inspection(a)
    before = LedgerEntry.objects.filter(stream=case.stream).count()
    archive = archive_create(actor=a.u_officer, case=case)
    case.refresh_from_db()
    assert (case.status, case.stage, case.flags["archive_number"]) == (
        CaseStatus.ARCHIVED, "archived", "芙蓉市监档〔2026〕1号")
    assert archive.number == "芙蓉市监档〔2026〕1号"
    assert (archive.retention, archive.created_by) == ("30y", a.u_officer)
    step = CaseStep.objects.get(case=case, action="archive")
    assert (step.acted_on, step.data["archive_number"]) == (
        timezone.localdate(), "芙蓉市监档〔2026〕1号")
    # the archive step's entry, then ARCHIVE_CREATED sealing the manifest; the checkpoint
    # signed right after covers both
    entries = list(LedgerEntry.objects.filter(stream=case.stream).order_by("stream_seq"))
    assert len(entries) == before + 2
    assert (entries[-2].seq, entries[-2].event_code) == (step.ledger_seq, 4002)
    sealed = entries[-1]
    assert (sealed.seq, sealed.event_code) == (archive.ledger_seq, events.ARCHIVE_CREATED.code)
    payload = json.loads(sealed.payload)
    assert payload["number"] == archive.number and payload["case"] == case.number
    assert (payload["manifest_sha256"], payload["manifest_sm3"]) == (
        archive.manifest_sha256, archive.manifest_sm3)
    assert (payload["evidence_files"], payload["embedded"]) == (2, 2)
    assert archive.checkpoint.tree_size == sealed.seq + 1
    assert Checkpoint.objects.latest("tree_size") == archive.checkpoint
    # the package is a blob of its own, content-addressed
    data = package_bytes(archive)
    assert (archive.package.sha256, archive.package.sm3, archive.package.size) == (
        hashlib.sha256(data).hexdigest(), hashlib.new("sm3", data).hexdigest(), len(data))
    assert archive.package.mime == "application/zip"
    report = archive_verify_stored(archive)
    assert report.ok, report.problems
    assert (report.key_trusted, report.entries, report.members) == (True, len(entries), 10)


def test_the_package_holds_the_case_file_in_the_statutory_order(a: Agency,
                                                                 tmp_path: Path) -> None:
    case = closed_inspection(a)
    archive = archive_create(actor=a.u_head, case=case)
    path = tmp_path / "p.zip"
    path.write_bytes(package_bytes(archive))
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        assert [i.filename for i in infos] == [
            "00-封面.html", "01-卷内目录.html", "02-办案记录.html",
            "evidence/004-1-现场照片.png", "evidence/005-1-检查笔录.pdf", "99-备考表.html",
            "manifest.json", "ledger/entries.jsonl", "ledger/proofs.json",
            "ledger/checkpoint.json"]
        # UTF-8 names flagged on every member; media stored, documents and JSON deflated;
        # one fixed time: the archiving day
        assert {i.flag_bits for i in infos} == {0x800}
        assert [i.compress_type for i in infos] == [8, 8, 8, 0, 0, 8, 8, 8, 8, 8]
        day = timezone.localdate()
        assert {i.date_time for i in infos} == {(day.year, day.month, day.day, 0, 0, 0)}
        assert z.read("evidence/004-1-现场照片.png") == PNG_1PX
        assert z.read("evidence/005-1-检查笔录.pdf") == PDF
        manifest = json.loads(z.read("manifest.json"))
        cover = z.read("00-封面.html").decode()
        index = z.read("01-卷内目录.html").decode()
        steps = z.read("02-办案记录.html").decode()
        note = z.read("99-备考表.html").decode()
    assert manifest["format"] == "zhifa-case-archive/v1"
    assert manifest["archive"]["number"] == archive.number
    assert manifest["case"]["number"] == case.number
    assert manifest["ledger"] == {"algorithm": "sm3", "stream": case.stream,
                                  "entries": layout.ENTRIES, "proofs": layout.PROOFS,
                                  "checkpoint": layout.CHECKPOINT}
    listed = {m["path"]: m for m in manifest["members"]}
    assert list(listed) == ["00-封面.html", "01-卷内目录.html", "02-办案记录.html",
                            "evidence/004-1-现场照片.png", "evidence/005-1-检查笔录.pdf",
                            "99-备考表.html"]
    assert listed["evidence/004-1-现场照片.png"] == {
        "path": "evidence/004-1-现场照片.png", "role": "evidence", "size": len(PNG_1PX),
        "sha256": hashlib.sha256(PNG_1PX).hexdigest(),
        "sm3": hashlib.new("sm3", PNG_1PX).hexdigest()}
    # registration → investigation (with its evidence) → decision → closing
    step = {s.action: f"02-办案记录.html#step-{s.pk}" for s in case.steps.all()}
    assert [(r["seq"], r["title"], r["path"]) for r in manifest["index"]] == [
        (1, "案件来源登记：某超市日常检查", "02-办案记录.html#case"),
        (2, "实施现场检查", step["start_inspection"]),
        (3, "证据1（勘验笔录、现场笔录）：现场检查记录", "02-办案记录.html#evidence-1"),
        (4, "证据1的文件：现场照片.png", "evidence/004-1-现场照片.png"),
        (5, "证据1的文件：检查笔录.pdf", "evidence/005-1-检查笔录.pdf"),
        (6, "作出检查结论", step["conclude"]),
        (7, "结案", step["close"]),
    ]
    for text in ("芙蓉区市场监督管理局", archive.number, case.number, "某超市日常检查",
                 "长沙某某贸易有限公司", "未发现问题", "30年", "共7件"):
        assert text in cover, text
    assert index.index("立案（受理）") < index.index("调查取证") < index.index("决定") \
        < index.index("结案归档")
    assert "检查货架和进货台账" in steps and "李明、张伟" in steps
    assert "<th class=\"label\">立卷人</th><td>王芳</td>" in note  # archived by the head
    for html in (cover, index, steps, note):  # printable, nothing fetched from elsewhere
        assert html.startswith("<!DOCTYPE html>") and "<style>" in html
        assert "http://" not in html and "https://" not in html and "<script" not in html


def test_large_and_disposed_files_are_referenced_by_their_hashes(a: Agency, settings: Any,
                                                                 tmp_path: Path) -> None:
    settings.ZHIFA_ARCHIVE_EMBED_MAX_BYTES = 100
    big = PDF + b"x" * 200
    case = closed_inspection(a, files=[(PNG_1PX, "小图.png"), (big, "大文件.pdf")])
    archive = archive_create(actor=a.u_officer, case=case)
    path = tmp_path / "p.zip"
    path.write_bytes(package_bytes(archive))
    contents = members(path)
    assert [n for n in contents if n.startswith("evidence/")] == ["evidence/004-1-小图.png"]
    manifest = json.loads(contents["manifest.json"])
    big_row = next(e for e in manifest["evidence"] if e["filename"] == "大文件.pdf")
    assert (big_row["embedded"], big_row["path"], big_row["size"], big_row["sha256"]) == (
        False, None, len(big), hashlib.sha256(big).hexdigest())
    note = contents["99-备考表.html"].decode()
    assert hashlib.new("sm3", big).hexdigest() in note and "以哈希值引用" in note
    assert verify_package(path).ok


def test_a_rebuild_gives_the_same_bytes(a: Agency, tmp_path: Path) -> None:
    case = closed_inspection(a)
    now = timezone.now()
    outputs = []
    for n in range(2):
        cf = case_file_collect(case=case, number="芙蓉市监档〔2026〕9号", archived_at=now,
                               archived_by="李明", algorithm="sm3")
        writer = PackageWriter(tmp_path / f"{n}.zip", cf.archived_on)
        write_contents(writer, cf)
        writer.hash_written()
        digests = writer.close()
        outputs.append(((tmp_path / f"{n}.zip").read_bytes(), digests))
    assert outputs[0][0] == outputs[1][0]
    data = outputs[0][0]
    # the incremental hash is the hash of the file
    assert outputs[0][1].sha256 == hashlib.sha256(data).hexdigest()
    assert outputs[0][1].sm3 == hashlib.new("sm3", data).hexdigest()


@pytest.mark.parametrize("limit", [zipform.ZIP64_LIMIT, 50])
def test_the_canonical_form_is_what_zipfile_writes(monkeypatch: Any, tmp_path: Path,
                                                   limit: int) -> None:
    """The verifier's header rules against zipfile's own output, also with ZIP64 records
    (a lowered limit makes small members and offsets 'large')."""
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", limit)
    monkeypatch.setattr(zipform, "ZIP64_LIMIT", limit)
    day = dt.date(2026, 11, 26)
    path = tmp_path / "z.zip"
    items = [("00-封面.html", b"<p>" * 40), ("evidence/001-1-a.png", PNG_1PX * 2),
             ("manifest.json", b"{}\n"), ("ledger/x.json", b"[]" * 30)]
    writer = PackageWriter(path, day)
    for name, data in items:
        if layout.stored_uncompressed(name):
            writer.add_stream(name, [data[:10], data[10:]], size=len(data))
        else:
            writer.add(name, data)
    writer.close()
    raw = path.read_bytes()
    time, date = zipform.dos_time(day)
    centrals, pos = b"", 0
    with zipfile.ZipFile(path) as z:
        for info, (name, data) in zip(z.infolist(), items, strict=True):
            start = info.header_offset
            assert start == pos
            values = {"name": name.encode(), "method": info.compress_type, "time": time,
                      "date": date, "crc": info.CRC, "compressed": info.compress_size,
                      "size": len(data)}
            local = zipform.local_header(**values)
            assert raw[start:start + len(local)] == local
            pos = start + len(local) + info.compress_size
            centrals += zipform.central_record(**values, offset=start)
        assert z.start_dir == pos
    assert raw[pos:] == centrals + zipform.end_records(
        count=len(items), directory_size=len(centrals), directory_offset=pos)
    if limit == 50:
        assert b"PK\x06\x06" in raw[pos:]  # the ZIP64 end records were exercised


def test_an_sm2_signed_sha256_ledger(settings: Any, db: None, tmp_path: Path) -> None:
    settings.ZHIFA_LEDGER_HASH = "sha256"
    settings.ZHIFA_LEDGER_SIGNATURE = "sm2"
    a = agency()
    archive = archive_create(actor=a.u_officer, case=closed_inspection(a))
    assert (archive.checkpoint.algorithm, archive.checkpoint.key_algorithm) == (
        "sha256", "sm2")
    report = archive_verify_stored(archive)
    assert report.ok, report.problems
    assert (report.algorithm, report.key_algorithm, report.key_trusted) == (
        "sha256", "sm2", True)


def test_the_verifier_builds_leaf_data_as_the_ledger_does(a: Agency, tmp_path: Path) -> None:
    """The offline verifier recomputes leaves with ``zhifa.ledger.canonical.leaf_data`` from
    the lines of ``ledger/entries.jsonl``: the same bytes as ``entry_leaf_data``."""
    from zhifa.ledger.canonical import leaf_data

    archive = archive_create(actor=a.u_officer, case=closed_inspection(a))
    path = tmp_path / "p.zip"
    path.write_bytes(package_bytes(archive))
    lines = members(path)[layout.ENTRIES].decode().splitlines()
    assert len(lines) == LedgerEntry.objects.filter(stream=archive.case.stream).count()
    for line in lines:
        e = json.loads(line)
        stored_entry = LedgerEntry.objects.get(seq=e["seq"])
        assert leaf_data(**{k: e[k] for k in (
            "seq", "stream", "stream_seq", "event_code", "actor_id", "actor_name", "body_id",
            "recorded_at", "payload")}) == entry_leaf_data(stored_entry)
    assert events.ARCHIVE_CREATED.code == layout.ARCHIVE_CREATED_CODE


# --- refusals -------------------------------------------------------------------------------

def refused(case: Any, actor: Any, code: str) -> ApplicationError:
    before = everything(case)
    files = sorted(p.name for p in get_storage().root.rglob("*")) if hasattr(
        get_storage(), "root") else []
    with pytest.raises(ApplicationError) as exc:
        archive_create(actor=actor, case=case)
    assert exc.value.code == code, (exc.value.code, exc.value.message)
    assert everything(case) == before
    if hasattr(get_storage(), "root"):
        assert sorted(p.name for p in get_storage().root.rglob("*")) == files
    return exc.value


def test_an_open_case_is_not_archived(a: Agency) -> None:
    case = open_case(a, "inspection", received_on=dt.date(2026, 9, 1))
    exc = refused(case, a.u_officer, "case_not_closed")
    assert case.number in exc.message


def test_someone_without_handling_rights_or_of_another_body_cannot_archive(a: Agency) -> None:
    case = closed_inspection(a)
    assert refused(case, a.u_supervisor, "missing_handle_cases").status == 403
    assert refused(case, a.u_other, "case_out_of_scope").status == 403


def test_an_officer_not_on_the_case_cannot_archive(a: Agency) -> None:
    case = closed_inspection(a)
    outsider = f.user(certified(a, "孙丽"))
    assert refused(case, outsider, "action_role").status == 403


def test_a_case_is_archived_once(a: Agency) -> None:
    case = closed_inspection(a)
    archive = archive_create(actor=a.u_officer, case=case)
    case.refresh_from_db()
    exc = refused(case, a.u_officer, "archive_exists")
    assert archive.number in exc.message


def test_damaged_evidence_stops_the_archiving(a: Agency) -> None:
    case = closed_inspection(a)
    damaged = EvidenceFile.objects.get(case=case, filename="现场照片.png")
    target = get_storage().path(damaged.blob.key)
    target.chmod(0o640)
    target.write_bytes(b"\x89PNG altered")
    exc = refused(case, a.u_officer, "evidence_file_damaged")
    assert "现场照片.png" in exc.message
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    # nothing left behind in the scratch directory either
    from django.conf import settings

    assert not list(Path(settings.ZHIFA_UPLOAD_DIR).glob("archive-*"))


def test_a_failure_after_the_ledger_part_rolls_everything_back(a: Agency,
                                                               monkeypatch: Any) -> None:
    import zhifa.evidence.archive.build as build

    case = closed_inspection(a)
    before = everything(case)

    def broken(**kwargs: Any) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(build, "blob_store", broken)
    with pytest.raises(OSError):
        archive_create(actor=a.u_officer, case=case)
    assert everything(case) == before
    case.refresh_from_db()
    assert (case.status, CaseArchive.objects.count()) == (CaseStatus.CLOSED, 0)
    monkeypatch.undo()
    assert archive_create(actor=a.u_officer, case=case).number == "芙蓉市监档〔2026〕1号"


# --- a case archived before packages existed -------------------------------------------------

def test_a_case_archived_through_the_generic_action_gets_its_package(a: Agency) -> None:
    case = closed_inspection(a)
    act(a, case, "archive", acted_on=dt.date(2026, 9, 5), archive_number="芙蓉市监档〔2026〕7号")
    archive = archive_create(actor=a.u_officer, case=case)
    assert archive.number == "芙蓉市监档〔2026〕7号"
    assert json.loads(LedgerEntry.objects.get(seq=archive.ledger_seq).payload)["backfill"]
    assert CaseStep.objects.filter(case=case, action="archive").count() == 1
    assert archive_verify_stored(archive).ok
    # the next number of the body continues after the one given by hand
    other = closed_inspection(a, files=[], title="另一次检查")
    assert archive_create(actor=a.u_officer, case=other).number == "芙蓉市监档〔2026〕8号"


# --- export ---------------------------------------------------------------------------------

def test_the_export_returns_the_stored_package_and_records_it(a: Agency) -> None:
    case = closed_inspection(a)
    archive = archive_create(actor=a.u_officer, case=case)
    count = LedgerEntry.objects.filter(stream=case.stream).count()
    for user in (a.u_officer, a.u_supervisor):  # a supervisor may read the archive
        exported = archive_package(actor=user, case=case, via="web")
        assert exported == archive
    entries = LedgerEntry.objects.filter(stream=case.stream).order_by("stream_seq")
    assert entries.count() == count + 2
    last = json.loads(entries.last().payload)  # type: ignore[union-attr]
    assert last == {"case": case.number, "number": archive.number, "via": "web",
                    "package_sha256": archive.package.sha256,
                    "package_sm3": archive.package.sm3, "size": archive.package.size}
    assert entries.last().event_code == events.ARCHIVE_EXPORTED.code  # type: ignore[union-attr]


def test_no_export_without_an_archive_or_outside_the_scope(a: Agency) -> None:
    case = closed_inspection(a)
    count = LedgerEntry.objects.count()
    with pytest.raises(ApplicationError) as exc:
        archive_package(actor=a.u_officer, case=case)
    assert (exc.value.code, exc.value.status) == ("archive_not_found", 404)
    archive_create(actor=a.u_officer, case=case)
    count = LedgerEntry.objects.count()
    with pytest.raises(ApplicationError) as exc:
        archive_package(actor=a.u_other, case=case)
    assert (exc.value.code, exc.value.status) == ("case_not_found", 404)
    assert LedgerEntry.objects.count() == count


def test_the_stored_package_as_a_local_file(a: Agency) -> None:
    archive = archive_create(actor=a.u_officer, case=closed_inspection(a))
    with package_file(archive.package) as path:
        assert path.read_bytes() == package_bytes(archive)


def test_a_package_on_object_storage_is_verified_from_a_temporary_copy(
        a: Agency, monkeypatch: Any) -> None:
    """Storage that is not a local directory (S3) hands the package out as a stream; it is
    copied to a temporary file to be checked, and the copy is removed afterwards."""
    from django.conf import settings

    import zhifa.evidence.archive.selectors as selectors

    archive = archive_create(actor=a.u_officer, case=closed_inspection(a))
    local = get_storage()

    class Remote:  # the Storage protocol, without a local path
        name = "local"

        def iter_range(self, key: str, start: int = 0, end: int | None = None,
                       chunk: int = 1024) -> Any:
            return local.iter_range(key, start, end, chunk=7)

    monkeypatch.setattr(selectors, "storage_named", lambda name: Remote())
    with package_file(archive.package) as path:
        assert path.parent == Path(settings.ZHIFA_UPLOAD_DIR)
        assert path.read_bytes() == package_bytes(archive)
    assert not path.exists()
    assert archive_verify_stored(archive).ok
