"""Re-hash stored evidence files (SHA-256 and SM3) and report any mismatch.

``zhifa evidence verify [--sample N] [--json]``: every stored blob (or N chosen at random)
is read back and hashed; the report gives what was checked, the throughput and each failure
with its case number, file name, and the expected and actual hashes and size. The run is
recorded on the ledger (stream ``evidence.scrub``). Exit status 0 when everything matches,
1 on any failure.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError


def add_arguments(parser: Any) -> None:
    parser.add_argument("--sample", type=int, default=None, metavar="N",
                        help="check N stored files chosen at random instead of all")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def _short(digests: dict[str, Any] | None) -> str:
    if not digests:
        return "(nothing read)"
    return f"sha256 {digests['sha256']} sm3 {digests['sm3']} size {digests['size']}"


def handle(opts: dict[str, Any], stdout: Any) -> None:
    from ..scrub import scrub_run

    sample = opts.get("sample")
    if sample is not None and sample < 1:
        raise CommandError("--sample must be at least 1", returncode=2)
    report = scrub_run(sample=sample)
    if opts.get("json"):
        stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        scope = f" (random sample of {sample})" if sample is not None else ""
        stdout.write(f"{report.checked} stored file(s){scope}, {report.bytes:,} bytes checked "
                     f"in {report.seconds:.2f} s ({report.mb_per_s:,.1f} MB/s)")
        for failure in report.failures:
            places = failure.used_by or []
            names = "; ".join(f"{w.case} {w.filename}" for w in places) or "(not used by a file)"
            stdout.write(f"FAILED {failure.problem}: {names}")
            stdout.write(f"  expected {_short(failure.expected)}")
            stdout.write(f"  actual   {_short(failure.actual)}")
        if report.purged:
            stdout.write(f"bytes of {report.purged} disposed file(s) deleted on this run")
        if report.ok:
            stdout.write("evidence verification OK")
    if not report.ok:
        raise CommandError(f"evidence verification FAILED: {len(report.failures)} of "
                           f"{report.checked} stored file(s)", returncode=1)
