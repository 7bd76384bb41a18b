"""A large evidence upload through the tus endpoint on loopback, against ``cat`` + ``sha256sum``.

Issue 4 asks that a 1 GiB upload through the tus endpoint (both hashes, SM3 and SHA-256,
computed while writing; the file stored in the content-addressed store; the evidence file and
its ledger entry created) reaches at least half the throughput of
``cat FILE > COPY; sha256sum FILE`` on the same machine in the same run, with the server's
peak memory under 150 MB whatever the file size, and reports the scrub's throughput.

The server is ``zhifa runserver --noreload`` in a child process (so its pid is the server's,
and ``VmHWM`` in ``/proc/<pid>/status`` is its peak resident memory) on SQLite in a scratch
data directory, migrated and given a body, an officer and a case by a setup child. The file
is random bytes behind a PDF signature (the server judges the type by content; a PDF is not
sent to ffprobe, whose analysis of random "video" would only add noise). The client is
``zhifa.evidence.tusclient`` (what ``zhifa evidence upload`` uses), run in this process:
each chunk is hashed for its ``Upload-Checksum`` and the whole file for the final comparison.
The time counted runs from the creation request to the last answer (login excluded). Chunk
sizes: the CLI's default (8 MiB), 64 MiB and the whole file in one PATCH. The baseline runs
before and after the uploads; the ratio uses their mean.

Scrub: ``zhifa evidence verify --json`` over the stored files (every blob re-hashed with both
hashes); when that command is not available, ``zhifa.evidence.hashing.hash_file`` over the
stored blob stands in, and the table says so.

Environment: ``BENCH_EVIDENCE_MB`` (size of the file, default 1024), ``BENCH_EVIDENCE_CHUNKS``
(comma-separated chunk sizes in MiB, ``0`` = one PATCH; default ``8,64,0``).
``python -m benchmarks.bench_evidence --keep`` leaves the scratch directory in place;
``--profile`` runs the same server inside a child that times the phases of each PATCH and
profiles the request threads, and prints that breakdown; with ``--profile``,
``BENCH_EVIDENCE_NODELAY=1`` also turns Nagle's algorithm off on the server's sockets (Django's
development server writes an answer's status line and headers in several small sends, and
each answer then waits ~40 ms for the client's delayed ACK: the cost per PATCH shows there).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SIZE_MB = int(os.environ.get("BENCH_EVIDENCE_MB", "1024"))
CHUNKS_MB = [int(c) for c in os.environ.get("BENCH_EVIDENCE_CHUNKS", "8,64,0").split(",") if c]
TARGET_RATIO = 0.5
TARGET_MEMORY_MB = 150
PASSWORD = "Zhifa-test-2026"  # tests.factories.user's default
RESULT_MARK = "RESULT "
PDF_HEAD = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


def run(keep: bool = False, profile: bool = False) -> None:
    scratch = Path(tempfile.mkdtemp(prefix="zhifa-bench-evidence-"))
    server: subprocess.Popen[bytes] | None = None
    log = scratch / "server.log"
    try:
        env = _env(scratch)
        started = time.perf_counter()
        setup = _setup(env)
        print(f"migrated and set up in {time.perf_counter() - started:.1f} s "
              f"(SQLite in {scratch})")
        sample = scratch / "sample.pdf"
        _make_file(sample, SIZE_MB * 2**20)
        port = _free_port()
        server = _start_server(env, port, log, profile=profile)
        base = f"http://127.0.0.1:{port}"
        rss_idle = _proc_status(server.pid)["VmRSS"]
        session = _login(base, setup)
        login_hwm = _proc_status(server.pid)["VmHWM"]
        # The login's argon2 hash takes ~100 MiB by design (ADR 0004); the peak that matters
        # here is the uploads': reset the high-water mark (Linux >= 4.0) once logged in.
        hwm_reset = _reset_hwm(server.pid)
        load = [os.getloadavg()[0]]
        baseline = [_baseline(sample, scratch)]
        uploads = []
        for chunk_mb in CHUNKS_MB:
            uploads.append(_upload(session, setup, sample, chunk_mb * 2**20 if chunk_mb else 0))
            uploads[-1]["hwm"] = _proc_status(server.pid)["VmHWM"]
            baseline.append(_baseline(sample, scratch))
        load.append(os.getloadavg()[0])
        session.close()
        status = _proc_status(server.pid)
        scrub = _scrub(env, scratch, uploads[0]["sha256"] if uploads else "")
    finally:
        if server is not None:
            _stop_server(server)
        breakdown = _server_breakdown(log) if profile else ""
        if keep:
            print(f"scratch directory kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)

    size = SIZE_MB * 2**20
    rate_of = lambda seconds: size / seconds / 1e6  # noqa: E731
    print()
    print(f"{SIZE_MB} MiB of random bytes, loopback, {os.cpu_count()} CPUs, load average "
          f"{load[0]:.1f} before and {load[-1]:.1f} after; MB = 10^6 bytes")
    print(f"{'what':<40} {'seconds':>8} {'MB/s':>8} {'ratio':>7}  note")
    for i, b in enumerate(baseline):
        print(f"{f'cat FILE > COPY; sha256sum FILE ({i + 1})':<40} {b['seconds']:>8.2f} "
              f"{rate_of(b['seconds']):>8.1f} {'':>7}  cat {b['cat']:.2f} s + sha256sum "
              f"{b['sha256sum']:.2f} s")
    for i, u in enumerate(uploads):
        # against the baselines run just before and just after it
        near = rate_of(statistics.mean([baseline[i]["seconds"], baseline[i + 1]["seconds"]]))
        ratio = rate_of(u["seconds"]) / near
        ok = "ok" if ratio >= TARGET_RATIO else "BELOW"
        label = f"tus upload, chunk {_mib(u['chunk'])}" if u["chunk"] else "tus upload, one PATCH"
        print(f"{label:<40} {u['seconds']:>8.2f} {rate_of(u['seconds']):>8.1f} {ratio:>6.1%}  "
              f"{ok} (target {TARGET_RATIO:.0%}); {u['requests']} PATCH, client hashing "
              f"{u['client_hash']:.2f} s; server VmHWM {u['hwm'] / 1024:.0f} MB; SM3 "
              f"{'ok' if u['sm3_ok'] else 'WRONG'}")
    hwm = status["VmHWM"] / 1024
    since = "since login" if hwm_reset else "since start (could not reset after login)"
    print(f"{'server peak memory (VmHWM)':<40} {'':>8} {'':>8} {'':>7}  {hwm:.1f} MB {since} "
          f"({'ok' if hwm < TARGET_MEMORY_MB else 'OVER'}, target < {TARGET_MEMORY_MB} MB); "
          f"idle after start {rss_idle / 1024:.1f} MB, peak at login (argon2) "
          f"{login_hwm / 1024:.1f} MB")
    if scrub:
        rate = scrub["bytes"] / scrub["seconds"] / 1e6 if scrub["seconds"] else 0.0
        print(f"{'scrub: ' + scrub['how']:<40} {scrub['seconds']:>8.2f} {rate:>8.1f} {'':>7}  "
              f"{scrub['files']} file(s), {scrub['bytes'] / 2**20:,.0f} MiB, SHA-256 + SM3"
              f"{'; ' + scrub['note'] if scrub.get('note') else ''}")
    print("ratio: the upload's MB/s over the mean MB/s of the baselines run just before and "
          "after it. The upload's time runs from creation to the last answer and includes the "
          "client's own hashing (chunk checksums, the file's SHA-256) on the same CPUs.")
    if breakdown:
        print(breakdown)


def _mib(n: int) -> str:
    return f"{n // 2**20} MiB" if n >= 2**20 else f"{n // 1024} KiB"


# --- the server and its data -------------------------------------------------------------------
def _env(scratch: Path) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "zhifa.settings",
           "ZHIFA_DATA_DIR": str(scratch / "data"), "ZHIFA_TASKS": "inline",
           "ZHIFA_EVIDENCE_STORAGE": "local", "PYTHONPATH": str(ROOT)}
    for name in ("DATABASE_URL", "ZHIFA_EVIDENCE_DIR", "ZHIFA_UPLOAD_DIR", "ZHIFA_DEBUG"):
        env.pop(name, None)
    return env


def _setup(env: dict[str, str]) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_evidence", "--setup"],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            return dict(json.loads(line[len(RESULT_MARK):]))
    raise RuntimeError(f"setup failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")


def setup_child() -> None:
    """In the scratch database: migrate, then a body with an officer and an open case."""
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from tests.cases.factories import agency, open_case

    call_command("migrate", verbosity=0)
    a = agency()
    case = open_case(a, received_on=dt.date.today() - dt.timedelta(days=3))
    print(RESULT_MARK + json.dumps({"user": a.u_officer.username, "case": case.number,
                                    "case_id": str(case.public_id)}))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(env: dict[str, str], port: int, log: Path,
                  profile: bool = False) -> subprocess.Popen[bytes]:
    if profile:
        # the same runserver, inside a child that times the upload's phases (see serve_child)
        command = [sys.executable, "-m", "benchmarks.bench_evidence", "--serve", str(port)]
    else:
        zhifa = Path(sys.executable).with_name("zhifa")
        command = [*([str(zhifa)] if zhifa.exists() else [sys.executable, "-m", "zhifa.manage"]),
                   "runserver", f"127.0.0.1:{port}", "--noreload"]
    with open(log, "wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out,
                                  stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited ({server.returncode}):\n"
                               f"{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not answer within 60 s")


def _stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGINT)  # runserver ends on Ctrl-C; the profiler dumps then
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _reset_hwm(pid: int) -> bool:
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _proc_status(pid: int) -> dict[str, int]:
    """``VmRSS``, ``VmHWM`` … of a process, in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _sep, rest = line.partition(":")
        if rest.strip().endswith("kB"):
            values[key] = int(rest.split()[0])
    return values


