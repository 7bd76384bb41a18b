"""``zhifa reviews alerts …``: each verb lives in its own module under ``zhifa.reviews.cli``
with ``add_arguments(parser)`` and ``handle(opts, stdout)``; a new verb is one more line in
``VERBS``."""

from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

VERBS = {
    "alerts": "zhifa.reviews.cli.alerts",   # record the reviews past their due date
}


class Command(BaseCommand):
    help = ("Legal review of major decisions: alerts (record the reviews past their due date "
            "on the cases' ledger; run daily from cron where Celery beat is not used).")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        for verb, module in VERBS.items():
            mod = import_module(module)
            mod.add_arguments(sub.add_parser(verb, help=(mod.__doc__ or "").splitlines()[0]))

    def handle(self, *args: Any, **opts: Any) -> None:
        import_module(VERBS[opts["verb"]]).handle(opts, self.stdout)
