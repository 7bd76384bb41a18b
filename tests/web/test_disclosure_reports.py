"""The annual report staff pages: who sees what (a clerk or head their body, a supervisor the
bodies under their region, an officer nothing), computing a year, entering the figures,
publishing; every refusal comes back with the form as it was typed and changes nothing;
another body's report is "not found"; the draft's downloads."""

from __future__ import annotations

import datetime as dt
import io
import re
from html import unescape
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.cases.factories import Agency, agency
from tests.disclosure.test_reports import ENTERED, clerk, draft_report, published_report
from zhifa.disclosure.models import AnnualReport, ReportAlert, ReportState
from zhifa.disclosure.services import reports as reports_module
from zhifa.disclosure.services.reports import reports_alert, year_end
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"
LAST = timezone.localdate().year - 1


@pytest.fixture
def a() -> Agency:
    return agency()


def as_user(client: Client, user: Any) -> Client:
    client.force_login(user, backend=BACKEND)
    return client


def text(response: Any) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style|svg|template)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def state() -> dict[str, Any]:
    return {"reports": list(AnnualReport.objects.order_by("id").values()),
            "ledger": LedgerEntry.objects.count()}


def detail(report: AnnualReport, name: str = "report_detail") -> str:
    return reverse(f"web:{name}", args=[report.public_id])


# --- Access -----------------------------------------------------------------------------------
def test_who_may_see_the_pages(client: Client, a: Agency) -> None:
    mine = draft_report(a, year=LAST)
    theirs = draft_report(a, body=a.other_body, year=LAST, actor=clerk(a.other_body, "吴兰"))
    url = reverse("web:report_list")
    assert client.get(url).status_code == 302  # anonymous: to the login page
    assert as_user(client, a.u_officer).get(url).status_code == 403
    assert client.get(detail(mine)).status_code == 403
    # a clerk: their own body only; another body's report is not found
    page = as_user(client, clerk(a.body)).get(url)
    assert page.status_code == 200
    assert str(mine.public_id) in page.content.decode()
    assert str(theirs.public_id) not in page.content.decode()
    assert client.get(detail(theirs)).status_code == 404
    assert client.get(reverse("web:report_download",
                              args=[theirs.public_id, "pdf"])).status_code == 404
    # a supervisor of the city: the county's body, not the other city's; reading only
    page = as_user(client, a.u_supervisor).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert str(mine.public_id) in html and str(theirs.public_id) not in html
    assert 'id="compute-form"' not in html
    page = client.get(detail(mine))
    assert page.status_code == 200
    assert 'id="enter-form"' not in page.content.decode()
    assert 'id="publish-form"' not in page.content.decode()


def test_the_list_shows_last_years_state_per_body(client: Client, a: Agency,
                                                  monkeypatch: Any) -> None:
    # the sweep never runs ahead of the clock: the clock says 1 February (even in January)
    monkeypatch.setattr(reports_module, "local_today", lambda: dt.date(LAST + 1, 2, 1))
    published_report(a, year=LAST, on=dt.date(LAST + 1, 1, 10))
    reports_alert(today=dt.date(LAST + 1, 2, 1))
    html = as_user(client, a.u_sysadmin).get(reverse("web:report_list")).content.decode()
    rows = dict(re.findall(r'<tr data-body="([0-9a-f-]+)">(.*?)</tr>', html, re.S))
    assert 'data-state="published"' in rows[str(a.body.public_id)]
    assert "data-alert" not in rows[str(a.body.public_id)]
    assert 'data-state="missing"' in rows[str(a.other_body.public_id)]
    assert "data-alert" in rows[str(a.other_body.public_id)]
    assert ReportAlert.objects.count() == 2  # the other body and the justice bureau


