"""The workbench: counts in the user's scope and the certificate lookup."""

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from zhifa.catalog.selectors import visible_items
from zhifa.core.errors import NotFound
from zhifa.orgs.models import Certificate, CertificateStatus
from zhifa.orgs.permissions import Perm, has_perm
from zhifa.orgs.selectors import (
    certificate_find_by_number,
    certificate_validity,
    valid_on,
    visible_bodies,
    visible_certificates,
    visible_people,
)

from ..forms import LookupForm
from ..queries import STATUS_TEXT
from .cases import case_workbench
from .common import htmx_target, render_page, staff_view
from .registry import expiry_warning_days, with_body_stats


@staff_view()
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    warning_days = expiry_warning_days()
    valid = valid_on(visible_certificates(user).order_by(), today)
    context = {
        "today": today,
        "warning_days": warning_days,
        "counts": {
            "people": visible_people(user).order_by().count(),
            "valid_certificates": valid.count(),
            "expiring": valid.filter(
                expiry_date__lte=today + dt.timedelta(days=warning_days)
            ).count(),
            "items": visible_items(user).in_force_on(today).order_by().count(),  # type: ignore[attr-defined]
        },
        "lookup_form": LookupForm(),
        "body_table": None,
        # an officer's cases, time limits and approvals come first on the workbench
        "casework": case_workbench(user),
    }
    if has_perm(user, Perm.SUPERVISE):
        # The supervising body follows every body in its region at a glance.
        context["body_table"] = with_body_stats(
            visible_bodies(user).order_by("region__code", "name"), today,
            warning_days=warning_days,
        )
    return render_page(request, "web/home.html", context)


def lookup_result(user: Any, number: str, today: dt.date) -> dict[str, Any]:
    try:
        cert: Certificate = certificate_find_by_number(user=user, number=number)
    except NotFound:
        return {"number": number, "certificate": None}
    status = cert.status_on(today)
    return {
        "number": number,
        "certificate": cert,
        "status": status,
        "status_text": STATUS_TEXT[status],
        "validity": certificate_validity(cert, day=today),
        "today": today,
        # Why it is not valid: the latest recorded change (its date and reason).
        "latest_change": (
            cert.status_changes.order_by("-effective_date", "-id").first()
            if status != CertificateStatus.VALID else None
        ),
    }


@staff_view()
def certificate_lookup(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.GET or None)
    context: dict[str, Any] = {"lookup_form": form, "result": None}
    if form.is_valid():
        context["result"] = lookup_result(
            request.user, form.cleaned_data["number"], timezone.localdate()
        )
    # The result card is a section of the lookup page (h2), or of the workbench's lookup panel.
    current = urlsplit(request.headers.get("HX-Current-URL", "")).path
    on_page = htmx_target(request) is None or current == request.path
    context["result_heading"] = "h2" if on_page else "h3"
    return render_page(
        request, "web/lookup.html", context,
        partials={"lookup-result": "web/_lookup_result.html"},
    )
