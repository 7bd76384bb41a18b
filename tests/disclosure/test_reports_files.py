"""The annual report's downloads: the PDF (A4, Chinese text that can be extracted, a bar
chart per chart section) and the XLSX (one sheet, Chinese headings, counts as integers,
amounts in yuan with two decimals)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.cases.factories import Agency, agency
from tests.disclosure.test_reports import (
    ENTERED,
    YEAR,
    constructed_year,
    draft_report,
    published_report,
)
from zhifa.disclosure.reports.charts import bar_chart
from zhifa.disclosure.reports.layout import SECTIONS
from zhifa.disclosure.reports.pdf import report_html, report_pdf
from zhifa.disclosure.reports.xlsx import HEADER_ROW, SHEET_TITLE, report_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def a() -> Agency:
    return agency()


def pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() or "" for page in reader.pages)
    return reader, re.sub(r"\s+", "", text)


def test_the_pdf_of_a_published_report(a: Agency) -> None:
    constructed_year(a)
    report = published_report(a, on=dt.date(2026, 2, 3), notes="复议数据由本局法制科提供。")
    data = report_pdf(report)
    assert data.startswith(b"%PDF-")
    reader, text = pdf_text(data)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    assert "芙蓉区市场监督管理局2025年度行政执法统计年报" in text
    for heading in ("案件总体情况", "按执法类别统计的决定数", "行政处罚（普通程序）", "罚款金额",
                    "被申请行政复议案件数", "其中：败诉", "说明", "复议数据由本局法制科提供。",
                    "公开日期：2026年2月3日", "逾期公开", report.content_digest):
        assert heading in text, heading
    assert "7,050.00" in text and "300.50" in text  # fines, confiscations (yuan)
    assert "草稿" not in text


def test_the_pdf_draws_a_chart_for_each_chart_section_with_figures(a: Agency) -> None:
    constructed_year(a)
    page = report_html(draft_report(a))
    assert page.count("<svg") == sum(1 for s in SECTIONS if s.chart)
    assert "草稿（未公开）" in page
    # the results chart has a bar only for the results that occurred (eight of them)
    svg = page.split("<svg")[2]
    assert svg.count("<rect") == 8


def test_an_empty_year_has_no_chart(a: Agency) -> None:
    page = report_html(draft_report(a))
    assert "<svg" not in page


def test_bar_chart_escapes_and_scales() -> None:
    svg = bar_chart([("<罚款>", 4, "4"), ("警告", 2, "2"), ("零", 0, "0")], title="a&b")
    assert "&lt;罚款&gt;" in svg and "<title>a&amp;b</title>" in svg
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]
    assert len(widths) == 2 and widths[0] == pytest.approx(2 * widths[1])
    assert bar_chart([], title="x") == ""


def test_the_xlsx_has_the_figures_as_numbers(a: Agency) -> None:
    constructed_year(a)
    report = published_report(a)
    wb = load_workbook(io.BytesIO(report_xlsx(report)))
    assert wb.sheetnames == [SHEET_TITLE]
    ws = wb[SHEET_TITLE]
    assert ws["A1"].value == "芙蓉区市场监督管理局2025年度行政执法统计年报"
    assert [c.value for c in ws[HEADER_ROW]] == ["类别", "项目", "数值", "单位"]
    rows = {(r[0], r[1]): (r[2], r[3]) for r in ws.iter_rows(min_row=HEADER_ROW + 1,
                                                            max_col=4, values_only=True)
            if r[0] and r[1] and r[2] is not None and r[3]}
    assert rows[("案件总体情况", "本年作出决定案件数")] == (10, "件（次）")
    assert rows[("按执法类别统计的决定数", "行政处罚（普通程序）")] == (4, "件（次）")
    assert rows[("行政处罚种类（件次）", "罚款")] == (3, "件（次）")
    assert rows[("罚没金额（元）", "罚款金额")] == (7050, "元")
    assert rows[("罚没金额（元）", "没收违法所得、没收非法财物金额")] == (300.5, "元")
    assert rows[("行政复议和行政诉讼", "被申请行政复议案件数")] == (
        ENTERED["reconsiderations"], "件（次）")
    amounts = [r for r in ws.iter_rows(min_row=HEADER_ROW + 1, max_col=4) if r[3].value == "元"]
    assert [c[2].number_format for c in amounts] == ["#,##0.00", "#,##0.00"]
    counts = [r[2] for r in ws.iter_rows(min_row=HEADER_ROW + 1, max_col=4)
              if r[3].value == "件（次）"]
    assert all(isinstance(c.value, int) for c in counts)
    assert len(counts) == sum(len(s.rows) for s in SECTIONS) - 2
    assert report.content_digest in [c.value for c in ws["B"]]


def test_the_xlsx_of_a_draft_says_so(a: Agency) -> None:
    ws = load_workbook(io.BytesIO(report_xlsx(draft_report(a, year=YEAR))))[SHEET_TITLE]
    assert ws["A1"].value.endswith("（草稿）")


def test_the_xlsx_writes_every_text_as_text(a: Agency) -> None:
    """A note starting with "=" (or any text cell) is text, never a formula."""
    report = published_report(a, notes="=HYPERLINK(\"http://example.com\",\"点击\")")
    ws = load_workbook(io.BytesIO(report_xlsx(report)))[SHEET_TITLE]
    notes = [row for row in ws.iter_rows(min_row=HEADER_ROW + 1, max_col=2)
             if row[0].value == "说明"]
    [(_label, note)] = notes
    assert (note.value, note.data_type) == ("=HYPERLINK(\"http://example.com\",\"点击\")", "s")
    texts = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert texts and all(c.data_type == "s" for c in texts)
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_stored_control_characters_never_break_the_files(a: Agency) -> None:
    """Notes stored before they were cleaned (or by other means) with characters XML forbids:
    both files are still made, without those characters."""
    from zhifa.disclosure.models import AnnualReport

    report = draft_report(a, year=YEAR, entered=ENTERED)
    AnnualReport.objects.filter(pk=report.pk).update(notes="复议\x0b数据\x08来自\x1f法制科。")
    report.refresh_from_db()
    ws = load_workbook(io.BytesIO(report_xlsx(report)))[SHEET_TITLE]
    assert "复议数据来自法制科。" in [c.value for c in ws["B"]]
    assert "复议数据来自法制科。" in report_html(report)
    _reader, text = pdf_text(report_pdf(report))
    assert "复议数据来自法制科。" in text
