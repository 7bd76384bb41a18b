"""The report as a PDF (A4, Chinese): the tables, a bar chart (inline SVG) under each table
that has one, the notes, and — once published — the publication date, the late mark and the
digest. Printed with the documents app's WeasyPrint set-up (the cut Noto CJK faces, nothing
fetched)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from zhifa.documents.render import fonts
from zhifa.documents.render.chinese import date_zh

from ..models import AnnualReport, ReportState
from .charts import bar_chart
from .layout import Table, tables
from .text import xml_text

SERIF = f"'{fonts.SERIF_CUT}','{fonts.SERIF_FAMILY}',serif"
SANS = f"'{fonts.SANS_CUT}','{fonts.SANS_FAMILY}',sans-serif"


def report_title(report: AnnualReport) -> str:
    return f"{report.body.name}{report.year}年度行政执法统计年报"


def chart_rows(table: Table) -> list[tuple[str, int, str]]:
    """The bars of a table: every row of a short table, only the non-zero rows of a long one
    (twelve results, fourteen penalty kinds)."""
    cells = table.rows if len(table.rows) <= 6 else table.nonzero()
    return [(c.zh, c.value, c.display) for c in cells]


def report_html(report: AnnualReport) -> str:
    from zhifa.disclosure.services.reports import (
        ledger_algorithm,
        report_deadline,
        report_is_late,
    )

    items: list[dict[str, Any]] = []
    for t in tables(report.figures or {}, report.entered or {}):
        svg = bar_chart(chart_rows(t), title=t.zh) if t.chart and any(
            c.value for c in t.rows) else ""
        items.append({"key": t.key, "zh": t.zh, "rows": t.rows, "svg": svg})
    published = report.state == ReportState.PUBLISHED
    return render_to_string("disclosure/report_pdf.html", {
        "title": report_title(report), "body": report.body, "year": report.year,
        "tables": items, "notes": xml_text(report.notes or "").strip(), "published": published,
        "computed_on": (date_zh(timezone.localdate(report.computed_at))
                        if report.computed_at else ""),
        "published_on": date_zh(report.published_on) if report.published_on else "",
        "late": report_is_late(report), "deadline": date_zh(report_deadline(report.year)),
        "digest": report.content_digest, "ledger_seq": report.ledger_seq,
        "algorithm": ledger_algorithm().upper() if published else "",
        "font_css": fonts.font_face_css(), "serif": SERIF, "sans": SANS,
    })


def report_pdf(report: AnnualReport) -> bytes:
    from zhifa.documents.render.pdf import html_to_pdf

    return html_to_pdf(report_html(report))
