"""Document numbers (文号): gapless per enforcement body, word and year, in the body's pattern.

A pattern has the fields ``{机关简称}`` (or ``{prefix}``: the body's short name as case numbers
use it), ``{字}`` (or ``{word}``: the type's word, e.g. 罚), ``{年}`` (or ``{year}``, required:
the sequence starts again each year, so a number without its year would repeat) and
``{序号}`` (or ``{seq}``, required; a format spec such as ``{序号:03d}`` is allowed), e.g.
``{机关简称}罚〔{年}〕{序号}号`` → 芙蓉市监罚〔2026〕12号. Without a saved pattern, the
installation's ``ZHIFA_DOCUMENT_NUMBER_PATTERN``.

``{机关简称}`` is optional: some bodies type their abbreviation into the pattern as it is.
A number is unique across the whole installation (not per body), so a pattern whose literal
text gives the numbers of another body (the same typed prefix, or no prefix at all) does not
fail: its sequence skips the numbers the other body has already given (``_first_free``), and
the body's numbers have gaps. Prefer ``{机关简称}``.

The counter is ``DocumentCounter(body, key, year)`` with ``key`` the type's word, so types
sharing a word share one sequence. ``number_take`` locks the row for the issuing
transaction: concurrent issues of one body wait for each other, and a rolled-back issue
gives its number back (no gap). A number already on a document (given outside the counter)
is skipped, never given twice. Types without a word (records, forms) carry no number; the
summary decision carries its pre-numbered form's serial (``serials``).
"""

from __future__ import annotations

import string
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zhifa.cases.services.create import _number_prefix
from zhifa.core.errors import InvalidInput
from zhifa.ledger.services import ledger_append
from zhifa.orgs.models import EnforcementBody

from .. import doctypes
from ..events import CONFIG_STREAM, PATTERN_SAVED
from ..models import Document, DocumentCounter, NumberPattern
from ._access import require_manage
from .templates import require_type

FIELDS = {"机关简称": "prefix", "prefix": "prefix", "字": "word", "word": "word",
          "年": "year", "year": "year", "序号": "seq", "seq": "seq"}


def counter_key(doc_type: str) -> str:
    """The counter of a numbered type: its word (shared by the types with that word)."""
    t = doctypes.doctype(doc_type)
    return t.number_word or doc_type


def numbered(doc_type: str) -> bool:
    """Whether documents of this type get a 文号 from the counter."""
    t = doctypes.doctype(doc_type)
    return t.number_word is not None and not t.serial


def pattern_problems(pattern: str) -> list[str]:
    """Why ``pattern`` cannot be used (empty: it can)."""
    problems: list[str] = []
    if not pattern.strip():
        return [_("The pattern is empty.")]
    if len(pattern) > 100:
        problems.append(_("The pattern is longer than 100 characters."))
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        return [_("The pattern has unbalanced braces: %(error)s") % {"error": exc}]
    kinds: set[str] = set()
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        kind = FIELDS.get(name)
        if kind is None:
            problems.append(_("Unknown field {%(name)s}: use {机关简称}, {字}, {年} or {序号}.")
                            % {"name": name})
            continue
        if conversion:
            problems.append(_("Field {%(name)s} cannot have a conversion.") % {"name": name})
        if spec and kind != "seq":
            problems.append(_("Only {序号} can have a format, e.g. {序号:03d}."))
        kinds.add(kind)
    if "seq" not in kinds:
        problems.append(_("The pattern must contain {序号}."))
    if "year" not in kinds:
        # the counter starts again each year: without the year, next year's numbers would be
        # this year's again
        problems.append(_("The pattern must contain {年}: the sequence starts again each "
                          "year, so numbers without the year would repeat."))
    if not problems:
        try:
            _format(pattern, prefix="甲", word="罚", year=2026, seq=1)
        except (ValueError, TypeError) as exc:
            problems.append(_("The pattern cannot be filled in: %(error)s") % {"error": exc})
    return [str(p) for p in problems]


def _format(pattern: str, *, prefix: str, word: str, year: int, seq: int) -> str:
    return pattern.format(**{"机关简称": prefix, "prefix": prefix, "字": word, "word": word,
                             "年": year, "year": year, "序号": seq, "seq": seq})


