"""``zhifa archive export CASE -o FILE`` and ``zhifa archive verify PACKAGE``.

- ``export CASE -o FILE [--user NAME] [--json]``: CASE is a case number or public id. A
  closed case is archived first (archive number, the ``archive`` step, the package, the
  ledger entry and a signed checkpoint: ``archive_create``); the stored package of an
  archived case is then written to FILE (``archive_package``, recorded as an export). The
  acting account is ``--user`` or ``$ZHIFA_USER`` and needs the rights it needs in the UI.
  Exit status 1 when the service refuses (the reason is printed), 2 for bad usage.
- ``verify PACKAGE [--json] [--trusted-key HEX ...]``: the offline check of
  ``zhifa.evidence.archive.verify``; it never opens the database. Exit status 1 naming every
  failure, 2 when the file cannot be read.
"""

import json
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhifa.evidence.archive import verify


class Command(BaseCommand):
    help = "Case-file archive packages: export a case's package, verify a package offline."
    # ``verify`` runs without a database; the system checks are not needed by either verb.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        export = sub.add_parser("export", help="Archive a closed case if needed and write "
                                               "its package to a file.")
        export.add_argument("case", help="case number or public id")
        export.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
        export.add_argument("--user", default=os.environ.get("ZHIFA_USER", ""),
                            help="the acting account's user name (default: $ZHIFA_USER)")
        export.add_argument("--json", action="store_true")
        verify.add_arguments(sub.add_parser("verify", help="Check a package offline."))

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["verb"] == "verify":
            code = verify.run(opts["package"], as_json=opts["json"],
                              trusted_hex=opts["trusted_key"], out=self.stdout,
                              err=self.stderr)
            if code:
                raise CommandError("package verification failed" if code == 1 else
                                   "the package cannot be read", returncode=code)
            return
        self._export(opts)

    def _export(self, opts: dict[str, Any]) -> None:
        from zhifa.core.errors import ApplicationError
        from zhifa.evidence.archive.build import archive_create, archive_package
        from zhifa.evidence.archive.selectors import archive_for_case
        from zhifa.evidence.storage import storage_named
        from zhifa.orgs.models import User

        if not opts["user"]:
            raise CommandError("give the acting account with --user or ZHIFA_USER",
                               returncode=2)
        user = User.objects.filter(username=opts["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active account {opts['user']!r}", returncode=2)
        from zhifa.cases.selectors import case_get_for_user

        output: Path = opts["output"]
        if not output.parent.is_dir():
            raise CommandError(f"no directory {output.parent}", returncode=2)
        try:
            case = case_get_for_user(user=user, key=opts["case"])
            created = archive_for_case(case) is None
            if created:
                archive_create(actor=user, case=case)
            archive = archive_package(actor=user, case=case, via="cli")
        except ApplicationError as exc:
            raise CommandError(f"{exc.message} [{exc.code}]", returncode=1) from exc
        blob = archive.package
        partial = output.with_name(output.name + ".part")
        with partial.open("wb") as out:
            for chunk in storage_named(blob.storage).iter_range(blob.key):
                out.write(chunk)
        os.replace(partial, output)
        result = {"case": case.number, "archive_number": archive.number,
                  "created": created, "file": str(output), "size": blob.size,
                  "sha256": blob.sha256, "sm3": blob.sm3,
                  "manifest_sha256": archive.manifest_sha256,
                  "manifest_sm3": archive.manifest_sm3}
        if opts["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        for key, value in result.items():
            self.stdout.write(f"{key}: {value}")
