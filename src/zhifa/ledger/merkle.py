"""RFC 6962 Merkle trees (as restated in RFC 9162 §2.1), parameterised by the hash function.

Pure Python, no Django: the verify command, the selectors and any third party checking a
proof use the same code.

- leaf hash ``H(0x00 || data)``, node hash ``H(0x01 || left || right)``, empty tree ``H("")``;
- the tree over ``n`` leaves splits at ``k``, the largest power of two below ``n``;
- a *range* ``(start, end)`` is the subtree over leaves ``start .. end-1`` that RFC 6962
  builds (``MTH(D[start:end])``). Proofs are lists of ranges; a range is made of *complete
  aligned subtrees* ``(level, index)`` (leaves ``index * 2**level`` up to
  ``(index + 1) * 2**level``), which is how the database stores hashes (``ledger.tree``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"


class Hasher:
    """A hash function and the tree hashes built on it. ``digest`` is a plain function so that
    hot loops can bind it to a local name."""

    __slots__ = ("digest", "name", "size")

    def __init__(self, name: str) -> None:
        self.name = name
        self.digest: Callable[[bytes], bytes] = _digest_function(name)
        self.size = len(self.digest(b""))

    def __repr__(self) -> str:
        return f"Hasher({self.name!r})"

    def leaf(self, data: bytes) -> bytes:
        return self.digest(LEAF_PREFIX + data)

    def node(self, left: bytes, right: bytes) -> bytes:
        return self.digest(NODE_PREFIX + left + right)

    def empty_root(self) -> bytes:
        return self.digest(b"")


def _digest_function(name: str) -> Callable[[bytes], bytes]:
    if name == "sha256":
        sha256 = hashlib.sha256

        def digest(data: bytes) -> bytes:
            return sha256(data).digest()

        return digest
    if name == "sm3":
        # Copying a prepared OpenSSL context is about a third faster than looking the
        # algorithm up by name for every hash.
        copy = hashlib.new("sm3").copy

        def digest_sm3(data: bytes) -> bytes:
            h = copy()
            h.update(data)
            return h.digest()

        return digest_sm3
    raise ValueError(f"unknown hash algorithm {name!r} (expected 'sm3' or 'sha256')")


ALGORITHMS = ("sm3", "sha256")
_HASHERS: dict[str, Hasher] = {}


def hasher(name: str) -> Hasher:
    """The shared ``Hasher`` for ``"sm3"`` or ``"sha256"``."""
    if name not in _HASHERS:
        _HASHERS[name] = Hasher(name)
    return _HASHERS[name]


# --- Tree shape ---------------------------------------------------------------------------
def split_point(n: int) -> int:
    """The largest power of two strictly below ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def subtrees(start: int, end: int) -> list[tuple[int, int]]:
    """The complete aligned subtrees ``(level, index)`` that make up the range, largest
    first. Its hash is the right fold ``node(h1, node(h2, ... node(h_k-1, h_k)))``."""
    out: list[tuple[int, int]] = []
    while start < end:
        level = (end - start).bit_length() - 1
        # Ranges that RFC 6962 builds always start on a multiple of their largest part.
        assert start % (1 << level) == 0, (start, end)
        out.append((level, start >> level))
        start += 1 << level
    return out


def fold(hasher_: Hasher, hashes: Sequence[bytes]) -> bytes:
    """Hash of a range from the hashes of its ``subtrees``, largest first."""
    if not hashes:
        return hasher_.empty_root()
    node = hasher_.node
    result = hashes[-1]
    for h in reversed(hashes[:-1]):
        result = node(h, result)
    return result


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The ranges whose hashes form the audit path of leaf ``index`` in the tree of ``size``
    leaves (RFC 6962 ``PATH(m, D[n])``), in proof order: the sibling nearest the leaf first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    top_down: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = split_point(hi - lo)
        if index < lo + k:
            top_down.append((lo + k, hi))
            hi = lo + k
        else:
            top_down.append((lo, lo + k))
            lo += k
    return top_down[::-1]


def consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The ranges whose hashes form the consistency proof between the trees of ``old_size``
    and ``new_size`` leaves (RFC 6962 ``PROOF(m, D[n])``), in proof order."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to size {new_size}")
    if old_size in (0, new_size):
        return []
    top_down: list[tuple[int, int]] = []
    lo, hi = 0, new_size
    whole = True  # the old tree is still a complete subtree of the current range
    while old_size != hi:
        k = split_point(hi - lo)
        if old_size - lo <= k:
            top_down.append((lo + k, hi))
            hi = lo + k
        else:
            top_down.append((lo, lo + k))
            lo += k
            whole = False
    if not whole:
        top_down.append((lo, hi))
    return top_down[::-1]


