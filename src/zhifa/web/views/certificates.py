"""Enforcement certificates: list, detail with the validity check, and the status change."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zhifa.core.errors import ApplicationError
from zhifa.core.filters import filter_given
from zhifa.orgs.models import Certificate
from zhifa.orgs.permissions import Perm, has_perm
from zhifa.orgs.selectors import (
    VALIDITY_REASON_TEXT,
    certificate_get_for_user,
    certificate_validity,
    visible_certificates,
    with_status_on,
)
from zhifa.orgs.services import certificate_status_change

from ..certificate_forms import StatusChangeForm
from ..forms import CertificateFilterForm, ValidityForm
from ..queries import STATUS_TEXT
from .common import found, render_list, render_page, staff_view


@staff_view(Perm.VIEW_REGISTRY)
def certificate_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = CertificateFilterForm(request.GET or None, user=request.user)
    f = form.filters()
    # The list shows categories only; the status comes from the annotation.
    qs = with_status_on(
        visible_certificates(request.user).prefetch_related(None).prefetch_related("categories"),
        today,
    )
    if "q" in f:
        qs = qs.filter(Q(number__icontains=f["q"]) | Q(person__name__icontains=f["q"]))
    qs = filter_given(qs, status_on_day=f.get("status"), categories__code=f.get("category"),
                      person__body__public_id=f.get("body"))
    if "region" in f:
        qs = qs.filter(person__body__region__path__contains=f"/{f['region']}/")
    if "expiring_within" in f:
        qs = qs.filter(
            expiry_date__gte=today,
            expiry_date__lte=today + dt.timedelta(days=f["expiring_within"]),
        ).order_by("expiry_date", "number")
    return render_list(
        request, template="web/certificates/list.html",
        results_template="web/certificates/_results.html", form=form, qs=qs,
        extra={"today": today, "status_text": STATUS_TEXT},
    )


def _validity_context(request: HttpRequest, cert: Certificate) -> dict[str, Any]:
    form = ValidityForm(request.GET if "day" in request.GET else None)
    result = None
    if form.is_valid():
        validity = certificate_validity(
            cert, day=form.cleaned_data["day"], region=form.cleaned_data["region"],
            sector=form.cleaned_data["category"],
        )
        result = {
            "validity": validity,
            "day": form.cleaned_data["day"],
            "region": form.cleaned_data["region"],
            "category": form.cleaned_data["category"],
            "reasons": [VALIDITY_REASON_TEXT.get(code, code) for code in validity.reasons],
        }
    return {"validity_form": form, "validity_result": result}


def _detail_context(request: HttpRequest, cert: Certificate) -> dict[str, Any]:
    today = timezone.localdate()
    status = cert.status_on(today)
    return {
        "certificate": cert,
        "today": today,
        "status": status,
        "status_text": STATUS_TEXT[status],
        "history": cert.status_changes.select_related("actor", "actor__person").order_by(
            "effective_date", "id"
        ),
        "can_manage": has_perm(request.user, Perm.MANAGE_PEOPLE),
        **_validity_context(request, cert),
    }


@staff_view(Perm.VIEW_REGISTRY)
def certificate_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    cert = found(certificate_get_for_user, user=request.user, public_id=public_id)
    context = _detail_context(request, cert)
    if context["can_manage"]:
        context["status_form"] = StatusChangeForm(certificate=cert, today=context["today"])
    return render_page(
        request, "web/certificates/detail.html", context,
        partials={"validity-result": "web/certificates/_validity_result.html"},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view(Perm.VIEW_REGISTRY)
def certificate_status(request: HttpRequest, public_id: Any) -> HttpResponse:
    cert = found(certificate_get_for_user, user=request.user, public_id=public_id)
    if request.method != "POST":
        # The form posts here; reloading the address after an error lands on the certificate.
        return redirect("web:certificate_detail", public_id=cert.public_id)
    if not has_perm(request.user, Perm.MANAGE_PEOPLE):
        raise PermissionDenied
    form = StatusChangeForm(request.POST, certificate=cert, today=timezone.localdate())
    if form.is_valid():
        try:
            certificate_status_change(
                actor=request.user, certificate=cert, to_status=form.to_status,
                effective_date=form.cleaned_data["effective_date"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("The certificate's status is now: %(status)s.")
                % {"status": STATUS_TEXT[form.to_status]},
            )
            return redirect("web:certificate_detail", public_id=cert.public_id)
    context = _detail_context(request, cert)
    context["status_form"] = form
    return render_page(request, "web/certificates/detail.html", context, status=400)
