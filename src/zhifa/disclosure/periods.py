"""Publicity periods (credit-restoration rules; 市场监管总局令第45号 art. 13; the sectors'
rules): how long a published decision stays public.

- a penalty is *light* when it is only a warning or circulated criticism, or a fine up to the
  policy's light-fine limit with no heavier kind beside it: ``light_months``; any other
  penalty ``standard_months`` (a fine of unknown amount too); several penalties take the
  longest period of any of them (so a light fine with a licence revocation is standard);
- a licensing decision ``licensing_months``; any other decision ``other_months``;
- then at least the sector's minimum (``min_months``), and always 3 to 36 months.

``offline_on(published_on, months)``: the first day the record is no longer public, the same
day of the month ``months`` later (the month's last day when it has no such day).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

MIN_MONTHS = 3
MAX_MONTHS = 36
# the kinds that are light by nature; a fine is light up to the policy's limit
LIGHT_KINDS = frozenset({"warning", "criticism"})
FINE = "fine"


@dataclass(frozen=True)
class Period:
    months: int
    basis: str


def _yuan(fen: int) -> str:
    yuan, rest = divmod(int(fen), 100)
    return f"{yuan:,}" + (f".{rest:02d}" if rest else "")


def is_light(kinds: Iterable[str], fine: int | None, policy: Any) -> bool:
    """Only warnings, circulated criticism and fines up to the light-fine limit. A fine of
    unknown amount is not known to be light: it counts as a standard penalty."""
    kinds = set(kinds)
    if not kinds:
        return False
    if not kinds <= LIGHT_KINDS | {FINE}:
        return False
    if FINE not in kinds:
        return True
    return fine is not None and int(fine) <= int(policy.light_fine_max)


def period_for(*, category: str, kinds: Iterable[str] | None, fine: int | None,
               policy: Any) -> Period:
    """The publicity period of a decision of ``category`` (``Category`` value) with penalty
    ``kinds`` and ``fine`` (fen) under ``policy`` (a ``DisclosurePolicy``)."""
    kinds = [k for k in (kinds or []) if k]
    if category == "penalty":
        if not kinds and fine:
            kinds = [FINE]
        if is_light(kinds, fine, policy):
            months = int(policy.light_months)
            parts = [_("Light penalty (warning, circulated criticism or a fine up to "
                       "%(limit)s yuan): %(months)d months")
                     % {"limit": _yuan(policy.light_fine_max), "months": months}]
        else:
            months = int(policy.standard_months)
            if len(set(kinds)) > 1:
                parts = [_("Several penalties, the longest period applies: %(months)d months")
                         % {"months": months}]
            else:
                parts = [_("Penalty: %(months)d months") % {"months": months}]
    elif category == "licensing":
        months = int(policy.licensing_months)
        parts = [_("Licensing decision: %(months)d months") % {"months": months}]
    else:
        months = int(policy.other_months)
        parts = [_("Other enforcement decision: %(months)d months") % {"months": months}]
    minimum = int(policy.min_months or 0)
    if months < minimum:
        months = minimum
        parts.append(_("raised to the sector minimum of %(months)d months")
                     % {"months": minimum})
    clamped = min(max(months, MIN_MONTHS), MAX_MONTHS)
    if clamped != months:
        months = clamped
        parts.append(_("kept within 3 to 36 months: %(months)d months") % {"months": months})
    return Period(months=months, basis="; ".join(parts)[:300])


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later (the month's last day when it has no
    such day: 31 August + 6 months = 28/29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def offline_on(published_on: dt.date, months: int) -> dt.date:
    """The first day a record published on ``published_on`` for ``months`` is offline."""
    return add_months(published_on, months)
