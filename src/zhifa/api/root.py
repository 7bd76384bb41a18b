"""The ninja API root under /api/v1/ and its error envelope ``{"code", "message", "detail"}``.

Every non-2xx answer has that shape:
- 401 ``not_authenticated``: no session (session auth, ``ninja.security.django_auth``);
- 403 ``missing_<permission>`` or a service's code; ``csrf_failed`` for an unsafe method
  without a valid CSRF token;
- 404 ``<entity>_not_found``: absent, or outside the user's scope (never "forbidden");
- 400/409 business errors from services (``ApplicationError`` and its stable code);
- 422 ``invalid_payload``: the request's shape is wrong (types, missing fields, enums).

The interactive docs at ``/api/v1/docs`` use the Swagger UI files bundled with django-ninja
(``ninja`` is in ``INSTALLED_APPS``), so they load from ``/static/`` and never from a CDN.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import django_auth

from zhifa.core.errors import ApplicationError

api = NinjaAPI(
    title="Zhifa API",
    version="1",
    description=(
        "Enforcement registry, catalogues and (later) cases of the Zhifa platform. "
        "Session authentication; unsafe methods need the CSRF token (header X-CSRFToken). "
        "Errors are {code, message, detail}."
    ),
    urls_namespace="api",
    auth=django_auth,
    # Swagger UI would otherwise send the document to validator.swagger.io: no network access.
    docs=Swagger(settings={"validatorUrl": None}),
)


def error_response(
    request: HttpRequest, *, status: int, code: str, message: str, detail: object = None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "detail": detail}, status=status
    )


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
    return error_response(request, status=422, code="invalid_payload",
                          message=_("The request is malformed."), detail=exc.errors)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja raises HttpError(403) itself when session auth finds no valid CSRF token.
    if exc.status_code == 403 and "csrf" in str(exc).lower():
        return error_response(request, status=403, code="csrf_failed",
                              message=_("The security token is missing or expired. "
                                        "Reload the page and try again."))
    return error_response(request, status=exc.status_code, code=f"http_{exc.status_code}",
                          message=str(exc))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, status=404, code="not_found", message=_("Not found."))


# Routers are added by their modules (see zhifa.api.registry).
from zhifa.api import registry  # noqa: E402, F401
