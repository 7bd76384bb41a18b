"""A scratch PostgreSQL database for a benchmark's child process: created empty before the
run (``DATABASE_URL`` then points at it) and dropped afterwards."""

from __future__ import annotations

import os
from typing import Any


def _conninfo(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def prepare(url: str, name: str) -> str | None:
    """Create database ``name`` on the server at ``url``; return why PostgreSQL cannot be
    used, or None."""
    import psycopg

    try:
        with psycopg.connect(_conninfo(url), autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
    except psycopg.OperationalError as exc:
        return f"PostgreSQL unreachable at {url} ({str(exc).strip().splitlines()[0]})"
    os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    return None


def drop(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(_conninfo(url), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")


RESULT_MARK = "RESULT "


def run_child(db: str, measure: Any, *, url: str, name: str) -> None:
    """The body of a benchmark's child process: on PostgreSQL a scratch database ``name`` on
    ``url`` (skipped with the reason when unreachable), then ``measure()`` after
    ``django.setup()``; its result dict is printed after ``RESULT_MARK`` for the parent."""
    import json

    if db == "postgresql":
        why = prepare(url, name)
        if why:
            print(f"postgresql: {why}; skipped")
            print(RESULT_MARK + json.dumps({"db": db, "skipped": why}))
            return
    import django

    django.setup()
    from django.db import connection

    try:
        result = measure()
    finally:
        connection.close()
        if db == "postgresql":
            drop(url, name)
    print(RESULT_MARK + json.dumps(result))
