"""Analyse audio/video files (duration, streams, poster frame) with ffprobe/ffmpeg.

``zhifa evidence probe [--pending | --failed | --file ID]``: ``--pending`` (the default) runs
the analysis of every record still waiting for it (after a worker was down, say);
``--failed`` tries the failed ones again (after installing ffmpeg, say); ``--file ID`` (a
file's public id) analyses that file again even if it was done. Each analysis is an
``AV_PROBED`` ledger entry. Exit status 1 if any analysis failed, 2 for a usage error.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import CommandError


def add_arguments(parser: Any) -> None:
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--pending", action="store_true",
                       help="records not analysed yet (the default)")
    which.add_argument("--failed", action="store_true",
                       help="records whose analysis failed, again")
    which.add_argument("--file", metavar="ID", help="one file (public id), even if analysed")


def handle(opts: dict[str, Any], stdout: Any) -> None:
    from ..models import AvRecord, EvidenceFile, ProbeState
    from ..probe import duration_label, probe_file

    if opts.get("file"):
        try:
            pid = uuid.UUID(str(opts["file"]))
        except ValueError:
            raise CommandError(f"not a file id: {opts['file']}", returncode=2) from None
        file_ids = list(EvidenceFile.objects.filter(public_id=pid, av__isnull=False)
                        .values_list("pk", flat=True))
        if not file_ids:
            raise CommandError(f"no audio/video file {pid}", returncode=2)
        force = True
    else:
        state = ProbeState.FAILED if opts.get("failed") else ProbeState.PENDING
        file_ids = list(AvRecord.objects.filter(probe_state=state).order_by("id")
                        .values_list("file_id", flat=True))
        force = bool(opts.get("failed"))
    failed = 0
    for file_id in file_ids:
        record = probe_file(file_id, force=force)
        if record is None:
            continue
        f = record.file
        if record.probe_state == ProbeState.DONE:
            outcome = f"done {duration_label(record.duration_ms)}"
        else:
            failed += record.probe_state == ProbeState.FAILED
            outcome = f"{record.probe_state} ({record.probe.get('error', '')})"
        stdout.write(f"{f.public_id}  {f.filename}: {outcome}")
    stdout.write(f"{len(file_ids)} file(s) analysed, {failed} failed.")
    if failed:
        raise CommandError(f"{failed} analysis(es) failed", returncode=1)
