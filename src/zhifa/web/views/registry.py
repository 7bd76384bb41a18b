"""Browse the registry: enforcement bodies and people, always within the user's scope."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from zhifa.catalog.models import EnforcementItem, LegalityReviewStatus
from zhifa.catalog.selectors import visible_items
from zhifa.core.filters import filter_given
from zhifa.orgs.models import Certificate, CertificateStatus, EnforcementBody, Person
from zhifa.orgs.permissions import Perm
from zhifa.orgs.selectors import (
    body_get_for_user,
    person_get_for_user,
    person_id_number_for,
    valid_on,
    visible_bodies,
    visible_certificates,
    visible_people,
    with_status_on,
)

from ..forms import BodyFilterForm, PersonFilterForm
from .accounts import login_panel
from .common import found, render_list, render_page, staff_view

BODY_ITEMS_SHOWN = 20


def expiry_warning_days() -> int:
    # Agencies set how early an expiring certificate is flagged; 90 days unless configured.
    return int(settings.ZHIFA.get("CERTIFICATE_EXPIRY_WARNING_DAYS", 90))


def _count(qs: QuerySet[Any]) -> Coalesce:
    """``qs`` (rows correlated to the outer body through ``OuterRef``) counted in one
    subquery, so every figure costs the same query however many bodies are listed."""
    counted = qs.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")[:1]), 0)


def with_body_stats(
    qs: QuerySet[EnforcementBody], day: dt.date, *, warning_days: int
) -> QuerySet[EnforcementBody]:
    """Annotate each body with its people, its certificates by status on ``day``, those
    valid and expiring within ``warning_days``, and its items in force awaiting the legality
    review (the figures a supervising body follows across its region)."""
    certs = with_status_on(Certificate.objects.filter(person__body=OuterRef("pk")), day)
    return qs.annotate(
        people_count=_count(Person.objects.filter(body=OuterRef("pk"))),
        valid_count=_count(certs.filter(status_on_day=CertificateStatus.VALID)),
        suspended_count=_count(certs.filter(status_on_day=CertificateStatus.SUSPENDED)),
        expired_count=_count(certs.filter(status_on_day=CertificateStatus.EXPIRED)),
        expiring_count=_count(certs.filter(
            status_on_day=CertificateStatus.VALID,
            expiry_date__lte=day + dt.timedelta(days=warning_days),
        )),
        pending_review_count=_count(
            EnforcementItem.objects.filter(body=OuterRef("pk"))
            .in_force_on(day)  # type: ignore[attr-defined]
            .filter(legality_review_status=LegalityReviewStatus.PENDING)
        ),
    )


@staff_view(Perm.VIEW_REGISTRY)
def body_list(request: HttpRequest) -> HttpResponse:
    form = BodyFilterForm(request.GET or None, user=request.user)
    f = form.filters()
    qs = visible_bodies(request.user)
    if "q" in f:
        qs = qs.filter(Q(name__icontains=f["q"]) | Q(credit_code__icontains=f["q"]))
    if "region" in f:
        qs = qs.filter(region__path__contains=f"/{f['region']}/")
    qs = filter_given(qs, sector__code=f.get("sector"), kind=f.get("kind"),
                      status=f.get("status"))
    qs = with_body_stats(qs, timezone.localdate(), warning_days=expiry_warning_days())
    return render_list(
        request, template="web/bodies/list.html", results_template="web/bodies/_results.html",
        form=form, qs=qs,
    )


@staff_view(Perm.VIEW_REGISTRY)
def body_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    user = request.user
    body = found(body_get_for_user, user=user, public_id=public_id)
    today = timezone.localdate()
    people = visible_people(user).filter(body=body).order_by()
    items = visible_items(user).filter(body=body)
    certificates = visible_certificates(user).filter(person__body=body).order_by()
    context = {
        "body": body,
        "departments": body.departments.annotate(people_count=Count("people")).order_by("name"),
        "counts": {
            "people": people.count(),
            "certificates": certificates.count(),
            "valid_certificates": valid_on(certificates, today).count(),
            "items": items.order_by().count(),
        },
        "items": items.in_force_on(today)[:BODY_ITEMS_SHOWN],  # type: ignore[attr-defined]
        "items_shown": BODY_ITEMS_SHOWN,
    }
    return render_page(request, "web/bodies/detail.html", context)


@staff_view(Perm.VIEW_REGISTRY)
def person_list(request: HttpRequest) -> HttpResponse:
    bodies = visible_bodies(request.user)
    form = PersonFilterForm(request.GET or None, user=request.user, bodies=bodies)
    f = form.filters()
    qs = visible_people(request.user)
    if "q" in f:
        qs = qs.filter(name__icontains=f["q"])
    qs = filter_given(
        qs, body__public_id=f.get("body"), department__public_id=f.get("department"),
        roles__kind=f.get("role"), status=f.get("status"),
    )
    return render_list(
        request, template="web/people/list.html", results_template="web/people/_results.html",
        form=form, qs=qs, extra={"show_body": "body" in form.fields},
    )


@staff_view(Perm.VIEW_REGISTRY)
def person_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    user = request.user
    person = found(person_get_for_user, user=user, public_id=public_id)
    today = timezone.localdate()
    certificates = person.certificates.prefetch_related("areas", "categories", "status_changes")
    context = {
        "person": person,
        "id_number": person_id_number_for(user, person),
        "certificates": [(c, c.status_on(today)) for c in certificates],
        "login_panel": login_panel(user, person),
    }
    return render_page(request, "web/people/detail.html", context)
