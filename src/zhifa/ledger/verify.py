"""Full verification of the ledger: ``zhifa ledger verify``.

Streams every entry in ``seq`` order (raw cursors, windows of sequence numbers), recomputes
each leaf hash from the entry's columns, each stream's hash chain and the Merkle tree, and
compares them with what is stored: the entries' hashes, the stored subtree nodes, the head
row, the signed checkpoints (root, signature, trusted key, the entry that recorded them) and
the witness cosignatures. Problems are reported with the sequence number of the entry
concerned; the first one (lowest ``seq``) is what an operator looks at first.

Kinds of problem:
- ``altered``: the entry's columns no longer hash to its leaf hash (payload or any field);
- ``missing``: a sequence number is absent (a deleted row);
- ``reordered``: the entry holds the content recorded under another sequence number;
- ``chain_broken``: the stream's hash chain does not link (link removed, moved or forged);
- ``node_mismatch``: a stored subtree hash differs from the entries' (tree rewritten);
- ``checkpoint_root_mismatch``, ``checkpoint_signature_invalid``,
  ``checkpoint_untrusted_key``, ``checkpoint_altered`` (differs from the entry that recorded
  it), ``checkpoint_missing``, ``truncated`` (a checkpoint covers entries that are gone);
- ``cosignature_invalid``, ``cosignature_altered``, ``cosignature_unrecorded``;
- ``head_mismatch``: the head row disagrees with the entries;
- against the checkpoint log kept outside the database (``checkpoint_log``):
  ``checkpoint_log_truncated`` (entries removed after a signed checkpoint: the log holds a
  checkpoint the ledger no longer reaches), ``checkpoint_log_mismatch`` (the database's tree
  of that size, or its checkpoint, differs), ``checkpoint_log_missing`` (the checkpoint is
  not in the database), ``checkpoint_log_invalid`` (a line that does not parse, or whose
  signature does not verify with one of the installation's keys);
- ``referenced_entries_missing``: rows of other apps (``references``) refer to entries past
  the end of the ledger.
"""

import json
import time
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from django.db import connection

from . import conf, references, signing
from .canonical import LEAF_FORMAT, b64
from .checkpoint_log import LoggedCheckpoint, read_log
from .events import CHECKPOINT_SIGNED, COSIGNATURE_ADDED
from .merkle import fold, hasher
from .models import Checkpoint, Cosignature, LedgerHead
from .scan import ledger_chunks
from .services.append import check_algorithm
from .services.checkpoints import checkpoint_message
from .tree import NODE_MIN_LEVEL, node_position

CHUNK = 20_000
# Unexplained hash mismatches kept to recognise a later one as the other half of a swap.
_SWAP_WINDOW = 64


@dataclass
class Problem:
    kind: str
    seq: int | None
    stream: str | None
    message: str


@dataclass
class VerifyReport:
    algorithm: str
    entries: int
    root_hash: bytes
    checkpoints: int
    cosignatures: int
    problems: list[Problem] = field(default_factory=list)
    problems_total: int = 0
    seconds: float = 0.0
    checkpoint_log: str | None = None  # the file read, if there was one
    logged_checkpoints: int = 0  # lines of it checked

    @property
    def ok(self) -> bool:
        return self.problems_total == 0

    @property
    def first_bad(self) -> Problem | None:
        ordered = sorted(self.problems, key=lambda p: (p.seq is None, p.seq or 0))
        return ordered[0] if ordered else None

    def as_dict(self) -> dict[str, Any]:
        first = self.first_bad
        return {
            "ok": self.ok, "algorithm": self.algorithm, "tree_size": self.entries,
            "root_hash": b64(self.root_hash), "checkpoints_verified": self.checkpoints,
            "cosignatures_verified": self.cosignatures,
            "first_bad": asdict(first) if first else None,
            "problems": [asdict(p) for p in self.problems],
            "problems_total": self.problems_total,
            "checkpoint_log": self.checkpoint_log,
            "logged_checkpoints": self.logged_checkpoints,
        }


class _Collector:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.problems: list[Problem] = []
        self.total = 0
        self.by_seq: dict[int, Problem] = {}

    def add(self, kind: str, seq: int | None, stream: str | None, message: str) -> None:
        self.total += 1
        if len(self.problems) < self.limit:
            problem = Problem(kind, seq, stream, message)
            self.problems.append(problem)
            if seq is not None:
                self.by_seq.setdefault(seq, problem)


