"""``zhifa ledger checkpoint|prove|consistency|verify``: the printed JSON, checked with code
that does not come from the ledger (hashlib, ``cryptography``) or with the Merkle module
alone, as an outside verifier would."""

import base64
import datetime as dt
import hashlib
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from tests.ledger.helpers import append_mixed, run_json, run_ledger
from zhifa.ledger import merkle
from zhifa.ledger.models import Checkpoint, LedgerEntry

pytestmark = pytest.mark.django_db
SM3 = merkle.hasher("sm3")


def b(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def leaves() -> list[bytes]:
    return [bytes(h) for h in LedgerEntry.objects.order_by("seq").values_list(
        "leaf_hash", flat=True)]


def test_checkpoint_prints_a_verifiable_signed_tree_head() -> None:
    append_mixed(37)
    code, out = run_json("checkpoint")
    assert code == 0
    assert sorted(out) == ["algorithm", "public_key", "root_hash", "signature", "timestamp",
                           "tree_size"]
    assert (out["tree_size"], out["algorithm"]) == (37, "sm3")
    assert b(out["root_hash"]) == merkle.root(SM3, leaves()[:37])
    assert dt.datetime.strptime(out["timestamp"], "%Y-%m-%dT%H:%M:%SZ")
    # The documented signed text, verified with ``cryptography`` directly.
    text = (f"zhifa-ledger-checkpoint/v1\nsm3\n37\n{out['root_hash']}\n"
            f"{out['timestamp']}\n").encode()
    key = serialization.load_der_public_key(b(out["public_key"]))
    assert isinstance(key, ed25519.Ed25519PublicKey)
    key.verify(b(out["signature"]), text)  # raises if it does not verify
    # It is stored, and recorded as the next entry.
    assert Checkpoint.objects.get().tree_size == 37
    recorded = LedgerEntry.objects.get(seq=37)
    assert recorded.event_code == 9000
    assert json.loads(recorded.payload)["signature"] == out["signature"]


def test_checkpoint_text_output() -> None:
    append_mixed(3)
    code, output = run_ledger("checkpoint")
    assert code == 0
    lines = output.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "tree_size", "root_hash", "algorithm", "timestamp", "signature", "public_key"]
    assert lines[0] == "tree_size: 3"


def test_prove_prints_the_leaf_data_and_an_inclusion_proof() -> None:
    append_mixed(45)
    run_json("checkpoint")  # 45, recorded as entry 45
    append_mixed(5)
    code, out = run_json("prove", "--seq", "21", "--size", "45")
    assert code == 0
    assert sorted(out) == ["inclusion_path", "leaf_data", "leaf_hash", "leaf_index",
                           "root_hash", "tree_size"]
    assert (out["leaf_index"], out["tree_size"]) == (21, 45)
    data = b(out["leaf_data"])
    # Anyone can recompute the leaf hash from the leaf data, with plain hashlib.
    assert hashlib.new("sm3", b"\x00" + data).digest() == b(out["leaf_hash"])
    fields = json.loads(data)
    entry = LedgerEntry.objects.get(seq=21)
    assert fields[:5] == [1, 21, entry.stream, entry.stream_seq, 9901]
    assert fields[9] == json.loads(entry.payload)
    path = [b(p) for p in out["inclusion_path"]]
    assert merkle.verify_inclusion(SM3, leaf_index=21, tree_size=45,
                                   leaf_hash=b(out["leaf_hash"]), inclusion_path=path,
                                   root_hash=b(out["root_hash"]))
    # The root is the one the checkpoint signed.
    assert out["root_hash"] == base64.b64encode(bytes(Checkpoint.objects.get().root_hash)
                                                ).decode()
    # Without --size: the whole ledger now.
    code, now = run_json("prove", "--seq", "21")
    assert (code, now["tree_size"]) == (0, 51)
    assert b(now["root_hash"]) == merkle.root(SM3, leaves())


def test_prove_text_output_shows_the_leaf_data() -> None:
    append_mixed(4)
    code, output = run_ledger("prove", "--seq", "2")
    assert code == 0
    assert "leaf_index: 2\ntree_size: 4\n" in output
    assert "algorithm: sm3\nleaf_data (text): [1,2,\"case:2\",0,9901,null,\"\",null," in output


def test_consistency_prints_a_verifiable_proof() -> None:
    append_mixed(70)
    for old, new in ((1, 70), (16, 70), (33, 64), (45, 45), (0, 12), (69, 70)):
        code, out = run_json("consistency", "--old", str(old), "--new", str(new))
        assert code == 0
        assert sorted(out) == ["consistency_path", "new_root", "new_size", "old_root",
                               "old_size"]
        assert (out["old_size"], out["new_size"]) == (old, new)
        assert b(out["old_root"]) == merkle.root(SM3, leaves()[:old])
        assert b(out["new_root"]) == merkle.root(SM3, leaves()[:new])
        assert merkle.verify_consistency(
            SM3, old_size=old, new_size=new, old_root=b(out["old_root"]),
            new_root=b(out["new_root"]),
            consistency_path=[b(p) for p in out["consistency_path"]])


@pytest.mark.parametrize(("args", "message"), [
    (("prove", "--seq", "9"), "The entry is not in a tree of that size."),
    (("prove", "--seq", "1", "--size", "11"),
     "The tree size must be between 1 and the ledger's size."),
    (("prove", "--seq", "0", "--size", "0"),
     "The tree size must be between 1 and the ledger's size."),
    (("consistency", "--old", "6", "--new", "5"),
     "The sizes must satisfy 0 ≤ old ≤ new ≤ the ledger's size."),
    (("consistency", "--old", "1", "--new", "11"),
     "The sizes must satisfy 0 ≤ old ≤ new ≤ the ledger's size."),
])
def test_requests_outside_the_ledger_exit_2(args: tuple[str, ...], message: str,
                                            settings) -> None:  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "en"
    append_mixed(9)
    from django.utils import translation

    with translation.override("en"):
        assert run_ledger(*args) == (2, message)


def test_verify_json_of_an_intact_ledger(
        settings, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    append_mixed(20)
    with django_capture_on_commit_callbacks(execute=True):
        _, signed = run_json("checkpoint")
    log = settings.ZHIFA_LEDGER_CHECKPOINT_LOG
    # The checkpoint log's line is what the command printed.
    with open(log, encoding="utf-8") as handle:
        assert [json.loads(line) for line in handle] == [signed]
    code, out = run_json("verify")
    assert code == 0
    assert out == {
        "ok": True, "algorithm": "sm3", "tree_size": 21,
        "root_hash": base64.b64encode(merkle.root(SM3, leaves())).decode(),
        "checkpoints_verified": 1, "cosignatures_verified": 0, "first_bad": None,
        "problems": [], "problems_total": 0,
        "checkpoint_log": log, "logged_checkpoints": 1,
    }


def test_verify_of_an_empty_ledger() -> None:
    code, out = run_json("verify")
    assert (code, out["ok"], out["tree_size"]) == (0, True, 0)
    assert b(out["root_hash"]) == hashlib.new("sm3", b"").digest()
