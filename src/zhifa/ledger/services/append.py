"""Appending entries: one at a time inside a service's transaction, or in bulk (imports).

Both paths compute the same hashes: the leaf hash of ``canonical.leaf_data``, the stream's
chain ``chain_hash = H(prev_chain_hash || leaf_hash)`` (the first link of a stream has
``prev_hash`` = as many zero bytes as the digest), and the global tree's right edge.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from .. import conf
from ..canonical import canonical_json, leaf_data, timestamp_text
from ..events import EventType, event_get
from ..merkle import Frontier, Hasher, hasher
from ..models import LedgerEntry, LedgerHead
from ..tree import NODE_MIN_LEVEL, node_key

if TYPE_CHECKING:
    from zhifa.orgs.models import EnforcementBody, User

STREAM_MAX_LENGTH = 100


def actor_label(actor: "User | None") -> str:
    """The name kept with the entry, so that it reads the same after the account changes."""
    if actor is None:
        return ""
    if actor.person_id:
        return str(actor.person.name)  # type: ignore[union-attr]
    return actor.get_full_name() or str(actor.username)


def lock_head() -> LedgerHead:
    """The head row, locked for this transaction; created by the first append with the
    configured hash algorithm, which is then fixed for good."""
    head = _locked_head()
    if head is None:
        # ON CONFLICT DO NOTHING: two first appends racing on PostgreSQL both end up here.
        LedgerHead.objects.bulk_create([LedgerHead(pk=1, algorithm=conf.hash_algorithm())],
                                       ignore_conflicts=True)
        head = _locked_head()
        assert head is not None
    check_algorithm(head)
    return head


def _locked_head() -> LedgerHead | None:
    # Raw SQL: this runs for every recorded change, and the ORM's query building costs
    # more than the query.
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT algorithm, size, frontier FROM ledger_ledgerhead WHERE id = 1{lock}")
        row = cursor.fetchone()
    if row is None:
        return None
    return LedgerHead(id=1, algorithm=row[0], size=row[1], frontier=bytes(row[2]))


def check_algorithm(head: LedgerHead | None) -> None:
    wanted = conf.hash_algorithm()
    if head is not None and head.algorithm != wanted:
        raise conf.LedgerMisconfigured(
            f"The ledger was started with {head.algorithm} and ZHIFA_LEDGER_HASH is now "
            f"{wanted}: set ZHIFA_LEDGER_HASH={head.algorithm} again (the algorithm of an "
            f"existing ledger cannot change).")


def _check_event(event: EventType) -> None:
    registered = event_get(event.code)
    if registered is not event and registered.name != event.name:
        raise ValueError(f"event {event.name} ({event.code}) is not the registered one")


def _check_stream(stream: str) -> None:
    if len(stream) > STREAM_MAX_LENGTH:
        raise ValueError(f"stream names are at most {STREAM_MAX_LENGTH} characters")


ENTRY_COLUMNS = ("seq", "stream", "stream_seq", "event_code", "actor_id", "actor_name",
                 "body_id", "recorded_at", "payload", "leaf_hash", "prev_hash", "chain_hash")
_INSERT_ENTRY = (f"INSERT INTO ledger_ledgerentry ({', '.join(ENTRY_COLUMNS)}) "
                 f"VALUES ({', '.join(['%s'] * len(ENTRY_COLUMNS))})")


def ledger_append(
    *, actor: "User | None", event: EventType, payload: Mapping[str, Any],
    stream: str = "", body: "EnforcementBody | None" = None,
) -> LedgerEntry:
    """Record ``event`` as the next entry, in the caller's transaction: the entry commits or
    rolls back with the change it records. At most five queries: lock the head, read the
    stream's last link, insert the entry, insert the tree nodes it completes (one append in
    16), update the head."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger_append must run inside the transaction of the change it "
                           "records (transaction.atomic)")
    _check_event(event)
    _check_stream(stream)
    text = canonical_json(payload)
    # savepoint=False: a failure here marks the caller's transaction for rollback, so a
    # change can never commit without its entry.
    with transaction.atomic(savepoint=False):
        head = lock_head()
        h = hasher(head.algorithm)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT stream_seq, chain_hash FROM ledger_ledgerentry WHERE stream = %s "
                "ORDER BY stream_seq DESC LIMIT 1", [stream])
            last = cursor.fetchone()
            stream_seq, prev = (0, bytes(h.size)) if last is None else (last[0] + 1,
                                                                       bytes(last[1]))
            seq = head.size
            recorded_at = timezone.now()
            actor_name = actor_label(actor)
            actor_id = actor.pk if actor is not None else None
            body_id = body.pk if body is not None else None
            leaf = h.leaf(leaf_data(
                seq=seq, stream=stream, stream_seq=stream_seq, event_code=event.code,
                actor_id=actor_id, actor_name=actor_name, body_id=body_id,
                recorded_at=timestamp_text(recorded_at), payload=text))
            chain = h.digest(prev + leaf)
            cursor.execute(_INSERT_ENTRY, [
                seq, stream, stream_seq, event.code, actor_id, actor_name, body_id,
                connection.ops.adapt_datetimefield_value(recorded_at), text, leaf, prev, chain])
            frontier = Frontier.from_bytes(h, head.size, bytes(head.frontier))
            nodes = [(node_key(level, index), value)
                     for level, index, value in frontier.append(leaf)
                     if level >= NODE_MIN_LEVEL]
            if nodes:
                cursor.executemany('INSERT INTO ledger_ledgernode ("key", hash) '
                                   "VALUES (%s, %s)", nodes)
            cursor.execute("UPDATE ledger_ledgerhead SET size = %s, frontier = %s, "
                           "updated_at = %s WHERE id = 1",
                           [frontier.size, frontier.to_bytes(),
                            connection.ops.adapt_datetimefield_value(recorded_at)])
    entry = LedgerEntry(
        seq=seq, stream=stream, stream_seq=stream_seq, event_code=event.code,
        actor_id=actor_id, actor_name=actor_name, body_id=body_id, recorded_at=recorded_at,
        payload=text, leaf_hash=leaf, prev_hash=prev, chain_hash=chain)
    entry._state.adding = False
    entry._state.db = connection.alias
    return entry


