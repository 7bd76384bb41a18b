"""Helpers of the ledger tests: a test event, appends, the command, and the attacker's way
around the append-only triggers."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from zhifa.ledger import guard
from zhifa.ledger.events import register_event
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.services import ledger_append

TEST_EVENT = register_event(9901, "test.recorded", _("Test entry {n}"))

# The conformance vectors sit beside the project: ../shared/ from the repository root.
CONFORMANCE = Path(settings.PROJECT_DIR).parent / "shared" / "conformance" / "rfc6962"


def append(n: int, *, stream: str = "s", start: int = 0, **kwargs: Any) -> list[LedgerEntry]:
    with transaction.atomic():
        return [ledger_append(actor=kwargs.get("actor"), event=TEST_EVENT,
                              payload={"n": start + i}, stream=stream,
                              body=kwargs.get("body")) for i in range(n)]


def append_mixed(n: int, streams: int = 3) -> list[LedgerEntry]:
    """``n`` entries spread round-robin over ``streams`` streams."""
    with transaction.atomic():
        return [ledger_append(actor=None, event=TEST_EVENT, payload={"n": i},
                              stream=f"case:{i % streams}") for i in range(n)]


def run_ledger(*args: str) -> tuple[int, str]:
    """``zhifa ledger ...``: the exit status and what it printed."""
    out = StringIO()
    try:
        call_command("ledger", *args, stdout=out, stderr=StringIO())
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def run_json(*args: str) -> tuple[int, dict[str, Any]]:
    out = StringIO()
    code = 0
    try:
        call_command("ledger", *args, "--json", stdout=out, stderr=StringIO())
    except CommandError as exc:
        code = exc.returncode
    return code, json.loads(out.getvalue())


@contextmanager
def triggers_dropped() -> Iterator[None]:
    """What an attacker with the database's owner rights does: drop the append-only
    triggers, write, put them back (here inside the test's transaction)."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        for sql in guard.drop_statements(vendor):
            cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for sql in guard.create_statements(vendor):
                cursor.execute(sql)


def raw(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