# --- Compute ----------------------------------------------------------------------------------
def test_a_clerk_computes_last_year(client: Client, a: Agency) -> None:
    c = as_user(client, clerk(a.body))
    form = c.get(reverse("web:report_list")).content.decode()
    assert f'value="{LAST}"' in form
    response = c.post(reverse("web:report_compute"), {"year": str(LAST)})
    report = AnnualReport.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(report)
    assert (report.body_id, report.year, report.state) == (a.body.pk, LAST, ReportState.DRAFT)
    page = c.get(detail(report))
    html = page.content.decode()
    assert 'id="enter-form"' in html and 'id="publish-form"' in html
    assert 'data-section="by_category"' in html


def test_a_refused_compute_keeps_the_input(client: Client, a: Agency) -> None:
    c = as_user(client, clerk(a.body))
    before = state()
    response = c.post(reverse("web:report_compute"), {"year": "19x9"})
    assert response.status_code == 400
    assert state() == before
    html = response.content.decode()
    assert 'value="19x9"' in html and 'class="alert alert-error"' in html
    assert re.search(r'data-field="year">.*?class="field-error"', html, re.S)
    # an officer may not compute at all
    assert as_user(client, a.u_officer).post(reverse("web:report_compute"),
                                             {"year": str(LAST)}).status_code == 403
    assert state() == before


def test_a_system_administrator_chooses_the_body(client: Client, a: Agency) -> None:
    c = as_user(client, a.u_sysadmin)
    response = c.post(reverse("web:report_compute"), {"year": str(LAST), "body": ""})
    assert response.status_code == 400 and AnnualReport.objects.count() == 0
    c.post(reverse("web:report_compute"), {"year": str(LAST),
                                           "body": str(a.other_body.public_id)})
    assert AnnualReport.objects.get().body_id == a.other_body.pk


# --- Enter and publish ------------------------------------------------------------------------
def test_entering_the_figures(client: Client, a: Agency) -> None:
    report = draft_report(a, year=LAST)
    c = as_user(client, clerk(a.body, "钱芳"))
    data = {"reconsiderations": "３", "reconsiderations_changed": "1", "suits": "2",
            "suits_lost": "0", "notes": "复议数据来自复议机关。"}
    response = c.post(detail(report, "report_enter"), data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.entered, report.notes) == (ENTERED, "复议数据来自复议机关。")


def test_a_refused_entry_keeps_what_was_typed_and_changes_nothing(client: Client,
                                                                  a: Agency) -> None:
    report = draft_report(a, year=LAST, entered=ENTERED, notes="旧说明")
    c = as_user(client, clerk(a.body, "钱芳"))
    before = state()
    data = {"reconsiderations": "2", "reconsiderations_changed": "5", "suits": "-1",
            "suits_lost": "", "notes": "新说明"}
    response = c.post(detail(report, "report_enter"), data)
    assert response.status_code == 400
    assert state() == before
    html = response.content.decode()
    for key, value in data.items():
        if key != "notes" and value:
            assert f'name="{key}" value="{value}"' in html, key
    assert re.search(r">\s*新说明</textarea>", html)
    errors = re.findall(r'data-field="(\w+)">(?:(?!data-field).)*?class="field-error"', html,
                        re.S)
    assert set(errors) == {"reconsiderations_changed", "suits", "suits_lost"}
    # another body's clerk: not found, nothing changed
    other = as_user(client, clerk(a.other_body, "吴兰"))
    assert other.post(detail(report, "report_enter"), data).status_code == 404
    assert other.post(detail(report, "report_publish")).status_code == 404
    assert other.post(detail(report, "report_recompute")).status_code == 404
    # a supervisor reads but may not change
    sup = as_user(client, a.u_supervisor)
    assert sup.post(detail(report, "report_enter"), data).status_code == 403
    assert sup.post(detail(report, "report_publish")).status_code == 403
    assert state() == before


