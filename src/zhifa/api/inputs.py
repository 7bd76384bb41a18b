"""What a client sends, checked once for every operation (installed by ``root``).

- NUL characters: PostgreSQL text cannot hold U+0000, and psycopg refuses such a parameter
  with an error that would end the request as a server error. No value of this API may
  contain it, so ``refuse_nul`` answers 422 ``invalid_payload`` when the path, the query
  string or the body holds one anywhere (keys included), before the endpoint runs. It runs
  after authentication and the schema checks, like every other payload error.
- Unparsable JSON bodies: ``JsonParser`` marks them so that ``root`` answers 422
  ``invalid_payload`` instead of django-ninja's plain 400.
"""

import json
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _
from ninja.errors import ValidationError
from ninja.parser import Parser
from ninja.types import DictStrAny

NUL = "\x00"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class BodyNotJson(ValueError):
    """The request body is not JSON (or not UTF-8)."""


class JsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> DictStrAny:
        try:
            return super().parse_body(request)
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
            # django-ninja wraps this in HttpError(400) ``from`` it; ``root`` looks for it.
            raise BodyNotJson(str(exc)) from exc


def _nul_paths(value: Any, loc: list[Any]) -> Iterator[list[Any]]:
    if isinstance(value, str):
        if NUL in value:
            yield loc
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and NUL in key:
                yield [*loc, key]
            else:
                yield from _nul_paths(item, [*loc, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_paths(item, [*loc, index])


def _single(data: QueryDict) -> dict[str, str]:
    """A query string or form as one string per key (all its values joined): a NUL in any
    of them is reported at the key, as django-ninja reports the key's other errors."""
    return {key: "".join(values) for key, values in data.lists()}


def _body_value(request: HttpRequest) -> Any:
    if request.content_type in _FORM_TYPES:
        # Forms first: once a multipart body has been parsed, ``request.body`` is gone.
        return _single(request.POST)
    if not request.body:
        return None
    try:
        return json.loads(request.body)
    except ValueError:
        # Not JSON: an operation that reads the body has refused it already; one that does
        # not read it ignores it.
        return None


def nul_errors(request: HttpRequest) -> list[dict[str, Any]]:
    """One error per place of the request that holds a NUL character."""
    match = request.resolver_match
    places: list[list[Any]] = []
    places += _nul_paths(dict(match.kwargs) if match else {}, ["path"])
    places += _nul_paths(_single(request.GET), ["query"])
    places += _nul_paths(_body_value(request), ["body"])
    message = _("Text must not contain the NUL character (U+0000).")
    return [{"type": "string_contains_nul", "loc": loc, "msg": message} for loc in places]


def refuse_nul(view_func: Callable[..., Any]) -> Callable[..., Any]:
    """Operation decorator (``api.add_decorator(refuse_nul)``) for every endpoint."""

    @wraps(view_func)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        errors = nul_errors(request)
        if errors:
            raise ValidationError(errors)
        return view_func(request, *args, **kwargs)

    return checked
