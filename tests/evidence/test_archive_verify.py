"""The offline verifier: a genuine package passes; every altered byte, a removed or added
member, an altered ledger entry, a bad signature or an untrusted key fails, each failure
named. Also runs without Django and without a database."""

from __future__ import annotations

import base64
import io
import json
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.core.management import CommandError, call_command

from tests.cases.factories import Agency
from tests.evidence.archive_helpers import (
    archiving_day,
    closed_inspection,
    members,
    rezip,
    save_package,
)
from zhifa.evidence.archive import layout
from zhifa.evidence.archive.build import archive_create
from zhifa.evidence.archive.verify import Report, Unreadable, verify_package
from zhifa.ledger import signing
from zhifa.ledger.canonical import b64, checkpoint_text
from zhifa.ledger.merkle import hasher, inclusion_path, root

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keys(settings: Any, tmp_path: Path) -> None:
    settings.ZHIFA_LEDGER_KEY_DIR = str(tmp_path / "keys")


@pytest.fixture
def package(a: Agency, tmp_path: Path) -> Path:
    archive = archive_create(actor=a.u_officer, case=closed_inspection(a))
    return save_package(archive, tmp_path / "package.zip")


def wheres(report: Report) -> set[str]:
    return {p.where for p in report.problems}


def installation_key() -> bytes:
    return next(iter(signing.trusted_public_keys()))


def test_a_genuine_package_verifies(package: Path) -> None:
    report = verify_package(package, trusted_keys=[installation_key()])
    assert report.ok, report.problems
    assert (report.members, report.algorithm, report.key_algorithm, report.key_trusted) == (
        10, "sm3", "ed25519", True)
    assert report.archive_number == "芙蓉市监档〔2026〕1号"


# --- byte by byte ---------------------------------------------------------------------------

def regions(data: bytes) -> list[tuple[int, int, str, str]]:
    """(start, end, where, part) of every byte of the package."""
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
        for i in infos:
            nlen, elen = struct.unpack("<HH", data[i.header_offset + 26:i.header_offset + 30])
            head_end = i.header_offset + 30 + nlen + elen
            out.append((i.header_offset, head_end, f"member {i.filename}", "local header"))
            out.append((head_end, head_end + i.compress_size, f"member {i.filename}", "data"))
        pos = z.start_dir
        for i in infos:
            size = 46 + len(i.filename.encode())
            out.append((pos, pos + size, f"member {i.filename}", "central directory"))
            pos += size
    out.append((pos, len(data), "zip", "end record"))
    assert out[0][0] == 0 and [r[1] for r in out[:-1]] != []
    return out


