"""Tampering as an attacker with database access would do it — triggers dropped, rows
edited, deleted, swapped, hashes even recomputed — is caught by ``zhifa ledger verify``,
which exits 1 and names the first bad entry."""

from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from tests import factories as f
from tests.ledger.helpers import append_mixed, raw, run_json, run_ledger, triggers_dropped
from zhifa.ledger import merkle
from zhifa.ledger.canonical import checkpoint_text
from zhifa.ledger.models import Checkpoint, Cosignature, LedgerEntry, LedgerHead, LedgerNode
from zhifa.ledger.selectors import entry_leaf_data
from zhifa.ledger.services import checkpoint_message, checkpoint_sign, cosignature_add
from zhifa.ledger.tree import NODE_MIN_LEVEL

pytestmark = pytest.mark.django_db
SM3 = merkle.hasher("sm3")


@pytest.fixture
def ledger() -> dict[str, Any]:
    """40 entries over three streams, a checkpoint (recorded as entry 40), 10 more entries,
    a second checkpoint (entry 51) and a witness cosignature on it (entry 52)."""
    w = f.World()
    base = LedgerEntry.objects.count()
    append_mixed(40 - base)
    first = checkpoint_sign(actor=None)
    append_mixed(10)
    second = checkpoint_sign(actor=None)
    key = ed25519.Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    cosignature = cosignature_add(actor=w.u_supervisor, checkpoint=second, public_key=public,
                                  signature=key.sign(checkpoint_message(second)))
    assert (first.tree_size, second.tree_size, LedgerEntry.objects.count()) == (40, 51, 53)
    code, report = run_json("verify")
    assert (code, report["ok"], report["checkpoints_verified"]) == (0, True, 2)
    return {"first": first, "second": second, "cosignature": cosignature}


def first_bad() -> dict[str, Any]:
    code, report = run_json("verify")
    assert code == 1
    assert report["ok"] is False
    return report["first_bad"]  # type: ignore[no-any-return]


def kinds() -> set[str]:
    return {p["kind"] for p in run_json("verify")[1]["problems"]}


def _bytes(value: Any) -> bytes:
    return bytes(value)


def rewrite_stream_from(seq: int) -> None:
    """Recompute the leaf hash of entry ``seq`` and the chain from it on, as a careful
    attacker would after editing the entry."""
    entry = LedgerEntry.objects.get(seq=seq)
    prev = _bytes(entry.prev_hash)
    for link in LedgerEntry.objects.filter(stream=entry.stream,
                                           stream_seq__gte=entry.stream_seq).order_by("seq"):
        leaf = SM3.leaf(entry_leaf_data(link))
        chain = SM3.digest(prev + leaf)
        raw("UPDATE ledger_ledgerentry SET leaf_hash = %s, prev_hash = %s, chain_hash = %s "
            "WHERE seq = %s", [leaf, prev, chain, link.seq])
        prev = chain


def rewrite_tree() -> None:
    """Recompute every stored node and the head from the (forged) leaf hashes."""
    leaves = [_bytes(h) for h in LedgerEntry.objects.order_by("seq").values_list(
        "leaf_hash", flat=True)]
    frontier = merkle.Frontier(SM3)
    raw("DELETE FROM ledger_ledgernode")
    for leaf in leaves:
        for level, index, value in frontier.append(leaf):
            if level >= NODE_MIN_LEVEL:
                key = (((index + 1) << level) - 1) << 6 | level
                raw('INSERT INTO ledger_ledgernode ("key", hash) VALUES (%s, %s)', [key, value])
    raw("UPDATE ledger_ledgerhead SET size = %s, frontier = %s WHERE id = 1",
        [frontier.size, frontier.to_bytes()])


def test_an_intact_ledger_verifies(ledger: dict[str, Any]) -> None:
    code, output = run_ledger("verify")
    assert code == 0
    assert "53 entries (sm3), 2 checkpoint(s) and 1 cosignature(s) checked" in output
    assert output.rstrip().endswith("ledger verification OK")


def test_edited_payload(ledger: dict[str, Any]) -> None:
    stream = LedgerEntry.objects.get(seq=17).stream
    with triggers_dropped():
        raw("UPDATE ledger_ledgerentry SET payload = %s WHERE seq = 17", ['{"n":1700}'])
    bad = first_bad()
    assert (bad["seq"], bad["kind"], bad["stream"]) == (17, "altered", stream)
    code, output = run_ledger("verify")
    assert code == 1
    assert output.splitlines()[-1] == (
        f"ledger verification FAILED: first bad entry 17 (stream '{stream}'): altered: entry 17 "
        f"({stream}/{LedgerEntry.objects.get(seq=17).stream_seq}) does not hash to its leaf "
        "hash: its content was changed")
    # The stored leaf hash is still the signed one: nothing else is reported.
    assert kinds() == {"altered"}


