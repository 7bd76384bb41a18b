"""Case transitions through the service layer against the raw commit rate of the same database.

Issue 3 asks that a procedure step (``case_act``: scope and role checks, the legal guards, the
case, deadline and step rows, and the ledger entry, in one committed transaction) runs at no
less than a quarter of the rate at which the same database commits a one-row INSERT. Both are
measured in the same process over the same Django connection, in alternating rounds, and the
medians of the rounds are compared.

Each database runs in a child process, because the settings choose the database when they are
imported: SQLite as configured for production (a file in a scratch data directory, WAL,
``synchronous=NORMAL``, ``BEGIN IMMEDIATE``) and PostgreSQL at ``ZHIFA_BENCH_POSTGRES`` (default
``postgres://postgres@127.0.0.1:5432/postgres``) in a database of its own, dropped afterwards.

The workload: cases of the general procedure, each taken through register (the agency's
approval ladder is empty, so it applies at once), start_investigation and ten
record_investigation steps, breadth-first. The time counted is the ``case_act`` call; loading
the account (as the session middleware and the view's scope check do) is outside it.

``python -m benchmarks.bench_cases --db sqlite --profile`` adds a per-phase timing of
``case_act`` and a cProfile listing; ``ZHIFA_BENCH_ROUNDS`` sets the number of rounds (5).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import scratch_pg

POSTGRES_URL = os.environ.get("ZHIFA_BENCH_POSTGRES",
                              "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB_NAME = "zhifa_bench_cases"
TARGET = 0.25
ROUNDS = int(os.environ.get("ZHIFA_BENCH_ROUNDS", "5"))
RAW_PER_ROUND = 1000
CASES_PER_ROUND = 50
INVESTIGATION_STEPS = 10  # record_investigation per case, after register and start
RESULT_MARK = scratch_pg.RESULT_MARK
ROOT = Path(__file__).resolve().parent.parent


# --- Parent: one child per database, then the table ----------------------------------------
def run() -> None:
    results = []
    for db in ("sqlite", "postgresql"):
        results.append(_run_child(db))
    print()
    print(f"{'database':<11} {'raw commits/s':>13} {'transitions/s':>13} {'ratio':>7} "
          f"{'rounds':>12} {'target':>6} {'entries':>8} {'load':>10}  statements/transition "
          "(w/o BEGIN, COMMIT)")
    for r in results:
        if "skipped" in r:
            print(f"{r['db']:<11} skipped: {r['skipped']}")
            continue
        q = r["queries"]
        qtext = " ".join(f"{k} {v}" for k, v in q.items())
        ok = "ok" if r["ratio"] >= TARGET else "BELOW"
        spread = f"{min(r['round_ratios']):.1%}–{max(r['round_ratios']):.1%}"
        load = "–".join(f"{x:.1f}" for x in r["load"])
        print(f"{r['db']:<11} {r['raw_per_s']:>13,.0f} {r['transitions_per_s']:>13,.0f} "
              f"{r['ratio']:>6.1%} {spread:>12} {ok:>6} {r['entries']:>8,} {load:>10}  {qtext}")
    print(f"ratio: median transitions/s over median raw commits/s ({ROUNDS} alternating rounds); "
          f"rounds: the range of the per-round ratios; target {TARGET:.0%}; load: the 1-minute "
          f"load average of the machine ({os.cpu_count()} CPUs) before and after the rounds, "
          "since other processes slow both rates, unevenly.")


def _run_child(db: str) -> dict[str, Any]:
    data_dir = tempfile.mkdtemp(prefix=f"zhifa-bench-cases-{db}-")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "zhifa.settings", "ZHIFA_DATA_DIR": data_dir}
    env.pop("DATABASE_URL", None)
    try:
        proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_cases", "--db", db],
                              cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    result: dict[str, Any] | None = None
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            result = json.loads(line[len(RESULT_MARK):])
        else:
            print(line)
    if proc.returncode != 0 or result is None:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        print(f"{db}: benchmark FAILED (exit {proc.returncode})\n{tail}")
        return {"db": db, "skipped": f"failed (exit {proc.returncode}), see above"}
    return result


# --- Child: one database ---------------------------------------------------------------------
def child(db: str, profile: bool) -> None:
    scratch_pg.run_child(db, lambda: _measure(db, profile), url=POSTGRES_URL, name=PG_DB_NAME)


def _durability(connection: Any) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA journal_mode")
            journal = cursor.fetchone()[0]
            cursor.execute("PRAGMA synchronous")
            sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[cursor.fetchone()[0]]
            return f"journal_mode={journal}, synchronous={sync}"
        cursor.execute("SHOW synchronous_commit")
        sync = cursor.fetchone()[0]
        cursor.execute("SHOW fsync")
        return f"synchronous_commit={sync}, fsync={cursor.fetchone()[0]}"


class Workload:
    """An agency whose registrations need no approval, and cases to walk through the general
    procedure: register, start the investigation, record investigation steps."""

    def __init__(self) -> None:
        from django.contrib.auth import get_user_model
        from django.utils import timezone
        from tests.cases.factories import agency

        from zhifa.cases.services import approval_ladder_save

        self.a = agency()
        approval_ladder_save(actor=self.a.u_sysadmin, body=self.a.body, procedure="general",
                             steps=[])
        self.user_model = get_user_model()
        self.today = timezone.localdate()

    def open_cases(self, n: int) -> list[Any]:
        from tests.cases.factories import company_party, open_case

        received = self.today - dt.timedelta(days=3)
        return [open_case(self.a, received_on=received, parties=[company_party()])
                for _ in range(n)]

    def actor(self) -> Any:
        """The account as a view hands it to the service: loaded by the session middleware,
        its person and body already read by the view's scope check (``case_get_for_user``)."""
        from zhifa.orgs.permissions import perms_of

        user = self.user_model.objects.get(pk=self.a.u_officer.pk)
        perms_of(user)
        return user

    def plan(self, cases: list[Any]) -> list[tuple[Any, str, dict[str, Any]]]:
        """Every transition of the round, breadth-first so that the case streams interleave
        in the ledger as they do when many officers work at once."""
        on = self.today.isoformat()
        steps: list[tuple[str, dict[str, Any]]] = [
            ("register", {"acted_on": on, "grounds": "涉嫌销售不合格产品",
                          "act_date": (self.today - dt.timedelta(days=10)).isoformat()}),
            ("start_investigation", {"acted_on": on}),
        ]
        steps += [("record_investigation",
                   {"acted_on": on, "kind": "questioning" if i % 2 else "inspection",
                    "summary": f"第{i + 1}次调查：现场检查并制作笔录。"})
                  for i in range(INVESTIGATION_STEPS)]
        return [(case, action, data) for action, data in steps for case in cases]


