"""Demo cases: over two hundred cases of every built-in procedure, in every stage, taken
through the case services one step at a time, so that each has its steps, deadlines,
approvals and ledger chain exactly as if officers had handled it.

Dates are counted back from the day of loading (``steps.Clock``): some time limits end this
week, some have passed, nothing lies in the future. Everything else — which cases, parties,
amounts, officers and numbers — comes from generators seeded with ``data.SEED``, so two loads
on the same day give the same cases. Cases are opened in the order they were received, and
the steps of all the cases are taken in the order of their dates, so each body's case
numbers, document numbers and archive numbers follow the calendar.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone

from zhifa.cases.models import Case
from zhifa.cases.services import PartyIn, approval_ladder_save, case_officers_set
from zhifa.cases.services.draw import inspection_draw
from zhifa.catalog.models import RandomInspectionItem
from zhifa.orgs.models import Person, User
from zhifa.reviews.services.alerts import reviews_mark_overdue

from ...data import SEED
from ...data.accounts import ACCOUNTS_BODY
from ...data.cases.other import INSPECTIONS
from .. import LoadContext, rng_for
from ..documents import CaseDocuments
from .content import ContentMaker
from .parties import PartyMaker
from .plan import DRAWS, PLAN, Draw
from .recipes import RECIPES
from .reviews import CaseReviews, needs_review, with_review
from .staff import BodyStaff, Officer, build_staff, valid_since
from .steps import DAY, Clock
from .walk import Planned, Walker


def _officers(staff: BodyStaff, who: str, since: dt.date) -> tuple[list[Officer], list[Person]]:
    login = staff.login_officer
    if who == "L" and login is not None:
        return staff.pick(2, since=since, lead=login), []
    if who == "A" and login is not None:
        return [*staff.pick(1, since=since, avoid=login), login], []
    officers = staff.pick(2, since=since, avoid=login)
    return officers, (staff.auxiliaries[:1] if who == "X" else [])


def _content(content: ContentMaker, staff: BodyStaff, name: str) -> Planned:
    recipe = RECIPES[name]
    make = {
        "general": lambda: content.penalty(staff, recipe, _source(name)),
        "summary": lambda: content.penalty(staff, recipe, "inspection"),
        "coercive": lambda: content.measure(staff, recipe),
        "inspection": lambda: content.inspection(staff, recipe),
        "licensing": lambda: content.licence(staff, recipe),
        "generic": lambda: content.generic(staff, recipe),
    }[recipe.procedure]
    facts = make()
    return Planned(staff=staff, recipe=recipe, facts=facts, officers=[], received=dt.date.min,
                   dates=[])


def _source(name: str) -> str:
    return ("complaint", "inspection", "referral")[sum(map(ord, name)) % 3]


@dataclass(frozen=True)
class _DrawPlan:
    staff: BodyStaff
    draw: Draw
    on: dt.date
    index: int


def load(ctx: LoadContext) -> None:
    today = timezone.localdate()
    clock = Clock(today)
    keys = list(PLAN)
    staff = build_staff(ctx, keys, today)
    taken = set(Person.objects.values_list("name", flat=True))
    parties = PartyMaker(rng_for("case-parties"), taken)
    items = {(key, template): item for key, template, item in ctx.items}
    content = ContentMaker(rng_for("case-content"), parties, items, clock)
    documents = CaseDocuments(ctx, clock)
    documents.setup([staff[key].body for key in keys
                     if any(RECIPES[name].procedure == "summary" for name, _who in PLAN[key])])
    walker = Walker(content, documents, CaseReviews(documents))
    _ladders(ctx)

    spread = rng_for("case-dates")
    planned: list[Planned] = []
    for key, rows in PLAN.items():
        for name, who in rows:
            plan = _content(content, staff[key], name)
            if needs_review(staff[key], plan.facts, plan.recipe, today):
                plan.recipe = with_review(plan.recipe)
            extra = spread.randrange(plan.recipe.spread + 1) if plan.recipe.spread else 0
            plan.received, plan.dates = clock.place(plan.recipe, extra)
            plan.facts.received = plan.received
            plan.officers, plan.extra = _officers(staff[key], who, plan.received)
            plan.order = len(planned)
            planned.append(plan)
    draws = [_DrawPlan(staff[key], d, clock.workday(today - d.back * DAY), i)
             for key, body_draws in DRAWS.items() for i, d in enumerate(body_draws)]
    events: list[tuple[dt.date, int, Planned | _DrawPlan]] = [
        (p.received, p.order, p) for p in planned]
    events += [(d.on, len(planned) + n, d) for n, d in enumerate(draws)]
    # the cases' steps, all in the order of their dates: (day, order, turn, the case's walk)
    pending: list[tuple[dt.date, int, int, int, Iterator[dt.date]]] = []
    turn = 0

    def follow(walk: Iterator[dt.date], order: int, sub: int) -> None:
        nonlocal turn
        day = next(walk, None)
        if day is not None:
            turn += 1
            heapq.heappush(pending, (day, order, sub, turn, walk))

    def due(day: dt.date | None) -> None:
        """Take every step dated before ``day`` (all of them with None); a step dated ``day``
        waits for the cases opened that day, as before."""
        while pending and (day is None or pending[0][0] < day):
            _day, order, sub, _turn, walk = heapq.heappop(pending)
            follow(walk, order, sub)

    for on, order, event in sorted(events, key=lambda e: (e[0], e[1])):
        due(on)
        if isinstance(event, _DrawPlan):
            for n, walk in enumerate(_run_draw(event, clock, content, parties, walker)):
                follow(walk, order, n + 1)
        else:
            follow(walker.steps(event, walker.open_case(event)), order, 0)
    due(None)
    documents.finish()
    reviews_mark_overdue(today=today)  # as the daily task would have: the overdue reviews


def _ladders(ctx: LoadContext) -> None:
    """承办人 → 审核 → 负责人 for decisions in the accounts' body, set by its administrator."""
    admin = User.objects.get(username="bodyadmin")
    approval_ladder_save(actor=admin, body=ctx.bodies[ACCOUNTS_BODY], procedure="general",
                         action="decide", steps=["officer", "head"])


