"""Narrowing a list by the filters a user or a client gave, shared by the pages and the API."""

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def filter_given(qs: QuerySet[M], **lookups: Any) -> QuerySet[M]:
    """``qs`` filtered by each lookup whose value was given (neither None nor empty), one
    ``filter()`` call per lookup as if each were written out."""
    for lookup, value in lookups.items():
        if value is not None and value != "":
            qs = qs.filter(**{lookup: value})
    return qs