def _time_transitions(work: Workload, plan: list[tuple[Any, str, dict[str, Any]]],
                      around: Callable[[], Any] = contextlib.nullcontext) -> float:
    """Seconds spent in ``case_act`` (each call its own committed transaction)."""
    from zhifa.cases.services import case_act

    spent = 0.0
    for case, action, data in plan:
        actor = work.actor()
        with around():
            t0 = time.perf_counter()
            result = case_act(actor=actor, case=case, action=action, data=data)
            spent += time.perf_counter() - t0
        assert result.step is not None, (action, result)
    return spent


def _time_raw(connection: Any, n: int) -> float:
    from django.db import transaction

    spent = 0.0
    for i in range(n):
        t0 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_raw_commit (k, v) VALUES (%s, %s)",
                           [i, "raw commit"])
        spent += time.perf_counter() - t0
    return spent


def _create_raw_table(connection: Any) -> None:
    key = ("INTEGER PRIMARY KEY" if connection.vendor == "sqlite"
           else "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_raw_commit (id {key}, k INTEGER NOT NULL, "
                       "v VARCHAR(32) NOT NULL)")


def _queries_per_action(work: Workload, connection: Any) -> dict[str, int]:
    from django.test.utils import CaptureQueriesContext

    from zhifa.cases.services import case_act

    (case,) = work.open_cases(1)
    counts: dict[str, int] = {}
    for _case, action, data in work.plan([case])[:3]:
        actor = work.actor()
        with CaptureQueriesContext(connection) as ctx:
            case_act(actor=actor, case=case, action=action, data=data)
        # Without BEGIN and COMMIT, which only some backends send as statements.
        statements = [q for q in ctx.captured_queries
                      if q["sql"].split(" ")[0].upper() not in ("BEGIN", "COMMIT")]
        counts[{"register": "reg", "start_investigation": "start",
                "record_investigation": "rec"}[action]] = len(statements)
    return counts