def offsets(start: int, end: int, part: str) -> list[int]:
    if part != "data":
        return list(range(start, end))  # every header byte
    step = max(1, (end - start) // 23)
    return sorted({start, end - 1, (start + end) // 2, *range(start, end, step)})


def test_every_member_and_the_directory_altered_byte_by_byte_fail_by_name(
        package: Path, tmp_path: Path) -> None:
    data = package.read_bytes()
    altered = tmp_path / "altered.zip"
    checked, misses = 0, []
    for start, end, where, part in regions(data):
        for offset in offsets(start, end, part):
            # the last byte of a member's data also with single bits (deflate padding)
            masks = (0xFF, 0x01, 0x80) if offset == end - 1 else (0xFF,)
            for mask in masks:
                copy = bytearray(data)
                copy[offset] ^= mask
                altered.write_bytes(copy)
                try:
                    found = wheres(verify_package(altered))
                except Unreadable:
                    found = {"unreadable"}
                checked += 1
                if where not in found:
                    misses.append((offset, mask, where, part, sorted(found)))
    assert misses == []
    assert checked > 1000


def test_a_truncated_or_extended_package_fails(package: Path, tmp_path: Path) -> None:
    data = package.read_bytes()
    for name, changed in (("short", data[:-1]), ("long", data + b"\0")):
        path = tmp_path / f"{name}.zip"
        path.write_bytes(changed)
        report = verify_package(path)
        assert [(p.where, p.code) for p in report.problems] == [("zip", "zip_structure")]
    # nothing where the first member should start and a directory pointing elsewhere
    (tmp_path / "prefixed.zip").write_bytes(b"\0" + data)
    with pytest.raises(Unreadable):
        verify_package(tmp_path / "prefixed.zip")


def test_not_a_package_at_all(tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    path.write_bytes(b"hello")
    with pytest.raises(Unreadable):
        verify_package(path)
    with pytest.raises(Unreadable):
        verify_package(tmp_path / "missing.zip")


# --- members --------------------------------------------------------------------------------

def test_a_removed_member_is_named(package: Path, tmp_path: Path) -> None:
    contents = members(package)
    day = archiving_day(contents)
    for name in ("evidence/004-1-现场照片.png", "02-办案记录.html", layout.PROOFS):
        rest = {k: v for k, v in contents.items() if k != name}
        report = verify_package(rezip(tmp_path / "removed.zip", rest, day=day))
        assert f"member {name}" in wheres(report)
        assert next(p for p in report.problems if p.where == f"member {name}").code == (
            "member_missing")


def test_an_added_member_is_named(package: Path, tmp_path: Path) -> None:
    contents = members(package)
    day = archiving_day(contents)
    added = {**contents, "evidence/006-9-补充.txt": b"added later"}
    report = verify_package(rezip(tmp_path / "added.zip", added, day=day))
    assert [(p.where, p.code) for p in report.problems] == [
        ("member evidence/006-9-补充.txt", "member_extra")]


def test_a_replaced_evidence_file_is_named(package: Path, tmp_path: Path) -> None:
    contents = members(package)
    replaced = {**contents, "evidence/005-1-检查笔录.pdf": b"%PDF-1.4 another document"}
    report = verify_package(rezip(tmp_path / "r.zip", replaced, day=archiving_day(contents)))
    assert [(p.where, p.code) for p in report.problems] == [
        ("member evidence/005-1-检查笔录.pdf", "member_hash")]


def test_a_manifest_rewritten_to_match_a_replaced_file_is_caught_by_the_ledger(
        package: Path, tmp_path: Path) -> None:
    import hashlib

    contents = members(package)
    new = b"%PDF-1.4 another document"
    manifest = json.loads(contents[layout.MANIFEST])
    for row in manifest["members"]:
        if row["path"] == "evidence/005-1-检查笔录.pdf":
            row.update(size=len(new), sha256=hashlib.sha256(new).hexdigest(),
                       sm3=hashlib.new("sm3", new).hexdigest())
    forged = {**contents, "evidence/005-1-检查笔录.pdf": new,
              layout.MANIFEST: layout.dumps_document(manifest)}
    report = verify_package(rezip(tmp_path / "f.zip", forged, day=archiving_day(contents)))
    assert [(p.where, p.code) for p in report.problems] == [
        ("member manifest.json", "manifest_hash")]


# --- the ledger -----------------------------------------------------------------------------

def entry_lines(contents: dict[str, bytes]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in contents[layout.ENTRIES].decode().splitlines()]


def with_entries(contents: dict[str, bytes], lines: list[dict[str, Any]]) -> dict[str, bytes]:
    return {**contents, layout.ENTRIES: b"".join(layout.dumps_line(e) for e in lines)}


def test_an_altered_entry_payload_names_the_entry(package: Path, tmp_path: Path) -> None:
    contents = members(package)
    lines = entry_lines(contents)
    target = next(e for e in lines if "检查货架和进货台账" in e["payload"])
    target["payload"] = target["payload"].replace("检查货架和进货台账", "未进行检查")
    report = verify_package(rezip(tmp_path / "t.zip", with_entries(contents, lines),
                                  day=archiving_day(contents)))
    assert wheres(report) == {f"entry {target['seq']}"}
    assert {p.code for p in report.problems} == {"entry_leaf", "entry_chain", "entry_proof"}


def test_a_removed_entry_is_found(package: Path, tmp_path: Path) -> None:
    contents = members(package)
    lines = entry_lines(contents)
    proofs = json.loads(contents[layout.PROOFS])
    gone = lines.pop(2)
    proofs["proofs"].pop(2)
    forged = {**with_entries(contents, lines), layout.PROOFS: layout.dumps_document(proofs)}
    report = verify_package(rezip(tmp_path / "t.zip", forged, day=archiving_day(contents)))
    assert wheres(report) == {f"entry {lines[2]['seq']}"}
    assert {p.code for p in report.problems} == {"entry_sequence", "entry_chain"}
    assert gone["seq"] < lines[2]["seq"]


def test_a_wrong_checkpoint_signature(package: Path, tmp_path: Path) -> None:
    contents = members(package)
    checkpoint = json.loads(contents[layout.CHECKPOINT])
    signature = bytearray(base64.b64decode(checkpoint["signature"]))
    signature[5] ^= 0x01
    checkpoint["signature"] = b64(bytes(signature))
    forged = {**contents, layout.CHECKPOINT: layout.dumps_document(checkpoint)}
    report = verify_package(rezip(tmp_path / "s.zip", forged, day=archiving_day(contents)))
    assert [(p.where, p.code) for p in report.problems] == [
        ("checkpoint signature", "signature_invalid")]


def test_a_re_signed_forgery_is_caught_by_the_trusted_key(package: Path,
                                                          tmp_path: Path) -> None:
    """Someone who rewrites an entry and recomputes every hash, a whole new tree and its
    proofs, and signs with a key of their own, makes a package consistent in itself: only the
    trusted key (the installation's, or one kept elsewhere) tells it apart."""
    contents = members(package)
    lines = entry_lines(contents)
    checkpoint = json.loads(contents[layout.CHECKPOINT])
    h = hasher(checkpoint["algorithm"])
    from zhifa.ledger.canonical import leaf_data

    target = next(e for e in lines if "检查货架和进货台账" in e["payload"])
    target["payload"] = target["payload"].replace("检查货架和进货台账", "未进行检查")
    leaves = [h.leaf(b"other entry %d" % i) for i in range(checkpoint["tree_size"])]
    chain = bytes(h.size)
    for e in lines:
        leaf = h.leaf(leaf_data(**{k: e[k] for k in (
            "seq", "stream", "stream_seq", "event_code", "actor_id", "actor_name", "body_id",
            "recorded_at", "payload")}))
        leaves[e["seq"]] = leaf
        e["prev_hash"], chain = b64(chain), h.digest(chain + leaf)
        e["leaf_hash"], e["chain_hash"] = b64(leaf), b64(chain)
    proofs = {"algorithm": checkpoint["algorithm"], "tree_size": checkpoint["tree_size"],
              "proofs": [{"leaf_index": e["seq"], "inclusion_path": [
                  b64(p) for p in inclusion_path(h, e["seq"], leaves)]} for e in lines]}
    key = ed25519.Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    import datetime as dt

    new_root = root(h, leaves)
    when = dt.datetime.strptime(checkpoint["timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=dt.UTC)
    checkpoint.update(root_hash=b64(new_root), public_key=b64(public), signature=b64(
        key.sign(checkpoint_text(algorithm=checkpoint["algorithm"],
                                 tree_size=checkpoint["tree_size"], root_hash=new_root,
                                 timestamp=when))))
    forged = {**with_entries(contents, lines), layout.PROOFS: layout.dumps_document(proofs),
              layout.CHECKPOINT: layout.dumps_document(checkpoint)}
    path = rezip(tmp_path / "forged.zip", forged, day=archiving_day(contents))
    assert verify_package(path).ok  # consistent in itself
    report = verify_package(path, trusted_keys=[installation_key()])
    assert [(p.where, p.code) for p in report.problems] == [
        ("checkpoint signature", "key_untrusted")]
    assert report.key_trusted is False


# --- command line ---------------------------------------------------------------------------

def run_command(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("archive", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + err.getvalue()
    return 0, out.getvalue()


def test_the_verify_command(package: Path, tmp_path: Path) -> None:
    key = installation_key().hex()
    code, text = run_command("verify", str(package), "--trusted-key", key)
    assert code == 0 and "package verification OK" in text and "(trusted)" in text
    code, text = run_command("verify", str(package), "--json")
    assert code == 0 and json.loads(text)["ok"] is True
    stranger = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    code, text = run_command("verify", str(package), "--json", "--trusted-key", stranger.hex())
    report = json.loads(text)
    assert code == 1 and report["key_trusted"] is False
    assert report["problems"][0]["where"] == "checkpoint signature"
    data = bytearray(package.read_bytes())
    data[100] ^= 0xFF
    (tmp_path / "bad.zip").write_bytes(data)
    code, text = run_command("verify", str(tmp_path / "bad.zip"))
    assert code == 1 and "FAILED member 00-封面.html" in text
    code, text = run_command("verify", str(tmp_path / "nothing.zip"))
    assert code == 2
    code, text = run_command("verify", str(package), "--trusted-key", "not-hex")
    assert code == 2


def subprocess_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ZHIFA_"))}
    env.update(DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
               ZHIFA_DATA_DIR=str(tmp_path / "data"), ZHIFA_SECRET_KEY="x" * 50,
               PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"))
    return env


def test_the_verifier_runs_without_django(package: Path, tmp_path: Path) -> None:
    probe = ("import runpy, sys\n"
             f"sys.argv = ['verify', {str(package)!r}, '--json']\n"
             "try:\n"
             "    runpy.run_module('zhifa.evidence.archive.verify', run_name='__main__')\n"
             "except SystemExit as exc:\n"
             "    code = exc.code\n"
             "loaded = sorted(m for m in sys.modules if m == 'django' or "
             "m.startswith('django.'))\n"
             "print('DJANGO', loaded)\n"
             "sys.exit(code)\n")
    result = subprocess.run([sys.executable, "-c", probe], env=subprocess_env(tmp_path),
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    report, django = result.stdout.rsplit("DJANGO", 1)
    assert json.loads(report)["ok"] is True
    assert django.strip() == "[]"


def test_the_management_command_verifies_without_a_database(package: Path,
                                                             tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "zhifa.manage", "archive", "verify", str(package)],
        env=subprocess_env(tmp_path), capture_output=True, text=True, timeout=120,
        check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "package verification OK" in result.stdout
    data = bytearray(package.read_bytes())
    data[-30] ^= 0xFF  # in the central directory
    (tmp_path / "bad.zip").write_bytes(data)
    result = subprocess.run(
        [sys.executable, "-m", "zhifa.manage", "archive", "verify", str(tmp_path / "bad.zip")],
        env=subprocess_env(tmp_path), capture_output=True, text=True, timeout=120,
        check=False)
    assert result.returncode == 1
    assert "FAILED member ledger/checkpoint.json" in result.stdout
