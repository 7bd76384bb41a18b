"""Rebuild the full-text index of the public records.

``zhifa disclosure reindex [--json]``: every record public today is tokenised and indexed
again, and entries of records no longer public are removed (after a change of jieba's
dictionary, or a restore of the database from an older copy). Searches keep working while it
runs. It changes no record and writes no ledger entry: the index is derived data.
"""

from __future__ import annotations

import json
from typing import Any


def add_arguments(parser: Any) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def handle(opts: dict[str, Any], stdout: Any) -> None:
    from django.utils.translation import gettext as _

    from zhifa.disclosure.search import reindex_all

    count = reindex_all()
    if opts.get("json"):
        stdout.write(json.dumps({"indexed": count}))
    else:
        stdout.write(_("%(count)s public record(s) indexed.") % {"count": count})
