"""Remove unfinished uploads past their expiry, and stray partial files.

``zhifa evidence expire-uploads [--json]``: for cron where Celery is not used (the task
``evidence.expire_uploads`` does the same). Uploads a request is writing to at that moment are
left alone. Safe to run at any time and any number of times.
"""

from __future__ import annotations

import json
from typing import Any


def add_arguments(parser: Any) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def handle(opts: dict[str, Any], stdout: Any) -> None:
    from django.utils.translation import gettext as _

    from zhifa.evidence.tus import uploads_expire

    count = uploads_expire()
    if opts.get("json"):
        stdout.write(json.dumps({"expired": count}))
    else:
        stdout.write(_("%(count)s expired upload(s) removed.") % {"count": count})
