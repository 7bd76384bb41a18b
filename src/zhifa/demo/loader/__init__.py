"""Builds the demo province through the services of ``orgs`` and ``catalog``.

Each step reads the data modules (``zhifa.demo.data``) and records what it created in a
``LoadContext`` for the next step. The caller (``demo.services.demo_load``) runs all steps in
one transaction. Randomness comes from generators seeded with ``data.SEED`` per concept, so
the result is the same on every run and changing one concept does not shift another.
"""

import random
from dataclasses import dataclass, field

from zhifa.catalog.models import Article, EnforcementItem
from zhifa.orgs.models import Department, EnforcementBody, Person, Region, Sector

from ..data import SEED
from ..data.bodies import BodySpec


def rng_for(concept: str) -> random.Random:
    return random.Random(f"{SEED}:{concept}")


@dataclass
class BodyDepartments:
    legal: Department
    leadership: Department
    office: Department
    handling: list[Department]


@dataclass
class LoadContext:
    regions: dict[str, Region] = field(default_factory=dict)
    sectors: dict[str, Sector] = field(default_factory=dict)
    specs: dict[str, BodySpec] = field(default_factory=dict)
    bodies: dict[str, EnforcementBody] = field(default_factory=dict)
    departments: dict[str, BodyDepartments] = field(default_factory=dict)
    # body key -> [(slot, person)]; slots: head, reviewer, officer, office, auxiliary,
    # supervisor (the office slot is the officer who administers the body's data); deputy
    # and publicity (the publicity clerks, added after the cases) come last.
    people: dict[str, list[tuple[str, Person]]] = field(default_factory=dict)
    # (law code, article number) -> the article of the version in force now.
    articles: dict[tuple[str, int], Article] = field(default_factory=dict)
    items: list[tuple[str, str, EnforcementItem]] = field(default_factory=list)


def load_all(ctx: LoadContext) -> None:
    from . import accounts, cases, catalog, evidence, laws, orgs, people, publicity

    orgs.load(ctx)
    people.load(ctx)
    laws.load(ctx)
    catalog.load(ctx)
    accounts.load(ctx)
    publicity.rules(ctx)
    cases.load(ctx)
    evidence.load(ctx)
    publicity.load(ctx)


def person_in_slot(ctx: LoadContext, body_key: str, slot: str) -> Person:
    """The first person of a body in a slot (the one a demo login is linked to)."""
    return next(person for s, person in ctx.people[body_key] if s == slot)
