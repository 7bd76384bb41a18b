"""``zhifa demo load [--port 8000]``: load the fictional demo province into the configured
database and print one login per role. Safe to run again: it changes nothing then."""

import time
import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhifa.demo.services import DemoLoadResult, DemoRefused, demo_load


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in [header, *rows]]


def _found_labels() -> dict[str, str]:
    return {
        "bodies": pgettext("demo refusal", "enforcement bodies"),
        "accounts": pgettext("demo refusal", "user accounts"),
        "laws": pgettext("demo refusal", "legal provisions"),
        "benchmarks": pgettext("demo refusal", "discretion benchmarks"),
        "hearing_thresholds": pgettext("demo refusal", "hearing thresholds"),
    }


class Command(BaseCommand):
    help = "Demo data: 'load' loads the fictional demo province and prints the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load"])
        parser.add_argument("--port", type=int, default=8000,
                            help="Port shown in the address printed at the end.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            result = demo_load(actor=None)
        except DemoRefused as exc:
            labels = _found_labels()
            found = pgettext("demo refusal", "; ").join(
                _("%(what)s: %(count)d") % {"what": labels.get(name, name), "count": n}
                for name, n in exc.detail.items()
            )
            raise CommandError(
                _("%(message)s (found: %(found)s)") % {"message": exc.message, "found": found},
                returncode=2,
            ) from None
        self._report(result, time.perf_counter() - started, options["port"])

    def _report(self, result: DemoLoadResult, seconds: float, port: int) -> None:
        counts = result.counts
        if result.created:
            self.stdout.write(self.style.SUCCESS(
                _("Demo data loaded in %(seconds).1f s.") % {"seconds": seconds}))
        else:
            self.stdout.write(_("The demo data is already loaded; nothing was changed."))
        self.stdout.write(
            _("%(bodies)d enforcement bodies in %(sectors)d sectors, %(people)d people, "
              "%(certificates)d certificates, %(items)d enforcement items, %(benchmarks)d "
              "discretion benchmarks, %(laws)d laws and regulations.") % counts
        )
        self.stdout.write(
            _("%(cases)d demo cases with %(case_steps)d steps; %(ledger_entries)d ledger "
              "entries.") % counts
        )
        self.stdout.write("")
        self.stdout.write(_("Demo logins (demo data only; never use these passwords for real):"))
        header = [pgettext("demo logins", "Role"), pgettext("demo logins", "Username"),
                  pgettext("demo logins", "Password"), pgettext("demo logins", "Person"),
                  pgettext("demo logins", "Enforcement body")]
        rows = [[r.role, r.username, r.password, r.person, r.body] for r in result.logins]
        for line in format_table(header, rows):
            self.stdout.write("  " + line)
        self.stdout.write("")
        self.stdout.write(_("Open %(url)s and sign in.") % {"url": f"http://127.0.0.1:{port}/"})
