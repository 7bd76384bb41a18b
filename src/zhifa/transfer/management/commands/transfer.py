"""``zhifa transfer template|import|export``: the import/export page from the command line.

    zhifa transfer template people -o people.xlsx
    zhifa transfer import people people.xlsx --user admin [--dry-run]
    zhifa transfer export people -o people.csv --user admin

The format follows the file name (.xlsx or .csv). ``import`` prints the report and exits
non-zero when the file has errors (nothing is imported then).
"""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhifa.core.errors import ApplicationError

from ...kinds import KINDS
from ...report import ImportReport
from ...services import transfer_export, transfer_import, transfer_template
from ...tabular import FORMATS


def _format(path: str) -> str:
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise CommandError(_("The output file name must end in .xlsx or .csv."))
    return fmt


def _user(username: str) -> Any:
    try:
        return get_user_model().objects.get(username=username, is_active=True)
    except get_user_model().DoesNotExist:
        raise CommandError(
            _("No active user is called “%(name)s”.") % {"name": username}
        ) from None


class Command(BaseCommand):
    help = "Hand out import templates, import a filled-in file, or export data."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        kinds = sorted(KINDS)

        template = actions.add_parser("template", help="Write the empty template of a kind.")
        template.add_argument("kind", choices=kinds)
        template.add_argument("-o", "--output", required=True, help="file.xlsx or file.csv")

        imp = actions.add_parser("import", help="Check a file and import it (all or nothing).")
        imp.add_argument("kind", choices=kinds)
        imp.add_argument("file")
        imp.add_argument("--user", required=True, help="username the import runs as")
        imp.add_argument("--dry-run", action="store_true", help="check only, save nothing")

        exp = actions.add_parser("export", help="Export what the user may see.")
        exp.add_argument("kind", choices=kinds)
        exp.add_argument("-o", "--output", required=True, help="file.xlsx or file.csv")
        exp.add_argument("--user", required=True, help="username the export runs as")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "template":
                fmt = _format(options["output"])
                Path(options["output"]).write_bytes(
                    transfer_template(kind=options["kind"], fmt=fmt)
                )
                self.stdout.write(f"{options['output']}")
            elif action == "export":
                fmt = _format(options["output"])
                user = _user(options["user"])
                Path(options["output"]).write_bytes(
                    transfer_export(actor=user, kind=options["kind"], fmt=fmt)
                )
                self.stdout.write(f"{options['output']}")
            else:
                self._import(options)
        except ApplicationError as exc:
            raise CommandError(f"{exc.message} ({exc.code})") from None

    def _import(self, options: dict[str, Any]) -> None:
        user = _user(options["user"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        with path.open("rb") as source:
            report = transfer_import(actor=user, kind=options["kind"], file_name=path.name,
                                     source=source, dry_run=options["dry_run"])
        self._print(report)
        if not report.ok:
            raise CommandError(ngettext(
                "%(count)s problem; nothing was imported.",
                "%(count)s problems; nothing was imported.",
                len(report.errors),
            ) % {"count": len(report.errors)})

    def _print(self, report: ImportReport) -> None:
        for error in report.sorted_errors():
            row = str(error.row) if error.row else "-"
            column = error.column or "-"
            value = error.value or "-"
            self.stdout.write(f"{row}\t{column}\t{value}\t{error.message}\t[{error.code}]")
        if report.ok and report.committed:
            self.stdout.write(self.style.SUCCESS(ngettext(
                "Imported %(count)s record from %(rows)s rows.",
                "Imported %(count)s records from %(rows)s rows.",
                report.created,
            ) % {"count": report.created, "rows": report.rows}))
        elif report.ok:
            self.stdout.write(self.style.SUCCESS(ngettext(
                "The file is valid: %(rows)s rows, %(count)s record would be imported. "
                "Nothing was saved.",
                "The file is valid: %(rows)s rows, %(count)s records would be imported. "
                "Nothing was saved.",
                report.created,
            ) % {"count": report.created, "rows": report.rows}))
