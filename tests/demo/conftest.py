import io

import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Load the demo province once for a test module, through the command, and roll it back
    afterwards. Each test still runs in its own savepoint (pytest-django's ``db``)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = io.StringIO()
            call_command("demo", "load", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo(demo_output, db):  # type: ignore[no-untyped-def]
    return demo_output
