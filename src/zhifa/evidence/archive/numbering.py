"""Archive numbers (档号): gapless per enforcement body and year, in the body's pattern.

The pattern is ``settings.ZHIFA_ARCHIVE_NUMBER_PATTERNS[<body credit code>]`` if given, else
``settings.ZHIFA_ARCHIVE_NUMBER_PATTERN``, else ``{prefix}档〔{year}〕{seq}号``, with
``{prefix}`` the body's short name as case numbers use it, ``{year}`` the year of archiving and
``{seq}`` the counter (a format spec such as ``{seq:04d}`` is allowed).

The counter is the cases app's ``CaseCounter`` row (body, ``archive``, year), locked for the
transaction: concurrent archivings of one body wait for each other, and a rolled-back
archiving gives its number back. A counter starts after the highest number already given in
that form (cases archived before packages existed, through the generic ``archive`` action or
the demo data), so a number is never given twice.
"""

from __future__ import annotations

import re
import string
from typing import Any

from django.conf import settings

from zhifa.cases.models import Case, CaseCounter
from zhifa.cases.services.create import _number_prefix
from zhifa.orgs.models import EnforcementBody

from ..models import CaseArchive

DEFAULT_PATTERN = "{prefix}档〔{year}〕{seq}号"
COUNTER_KIND = "archive"


def archive_number_pattern(body: EnforcementBody) -> str:
    per_body: dict[str, str] = getattr(settings, "ZHIFA_ARCHIVE_NUMBER_PATTERNS", {}) or {}
    return per_body.get(body.credit_code) or getattr(
        settings, "ZHIFA_ARCHIVE_NUMBER_PATTERN", "") or DEFAULT_PATTERN


def _format(pattern: str, *, prefix: str, year: int, seq: int) -> str:
    return pattern.format(prefix=prefix, year=year, seq=seq)


def _matcher(pattern: str, *, prefix: str, year: int) -> re.Pattern[str]:
    parts: list[str] = []
    for literal, name, _spec, _conv in string.Formatter().parse(pattern):
        parts.append(re.escape(literal))
        if name == "prefix":
            parts.append(re.escape(prefix))
        elif name == "year":
            parts.append(str(year))
        elif name == "seq":
            parts.append(r"(?P<seq>\d+)")
        elif name is not None:
            raise ValueError(f"unknown field {{{name}}} in the archive number pattern")
    return re.compile("".join(parts) + r"\Z")


def _highest_given(body: EnforcementBody, matcher: re.Pattern[str]) -> int:
    given: list[Any] = list(Case.objects.filter(body=body, flags__has_key="archive_number")
                            .values_list("flags__archive_number", flat=True))
    given += CaseArchive.objects.filter(case__body=body).values_list("number", flat=True)
    seqs = [int(m.group("seq")) for n in given if isinstance(n, str)
            for m in (matcher.match(n),) if m is not None]
    return max(seqs, default=0)


def archive_number_next(body: EnforcementBody, year: int) -> str:
    """The body's next archive number of ``year``; call inside the archiving transaction."""
    pattern = archive_number_pattern(body)
    prefix = _number_prefix(body)
    counter, created = CaseCounter.objects.select_for_update().get_or_create(
        body=body, kind=COUNTER_KIND, year=year)
    last = counter.last
    if created:
        last = _highest_given(body, _matcher(pattern, prefix=prefix, year=year))
    last, number = _first_free(pattern, prefix=prefix, year=year, last=last)
    CaseCounter.objects.filter(pk=counter.pk).update(last=last + 1)
    return number


def archive_number_peek(body: EnforcementBody, year: int) -> str:
    """The number ``archive_number_next`` would give now, without taking it: no lock, no
    write. Only a guess (another archiving may take it first), for building a package before
    the archiving transaction, which compares it with the number it then takes."""
    pattern = archive_number_pattern(body)
    prefix = _number_prefix(body)
    counter = CaseCounter.objects.filter(body=body, kind=COUNTER_KIND, year=year).first()
    last = counter.last if counter is not None else _highest_given(
        body, _matcher(pattern, prefix=prefix, year=year))
    return _first_free(pattern, prefix=prefix, year=year, last=last)[1]


def _first_free(pattern: str, *, prefix: str, year: int, last: int) -> tuple[int, str]:
    """The first number after ``last`` not given yet, and the counter value before it."""
    number = _format(pattern, prefix=prefix, year=year, seq=last + 1)
    # unique across bodies too (a pattern without the prefix): skip a number taken elsewhere
    while CaseArchive.objects.filter(number=number).exists():
        last += 1
        number = _format(pattern, prefix=prefix, year=year, seq=last + 1)
    return last, number
