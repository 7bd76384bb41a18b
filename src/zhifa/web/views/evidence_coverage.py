"""Recording coverage pages (全过程记录): a case's steps on the recorded-matters list against
its recordings (the case's "Recording coverage" tab), and per agency — every body the user
sees — how many steps recorded in full by requirement were covered, for a range of dates,
with a CSV export. Read-only; the lists themselves are kept in the admin and the API
(``recorded_matter_save``)."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from zhifa.cases.procedures import builtin_codes, procedure_get
from zhifa.cases.selectors import case_get_for_user
from zhifa.evidence.coverage import MatterBook, MatterRule, matters_for
from zhifa.evidence.coverage_reports import (
    STATUS_LABELS,
    AgencyCoverage,
    agency_coverage,
    case_coverage,
)
from zhifa.orgs.permissions import Perm

from ..forms import DateInput
from .common import found, render_page, staff_view


@staff_view(Perm.VIEW_CASES)
@require_safe
def coverage_case(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = found(case_get_for_user, user=request.user, key=public_id)
    report = case_coverage(case)
    return render_page(request, "web/evidence/coverage/case.html", {
        "case": case, "tab": "coverage", "report": report, "statuses": STATUS_LABELS,
        "tolerance": int(report.tolerance.total_seconds()),
    })


class CoverageFilterForm(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("Steps from"), required=False,
                                widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("Steps until"), required=False,
                              widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the range cannot be before its start."))
        return data


def _report(request: HttpRequest) -> tuple[CoverageFilterForm, AgencyCoverage]:
    form = CoverageFilterForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    data = form.cleaned_data if request.GET and valid else {}
    report = agency_coverage(request.user, date_from=data.get("date_from"),
                             date_to=data.get("date_to"))
    return form, report


@staff_view(Perm.VIEW_CASES)
@require_safe
def coverage_agency(request: HttpRequest) -> HttpResponse:
    form, report = _report(request)
    own = getattr(getattr(request.user, "person", None), "body_id", None)
    book = MatterBook(matters_for([own] if own else []))
    return render_page(request, "web/evidence/coverage/agency.html", {
        "form": form, "report": report, "total": report.total,
        "lines": [_line(r) for r in book.in_force(own)],
        "own_body": request.user.person.body if own else None,  # type: ignore[union-attr]
        "export_query": request.GET.urlencode(),
        "tolerance": int(report.tolerance.total_seconds()),
    })


def _line(rule: MatterRule) -> dict[str, Any]:
    """A list line as read: the step and its conditions by their labels (built-in procedures;
    an agency's own procedure is shown by its codes, which would take a query each)."""
    step, conditions = f"{rule.procedure} · {rule.action}", []
    act = procedure_get(rule.procedure).action(rule.action) \
        if rule.procedure in builtin_codes() else None
    if act is not None:
        step = f"{procedure_get(rule.procedure).label} · {act.label}"
    fields = {f.name: f for f in act.fields} if act is not None else {}
    for name, wanted in rule.when.items():
        f = fields.get(name)
        labels = {c.value: str(c.label) for c in f.choices} if f is not None else {}
        if isinstance(wanted, bool):
            shown = _("Yes") if wanted else _("No")
        else:
            values = wanted if isinstance(wanted, list) else [wanted]
            shown = "、".join(labels.get(str(v), str(v)) for v in values)
        conditions.append(f"{f.label if f is not None else name}: {shown}")
    return {"matter": rule.matter, "step": step, "conditions": conditions,
            "mandatory": rule.mandatory, "source": rule.source, "own": rule.body_id is not None}


@staff_view(Perm.VIEW_CASES)
@require_safe
def coverage_agency_csv(request: HttpRequest) -> HttpResponse:
    _form, report = _report(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="recording-coverage-{stamp}.csv"'
    response.write("\ufeff")  # spreadsheet programs read UTF-8 by its byte-order mark
    writer = csv.writer(response)
    writer.writerow([_("Enforcement body"), _("Unified social credit code"),
                     _("Steps recorded in full"), _("Covered"), _("Partly covered"),
                     _("Not recorded"), _("Covered (%)"), _("Steps recorded as needed"),
                     _("Of which recorded"), _("Steps from"), _("Steps until")])
    period = [_date(report.date_from), _date(report.date_to)]
    for row in report.bodies:
        writer.writerow([row.body.name, row.body.credit_code, row.mandatory, row.covered,
                         row.partly, row.not_recorded,
                         "" if row.percent is None else f"{row.percent:.1f}", row.as_needed,
                         row.as_needed_recorded, *period])
    return response


def _date(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


urlpatterns: list[URLPattern] = [
    path("cases/<uuid:public_id>/evidence/coverage/", coverage_case,
         name="evidence_coverage_case"),
    path("evidence/coverage/", coverage_agency, name="evidence_coverage_agency"),
    path("evidence/coverage/export.csv", coverage_agency_csv,
         name="evidence_coverage_agency_csv"),
]
