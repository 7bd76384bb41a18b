"""Background tasks of the evidence app (see zhifa.core.tasks).

Imported when the app is ready (``hooks.register_case_hooks``), so every process — web
server, command, Celery worker (which never loads the URLs) — knows every evidence task:
``evidence.probe`` here, ``evidence.expire_uploads`` in ``tus``, ``evidence.scrub`` in
``scrub``.
"""

from __future__ import annotations

from zhifa.core.tasks import task

from . import scrub, tus  # noqa: F401  (they register evidence.scrub, evidence.expire_uploads)


@task("evidence.probe")
def probe(*, file_id: int, force: bool = False) -> None:
    """Analyse an audio/video file (idempotent: a record already analysed is left alone
    unless ``force``)."""
    from .probe import probe_file

    probe_file(file_id, force=force)
