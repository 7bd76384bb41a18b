"""The ninja API root under /api/v1/ and its error envelope ``{"code", "message", "detail"}``.

Every non-2xx answer has that shape, with a translated message (zh-Hans by default):
- 401 ``not_authenticated``: no session (``auth.SessionAuth``); an anonymous request gets
  this before any CSRF check;
- 403 ``missing_<permission>`` or a service's code; ``csrf_failed`` for a logged-in user's
  unsafe method without a valid CSRF token;
- 404 ``<entity>_not_found``: absent, or outside the user's scope (never "forbidden");
- 405 ``method_not_allowed``: the path exists but not for this method (``detail`` lists the
  allowed methods, as does the ``Allow`` header);
- 400/409 business errors from services (``ApplicationError`` and its stable code);
- 422 ``invalid_payload``: the request's shape is wrong (types, missing fields, enums, a body
  that is not JSON, a NUL character anywhere: see ``inputs``);
- 500 ``internal_error``: an unexpected exception, logged with its traceback.

The interactive docs at ``/api/v1/docs`` use the Swagger UI files bundled with django-ninja
(``ninja`` is in ``INSTALLED_APPS``), so they load from ``/static/`` and never from a CDN.
"""

import inspect
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern
from django.utils.log import log_response
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from zhifa.core.errors import ApplicationError

from .auth import session_auth
from .inputs import BodyNotJson, JsonParser, refuse_nul


class ZhifaAPI(NinjaAPI):
    """django-ninja answers a known path with an unknown method by a plain-text 405 from
    inside its URL view, past every exception handler; each URL view is wrapped here so that
    the 405 carries the envelope as well."""

    @property
    def urls(self) -> tuple[list[Any], str, str]:
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _envelope_405(pattern.callback)
        return patterns, app_name, namespace


def _envelope_405(view: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(view):  # no async endpoints yet
        return view

    @wraps(view)  # keeps ``csrf_exempt``: django-ninja checks CSRF itself
    def enveloped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        allowed = sorted(m.strip() for m in response["Allow"].split(",") if m.strip())
        answer = error_response(request, status=405, code="method_not_allowed",
                                message=_("This method is not allowed here."),
                                detail={"allowed_methods": allowed})
        answer["Allow"] = ", ".join(allowed)
        return answer

    return enveloped


api = ZhifaAPI(
    title="Zhifa API",
    version="1",
    description=(
        "Enforcement registry, catalogues and (later) cases of the Zhifa platform. "
        "Session authentication; unsafe methods need the CSRF token (header X-CSRFToken). "
        "Errors are {code, message, detail}; no text value may contain the NUL character "
        "(422 invalid_payload)."
    ),
    urls_namespace="api",
    auth=session_auth,
    parser=JsonParser(),
    # Swagger UI would otherwise send the document to validator.swagger.io: no network access.
    docs=Swagger(settings={"validatorUrl": None}),
)
api.add_decorator(refuse_nul, mode="operation")


def error_response(
    request: HttpRequest, *, status: int, code: str, message: str, detail: object = None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "detail": detail}, status=status
    )


def _malformed(request: HttpRequest, detail: object) -> HttpResponse:
    return error_response(request, status=422, code="invalid_payload",
                          message=_("The request is malformed."), detail=detail)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return error_response(request, status=exc.status, code=exc.code, message=exc.message,
                          detail=exc.detail)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, status=401, code="not_authenticated",
                          message=_("Please log in first."))


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _malformed(request, exc.errors)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, BodyNotJson):
        # django-ninja's 400 "Cannot parse request body": a payload shape error like any other.
        return _malformed(request, [{"type": "json_invalid", "loc": ["body"],
                                     "msg": _("The request body is not valid JSON.")}])
    # ninja raises HttpError(403) itself when session auth finds no valid CSRF token.
    if exc.status_code == 403 and "csrf" in str(exc).lower():
        return error_response(request, status=403, code="csrf_failed",
                              message=_("The security token is missing or expired. "
                                        "Reload the page and try again."))
    return error_response(request, status=exc.status_code, code=f"http_{exc.status_code}",
                          message=_("The request could not be processed."))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, status=404, code="not_found", message=_("Not found."))


# Django's own exceptions, which its request handler would otherwise have answered.
@api.exception_handler(DjangoPermissionDenied)
def django_permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(request, status=403, code="permission_denied",
                          message=_("You do not have permission for this action."))


@api.exception_handler(BadRequest)
@api.exception_handler(SuspiciousOperation)
def bad_request(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(request, status=400, code="bad_request",
                          message=_("The request could not be processed."))


@api.exception_handler(Exception)
def internal_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Anything else is a bug: the client gets the envelope, the log gets the traceback (on
    ``django.request``, as Django itself would log an unhandled exception)."""
    response = error_response(
        request, status=500, code="internal_error",
        message=_("An internal error occurred. It has been logged; please try again later."),
    )
    log_response("Internal Server Error: %s", request.path, response=response, request=request,
                 exception=exc)
    return response


# Routers are added by their modules (see zhifa.api.registry).
api.add_router("/", "zhifa.api.ledger.router")  # before the registry's catch-all fallback
from zhifa.api import registry  # noqa: E402, F401
