"""The integrity proof of a public record: what anyone needs to check, without trusting this
site, that the record on the page is the one the enforcement body published.

1. The record's canonical JSON (``disclosure.fields.public_record`` through
   ``ledger.canonical.canonical_json``), exact text: hashed with the ledger's algorithm it is
   the ``content_digest`` in the payload of the publication's ledger entry.
2. That entry (``disclosure.published``): its leaf data, exact text; its leaf hash is
   ``H(0x00 || leaf data)``.
3. An RFC 6962 inclusion proof of the entry in the tree of the latest signed checkpoint:
   folding the path from the leaf hash gives the checkpoint's root.
4. The checkpoint: tree size, root, time, and the installation's signature over
   ``ledger.canonical.checkpoint_text`` with its public key (DER SubjectPublicKeyInfo).

Bytes are standard base64 (as ``zhifa ledger prove`` prints them); digests are hex. The
bundle holds only public data: the entry's payload carries no personal data by contract.
When no checkpoint covers the entry yet, the bundle says so (``status: "pending"``): the
next ``zhifa ledger checkpoint`` makes the proof complete."""

from __future__ import annotations

import json
from typing import Any, Literal

from django.core.exceptions import ImproperlyConfigured

from zhifa.core.errors import ApplicationError
from zhifa.disclosure.events import PUBLICATION_PUBLISHED
from zhifa.disclosure.fields import public_record
from zhifa.disclosure.models import Publication
from zhifa.ledger.canonical import b64, canonical_json, timestamp_text
from zhifa.ledger.checkpoint_log import signed_time
from zhifa.ledger.models import Checkpoint, LedgerEntry
from zhifa.ledger.selectors import checkpoint_is_genuine, entry_leaf_data, inclusion_proof
from zhifa.ledger.services.checkpoints import checkpoint_message

FORMAT = "zhifa-publication-proof/v1"
SM2_ID = "1234567812345678"  # the default SM2 user id the ledger signs with

Status = Literal["complete", "pending", "unavailable"]


def record_text(pub: Publication) -> str:
    """The exact text the publication's ``content_digest`` covers."""
    return canonical_json(public_record(pub))


def _entry(pub: Publication) -> LedgerEntry | None:
    """The publication's ``disclosure.published`` entry, if it is the one it claims to be."""
    if pub.ledger_seq is None:
        return None
    entry = LedgerEntry.objects.filter(seq=pub.ledger_seq).first()
    if entry is None or entry.event_code != PUBLICATION_PUBLISHED.code:
        return None
    try:
        payload = json.loads(entry.payload)
    except ValueError:
        return None
    if not isinstance(payload, dict) or payload.get("publication") != str(pub.public_id):
        return None
    return entry


def _checkpoint_covering(seq: int) -> Checkpoint | None:
    latest = Checkpoint.objects.order_by("-tree_size").first()
    if latest is None or latest.tree_size <= seq:
        return None
    return latest


def checkpoint_out(checkpoint: Checkpoint) -> dict[str, Any]:
    public_key = bytes(checkpoint.public_key)
    return {
        "id": str(checkpoint.public_id),
        "tree_size": checkpoint.tree_size,
        "root_hash": b64(bytes(checkpoint.root_hash)),
        "algorithm": checkpoint.algorithm,
        "timestamp": signed_time(checkpoint.timestamp),
        "signed_text": checkpoint_message(checkpoint).decode(),
        "signature": b64(bytes(checkpoint.signature)),
        "public_key": b64(public_key),
        "key_algorithm": checkpoint.key_algorithm,
        "server_verified": checkpoint_is_genuine(checkpoint),
    }


def commands(checkpoint: dict[str, Any]) -> str:
    """Shell commands (OpenSSL 3) that check the checkpoint's signature offline."""
    text = b64(checkpoint["signed_text"].encode())
    lines = [
        f"echo '{text}' | base64 -d > checkpoint.txt",
        f"echo '{checkpoint['signature']}' | base64 -d > checkpoint.sig",
        f"echo '{checkpoint['public_key']}' | base64 -d > checkpoint-key.der",
    ]
    if checkpoint["key_algorithm"] == "sm2":
        lines.append("openssl pkeyutl -verify -pubin -keyform DER -inkey checkpoint-key.der "
                     f"-rawin -digest sm3 -pkeyopt distid:{SM2_ID} -in checkpoint.txt "
                     "-sigfile checkpoint.sig")
    else:
        lines.append("openssl pkeyutl -verify -pubin -keyform DER -inkey checkpoint-key.der "
                     "-rawin -in checkpoint.txt -sigfile checkpoint.sig")
    return "\n".join(lines)


def publication_proof(pub: Publication) -> dict[str, Any]:
    """The proof bundle of a public record (call it only for a record that is public)."""
    text = record_text(pub)
    bundle: dict[str, Any] = {
        "format": FORMAT,
        "publication": str(pub.public_id),
        "status": "unavailable",
        "record": {"text": text, "content_digest": pub.content_digest},
        "entry": None,
        "inclusion": None,
        "checkpoint": None,
    }
    entry = _entry(pub)
    if entry is None:
        return bundle
    payload = json.loads(entry.payload)
    leaf_data = entry_leaf_data(entry)
    bundle["record"]["algorithm"] = payload.get("algorithm", "")
    bundle["entry"] = {
        "seq": entry.seq,
        "event_code": entry.event_code,
        "event": PUBLICATION_PUBLISHED.name,
        "recorded_at": timestamp_text(entry.recorded_at),
        "payload": payload,
        "leaf_data": leaf_data.decode(),
    }
    checkpoint = _checkpoint_covering(entry.seq)
    if checkpoint is None:
        bundle["status"] = "pending"
        return bundle
    try:
        proof = inclusion_proof(seq=entry.seq, size=checkpoint.tree_size)
    except (ApplicationError, ImproperlyConfigured):
        return bundle
    bundle["entry"]["leaf_hash"] = b64(proof.leaf_hash)
    bundle["inclusion"] = {
        "algorithm": proof.algorithm,
        "leaf_index": proof.leaf_index,
        "tree_size": proof.tree_size,
        "inclusion_path": [b64(node) for node in proof.inclusion_path],
        "root_hash": b64(proof.root_hash),
    }
    bundle["checkpoint"] = checkpoint_out(checkpoint)
    bundle["commands"] = commands(bundle["checkpoint"])
    bundle["status"] = "complete"
    return bundle