def _breakdown(work: Workload, connection: Any) -> dict[str, Any]:
    """Wall time of a transition split into SQL statements, COMMIT and the rest (Python)."""
    sql = [0.0, 0]
    commit = [0.0]
    by_statement: dict[str, list[float]] = {}

    def timed_sql(execute: Callable[..., Any], query: str, params: Any, many: bool,
                  context: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            spent = time.perf_counter() - t0
            sql[0] += spent
            sql[1] += 1
            slot = by_statement.setdefault(" ".join(query.split())[:90], [0.0, 0])
            slot[0] += spent
            slot[1] += 1

    original_commit = connection.commit

    def timed_commit() -> None:
        t0 = time.perf_counter()
        try:
            original_commit()
        finally:
            commit[0] += time.perf_counter() - t0

    plan = work.plan(work.open_cases(20))
    connection.commit = timed_commit
    try:
        total = _time_transitions(work, plan, lambda: connection.execute_wrapper(timed_sql))
    finally:
        del connection.commit
    n = len(plan)
    top = sorted(by_statement.items(), key=lambda kv: -kv[1][0])[:6]
    return {"top": [(statement, spent / n * 1000, count / n)
                    for statement, (spent, count) in top],
            "total_ms": total / n * 1000, "sql_ms": sql[0] / n * 1000,
            "statements": sql[1] / n, "commit_ms": commit[0] / n * 1000,
            "python_ms": (total - sql[0] - commit[0]) / n * 1000}


def _phases(work: Workload) -> None:
    """Wall time per phase of ``case_act`` without the profiler's distortion: the service
    module's helpers, each guard and ``ledger_append`` are wrapped with timers for one pass.
    Phases nest (``_apply`` includes ``ledger_append``); missing names are skipped."""
    from zhifa.cases import guards
    from zhifa.cases.services import act as act_module

    spent: dict[str, list[float]] = {}

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                slot = spent.setdefault(name, [0.0, 0])
                slot[0] += time.perf_counter() - t0
                slot[1] += 1
        return wrapper

    names = ["_lock", "require_handling", "procedure_get", "_require_action", "_context",
             "_evaluate", "_late", "_ladder", "_apply", "ledger_append"]
    patched: list[tuple[Any, str, Any]] = [
        (act_module, n, getattr(act_module, n)) for n in names if hasattr(act_module, n)]
    patched += [(guards.GUARDS, n, fn) for n, fn in list(guards.GUARDS.items())]
    for target, name, fn in patched:
        if isinstance(target, dict):
            target[name] = timed(f"guard {name}", fn)
        else:
            setattr(target, name, timed(name, fn))
    plan = work.plan(work.open_cases(20))
    try:
        total = _time_transitions(work, plan)
    finally:
        for target, name, fn in patched:
            if isinstance(target, dict):
                target[name] = fn
            else:
                setattr(target, name, fn)
    n = len(plan)
    print(f"phases of case_act over {n} transitions ({total / n * 1000:.2f} ms each):")
    for name, (seconds, calls) in sorted(spent.items(), key=lambda kv: -kv[1][0]):
        print(f"  {seconds / n * 1000:6.2f} ms {seconds / total:6.1%}  {calls / n:4.1f}x  {name}")


def _profile(work: Workload) -> None:
    import cProfile
    import pstats

    _phases(work)
    plan = work.plan(work.open_cases(25))
    profiler = cProfile.Profile()
    profiler.enable()
    _time_transitions(work, plan)
    profiler.disable()
    print(f"cProfile of {len(plan)} transitions (actor fetch included):")
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(20)


def _measure(db: str, profile: bool) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from zhifa.ledger.models import LedgerEntry

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    work = Workload()
    _create_raw_table(connection)
    print(f"{db}: {connection.vendor} {connection.get_database_version()}, "
          f"{_durability(connection)}; migrated and set up in "
          f"{time.perf_counter() - started:.1f} s")

    # Warm-up: caches (procedures, translations, events) and the database's pages.
    _time_transitions(work, work.plan(work.open_cases(5)))
    _time_raw(connection, 200)
    queries = _queries_per_action(work, connection)

    raw_rates: list[float] = []
    act_rates: list[float] = []
    entries = 0
    load_before = os.getloadavg()[0]
    for r in range(ROUNDS):
        plan = work.plan(work.open_cases(CASES_PER_ROUND))
        before = LedgerEntry.objects.count()
        # Alternate which goes first so that drift (WAL growth, autovacuum) hits both alike.
        if r % 2:
            act_spent = _time_transitions(work, plan)
            raw_spent = _time_raw(connection, RAW_PER_ROUND)
        else:
            raw_spent = _time_raw(connection, RAW_PER_ROUND)
            act_spent = _time_transitions(work, plan)
        written = LedgerEntry.objects.count() - before
        assert written == len(plan), (written, len(plan))
        entries += written
        raw_rates.append(RAW_PER_ROUND / raw_spent)
        act_rates.append(len(plan) / act_spent)
        print(f"{db}: round {r + 1}: raw {raw_rates[-1]:,.0f}/s, "
              f"transitions {act_rates[-1]:,.0f}/s, ratio {act_rates[-1] / raw_rates[-1]:.1%} "
              f"({len(plan)} transitions, {written} ledger entries)")

    load_after = os.getloadavg()[0]
    split = _breakdown(work, connection)
    print(f"{db}: per transition {split['total_ms']:.2f} ms = SQL {split['sql_ms']:.2f} ms "
          f"({split['statements']:.1f} statements) + COMMIT {split['commit_ms']:.2f} ms + "
          f"Python {split['python_ms']:.2f} ms; raw commit "
          f"{1000 / statistics.median(raw_rates):.3f} ms; costliest statements:")
    for statement, ms, count in split.pop("top"):
        print(f"{db}:   {ms:6.3f} ms {count:4.1f}x  {statement}")
    if profile:
        _profile(work)
    raw = statistics.median(raw_rates)
    acts = statistics.median(act_rates)
    return {"db": db, "raw_per_s": raw, "transitions_per_s": acts, "ratio": acts / raw,
            "round_ratios": [a / b for a, b in zip(act_rates, raw_rates, strict=True)],
            "entries": entries, "queries": queries, "rounds": ROUNDS, "split": split,
            "load": [load_before, load_after],
            "total_ledger": LedgerEntry.objects.count()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"])
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.db is None:
        run()
        return
    scratch = None
    if not os.environ.get("ZHIFA_DATA_DIR"):
        scratch = tempfile.mkdtemp(prefix=f"zhifa-bench-cases-{args.db}-")
        os.environ["ZHIFA_DATA_DIR"] = scratch
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    if args.db == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    try:
        child(args.db, args.profile)
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
