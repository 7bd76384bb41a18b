"""Cutting entries off the end of the ledger — with the checkpoints that signed them and a
recomputed head, so that what is left is consistent in itself — is caught by the checkpoint
log kept outside the database and by the rows of other tables that refer to entries."""

import base64
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.db import transaction

from tests import factories as f
from tests.cases.factories import agency, general_to_notice
from tests.ledger.helpers import append_mixed, raw, run_json, run_ledger, triggers_dropped
from zhifa.cases.models import CaseStep
from zhifa.ledger import conf, merkle, references, signing
from zhifa.ledger.canonical import checkpoint_text
from zhifa.ledger.models import Checkpoint, LedgerEntry, LedgerHead
from zhifa.ledger.services import checkpoint_message, checkpoint_sign, cosignature_add

pytestmark = pytest.mark.django_db
SM3 = merkle.hasher("sm3")
TABLES = ["ledger_cosignature", "ledger_checkpoint", "ledger_ledgerentry", "ledger_ledgernode",
          "ledger_ledgerhead"]


def log_path() -> Path:
    return conf.checkpoint_log_path()


def log_lines() -> list[dict[str, Any]]:
    return [json.loads(line) for line in log_path().read_text(encoding="utf-8").splitlines()]


def sign(capture: Any) -> Checkpoint:
    """``checkpoint_sign`` with its after-commit work run, as when it commits for real."""
    with capture(execute=True):
        return checkpoint_sign(actor=None)


