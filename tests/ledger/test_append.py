"""Appending: fields, chains, the tree's stored nodes, transactions, bulk = one by one."""

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from tests.ledger.helpers import TEST_EVENT, append, append_mixed, run_ledger
from zhifa.ledger import merkle
from zhifa.ledger.canonical import PayloadError
from zhifa.ledger.conf import LedgerMisconfigured
from zhifa.ledger.events import EventType
from zhifa.ledger.models import LedgerEntry, LedgerHead, LedgerNode
from zhifa.ledger.selectors import consistency_proof, entry_leaf_data, inclusion_proof
from zhifa.ledger.services import NewEntry, ledger_append, ledger_append_many
from zhifa.ledger.tree import node_key, node_position
from zhifa.ledger.verify import ledger_verify

pytestmark = pytest.mark.django_db
SM3 = merkle.hasher("sm3")


@pytest.mark.django_db(transaction=True)
def test_append_outside_a_transaction_is_refused() -> None:
    # A transactional test: any other test already runs inside the test's transaction.
    with pytest.raises(RuntimeError, match="inside the transaction"):
        ledger_append(actor=None, event=TEST_EVENT, payload={"n": 1})
    assert LedgerEntry.objects.count() == 0


def test_entry_fields_and_hashes() -> None:
    w = f.World()  # the registry services record their own entries first
    with transaction.atomic():
        entry = ledger_append(actor=w.u_officer_a, event=TEST_EVENT, payload={"n": 1, "a": "甲"},
                              stream="case:1", body=w.body_a)
    seq = entry.seq
    assert seq == LedgerEntry.objects.count() - 1
    stored = LedgerEntry.objects.get(seq=seq)
    assert (stored.stream, stored.stream_seq, stored.event_code) == ("case:1", 0, 9901)
    assert (stored.actor_id, stored.actor_name, stored.body_id) == (
        w.u_officer_a.pk, "李明", w.body_a.pk)
    assert stored.payload == '{"a":"甲","n":1}'
    assert stored.recorded_at == entry.recorded_at
    when = stored.recorded_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    data = (f'[1,{seq},"case:1",0,9901,{w.u_officer_a.pk},"李明",{w.body_a.pk},"{when}",'
            '{"a":"甲","n":1}]').encode()
    assert entry_leaf_data(stored) == data
    leaf = hashlib.new("sm3", b"\x00" + data).digest()
    assert bytes(stored.leaf_hash) == leaf == bytes(entry.leaf_hash)
    assert bytes(stored.prev_hash) == bytes(32)
    assert bytes(stored.chain_hash) == hashlib.new("sm3", bytes(32) + leaf).digest()
    head = LedgerHead.objects.get()
    leaves = [bytes(h) for h in LedgerEntry.objects.order_by("seq").values_list(
        "leaf_hash", flat=True)]
    assert (head.algorithm, head.size) == ("sm3", seq + 1)
    assert merkle.Frontier.from_bytes(SM3, head.size, bytes(head.frontier)).root() == (
        merkle.root(SM3, leaves))


def test_system_entries_have_no_actor() -> None:
    entry = LedgerEntry.objects.get(seq=append(1)[0].seq)
    assert (entry.actor_id, entry.actor_name, entry.body_id) == (None, "", None)
    user = f.user(None, username="ops")
    with transaction.atomic():
        seq = ledger_append(actor=user, event=TEST_EVENT, payload={}).seq
    assert LedgerEntry.objects.get(seq=seq).actor_name == "ops"


def test_chains_link_within_each_stream() -> None:
    entries = append_mixed(9, streams=3)
    for stream in ("case:0", "case:1", "case:2"):
        links = list(LedgerEntry.objects.filter(stream=stream).order_by("stream_seq"))
        assert [e.stream_seq for e in links] == [0, 1, 2]
        assert [e.seq for e in links] == [int(stream[-1]) + 3 * i for i in range(3)]
        prev = bytes(32)
        for e in links:
            assert bytes(e.prev_hash) == prev
            assert bytes(e.chain_hash) == SM3.digest(prev + bytes(e.leaf_hash))
            prev = bytes(e.chain_hash)
    assert [e.seq for e in entries] == list(range(9))


