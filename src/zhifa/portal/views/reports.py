"""The published annual enforcement statistics reports (行政执法统计年报, 118号).

- ``/portal/reports/`` (``reports``): every published report by body and year, filtered by
  region (the region and every region under it) and year;
- ``/portal/reports/<id>/`` (``report``): the tables, a bar chart per chart table drawn by
  ECharts (the tables are the accessible form of the same figures; the charts are hidden from
  assistive technology and absent without JavaScript), the publication date, the late mark,
  the digest recorded in the ledger, and the downloads;
- ``/portal/reports/<id>/report.pdf`` (``report_pdf``) and ``.../report.xlsx``
  (``report_xlsx``).

Only published reports exist here (``selectors.public_reports``); a draft or an unknown id
answers the portal's 404."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from zhifa.disclosure.models import AnnualReport
from zhifa.disclosure.reports.files import report_file
from zhifa.disclosure.reports.layout import chart_series, tables
from zhifa.disclosure.selectors import public_reports
from zhifa.disclosure.services.reports import ledger_algorithm, report_deadline, report_is_late
from zhifa.orgs.models import Region

from ..http import not_found, public_page

PER_PAGE = 50


def _regions(reports: Any) -> list[Region]:
    """The regions of the bodies with a published report, with the regions above them (a
    province finds the reports of its cities and counties)."""
    paths = set(reports.values_list("body__region__path", flat=True).distinct())
    codes = {code for path in paths for code in path.strip("/").split("/") if code}
    return list(Region.objects.filter(code__in=codes).order_by("path"))


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


@public_page
def reports(request: HttpRequest) -> HttpResponse:
    every = public_reports()
    regions = _regions(every)
    region = next((r for r in regions if r.code == request.GET.get("region", "")), None)
    qs = every
    if region is not None:
        qs = qs.filter(body__region__path__startswith=region.path)
    years = sorted(set(every.values_list("year", flat=True)), reverse=True)
    year = _int(request.GET.get("year", ""))
    if year in years:
        qs = qs.filter(year=year)
    else:
        year = None
    page = Paginator(qs.order_by("-year", "body__region__path", "body__name", "pk"),
                     PER_PAGE).get_page(request.GET.get("page"))
    rows = [{"report": r, "late": report_is_late(r)} for r in page.object_list]
    return render(request, "portal/reports/list.html", {
        "rows": rows, "page": page, "regions": regions, "region": region, "years": years,
        "year": year, "total": page.paginator.count})


def _published(public_id: Any) -> AnnualReport | None:
    return public_reports().filter(public_id=public_id).first()


@public_page
def report(request: HttpRequest, public_id: Any) -> HttpResponse:
    row = _published(public_id)
    if row is None:
        return not_found(request)
    items = tables(row.figures or {}, row.entered or {})
    return render(request, "portal/reports/detail.html", {
        "report": row, "tables": items, "charts": chart_series(items),
        "late": report_is_late(row), "deadline": report_deadline(row.year),
        "algorithm": ledger_algorithm()})


def _download(request: HttpRequest, public_id: Any, fmt: str) -> HttpResponse:
    row = _published(public_id)
    if row is None:
        return not_found(request)
    f = report_file(row, fmt)
    response = HttpResponse(f.data, content_type=f.media_type)
    response["Content-Disposition"] = content_disposition_header(True, f.filename)
    return response


@public_page
def report_pdf(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _download(request, public_id, "pdf")


@public_page
def report_xlsx(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _download(request, public_id, "xlsx")
