"""Triggers that make the ledger tables append-only, per database vendor.

UPDATE and DELETE are refused on entries, tree nodes, checkpoints and cosignatures:

- PostgreSQL: a row trigger raising SQLSTATE 23001 (``restrict_violation``), always. TRUNCATE
  is not a row operation and Django's test harness empties tables with it, so it is not
  trapped; production revokes TRUNCATE, UPDATE and DELETE on these tables from the
  application role (``docs/operations.md``).
- SQLite: ``RAISE(ABORT)``. UPDATE is always refused. DELETE is refused unless the connection's
  ``zhifa_ledger_unlocked()`` function says otherwise, which only happens inside
  ``ledger_unlocked()`` while ``ZHIFA_TESTING`` is set: Django's test harness empties
  SQLite tables with ``DELETE`` after each transactional test. Any other program opening the
  file has no such function, so its DELETE fails as well.

Triggers stop accidents and the application's own bugs; someone who owns the database can
drop them. That is what ``zhifa ledger verify`` is for: it finds what was changed anyway.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

PROTECTED_TABLES = (
    "ledger_ledgerentry",
    "ledger_ledgernode",
    "ledger_checkpoint",
    "ledger_cosignature",
)

UNLOCK_FUNCTION = "zhifa_ledger_unlocked"

_lock_depth = {"count": 0}


def _unlocked() -> int:
    testing = os.environ.get("ZHIFA_TESTING", "").strip().lower() in {"1", "true", "yes", "on"}
    return int(testing and _lock_depth["count"] > 0)


@contextmanager
def ledger_unlocked() -> Iterator[None]:
    """Let the test harness empty the SQLite ledger tables (a transactional test's flush).
    Does nothing outside tests (``ZHIFA_TESTING``) and nothing on PostgreSQL."""
    _lock_depth["count"] += 1
    try:
        yield
    finally:
        _lock_depth["count"] -= 1


def register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: the SQLite triggers call this function."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(UNLOCK_FUNCTION, 0, _unlocked)


def _pg_statements() -> list[str]:
    statements = [
        """
        CREATE OR REPLACE FUNCTION zhifa_ledger_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'ledger table % is append-only: % refused', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'restrict_violation';
        END
        $$
        """
    ]
    for table in PROTECTED_TABLES:
        statements.append(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION zhifa_ledger_append_only()"
        )
    return statements


def _sqlite_statements() -> list[str]:
    statements = []
    for table in PROTECTED_TABLES:
        statements.append(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'ledger table {table} is append-only: UPDATE refused'); "
            f"END"
        )
        statements.append(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"WHEN NOT {UNLOCK_FUNCTION}() "
            f"BEGIN SELECT RAISE(ABORT, 'ledger table {table} is append-only: DELETE refused'); "
            f"END"
        )
    return statements


def create_statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return _pg_statements()
    if vendor == "sqlite":
        return _sqlite_statements()
    raise NotImplementedError(f"no append-only triggers for {vendor}")


def drop_statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}" for t in PROTECTED_TABLES] + [
            "DROP FUNCTION IF EXISTS zhifa_ledger_append_only()"]
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {t}_{op}" for t in PROTECTED_TABLES
                for op in ("no_update", "no_delete")]
    raise NotImplementedError(f"no append-only triggers for {vendor}")


def trigger_names(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"{t}_append_only" for t in PROTECTED_TABLES]
    return [f"{t}_{op}" for t in PROTECTED_TABLES for op in ("no_update", "no_delete")]
