"""Scrub: read every stored blob back (or a random sample), hash it again with SHA-256 and SM3
and compare both hashes and the size with what was recorded when it was stored.

Hashing streams each object in 1 MiB chunks outside any transaction (a scrub reads gigabytes);
the results are then recorded in one short transaction: ``Blob.verify_state`` /
``verified_at``, a ``SCRUB_RUN`` entry on the stream ``evidence.scrub`` with the counts and
every failure, and a ``SCRUB_MISMATCH`` entry on the case stream of each file (or poster
frame, or archive package) whose blob newly failed — a blob that was already known to fail
in the same way is listed in the run entry again but does not repeat its case entries.
A blob disposed of while the scrub ran is left out. At the end, bytes of disposed blobs whose
deletion failed earlier are deleted again (``disposal.blob_bytes_purge``).

``zhifa evidence verify`` and the periodic task ``evidence.scrub`` run it.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhifa.core.tasks import task
from zhifa.ledger.services import ledger_append
from zhifa.orgs.models import EnforcementBody

from .events import SCRUB_MISMATCH, SCRUB_RUN
from .hashing import DualHasher
from .models import (
    AvRecord,
    Blob,
    BlobState,
    CaseArchive,
    EvidenceFile,
    FileState,
    VerifyState,
)
from .storage import storage_named

STREAM = "evidence.scrub"

PROBLEMS = {
    "missing": gettext_lazy("missing from storage"),
    "unreadable": gettext_lazy("cannot be read"),
    "size_mismatch": gettext_lazy("size differs"),
    "hash_mismatch": gettext_lazy("hashes differ"),
}


@dataclass(frozen=True)
class Where:
    """A place the failing blob is used: a file of a case (or its poster, or an archive)."""

    case: str
    case_id: str
    filename: str
    file: str | None
    stream: str
    body_id: int | None


@dataclass
class Failure:
    blob: int
    sha256: str
    problem: str  # a key of PROBLEMS
    expected: dict[str, Any]
    actual: dict[str, Any] | None
    used_by: list[Where] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "problem": self.problem,
                "problem_text": str(PROBLEMS[self.problem]), "expected": self.expected,
                "actual": self.actual,
                "used_by": [{k: v for k, v in asdict(w).items()
                             if k not in ("stream", "body_id")} for w in self.used_by]}


@dataclass
class ScrubReport:
    checked: int = 0
    bytes: int = 0
    seconds: float = 0.0
    sample: int | None = None
    failures: list[Failure] = field(default_factory=list)
    purged: int = 0
    ledger_seq: int | None = None

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def mb_per_s(self) -> float:
        return self.bytes / 1e6 / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked": self.checked, "bytes": self.bytes,
                "seconds": round(self.seconds, 3), "mb_per_s": round(self.mb_per_s, 1),
                "sample": self.sample, "failed": len(self.failures),
                "failures": [f.as_dict() for f in self.failures], "purged": self.purged,
                "ledger_seq": self.ledger_seq}


def _zh(value: Any) -> str:
    with translation.override("zh-hans"):
        return str(value)


def _check(blob: Blob) -> tuple[str | None, dict[str, Any] | None, int]:
    """(problem or None, actual digests, bytes read)."""
    storage = storage_named(blob.storage)
    try:
        if not storage.exists(blob.key):
            return "missing", None, 0
        h = DualHasher()
        for chunk in storage.iter_range(blob.key):
            h.update(chunk)
    except FileNotFoundError:
        return "missing", None, 0
    except OSError:
        return "unreadable", None, 0
    d = h.digests()
    actual = {"sha256": d.sha256, "sm3": d.sm3, "size": d.size}
    if d.size != blob.size:
        return "size_mismatch", actual, d.size
    if d.sha256 != blob.sha256 or d.sm3 != blob.sm3:
        return "hash_mismatch", actual, d.size
    return None, actual, d.size


def _used_by(blob_id: int) -> list[Where]:
    """Where the blob is used; labels in Chinese, as they go into the ledger."""
    with translation.override("zh-hans"):
        return _used_by_here(blob_id)


def _used_by_here(blob_id: int) -> list[Where]:
    out = [Where(case=f.case.number, case_id=str(f.case.public_id), filename=f.filename,
                 file=str(f.public_id), stream=f.case.stream, body_id=f.case.body_id)
           for f in EvidenceFile.objects.filter(blob_id=blob_id, state=FileState.ACTIVE)
           .select_related("case").order_by("id")]
    out += [Where(case=r.file.case.number, case_id=str(r.file.case.public_id),
                  filename=_("poster frame of %(name)s") % {"name": r.file.filename},
                  file=str(r.file.public_id), stream=r.file.case.stream,
                  body_id=r.file.case.body_id)
            for r in AvRecord.objects.filter(poster_id=blob_id).select_related("file__case")]
    out += [Where(case=a.case.number, case_id=str(a.case.public_id),
                  filename=_("archive package %(number)s") % {"number": a.number},
                  file=None,
                  stream=a.case.stream, body_id=a.case.body_id)
            for a in CaseArchive.objects.filter(package_id=blob_id).select_related("case")]
    return out


def scrub_run(*, sample: int | None = None, actor: Any = None) -> ScrubReport:
    """Check every present blob, or ``sample`` blobs chosen at random."""
    report = ScrubReport(sample=sample)
    qs = Blob.objects.filter(state=BlobState.PRESENT)
    blobs = (qs.order_by("?")[:sample] if sample is not None else qs.order_by("id").iterator())
    started = time.monotonic()
    ok: list[int] = []
    for blob in blobs:
        problem, actual, read = _check(blob)
        report.checked += 1
        report.bytes += read
        if problem is None:
            ok.append(blob.pk)
            continue
        report.failures.append(Failure(
            blob=blob.pk, sha256=blob.sha256, problem=problem, actual=actual,
            expected={"sha256": blob.sha256, "sm3": blob.sm3, "size": blob.size}))
    report.seconds = time.monotonic() - started
    _record(report, ok, actor)
    from .services.disposal import blob_bytes_purge

    report.purged = blob_bytes_purge()
    return report


@transaction.atomic
def _record(report: ScrubReport, ok: list[int], actor: Any) -> None:
    now = timezone.now()
    failed_ids = [f.blob for f in report.failures]
    # blobs disposed of while the scrub read them are not failures
    still = {b.pk: b for b in Blob.objects.select_for_update()
             .filter(pk__in=ok + failed_ids, state=BlobState.PRESENT)}
    for i in range(0, len(ok), 500):
        Blob.objects.filter(pk__in=[pk for pk in ok[i:i + 500] if pk in still]).update(
            verify_state=VerifyState.OK, verified_at=now)
    report.failures = [f for f in report.failures if f.blob in still]
    for failure in report.failures:
        blob = still[failure.blob]
        state = VerifyState.MISSING if failure.problem in ("missing", "unreadable") \
            else VerifyState.MISMATCH
        newly = blob.verify_state != state
        blob.verify_state, blob.verified_at = state, now
        blob.save(update_fields=["verify_state", "verified_at"])
        failure.used_by = _used_by(blob.pk)
        if not newly:
            continue
        for where in failure.used_by:
            body = (EnforcementBody.objects.filter(pk=where.body_id).first()
                    if where.body_id is not None else None)
            ledger_append(actor=actor, event=SCRUB_MISMATCH, stream=where.stream, body=body,
                          payload={"case": where.case, "file": where.file,
                                   "filename": where.filename, "problem_code": failure.problem,
                                   "problem": _zh(PROBLEMS[failure.problem]),
                                   "expected": failure.expected, "actual": failure.actual})
    entry = ledger_append(actor=actor, event=SCRUB_RUN, stream=STREAM, payload={
        "checked": report.checked, "failed": len(report.failures), "bytes": report.bytes,
        "ms": round(report.seconds * 1000), "sample": report.sample,
        "failures": [{"sha256": f.sha256, "problem": f.problem,
                      "cases": sorted({w.case for w in f.used_by})}
                     for f in report.failures]})
    report.ledger_seq = entry.seq


@task("evidence.scrub")
def scrub_task(*, sample: int | None = None) -> dict[str, Any]:
    """The periodic re-check (Celery beat, or cron running ``zhifa evidence verify``)."""
    return scrub_run(sample=sample).as_dict()
