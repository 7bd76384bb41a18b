"""``zhifa evidence upload|verify|probe|expire-uploads …``: each verb lives in its own module
under ``zhifa.evidence.cli`` with ``add_arguments(parser)`` and ``handle(opts, stdout)``."""

from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

VERBS = {
    "upload": "zhifa.evidence.cli.upload",            # tus client with resume
    "verify": "zhifa.evidence.cli.verify",            # re-hash stored files
    "probe": "zhifa.evidence.cli.probe",              # (re)run ffprobe analysis
    "expire-uploads": "zhifa.evidence.cli.expire",    # remove expired unfinished uploads
    "retention": "zhifa.evidence.cli.retention",      # files due for disposal; recompute
}


class Command(BaseCommand):
    help = "Evidence store: upload, verify, probe, expire-uploads, retention."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        for verb, module in VERBS.items():
            mod = import_module(module)
            mod.add_arguments(sub.add_parser(verb, help=(mod.__doc__ or "").splitlines()[0]))

    def handle(self, *args: Any, **opts: Any) -> None:
        import_module(VERBS[opts["verb"]]).handle(opts, self.stdout)
