"""``zhifa certificates expire [--today YYYY-MM-DD]``: mark certificates past their expiry
date as expired, with a history row. Safe to run from cron every day (idempotent)."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from zhifa.orgs.services import certificates_expire_due


class Command(BaseCommand):
    help = "Certificate maintenance: 'expire' marks certificates past their expiry date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["expire"])
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["today"] or timezone.localdate()
        count, failed = certificates_expire_due(today=today)
        self.stdout.write(f"{count} certificate(s) marked expired as of {today.isoformat()}.")
        for line in failed:
            self.stderr.write(f"skipped {line}")