@pytest.fixture
def ledger(django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    """40 entries, a checkpoint (entry 40), 10 more, a second checkpoint (entry 51) and a
    witness cosignature on it (entry 52); both checkpoints are in the log."""
    w = f.World()
    append_mixed(40 - LedgerEntry.objects.count())
    first = sign(django_capture_on_commit_callbacks)
    append_mixed(10)
    second = sign(django_capture_on_commit_callbacks)
    key = ed25519.Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    cosignature_add(actor=w.u_supervisor, checkpoint=second, public_key=public,
                    signature=key.sign(checkpoint_message(second)))
    assert [line["tree_size"] for line in log_lines()] == [40, 51]
    assert LedgerEntry.objects.count() == 53
    code, report = run_json("verify")
    assert (code, report["ok"], report["checkpoint_log"], report["logged_checkpoints"]) == (
        0, True, str(log_path()), 2)
    return {"first": first, "second": second}


def cut_after(size: int) -> None:
    """The attack: drop the triggers, delete the checkpoints from ``size`` on with their
    cosignatures, every entry and stored node from ``size`` on, and rewrite the head so
    that it matches what is left."""
    leaves = [bytes(h) for h in LedgerEntry.objects.filter(seq__lt=size).order_by(
        "seq").values_list("leaf_hash", flat=True)]
    frontier = merkle.Frontier(SM3)
    for leaf in leaves:
        frontier.append(leaf)
    with triggers_dropped():
        raw("DELETE FROM ledger_cosignature WHERE checkpoint_id IN (SELECT id FROM "
            "ledger_checkpoint WHERE tree_size >= %s)", [size])
        raw("DELETE FROM ledger_checkpoint WHERE tree_size >= %s", [size])
        raw("DELETE FROM ledger_ledgerentry WHERE seq >= %s", [size])
        raw('DELETE FROM ledger_ledgernode WHERE "key" >= %s', [size << 6])
        raw("UPDATE ledger_ledgerhead SET size = %s, frontier = %s WHERE id = 1",
            [size, frontier.to_bytes()])


def wipe() -> None:
    with triggers_dropped():
        for table in TABLES:
            raw(f"DELETE FROM {table}")


# -- a signed checkpoint and what follows it cut off -----------------------------------------

def test_cut_after_the_latest_checkpoint_is_caught_by_the_log(
        ledger: dict[str, Any], settings: Any) -> None:
    cut_after(51)
    code, report = run_json("verify")
    message = (f"entries removed after a signed checkpoint: the checkpoint at tree size 51 "
               f"(line 2 of {log_path()}) was recorded as entry 51, but the ledger has only "
               "51 entries")
    assert (code, report["ok"], report["tree_size"], report["problems_total"]) == (
        1, False, 51, 1)
    assert report["problems"] == [{"kind": "checkpoint_log_truncated", "seq": 51,
                                   "stream": None, "message": message}]
    assert report["first_bad"] == report["problems"][0]
    code, output = run_ledger("verify")
    assert code == 1
    assert output.splitlines()[-1] == (
        f"ledger verification FAILED: first bad entry 51: checkpoint_log_truncated: {message}")
    # Without the log the database alone cannot tell: this is why the log must leave it.
    settings.ZHIFA_LEDGER_CHECKPOINT_LOG = str(log_path().parent / "elsewhere.jsonl")
    code, report = run_json("verify")
    assert (code, report["ok"], report["checkpoint_log"]) == (0, True, None)


def test_a_copy_of_the_log_is_read_with_checkpoint_log(ledger: dict[str, Any],
                                                        tmp_path: Path, settings: Any) -> None:
    copy = tmp_path / "shipped" / "checkpoints.jsonl"
    copy.parent.mkdir()
    shutil.copy(log_path(), copy)
    log_path().unlink()  # the attacker removes the local log as well
    cut_after(41)
    assert run_json("verify")[0] == 0
    code, report = run_json("verify", "--checkpoint-log", str(copy))
    assert (code, report["checkpoint_log"], report["logged_checkpoints"]) == (1, str(copy), 2)
    assert [(p["kind"], p["seq"]) for p in report["problems"]] == [
        ("checkpoint_log_truncated", 41)]
    assert "(line 2 of " + str(copy) + ") was recorded as entry 51, but the ledger has only 41" \
        in report["problems"][0]["message"]
    missing = tmp_path / "nowhere.jsonl"
    assert run_ledger("verify", "--checkpoint-log", str(missing)) == (
        2, f"no checkpoint log at {missing}")


def test_the_log_names_a_checkpoint_whose_tree_differs(ledger: dict[str, Any]) -> None:
    """A line signed with the installation's key over another tree of 45 entries (an
    attacker who rewrote the entries and re-signed): the database's tree differs."""
    other = bytes(range(32))
    when = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
    key = signing.signing_key()
    line = {"tree_size": 45, "root_hash": base64.b64encode(other).decode(), "algorithm": "sm3",
            "timestamp": "2026-03-01T08:00:00Z",
            "signature": base64.b64encode(key.sign(checkpoint_text(
                algorithm="sm3", tree_size=45, root_hash=other, timestamp=when))).decode(),
            "public_key": base64.b64encode(key.public_key).decode()}
    with log_path().open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line) + "\n")
    root = merkle.root(SM3, [bytes(h) for h in LedgerEntry.objects.filter(
        seq__lt=45).order_by("seq").values_list("leaf_hash", flat=True)])
    code, report = run_json("verify")
    assert code == 1
    assert report["problems"] == [{
        "kind": "checkpoint_log_mismatch", "seq": 45, "stream": None,
        "message": f"the checkpoint at tree size 45 (line 3 of {log_path()}): the database's "
                   f"tree of that size (sm3) hashes to {base64.b64encode(root).decode()}, "
                   f"the log says {line['root_hash']} (sm3)"}]


def test_the_log_names_a_checkpoint_missing_from_or_differing_in_the_database(
        ledger: dict[str, Any]) -> None:
    cp = ledger["first"]
    key = signing.signing_key()
    root = bytes(cp.root_hash)
    # The same tree of 40 entries signed at another time: not the database's checkpoint.
    later = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
    line = {"tree_size": 40, "root_hash": base64.b64encode(root).decode(), "algorithm": "sm3",
            "timestamp": "2026-03-01T08:00:00Z",
            "signature": base64.b64encode(key.sign(checkpoint_text(
                algorithm="sm3", tree_size=40, root_hash=root, timestamp=later))).decode(),
            "public_key": base64.b64encode(key.public_key).decode()}
    with log_path().open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line) + "\n")
    code, report = run_json("verify")
    assert code == 1
    assert [(p["kind"], p["seq"], p["message"]) for p in report["problems"]] == [
        ("checkpoint_log_mismatch", 40, f"the checkpoint at tree size 40 (line 3 of "
         f"{log_path()}) differs from the database's checkpoint: signature, timestamp")]
    # The checkpoint row alone deleted: its recording entry says so, and so does the log.
    with triggers_dropped():
        raw("DELETE FROM ledger_checkpoint WHERE tree_size = 40")
    kinds = [(p["kind"], p["seq"]) for p in run_json("verify")[1]["problems"]]
    assert kinds == [("checkpoint_missing", 40), ("checkpoint_log_missing", 40),
                     ("checkpoint_log_missing", 40)]


