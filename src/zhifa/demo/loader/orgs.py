"""Regions, sectors, bodies (with valid credit codes) and their departments."""

import random

from zhifa.core.validators import credit_code_check_char
from zhifa.orgs.models import DepartmentKind, Region
from zhifa.orgs.services import body_create, department_create, region_upsert, sector_ensure

from ..data.bodies import BODIES, ORGAN
from ..data.regions import REGIONS, SECTORS
from . import BodyDepartments, LoadContext, rng_for

# GB 11714 organisation code: 8 characters and a check character (weights 3,7,9,10,5,8,4,2).
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_char_value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def organisation_code(rng: random.Random) -> str:
    """A fictional organisation code in the shape given to bodies set up since the 2018
    institutional reform ("MB" + digits), with its GB 11714 check character."""
    first8 = "MB" + "".join(rng.choice("0123456789") for _ in range(6))
    remainder = 11 - sum(_org_char_value(c) * w for c, w in zip(first8, _ORG_WEIGHTS,
                                                                strict=True)) % 11
    check = {10: "X", 11: "0"}.get(remainder, str(remainder))
    return first8 + check


def credit_code(rng: random.Random, *, region: str, organ: bool) -> str:
    """GB 32100: registration authority 1 (institutional establishment), type 1 (organ) or
    2 (public institution), the region code in positions 3-8, the organisation code."""
    first17 = ("11" if organ else "12") + region + organisation_code(rng)
    return first17 + credit_code_check_char(first17)


def _load_regions(ctx: LoadContext) -> None:
    existing = {r.code: r for r in Region.objects.filter(code__in=[s.code for s in REGIONS])}
    for spec in REGIONS:
        # Keep a region already in the database as it is; it is reference data.
        region = existing.get(spec.code)
        if region is None:
            parent = ctx.regions[spec.parent] if spec.parent else None
            region = region_upsert(code=spec.code, name=spec.name, parent=parent)
        ctx.regions[spec.code] = region


def _load_sectors(ctx: LoadContext) -> None:
    # An existing row with the same code is kept unchanged.
    for order, spec in enumerate(SECTORS, start=1):
        ctx.sectors[spec.code] = sector_ensure(code=spec.code, name=spec.name, sort_order=order)


def _load_bodies(ctx: LoadContext) -> None:
    rng = rng_for("bodies")
    for spec in BODIES:
        ctx.specs[spec.key] = spec
        body = body_create(
            actor=None, name=spec.name, short_name=spec.short_name,
            credit_code=credit_code(rng, region=spec.region, organ=spec.kind == ORGAN),
            kind=spec.kind, level=spec.level, region=ctx.regions[spec.region],
            sector=ctx.sectors[spec.sector],
            supervising_body=ctx.bodies[spec.supervisor] if spec.supervisor else None,
            is_supervisory=spec.is_supervisory, is_demo=True,
        )
        ctx.bodies[spec.key] = body
        leadership = department_create(actor=None, body=body, name=spec.leadership,
                                       kind=DepartmentKind.LEADERSHIP)
        office = department_create(actor=None, body=body, name="办公室",
                                   kind=DepartmentKind.OFFICE)
        legal = department_create(actor=None, body=body, name=spec.legal_office,
                                  kind=DepartmentKind.LEGAL_REVIEW)
        handling = [department_create(actor=None, body=body, name=name) for name in spec.handling]
        ctx.departments[spec.key] = BodyDepartments(legal=legal, leadership=leadership,
                                                    office=office, handling=handling)


def load(ctx: LoadContext) -> None:
    _load_regions(ctx)
    _load_sectors(ctx)
    _load_bodies(ctx)
