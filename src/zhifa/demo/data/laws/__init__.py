"""Real laws and regulations cited by the demo power lists and benchmarks.

Titles, levels, the dates of the versions and the organ that adopted each version are real.
An article's text is quoted only where the wording is certain word for word; otherwise it is a
faithful summary starting with ``SUMMARY_PREFIX`` (【摘要】). Only the articles the demo cites
are stored. A document number is given only where it is certain; otherwise it is left blank.
"""

import datetime as dt
from typing import NamedTuple

LAW = "law"
REGULATION = "administrative_regulation"

# Adopting organs. A law passed by the National People's Congress is usually amended by its
# Standing Committee (宪法 art. 67(3)), so the issuer belongs to each version, not to the law.
NPC = "全国人民代表大会"
NPCSC = "全国人民代表大会常务委员会"
STATE_COUNCIL = "国务院"


class VersionSpec(NamedTuple):
    label: str
    issuer: str
    promulgated: dt.date
    effective: dt.date
    document_number: str
    articles: dict[int, str]


class LawSpec(NamedTuple):
    code: str
    title: str
    level: str
    versions: list[VersionSpec]


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 21 -> 二十一, 101 -> 一百零一, 110 -> 一百一十 (article numbers)."""
    if not 0 < n < 1000:
        raise ValueError(n)
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = ""
    if hundreds:
        out += _DIGITS[hundreds] + "百"
        if tens == 0 and ones:
            return out + "零" + _DIGITS[ones]
    if tens:
        out += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    if ones:
        out += _DIGITS[ones]
    return out


def article_label(n: int) -> str:
    return f"第{chinese_number(n)}条"


def all_laws() -> list[LawSpec]:
    from . import environment, general, market, other, planning

    return [
        *general.LAWS, *market.LAWS, *environment.LAWS, *planning.LAWS, *other.LAWS,
    ]
