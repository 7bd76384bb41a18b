"""The ledger's services: appending entries, signing checkpoints, witness cosignatures."""

from .append import NewEntry, actor_label, ledger_append, ledger_append_many
from .checkpoints import checkpoint_message, checkpoint_sign, cosignature_add

__all__ = [
    "NewEntry",
    "actor_label",
    "checkpoint_message",
    "checkpoint_sign",
    "cosignature_add",
    "ledger_append",
    "ledger_append_many",
]
