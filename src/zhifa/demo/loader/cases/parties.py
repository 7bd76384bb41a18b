"""Fictional parties: companies and individual businesses with valid unified social credit
codes (GB 32100), natural persons with valid ID numbers (GB 11643), and addresses.

Names come from the syllables in ``data.cases.parties`` and ``data.names`` through a seeded
generator; a name is never used twice, nor taken from a member of the demo staff.
"""

from __future__ import annotations

import datetime as dt
import random

from zhifa.cases.services import PartyIn
from zhifa.catalog.models import PartyType
from zhifa.core.validators import credit_code_check_char, id_number_check_char

from ...data.cases.parties import (
    CITY_OF,
    COMPANY_TRADES,
    DISTRICTS,
    DISTRICTS_UNDER,
    ROAD_CHARS,
    ROAD_SUFFIXES,
    SHOP_KINDS,
    TRADE_CHARS,
)
from ...data.names import FEMALE_CHARS, MALE_CHARS, SURNAMES

# GB 11714 organisation code: weights of the first eight characters, and the characters used.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _org_value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def _organisation_code(rng: random.Random) -> str:
    """An organisation code as given to enterprises since 2015 ("MA" and seven characters),
    with its GB 11714 check character."""
    first8 = "MA" + "".join(rng.choice(_ORG_CHARS) for _ in range(6))
    remainder = 11 - sum(_org_value(c) * w for c, w in zip(first8, _ORG_WEIGHTS,
                                                           strict=True)) % 11
    return first8 + {10: "X", 11: "0"}.get(remainder, str(remainder))


DAY = dt.timedelta(days=1)


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` earlier; 29 February becomes the 28th."""
    if (day.month, day.day) == (2, 29):
        day -= DAY
    return day.replace(year=day.year - years)


class PartyMaker:
    def __init__(self, rng: random.Random, taken: set[str]) -> None:
        self.rng = rng
        self.used = set(taken)
        self.codes: set[str] = set()
        self.ids: set[str] = set()
        self.surnames = [s for s, _w in SURNAMES]
        self.weights = [w for _s, w in SURNAMES]

    # --- pieces -----------------------------------------------------------------------
    def district(self, region: str) -> str:
        """A county-level region code where the case happens, for a body's region."""
        if region in DISTRICTS:
            return region
        return self.rng.choice(DISTRICTS_UNDER[region])

    def address(self, district: str) -> str:
        city, county = DISTRICTS[district]
        road = "".join(self.rng.sample(ROAD_CHARS, 2)) + self.rng.choice(ROAD_SUFFIXES)
        return f"{city}{county}{road}{self.rng.randrange(1, 400)}号"

    def person_name(self) -> str:
        while True:
            male = self.rng.random() < 0.6
            surname = self.rng.choices(self.surnames, weights=self.weights)[0]
            chars = MALE_CHARS if male else FEMALE_CHARS
            given = "".join(self.rng.choice(chars) for _ in range(self.rng.choice((1, 2, 2))))
            name = surname + given
            if name not in self.used and len(set(name)) == len(name):
                self.used.add(name)
                return name

    def _trade(self) -> str:
        return "".join(self.rng.sample(TRADE_CHARS, 2))

    def _credit_code(self, kind: str, district: str) -> str:
        while True:
            first17 = kind + district + _organisation_code(self.rng)
            code = first17 + credit_code_check_char(first17)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _id_number(self, district: str, birth: dt.date) -> str:
        while True:
            first17 = f"{district}{birth:%Y%m%d}{self.rng.randrange(10, 999):03d}"
            number = first17 + id_number_check_char(first17)
            if number not in self.ids:
                self.ids.add(number)
                return number

    # --- parties ----------------------------------------------------------------------
    def organisation(self, district: str, sector: str, kinds: tuple[str, ...] = ()) -> PartyIn:
        city = CITY_OF.get(district[:4] + "00", "长沙市").removesuffix("市")
        kinds = kinds or COMPANY_TRADES[sector]
        while True:
            name = f"{city}{self._trade()}{self.rng.choice(kinds)}有限公司"
            if name not in self.used:
                self.used.add(name)
                break
        return PartyIn(party_type=PartyType.ORGANISATION, name=name,
                       credit_code=self._credit_code("91", district),
                       legal_representative=self.person_name(),
                       address=self.address(district))

    def business(self, district: str, sector: str, kinds: tuple[str, ...] = ()) -> PartyIn:
        city, county = DISTRICTS[district]
        kinds = kinds or SHOP_KINDS[sector]
        while True:
            name = f"{city}{county}{self._trade()}{self.rng.choice(kinds)}"
            if name not in self.used:
                self.used.add(name)
                break
        # 个体工商户: registration authority 9 (market regulation), kind 2.
        return PartyIn(party_type=PartyType.INDIVIDUAL_BUSINESS, name=name,
                       credit_code=self._credit_code("92", district),
                       legal_representative=self.person_name(),
                       address=self.address(district))

    def person(self, district: str, *, born_after: dt.date, born_before: dt.date) -> PartyIn:
        span = (born_before - born_after).days
        birth = born_after + dt.timedelta(days=self.rng.randrange(max(span, 1)))
        return PartyIn(party_type=PartyType.NATURAL_PERSON, name=self.person_name(),
                       id_number=self._id_number(district, birth),
                       address=self.address(district))

    def adult(self, district: str, on: dt.date) -> PartyIn:
        return self.person(district, born_after=years_before(on, 62),
                           born_before=years_before(on, 22))

    def minor(self, district: str, on: dt.date) -> PartyIn:
        """Sixteen on ``on``: a penalty must be lighter or mitigated (APL art. 30)."""
        return self.person(district, born_after=years_before(on, 17) + 2 * DAY,
                           born_before=years_before(on, 16) - 2 * DAY)

    def of_kind(self, kinds: str, district: str, sector: str, on: dt.date, *,
                companies: tuple[str, ...] = (), shops: tuple[str, ...] = ()) -> PartyIn:
        """One party of the kinds allowed (``o``, ``b``, ``p``), chosen by the generator."""
        kind = self.rng.choice(kinds)
        if kind == "o":
            return self.organisation(district, sector, companies)
        if kind == "b":
            return self.business(district, sector, shops)
        return self.adult(district, on)