# --- In memory: trees over a list of leaf hashes -------------------------------------------
def range_hash(hasher_: Hasher, leaf_hashes: Sequence[bytes], start: int, end: int) -> bytes:
    """``MTH(D[start:end])`` from the leaf hashes."""
    if end - start == 1:
        return leaf_hashes[start]
    if end == start:
        return hasher_.empty_root()
    k = split_point(end - start)
    return hasher_.node(range_hash(hasher_, leaf_hashes, start, start + k),
                        range_hash(hasher_, leaf_hashes, start + k, end))


def root(hasher_: Hasher, leaf_hashes: Sequence[bytes]) -> bytes:
    """The tree head over all the leaf hashes."""
    frontier = Frontier(hasher_)
    for leaf in leaf_hashes:
        frontier.append(leaf)
    return frontier.root()


def inclusion_path(hasher_: Hasher, index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    return [range_hash(hasher_, leaf_hashes, a, b)
            for a, b in inclusion_ranges(index, len(leaf_hashes))]


def consistency_path(hasher_: Hasher, old_size: int,
                     leaf_hashes: Sequence[bytes]) -> list[bytes]:
    return [range_hash(hasher_, leaf_hashes, a, b)
            for a, b in consistency_ranges(old_size, len(leaf_hashes))]


# --- Verification (RFC 9162 §2.1.3.2 and §2.1.4.2) ----------------------------------------
def verify_inclusion(hasher_: Hasher, *, leaf_index: int, tree_size: int, leaf_hash: bytes,
                     inclusion_path: Sequence[bytes], root_hash: bytes) -> bool:
    if not 0 <= leaf_index < tree_size:
        return False
    node = hasher_.node
    fn, sn = leaf_index, tree_size - 1
    r = leaf_hash
    for p in inclusion_path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root_hash


def verify_consistency(hasher_: Hasher, *, old_size: int, new_size: int, old_root: bytes,
                       new_root: bytes, consistency_path: Sequence[bytes]) -> bool:
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not consistency_path and old_root == new_root
    if old_size == 0:
        # Every tree extends the empty one; nothing to prove, but the old head must be empty.
        return not consistency_path and old_root == hasher_.empty_root()
    if not consistency_path:
        return False
    path = list(consistency_path)
    if old_size & (old_size - 1) == 0:  # a power of two: the old tree is a proof node
        path.insert(0, old_root)
    node = hasher_.node
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node(c, fr)
            sr = node(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


# --- The right edge of a growing tree -----------------------------------------------------
class Frontier:
    """The hashes of the complete subtrees along the right edge of a tree of ``size`` leaves:
    one per set bit of ``size``, largest first. Appending a leaf completes the subtrees that
    the binary carry closes; ``root()`` folds the edge into the tree head."""

    __slots__ = ("hasher", "hashes", "size")

    def __init__(self, hasher_: Hasher, size: int = 0,
                 hashes: Iterable[bytes] = ()) -> None:
        self.hasher = hasher_
        self.size = size
        self.hashes = list(hashes)
        if len(self.hashes) != size.bit_count():
            raise ValueError(f"a frontier of size {size} has {size.bit_count()} hashes, "
                             f"not {len(self.hashes)}")

    @classmethod
    def from_bytes(cls, hasher_: Hasher, size: int, packed: bytes) -> Frontier:
        n = hasher_.size
        if len(packed) % n:
            raise ValueError("frontier bytes are not a whole number of hashes")
        return cls(hasher_, size, [packed[i:i + n] for i in range(0, len(packed), n)])

    def to_bytes(self) -> bytes:
        return b"".join(self.hashes)

    def append(self, leaf_hash: bytes) -> list[tuple[int, int, bytes]]:
        """Add the next leaf; return the subtrees ``(level, index, hash)`` it completed
        (level 1 and up, smallest first)."""
        index = self.size
        hashes = self.hashes
        node = self.hasher.node
        h = leaf_hash
        completed: list[tuple[int, int, bytes]] = []
        level = 0
        carry = index
        while carry & 1:
            h = node(hashes.pop(), h)
            level += 1
            carry >>= 1
            completed.append((level, index >> level, h))
        hashes.append(h)
        self.size = index + 1
        return completed

    def root(self) -> bytes:
        return fold(self.hasher, self.hashes)

    def copy(self) -> Frontier:
        return Frontier(self.hasher, self.size, self.hashes)
