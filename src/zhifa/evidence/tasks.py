"""Background tasks of the evidence app (see zhifa.core.tasks)."""

from __future__ import annotations

from zhifa.core.tasks import task


@task("evidence.probe")
def probe(*, file_id: int) -> None:
    from .probe import probe_file

    probe_file(file_id)
