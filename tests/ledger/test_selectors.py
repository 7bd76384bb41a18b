"""Selectors: a stream's entries with their state, proofs from the stored tree."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests import factories as f
from tests.ledger.helpers import append, append_mixed, raw, triggers_dropped
from zhifa.core.errors import InvalidInput, NotFound
from zhifa.ledger import merkle
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import (
    EntryView,
    checkpoint_get,
    checkpoint_latest,
    consistency_proof,
    inclusion_proof,
    stream_entries,
)
from zhifa.ledger.services import checkpoint_sign

pytestmark = pytest.mark.django_db
SM3 = merkle.hasher("sm3")


def leaves() -> list[bytes]:
    return [bytes(h) for h in LedgerEntry.objects.order_by("seq").values_list(
        "leaf_hash", flat=True)]


def test_stream_entries_pending_then_verified() -> None:
    w = f.World()
    first = append(2, stream="case:x", actor=w.u_officer_a, body=w.body_a)
    with translation.override("zh-hans"):
        views = stream_entries(stream="case:x")
    assert views == [
        EntryView(seq=e.seq, stream_seq=i, event_code=9901, event_name="test.recorded",
                  text=f"Test entry {i}", actor_name="李明", recorded_at=e.recorded_at,
                  payload={"n": i}, leaf_hash_hex=bytes(e.leaf_hash).hex(), status="pending")
        for i, e in enumerate(first)]
    checkpoint_sign(actor=None)
    append(1, stream="case:x", start=2)
    assert [v.status for v in stream_entries(stream="case:x")] == [
        "verified", "verified", "pending"]
    assert isinstance(stream_entries(stream="case:x")[0].recorded_at, dt.datetime)
    assert stream_entries(stream="nothing") == []


def test_stream_entries_marks_broken_links() -> None:
    append_mixed(12, streams=2)
    checkpoint_sign(actor=None)
    with triggers_dropped():
        raw("UPDATE ledger_ledgerentry SET payload = %s WHERE seq = 4", ['{"n":40}'])
    assert [v.status for v in stream_entries(stream="case:0")] == [
        "verified", "verified", "broken", "verified", "verified", "verified"]
    assert [v.status for v in stream_entries(stream="case:1")] == ["verified"] * 6
    # A forged checkpoint signature makes nothing "verified" any more.
    with triggers_dropped():
        raw("UPDATE ledger_checkpoint SET signature = %s", [bytes(64)])
    assert {v.status for v in stream_entries(stream="case:1")} == {"pending"}


def test_inclusion_proofs_for_every_entry_and_size() -> None:
    append_mixed(50)
    all_leaves = leaves()
    for size in (1, 2, 15, 16, 17, 33, 50):
        root = merkle.root(SM3, all_leaves[:size])
        for seq in range(size):
            proof = inclusion_proof(seq=seq, size=size)
            assert (proof.leaf_index, proof.tree_size, proof.root_hash) == (seq, size, root)
            assert proof.leaf_hash == all_leaves[seq]
            assert proof.inclusion_path == merkle.inclusion_path(SM3, seq, all_leaves[:size])
            assert proof.verify()
    assert inclusion_proof(seq=3).tree_size == 50


def test_consistency_proofs_for_many_sizes() -> None:
    append_mixed(70)
    all_leaves = leaves()
    for new in (1, 16, 31, 32, 33, 64, 70):
        for old in range(0, new + 1):
            proof = consistency_proof(old=old, new=new)
            assert proof.old_root == merkle.root(SM3, all_leaves[:old])
            assert proof.new_root == merkle.root(SM3, all_leaves[:new])
            assert proof.consistency_path == merkle.consistency_path(SM3, old,
                                                                     all_leaves[:new])
            assert proof.verify()


def test_proofs_are_a_few_queries() -> None:
    append_mixed(300)
    with CaptureQueriesContext(connection) as ctx:
        inclusion_proof(seq=123)
    # head, entry, stored nodes, leaf hashes
    assert len(ctx.captured_queries) == 4
    with CaptureQueriesContext(connection) as ctx:
        consistency_proof(old=100, new=299)
    assert len(ctx.captured_queries) == 3


def test_proof_errors() -> None:
    append_mixed(10)
    with pytest.raises(InvalidInput) as exc:
        inclusion_proof(seq=10)
    assert (exc.value.code, exc.value.detail) == (
        "ledger_size_out_of_range", {"leaf_index": 10, "tree_size": 10})
    with pytest.raises(InvalidInput) as exc:
        inclusion_proof(seq=0, size=11)
    assert exc.value.detail == {"tree_size": 11, "ledger_size": 10}
    with pytest.raises(InvalidInput):
        consistency_proof(old=-1, new=3)
    with triggers_dropped():
        raw("DELETE FROM ledger_ledgerentry WHERE seq = 4")
    with pytest.raises(NotFound) as missing:
        inclusion_proof(seq=4)
    assert missing.value.code == "ledger_entry_not_found"
    with pytest.raises(NotFound) as gone:
        inclusion_proof(seq=5)
    assert gone.value.code == "ledger_tree_incomplete"


def test_checkpoint_lookups() -> None:
    with pytest.raises(NotFound) as exc:
        checkpoint_latest()
    assert exc.value.code == "checkpoint_not_found"
    append(3)
    first = checkpoint_sign(actor=None)
    second = checkpoint_sign(actor=None)
    assert (first.tree_size, second.tree_size) == (3, 4)
    assert checkpoint_latest() == second
    assert checkpoint_get(public_id=str(first.public_id)) == first
    for bad in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(NotFound):
            checkpoint_get(public_id=bad)