def _run_draw(plan: _DrawPlan, clock: Clock, content: ContentMaker, parties: PartyMaker,
              walker: Walker) -> list[Iterator[dt.date]]:
    """The draw; the walks of the cases it opened (their steps still to be taken)."""
    staff, draw = plan.staff, plan.draw
    body = staff.body
    district = parties.district(body.region.code)
    texts = INSPECTIONS[body.sector.code]
    candidates: list[PartyIn] = [
        parties.organisation(district, body.sector.code, texts.companies) if i % 3 else
        parties.business(district, body.sector.code, texts.shops)
        for i in range(draw.candidates)]
    random_item = RandomInspectionItem.objects.filter(body=body).order_by("code").first()
    assert random_item is not None, f"{staff.key} has no random-inspection list"
    result = inspection_draw(
        actor=staff.head, random_item=random_item, candidates=candidates,
        count=len(draw.recipes), region=body.region, sector=body.sector,
        seed=f"{SEED}:draw:{staff.key}:{plan.index}", on=plan.on, is_demo=True)
    walks = []
    for case, name in zip(result.cases, draw.recipes, strict=True):
        recipe = RECIPES[name]
        _keep_certified(staff, case, plan.on, clock.today)
        party = case.parties.get()
        facts = content.inspection(staff, recipe, party=PartyIn(
            party_type=party.party_type, name=party.name, address=party.address),
            district=district)
        facts.received = plan.on
        dates = clock.schedule(recipe, plan.on)
        if (dates[-1] if dates else plan.on) > clock.today - recipe.idle * DAY:
            raise ValueError(f"draw {staff.key}#{plan.index}: {name} does not fit")
        walks.append(walker.steps(Planned(staff=staff, recipe=recipe, facts=facts,
                                          officers=[], received=plan.on, dates=dates), case))
    return walks


def _keep_certified(staff: BodyStaff, case: Case, on: dt.date, today: dt.date) -> None:
    """A drawn officer whose certificate was suspended since the draw is replaced, as the
    body would do, by a colleague certified throughout."""
    people = [o.person for o in case.officers.select_related("person").prefetch_related(
        "person__certificates__status_changes", "person__certificates__areas",
        "person__certificates__categories")]
    keep = [p for p in people if (since := valid_since(p, staff.body, today)) and since <= on]
    if len(keep) == len(people):
        return
    spare = [o.person for o in staff.officers if o.since <= on and o.person not in keep]
    officers = keep + spare[:len(people) - len(keep)]
    case_officers_set(actor=staff.head, case=case, officers=officers, handler=officers[0])
