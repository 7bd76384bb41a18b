"""Append-only triggers on the ledger tables, per database vendor (see ``ledger.guard``).

The SQL is spelled out here rather than imported, so that this migration keeps doing what it
did when it was written even if ``ledger.guard`` changes later.
"""

from django.db import migrations

TABLES = ("ledger_ledgerentry", "ledger_ledgernode", "ledger_checkpoint", "ledger_cosignature")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION zhifa_ledger_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$
"""


def _statements(vendor):
    if vendor == "postgresql":
        return [PG_FUNCTION] + [
            f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
            f"FOR EACH ROW EXECUTE FUNCTION zhifa_ledger_append_only()"
            for t in TABLES
        ]
    if vendor == "sqlite":
        statements = []
        for t in TABLES:
            statements.append(
                f"CREATE TRIGGER {t}_no_update BEFORE UPDATE ON {t} "
                f"BEGIN SELECT RAISE(ABORT, 'ledger table {t} is append-only: UPDATE refused'); "
                f"END")
            statements.append(
                f"CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t} "
                f"WHEN NOT zhifa_ledger_unlocked() "
                f"BEGIN SELECT RAISE(ABORT, 'ledger table {t} is append-only: DELETE refused'); "
                f"END")
        return statements
    raise NotImplementedError(f"the ledger has no append-only triggers for {vendor}")


def _drop_statements(vendor):
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}" for t in TABLES] + [
            "DROP FUNCTION IF EXISTS zhifa_ledger_append_only()"]
    return [f"DROP TRIGGER IF EXISTS {t}_{op}" for t in TABLES for op in ("no_update", "no_delete")]


def create_triggers(apps, schema_editor):
    for sql in _statements(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


def drop_triggers(apps, schema_editor):
    for sql in _drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
