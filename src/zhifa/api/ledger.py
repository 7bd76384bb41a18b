"""The ledger: signed checkpoints, inclusion and consistency proofs, witness cosignatures.

Hashes, keys and signatures are standard base64. Public keys are DER SubjectPublicKeyInfo
(Ed25519 or SM2). A checkpoint's signature, and every cosignature, signs the checkpoint text
of ``zhifa.ledger.canonical.checkpoint_text`` (five lines: header, hash algorithm, tree
size, root hash, time). Proofs are those of RFC 6962 with the configured hash (SM3 or
SHA-256); they carry hashes only, never the entries' contents.
"""

import base64
import binascii
import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import field_validator

from zhifa.ledger.canonical import b64, checkpoint_text
from zhifa.ledger.models import Checkpoint, Cosignature
from zhifa.ledger.selectors import (
    checkpoint_get,
    checkpoint_latest,
    checkpoint_list,
    consistency_proof,
    inclusion_proof,
)
from zhifa.ledger.services import cosignature_add
from zhifa.orgs.permissions import Perm, require_perm

from .common import DENIED, DENIED_OR_MISSING, REJECTED, BodyRefOut, paginated

router = Router(tags=["ledger"])


class CosignatureOut(Schema):
    public_id: uuid.UUID
    witness_body: BodyRefOut
    key_algorithm: str
    public_key: str
    signature: str
    created_at: dt.datetime

    @staticmethod
    def resolve_public_key(obj: Cosignature) -> str:
        return b64(bytes(obj.public_key))

    @staticmethod
    def resolve_signature(obj: Cosignature) -> str:
        return b64(bytes(obj.signature))


class CheckpointOut(Schema):
    public_id: uuid.UUID
    tree_size: int
    root_hash: str
    algorithm: str
    timestamp: str  # as signed: UTC to the second, e.g. 2026-11-26T08:00:00Z
    signature: str
    public_key: str
    key_algorithm: str
    signed_text: str  # the exact text the signature and the cosignatures sign
    cosignatures: list[CosignatureOut]

    @staticmethod
    def resolve_root_hash(obj: Checkpoint) -> str:
        return b64(bytes(obj.root_hash))

    @staticmethod
    def resolve_timestamp(obj: Checkpoint) -> str:
        return obj.timestamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @staticmethod
    def resolve_signature(obj: Checkpoint) -> str:
        return b64(bytes(obj.signature))

    @staticmethod
    def resolve_public_key(obj: Checkpoint) -> str:
        return b64(bytes(obj.public_key))

    @staticmethod
    def resolve_signed_text(obj: Checkpoint) -> str:
        return checkpoint_text(algorithm=obj.algorithm, tree_size=obj.tree_size,
                               root_hash=bytes(obj.root_hash),
                               timestamp=obj.timestamp).decode()

    @staticmethod
    def resolve_cosignatures(obj: Checkpoint) -> list[Cosignature]:
        return list(obj.cosignatures.all())


class InclusionIn(Schema):
    seq: int
    size: int | None = None  # default: the whole ledger now


class InclusionOut(Schema):
    algorithm: str
    leaf_index: int
    tree_size: int
    leaf_hash: str
    inclusion_path: list[str]
    root_hash: str


class ConsistencyIn(Schema):
    old: int
    new: int


class ConsistencyOut(Schema):
    algorithm: str
    old_size: int
    new_size: int
    old_root: str
    new_root: str
    consistency_path: list[str]


def _base64(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not standard base64") from None


class CosignatureIn(Schema):
    public_key: str  # base64 of the DER SubjectPublicKeyInfo (Ed25519 or SM2)
    signature: str  # base64 of the signature over the checkpoint's signed text

    @field_validator("public_key", "signature")
    @classmethod
    def _is_base64(cls, value: str) -> str:
        if not _base64(value):
            raise ValueError("must not be empty")
        return value


def _with_cosignatures() -> Any:
    return checkpoint_list().prefetch_related("cosignatures__witness_body")


@router.get("/ledger/checkpoints/latest", response={200: CheckpointOut, **DENIED_OR_MISSING},
            operation_id="checkpoint_latest", summary="The latest signed checkpoint")
def latest(request: HttpRequest) -> Any:
    require_perm(request.user, Perm.VIEW_REGISTRY)
    checkpoint_latest()  # 404 checkpoint_not_found on an unsigned ledger
    return _with_cosignatures().first()


@router.get("/ledger/checkpoints", response={200: list[CheckpointOut], **DENIED},
            operation_id="checkpoint_list", summary="Signed checkpoints, newest first")
@paginated
def checkpoints(request: HttpRequest) -> Any:
    require_perm(request.user, Perm.VIEW_REGISTRY)
    return _with_cosignatures()


@router.get("/ledger/checkpoints/{public_id}",
            response={200: CheckpointOut, **DENIED_OR_MISSING},
            operation_id="checkpoint_get", summary="One signed checkpoint")
def checkpoint(request: HttpRequest, public_id: str) -> Any:
    require_perm(request.user, Perm.VIEW_REGISTRY)
    found = checkpoint_get(public_id=public_id)
    return _with_cosignatures().get(pk=found.pk)


@router.get("/ledger/proofs/inclusion",
            response={200: InclusionOut, **DENIED_OR_MISSING, **REJECTED},
            operation_id="inclusion_proof",
            summary="Inclusion proof of entry `seq` in the tree of `size` entries")
def inclusion(request: HttpRequest, params: Query[InclusionIn]) -> Any:
    require_perm(request.user, Perm.VIEW_REGISTRY)
    proof = inclusion_proof(seq=params.seq, size=params.size)
    return {"algorithm": proof.algorithm, "leaf_index": proof.leaf_index,
            "tree_size": proof.tree_size, "leaf_hash": b64(proof.leaf_hash),
            "inclusion_path": [b64(p) for p in proof.inclusion_path],
            "root_hash": b64(proof.root_hash)}


@router.get("/ledger/proofs/consistency",
            response={200: ConsistencyOut, **DENIED, **REJECTED},
            operation_id="consistency_proof",
            summary="Consistency proof between the trees of `old` and `new` entries")
def consistency(request: HttpRequest, params: Query[ConsistencyIn]) -> Any:
    require_perm(request.user, Perm.VIEW_REGISTRY)
    proof = consistency_proof(old=params.old, new=params.new)
    return {"algorithm": proof.algorithm, "old_size": proof.old_size,
            "new_size": proof.new_size, "old_root": b64(proof.old_root),
            "new_root": b64(proof.new_root),
            "consistency_path": [b64(p) for p in proof.consistency_path]}


@router.post("/ledger/checkpoints/{public_id}/cosignatures",
             response={201: CosignatureOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="cosignature_add",
             summary="Witness a checkpoint (supervisory bodies)")
def cosign(request: HttpRequest, public_id: str, data: CosignatureIn) -> Any:
    """The caller's body must be a supervisory body and the caller must supervise. The
    signature must verify against the checkpoint's signed text with the given key; each
    body cosigns a checkpoint once (409 ``cosignature_exists``)."""
    require_perm(request.user, Perm.SUPERVISE)
    found = checkpoint_get(public_id=public_id)
    cosignature = cosignature_add(actor=request.user,  # type: ignore[arg-type]
                                  checkpoint=found, public_key=_base64(data.public_key),
                                  signature=_base64(data.signature))
    return Status(201, cosignature)
