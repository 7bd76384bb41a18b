"""The portal's navigation (a context processor; only on portal pages). Each area's URL
module names its pages; an entry whose page does not exist is left out."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ENTRIES: tuple[tuple[str, Any], ...] = (
    ("portal:search", _("Decisions")),
    ("portal:bodies", _("Enforcement bodies")),
    ("portal:officers", _("Enforcement officers")),
    ("portal:certificate_lookup", _("Check a certificate")),
    ("portal:items", _("Enforcement items")),
    ("portal:inspections", _("Random inspections")),
    ("portal:benchmarks", _("Discretion benchmarks")),
    ("portal:changes", _("Recent changes")),
    ("portal:reports", _("Annual reports")),
    ("portal:verify", pgettext_lazy("portal", "Verify")),
)


def portal(request: HttpRequest) -> dict[str, Any]:
    if not request.path.startswith("/portal/") and not request.path.startswith("/v/"):
        return {}
    items = []
    for name, label in ENTRIES:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label,
                      "active": request.path.startswith(url)})
    return {"portal_nav": items}
