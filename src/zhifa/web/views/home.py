"""The workbench: counts in the user's scope and the certificate lookup."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from zhifa.catalog.selectors import visible_items
from zhifa.core.errors import NotFound
from zhifa.orgs.models import Certificate
from zhifa.orgs.selectors import (
    certificate_find_by_number,
    certificate_validity,
    visible_certificates,
    visible_people,
)

from ..forms import LookupForm
from ..queries import STATUS_TEXT, status_today, valid_on
from .common import render_page, staff_view


def expiry_warning_days() -> int:
    # Agencies set how early an expiring certificate is flagged; 90 days unless configured.
    return int(settings.ZHIFA.get("CERTIFICATE_EXPIRY_WARNING_DAYS", 90))


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
    }
    return render_page(request, "web/home.html", context)


def lookup_result(user: Any, number: str, today: dt.date) -> dict[str, Any]:
    try:
        cert: Certificate = certificate_find_by_number(user=user, number=number)
    except NotFound:
        return {"number": number, "certificate": None}
    status = status_today(cert, today)
    return {
        "number": number,
        "certificate": cert,
        "status": status,
        "status_text": STATUS_TEXT[status],
        "validity": certificate_validity(cert, day=today),
        "today": today,
    }


@staff_view()
def certificate_lookup(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.GET or None)
    context: dict[str, Any] = {"lookup_form": form, "result": None}
    if form.is_valid():
        context["result"] = lookup_result(
            request.user, form.cleaned_data["number"], timezone.localdate()
        )
    return render_page(
        request, "web/lookup.html", context,
        partials={"lookup-result": "web/_lookup_result.html"},
    )