def ledger_verify(*, chunk: int = CHUNK, max_problems: int = 100,
                  progress: Callable[[int], None] | None = None,
                  checkpoint_log: Path | None = None) -> VerifyReport:
    """Verify the ledger as it stands when the call starts (appends made meanwhile are left
    for the next run); never raises for tampering, it reports it. ``checkpoint_log``: the
    checkpoint log to hold the database against (default: the installation's, when the
    file exists)."""
    started = time.perf_counter()
    head = LedgerHead.objects.filter(pk=1).first()
    check_algorithm(head)
    algorithm = head.algorithm if head is not None else conf.hash_algorithm()
    bound = head.size if head is not None else None
    h = hasher(algorithm)
    digest = h.digest
    zero = bytes(h.size)
    out = _Collector(max_problems)

    # Read after the head: every checkpoint or cosignature recorded below ``bound`` is
    # visible (each commits with the entry that records it).
    checkpoints = {cp.tree_size: cp for cp in Checkpoint.objects.all()}
    cosignatures = {c.public_id.hex: c for c in Cosignature.objects.select_related("checkpoint")}
    cosigned: dict[int, list[Cosignature]] = {}
    for co in cosignatures.values():
        cosigned.setdefault(co.checkpoint_id, []).append(co)
    trusted = signing.trusted_public_keys()
    recorded_checkpoints: set[int] = set()
    recorded_cosignatures: set[str] = set()
    checked: set[int] = set()
    checkpoints_ok = 0
    # The log after the head, like the table: a line is written only after its checkpoint
    # committed, so every line below ``bound`` has its checkpoint and entries visible here.
    log_path = checkpoint_log if checkpoint_log is not None else conf.checkpoint_log_path()
    logged: list[LoggedCheckpoint] = []
    log_errors: list[tuple[int, str]] = []
    log_read = log_path.is_file()
    if log_read:
        logged, log_errors = read_log(log_path)
    # Tree sizes at which the scan folds the root: the checkpoints', the log's.
    roots_at = set(checkpoints) | {lc.tree_size for lc in logged}
    roots: dict[int, bytes] = {}

    def check_checkpoint(cp: Checkpoint, root: bytes | None) -> None:
        nonlocal checkpoints_ok
        checked.add(cp.tree_size)
        seq = cp.tree_size  # the entry that recorded it
        bad = False
        if root is not None and bytes(cp.root_hash) != root:
            out.add("checkpoint_root_mismatch", seq, None,
                    f"checkpoint at tree size {cp.tree_size}: the entries hash to "
                    f"{b64(root)}, the checkpoint says {b64(bytes(cp.root_hash))}")
            bad = True
        if cp.algorithm != algorithm:
            out.add("checkpoint_altered", seq, None,
                    f"checkpoint at tree size {cp.tree_size} names hash {cp.algorithm}")
            bad = True
        public_key = bytes(cp.public_key)
        message = checkpoint_message(cp)
        if not signing.verify_signature(public_key=public_key, message=message,
                                        signature=bytes(cp.signature)):
            out.add("checkpoint_signature_invalid", seq, None,
                    f"checkpoint at tree size {cp.tree_size}: the signature does not verify")
            bad = True
        elif public_key not in trusted:
            out.add("checkpoint_untrusted_key", seq, None,
                    f"checkpoint at tree size {cp.tree_size} is signed by a key that is not "
                    "one of this installation's keys")
            bad = True
        for co in cosigned.get(cp.pk, []):
            if not signing.verify_signature(public_key=bytes(co.public_key), message=message,
                                            signature=bytes(co.signature)):
                out.add("cosignature_invalid", seq, None,
                        f"cosignature {co.public_id} on the checkpoint at tree size "
                        f"{cp.tree_size} does not verify")
                bad = True
        checkpoints_ok += not bad

    def check_recording(code: int, seq: int, stream: str, payload: str) -> None:
        try:
            data = json.loads(payload)
        except ValueError:
            return  # the leaf hash check already reports a damaged payload
        if code == CHECKPOINT_SIGNED.code:
            recorded_checkpoints.add(seq)
            cp = checkpoints.get(seq)
            if cp is None or data.get("tree_size") != seq:
                out.add("checkpoint_missing", seq, stream,
                        f"entry {seq} records a checkpoint at tree size "
                        f"{data.get('tree_size')} that is not in the checkpoint table")
                return
            stored = {"checkpoint": str(cp.public_id), "root_hash": b64(bytes(cp.root_hash)),
                      "algorithm": cp.algorithm, "timestamp": cp.timestamp.isoformat(),
                      "signature": b64(bytes(cp.signature)),
                      "public_key": b64(bytes(cp.public_key)),
                      "key_algorithm": cp.key_algorithm}
            differs = sorted(k for k, v in stored.items() if data.get(k) != v)
            if differs:
                out.add("checkpoint_altered", seq, stream,
                        f"the checkpoint at tree size {seq} differs from the entry that "
                        f"recorded it: {', '.join(differs)}")
        elif code == COSIGNATURE_ADDED.code:
            key = str(data.get("cosignature", "")).replace("-", "")
            co = cosignatures.get(key)
            if co is None:
                out.add("cosignature_altered", seq, stream,
                        f"entry {seq} records a cosignature that is not in the table")
                return
            recorded_cosignatures.add(key)
            if (data.get("signature") != b64(bytes(co.signature))
                    or data.get("public_key") != b64(bytes(co.public_key))
                    or data.get("tree_size") != co.checkpoint.tree_size):
                out.add("cosignature_altered", seq, stream,
                        f"cosignature {co.public_id} differs from the entry that recorded it")

    if 0 in roots_at:
        roots[0] = h.empty_root()
    if 0 in checkpoints:
        check_checkpoint(checkpoints[0], h.empty_root())

    # --- the entries, in one pass; the hot loop binds everything to local names ---
    enc = encode_basestring
    leaf_prefix, node_prefix = b"\x00", b"\x01"
    fmt = LEAF_FORMAT
    streams: dict[str, tuple[int, bytes]] = {}
    stack: list[bytes] = []  # the right edge of the tree being rebuilt
    size = 0  # leaves in the rebuilt tree
    expected = 0  # next sequence number
    node_reported = False
    swaps: dict[int, tuple[tuple[Any, ...], bytes]] = {}
    entry_problems: list[int] = []  # seqs with an entry-level problem, ascending
    special = {CHECKPOINT_SIGNED.code, COSIGNATURE_ADDED.code}

    def leaf_for(seq: int, fields: tuple[Any, ...]) -> bytes:
        stream, sseq, code, actor_id, actor_name, body_id, when, payload = fields
        actor = "null" if actor_id is None else actor_id
        body = "null" if body_id is None else body_id
        return digest(leaf_prefix + (
            f'[{fmt},{seq},{enc(stream)},{sseq},{code},{actor},{enc(actor_name)},'
            f'{body},"{when}",{payload}]').encode())

    def node_problem(seq: int | None, message: str) -> None:
        """Only the first: one bad leaf spoils every node above it. A subtree is blamed on
        the first entry already found bad inside it, else on its first entry."""
        nonlocal node_reported
        if node_reported:
            return
        node_reported = True
        if seq is not None:
            inside = bisect_left(entry_problems, seq)
            if inside < len(entry_problems) and entry_problems[inside] <= size:
                seq = entry_problems[inside]
        out.add("node_mismatch", seq, None, message)

    for rows, stored_nodes in ledger_chunks(bound=bound, chunk=chunk):
        nodes = iter(stored_nodes)
        next_node = next(nodes, None)
        for (seq, stream, sseq, code, actor_id, actor_name, body_id, when, payload, leaf_s,
             prev_s, chain_s) in rows:
            if seq != expected:
                entry_problems.append(expected)
                out.add("missing", expected, None,
                        f"entries {expected}–{seq - 1} are missing" if seq - expected > 1
                        else f"entry {expected} is missing")
                expected = seq
            actor = "null" if actor_id is None else actor_id
            body = "null" if body_id is None else body_id
            leaf = digest(leaf_prefix + (
                f'[{fmt},{seq},{enc(stream)},{sseq},{code},{actor},{enc(actor_name)},'
                f'{body},"{when}",{payload}]').encode())
            if leaf != leaf_s:
                entry_problems.append(seq)
                fields = (stream, sseq, code, actor_id, actor_name, body_id, when, payload)
                moved_from = None
                for other, (other_fields, other_leaf) in swaps.items():
                    if (leaf_for(other, fields) == leaf_s
                            or leaf_for(seq, other_fields) == other_leaf):
                        moved_from = other
                        break
                if moved_from is None:
                    out.add("altered", seq, stream,
                            f"entry {seq} ({stream}/{sseq}) does not hash to its leaf hash: "
                            "its content was changed")
                    if len(swaps) < _SWAP_WINDOW:
                        swaps[seq] = (fields, bytes(leaf_s))
                else:
                    del swaps[moved_from]
                    earlier = out.by_seq.get(moved_from)
                    if earlier is not None and earlier.kind == "altered":
                        earlier.kind = "reordered"
                        earlier.message = (f"entries {moved_from} and {seq} were swapped or "
                                           "moved: each holds content recorded under another "
                                           "sequence number")
                    out.add("reordered", seq, stream,
                            f"entry {seq} ({stream}/{sseq}) holds the content recorded as "
                            f"entry {moved_from}")
            else:
                tail = streams.get(stream)
                want_seq, want_prev = (0, zero) if tail is None else (tail[0] + 1, tail[1])
                if sseq != want_seq or prev_s != want_prev or chain_s != digest(prev_s + leaf):
                    entry_problems.append(seq)
                    out.add("chain_broken", seq, stream,
                            f"entry {seq}: the hash chain of {stream!r} breaks at link {sseq} "
                            f"(expected link {want_seq})")
            streams[stream] = (sseq, chain_s)

            # The tree over the *stored* leaf hashes: an entry whose content no longer
            # matches its hash is reported above, exactly; the tree checks that the stored
            # hashes are the ones that were signed (which catches recomputed hashes).
            value = leaf_s
            carry = size
            level = 0
            while carry & 1:
                value = digest(node_prefix + stack.pop() + value)
                carry >>= 1
                level += 1
                if level >= NODE_MIN_LEVEL:
                    want = (size << 6) | level  # tree.node_key
                    while next_node is not None and next_node[0] < want:
                        node_problem(None, f"the stored tree has a node {next_node[0]} that "
                                     "no subtree of the entries has")
                        next_node = next(nodes, None)
                    if next_node is None or next_node[0] != want:
                        node_problem(size + 1 - (1 << level),
                                     f"the stored tree has no node for level {level} "
                                     f"ending at entry {size}")
                    else:
                        if next_node[1] != value:
                            lvl, index = node_position(want)
                            node_problem(index << lvl, f"the stored subtree over entries "
                                         f"{index << lvl}–{size} differs from the entries")
                        next_node = next(nodes, None)
            stack.append(value)
            size += 1
            expected = seq + 1

            if code in special:
                check_recording(code, seq, stream, payload)
            if size in roots_at:
                root = roots[size] = fold(h, stack)
                cp = checkpoints.get(size)
                if cp is not None:
                    check_checkpoint(cp, root)
        if next_node is not None:
            node_problem(None, f"the stored tree has a node {next_node[0]} that no subtree "
                         "of the entries has")
        if progress is not None:
            progress(size)

    _final_checks(out, head, bound, expected, stack, checkpoints, checked, check_checkpoint,
                  recorded_checkpoints, cosignatures, recorded_cosignatures)
    _check_log(out, log_path, logged, log_errors, roots, checkpoints, algorithm, trusted,
               bound, expected)
    _check_references(out, expected)
    return VerifyReport(
        algorithm=algorithm, entries=expected, root_hash=fold(h, stack),
        checkpoints=checkpoints_ok, cosignatures=len(recorded_cosignatures),
        problems=out.problems, problems_total=out.total,
        seconds=time.perf_counter() - started,
        checkpoint_log=str(log_path) if log_read else None, logged_checkpoints=len(logged))