def test_stored_nodes_and_head_match_the_tree() -> None:
    append_mixed(70)
    leaves = [bytes(h) for h in LedgerEntry.objects.order_by("seq").values_list(
        "leaf_hash", flat=True)]
    keys = sorted(LedgerNode.objects.values_list("key", flat=True))
    # Subtrees of 16 leaves or more: four of 16, two of 32, one of 64.
    assert [node_position(k) for k in keys] == [(4, 0), (4, 1), (5, 0), (4, 2), (4, 3),
                                                (5, 1), (6, 0)]
    for key in keys:
        level, index = node_position(key)
        assert node_key(level, index) == key
        stored = bytes(LedgerNode.objects.get(key=key).hash)
        assert stored == merkle.range_hash(SM3, leaves, index << level, (index + 1) << level)
    head = LedgerHead.objects.get()
    assert head.size == 70
    assert merkle.Frontier.from_bytes(SM3, 70, bytes(head.frontier)).root() == merkle.root(
        SM3, leaves)


def test_append_is_a_handful_of_queries() -> None:
    append(1)
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        ledger_append(actor=None, event=TEST_EVENT, payload={"n": 1}, stream="s")
    # Lock the head, read the stream's last link, insert the entry, update the head.
    assert len(ctx.captured_queries) == 4
    append(13, start=2)  # the next append (seq 15) completes a subtree of 16
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        ledger_append(actor=None, event=TEST_EVENT, payload={"n": 16}, stream="s")
    assert len(ctx.captured_queries) == 5
    assert LedgerNode.objects.count() == 1


def test_rollback_leaves_no_entry() -> None:
    append(2)
    head_before = LedgerHead.objects.values_list("size", "frontier").get()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        ledger_append(actor=None, event=TEST_EVENT, payload={"n": 3}, stream="s")
        assert LedgerEntry.objects.count() == 3
        1 / 0  # noqa: B018 - the change that the entry records fails
    assert LedgerEntry.objects.count() == 2
    assert LedgerHead.objects.values_list("size", "frontier").get() == head_before
    entry = append(1, start=9)[0]
    assert (entry.seq, entry.stream_seq) == (2, 2)
    assert ledger_verify().ok


def test_refused_payloads_and_events_write_nothing() -> None:
    append(1)
    with pytest.raises(PayloadError), transaction.atomic():
        ledger_append(actor=None, event=TEST_EVENT, payload={"amount": 1.5})
    forged = EventType(code=9901, name="test.forged", template=TEST_EVENT.template)
    with pytest.raises(ValueError, match="not the registered one"), transaction.atomic():
        ledger_append(actor=None, event=forged, payload={})
    with pytest.raises(ValueError, match="at most 100"), transaction.atomic():
        ledger_append(actor=None, event=TEST_EVENT, payload={}, stream="x" * 101)
    assert LedgerEntry.objects.count() == 1
    assert LedgerHead.objects.get().size == 1


def test_bulk_gives_the_same_hashes_as_one_by_one() -> None:
    w = f.World()
    specs = [dict(stream=f"case:{i % 4}", payload={"n": i, "note": "第" + str(i)},
                  actor=w.u_officer_a if i % 3 else None, body=w.body_a if i % 2 else None)
             for i in range(53)]
    append(5, stream="case:1")  # streams that already have links
    base = LedgerEntry.objects.count()
    sid = transaction.savepoint()
    with transaction.atomic():
        singles = [ledger_append(event=TEST_EVENT, **s) for s in specs]  # type: ignore[arg-type]
    one_by_one = {
        "entries": list(LedgerEntry.objects.order_by("seq").values_list(
            "seq", "stream", "stream_seq", "payload", "leaf_hash", "prev_hash", "chain_hash")),
        "nodes": list(LedgerNode.objects.order_by("key").values_list("key", "hash")),
        "head": LedgerHead.objects.values_list("size", "frontier").get(),
    }
    transaction.savepoint_rollback(sid)
    assert LedgerEntry.objects.count() == base

    count = ledger_append_many(batch_size=7, entries=(
        NewEntry(event=TEST_EVENT, recorded_at=single.recorded_at, **s)  # type: ignore[arg-type]
        for s, single in zip(specs, singles, strict=True)))
    assert count == 53
    bulk = {
        "entries": list(LedgerEntry.objects.order_by("seq").values_list(
            "seq", "stream", "stream_seq", "payload", "leaf_hash", "prev_hash", "chain_hash")),
        "nodes": list(LedgerNode.objects.order_by("key").values_list("key", "hash")),
        "head": LedgerHead.objects.values_list("size", "frontier").get(),
    }
    norm = lambda rows: [tuple(bytes(v) if isinstance(v, memoryview) else v  # noqa: E731
                               for v in row) for row in rows]
    assert norm(bulk["entries"]) == norm(one_by_one["entries"])
    assert norm(bulk["nodes"]) == norm(one_by_one["nodes"])
    assert norm([bulk["head"]]) == norm([one_by_one["head"]])
    assert list(LedgerEntry.objects.order_by("seq").values_list(
        "actor_name", flat=True))[base:base + 4] == ["", "李明", "李明", ""]
    assert ledger_verify().ok


