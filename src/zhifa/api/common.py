"""Pieces shared by the routers: the error schema, pagination, reference schemas, money."""

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.utils import timezone
from ninja import Schema
from ninja.pagination import PageNumberPagination, paginate

from zhifa.core.money import fen_to_yuan


class ErrorOut(Schema):
    """The error envelope of every non-2xx answer."""

    code: str
    message: str
    detail: Any = None


# Documented answers besides 200; the handlers in ``root`` produce them.
DENIED: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut}
DENIED_OR_MISSING: dict[int, type[Schema]] = {**DENIED, 404: ErrorOut}
REJECTED: dict[int, type[Schema]] = {400: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def paginated(func: Any) -> Any:
    """Page-number pagination with the platform's page size (``ZHIFA["PAGE_SIZE"]``)."""
    return paginate(PageNumberPagination, page_size=settings.ZHIFA["PAGE_SIZE"])(func)


def today() -> dt.date:
    return timezone.localdate()


def yuan(fen: int | None) -> str | None:
    """Formatted yuan for an amount kept in fen: 500000 -> '5,000.00'."""
    return None if fen is None else fen_to_yuan(fen)


class RegionRefOut(Schema):
    code: str
    name: str
    level: str


class SectorRefOut(Schema):
    code: str
    name: str


class BodyRefOut(Schema):
    public_id: uuid.UUID
    name: str


class DepartmentRefOut(Schema):
    public_id: uuid.UUID
    name: str
    kind: str
