"""Random inspection draws (双随机、一公开): random inspection objects and random officers.

The draw is reproducible: the candidates (in the order given), the officer pool and a seed
fully determine the result, and all three are written to the ledger, so anyone can re-run
the draw and check that nobody picked the targets by hand.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhifa.catalog.models import RandomInspectionItem
from zhifa.core.errors import InvalidInput
from zhifa.ledger.services import ledger_append
from zhifa.orgs.models import Certificate, Person, PersonStatus, Region, RoleKind, Sector
from zhifa.orgs.selectors import certificate_validity

from ..events import DRAW_MADE
from ..models import Case, SourceKind
from ._access import require_handling
from .create import PartyIn, _clean_parties, _party_payload, case_create


@dataclass(frozen=True)
class DrawResult:
    seed: str
    cases: list[Case]


def _certified_pool(body: Any, region: Region, sector: Sector, day: dt.date) -> list[Person]:
    # inspectors are enforcement officers: not auxiliaries (APL art. 42), and not the heads
    # and legal reviewers who may later approve or review a case opened from the inspection
    people = (Person.objects.filter(body=body, status=PersonStatus.ACTIVE,
                                    roles__kind=RoleKind.OFFICER).prefetch_related(
                  "certificates__areas", "certificates__categories",
                  "certificates__status_changes").order_by("id").distinct())
    pool = []
    for p in people:
        certs: list[Certificate] = list(p.certificates.all())
        if any(certificate_validity(c, day=day, region=region, sector=sector).valid
               for c in certs):
            pool.append(p)
    return pool


def draw_targets(seed: str, candidates: int, count: int) -> list[int]:
    """Indexes of the drawn candidates: the first ``count`` of a seeded shuffle."""
    order = list(range(candidates))
    random.Random(seed).shuffle(order)
    return sorted(order[:count])


@transaction.atomic
def inspection_draw(
    *,
    actor: Any,
    random_item: RandomInspectionItem,
    candidates: Sequence[PartyIn],
    count: int,
    region: Region,
    sector: Sector,
    seed: str = "",
    on: dt.date | None = None,
    is_demo: bool = False,
) -> DrawResult:
    body = random_item.body
    require_handling(actor, body)
    on = on or timezone.localdate()
    if count < 1 or count > len(candidates):
        raise InvalidInput(_("Draw between 1 and the number of candidates."),
                           code="draw_count")
    _clean_parties(candidates, on)  # refuse bad identifiers before drawing
    pool = _certified_pool(body, region, sector, on)
    if len(pool) < 2:
        raise InvalidInput(_("At least two officers with valid certificates are needed for a "
                             "random inspection (行政处罚法第四十二条)."), code="draw_officers")
    seed = seed or secrets.token_hex(16)
    picked = draw_targets(seed, len(candidates), count)
    rng = random.Random(f"{seed}:officers")
    cases = []
    for index in picked:
        target = candidates[index]
        officers = rng.sample(pool, 2)
        case = case_create(
            actor=actor, procedure="inspection",
            title=_("%(item)s (random inspection): %(target)s") % {
                "item": random_item.name, "target": target.name},
            sector=sector, region=region, parties=[target], officers=officers,
            received_on=on, source_kind=SourceKind.RANDOM_DRAW, body=body, is_demo=is_demo,
            random_item=random_item, draw_seed=seed)
        cases.append(case)
    ledger_append(actor=actor, event=DRAW_MADE, stream="cases.draws", body=body, payload={
        "item": random_item.code, "item_name": random_item.name, "seed": seed, "on": on,
        "candidates": [_party_payload_in(c) for c in candidates], "count": count,
        "picked": picked, "officer_pool": [p.name for p in pool],
        "cases": [c.number for c in cases],
    })
    return DrawResult(seed=seed, cases=cases)


def _party_payload_in(p: PartyIn) -> dict[str, Any]:
    from ..models import Party

    return _party_payload(Party(party_type=p.party_type, name=p.name, id_number=p.id_number,
                                credit_code=p.credit_code))