def _make_file(path: Path, size: int) -> None:
    block = 4 * 2**20
    with open(path, "wb") as fh:
        fh.write(PDF_HEAD)
        left = size - len(PDF_HEAD)
        while left > 0:
            n = min(block, left)
            fh.write(os.urandom(n))
            left -= n


# --- the measurements --------------------------------------------------------------------------
def _baseline(sample: Path, scratch: Path) -> dict[str, float]:
    copy = scratch / "copy.bin"
    try:
        t0 = time.perf_counter()
        subprocess.run(["sh", "-c", 'cat "$1" > "$2"', "sh", str(sample), str(copy)],
                       check=True)
        t1 = time.perf_counter()
        subprocess.run(["sha256sum", str(sample)], check=True, stdout=subprocess.DEVNULL)
        t2 = time.perf_counter()
    finally:
        copy.unlink(missing_ok=True)
    return {"seconds": t2 - t0, "cat": t1 - t0, "sha256sum": t2 - t1}


def _login(base: str, setup: dict[str, Any]) -> Any:
    from zhifa.evidence import tusclient

    session = tusclient.Session(base)
    session.login(setup["user"], PASSWORD)
    return session


def _upload(session: Any, setup: dict[str, Any], sample: Path, chunk: int) -> dict[str, Any]:
    import hashlib

    from zhifa.evidence import tusclient

    size = sample.stat().st_size
    client = tusclient.TusClient(session, chunk_size=chunk or size)
    hash_time = [0.0]
    feed = client._feed

    def timed_feed(*args: Any, **kwargs: Any) -> int:
        t = time.perf_counter()
        try:
            return feed(*args, **kwargs)
        finally:
            hash_time[0] += time.perf_counter() - t

    client._feed = timed_feed  # type: ignore[method-assign]
    requests = [0]
    send = session.send_stream

    def counted_send(*args: Any, **kwargs: Any) -> Any:
        requests[0] += 1
        return send(*args, **kwargs)

    session.send_stream = counted_send
    t0 = time.perf_counter()
    try:
        url = client.create(size, {"case": setup["case"], "filename": sample.name,
                                   "kind": "documentary", "title": "基准测试文件"})
        with open(sample, "rb") as fh:
            result = client.upload(fh, url, length=size, offset=0)
    finally:
        del session.send_stream
    seconds = time.perf_counter() - t0
    server_sha = result.headers.get("zhifa-sha256", "")
    if server_sha != result.sha256:
        raise RuntimeError(f"hash mismatch: server {server_sha!r}, client {result.sha256}")
    return {"chunk": chunk, "seconds": seconds, "client_hash": hash_time[0],
            "requests": requests[0], "sha256": result.sha256,
            "sm3_ok": result.headers.get("zhifa-sm3") == _sm3(sample, hashlib)}


