"""Before enforcement (事前公开) and the certificate lookup (亮证). Ids in addresses are read
by the views, so a malformed one is the portal's own "not found" page."""

from django.urls import URLPattern, path

from .views import bodies, catalog, changes

urlpatterns: list[URLPattern] = [
    path("bodies/", bodies.body_list, name="bodies"),
    path("bodies/<str:public_id>/", bodies.body_detail, name="body"),
    path("officers/", bodies.officer_list, name="officers"),
    path("certificates/", bodies.certificate_lookup, name="certificate_lookup"),
    path("items/", catalog.item_list, name="items"),
    path("items/<str:public_id>/", catalog.item_detail, name="item"),
    path("items/<str:public_id>/guide/", catalog.guide_detail, name="guide"),
    path("procedures/<slug:code>/", catalog.procedure_detail, name="procedure"),
    path("inspections/", catalog.inspection_list, name="inspections"),
    path("benchmarks/", catalog.benchmark_list, name="benchmarks"),
    path("benchmarks/<str:public_id>/", catalog.benchmark_detail, name="benchmark"),
    path("changes/", changes.change_list, name="changes"),
]
