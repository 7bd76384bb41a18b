"""Take offline the published records whose publicity period is over.

``zhifa disclosure expire [--json]``: every published record whose ``offline_on`` has come
becomes expired, leaves the search index and gets one ``disclosure.expired`` entry (the
public pages hide it on that day already, whether this ran or not). ``zhifa disclosure
alerts`` does this too.
"""

from __future__ import annotations

import json
from typing import Any


def add_arguments(parser: Any) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def handle(opts: dict[str, Any], stdout: Any) -> None:
    from django.utils.translation import gettext as _

    from zhifa.disclosure.services.lifecycle import publications_expire

    count = publications_expire()
    if opts.get("json"):
        stdout.write(json.dumps({"expired": count}))
    else:
        stdout.write(_("%(count)s publication(s) expired.") % {"count": count})
