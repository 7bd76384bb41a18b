"""How every portal page answers: anonymous, cacheable, no cookies set.

``public_page`` wraps a GET view: ``Cache-Control: public, max-age=…`` (browsers, the
intranet's reverse proxy and CDNs may keep the page for a few minutes: a withdrawal reaches
them within ``PORTAL_CACHE_SECONDS``), ``Vary: Cookie`` (the language cookie picks the
page's language), and no session or CSRF cookie is ever set on a portal page (a cached page
must carry nobody's cookie). Forms on the portal use GET, except the file upload of the verify
page, which is its own view.

``not_found`` answers a 404 page that says nothing about whether the address exists in any
other state: an unpublished, withheld or unknown record look the same."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

View = Callable[..., HttpResponse]

DEFAULT_MAX_AGE = 300


def max_age() -> int:
    return int(getattr(settings, "PORTAL_CACHE_SECONDS", DEFAULT_MAX_AGE))


def finish(response: HttpResponse, *, cache: bool = True) -> HttpResponse:
    """Headers of a portal response (for views that do not use ``public_page``)."""
    if cache and response.status_code == 200:
        response["Cache-Control"] = f"public, max-age={max_age()}"
    else:
        response["Cache-Control"] = "no-store" if not cache else f"public, max-age={max_age()}"
    patch_vary_headers(response, ("Cookie",))
    response["Referrer-Policy"] = "same-origin"
    response["X-Content-Type-Options"] = "nosniff"
    # a portal page never sets a cookie (csrf_token is not used in portal templates)
    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
        if name in response.cookies:
            del response.cookies[name]
    return response


def public_page(view: View) -> View:
    @require_safe
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return finish(view(request, *args, **kwargs))

    return wrapped


def not_found(request: HttpRequest, message: str = "") -> HttpResponse:
    return finish(render(request, "portal/not_found.html", {"message": message}, status=404))
