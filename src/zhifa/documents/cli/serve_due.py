"""Complete the services by announcement whose deemed date has come (CPL art. 95).

``zhifa documents serve-due [--json]``: for cron where Celery is not used (the task
``documents.serve_due`` does the same, daily). Each completed record becomes served, the case
step it serves is recorded and SERVICE_DEEMED is appended to the case's ledger stream. Safe to
run at any time and any number of times.
"""

from __future__ import annotations

import json
from typing import Any


def add_arguments(parser: Any) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def handle(opts: dict[str, Any], stdout: Any) -> None:
    from django.utils.translation import gettext as _

    from zhifa.documents.services.service import service_deem_due

    count = service_deem_due()
    if opts.get("json"):
        stdout.write(json.dumps({"served": count}))
    else:
        stdout.write(_("%(count)s service(s) by announcement completed.") % {"count": count})
