"""Reading the whole ledger fast, for ``verify``: raw cursors, windows of ``seq``, read ahead.

A reader thread fetches the next chunk of entries (and the tree nodes those entries complete)
while the caller hashes the current one. It uses the caller's own database connection —
the caller does not touch it meanwhile — so it sees exactly what the caller's transaction
sees, in tests as in production. The database formats ``recorded_at`` the way the leaf has
it (``YYYY-MM-DDTHH:MM:SS.ffffffZ``): no datetime is parsed in Python.
"""

import queue
import threading
from collections.abc import Iterator
from typing import Any, NamedTuple

from django.db import connection


class Chunk(NamedTuple):
    # (seq, stream, stream_seq, event_code, actor_id, actor_name, body_id, recorded_at text,
    #  payload, leaf_hash, prev_hash, chain_hash), by seq
    entries: list[tuple[Any, ...]]
    # (key, hash) of the stored nodes whose last leaf lies in this chunk's seq range, by key
    nodes: list[tuple[int, bytes]]


def _when_sql(vendor: str) -> str:
    if vendor == "postgresql":
        return """to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
    # Django stores "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC; whole seconds have no fraction.
    return ("substr(recorded_at, 1, 10) || 'T' || substr(recorded_at, 12, 8) || '.' || "
            "substr(recorded_at || '.000000', 21, 6) || 'Z'")


def _statements(vendor: str) -> tuple[str, str, str]:
    # Fixed windows of sequence numbers rather than LIMIT: the plan stays a short index
    # range whatever the planner's statistics say (right after a bulk import there are none,
    # and PostgreSQL then sorted the whole rest of the table for every chunk).
    entries = (
        "SELECT seq, stream, stream_seq, event_code, actor_id, actor_name, body_id, "
        f"{_when_sql(vendor)}, payload, leaf_hash, prev_hash, chain_hash "
        "FROM ledger_ledgerentry WHERE seq >= %s AND seq < %s ORDER BY seq")
    nodes = ('SELECT "key", hash FROM ledger_ledgernode WHERE "key" >= %s AND "key" < %s '
             'ORDER BY "key"')
    last = "SELECT MAX(seq) FROM ledger_ledgerentry"
    if vendor == "sqlite":
        entries, nodes = entries.replace("%s", "?"), nodes.replace("%s", "?")
    return entries, nodes, last


def _cursor(raw: Any, vendor: str) -> Any:
    if vendor == "postgresql":
        import psycopg

        # Server-side binding, binary results: bytea arrives as bytes without hex decoding.
        return psycopg.Cursor(raw)
    return raw.cursor()


def _read(cursor: Any, vendor: str, bound: int | None, chunk: int) -> Iterator[Chunk]:
    entry_sql, node_sql, last_sql = _statements(vendor)
    extra = {"binary": True} if vendor == "postgresql" else {}
    if bound is None:
        cursor.execute(last_sql)
        last = cursor.fetchone()[0]
        bound = 0 if last is None else last + 1
    start = 0
    while start < bound:
        end = min(start + chunk, bound)
        cursor.execute(entry_sql, [start, end], **extra)
        rows = cursor.fetchall()
        cursor.execute(node_sql, [start << 6, end << 6], **extra)
        nodes = [(key, bytes(value)) for key, value in cursor.fetchall()]
        yield Chunk(rows, nodes)
        start = end
    # Nodes past the last entry: none should exist.
    cursor.execute(node_sql, [start << 6, _NO_BOUND << 6], **extra)
    nodes = [(key, bytes(value)) for key, value in cursor.fetchall()]
    if nodes:
        yield Chunk([], nodes)


_END = object()
# The largest sequence number whose node keys still fit a signed 64-bit integer.
_NO_BOUND = (1 << 57) - 1


def ledger_chunks(*, bound: int | None, chunk: int) -> Iterator[Chunk]:
    """Entries with ``seq < bound`` (all when ``bound`` is None) in ``seq`` order, in chunks,
    with the stored nodes; the last chunk holds nodes past the last entry, if any."""
    connection.ensure_connection()
    raw, vendor = connection.connection, connection.vendor
    ahead: queue.Queue[Any] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def offer(item: Any) -> bool:
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            cursor = _cursor(raw, vendor)
            try:
                for item in _read(cursor, vendor, bound, chunk):
                    if not offer(item):
                        return
            finally:
                cursor.close()
            offer(_END)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            offer(exc)

    reader = threading.Thread(target=produce, name="ledger-verify-reader", daemon=True)
    reader.start()
    try:
        while True:
            item = ahead.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join()