def _final_checks(out: _Collector, head: LedgerHead | None, bound: int | None, expected: int,
                  stack: list[bytes], checkpoints: dict[int, Checkpoint], checked: set[int],
                  check_checkpoint: Callable[[Checkpoint, bytes | None], None],
                  recorded_checkpoints: set[int], cosignatures: dict[str, Cosignature],
                  recorded_cosignatures: set[str]) -> None:
    """What only the end of the scan can tell: checkpoints and cosignatures without their
    entries, truncation, the head row."""
    now = LedgerHead.objects.filter(pk=1).values_list("size", flat=True).first() or 0
    for tree_size, cp in sorted(checkpoints.items()):
        if bound is not None and bound < tree_size <= now:
            continue  # signed while the scan ran: the next run checks it
        if tree_size > expected:
            out.add("truncated", expected, None,
                    f"the checkpoint at tree size {tree_size} covers entries from {expected} "
                    "on, which are gone")
        elif tree_size < expected and tree_size not in recorded_checkpoints:
            out.add("checkpoint_altered", tree_size, None,
                    f"the checkpoint at tree size {tree_size} was not recorded by entry "
                    f"{tree_size}")
        elif tree_size == expected and not _recorded_later(CHECKPOINT_SIGNED.code, tree_size,
                                                           "tree_size", tree_size):
            out.add("truncated", expected, None,
                    f"entry {tree_size}, which recorded the checkpoint at tree size "
                    f"{tree_size}, is gone")
        if tree_size not in checked:
            check_checkpoint(cp, None)
    for key, co in cosignatures.items():
        if key not in recorded_cosignatures and not _recorded_later(
                COSIGNATURE_ADDED.code, expected, "cosignature", str(co.public_id)):
            out.add("cosignature_unrecorded", None, None,
                    f"cosignature {co.public_id} was never recorded in the ledger")
    if head is None:
        if expected:
            out.add("head_mismatch", None, None, "the ledger head row is missing")
        return
    if bound is not None and expected < bound:
        out.add("missing", expected, None,
                f"entries {expected}–{bound - 1} are missing at the end (the head says "
                f"{bound} entries)")
    elif bytes(head.frontier) != b"".join(stack):
        out.add("head_mismatch", None, None,
                "the head's right edge differs from the tree of the entries")
    # Entries past the head that a later head does not account for were not appended by
    # the ledger.
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(seq) FROM ledger_ledgerentry")
        (last,) = cursor.fetchone()
    if last is not None and last >= max(now, expected):
        out.add("head_mismatch", max(now, expected), None,
                f"entries up to {last} exist past the head's {now} entries")