def number_pattern(body: EnforcementBody, doc_type: str) -> str:
    """The body's pattern for the type (its saved one, else the installation's default)."""
    saved = NumberPattern.objects.filter(body=body, doc_type=doc_type).values_list(
        "pattern", flat=True).first()
    return saved or settings.ZHIFA_DOCUMENT_NUMBER_PATTERN


@transaction.atomic
def pattern_save(*, actor: Any, body: EnforcementBody, doc_type: str,
                 pattern: str) -> NumberPattern:
    """Save the body's pattern of numbers for ``doc_type`` (refused ``pattern_invalid``,
    the problems in ``detail["problems"]``)."""
    require_manage(actor, body)
    t = require_type(doc_type)
    pattern = (pattern or "").strip()
    problems = pattern_problems(pattern)
    if not numbered(doc_type):
        problems.insert(0, str(_("“%(title)s” carries no document number.")
                               % {"title": t.title}))
    if problems:
        raise InvalidInput(_("The number pattern cannot be used: %(problems)s")
                           % {"problems": "；".join(problems)}, code="pattern_invalid",
                           detail={"problems": problems})
    row = NumberPattern.objects.select_for_update().filter(body=body, doc_type=doc_type).first()
    old = row.pattern if row is not None else ""
    if row is None:
        row = NumberPattern(body=body, doc_type=doc_type)
    row.pattern = pattern
    row.save()
    entry = ledger_append(actor=actor, event=PATTERN_SAVED, stream=CONFIG_STREAM, body=body,
                          payload={"body": body.credit_code, "doc_type": doc_type,
                                   "pattern": pattern, "previous": old,
                                   "example": number_example(body, doc_type, pattern)})
    row.ledger_seq = entry.seq
    row.save(update_fields=["ledger_seq"])
    return row


def number_example(body: EnforcementBody, doc_type: str, pattern: str, *,
                   year: int | None = None, seq: int = 1) -> str:
    """What ``pattern`` gives for this body and type (this year's first number by default);
    for the settings page's live example. The pattern must be valid (``pattern_problems``)."""
    return _format(pattern, prefix=_number_prefix(body), word=counter_key(doc_type),
                   year=year or timezone.localdate().year, seq=seq)


def _highest_given(body: EnforcementBody, key: str, year: int) -> int:
    """The highest sequence already on a document of this counter (documents numbered before
    the counter row existed, e.g. imported)."""
    got = Document.objects.filter(case__body=body, number_key=key, number_year=year).aggregate(
        m=Max("number_seq"))["m"]
    return int(got or 0)


def _first_free(body: EnforcementBody, doc_type: str, year: int, last: int) -> tuple[int, str]:
    """The first number after ``last`` not on a document yet, and its sequence."""
    pattern = number_pattern(body, doc_type)
    prefix, word = _number_prefix(body), counter_key(doc_type)
    seq = last + 1
    number = _format(pattern, prefix=prefix, word=word, year=year, seq=seq)
    # a number is unique across bodies too (a pattern without the prefix): skip a taken one
    while Document.objects.filter(number=number).exists():
        seq += 1
        number = _format(pattern, prefix=prefix, word=word, year=year, seq=seq)
    return seq, number


def number_peek(body: EnforcementBody, doc_type: str, year: int) -> str:
    """The number ``number_take`` would give now, without taking it (no lock, no write):
    a guess for rendering before the issuing transaction."""
    key = counter_key(doc_type)
    counter = DocumentCounter.objects.filter(body=body, key=key, year=year).first()
    last = counter.last if counter is not None else _highest_given(body, key, year)
    return _first_free(body, doc_type, year, last)[1]


def number_take(body: EnforcementBody, doc_type: str, year: int) -> tuple[str, str, int]:
    """Take the next number of ``doc_type`` for ``body`` in ``year``: (counter key, number,
    sequence). Call inside the issuing transaction (the counter row stays locked until it
    ends)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_take must run inside the issuing transaction")
    key = counter_key(doc_type)
    counter, created = DocumentCounter.objects.select_for_update().get_or_create(
        body=body, key=key, year=year)
    last = _highest_given(body, key, year) if created else counter.last
    seq, number = _first_free(body, doc_type, year, last)
    DocumentCounter.objects.filter(pk=counter.pk).update(last=seq)
    return key, number, seq
