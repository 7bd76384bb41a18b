"""Record the legal reviews that are past their due date (one ledger entry per round).

``zhifa reviews alerts [--json]``: for cron where Celery is not used (the task
``reviews.alerts`` does the same, daily). Every round submitted for legal review, still open
at the office and past its due date gets one ``review.overdue`` entry on its case's ledger
stream, once. Safe to run at any time and any number of times.
"""

from __future__ import annotations

import json
from typing import Any


def add_arguments(parser: Any) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def handle(opts: dict[str, Any], stdout: Any) -> None:
    from django.utils.translation import gettext as _

    from zhifa.reviews.services.alerts import reviews_mark_overdue

    count = reviews_mark_overdue()
    if opts.get("json"):
        stdout.write(json.dumps({"overdue": count}))
    else:
        stdout.write(_("%(count)s overdue legal review(s) recorded.") % {"count": count})
