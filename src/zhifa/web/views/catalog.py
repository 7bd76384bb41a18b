"""Browse the catalogues: enforcement items (the power list) and discretion benchmarks."""

from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from zhifa.catalog.models import PenaltyKind
from zhifa.catalog.selectors import (
    benchmark_get_for_user,
    item_get_for_user,
    visible_benchmarks,
    visible_items,
)
from zhifa.core.filters import filter_given
from zhifa.orgs.permissions import Perm
from zhifa.orgs.selectors import visible_bodies

from ..forms import BenchmarkFilterForm, ItemFilterForm
from .common import found, render_list, render_page, staff_view


@staff_view(Perm.VIEW_CATALOG)
def item_list(request: HttpRequest) -> HttpResponse:
    bodies = visible_bodies(request.user)
    form = ItemFilterForm(request.GET or None, user=request.user, bodies=bodies)
    f = form.filters()
    qs: Any = visible_items(request.user)
    if "q" in f:
        qs = qs.filter(Q(code__icontains=f["q"]) | Q(name__icontains=f["q"]))
    qs = filter_given(
        qs, category=f.get("category"), body__public_id=f.get("body"),
        procedure_type=f.get("procedure"), legality_review_status=f.get("review"),
    )
    if form.value_of("in_force") == "today":
        qs = qs.in_force_on(timezone.localdate())
    return render_list(
        request, template="web/items/list.html", results_template="web/items/_results.html",
        form=form, qs=qs, extra={"show_body": "body" in form.fields},
    )


@staff_view(Perm.VIEW_CATALOG)
def item_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    item = found(item_get_for_user, user=request.user, public_id=public_id)
    today = timezone.localdate()
    context = {
        "other_versions": visible_items(request.user)
        .filter(body=item.body, code=item.code)
        .exclude(pk=item.pk)
        .order_by("-version"),
        "not_yet_in_force": item.effective_from > today,
        "no_longer_in_force": item.effective_to is not None and item.effective_to <= today,
        "item": item,
        "articles": item.legal_basis.select_related("version", "version__law").order_by(
            "version__law__title", "number"
        ),
        "guides": item.service_guides.all(),
        "accepting_office": item.accepting_office,
        "deciding_office": item.deciding_office,
        "today": today,
    }
    return render_page(request, "web/items/detail.html", context)


@staff_view(Perm.VIEW_CATALOG)
def benchmark_list(request: HttpRequest) -> HttpResponse:
    form = BenchmarkFilterForm(request.GET or None, user=request.user)
    f = form.filters()
    qs = visible_benchmarks(request.user)
    if "q" in f:
        qs = qs.filter(Q(violation__icontains=f["q"]) | Q(code__icontains=f["q"]))
    qs = filter_given(qs, sector__code=f.get("sector"))
    return render_list(
        request, template="web/benchmarks/list.html",
        results_template="web/benchmarks/_results.html", form=form, qs=qs,
    )


@staff_view(Perm.VIEW_CATALOG)
def benchmark_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    benchmark = found(benchmark_get_for_user, user=request.user, public_id=public_id)
    kinds = dict(PenaltyKind.choices)
    tiers = [
        {"tier": t, "penalty_kinds": [kinds.get(k, k) for k in t.penalty_kinds or []]}
        for t in benchmark.tiers.all()
    ]
    context = {
        "benchmark": benchmark,
        "tiers": tiers,
        "violated_articles": benchmark.violated_articles.select_related("version__law"),
        "penalty_articles": benchmark.penalty_articles.select_related("version__law"),
    }
    return render_page(request, "web/benchmarks/detail.html", context)
