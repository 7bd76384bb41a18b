"""The Merkle module against every RFC 6962 conformance vector, and SM3 in the same shape."""

import base64
import hashlib
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes

from tests.ledger.helpers import CONFORMANCE
from zhifa.ledger import merkle

SHA256 = merkle.hasher("sha256")
SM3 = merkle.hasher("sm3")


def load(name: str) -> list[dict[str, Any]]:
    return json.loads((CONFORMANCE / name).read_text())  # type: ignore[no-any-return]


def b(text: str) -> bytes:
    return base64.b64decode(text)


TREE = load("merkle_tree.json")
LEAVES = [SHA256.leaf(v["leaf_data"].encode()) for v in TREE]


def test_every_vector_file_is_read() -> None:
    names = sorted(p.name for p in CONFORMANCE.glob("*.json"))
    assert names == ["consistency-invalid.json", "consistency-valid.json",
                     "inclusion-invalid.json", "inclusion-valid.json", "merkle_tree.json"]
    assert len(TREE) == 16


@pytest.mark.parametrize("i", range(16))
def test_leaf_and_root_hashes(i: int) -> None:
    v = TREE[i]
    assert SHA256.leaf(v["leaf_data"].encode()) == b(v["leaf_hash"])
    assert merkle.root(SHA256, LEAVES[:i + 1]) == b(v["root_hash"])
    assert merkle.range_hash(SHA256, LEAVES, 0, i + 1) == b(v["root_hash"])


