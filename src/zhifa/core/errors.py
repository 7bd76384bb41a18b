"""Business errors with stable codes.

Services raise ``ApplicationError``; the API turns it into ``{"code", "message", "detail"}``
with its HTTP status, and views show ``message`` (translated) to the user.
"""

from typing import Any

from django.utils.functional import Promise


class ApplicationError(Exception):
    status = 409
    code = "conflict"

    def __init__(
        self,
        message: str | Promise,  # a lazy translation is resolved when raised
        *,
        code: str | None = None,
        detail: Any = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.detail = detail


class NotFound(ApplicationError):
    status = 404
    code = "not_found"


class PermissionDenied(ApplicationError):
    status = 403
    code = "permission_denied"


class InvalidInput(ApplicationError):
    status = 400
    code = "invalid_input"
