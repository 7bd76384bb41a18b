"""The ninja API root under /api/v1/ and its error envelope ``{"code", "message", "detail"}``."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import django_auth

from zhifa.core.errors import ApplicationError

api = NinjaAPI(
    title="Zhifa API",
    version="1",
    description="Enforcement registry, catalogues and (later) cases of the Zhifa platform.",
    urls_namespace="api",
    auth=django_auth,
)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(
        request, {"code": exc.code, "message": exc.message, "detail": exc.detail},
        status=exc.status,
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"code": "not_authenticated", "message": "Authentication required.", "detail": None},
        status=401,
    )


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request,
        {"code": "invalid_payload", "message": "The request is malformed.", "detail": exc.errors},
        status=422,
    )


# Routers are added by their modules (see zhifa.api.registry).
from zhifa.api import registry  # noqa: E402, F401
