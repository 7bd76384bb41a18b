"""The annual enforcement statistics report pages (行政执法统计年报, 118号), for publicity
clerks and heads (their own body) and supervisors (the bodies under their region, reading
only).

- ``/disclosure/reports/`` (``report_list``): the state of each body's report for last year
  (published, late, draft, missing and alerted), every report in scope, and the form that
  computes a year's draft;
- ``/disclosure/reports/<id>/`` (``report_detail``): the figures, the forms to compute again,
  to enter the reconsideration and litigation figures, and to publish (figures computed
  before the year ended must be computed again first); the PDF and XLSX.

Each POST calls one service of ``zhifa.disclosure.services.reports``; a refusal draws the page
again with the form as it was sent and the service's message, and changes nothing. Another
body's report is "not found"."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from zhifa.core.errors import ApplicationError
from zhifa.disclosure.models import AnnualReport, ReportAlert, ReportState
from zhifa.disclosure.reports.files import MEDIA_TYPES, report_file
from zhifa.disclosure.reports.layout import ENTERED_ROWS, tables
from zhifa.disclosure.reports.selectors import (
    may_read_reports,
    report_bodies,
    report_get_for_user,
    visible_reports,
)
from zhifa.disclosure.services.reports import (
    FIRST_YEAR,
    NOTES_MAX,
    may_manage,
    report_compute,
    report_deadline,
    report_enter,
    report_is_late,
    report_is_stale,
    report_publish,
)
from zhifa.orgs.models import EnforcementBody
from zhifa.orgs.permissions import Perm, perms_of

from .common import found, render_page, staff_view


# --- Forms (they only parse: every refusal is the service's) ---------------------------------
class ComputeForm(forms.Form):
    year = forms.CharField(label=gettext_lazy("Year"), required=False, max_length=8)
    body = forms.ChoiceField(label=gettext_lazy("Enforcement body"), required=False)

    def __init__(self, *args: Any, bodies: list[EnforcementBody] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if bodies is None:
            del self.fields["body"]
        else:
            field = self.fields["body"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(str(b.public_id), b.name) for b in bodies]


class EnterForm(forms.Form):
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, max_length=NOTES_MAX + 1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Published with the report: e.g. where the reconsideration and "
                               "litigation figures come from."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for row in reversed(ENTERED_ROWS):
            self.fields = {row.key: forms.CharField(
                label=str(row.label), required=False, max_length=20,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "input-count"}),
            ), **self.fields}

    def entered(self) -> dict[str, Any]:
        """Whole numbers as numbers (full-width digits too); anything else as typed, for the
        service to refuse."""
        out: dict[str, Any] = {}
        for row in ENTERED_ROWS:
            raw = unicodedata.normalize("NFKC", str(self.data.get(row.key, ""))).strip()
            out[row.key] = int(raw) if raw.isascii() and raw.isdigit() else (raw or None)
        return out


def refuse(form: forms.Form, exc: ApplicationError) -> None:
    """The service's message on the form, and on each field its detail names."""
    form.is_valid()
    form.add_error(None, exc.message)
    if isinstance(exc.detail, dict):
        for key, message in exc.detail.items():
            if key in form.fields and isinstance(message, str):
                form.add_error(key, message)


# --- What the pages show -----------------------------------------------------------------
@dataclass(frozen=True)
class BodyStatus:
    body: EnforcementBody
    report: AnnualReport | None
    late: bool
    alert: ReportAlert | None

    @property
    def published(self) -> bool:
        return self.report is not None and self.report.state == ReportState.PUBLISHED


def _status_rows(user: Any, year: int) -> list[BodyStatus]:
    bodies = list(report_bodies(user).order_by("region__path", "name"))
    reports = {r.body_id: r for r in AnnualReport.objects.filter(
        body__in=bodies, year=year)}
    alerts = {a.body_id: a for a in ReportAlert.objects.filter(body__in=bodies, year=year)}
    return [BodyStatus(body=b, report=reports.get(b.pk),
                       late=bool(reports.get(b.pk)) and report_is_late(reports[b.pk]),
                       alert=alerts.get(b.pk)) for b in bodies]


def _compute_bodies(user: Any) -> list[EnforcementBody] | None:
    """The bodies a system administrator computes for (chosen on the form); None for a clerk
    or a head, who compute for their own body."""
    if Perm.ADMINISTER_SYSTEM in perms_of(user):
        return list(report_bodies(user).order_by("region__path", "name"))
    return None


def _own_body(user: Any) -> EnforcementBody | None:
    person = user.person if user.person_id else None
    return person.body if person is not None else None


def _may_compute(user: Any) -> bool:
    perms = perms_of(user)
    return Perm.ADMINISTER_SYSTEM in perms or Perm.PUBLISH in perms


def _require_reader(user: Any) -> None:
    if not may_read_reports(user):
        raise PermissionDenied


