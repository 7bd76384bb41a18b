"""The package's HTML documents: cover (封面), index (卷内目录), steps record (办案记录) and back
note (备考表). Printable, Chinese, inline CSS, no external assets; rendered by a template
engine of their own (``archive/templates``) so that nothing from the site's templates or
context processors can leak into an archived document."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from django.template import Context, Engine
from django.utils import timezone

from zhifa.cases.models import SourceKind

from . import layout
from .contents import CaseFile, zh, zh_date

TEMPLATES = Path(__file__).parent / "templates"


@cache
def _engine() -> Engine:
    return Engine(dirs=[str(TEMPLATES)], autoescape=True, debug=False)


def _context(cf: CaseFile) -> dict[str, Any]:
    case = cf.case
    files = cf.files
    embedded = [f for f in files if f.member]
    with_source = dict(SourceKind.choices)
    return {
        "cf": cf,
        "dates": {
            "received": zh_date(case.received_on), "registered": zh_date(case.registered_on),
            "decided": zh_date(case.decided_on), "closed": zh_date(case.closed_on),
            "archived": zh_date(cf.archived_on),
        },
        "archived": zh_date(cf.archived_on),
        "archived_at": timezone.localtime(cf.archived_at).strftime("%Y年%m月%d日 %H:%M:%S"),
        "source": zh(with_source.get(case.source_kind, case.source_kind)),
        "rows": len(cf.rows), "items": len(cf.items), "files": len(files),
        "embedded": len(embedded), "referenced": [f for f in files if not f.member],
        "documents": len([d for d in cf.documents if d.member]),
        "listed_documents": [d for d in cf.documents if not d.member],
        "back_note": layout.BACK_NOTE,
    }


def render_documents(cf: CaseFile) -> dict[str, bytes]:
    """The four documents by member name, in package order."""
    context = _context(cf)
    names = {layout.COVER: "cover.html", layout.INDEX: "index.html",
             layout.STEPS: "steps.html", layout.BACK_NOTE: "back_note.html"}
    return {member: _engine().get_template(template).render(Context(context)).encode()
            for member, template in names.items()}
