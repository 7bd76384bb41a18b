"""``zhifa cases list [--json] [--body CREDIT_CODE] [--procedure CODE] [--stage CODE]
[--status S] [--limit N]``: cases for operators and scripts (number, public id, agency,
procedure, stage, status), oldest first. An operator's tool: it reads every body's cases.
A filter naming something that does not exist exits non-zero instead of listing nothing."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhifa.cases.models import Case, CaseStatus, CustomProcedure
from zhifa.cases.procedures import builtin_codes
from zhifa.orgs.models import EnforcementBody


class Command(BaseCommand):
    help = "List cases."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        lst = sub.add_parser("list", help="list cases")
        lst.add_argument("--json", action="store_true",
                         help="print a JSON array of objects instead of tab-separated lines")
        lst.add_argument("--body", help="credit code of the enforcement body")
        lst.add_argument("--status", choices=CaseStatus.values)
        lst.add_argument("--procedure", help="procedure code, e.g. general")
        lst.add_argument("--stage", help="stage code of the procedure, e.g. notified")
        lst.add_argument("--limit", type=int, default=0, help="at most this many (0: all)")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            self._list(**opts)
        except BrokenPipeError:  # `zhifa cases list | head`: the reader has had enough
            import os
            import sys

            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())

    def _list(self, **opts: Any) -> None:
        qs = Case.objects.select_related("body").order_by("id")
        body = opts.get("body")
        if body:
            if not EnforcementBody.objects.filter(credit_code=body).exists():
                raise CommandError(f"no enforcement body with credit code {body}")
            qs = qs.filter(body__credit_code=body)
        procedure = opts.get("procedure")
        if procedure:
            if procedure not in builtin_codes() and not CustomProcedure.objects.filter(
                    code=procedure).exists():
                raise CommandError(f"no procedure with code {procedure}")
            qs = qs.filter(procedure=procedure)
        if opts.get("stage"):
            qs = qs.filter(stage=opts["stage"])
        if opts.get("status"):
            qs = qs.filter(status=opts["status"])
        limit = opts.get("limit") or 0
        if limit < 0:
            raise CommandError("--limit must be 0 (all) or a positive number")
        if limit:
            qs = qs[:limit]
        rows = [
            {"number": c.number, "public_id": str(c.public_id), "agency": c.body.name,
             "agency_credit_code": c.body.credit_code, "procedure": c.procedure,
             "stage": c.stage, "status": c.status, "title": c.title,
             "received_on": c.received_on.isoformat()}
            for c in qs.iterator(chunk_size=2000)
        ]
        if opts["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        for r in rows:
            self.stdout.write(f"{r['number']}\t{r['public_id']}\t{r['agency']}\t"
                              f"{r['procedure']}\t{r['stage']}\t{r['status']}\t{r['title']}")
        self.stdout.write(f"{len(rows)} cases")
