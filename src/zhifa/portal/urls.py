"""The public portal (行政执法公示平台): no login, zh-Hans by default, cacheable pages.
Each area has its own URL module."""

from django.urls import include, path

from .views import home

app_name = "portal"
urlpatterns = [
    path("", home.home, name="home"),
    path("lang/", home.language, name="language"),
    path("", include("zhifa.portal.urls_publications")),  # search, detail, proof, verify
    path("", include("zhifa.portal.urls_registry")),  # before enforcement, 亮证
    path("", include("zhifa.portal.urls_reports")),  # annual reports
    path("", include("zhifa.portal.urls_opendata")),  # CSV, Atom, 双公示
]
