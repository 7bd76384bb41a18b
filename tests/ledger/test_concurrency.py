"""Appends from concurrent transactions serialise on the head row: no sequence number is
taken twice, no chain forks, the tree stays whole. Real commits, several connections.

On PostgreSQL the workers run here, on the test database (``SELECT ... FOR UPDATE``). The
SQLite test database lives in memory with a shared cache, whose table locks fail instead of
waiting; the embedded installation uses a WAL file with ``BEGIN IMMEDIATE``, so on SQLite
the same workers run in a child process on a fresh database file, as in production.
"""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction

WORKERS = 4
EACH = 16


def run_workers() -> dict[str, Any]:
    from tests.ledger.helpers import TEST_EVENT
    from zhifa.ledger.models import LedgerEntry
    from zhifa.ledger.services import ledger_append
    from zhifa.ledger.verify import ledger_verify

    errors: list[str] = []
    start = threading.Barrier(WORKERS)

    def work(n: int) -> None:
        try:
            start.wait()
            for i in range(EACH):
                with transaction.atomic():
                    # Two streams shared by all workers: their chains must not fork.
                    ledger_append(actor=None, event=TEST_EVENT, payload={"w": n, "i": i},
                                  stream=f"shared:{i % 2}")
        except BaseException as exc:  # reported to the test
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = ledger_verify()
    return {
        "errors": errors,
        "seqs": sorted(LedgerEntry.objects.values_list("seq", flat=True)),
        "links": {s: sorted(LedgerEntry.objects.filter(stream=s).values_list(
            "stream_seq", flat=True)) for s in ("shared:0", "shared:1")},
        "verified": [report.ok, report.entries],
    }


def _in_child_process(tmp_path: Path) -> dict[str, Any]:
    env = {**os.environ, "ZHIFA_DATA_DIR": str(tmp_path), "ZHIFA_TESTING": "1",
           "ZHIFA_LEDGER_KEY_DIR": str(tmp_path / "keys"), "ZHIFA_LEDGER_HASH": "sm3"}
    env.pop("DATABASE_URL", None)
    script = (
        "import json, django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from tests.ledger.test_concurrency import run_workers\n"
        "print(json.dumps(run_workers()))\n")
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=300, check=False,
                          cwd=Path(settings.PROJECT_DIR))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_serialise(tmp_path: Path) -> None:
    result = (_in_child_process(tmp_path) if connection.vendor == "sqlite"
              else run_workers())
    total = WORKERS * EACH
    assert result == {
        "errors": [],
        "seqs": list(range(total)),
        "links": {"shared:0": list(range(total // 2)), "shared:1": list(range(total // 2))},
        "verified": [True, total],
    }