def _recorded_later(code: int, from_seq: int, field_name: str, value: Any) -> bool:
    """Whether an entry appended since the scan's bound records this checkpoint or
    cosignature (the ledger grew while it was being verified)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload FROM ledger_ledgerentry WHERE seq >= %s AND "
                       "event_code = %s", [from_seq, code])
        for (payload,) in cursor.fetchall():
            try:
                if json.loads(payload).get(field_name) == value:
                    return True
            except ValueError:
                continue
    return False


def _head_size() -> int:
    return LedgerHead.objects.filter(pk=1).values_list("size", flat=True).first() or 0


def _check_log(out: _Collector, path: Path, logged: list[LoggedCheckpoint],
               errors: list[tuple[int, str]], roots: dict[int, bytes],
               checkpoints: dict[int, Checkpoint], algorithm: str, trusted: dict[bytes, str],
               bound: int | None, expected: int) -> None:
    """Every checkpoint in the log must be in the database, over the same tree."""
    for number, reason in errors:
        out.add("checkpoint_log_invalid", None, None,
                f"line {number} of the checkpoint log {path} is not a checkpoint: {reason}")
    now = _head_size()
    for lc in sorted(logged, key=lambda item: (item.tree_size, item.line)):
        where = f"the checkpoint at tree size {lc.tree_size} (line {lc.line} of {path})"
        if not signing.verify_signature(public_key=lc.public_key, message=lc.message(),
                                        signature=lc.signature):
            out.add("checkpoint_log_invalid", lc.tree_size, None,
                    f"{where}: the signature does not verify")
            continue
        if lc.public_key not in trusted:
            out.add("checkpoint_log_invalid", lc.tree_size, None,
                    f"{where} is signed by a key that is not one of this installation's keys")
            continue
        if lc.tree_size >= expected:
            # Its recording entry (seq == tree_size) is past the scanned entries. Fine only
            # when it was signed while the scan ran and the ledger now holds it.
            if (bound is not None and bound <= lc.tree_size < now
                    and Checkpoint.objects.filter(tree_size=lc.tree_size).exists()):
                continue
            out.add("checkpoint_log_truncated", expected, None,
                    f"entries removed after a signed checkpoint: {where} was recorded as "
                    f"entry {lc.tree_size}, but the ledger has only {expected} entries")
            continue
        root = roots.get(lc.tree_size)
        if lc.algorithm != algorithm or (root is not None and root != lc.root_hash):
            shown = b64(root) if root is not None else "?"
            out.add("checkpoint_log_mismatch", lc.tree_size, None,
                    f"{where}: the database's tree of that size ({algorithm}) hashes to "
                    f"{shown}, the log says {b64(lc.root_hash)} ({lc.algorithm})")
            continue
        cp = checkpoints.get(lc.tree_size)
        if cp is None:
            out.add("checkpoint_log_missing", lc.tree_size, None,
                    f"{where} is not in the database's checkpoints")
            continue
        differs = lc.differs_from(cp)
        if differs:
            out.add("checkpoint_log_mismatch", lc.tree_size, None,
                    f"{where} differs from the database's checkpoint: {', '.join(differs)}")


def _check_references(out: _Collector, expected: int) -> None:
    """Rows elsewhere that refer to entries the ledger does not reach. The references are
    read before the head: each such row commits with its entry, so an entry appended while
    the scan ran is below the head read afterwards."""
    highest = references.highest_references()
    end = max(expected, _head_size())
    for name, seq in highest.items():
        if seq is not None and seq >= end:
            out.add("referenced_entries_missing", expected, None,
                    f"{name} refers to ledger entry {seq}, but the ledger has only {expected} "
                    f"entries: entries {expected}–{seq} were removed from its end")
