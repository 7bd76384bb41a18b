"""Reads of the ledger: a stream's entries with their verification state, proofs from the
stored tree, checkpoints.

The ledger is one installation-wide record: callers scope *which stream* a user may read
(a case page checks the case first); proofs carry hashes only.
"""

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhifa.core.errors import InvalidInput, NotFound

from . import conf, merkle, signing
from .canonical import leaf_data, timestamp_text
from .events import event_get, render_event
from .merkle import Hasher, hasher
from .models import Checkpoint, LedgerEntry, LedgerHead
from .services.append import check_algorithm
from .services.checkpoints import checkpoint_message
from .tree import ranges_hashes

Status = Literal["verified", "pending", "broken"]


@dataclass(frozen=True)
class EntryView:
    seq: int
    stream_seq: int
    event_code: int
    event_name: str
    text: str  # the event's template filled from the payload, in the active language
    actor_name: str
    recorded_at: dt.datetime
    payload: dict[str, Any]
    leaf_hash_hex: str
    status: Status


@dataclass(frozen=True)
class LedgerState:
    algorithm: str
    tree_size: int


def ledger_state() -> LedgerState:
    """The hash algorithm and the number of entries; refuses a changed ``ZHIFA_LEDGER_HASH``."""
    head = LedgerHead.objects.filter(pk=1).first()
    if head is None:
        return LedgerState(algorithm=conf.hash_algorithm(), tree_size=0)
    check_algorithm(head)
    return LedgerState(algorithm=head.algorithm, tree_size=head.size)


def entry_leaf_data(entry: LedgerEntry) -> bytes:
    """The exact bytes whose leaf hash is in the tree (format in ``ledger.canonical``)."""
    return leaf_data(seq=entry.seq, stream=entry.stream, stream_seq=entry.stream_seq,
                     event_code=entry.event_code, actor_id=entry.actor_id,
                     actor_name=entry.actor_name, body_id=entry.body_id,
                     recorded_at=timestamp_text(entry.recorded_at), payload=entry.payload)


def checkpoint_is_genuine(checkpoint: Checkpoint, *, trusted: dict[bytes, str] | None = None
                          ) -> bool:
    """Signed by one of the installation's keys, over the checkpoint as stored."""
    trusted = signing.trusted_public_keys() if trusted is None else trusted
    public_key = bytes(checkpoint.public_key)
    return public_key in trusted and signing.verify_signature(
        public_key=public_key, message=checkpoint_message(checkpoint),
        signature=bytes(checkpoint.signature))


def _signed_size() -> int:
    """Tree size of the latest checkpoint, if its signature holds."""
    latest = Checkpoint.objects.order_by("-tree_size").first()
    if latest is None or not checkpoint_is_genuine(latest):
        return 0
    return latest.tree_size


def stream_entries(*, stream: str) -> list[EntryView]:
    """The stream's entries in order. ``verified``: its leaf hash and chain link recompute
    and a signed checkpoint covers it; ``pending``: they recompute, no checkpoint yet;
    ``broken``: they do not."""
    state = ledger_state()
    h = hasher(state.algorithm)
    signed = _signed_size()
    views: list[EntryView] = []
    prev_chain = bytes(h.size)
    expected_seq = 0
    for entry in LedgerEntry.objects.filter(stream=stream).order_by("stream_seq"):
        leaf = h.leaf(entry_leaf_data(entry))
        prev = bytes(entry.prev_hash)
        intact = (
            entry.stream_seq == expected_seq
            and leaf == bytes(entry.leaf_hash)
            and prev == prev_chain
            and bytes(entry.chain_hash) == h.digest(prev + leaf)
        )
        prev_chain = bytes(entry.chain_hash)
        expected_seq = entry.stream_seq + 1
        status: Status = "broken" if not intact else (
            "verified" if entry.seq < signed else "pending")
        try:
            payload = json.loads(entry.payload)
        except ValueError:
            payload, status = {}, "broken"
        try:
            event_name = event_get(entry.event_code).name
        except LookupError:
            event_name = ""
        views.append(EntryView(
            seq=entry.seq, stream_seq=entry.stream_seq, event_code=entry.event_code,
            event_name=event_name, text=render_event(entry.event_code, payload),
            actor_name=entry.actor_name, recorded_at=entry.recorded_at, payload=payload,
            leaf_hash_hex=bytes(entry.leaf_hash).hex(), status=status))
    return views


