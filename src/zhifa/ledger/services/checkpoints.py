"""Signed checkpoints and witness cosignatures."""

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhifa.core.errors import ApplicationError, InvalidInput, PermissionDenied
from zhifa.orgs.permissions import Perm, require_perm

from .. import checkpoint_log, conf, signing
from ..canonical import b64, checkpoint_text
from ..events import CHECKPOINT_SIGNED, COSIGNATURE_ADDED
from ..merkle import Frontier, hasher
from ..models import Checkpoint, Cosignature
from .append import ledger_append, lock_head

if TYPE_CHECKING:
    from zhifa.orgs.models import User

LEDGER_STREAM = "ledger"


def checkpoint_message(checkpoint: Checkpoint) -> bytes:
    """The bytes that the checkpoint's signature and its cosignatures sign."""
    return checkpoint_text(algorithm=checkpoint.algorithm, tree_size=checkpoint.tree_size,
                           root_hash=bytes(checkpoint.root_hash),
                           timestamp=checkpoint.timestamp)


@transaction.atomic
def checkpoint_sign(*, actor: "User | None") -> Checkpoint:
    """Sign the current tree head with the installation's key and record it. The recording
    entry is the next leaf (``seq == tree_size``), so the next checkpoint covers it. Once
    the transaction commits, the checkpoint is also appended to the checkpoint log outside
    the database (``checkpoint_log``); a rolled-back checkpoint is never logged."""
    head = lock_head()
    h = hasher(head.algorithm)
    root = Frontier.from_bytes(h, head.size, bytes(head.frontier)).root()
    key = signing.signing_key()
    timestamp = timezone.now().replace(microsecond=0)
    message = checkpoint_text(algorithm=head.algorithm, tree_size=head.size, root_hash=root,
                              timestamp=timestamp)
    checkpoint = Checkpoint.objects.create(
        tree_size=head.size, root_hash=root, algorithm=head.algorithm, timestamp=timestamp,
        signature=key.sign(message), public_key=key.public_key, key_algorithm=key.algorithm)
    ledger_append(actor=actor, event=CHECKPOINT_SIGNED, stream=LEDGER_STREAM, payload={
        "checkpoint": checkpoint.public_id, "tree_size": checkpoint.tree_size,
        "root_hash": b64(root), "algorithm": checkpoint.algorithm,
        "timestamp": timestamp, "key_algorithm": key.algorithm,
        "public_key": b64(key.public_key), "signature": b64(bytes(checkpoint.signature)),
    })
    record, path = checkpoint_log.checkpoint_record(checkpoint), conf.checkpoint_log_path()
    # Not robust on purpose: a failed write must reach the operator (cron mails it).
    transaction.on_commit(lambda: checkpoint_log.append_record(record, path))
    return checkpoint


@transaction.atomic
def cosignature_add(*, actor: "User", checkpoint: Checkpoint, public_key: bytes,
                    signature: bytes) -> Cosignature:
    """A supervisory body witnesses a checkpoint: its signature over the same checkpoint text
    is checked and kept, and the cosignature is recorded in the ledger."""
    require_perm(actor, Perm.SUPERVISE)
    body = actor.body
    if body is None or not body.is_supervisory:
        raise PermissionDenied(_("Only a supervisory body can witness the ledger."),
                               code="not_a_supervisory_body")
    try:
        key_algorithm = signing.public_key_algorithm(public_key)
    except ValueError:
        raise InvalidInput(_("The public key is not an Ed25519 or SM2 public key (DER)."),
                           code="cosignature_key_invalid") from None
    if not signing.verify_signature(public_key=public_key, signature=signature,
                                    message=checkpoint_message(checkpoint)):
        raise InvalidInput(_("The signature does not verify against this checkpoint."),
                           code="cosignature_invalid")
    # Taking the ledger's lock first makes the "once per body" check race-free.
    lock_head()
    if Cosignature.objects.filter(checkpoint=checkpoint, witness_body=body).exists():
        raise ApplicationError(_("Your body has already cosigned this checkpoint."),
                               code="cosignature_exists")
    cosignature = Cosignature.objects.create(
        checkpoint=checkpoint, witness_body=body, witness=actor, public_key=public_key,
        key_algorithm=key_algorithm, signature=signature, created_at=timezone.now())
    ledger_append(actor=actor, event=COSIGNATURE_ADDED, stream=LEDGER_STREAM, body=body,
                  payload={
                      "checkpoint": checkpoint.public_id, "tree_size": checkpoint.tree_size,
                      "cosignature": cosignature.public_id, "witness": body.name,
                      "witness_body": body.public_id, "key_algorithm": key_algorithm,
                      "public_key": b64(public_key), "signature": b64(signature),
                  })
    return cosignature