def test_forged_and_unreadable_log_lines(ledger: dict[str, Any]) -> None:
    lines = log_path().read_text(encoding="utf-8").splitlines()
    forged = json.loads(lines[0])
    forged["root_hash"] = base64.b64encode(bytes(32)).decode()
    stranger = ed25519.Ed25519PrivateKey.generate()
    when = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
    strange = {"tree_size": 3, "root_hash": forged["root_hash"], "algorithm": "sm3",
               "timestamp": "2026-03-01T08:00:00Z",
               "signature": base64.b64encode(stranger.sign(checkpoint_text(
                   algorithm="sm3", tree_size=3, root_hash=bytes(32),
                   timestamp=when))).decode(),
               "public_key": base64.b64encode(stranger.public_key().public_bytes(
                   serialization.Encoding.DER,
                   serialization.PublicFormat.SubjectPublicKeyInfo)).decode()}
    log_path().write_text("\n".join([json.dumps(forged), lines[1], "{not json", "",
                                     json.dumps(strange)]) + "\n", encoding="utf-8")
    code, report = run_json("verify")
    assert code == 1
    path = log_path()
    assert [(p["kind"], p["seq"], p["message"]) for p in report["problems"]] == [
        ("checkpoint_log_invalid", None, f"line 3 of the checkpoint log {path} is not a "
         "checkpoint: Expecting property name enclosed in double quotes: line 1 column 2 "
         "(char 1)"),
        ("checkpoint_log_invalid", 3, f"the checkpoint at tree size 3 (line 5 of {path}) is "
         "signed by a key that is not one of this installation's keys"),
        ("checkpoint_log_invalid", 40, f"the checkpoint at tree size 40 (line 1 of {path}): "
         "the signature does not verify"),
    ]
    assert report["logged_checkpoints"] == 3


# -- the whole ledger deleted ----------------------------------------------------------------

def test_a_wiped_ledger_is_caught_by_the_log(ledger: dict[str, Any]) -> None:
    wipe()
    assert (LedgerEntry.objects.count(), Checkpoint.objects.count(),
            LedgerHead.objects.count()) == (0, 0, 0)
    code, report = run_json("verify")
    assert (code, report["tree_size"]) == (1, 0)
    assert [(p["kind"], p["seq"]) for p in report["problems"]] == [
        ("checkpoint_log_truncated", 0), ("checkpoint_log_truncated", 0)]
    assert report["problems"][0]["message"] == (
        f"entries removed after a signed checkpoint: the checkpoint at tree size 40 (line 1 "
        f"of {log_path()}) was recorded as entry 40, but the ledger has only 0 entries")


def test_a_wiped_ledger_is_caught_by_the_case_steps() -> None:
    """No checkpoint was ever signed (so no log): the cases' steps still name their
    entries."""
    case = general_to_notice(agency())
    highest = CaseStep.objects.filter(case=case).order_by("-ledger_seq").values_list(
        "ledger_seq", flat=True)[0]
    assert highest == LedgerEntry.objects.count() - 1 > 0
    assert references.highest_references()["cases.CaseStep.ledger_seq"] == highest
    assert run_json("verify")[0] == 0
    wipe()
    code, report = run_json("verify")
    assert (code, report["ok"], report["tree_size"], report["checkpoint_log"]) == (
        1, False, 0, None)
    problem = {"kind": "referenced_entries_missing", "seq": 0, "stream": None,
               "message": f"cases.CaseStep.ledger_seq refers to ledger entry {highest}, but "
                          f"the ledger has only 0 entries: entries 0–{highest} were removed "
                          "from its end"}
    assert report["problems"] == [problem]
    assert report["first_bad"] == problem


