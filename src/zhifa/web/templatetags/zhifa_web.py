"""Template filters of the staff pages."""

import datetime as dt
from typing import Any

from django import template
from django.utils.translation import gettext as _

from zhifa.catalog.models import AmountUnit
from zhifa.core.money import fen_to_yuan

from ..queries import STATUS_TEXT

register = template.Library()


def yuan_display(fen: int) -> str:
    """Fen as yuan for reading on a page: whole yuan without decimals (500000 -> '5,000'),
    otherwise two decimals (500050 -> '5,000.50'). ``fen_to_yuan`` keeps its fixed form for
    exports and the API."""
    text = fen_to_yuan(fen)
    return text[:-3] if text.endswith(".00") else text


@register.filter
def yuan(fen: int | None) -> str:
    """Fen as yuan for display: 500000 -> '5,000', 500050 -> '5,000.50'."""
    return "" if fen is None else yuan_display(fen)


@register.filter
def amount(value: int | None, unit: str) -> str:
    """A benchmark bound in its unit: fen for fixed amounts, thousandths for multiples,
    hundredths of a percent for percentages (see ``catalog.models.DiscretionBenchmark``)."""
    if value is None:
        return ""
    if unit == AmountUnit.MULTIPLE:
        return _("%(n)s times") % {"n": _trim(value, 1000)}
    if unit == AmountUnit.PERCENT:
        return f"{_trim(value, 100)}%"
    return _("%(n)s yuan") % {"n": yuan_display(value)}


def _trim(value: int, scale: int) -> str:
    whole, rest = divmod(value, scale)
    if not rest:
        return str(whole)
    digits = len(str(scale)) - 1
    return f"{whole}.{rest:0{digits}d}".rstrip("0")


@register.filter
def minutes(delta: dt.timedelta | None) -> int:
    return 0 if delta is None else max(1, round(delta.total_seconds() / 60))


@register.filter
def get(mapping: Any, key: Any) -> Any:
    return mapping.get(key, "") if mapping else ""


@register.filter
def status_label(status: str) -> str:
    """A certificate status code as its word on the badge (see ``web.queries.STATUS_TEXT``)."""
    return str(STATUS_TEXT.get(status, status))
