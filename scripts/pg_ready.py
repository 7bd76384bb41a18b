"""Exit 0 when the PostgreSQL at the given URL accepts connections."""

import sys

import psycopg

try:
    with psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://"), connect_timeout=3):
        pass
except Exception as exc:  # noqa: BLE001
    print(f"PostgreSQL: {exc}", file=sys.stderr)
    sys.exit(1)