@pytest.mark.parametrize("column", ["actor_name", "event_code", "recorded_at", "stream_seq"])
def test_edited_other_fields(ledger: dict[str, Any], column: str) -> None:
    value = {"actor_name": "'someone'", "event_code": "9000",
             "recorded_at": "recorded_at", "stream_seq": "stream_seq + 100"}[column]
    if column == "recorded_at":  # one microsecond later, in each database's own syntax
        from django.db import connection

        value = ("recorded_at + interval '1 microsecond'" if connection.vendor == "postgresql"
                 else "strftime('%Y-%m-%d %H:%M:%f', recorded_at, '+1 second')")
    with triggers_dropped():
        raw(f"UPDATE ledger_ledgerentry SET {column} = {value} WHERE seq = 23")
    bad = first_bad()
    assert (bad["seq"], bad["kind"]) == (23, "altered")


def test_deleted_row(ledger: dict[str, Any]) -> None:
    with triggers_dropped():
        raw("DELETE FROM ledger_ledgerentry WHERE seq = 12")
    bad = first_bad()
    assert (bad["seq"], bad["kind"], bad["message"]) == (12, "missing", "entry 12 is missing")
    code, output = run_ledger("verify")
    assert code == 1
    assert "first bad entry 12: missing" in output
    # The stream it belonged to no longer links either.
    assert "chain_broken" in kinds()


def test_deleted_rows_at_the_end_with_the_head_fixed(ledger: dict[str, Any]) -> None:
    """Cut the ledger back to 45 entries and rewrite the head: the second checkpoint (51)
    still says more was there."""
    with triggers_dropped():
        raw("DELETE FROM ledger_ledgerentry WHERE seq >= 45")
        rewrite_tree()
    bad = first_bad()
    assert (bad["seq"], bad["kind"]) == (45, "truncated")


def test_swapped_rows(ledger: dict[str, Any]) -> None:
    with triggers_dropped():
        raw("UPDATE ledger_ledgerentry SET seq = -1 WHERE seq = 8")
        raw("UPDATE ledger_ledgerentry SET seq = 8 WHERE seq = 30")
        raw("UPDATE ledger_ledgerentry SET seq = 30 WHERE seq = -1")
    bad = first_bad()
    assert (bad["seq"], bad["kind"]) == (8, "reordered")
    assert bad["message"] == ("entries 8 and 30 were swapped or moved: each holds content "
                              "recorded under another sequence number")
    problems = run_json("verify")[1]["problems"]
    assert [(p["seq"], p["kind"]) for p in problems if p["kind"] == "reordered"] == [
        (8, "reordered"), (30, "reordered")]


def test_swapped_contents(ledger: dict[str, Any]) -> None:
    """The rows keep their numbers but trade everything else, hashes included."""
    columns = ["stream", "stream_seq", "event_code", "actor_id", "actor_name", "body_id",
               "recorded_at", "payload", "leaf_hash", "prev_hash", "chain_hash"]
    a = LedgerEntry.objects.get(seq=5)
    b = LedgerEntry.objects.get(seq=6)
    with triggers_dropped():
        raw("UPDATE ledger_ledgerentry SET stream = 'tmp', stream_seq = -1 WHERE seq = 5")
        for target, source in ((6, a), (5, b)):
            raw(f"UPDATE ledger_ledgerentry SET {', '.join(c + ' = %s' for c in columns)} "
                "WHERE seq = %s", [getattr(source, c) for c in columns] + [target])
    bad = first_bad()
    assert (bad["seq"], bad["kind"]) == (5, "reordered")


def test_recomputed_hashes_are_caught_by_the_stored_tree(ledger: dict[str, Any]) -> None:
    with triggers_dropped():
        raw("UPDATE ledger_ledgerentry SET payload = %s WHERE seq = 20", ['{"n":2000}'])
        rewrite_stream_from(20)
    bad = first_bad()
    # Entry 20 lies in the subtree of entries 16–31, whose stored hash no longer matches.
    assert (bad["seq"], bad["kind"]) == (16, "node_mismatch")
    assert "checkpoint_root_mismatch" in kinds()


