"""Public pages of the catalogues: enforcement items (only legality-reviewed ones) with their
service guides and procedure flowcharts, random-inspection items, discretion benchmarks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy

from zhifa.cases.flowchart import procedure_svg
from zhifa.cases.procedures import builtin_codes, procedure_get
from zhifa.catalog.models import (
    Article,
    BenchmarkTier,
    DiscretionBenchmark,
    EnforcementItem,
    ItemCategory,
    PenaltyKind,
    ProcedureType,
    Tier,
)
from zhifa.orgs.models import Region

from ..http import not_found, public_page
from .registry import (
    ANY,
    PublicFilterForm,
    body_choices,
    guide_for,
    last_updated,
    newest,
    page_of,
    parse_uuid,
    public_benchmarks,
    public_inspection_items,
    public_items,
    publishable_item_versions,
    range_text,
    region_choices,
    region_filter,
    sector_choices,
    text_query,
    today,
    updated_on,
)

TIER_ORDER = {code: n for n, code in enumerate(Tier.values)}


def _articles() -> Prefetch:
    return Prefetch("legal_basis", queryset=Article.objects.select_related("version__law")
                    .order_by("version__law__title", "number"))


def public_procedure_codes() -> list[str]:
    """The statutory procedures an item can name (``ProcedureType``), drawn for the public."""
    types = set(ProcedureType.values)
    return [code for code in builtin_codes() if code in types]


# --- Enforcement items ----------------------------------------------------------------------
class _PlaceFilterForm(PublicFilterForm):
    """A filter by body, region and sector, their choices read when the form is made."""

    body = forms.ChoiceField(label=gettext_lazy("Enforcement body"))
    region = forms.ChoiceField(label=gettext_lazy("Region"))
    sector = forms.ChoiceField(label=gettext_lazy("Sector"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = ANY + body_choices()  # type: ignore[attr-defined]
        self.fields["region"].choices = ANY + region_choices()  # type: ignore[attr-defined]
        self.fields["sector"].choices = ANY + sector_choices()  # type: ignore[attr-defined]


class ItemFilterForm(_PlaceFilterForm):
    field_order = ["q", "body", "category", "procedure", "region", "sector"]
    q = forms.CharField(label=gettext_lazy("Name or code"), max_length=100)
    category = forms.ChoiceField(label=gettext_lazy("Category"),
                                 choices=ANY + list(ItemCategory.choices))
    procedure = forms.ChoiceField(label=gettext_lazy("Procedure"),
                                  choices=ANY + list(ProcedureType.choices))


@public_page
def item_list(request: HttpRequest) -> HttpResponse:
    day = today()
    form = ItemFilterForm(request.GET or None)
    f = form.values()
    qs = public_items(day)
    if "q" in f:
        qs = qs.filter(text_query(f["q"], "name", "code"))
    if "body" in f:
        qs = qs.filter(body__public_id=f["body"])
    if "category" in f:
        qs = qs.filter(category=f["category"])
    if "procedure" in f:
        qs = qs.filter(procedure_type=f["procedure"])
    if "sector" in f:
        qs = qs.filter(body__sector__code=f["sector"])
    qs = region_filter(qs, f.get("region"), "body__region")
    qs = qs.prefetch_related(_articles()).order_by("body__region__code", "body__name", "code")
    page, query = page_of(request, qs)
    return render(request, "portal/registry/items.html", {
        "form": form, "page": page, "query": query, "today": day, "updated": last_updated(qs),
        "procedures": [procedure_get(code) for code in public_procedure_codes()],
    })


def _public_item(request: HttpRequest, public_id: str, view: str) -> EnforcementItem | HttpResponse:
    """The item version public today; a version that was public and is superseded leads to the
    one public now (addresses stay useful); anything else is "not found"."""
    key = parse_uuid(public_id)
    if key is None:
        return not_found(request)
    day = today()
    item = public_items(day).filter(public_id=key).first()
    if item is not None:
        return item
    old = publishable_item_versions().filter(public_id=key).first()
    if old is not None:
        current = public_items(day).filter(body_id=old.body_id, code=old.code).first()
        if current is not None:
            return HttpResponseRedirect(reverse(view, args=[current.public_id]))
    return not_found(request)


@public_page
def item_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    found = _public_item(request, public_id, "portal:item")
    if isinstance(found, HttpResponse):
        return found
    item = found
    day = today()
    guide = guide_for(item, day)
    articles = list(item.legal_basis.select_related("version__law").order_by(
        "version__law__title", "number"))
    return render(request, "portal/registry/item.html", {
        "item": item, "articles": articles, "guide": guide, "today": day,
        "has_flowchart": item.procedure_type in public_procedure_codes(),
        "updated": newest(updated_on(item), updated_on(guide) if guide else None),
    })


@public_page
def guide_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    found = _public_item(request, public_id, "portal:guide")
    if isinstance(found, HttpResponse):
        return found
    item = found
    day = today()
    guide = guide_for(item, day)
    if guide is None:
        return not_found(request)
    return render(request, "portal/registry/guide.html", {
        "item": item, "guide": guide, "today": day, "updated": updated_on(guide),
    })


@public_page
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    if code not in public_procedure_codes():
        return not_found(request)
    proc = procedure_get(code)
    labels = {s.code: s.label for s in proc.stages}
    steps = [
        {"label": a.label,
         "sources": [labels.get(s) for s in a.sources if s != "*"],
         "anywhere": "*" in a.sources,
         "target": labels.get(a.target) if a.target else None,
         "source": a.source}
        for a in proc.actions
    ]
    return render(request, "portal/registry/procedure.html", {
        "procedure": proc, "flowchart": procedure_svg(proc), "steps": steps,
        "items_url": f"{reverse('portal:items')}?procedure={code}",
    })


# --- Random-inspection items ----------------------------------------------------------------
class InspectionFilterForm(_PlaceFilterForm):
    field_order = ["q", "body", "region", "sector"]
    q = forms.CharField(label=gettext_lazy("Name or objects"), max_length=100)


@public_page
def inspection_list(request: HttpRequest) -> HttpResponse:
    day = today()
    form = InspectionFilterForm(request.GET or None)
    f = form.values()
    qs = public_inspection_items(day)
    if "q" in f:
        qs = qs.filter(text_query(f["q"], "name", "inspection_objects", "code"))
    if "body" in f:
        qs = qs.filter(body__public_id=f["body"])
    if "sector" in f:
        qs = qs.filter(body__sector__code=f["sector"])
    qs = region_filter(qs, f.get("region"), "body__region")
    qs = qs.prefetch_related(_articles()).order_by("body__region__code", "body__name", "code")
    page, query = page_of(request, qs)
    return render(request, "portal/registry/inspections.html", {
        "form": form, "page": page, "query": query, "today": day, "updated": last_updated(qs),
    })


# --- Discretion benchmarks (APL art. 34) ------------------------------------------------------
class BenchmarkFilterForm(PublicFilterForm):
    q = forms.CharField(label=gettext_lazy("Violation"), max_length=100)
    sector = forms.ChoiceField(label=gettext_lazy("Sector"))
    region = forms.ChoiceField(label=gettext_lazy("Applies in"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = ANY + sector_choices()  # type: ignore[attr-defined]
        self.fields["region"].choices = ANY + region_choices()  # type: ignore[attr-defined]


def _applies_in(qs: QuerySet[DiscretionBenchmark],
                code: str | None) -> QuerySet[DiscretionBenchmark]:
    """Benchmarks that apply in the region ``code``: set for it or for a region above it."""
    if not code:
        return qs
    region = Region.objects.filter(code=code).only("path").first()
    if region is None:
        return qs
    return qs.filter(region__code__in=[c for c in region.path.split("/") if c])


@public_page
def benchmark_list(request: HttpRequest) -> HttpResponse:
    day = today()
    form = BenchmarkFilterForm(request.GET or None)
    f = form.values()
    qs = public_benchmarks(day)
    if "q" in f:
        qs = qs.filter(text_query(f["q"], "violation", "code"))
    if "sector" in f:
        qs = qs.filter(sector__code=f["sector"])
    qs = _applies_in(qs, f.get("region"))
    qs = qs.prefetch_related("tiers").order_by("sector__sort_order", "sector__code",
                                               "region__code", "code")
    page, query = page_of(request, qs)
    for bm in page.object_list:
        bm.statutory = range_text(bm.statutory_min, bm.statutory_max, bm.amount_unit)
        bm.tier_rows = [
            {"label": t.get_tier_display(),
             "range": range_text(t.min_value, t.max_value, bm.amount_unit)}
            for t in sorted(bm.tiers.all(), key=lambda t: (TIER_ORDER.get(t.tier, 99), t.pk))]
    return render(request, "portal/registry/benchmarks.html", {
        "form": form, "page": page, "query": query, "today": day, "updated": last_updated(qs),
    })


@public_page
def benchmark_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    key = parse_uuid(public_id)
    if key is None:
        return not_found(request)
    day = today()
    benchmark = public_benchmarks(day).filter(public_id=key).first()
    if benchmark is None:
        old = DiscretionBenchmark.objects.filter(public_id=key).only(
            "region_id", "code").first()
        current = public_benchmarks(day).filter(
            region_id=old.region_id, code=old.code).first() if old else None
        if current is not None:
            return HttpResponseRedirect(reverse("portal:benchmark", args=[current.public_id]))
        return not_found(request)
    kinds = dict(PenaltyKind.choices)
    unit = benchmark.amount_unit
    tiers = [
        {"tier": t, "range": range_text(t.min_value, t.max_value, unit),
         "kinds": [kinds.get(k, k) for k in t.penalty_kinds or []]}
        for t in sorted(BenchmarkTier.objects.filter(benchmark=benchmark),
                        key=lambda t: (TIER_ORDER.get(t.tier, 99), t.pk))
    ]
    return render(request, "portal/registry/benchmark.html", {
        "benchmark": benchmark, "tiers": tiers, "today": day,
        "statutory": range_text(benchmark.statutory_min, benchmark.statutory_max, unit),
        "violated_articles": list(benchmark.violated_articles.select_related("version__law")),
        "penalty_articles": list(benchmark.penalty_articles.select_related("version__law")),
        "updated": updated_on(benchmark),
    })