def test_empty_tree() -> None:
    assert merkle.root(SHA256, []) == b("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
    assert SHA256.empty_root() == hashlib.sha256(b"").digest()


@pytest.mark.parametrize("v", load("inclusion-valid.json"),
                         ids=lambda v: f"{v['leaf_index']}-of-{v['tree_size']}")
def test_valid_inclusion_is_accepted_and_generated(v: dict[str, Any]) -> None:
    path = [b(p) for p in v["inclusion_path"]]
    assert merkle.verify_inclusion(SHA256, leaf_index=v["leaf_index"], tree_size=v["tree_size"],
                                   leaf_hash=b(v["leaf_hash"]), inclusion_path=path,
                                   root_hash=b(v["root_hash"])) is True
    assert merkle.inclusion_path(SHA256, v["leaf_index"], LEAVES[:v["tree_size"]]) == path


@pytest.mark.parametrize("v", load("inclusion-invalid.json"), ids=lambda v: v["comment"])
def test_invalid_inclusion_is_rejected(v: dict[str, Any]) -> None:
    assert merkle.verify_inclusion(SHA256, leaf_index=v["leaf_index"], tree_size=v["tree_size"],
                                   leaf_hash=b(v["leaf_hash"]),
                                   inclusion_path=[b(p) for p in v["inclusion_path"]],
                                   root_hash=b(v["root_hash"])) is False


@pytest.mark.parametrize("v", load("consistency-valid.json"),
                         ids=lambda v: f"{v['old_size']}-to-{v['new_size']}")
def test_valid_consistency_is_accepted_and_generated(v: dict[str, Any]) -> None:
    path = [b(p) for p in v["consistency_path"]]
    assert merkle.verify_consistency(SHA256, old_size=v["old_size"], new_size=v["new_size"],
                                     old_root=b(v["old_root"]), new_root=b(v["new_root"]),
                                     consistency_path=path) is True
    assert merkle.consistency_path(SHA256, v["old_size"], LEAVES[:v["new_size"]]) == path


@pytest.mark.parametrize("v", load("consistency-invalid.json"),
                         ids=lambda v: f"{v['old_size']}-to-{v['new_size']}-{v['comment']}")
def test_invalid_consistency_is_rejected(v: dict[str, Any]) -> None:
    assert merkle.verify_consistency(SHA256, old_size=v["old_size"], new_size=v["new_size"],
                                     old_root=b(v["old_root"]), new_root=b(v["new_root"]),
                                     consistency_path=[b(p) for p in v["consistency_path"]]
                                     ) is False


@pytest.mark.parametrize("h", [SHA256, SM3], ids=lambda h: h.name)
def test_every_proof_of_every_small_tree(h: merkle.Hasher) -> None:
    leaves = [h.leaf(v["leaf_data"].encode()) for v in TREE]
    for n in range(1, 17):
        root = merkle.root(h, leaves[:n])
        for i in range(n):
            path = merkle.inclusion_path(h, i, leaves[:n])
            assert merkle.verify_inclusion(h, leaf_index=i, tree_size=n, leaf_hash=leaves[i],
                                           inclusion_path=path, root_hash=root)
            # Any other leaf, or the proof against the wrong size, fails.
            assert not merkle.verify_inclusion(h, leaf_index=i, tree_size=n,
                                               leaf_hash=leaves[(i + 1) % 16],
                                               inclusion_path=path, root_hash=root)
        for m in range(0, n + 1):
            path = merkle.consistency_path(h, m, leaves[:n])
            old_root = merkle.root(h, leaves[:m])
            assert merkle.verify_consistency(h, old_size=m, new_size=n, old_root=old_root,
                                             new_root=root, consistency_path=path), (m, n)
            if 0 < m < n:
                assert not merkle.verify_consistency(
                    h, old_size=m, new_size=n, old_root=leaves[15], new_root=root,
                    consistency_path=path)


def _sm3(data: bytes) -> bytes:
    """SM3 from ``cryptography``: an implementation independent of ``hashlib``."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def test_sm3_builds_the_same_structure() -> None:
    assert SM3.size == 32
    # GB/T 32905-2016 example: SM3("abc").
    assert SM3.digest(b"abc").hex() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
    a, b_, c = (_sm3(b"\x00" + x) for x in (b"a", b"b", b"c"))
    assert [SM3.leaf(x) for x in (b"a", b"b", b"c")] == [a, b_, c]
    ab = _sm3(b"\x01" + a + b_)
    assert merkle.root(SM3, [a, b_]) == ab
    assert merkle.root(SM3, [a, b_, c]) == _sm3(b"\x01" + ab + c)
    assert merkle.root(SM3, []) == _sm3(b"")
    assert merkle.inclusion_path(SM3, 2, [a, b_, c]) == [ab]
    assert merkle.consistency_path(SM3, 2, [a, b_, c]) == [c]
    # Same shape, other function: nothing coincides with SHA-256.
    assert merkle.root(SM3, [a, b_]) != merkle.root(SHA256, LEAVES[:2])


def test_frontier_reports_the_subtrees_each_append_completes() -> None:
    frontier = merkle.Frontier(SHA256)
    completed = [frontier.append(leaf) for leaf in LEAVES[:8]]
    assert [[(lvl, idx) for lvl, idx, _h in c] for c in completed] == [
        [], [(1, 0)], [], [(1, 1), (2, 0)], [], [(1, 2)], [], [(1, 3), (2, 1), (3, 0)]]
    assert completed[7][-1][2] == merkle.range_hash(SHA256, LEAVES, 0, 8)
    for n in range(8, 17):
        assert frontier.root() == merkle.root(SHA256, LEAVES[:n])
        packed = merkle.Frontier.from_bytes(SHA256, frontier.size, frontier.to_bytes())
        assert packed.root() == frontier.root()
        if n < 16:
            frontier.append(LEAVES[n])
    with pytest.raises(ValueError, match="frontier of size 3 has 2 hashes"):
        merkle.Frontier(SHA256, 3, [LEAVES[0]])


def test_ranges_and_subtrees() -> None:
    assert merkle.inclusion_ranges(0, 10) == [(1, 2), (2, 4), (4, 8), (8, 10)]
    assert merkle.inclusion_ranges(9, 10) == [(8, 9), (0, 8)]
    assert merkle.consistency_ranges(3, 10) == [(2, 3), (3, 4), (0, 2), (4, 8), (8, 10)]
    assert merkle.consistency_ranges(4, 10) == [(4, 8), (8, 10)]
    assert merkle.consistency_ranges(0, 10) == merkle.consistency_ranges(10, 10) == []
    assert merkle.subtrees(0, 13) == [(3, 0), (2, 2), (0, 12)]
    assert merkle.subtrees(16, 20) == [(2, 4)]
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(10, 10)
    with pytest.raises(ValueError):
        merkle.consistency_ranges(5, 4)
    with pytest.raises(ValueError, match="unknown hash algorithm 'md5'"):
        merkle.hasher("md5")