def test_publishing_from_the_page(client: Client, a: Agency) -> None:
    report = draft_report(a, year=LAST)
    c = as_user(client, clerk(a.body, "钱芳"))
    before = state()
    response = c.post(detail(report, "report_publish"))
    assert response.status_code == 409  # the entered figures are missing
    assert 'id="action-error"' in response.content.decode()
    assert state() == before
    c.post(detail(report, "report_enter"), {k: str(v) for k, v in ENTERED.items()})
    response = c.post(detail(report, "report_publish"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.PUBLISHED
    late = timezone.localdate() > dt.date(LAST + 1, 1, 31)
    html = c.get(detail(report)).content.decode()
    assert ("data-late" in html) is late
    assert 'id="enter-form"' not in html and 'id="publish-form"' not in html
    assert reverse("portal:report", args=[report.public_id]) in html
    assert report.content_digest in html
    # published: computing again is refused and changes nothing
    before = state()
    response = c.post(detail(report, "report_recompute"))
    assert response.status_code == 409 and state() == before


def test_stale_figures_say_so_and_offer_computing_again(client: Client, a: Agency) -> None:
    """Figures computed before the year ended cannot be published: the page says so, offers
    to compute them again, and a publish sent anyway is refused and changes nothing."""
    report = draft_report(a, year=LAST, entered=ENTERED)
    AnnualReport.objects.filter(pk=report.pk).update(
        computed_at=year_end(LAST) - dt.timedelta(seconds=1))
    c = as_user(client, clerk(a.body, "钱芳"))
    html = c.get(detail(report)).content.decode()
    assert 'id="stale-notice"' in html and 'id="publish-form"' not in html
    assert f'action="{detail(report, "report_recompute")}"' in html
    english = as_user(Client(), clerk(a.body, "孙红"))
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = text(english.get(detail(report)))
    assert (f"These figures were computed before the end of {LAST}: compute them again from "
            "the records before publishing.") in page
    assert "Compute again from the records" in page
    before = state()
    response = c.post(detail(report, "report_publish"))
    assert response.status_code == 409
    assert state() == before
    html = response.content.decode()
    assert 'id="action-error"' in html and 'id="stale-notice"' in html
    assert f'action="{detail(report, "report_recompute")}"' in html
    # computed again: publishable
    assert c.post(detail(report, "report_recompute")).status_code == 302
    html = c.get(detail(report)).content.decode()
    assert 'id="stale-notice"' not in html and 'id="publish-form"' in html
    assert c.post(detail(report, "report_publish")).status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.PUBLISHED


def test_control_characters_in_the_notes_never_break_the_downloads(client: Client,
                                                                   a: Agency) -> None:
    report = draft_report(a, year=LAST, entered=ENTERED)
    c = as_user(client, clerk(a.body, "钱芳"))
    data = {**{k: str(v) for k, v in ENTERED.items()}, "notes": "=1+1\x0b复议数据\x1f来自法制科"}
    assert c.post(detail(report, "report_enter"), data).status_code == 302
    report.refresh_from_db()
    assert report.notes == "=1+1复议数据来自法制科"
    xlsx = c.get(reverse("web:report_download", args=[report.public_id, "xlsx"]))
    assert xlsx.status_code == 200
    cells = [cell for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows()
             for cell in row if cell.value == "=1+1复议数据来自法制科"]
    assert [cell.data_type for cell in cells] == ["s"]
    pdf = c.get(reverse("web:report_download", args=[report.public_id, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_the_current_year_is_a_preview(client: Client, a: Agency) -> None:
    report = draft_report(a, year=LAST + 1, entered=ENTERED)
    c = as_user(client, clerk(a.body, "钱芳"))
    html = c.get(detail(report)).content.decode()
    assert 'id="publish-form"' not in html
    before = state()
    assert c.post(detail(report, "report_publish")).status_code == 409
    assert state() == before


def test_the_drafts_downloads(client: Client, a: Agency) -> None:
    report = draft_report(a, year=LAST, entered=ENTERED)
    c = as_user(client, clerk(a.body, "钱芳"))
    xlsx = c.get(reverse("web:report_download", args=[report.public_id, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx["Cache-Control"] == "private, no-store"
    assert load_workbook(io.BytesIO(xlsx.content)).active["A1"].value.endswith("（草稿）")
    pdf = c.get(reverse("web:report_download", args=[report.public_id, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert c.get(reverse("web:report_download",
                         args=[report.public_id, "docx"])).status_code == 404
