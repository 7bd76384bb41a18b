"""What every staff view shares: login and permission checks, HTMX partials, pagination."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers

from zhifa.core.errors import NotFound
from zhifa.orgs.permissions import Perm, has_perm

T = TypeVar("T")


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _login_for_htmx(request: HttpRequest) -> HttpResponse:
    """An HTMX request whose session has expired: send the whole window to the login page.

    A 302 would be followed inside the XMLHttpRequest and the login page swapped into the
    results box. ``next`` is the page the user is on (``HX-Current-URL``), not the fragment.
    """
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    next_url = current.path + (f"?{current.query}" if current.query else "")
    if not next_url.startswith("/") or next_url.startswith("//"):
        next_url = request.get_full_path()
    response = HttpResponse(status=204)
    response["HX-Redirect"] = redirect_to_login(next_url)["Location"]
    return response


def _forbidden_for_htmx(request: HttpRequest) -> HttpResponse:
    """A refused HTMX request: htmx swaps no 4xx answer, so the refusal comes as a 200 fragment
    for the box the request targets, and the page around it stays as it was."""
    html = render_to_string("web/_forbidden_fragment.html", request=request)
    response = HttpResponse(html)
    patch_vary_headers(response, ["HX-Request"])
    return response


def staff_view(perm: Perm | None = None) -> Callable[[Callable[..., HttpResponse]],
                                                     Callable[..., HttpResponse]]:
    """Anonymous users go to the login page; a logged-in user without ``perm`` gets 403.

    HTMX requests get the same answers in a form htmx can act on: ``HX-Redirect`` to the login
    page, and the refusal as an inline fragment.
    Objects outside the user's scope are a separate matter: the selectors make them 404.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                if is_htmx(request):
                    return _login_for_htmx(request)
                return redirect_to_login(request.get_full_path())
            try:
                if perm is not None and not has_perm(request.user, perm):
                    raise PermissionDenied
                return view(request, *args, **kwargs)
            except PermissionDenied:
                if is_htmx(request):
                    return _forbidden_for_htmx(request)
                raise

        return wrapper

    return decorate


def found(lookup: Callable[..., T], **kwargs: Any) -> T:
    """Call a ``*_get_for_user`` selector; out of scope or unknown is a plain 404."""
    try:
        return lookup(**kwargs)
    except NotFound:
        raise Http404 from None


def htmx_target(request: HttpRequest) -> str | None:
    """The id of the element an HTMX request will swap, or None for a full page load.

    History restoration asks for the whole page, so it is treated as a full load.
    """
    if request.headers.get("HX-Request") != "true":
        return None
    if request.headers.get("HX-History-Restore-Request") == "true":
        return None
    return request.headers.get("HX-Target") or None


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partials: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render ``template``, or only the fragment for the HTMX target when one is asked for."""
    target = htmx_target(request)
    if partials and target in partials:
        template = partials[target]
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def paginate(request: HttpRequest, qs: QuerySet[Any]) -> Page:
    paginator = Paginator(qs, settings.ZHIFA["PAGE_SIZE"])
    return paginator.get_page(request.GET.get("page"))


def render_list(
    request: HttpRequest,
    *,
    template: str,
    results_template: str,
    form: Any,
    qs: QuerySet[Any],
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    page = paginate(request, qs)
    context = {
        "form": form,
        "page": page,
        "rows": page.object_list,
        "results_template": results_template,
        **(extra or {}),
    }
    return render_page(request, template, context, partials={"results": results_template})
