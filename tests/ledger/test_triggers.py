"""The database refuses UPDATE and DELETE on the ledger tables, on SQLite and PostgreSQL."""

import base64
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from tests import factories as f
from tests.ledger.helpers import append, raw
from zhifa.ledger import guard
from zhifa.ledger.models import Checkpoint, Cosignature, LedgerEntry, LedgerHead, LedgerNode
from zhifa.ledger.services import checkpoint_message, checkpoint_sign, cosignature_add

pytestmark = pytest.mark.django_db


def _witness_key() -> tuple[Any, bytes]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return key, public


@pytest.fixture
def ledger() -> dict[str, Any]:
    w = f.World()
    append(20)
    checkpoint = checkpoint_sign(actor=None)
    key, public = _witness_key()
    cosignature = cosignature_add(actor=w.u_supervisor, checkpoint=checkpoint,
                                  public_key=public,
                                  signature=key.sign(checkpoint_message(checkpoint)))
    return {"checkpoint": checkpoint, "cosignature": cosignature}


def counts() -> tuple[int, int, int, int]:
    return (LedgerEntry.objects.count(), LedgerNode.objects.count(),
            Checkpoint.objects.count(), Cosignature.objects.count())


def refused(action: Callable[[], Any], operation: str) -> str:
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        action()
    message = str(exc.value)
    assert "is append-only" in message and f"{operation} refused" in message
    return message


TABLES = {
    "ledger_ledgerentry": ("payload", "'{}'", "seq"),
    "ledger_ledgernode": ("hash", "X'00'", '"key"'),
    "ledger_checkpoint": ("tree_size", "1", "id"),
    "ledger_cosignature": ("signature", "X'00'", "id"),
}


@pytest.mark.parametrize("table", sorted(TABLES))
def test_raw_update_and_delete_are_refused(ledger: dict[str, Any], table: str) -> None:
    column, value, key = TABLES[table]
    if connection.vendor == "postgresql":
        value = value.replace("X'00'", "'\\x00'::bytea")
    before = counts()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN({key}) FROM {table}")
        (first,) = cursor.fetchone()
    refused(lambda: raw(f"UPDATE {table} SET {column} = {value} WHERE {key} = %s", [first]),
            "UPDATE")
    refused(lambda: raw(f"DELETE FROM {table} WHERE {key} = %s", [first]), "DELETE")
    refused(lambda: raw(f"DELETE FROM {table}"), "DELETE")
    assert counts() == before


def test_orm_update_and_delete_are_refused(ledger: dict[str, Any]) -> None:
    before = counts()
    entry = LedgerEntry.objects.get(seq=3)
    refused(lambda: LedgerEntry.objects.filter(seq=3).update(payload='{"n":99}'), "UPDATE")
    refused(lambda: LedgerEntry.objects.filter(seq=3).delete(), "DELETE")
    refused(lambda: LedgerNode.objects.all().delete(), "DELETE")
    checkpoint = ledger["checkpoint"]
    checkpoint.root_hash = b"\x00" * 32
    refused(lambda: checkpoint.save(update_fields=["root_hash"]), "UPDATE")
    refused(lambda: Cosignature.objects.update(signature=b"x"), "UPDATE")
    assert counts() == before
    assert LedgerEntry.objects.get(seq=3).payload == entry.payload
    stored = Checkpoint.objects.get(pk=checkpoint.pk)
    assert base64.b64encode(bytes(stored.root_hash)) != base64.b64encode(b"\x00" * 32)


def test_the_head_row_is_the_one_that_changes(ledger: dict[str, Any]) -> None:
    size = LedgerHead.objects.get().size
    append(1)
    assert LedgerHead.objects.get().size == size + 1


def test_the_unlock_only_serves_the_sqlite_test_harness(ledger: dict[str, Any],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside ``ledger_unlocked()`` and with ZHIFA_TESTING, SQLite lets DELETE through (a
    transactional test's flush); UPDATE never; PostgreSQL never (its flush is TRUNCATE)."""
    before = counts()
    monkeypatch.delenv("ZHIFA_TESTING", raising=False)
    with guard.ledger_unlocked():
        refused(lambda: raw("DELETE FROM ledger_ledgerentry WHERE seq = 0"), "DELETE")
    monkeypatch.setenv("ZHIFA_TESTING", "1")
    with guard.ledger_unlocked():
        refused(lambda: raw("UPDATE ledger_ledgerentry SET payload = '{}' WHERE seq = 0"),
                "UPDATE")
        if connection.vendor == "sqlite":
            with transaction.atomic():
                raw("DELETE FROM ledger_ledgerentry WHERE seq = 0")
                assert LedgerEntry.objects.count() == before[0] - 1
                transaction.set_rollback(True)
        else:
            refused(lambda: raw("DELETE FROM ledger_ledgerentry WHERE seq = 0"), "DELETE")
    refused(lambda: raw("DELETE FROM ledger_ledgerentry WHERE seq = 0"), "DELETE")
    assert counts() == before


def test_the_triggers_exist(ledger: dict[str, Any]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {row[0] for row in cursor.fetchall()}
    assert set(guard.trigger_names(connection.vendor)) <= names