def _sm3(path: Path, hashlib: Any) -> str:
    h = hashlib.new("sm3")
    with open(path, "rb") as fh:
        while block := fh.read(2**20):
            h.update(block)
    return str(h.hexdigest())


def _scrub(env: dict[str, str], scratch: Path, sha256: str) -> dict[str, Any] | None:
    zhifa = Path(sys.executable).with_name("zhifa")
    command = ([str(zhifa)] if zhifa.exists() else [sys.executable, "-m", "zhifa.manage"])
    t0 = time.perf_counter()
    proc = subprocess.run([*command, "evidence", "verify", "--json"], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    report: Any = None
    with contextlib.suppress(ValueError):
        report = json.loads(proc.stdout)
    if isinstance(report, dict) and proc.returncode == 0 and "bytes" in report:
        inner = float(report.get("seconds") or 0.0)
        return {"how": "zhifa evidence verify --json", "seconds": inner or seconds,
                "files": int(report.get("checked") or 0), "bytes": int(report["bytes"]),
                "note": f"its own timing; {seconds:.2f} s with the process's start"}
    if not sha256:
        return None
    from zhifa.evidence.hashing import hash_file

    blob = scratch / "data" / "media" / "sha256" / sha256[:2] / sha256[2:4] / sha256
    t0 = time.perf_counter()
    _digests, size = hash_file(blob)
    seconds = time.perf_counter() - t0
    why = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
    return {"how": "hash_file (stand-in)", "seconds": seconds, "files": 1, "bytes": size,
            "note": f"`zhifa evidence verify --json` unavailable: {why[:80]}"}


# --- profile mode: the server child, timed -----------------------------------------------------
BREAKDOWN_MARK = "BREAKDOWN "


def serve_child(port: int) -> None:
    """``runserver --noreload`` with timers around the phases of a PATCH (wall time summed
    over requests; the hashing runs in pool threads, overlapped with reading and writing) and
    cProfile in the request threads. On Ctrl-C it prints them for the parent."""
    import django

    django.setup()
    import cProfile
    import io
    import pstats
    import threading

    from django.core.management import call_command

    from zhifa.evidence import hashing, storage, tus, tus_views

    spent: dict[str, list[float]] = {}
    lock = threading.Lock()
    profiles: list[cProfile.Profile] = []

    def add(name: str, seconds: float) -> None:
        with lock:
            slot = spent.setdefault(name, [0.0, 0])
            slot[0] += seconds
            slot[1] += 1

    def timed(name: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                add(name, time.perf_counter() - t0)
        return wrapper

    def timed_iter(name: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            it = iter(fn(*args, **kwargs))
            while True:
                t0 = time.perf_counter()
                try:
                    item = next(it)
                except StopIteration:
                    add(name, time.perf_counter() - t0)
                    return
                add(name, time.perf_counter() - t0)
                yield item
        return wrapper

    append = tus_views.upload_append

    def profiled_append(*args: Any, **kwargs: Any) -> Any:
        profile = cProfile.Profile()
        t0 = time.perf_counter()
        profile.enable()
        try:
            return append(*args, **kwargs)
        finally:
            profile.disable()
            add("PATCH: upload_append (whole)", time.perf_counter() - t0)
            with lock:
                profiles.append(profile)

    setattr(tus_views, "upload_append", profiled_append)  # noqa: B010
    setattr(tus, "_read_chunks",  # noqa: B010
            timed_iter("  request body read (socket)", tus._read_chunks))
    for name in ("_check_and_reconcile", "_hasher_at", "_stream", "_complete", "_check_head",
                 "evidence_file_create"):
        if hasattr(tus, name):
            setattr(tus, name, timed(f"  {name}", getattr(tus, name)))
    patches: list[tuple[Any, str, str]] = [
        (hashing.DualHasher, "update", "  DualHasher.update (pool thread, overlapped)"),
        (storage.LocalStorage, "put_file", "  LocalStorage.put_file"),
        (os, "fsync", "  os.fsync")]
    for owner, attr, label in patches:
        setattr(owner, attr, timed(label, getattr(owner, attr)))

    def dump() -> None:
        lines = ["server time by phase (wall seconds, summed over requests and threads):"]
        for name, (seconds, calls) in sorted(spent.items(), key=lambda kv: -kv[1][0]):
            lines.append(f"  {seconds:8.2f} s {calls:7d}x  {name}")
        if profiles:
            out = io.StringIO()
            stats = pstats.Stats(profiles[0], stream=out)
            for p in profiles[1:]:
                stats.add(p)
            stats.strip_dirs().sort_stats("tottime").print_stats(18)
            lines.append("cProfile of the request threads (upload_append), by own time:")
            lines += ["  " + line for line in out.getvalue().splitlines() if line.strip()][3:]
        print(BREAKDOWN_MARK + json.dumps(lines), flush=True)

    if os.environ.get("BENCH_EVIDENCE_NODELAY") == "1":
        # what a server that does not wait on Nagle's algorithm would give (experiment)
        from django.core.servers import basehttp

        basehttp.WSGIRequestHandler.disable_nagle_algorithm = True
    try:
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
    except KeyboardInterrupt:
        pass
    finally:
        dump()


def _server_breakdown(log: Path) -> str:
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith(BREAKDOWN_MARK):
            return "\n".join(json.loads(line[len(BREAKDOWN_MARK):]))
    return "(the server printed no breakdown)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument("--profile", action="store_true",
                        help="time the server's phases and profile its request threads")
    args = parser.parse_args()
    if args.setup:
        setup_child()
    elif args.serve:
        serve_child(args.serve)
    else:
        run(keep=args.keep, profile=args.profile)


if __name__ == "__main__":
    main()
