"""The ledger at scale, on SQLite and on PostgreSQL: bulk append (import path), one append per
transaction, full verification, inclusion and consistency proofs.

Targets (issue 3): bulk append ≥ 20,000 entries/s; verification ≥ 100,000 entries/s over a
1,000,000-entry ledger; proofs on that ledger p95 < 10 ms.

    python -m benchmarks.bench_ledger [--size N] [--vendors sqlite,postgresql]

Each database and hash algorithm runs in its own process on a scratch database (SQLite: a
file in a temporary directory; PostgreSQL: ``zhifa_bench_ledger`` on ``ZHIFA_BENCH_PG_URL``,
default ``postgres://postgres@127.0.0.1:5432/postgres``, dropped afterwards). ``make bench``
runs it with the default size, 1,000,000; ``ZHIFA_BENCH_LEDGER_SIZE`` overrides it there.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PG_URL = os.environ.get("ZHIFA_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_TEST_DB = "zhifa_bench_ledger"
DEFAULT_SIZE = 1_000_000
ENTRIES_PER_CASE = 40
PROOFS = 1000
SINGLE_APPENDS = 2000


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def _worker(vendor: str, algorithm: str, size: int) -> dict[str, Any]:
    """Runs in its own process with the environment set up by ``_spawn``."""
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils.translation import gettext_lazy as _

    from zhifa.ledger.events import register_event
    from zhifa.ledger.selectors import consistency_proof, inclusion_proof
    from zhifa.ledger.services import NewEntry, checkpoint_sign, ledger_append, ledger_append_many
    from zhifa.ledger.verify import ledger_verify

    if vendor == "sqlite":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(
            Path(os.environ["ZHIFA_DATA_DIR"]) / "bench.sqlite3")
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    result: dict[str, Any] = {"vendor": vendor, "algorithm": algorithm, "size": size}
    try:
        event = register_event(9998, "bench.recorded", _("Benchmark entry {step}"))
        steps = ["立案", "调查取证", "事先告知", "陈述申辩", "作出处罚决定", "送达", "执行"]

        def entries(n: int, offset: int = 0) -> Any:
            for i in range(offset, offset + n):
                case = i // ENTRIES_PER_CASE
                yield NewEntry(
                    event=event, stream=f"case:{case:08d}-bench",
                    payload={"case": f"湘长市监罚〔2026〕{case}号", "step": steps[i % len(steps)],
                             "amount_fen": (i * 7919) % 10_000_000, "officers": [i % 97, i % 89],
                             "note": "当事人对违法事实无异议，依法作出决定。"})

        started, cpu = time.perf_counter(), time.process_time()
        appended = ledger_append_many(entries=entries(size))
        result["bulk_append_per_s"] = appended / (time.perf_counter() - started)
        result["bulk_cpu_per_s"] = appended / (time.process_time() - cpu)

        checkpoint_sign(actor=None)

        started = time.perf_counter()
        for i in range(SINGLE_APPENDS):
            with transaction.atomic():
                ledger_append(actor=None, event=event, stream=f"case:{i % 50:08d}-single",
                              payload={"step": steps[i % len(steps)], "n": i})
        result["single_append_per_s"] = SINGLE_APPENDS / (time.perf_counter() - started)
        checkpoint_sign(actor=None)

        cpu = time.process_time()
        report = ledger_verify()
        assert report.ok, report.as_dict()
        result["verify_entries"] = report.entries
        result["verify_per_s"] = report.entries / report.seconds
        result["verify_cpu_per_s"] = report.entries / (time.process_time() - cpu)

        total = report.entries
        rng = random.Random(6962)
        inclusion, consistency = [], []
        for _ in range(PROOFS):
            seq = rng.randrange(total)
            t0 = time.perf_counter()
            proof = inclusion_proof(seq=seq)
            inclusion.append((time.perf_counter() - t0) * 1000)
            assert proof.verify()
        for _ in range(PROOFS):
            old = rng.randrange(1, total)
            new = rng.randrange(old, total + 1)
            t0 = time.perf_counter()
            cproof = consistency_proof(old=old, new=new)
            consistency.append((time.perf_counter() - t0) * 1000)
            assert cproof.verify()
        result["inclusion_p50_ms"] = statistics.median(inclusion)
        result["inclusion_p95_ms"] = _percentile(inclusion, 0.95)
        result["consistency_p50_ms"] = statistics.median(consistency)
        result["consistency_p95_ms"] = _percentile(consistency, 0.95)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return result


def _pg_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_URL, connect_timeout=3):
            return True
    except Exception:
        return False


def _spawn(vendor: str, algorithm: str, size: int) -> dict[str, Any]:
    data_dir = tempfile.mkdtemp(prefix="zhifa-bench-ledger-")
    env = {**os.environ, "ZHIFA_DATA_DIR": data_dir, "ZHIFA_TESTING": "1",
           "DJANGO_SETTINGS_MODULE": "zhifa.settings", "ZHIFA_LEDGER_HASH": algorithm}
    if vendor == "postgresql":
        env["DATABASE_URL"] = PG_URL
        env["ZHIFA_TEST_DB_NAME"] = PG_TEST_DB
    else:
        env.pop("DATABASE_URL", None)
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_ledger", "--worker", vendor, algorithm,
         "--size", str(size)],
        env=env, capture_output=True, text=True, check=False,
        cwd=Path(__file__).resolve().parent.parent)
    if completed.returncode != 0:
        raise RuntimeError(f"{vendor}/{algorithm} failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _table(results: list[dict[str, Any]]) -> None:
    """Rates are per wall-clock second; ``(cpu)`` divides by this process's CPU time
    instead, which a busy machine distorts less (the database server's time is not in it)."""
    header = (f"{'database':10} {'hash':6} {'entries':>9} {'bulk/s':>8} {'(cpu)':>8} "
              f"{'single/s':>8} {'verify/s':>8} {'(cpu)':>8} {'incl p50':>8} {'incl p95':>8} "
              f"{'cons p50':>8} {'cons p95':>8}")
    print(header)
    print("-" * len(header))
    for r in results:
        print(f"{r['vendor']:10} {r['algorithm']:6} {r['verify_entries']:>9,} "
              f"{r['bulk_append_per_s']:>8,.0f} {r['bulk_cpu_per_s']:>8,.0f} "
              f"{r['single_append_per_s']:>8,.0f} {r['verify_per_s']:>8,.0f} "
              f"{r['verify_cpu_per_s']:>8,.0f} {r['inclusion_p50_ms']:>6.2f}ms "
              f"{r['inclusion_p95_ms']:>6.2f}ms {r['consistency_p50_ms']:>6.2f}ms "
              f"{r['consistency_p95_ms']:>6.2f}ms")
    print("targets: bulk ≥ 20,000/s; verify ≥ 100,000/s at 1,000,000 entries; "
          "proofs p95 < 10 ms")


def run(size: int | None = None, vendors: tuple[str, ...] = ("sqlite", "postgresql")) -> None:
    size = size or int(os.environ.get("ZHIFA_BENCH_LEDGER_SIZE", DEFAULT_SIZE))
    print(f"{size:,} entries per ledger; load average at start "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    results = []
    for vendor in vendors:
        if vendor == "postgresql" and not _pg_reachable():
            print(f"PostgreSQL not reachable at {PG_URL}: its figures are left out.")
            continue
        for algorithm in ("sha256", "sm3"):
            results.append(_spawn(vendor, algorithm, size))
    _table(results)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=None)
    parser.add_argument("--vendors", default="sqlite,postgresql")
    parser.add_argument("--worker", nargs=2, metavar=("VENDOR", "ALGORITHM"))
    args = parser.parse_args()
    if args.worker:
        vendor, algorithm = args.worker
        print(json.dumps(_worker(vendor, algorithm, args.size or DEFAULT_SIZE)))
        return
    run(args.size, tuple(v.strip() for v in args.vendors.split(",") if v.strip()))


if __name__ == "__main__":
    main()