def list_page(request: HttpRequest, *, form: ComputeForm | None = None,
              status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    last = today.year - 1
    bodies = _compute_bodies(request.user)
    if form is None and _may_compute(request.user):
        form = ComputeForm(initial={"year": last}, bodies=bodies)
    rows = list(visible_reports(request.user).order_by("-year", "body__region__path",
                                                      "body__name"))
    return render_page(request, "web/disclosure_reports/list.html", {
        "form": form, "last": last, "deadline": report_deadline(last), "today": today,
        "status_rows": _status_rows(request.user, last),
        "reports": [{"report": r, "late": report_is_late(r)} for r in rows],
        "years": list(range(today.year, max(FIRST_YEAR, today.year - 10) - 1, -1)),
    }, status=status)


def detail_page(request: HttpRequest, report: AnnualReport, *,
                enter_form: EnterForm | None = None, action_error: str = "",
                status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    manage = may_manage(request.user, report.body)
    draft = report.state == ReportState.DRAFT
    if enter_form is None and manage and draft:
        enter_form = EnterForm(initial={**(report.entered or {}), "notes": report.notes})
    deadline = report_deadline(report.year)
    return render_page(request, "web/disclosure_reports/detail.html", {
        "report": report, "tables": tables(report.figures or {}, report.entered or {}),
        "manage": manage, "draft": draft, "enter_form": enter_form if manage and draft
        else None, "action_error": action_error, "deadline": deadline,
        "late": report_is_late(report), "would_be_late": draft and today > deadline,
        "year_ended": report.year < today.year, "today": today,
        # computed before the year ended: to be computed again before it can be published
        "stale": draft and report.year < today.year and report_is_stale(report),
    }, status=status)


def _report(request: HttpRequest, public_id: Any) -> AnnualReport:
    _require_reader(request.user)
    return found(report_get_for_user, user=request.user, public_id=public_id)


def _to_detail(report: AnnualReport) -> HttpResponse:
    return redirect(reverse("web:report_detail", args=[report.public_id]))


# --- Views ---------------------------------------------------------------------------------
@require_safe
@staff_view()
def report_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request.user)
    return list_page(request)


@require_POST
@staff_view()
def report_compute_view(request: HttpRequest) -> HttpResponse:
    _require_reader(request.user)
    bodies = _compute_bodies(request.user)
    form = ComputeForm(request.POST, bodies=bodies)
    form.is_valid()
    if bodies is not None:
        chosen = str(request.POST.get("body", ""))
        body = next((b for b in bodies if str(b.public_id) == chosen), None)
        if body is None:
            form.add_error("body", _("Choose an enforcement body."))
            return list_page(request, form=form, status=400)
    else:
        body = _own_body(request.user)
        if body is None:
            raise PermissionDenied
    try:
        report = report_compute(actor=request.user, body=body,
                                year=str(request.POST.get("year", "")).strip())
    except ApplicationError as exc:
        refuse(form, exc)
        return list_page(request, form=form, status=exc.status)
    messages.success(request, _("The report of %(year)s was computed from the records.")
                     % {"year": report.year})
    return _to_detail(report)


@require_safe
@staff_view()
def report_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    return detail_page(request, _report(request, public_id))


@require_POST
@staff_view()
def report_recompute(request: HttpRequest, public_id: Any) -> HttpResponse:
    report = _report(request, public_id)
    try:
        report_compute(actor=request.user, body=report.body, year=report.year)
    except ApplicationError as exc:
        return detail_page(request, report, action_error=exc.message, status=exc.status)
    messages.success(request, _("The figures were computed again from the records."))
    return _to_detail(report)


@require_POST
@staff_view()
def report_enter_view(request: HttpRequest, public_id: Any) -> HttpResponse:
    report = _report(request, public_id)
    form = EnterForm(request.POST)
    form.is_valid()
    try:
        report_enter(actor=request.user, report=report, entered=form.entered(),
                     notes=str(request.POST.get("notes", "")))
    except ApplicationError as exc:
        refuse(form, exc)
        return detail_page(request, report, enter_form=form, status=exc.status)
    messages.success(request, _("The figures were saved."))
    return _to_detail(report)


@require_POST
@staff_view()
def report_publish_view(request: HttpRequest, public_id: Any) -> HttpResponse:
    report = _report(request, public_id)
    try:
        published = report_publish(actor=request.user, report=report)
    except ApplicationError as exc:
        return detail_page(request, report, action_error=exc.message, status=exc.status)
    if report_is_late(published):
        messages.warning(request, _("The report was published after 31 January: it is marked "
                                    "as published late."))
    else:
        messages.success(request, _("The report was published."))
    return _to_detail(published)


@require_safe
@staff_view()
def report_download(request: HttpRequest, public_id: Any, fmt: str) -> HttpResponse:
    if fmt not in MEDIA_TYPES:
        raise Http404
    report = _report(request, public_id)
    f = report_file(report, fmt)
    response = HttpResponse(f.data, content_type=f.media_type)
    response["Content-Disposition"] = content_disposition_header(True, f.filename)
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("disclosure/reports/", report_list, name="report_list"),
    path("disclosure/reports/compute/", report_compute_view, name="report_compute"),
    path("disclosure/reports/<uuid:public_id>/", report_detail, name="report_detail"),
    path("disclosure/reports/<uuid:public_id>/compute/", report_recompute,
         name="report_recompute"),
    path("disclosure/reports/<uuid:public_id>/enter/", report_enter_view, name="report_enter"),
    path("disclosure/reports/<uuid:public_id>/publish/", report_publish_view,
         name="report_publish"),
    path("disclosure/reports/<uuid:public_id>/report.<slug:fmt>", report_download,
         name="report_download"),
]
