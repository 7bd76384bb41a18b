"""``zhifa cases list [--json] [--body CREDIT_CODE] [--status S]``: cases for operators and
scripts (number, public id, agency, procedure, stage, status)."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhifa.cases.models import Case, CaseStatus


class Command(BaseCommand):
    help = "List cases."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        lst = sub.add_parser("list", help="list cases")
        lst.add_argument("--json", action="store_true", help="print JSON")
        lst.add_argument("--body", help="credit code of the enforcement body")
        lst.add_argument("--status", choices=CaseStatus.values)
        lst.add_argument("--procedure")
        lst.add_argument("--limit", type=int, default=0, help="at most this many (0: all)")

    def handle(self, *args: Any, **opts: Any) -> None:
        qs = Case.objects.select_related("body").order_by("id")
        if opts.get("body"):
            qs = qs.filter(body__credit_code=opts["body"])
            if not qs.exists() and not Case.objects.filter(
                    body__credit_code=opts["body"]).exists():
                from zhifa.orgs.models import EnforcementBody

                if not EnforcementBody.objects.filter(credit_code=opts["body"]).exists():
                    raise CommandError(f"no enforcement body with credit code {opts['body']}")
        if opts.get("status"):
            qs = qs.filter(status=opts["status"])
        if opts.get("procedure"):
            qs = qs.filter(procedure=opts["procedure"])
        if opts.get("limit"):
            qs = qs[: opts["limit"]]
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
