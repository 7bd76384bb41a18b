"""The full-text index over ``PublicationSearch.tokens``, per database vendor (ADR 0016).

SQLite: a contentless FTS5 table whose rowid is the search key (the decision date's day
number times 2^32 plus the publication id, so that the index walks newest decisions first
and a date range is a rowid range), kept in step with ``disclosure_publicationsearch`` by
triggers. Tokens are separated by spaces and contain only letters, digits and (filter
tokens) ``_``, so FTS5's own tokenizer splits exactly where ``search.tokenize`` did.

PostgreSQL: a stored generated ``tsvector`` column (the tokens as lexemes, as they are) with a
GIN index, and a B-tree on (decision_date, publication_id) for the newest-first walk.

Both: the models are unchanged (Django never reads these objects); the SQL is spelled out
here so that this migration keeps doing what it did when it was written.
"""

from django.db import migrations

TABLE = "disclosure_publicationsearch"
FTS = "disclosure_search_fts"
KEY_NEW = ("((CAST(julianday(new.decision_date) - 2440587.5 AS INTEGER) << 32) "
           "+ new.publication_id)")
KEY_OLD = KEY_NEW.replace("new.", "old.")

SQLITE = [
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(tokens, content='', "
    "tokenize=\"unicode61 remove_diacritics 0 tokenchars '_'\")",
    f"CREATE TRIGGER {FTS}_ai AFTER INSERT ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}(rowid, tokens) VALUES ({KEY_NEW}, new.tokens); END",
    f"CREATE TRIGGER {FTS}_ad AFTER DELETE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, tokens) VALUES ('delete', {KEY_OLD}, old.tokens); END",
    f"CREATE TRIGGER {FTS}_au AFTER UPDATE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, tokens) VALUES ('delete', {KEY_OLD}, old.tokens); "
    f"INSERT INTO {FTS}(rowid, tokens) VALUES ({KEY_NEW}, new.tokens); END",
    f"CREATE INDEX disclosure_search_order ON {TABLE} (decision_date, publication_id)",
    # rows indexed before this migration (e.g. migrated back and forth) join the index
    f"INSERT INTO {FTS}(rowid, tokens) SELECT "
    f"{KEY_NEW.replace('new.', TABLE + '.')}, tokens FROM {TABLE}",
]
SQLITE_REVERSE = [
    "DROP INDEX IF EXISTS disclosure_search_order",
    f"DROP TRIGGER IF EXISTS {FTS}_au",
    f"DROP TRIGGER IF EXISTS {FTS}_ad",
    f"DROP TRIGGER IF EXISTS {FTS}_ai",
    f"DROP TABLE IF EXISTS {FTS}",
]

POSTGRESQL = [
    f"ALTER TABLE {TABLE} ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    "array_to_tsvector(array_remove(string_to_array(translate(tokens, E'\\n', ' '), ' '), ''))"
    ") STORED",
    f"ALTER TABLE {TABLE} ALTER COLUMN tsv SET STATISTICS 1000",
    f"CREATE INDEX disclosure_search_tsv ON {TABLE} USING gin (tsv)",
    f"CREATE INDEX disclosure_search_order ON {TABLE} (decision_date, publication_id)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS disclosure_search_order",
    "DROP INDEX IF EXISTS disclosure_search_tsv",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS tsv",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise NotImplementedError(f"no full-text index for {vendor}")
        for sql in statements[vendor]:
            schema_editor.execute(sql, params=None)
    return run


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0002_default_policy")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