# --- Proofs -------------------------------------------------------------------------------
@dataclass(frozen=True)
class InclusionProof:
    algorithm: str
    leaf_index: int
    tree_size: int
    leaf_data: bytes
    leaf_hash: bytes
    inclusion_path: list[bytes]
    root_hash: bytes

    def verify(self) -> bool:
        return merkle.verify_inclusion(
            hasher(self.algorithm), leaf_index=self.leaf_index, tree_size=self.tree_size,
            leaf_hash=self.leaf_hash, inclusion_path=self.inclusion_path,
            root_hash=self.root_hash)


@dataclass(frozen=True)
class ConsistencyProof:
    algorithm: str
    old_size: int
    new_size: int
    old_root: bytes
    new_root: bytes
    consistency_path: list[bytes]

    def verify(self) -> bool:
        return merkle.verify_consistency(
            hasher(self.algorithm), old_size=self.old_size, new_size=self.new_size,
            old_root=self.old_root, new_root=self.new_root,
            consistency_path=self.consistency_path)


def _out_of_range(message: Any, **detail: int) -> InvalidInput:
    return InvalidInput(message, code="ledger_size_out_of_range", detail=detail)


def _hashes(h: Hasher, ranges: list[tuple[int, int]]) -> list[bytes]:
    try:
        return ranges_hashes(h, ranges)
    except LookupError as exc:
        # Stored nodes or entries are gone: ``zhifa ledger verify`` says which.
        raise NotFound(_("The ledger's stored tree is incomplete; run the ledger "
                         "verification."), code="ledger_tree_incomplete") from exc


def inclusion_proof(*, seq: int, size: int | None = None) -> InclusionProof:
    """That entry ``seq`` is leaf ``seq`` of the tree of ``size`` leaves (default: the whole
    ledger now), with the entry's leaf data."""
    state = ledger_state()
    size = state.tree_size if size is None else size
    if not 0 < size <= state.tree_size:
        raise _out_of_range(_("The tree size must be between 1 and the ledger's size."),
                            tree_size=size, ledger_size=state.tree_size)
    if not 0 <= seq < size:
        raise _out_of_range(_("The entry is not in a tree of that size."),
                            leaf_index=seq, tree_size=size)
    entry = LedgerEntry.objects.filter(seq=seq).first()
    if entry is None:
        raise NotFound(_("No ledger entry has this sequence number."),
                       code="ledger_entry_not_found")
    h = hasher(state.algorithm)
    data = entry_leaf_data(entry)
    hashes = _hashes(h, [*merkle.inclusion_ranges(seq, size), (0, size)])
    return InclusionProof(algorithm=state.algorithm, leaf_index=seq, tree_size=size,
                          leaf_data=data, leaf_hash=h.leaf(data), inclusion_path=hashes[:-1],
                          root_hash=hashes[-1])


def consistency_proof(*, old: int, new: int) -> ConsistencyProof:
    """That the tree of ``new`` leaves extends the tree of ``old`` leaves unchanged."""
    state = ledger_state()
    if not 0 <= old <= new <= state.tree_size:
        raise _out_of_range(_("The sizes must satisfy 0 ≤ old ≤ new ≤ the ledger's size."),
                            old_size=old, new_size=new, ledger_size=state.tree_size)
    h = hasher(state.algorithm)
    ranges = merkle.consistency_ranges(old, new)
    hashes = _hashes(h, [*ranges, (0, old), (0, new)])
    return ConsistencyProof(algorithm=state.algorithm, old_size=old, new_size=new,
                            old_root=hashes[-2], new_root=hashes[-1],
                            consistency_path=hashes[:-2])


# --- Checkpoints --------------------------------------------------------------------------
def checkpoint_list() -> QuerySet[Checkpoint]:
    return Checkpoint.objects.order_by("-tree_size")


def checkpoint_latest() -> Checkpoint:
    latest = checkpoint_list().first()
    if latest is None:
        raise NotFound(_("No checkpoint has been signed yet."), code="checkpoint_not_found")
    return latest


def checkpoint_get(*, public_id: uuid.UUID | str) -> Checkpoint:
    try:
        return Checkpoint.objects.get(public_id=public_id)
    except (Checkpoint.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound(_("No such checkpoint."), code="checkpoint_not_found") from None
