"""Pieces shared by the routers: the error schema, pagination, reference schemas, money."""

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Schema
from ninja.operation import Operation
from ninja.pagination import PageNumberPagination, paginate
from ninja.utils import contribute_operation_callback

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


PAGING_NOTE = (
    "Paged by page number: `page` counts from 1, `page_size` defaults to the platform's page "
    "size and is capped at {max_page_size}. The answer is `{{count, items}}` where `count` is "
    "the number of matching rows; a page past the last (however large its number) answers "
    "200 with the true `count` and an empty `items` list. A page below 1, or a number too "
    "long to read, is 422 `invalid_payload`."
)


class PagePagination(PageNumberPagination):
    """django-ninja's page numbers, except that a page past the last is empty without
    asking the database: an arbitrarily large page number never reaches SQL as an offset
    (SQLite and PostgreSQL offsets are 64-bit, and overflowing them was a server error)."""

    def paginate_queryset(self, queryset: QuerySet[Any], pagination: Any,
                          request: HttpRequest, **params: Any) -> Any:
        requested = pagination.page_size
        page_size = min(requested, self.max_page_size) if requested else self.page_size
        count = queryset.count()
        offset = (pagination.page - 1) * page_size
        items = queryset[offset:offset + page_size] if offset < count else []
        return {"items": items, "count": count}


def _describe_paging(operation: Operation) -> None:
    note = PAGING_NOTE.format(max_page_size=PagePagination().max_page_size)
    operation.description = "\n\n".join(filter(None, [operation.description, note]))


def paginated(func: Any) -> Any:
    """Page-number pagination with the platform's page size (``ZHIFA["PAGE_SIZE"]``), and its
    rules in the endpoint's description."""
    paged = paginate(PagePagination, page_size=settings.ZHIFA["PAGE_SIZE"])(func)
    contribute_operation_callback(paged, _describe_paging)
    return paged


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
