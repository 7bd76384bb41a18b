"""List evidence files due for disposal, or recompute retention.

``zhifa evidence retention [--json]`` lists the files of every body whose retention has run
out (case closed, no hold, not permanent, not yet in a disposal request); disposal itself
needs a request and a head's approval (page ``/evidence/disposal/``).
``zhifa evidence retention --recompute`` recomputes the retention of every active file of
every case (after changing classes, or for cases closed before retention was computed),
each change recorded on the ledger.
"""

from __future__ import annotations

import json
from typing import Any


def add_arguments(parser: Any) -> None:
    parser.add_argument("--recompute", action="store_true",
                        help="recompute the retention of every active file")
    parser.add_argument("--json", action="store_true", help="print JSON")


def handle(opts: dict[str, Any], stdout: Any) -> None:
    from zhifa.cases.models import Case
    from zhifa.orgs.models import EnforcementBody

    from ..models import FileState
    from ..retention import retention_recompute
    from ..services.disposal import files_due

    if opts.get("recompute"):
        changed = cases = 0
        for case in (Case.objects.filter(evidence_files__state=FileState.ACTIVE).distinct()
                     .select_related("body").order_by("id").iterator()):
            cases += 1
            changed += retention_recompute(case, reason="recompute")
        result: dict[str, Any] = {"cases": cases, "files_changed": changed}
        stdout.write(json.dumps(result) if opts.get("json")
                     else f"{cases} case(s) checked, retention of {changed} file(s) changed")
        return
    rows = [{"case": f.case.number, "file": str(f.public_id), "filename": f.filename,
             "size": f.size, "sha256": f.blob.sha256, "retain_until": f.retain_until.isoformat()
             if f.retain_until else None}
            for f in files_due(bodies=EnforcementBody.objects.all())]
    if opts.get("json"):
        stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        stdout.write(f"{r['retain_until']}  {r['case']}  {r['filename']}  {r['size']:,} B")
    stdout.write(f"{len(rows)} file(s) due for disposal")
