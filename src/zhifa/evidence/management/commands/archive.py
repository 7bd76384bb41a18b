"""``zhifa archive export CASE -o FILE`` / ``zhifa archive verify PACKAGE`` (issue 4) —
filled by its owner."""

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Case-file archive packages."

    def handle(self, *args: Any, **opts: Any) -> None:
        raise SystemExit("not implemented yet")