def test_entries_cut_off_under_the_case_steps() -> None:
    case = general_to_notice(agency())
    append_mixed(5)  # the tail an attacker may cut without a reference noticing
    steps = list(CaseStep.objects.filter(case=case).values_list("ledger_seq", flat=True))
    highest = max(s for s in steps if s is not None)
    size = LedgerEntry.objects.count()
    cut_after(size - 5)
    assert run_json("verify")[0] == 0
    cut_after(highest)  # the entry of the last step and after
    code, report = run_json("verify")
    assert code == 1
    assert [(p["kind"], p["seq"]) for p in report["problems"]] == [
        ("referenced_entries_missing", highest)]


def test_a_reference_registered_by_another_app() -> None:
    append_mixed(3)
    references.register("test.pointer", lambda: 3)
    try:
        code, report = run_json("verify")
        assert (code, [(p["kind"], p["seq"], p["message"]) for p in report["problems"]]) == (
            1, [("referenced_entries_missing", 3, "test.pointer refers to ledger entry 3, "
                 "but the ledger has only 3 entries: entries 3–3 were removed from its end")])
        references.register("test.pointer", lambda: 2)
        assert run_json("verify")[0] == 0
        references.register("test.pointer", lambda: None)
        assert run_json("verify")[0] == 0
    finally:
        references._registry.pop("test.pointer")


# -- the log itself --------------------------------------------------------------------------

def test_the_log_is_written_after_commit_only(django_capture_on_commit_callbacks: Any) -> None:
    append_mixed(7)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        cp = checkpoint_sign(actor=None)
        assert not log_path().exists()  # not before the commit
    assert len(callbacks) == 1
    assert log_lines() == [{
        "tree_size": 7, "root_hash": base64.b64encode(bytes(cp.root_hash)).decode(),
        "algorithm": "sm3", "timestamp": cp.timestamp.astimezone(dt.UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"),
        "signature": base64.b64encode(bytes(cp.signature)).decode(),
        "public_key": base64.b64encode(signing.signing_key().public_key).decode()}]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_checkpoint_leaves_no_line() -> None:
    append_mixed(4)
    with pytest.raises(RuntimeError), transaction.atomic():
        checkpoint_sign(actor=None)
        raise RuntimeError("the surrounding work failed")
    assert (Checkpoint.objects.count(), log_path().exists()) == (0, False)
    with transaction.atomic():
        checkpoint_sign(actor=None)
        assert not log_path().exists()
    checkpoint_sign(actor=None)  # its own transaction
    assert [line["tree_size"] for line in log_lines()] == [4, 5]
    code, report = run_json("verify")
    assert (code, report["logged_checkpoints"], report["checkpoints_verified"]) == (0, 2, 2)


def test_the_log_path_setting(settings: Any, monkeypatch: pytest.MonkeyPatch,
                              tmp_path: Path) -> None:
    settings.ZHIFA_LEDGER_CHECKPOINT_LOG = None
    monkeypatch.delenv("ZHIFA_LEDGER_CHECKPOINT_LOG", raising=False)
    assert conf.checkpoint_log_path() == settings.DATA_DIR / "ledger" / "checkpoints.jsonl"
    monkeypatch.setenv("ZHIFA_LEDGER_CHECKPOINT_LOG", str(tmp_path / "env.jsonl"))
    assert conf.checkpoint_log_path() == tmp_path / "env.jsonl"
    settings.ZHIFA_LEDGER_CHECKPOINT_LOG = str(tmp_path / "set.jsonl")
    assert conf.checkpoint_log_path() == tmp_path / "set.jsonl"


def test_verify_prints_the_log_it_read(ledger: dict[str, Any], settings: Any) -> None:
    code, output = run_ledger("verify")
    assert code == 0
    assert f"checkpoint log: {log_path()} (2 checkpoint(s))" in output.splitlines()
    settings.ZHIFA_LEDGER_CHECKPOINT_LOG = str(log_path().parent / "none.jsonl")
    code, output = run_ledger("verify")
    assert code == 0
    assert f"checkpoint log: none at {log_path()}" in output.splitlines()
