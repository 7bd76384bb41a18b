"""The portal's annual reports: only published reports exist (a draft or an unknown id is the
portal's 404, its files too); the list by body and year, filtered by region and year; the
report page with its tables, the chart data and script, the late mark and the digest; the
PDF and XLSX downloads; cacheable answers without cookies."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import uuid
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.cases.factories import Agency, agency
from tests.disclosure.test_reports import ENTERED, YEAR, draft_report, published_report
from zhifa.disclosure.models import AnnualReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def a() -> Agency:
    return agency()


def text(response: Any) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style|svg|template)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def listed(response: Any) -> list[str]:
    return re.findall(r'data-report="([0-9a-f-]+)"', response.content.decode())


def assert_public(response: Any) -> None:
    assert response["Cache-Control"].startswith("public, max-age=")
    assert "Cookie" in response["Vary"]
    assert not response.cookies


def test_the_list_shows_published_reports_only(client: Client, a: Agency) -> None:
    published = published_report(a)
    draft = draft_report(a, body=a.other_body, entered=ENTERED)
    older = published_report(a, year=2024, on=dt.date(2025, 3, 2))
    response = client.get(reverse("portal:reports"))
    assert response.status_code == 200
    assert_public(response)
    assert listed(response) == [str(published.public_id), str(older.public_id)]
    assert str(draft.public_id) not in response.content.decode()
    page = text(response)
    assert "芙蓉区市场监督管理局" in page and "荷塘区市场监督管理局" not in page
    assert page.count("PDF") == 2


def test_the_list_filters_by_region_and_year(client: Client, a: Agency) -> None:
    here = published_report(a)
    there = published_report(a, body=a.other_body)
    older = published_report(a, year=2024)
    url = reverse("portal:reports")
    assert listed(client.get(url, {"region": "430202"})) == [str(there.public_id)]
    # a region finds the reports of the bodies under it
    assert set(listed(client.get(url, {"region": "430100"}))) == {str(here.public_id),
                                                                 str(older.public_id)}
    assert set(listed(client.get(url, {"region": "430000"}))) == {
        str(here.public_id), str(there.public_id), str(older.public_id)}
    assert listed(client.get(url, {"year": "2024"})) == [str(older.public_id)]
    assert listed(client.get(url, {"region": "430102", "year": str(YEAR)})) == [
        str(here.public_id)]
    # an unknown filter is ignored, not an error
    assert len(listed(client.get(url, {"region": "999999", "year": "abc"}))) == 3
    options = re.findall(r'<option value="(\d{6})"', client.get(url).content.decode())
    assert options == ["430000", "430100", "430102", "430200", "430202"]


def test_the_report_page(client: Client, a: Agency) -> None:
    report = published_report(a, notes="复议数据由本局法制科提供。")
    response = client.get(reverse("portal:report", args=[report.public_id]))
    assert response.status_code == 200
    assert_public(response)
    page = text(response)
    assert "芙蓉区市场监督管理局" in page and "复议数据由本局法制科提供。" in page
    assert report.content_digest in page
    html = response.content.decode()
    assert reverse("portal:report_pdf", args=[report.public_id]) in html
    assert reverse("portal:report_xlsx", args=[report.public_id]) in html
    assert "/static/vendor/echarts.min.js" in html and "/static/portal/reports.js" in html
    # the entered figures are in their table; no chart without figures
    assert re.search(r'data-row="reconsiderations"><th scope="row">[^<]+</th>'
                     r'<td class="num">3</td>', html)
    charts = json.loads(re.search(r'<script id="report-charts" type="application/json">'
                                  r"(.*?)</script>", html, re.S).group(1))
    assert charts == []
    assert "data-late" not in html


def test_the_report_page_draws_charts_and_marks_lateness(client: Client, a: Agency) -> None:
    from tests.disclosure.test_reports import constructed_year

    constructed_year(a)
    report = published_report(a, on=dt.date(YEAR + 1, 2, 3))
    html = client.get(reverse("portal:report", args=[report.public_id])).content.decode()
    charts = json.loads(re.search(r'<script id="report-charts" type="application/json">'
                                  r"(.*?)</script>", html, re.S).group(1))
    assert [c["key"] for c in charts] == ["by_category", "by_result", "penalty_kinds"]
    assert charts[0]["values"] == [4, 1, 2, 1, 1, 1]
    assert sum(charts[1]["values"]) == 10 and len(charts[1]["values"]) == 8
    # every chart is hidden from assistive technology: its table holds the same figures
    assert html.count('aria-hidden="true" hidden></div>') == 3
    assert "data-late" in html


def test_drafts_and_unknown_ids_are_not_found(client: Client, a: Agency) -> None:
    draft = draft_report(a, entered=ENTERED)
    for key in (draft.public_id, uuid.uuid4()):
        for name in ("portal:report", "portal:report_pdf", "portal:report_xlsx"):
            response = client.get(reverse(name, args=[key]))
            assert response.status_code == 404, name
            assert not response.cookies
    assert client.get(f"/portal/reports/{draft.pk}/").status_code == 404


def test_the_downloads(client: Client, a: Agency) -> None:
    report = published_report(a)
    pdf = client.get(reverse("portal:report_pdf", args=[report.public_id]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert_public(pdf)
    assert "attachment" in pdf["Content-Disposition"]
    reader = PdfReader(io.BytesIO(pdf.content))
    assert "行政执法统计年报" in reader.pages[0].extract_text()
    xlsx = client.get(reverse("portal:report_xlsx", args=[report.public_id]))
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert ws["A1"].value == "芙蓉区市场监督管理局2025年度行政执法统计年报"
    # a second request is answered from the cache, identical
    assert client.get(reverse("portal:report_xlsx", args=[report.public_id])).content == \
        xlsx.content


def test_only_get(client: Client, a: Agency) -> None:
    report = published_report(a)
    assert client.post(reverse("portal:report", args=[report.public_id])).status_code == 405
    assert AnnualReport.objects.count() == 1


def test_the_nav_entry_points_to_the_list(client: Client, a: Agency) -> None:
    html = client.get(reverse("portal:reports")).content.decode()
    assert f'href="{reverse("portal:reports")}" aria-current="page"' in html