def test_bulk_of_nothing_appends_nothing() -> None:
    assert ledger_append_many(entries=[]) == 0
    assert LedgerEntry.objects.count() == 0


def test_sha256_installation(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ZHIFA_LEDGER_HASH = "sha256"
    append_mixed(20)
    entry = LedgerEntry.objects.get(seq=19)
    assert bytes(entry.leaf_hash) == hashlib.sha256(b"\x00" + entry_leaf_data(entry)).digest()
    assert LedgerHead.objects.get().algorithm == "sha256"
    proof = inclusion_proof(seq=19)
    leaves = [bytes(h) for h in LedgerEntry.objects.order_by("seq").values_list(
        "leaf_hash", flat=True)]
    assert proof.root_hash == merkle.root(merkle.hasher("sha256"), leaves)
    assert proof.verify()


def test_a_changed_algorithm_is_refused(settings) -> None:  # type: ignore[no-untyped-def]
    append(3)
    settings.ZHIFA_LEDGER_HASH = "sha256"
    message = ("The ledger was started with sm3 and ZHIFA_LEDGER_HASH is now sha256: set "
               "ZHIFA_LEDGER_HASH=sm3 again (the algorithm of an existing ledger cannot "
               "change).")
    with pytest.raises(LedgerMisconfigured) as exc, transaction.atomic():
        ledger_append(actor=None, event=TEST_EVENT, payload={})
    assert str(exc.value) == message
    with pytest.raises(LedgerMisconfigured):
        ledger_append_many(entries=[NewEntry(event=TEST_EVENT, payload={})])
    with pytest.raises(LedgerMisconfigured):
        inclusion_proof(seq=0)
    with pytest.raises(LedgerMisconfigured):
        consistency_proof(old=1, new=2)
    for args in (("verify",), ("checkpoint",), ("prove", "--seq", "0"),
                 ("consistency", "--old", "1", "--new", "2")):
        code, output = run_ledger(*args)
        assert (code, output) == (2, message)
    assert LedgerEntry.objects.count() == 3
    settings.ZHIFA_LEDGER_HASH = "md5"
    with pytest.raises(ImproperlyConfigured, match="ZHIFA_LEDGER_HASH='md5'"):
        inclusion_proof(seq=0)


def test_a_failing_bulk_import_writes_nothing() -> None:
    append(3)
    head = LedgerHead.objects.values_list("size", "frontier").get()
    entries = [NewEntry(event=TEST_EVENT, payload={"n": i}) for i in range(20)]
    entries[13] = NewEntry(event=TEST_EVENT, payload={"amount": 0.5})
    with pytest.raises(PayloadError, match=r"payload\.amount: floats are not allowed"):
        ledger_append_many(entries=entries, batch_size=5)
    assert LedgerEntry.objects.count() == 3
    assert LedgerHead.objects.values_list("size", "frontier").get() == head


def test_a_large_import_refreshes_the_statistics(monkeypatch: pytest.MonkeyPatch) -> None:
    from zhifa.ledger.services import append as module

    monkeypatch.setattr(module, "ANALYZE_AFTER", 10)
    with CaptureQueriesContext(connection) as ctx:
        ledger_append_many(entries=[NewEntry(event=TEST_EVENT, payload={"n": i})
                                    for i in range(12)])
    analyzed = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("ANALYZE")]
    expected = (["ANALYZE ledger_ledgerentry, ledger_ledgernode"]
                if connection.vendor == "postgresql" else [])
    assert analyzed == expected
    assert ledger_verify().ok
