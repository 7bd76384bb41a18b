"""The report as an XLSX workbook: one sheet, Chinese headings, numbers as numbers (counts as
integers, amounts in yuan with two decimals), so that a supervising bureau can add up the
reports of its bodies. Every text cell is text: a note starting with "=" is never a formula,
and characters XML forbids are dropped (openpyxl would refuse them)."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from ..models import AnnualReport, ReportState
from .layout import FEN, tables
from .pdf import report_title
from .text import xml_text

SHEET_TITLE = "统计年报"
HEADERS = ("类别", "项目", "数值", "单位")
HEADER_ROW = 4
YUAN_FORMAT = "#,##0.00"
COUNT_FORMAT = "0"


def text_cell(ws: Worksheet, row: int, column: int, value: str) -> Cell:
    """A cell holding ``value`` as text, whatever it starts with."""
    cell = ws.cell(row=row, column=column, value=xml_text(value))
    cell.data_type = "s"  # openpyxl made a string starting with "=" a formula
    return cell


def report_xlsx(report: AnnualReport) -> bytes:
    from zhifa.disclosure.services.reports import ledger_algorithm, report_is_late

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET_TITLE
    published = report.state == ReportState.PUBLISHED
    text_cell(ws, 1, 1, report_title(report) + ("" if published else "（草稿）")).font = Font(
        bold=True, size=14)
    text_cell(ws, 2, 1, f"{report.body.name}　统计期间：{report.year}年1月1日至"
                        f"{report.year}年12月31日")
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="EEEEEE")
    for col, text in enumerate(HEADERS, start=1):
        cell = text_cell(ws, HEADER_ROW, col, text)
        cell.font, cell.fill = bold, fill
    row = HEADER_ROW + 1
    for t in tables(report.figures or {}, report.entered or {}):
        for c in t.rows:
            text_cell(ws, row, 1, t.zh)
            text_cell(ws, row, 2, c.zh)
            value: Any = Decimal(c.value) / 100 if c.unit == FEN else c.value
            number = ws.cell(row=row, column=3, value=value)
            number.number_format = YUAN_FORMAT if c.unit == FEN else COUNT_FORMAT
            text_cell(ws, row, 4, "元" if c.unit == FEN else "件（次）")
            row += 1
    row += 1
    notes = xml_text(report.notes or "").strip()
    if notes:
        text_cell(ws, row, 1, "说明").font = bold
        note = text_cell(ws, row, 2, notes)
        note.alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    if published and report.published_on:
        text_cell(ws, row, 1, "公开日期").font = bold
        text_cell(ws, row, 2, report.published_on.isoformat()
                  + ("（逾期公开）" if report_is_late(report) else ""))
        row += 1
        text_cell(ws, row, 1, f"内容摘要（{ledger_algorithm().upper()}）").font = bold
        text_cell(ws, row, 2, report.content_digest)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    for letter, width in zip("ABCD", (30, 44, 16, 10), strict=True):
        ws.column_dimensions[letter].width = width
    wb.properties.title = xml_text(report_title(report))
    wb.properties.creator = xml_text(report.body.name)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
