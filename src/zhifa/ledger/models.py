"""The ledger's tables. Entries, tree nodes, checkpoints and cosignatures are append-only:
database triggers refuse UPDATE and DELETE (migration 0002, ``ledger.guard``). Only the
single ``LedgerHead`` row changes; it is also the lock that serialises appends."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhifa.orgs.models import EnforcementBody


class KeyField(models.BigIntegerField):
    """A 64-bit primary key that is SQLite's rowid: declared ``integer`` there (Django says
    ``bigint``, which makes SQLite keep a separate rowid and a second index), so the table
    is stored in key order and range scans read it sequentially. ``bigint`` elsewhere."""

    def db_type(self, connection):  # type: ignore[no-untyped-def]
        if connection.vendor == "sqlite":
            return "integer"
        return super().db_type(connection)


class LedgerEntry(models.Model):
    """One recorded state change; leaf ``seq`` of the global Merkle tree and link
    ``stream_seq`` of its stream's hash chain. The leaf data format is in ``canonical``."""

    # The leaf index is the primary key: one index fewer to maintain on every append.
    seq = KeyField(_("sequence number"), primary_key=True)
    stream = models.CharField(_("stream"), max_length=100)
    stream_seq = models.BigIntegerField(_("sequence number in the stream"))
    event_code = models.IntegerField(_("event code"))
    # The ids are part of the hashed leaf and never change. They are references, not
    # constraints: deleting an account or a body later neither blocks on the ledger nor
    # alters it (the name kept in ``actor_name`` still says who acted).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True,
                              on_delete=models.DO_NOTHING, db_constraint=False,
                              related_name="+", db_index=False)
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    body = models.ForeignKey(EnforcementBody, verbose_name=_("enforcement body"), null=True,
                             on_delete=models.DO_NOTHING, db_constraint=False,
                             related_name="+", db_index=False)
    recorded_at = models.DateTimeField(_("recorded at"))
    payload = models.TextField(_("payload"))  # canonical JSON
    leaf_hash = models.BinaryField(_("leaf hash"))
    prev_hash = models.BinaryField(_("previous chain hash"))
    chain_hash = models.BinaryField(_("chain hash"))

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.UniqueConstraint(fields=["stream", "stream_seq"],
                                    name="ledger_entry_stream_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.stream}/{self.stream_seq} ({self.event_code})"


class LedgerNode(models.Model):
    """The hash of a complete aligned subtree of 16 leaves or more, written when its last
    leaf is appended, so that proofs read O(log n) rows instead of hashing the tree.
    ``key = (last_leaf << 6) | level``: ordering by key is the order of completion."""

    key = KeyField(primary_key=True)
    hash = models.BinaryField()

    class Meta:
        verbose_name = _("ledger tree node")
        verbose_name_plural = _("ledger tree nodes")

    def __str__(self) -> str:
        return f"node {self.key >> 6}/{self.key & 63}"


class LedgerHead(models.Model):
    """The single row (id 1) with the tree's right edge. Appends lock it (``SELECT ... FOR
    UPDATE`` on PostgreSQL; SQLite's write lock, taken at ``BEGIN IMMEDIATE``)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    algorithm = models.CharField(_("hash algorithm"), max_length=16)
    size = models.BigIntegerField(_("tree size"), default=0)
    # Hashes of the complete subtrees along the right edge, largest first, concatenated.
    frontier = models.BinaryField(_("right edge"), default=b"")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("ledger head")
        verbose_name_plural = _("ledger head")

    def __str__(self) -> str:
        return f"{self.algorithm} tree of {self.size}"


class KeyAlgorithm(models.TextChoices):
    ED25519 = "ed25519", "Ed25519"
    SM2 = "sm2", "SM2"


class Checkpoint(models.Model):
    """A signed tree head. Its signature covers ``canonical.checkpoint_text``; the entry that
    records it is the next leaf, ``seq == tree_size``."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True,
                                 editable=False)
    tree_size = models.BigIntegerField(_("tree size"), unique=True)
    root_hash = models.BinaryField(_("root hash"))
    algorithm = models.CharField(_("hash algorithm"), max_length=16)
    timestamp = models.DateTimeField(_("signed at"))
    signature = models.BinaryField(_("signature"))
    public_key = models.BinaryField(_("public key"))  # DER SubjectPublicKeyInfo
    key_algorithm = models.CharField(_("signature algorithm"), max_length=16,
                                     choices=KeyAlgorithm.choices)

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["-tree_size"]

    def __str__(self) -> str:
        return f"checkpoint {self.tree_size}"


class Cosignature(models.Model):
    """A supervisory body's witness signature over the same checkpoint text."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True,
                                 editable=False)
    checkpoint = models.ForeignKey(Checkpoint, verbose_name=_("checkpoint"),
                                   on_delete=models.PROTECT, related_name="cosignatures")
    # References like the entries' (see ``LedgerEntry.actor``).
    witness_body = models.ForeignKey(EnforcementBody, verbose_name=_("witness body"),
                                     on_delete=models.DO_NOTHING, db_constraint=False,
                                     related_name="+")
    witness = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"),
                                null=True, on_delete=models.DO_NOTHING, db_constraint=False,
                                related_name="+")
    public_key = models.BinaryField(_("public key"))
    key_algorithm = models.CharField(_("signature algorithm"), max_length=16,
                                     choices=KeyAlgorithm.choices)
    signature = models.BinaryField(_("signature"))
    created_at = models.DateTimeField(_("cosigned at"))

    class Meta:
        verbose_name = _("cosignature")
        verbose_name_plural = _("cosignatures")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "witness_body"],
                                    name="ledger_cosignature_once_per_body"),
        ]

    def __str__(self) -> str:
        return f"cosignature on {self.checkpoint_id}"
