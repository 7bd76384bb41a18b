"""A scratch PostgreSQL database for a benchmark's child process: created empty before the
run (``DATABASE_URL`` then points at it) and dropped afterwards."""

from __future__ import annotations

import os


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
