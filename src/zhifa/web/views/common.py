"""What every staff view shares: login and permission checks, HTMX partials, pagination."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from zhifa.core.errors import NotFound
from zhifa.orgs.permissions import Perm, has_perm

T = TypeVar("T")


def staff_view(perm: Perm | None = None) -> Callable[[Callable[..., HttpResponse]],
                                                     Callable[..., HttpResponse]]:
    """Anonymous users go to the login page; a logged-in user without ``perm`` gets 403.

    Objects outside the user's scope are a separate matter: the selectors make them 404.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if perm is not None and not has_perm(request.user, perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

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
