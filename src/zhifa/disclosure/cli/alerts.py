"""Daily alerts: publications due soon and overdue, expired periods, missing annual reports.

``zhifa disclosure alerts [--today YYYY-MM-DD] [--json]``: for cron where Celery is not used
(the task ``disclosure.alerts`` does the same, daily). A draft due within 2 working days gets
one ``disclosure.due_soon`` entry, a draft past its due date one ``disclosure.overdue``
entry, each once; a published record whose period is over becomes expired; from 1 February,
each active body without last year's published annual report gets one
``disclosure.report_missing`` entry, once. Safe to run at any time and any number of times;
``--today`` may not be later than today.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any


def add_arguments(parser: Any) -> None:
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                        help="the day to judge by (default: today; not later than today)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def handle(opts: dict[str, Any], stdout: Any) -> None:
    from django.utils.translation import gettext as _

    from zhifa.disclosure.services.alerts import disclosure_alerts

    summary = disclosure_alerts(today=opts.get("today"))
    if opts.get("json"):
        stdout.write(json.dumps(summary.as_dict()))
    else:
        stdout.write(_("%(soon)s publication(s) due soon, %(overdue)s overdue recorded; "
                       "%(expired)s expired; %(reports)s missing annual report(s) recorded.")
                     % {"soon": summary.due_soon, "overdue": summary.overdue,
                        "expired": summary.expired, "reports": summary.reports_missing})
