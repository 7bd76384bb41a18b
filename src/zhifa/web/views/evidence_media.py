"""Evidence pages (issue 4) — filled by its owner."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
