import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory):  # type: ignore[no-untyped-def]
    """Where the demo loaded by ``demo_output`` stores its evidence files."""
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker, demo_media):  # type: ignore[no-untyped-def]
    """Load the demo province once for a test module, through the command, and roll it back
    afterwards. Each test still runs in its own savepoint (pytest-django's ``db``). The demo's
    evidence files go to a temporary directory, not the working copy's ``var/``."""
    from zhifa.evidence.storage import reset_storage_cache

    media = demo_media
    with django_db_blocker.unblock(), override_settings(
            ZHIFA_EVIDENCE_STORAGE="local", ZHIFA_EVIDENCE_DIR=media / "media",
            ZHIFA_UPLOAD_DIR=media / "uploads"):
        reset_storage_cache()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = io.StringIO()
            call_command("demo", "load", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            reset_storage_cache()


@pytest.fixture
def demo(demo_output, db):  # type: ignore[no-untyped-def]
    return demo_output
