"""The portal's home page: the search box, the latest publications and the way to every
public list."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from zhifa.disclosure.models import Category
from zhifa.disclosure.selectors import public_publications

from ..http import public_page


@public_page
def home(request: HttpRequest) -> HttpResponse:
    latest = list(public_publications().order_by("-published_on", "-id")[:10])
    return render(request, "portal/home.html", {"latest": latest,
                                                "categories": Category.choices})


@require_GET
def language(request: HttpRequest) -> HttpResponse:
    """Switch the portal's language with a plain link (portal pages carry no CSRF token):
    sets the language cookie and returns to the page. Only portal paths are followed."""
    code = request.GET.get("l", "")
    target = request.GET.get("next", "")
    if not target.startswith("/portal/") or "//" in target or "\\" in target:
        target = reverse("portal:home")
    response = HttpResponseRedirect(target)
    if code in {c for c, _name in settings.LANGUAGES}:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600,
                            samesite="Lax")
    response["Cache-Control"] = "no-store"
    return response
