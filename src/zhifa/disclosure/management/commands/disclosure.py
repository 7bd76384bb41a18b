"""``zhifa disclosure alerts|expire|reindex …``: each verb lives in its own module under
``zhifa.disclosure.cli`` with ``add_arguments(parser)`` and ``handle(opts, stdout)``; a new
verb is one more line in ``VERBS``."""

from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

VERBS = {
    "alerts": "zhifa.disclosure.cli.alerts",   # deadline alerts, expiry, reports; daily
    "expire": "zhifa.disclosure.cli.expire",   # expiry only
    "reindex": "zhifa.disclosure.cli.reindex",  # rebuild the full-text index
}


class Command(BaseCommand):
    help = ("Publicity of enforcement decisions: alerts (record the publications due soon "
            "and overdue, expire the ended periods, record the bodies without last year's "
            "annual report from 1 February; daily from cron where Celery beat is not used), "
            "expire (expiry only), reindex (rebuild the full-text index).")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        for verb, module in VERBS.items():
            mod = import_module(module)
            mod.add_arguments(sub.add_parser(verb, help=(mod.__doc__ or "").splitlines()[0]))

    def handle(self, *args: Any, **opts: Any) -> None:
        import_module(VERBS[opts["verb"]]).handle(opts, self.stdout)
