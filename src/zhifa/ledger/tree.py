"""The Merkle tree as stored: subtree hashes read from ``LedgerNode`` and ``LedgerEntry``.

Complete aligned subtrees of ``2**NODE_MIN_LEVEL`` (16) leaves or more are stored as nodes;
smaller ones are hashed from the leaf hashes on the entries (at most 15 leaves per side of
a proof). A proof or a tree head therefore costs two indexed queries, whatever the size.
"""

from collections.abc import Iterable

from django.db import connection

from . import merkle
from .merkle import Hasher

NODE_MIN_LEVEL = 4


def node_key(level: int, index: int) -> int:
    """Primary key of the stored subtree: its last leaf and its level, so that key order is
    the order in which appends complete the subtrees."""
    last_leaf = ((index + 1) << level) - 1
    return (last_leaf << 6) | level


def node_position(key: int) -> tuple[int, int]:
    level = key & 63
    last_leaf = key >> 6
    return level, ((last_leaf + 1) >> level) - 1


def _in_list(n: int) -> str:
    return ", ".join(["%s"] * n)


def subtree_hashes(hasher_: Hasher, wanted: Iterable[tuple[int, int]]
                   ) -> dict[tuple[int, int], bytes]:
    """Hashes of complete aligned subtrees ``(level, index)``. Raises ``LookupError`` when a
    stored node or leaf is missing."""
    wanted = set(wanted)
    stored = {node_key(level, index): (level, index) for level, index in wanted
              if level >= NODE_MIN_LEVEL}
    small = [(level, index) for level, index in wanted if level < NODE_MIN_LEVEL]
    seqs = sorted({s for level, index in small
                   for s in range(index << level, (index + 1) << level)})
    found: dict[tuple[int, int], bytes] = {}
    with connection.cursor() as cursor:
        if stored:
            keys = list(stored)
            cursor.execute(
                'SELECT "key", hash FROM ledger_ledgernode '
                f'WHERE "key" IN ({_in_list(len(keys))})', keys)
            for key, value in cursor.fetchall():
                found[stored[key]] = bytes(value)
        leaves: dict[int, bytes] = {}
        if seqs:
            cursor.execute(
                "SELECT seq, leaf_hash FROM ledger_ledgerentry "
                f"WHERE seq IN ({_in_list(len(seqs))})", seqs)
            leaves = {seq: bytes(value) for seq, value in cursor.fetchall()}
    missing = [pos for pos in stored.values() if pos not in found]
    missing += [(0, s) for s in seqs if s not in leaves]
    if missing:
        raise LookupError(f"stored tree incomplete: no hash for subtrees {sorted(missing)[:5]}")
    for level, index in small:
        start = index << level
        found[(level, index)] = merkle.range_hash(
            hasher_, [leaves[s] for s in range(start, start + (1 << level))], 0, 1 << level)
    return found


def ranges_hashes(hasher_: Hasher, ranges: list[tuple[int, int]]) -> list[bytes]:
    """``MTH(D[start:end])`` for each range, from the stored hashes, in one pass."""
    parts = [merkle.subtrees(start, end) for start, end in ranges]
    hashes = subtree_hashes(hasher_, (p for ps in parts for p in ps))
    return [merkle.fold(hasher_, [hashes[p] for p in ps]) for ps in parts]


def root_at(hasher_: Hasher, size: int) -> bytes:
    if size == 0:
        return hasher_.empty_root()
    return ranges_hashes(hasher_, [(0, size)])[0]