# --- Bulk ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewEntry:
    event: EventType
    payload: Mapping[str, Any]
    stream: str = ""
    actor: "User | None" = None
    body: "EnforcementBody | None" = None
    # When the recorded fact happened, for imports of older records; default: now.
    recorded_at: dt.datetime | None = field(default=None)


BATCH_SIZE = 5000
ANALYZE_AFTER = 50_000


def _batches(items: Iterable[NewEntry], size: int) -> Iterator[list[NewEntry]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _stream_tails(streams: set[str], zero: bytes) -> dict[str, tuple[int, bytes]]:
    tails = dict.fromkeys(streams, (-1, zero))
    names = sorted(streams)
    with connection.cursor() as cursor:
        for i in range(0, len(names), 500):
            chunk = names[i:i + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                "SELECT e.stream, e.stream_seq, e.chain_hash FROM ledger_ledgerentry e JOIN ("
                "SELECT stream, MAX(stream_seq) AS last FROM ledger_ledgerentry "
                f"WHERE stream IN ({marks}) GROUP BY stream) t "
                "ON e.stream = t.stream AND e.stream_seq = t.last", chunk)
            for stream, stream_seq, chain in cursor.fetchall():
                tails[stream] = (stream_seq, bytes(chain))
    return tails


@contextmanager
def _rows_into(table: str, columns: tuple[str, ...]) -> Iterator[Callable[[tuple[Any, ...]], Any]]:
    """A function that writes one row; the rows are in the table when the block ends.

    PostgreSQL: one ``COPY`` per block, fed row by row (psycopg sends full buffers as they
    fill, so the server inserts while Python hashes the next rows). SQLite: ``executemany``
    at the end of the block."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with raw.copy(sql) as copy:
                yield copy.write_row
            return
        rows: list[tuple[Any, ...]] = []
        yield rows.append
        if rows:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                               rows)


def _db_time(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


@transaction.atomic
def ledger_append_many(*, entries: Iterable[NewEntry], batch_size: int = BATCH_SIZE) -> int:
    """Append many entries in one transaction (the import path); the same hashes as one
    ``ledger_append`` per entry in the same order. Returns the number appended."""
    head = lock_head()
    h: Hasher = hasher(head.algorithm)
    digest = h.digest
    zero = bytes(h.size)
    # The right edge, inlined from ``merkle.Frontier.append`` (it runs once per entry).
    stack = Frontier.from_bytes(h, head.size, bytes(head.frontier)).hashes
    size = head.size
    tails: dict[str, tuple[int, bytes]] = {}
    labels: dict[int, str] = {}
    now = timezone.now()
    times: dict[dt.datetime | None, tuple[str, Any]] = {
        None: (timestamp_text(now), _db_time(now))}
    checked: set[int] = set()
    for batch in _batches(entries, batch_size):
        new_streams = {e.stream for e in batch} - tails.keys()
        for stream in new_streams:
            _check_stream(stream)
        if new_streams:
            tails.update(_stream_tails(new_streams, zero))
        nodes: list[tuple[int, bytes]] = []
        with _rows_into("ledger_ledgerentry", ENTRY_COLUMNS) as write:
            for e in batch:
                code = e.event.code
                if code not in checked:
                    _check_event(e.event)
                    checked.add(code)
                actor = e.actor
                if actor is None:
                    actor_id, actor_name = None, ""
                else:
                    actor_id = actor.pk
                    if actor_id not in labels:
                        labels[actor_id] = actor_label(actor)
                    actor_name = labels[actor_id]
                body_id = e.body.pk if e.body is not None else None
                when = times.get(e.recorded_at)
                if when is None:
                    assert e.recorded_at is not None
                    if len(times) > 10_000:
                        times = {None: times[None]}
                    when = times[e.recorded_at] = (timestamp_text(e.recorded_at),
                                                   _db_time(e.recorded_at))
                text = canonical_json(e.payload)
                stream = e.stream
                last_seq, prev = tails[stream]
                seq = size
                leaf = digest(b"\x00" + leaf_data(
                    seq=seq, stream=stream, stream_seq=last_seq + 1, event_code=code,
                    actor_id=actor_id, actor_name=actor_name, body_id=body_id,
                    recorded_at=when[0], payload=text))
                chain = digest(prev + leaf)
                tails[stream] = (last_seq + 1, chain)
                write((seq, stream, last_seq + 1, code, actor_id, actor_name, body_id,
                       when[1], text, leaf, prev, chain))
                value = leaf
                carry = seq
                level = 0
                while carry & 1:
                    value = digest(b"\x01" + stack.pop() + value)
                    carry >>= 1
                    level += 1
                    if level >= NODE_MIN_LEVEL:
                        nodes.append(((seq << 6) | level, value))  # tree.node_key
                stack.append(value)
                size += 1
        if nodes:
            with _rows_into("ledger_ledgernode", ('"key"', "hash")) as write_node:
                for node in nodes:
                    write_node(node)
    appended = size - head.size
    if appended:
        LedgerHead.objects.filter(pk=1).update(
            size=size, frontier=Frontier(h, size, stack).to_bytes(), updated_at=now)
    if appended >= ANALYZE_AFTER and connection.vendor == "postgresql":
        # A large import changes the tables' statistics more than autovacuum notices soon
        # enough; stale ones made PostgreSQL choose slow plans for the stream lookups.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE ledger_ledgerentry, ledger_ledgernode")
    return appended