def test_a_rewritten_tree_is_caught_by_the_signed_checkpoints(ledger: dict[str, Any]) -> None:
    with triggers_dropped():
        raw("UPDATE ledger_ledgerentry SET payload = %s WHERE seq = 20", ['{"n":2000}'])
        rewrite_stream_from(20)
        rewrite_tree()
    bad = first_bad()
    assert (bad["seq"], bad["kind"]) == (40, "checkpoint_root_mismatch")
    assert kinds() == {"checkpoint_root_mismatch"}


def test_altered_checkpoint(ledger: dict[str, Any]) -> None:
    with triggers_dropped():
        raw("UPDATE ledger_checkpoint SET root_hash = %s WHERE tree_size = 40", [bytes(32)])
    bad = first_bad()
    assert (bad["seq"], bad["kind"]) == (40, "checkpoint_root_mismatch")
    assert kinds() == {"checkpoint_root_mismatch", "checkpoint_signature_invalid",
                       "checkpoint_altered"}


def test_checkpoint_re_signed_with_another_key(ledger: dict[str, Any]) -> None:
    """The attacker rewrites the tree, then signs new checkpoints with a key of their own."""
    with triggers_dropped():
        raw("UPDATE ledger_ledgerentry SET payload = %s WHERE seq = 20", ['{"n":2000}'])
        rewrite_stream_from(20)
        rewrite_tree()
        leaves = [bytes(h) for h in LedgerEntry.objects.order_by("seq").values_list(
            "leaf_hash", flat=True)]
        forger = ed25519.Ed25519PrivateKey.generate()
        public = forger.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        for cp in Checkpoint.objects.all():
            root = merkle.root(SM3, leaves[:cp.tree_size])
            text = checkpoint_text(algorithm="sm3", tree_size=cp.tree_size, root_hash=root,
                                   timestamp=cp.timestamp)
            raw("UPDATE ledger_checkpoint SET root_hash = %s, signature = %s, public_key = %s "
                "WHERE id = %s", [root, forger.sign(text), public, cp.pk])
    bad = first_bad()
    assert (bad["seq"], bad["kind"]) == (40, "checkpoint_untrusted_key")


def test_deleted_checkpoint(ledger: dict[str, Any]) -> None:
    with triggers_dropped():
        raw("DELETE FROM ledger_checkpoint WHERE tree_size = 40")
    bad = first_bad()
    assert (bad["seq"], bad["kind"]) == (40, "checkpoint_missing")


def test_altered_cosignature(ledger: dict[str, Any]) -> None:
    co: Cosignature = ledger["cosignature"]
    with triggers_dropped():
        raw("UPDATE ledger_cosignature SET signature = %s WHERE id = %s",
            [bytes(64), co.pk])
    bad = first_bad()
    assert (bad["seq"], bad["kind"]) == (51, "cosignature_invalid")
    assert kinds() == {"cosignature_invalid", "cosignature_altered"}


def test_altered_node(ledger: dict[str, Any]) -> None:
    node = LedgerNode.objects.order_by("key")[1]
    with triggers_dropped():
        raw('UPDATE ledger_ledgernode SET hash = %s WHERE "key" = %s', [bytes(32), node.key])
    bad = first_bad()
    assert (bad["seq"], bad["kind"]) == (16, "node_mismatch")


def test_altered_head(ledger: dict[str, Any]) -> None:
    raw("UPDATE ledger_ledgerhead SET frontier = %s WHERE id = 1",
        [bytes(32) * LedgerHead.objects.get().size.bit_count()])
    assert kinds() == {"head_mismatch"}


def test_verify_checks_the_ledger_as_it_was_when_it_started(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Appends and a checkpoint that land while the scan runs are left for the next run,
    not reported as tampering."""
    from zhifa.ledger import verify as module

    append_mixed(20)
    checkpoint_sign(actor=None)
    started = LedgerHead.objects.get()  # what the scan reads first: 21 entries
    append_mixed(5)
    checkpoint_sign(actor=None)  # at 26, recorded as entry 26

    class Snapshot:
        def first(self) -> LedgerHead:
            return started

    class Heads:
        def __init__(self) -> None:
            self.calls = 0

        def filter(self, **kwargs: Any) -> Any:
            self.calls += 1
            return Snapshot() if self.calls == 1 else LedgerHead.objects.filter(**kwargs)

    monkeypatch.setattr(module, "LedgerHead", type("Head", (), {"objects": Heads()}))
    report = module.ledger_verify()
    assert (report.ok, report.entries, report.checkpoints) == (True, 21, 1)
