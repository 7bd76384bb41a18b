"""Publicity of the demo decisions (行政执法公示), taken through the disclosure services only:

- ``rules`` (before the cases): the sectors' own publicity rules (``policy_create`` by the
  system administrator), so that each decision is masked, timed and, for a warning in the
  market-regulation sector, withheld by the rules in force when it is issued;
- ``load`` (after the cases): a publicity clerk with a demo login in each body whose
  decisions are issued (``data.publicity``); the licensing decisions of the accounts' body's
  granted licences (the walk issues none); then the clerks' work on the publications that
  issuing the decisions drafted (``disclosure.hooks``): most published on time, one to three
  working days after the decision; in each body the draft due next left for the clerk, and
  in the accounts' body one draft past its deadline too; one published penalty withdrawn
  (its decision revoked on reconsideration) and one ended early (credit restoration). The
  daily alerts run last, as the task would have run today: the overdue and due-soon drafts
  are recorded, and a record whose period is over (a light penalty of the summer) expires.
  A penalty on a minor, and a warning alone in the market sector, were withheld when issued.

Each of the clerk's acts is recorded on its day (``acted_on``), like the legal reviews
(``cases.reviews.recorded_on``): a publication approved in the past is published on that
day, with the publicity period counted from it, and is on time when that day is. Only the
disclosure services' clock moves; their ledger entries are timed by the real clock.

The portal's integrity proofs need a signed checkpoint over these entries: ``make demo``
signs one after the load (``zhifa ledger checkpoint``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.utils import timezone

from zhifa.cases.models import Case, CaseStatus, CaseStep, Party
from zhifa.catalog.models import PartyType
from zhifa.disclosure.models import Category, Publication, State
from zhifa.disclosure.periods import add_months
from zhifa.disclosure.services import (
    policy_create,
    publication_approve,
    publication_end_early,
    publication_withdraw,
    publications_alert,
)
from zhifa.documents.services import document_draft, document_issue
from zhifa.orgs.models import Person, RoleKind, User
from zhifa.orgs.services import account_create, certificate_issue, person_create
from zhifa.workdays.calendar import period_end

from ..data.accounts import ACCOUNTS_BODY
from ..data.posts import RANKS
from ..data.publicity import (
    CLERK_CERTIFICATE_SEQ,
    CLERK_LOGINS,
    CLERK_SLOT,
    END_AFTER_MONTHS,
    END_REASON,
    LICENCE_DECISION,
    PUBLISH_AFTER_WORKING_DAYS,
    SECTOR_RULES,
    WITHDRAWAL_EVENT_AFTER_WORKING_DAYS,
    WITHDRAWAL_KIND,
    WITHDRAWAL_REASON,
    WITHDRAWN_DECIDED_WORKING_DAYS_AGO,
)
from ..data.regions import COUNTIES_UNDER
from . import LoadContext, rng_for
from .cases.reviews import _Clock
from .cases.steps import DAY, Clock
from .people import (
    CURRENT_ISSUED_DAYS_AGO,
    ISSUER,
    _days_ago,
    _expiry,
    _id_number,
    _Names,
    _random_date,
)

Act = Callable[[], object]


def rules(ctx: LoadContext) -> None:
    """The sectors' own publicity rules, set by the system administrator."""
    admin = User.objects.get(username="sysadmin")
    for spec in SECTOR_RULES:
        policy_create(actor=admin, sector=ctx.sectors[spec.sector], **spec.values)


@contextmanager
def acted_on(day: dt.date) -> Iterator[None]:
    """Inside, the disclosure services read the clock as ``day`` (see the module's
    description). Only the demo loader does this; the load runs in a process of its own."""
    from zhifa.disclosure.services import lifecycle, publish

    modules = (publish, lifecycle)
    clock = _Clock(day - timezone.localdate())
    for module in modules:
        module.timezone = clock  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module in modules:
            module.timezone = timezone  # type: ignore[attr-defined]


def load(ctx: LoadContext) -> None:
    today = timezone.localdate()
    clock = Clock(today)
    clerks = _clerks(ctx, today)
    _licences(ctx)
    acts = _plan(clerks, ctx.bodies[ACCOUNTS_BODY].pk, clock, today)
    for day, _order, act in sorted(acts, key=lambda a: (a[0], a[1])):
        with acted_on(day):
            act()
    publications_alert(today=today)  # as the daily task would have: alerts and expiry


# --- the clerks -----------------------------------------------------------------------------

def _clerks(ctx: LoadContext, today: dt.date) -> dict[int, User]:
    """A clerk in each body's office: an officer with a certificate (like everyone who handles
    the body's enforcement records) and a demo login; created after the cases, so that the
    random-inspection draws never picked them. Body id -> the clerk's account."""
    rng = rng_for("publicity-clerks")
    names = _Names(rng)
    names.used |= set(Person.objects.values_list("name", flat=True))
    names.used |= set(Party.objects.values_list("name", flat=True))
    used_ids = set(Person.objects.values_list("id_number", flat=True))
    # the demo logins share one password (see ``loader.accounts``): its hash is reused
    encoded = User.objects.get(username="head").password
    out: dict[int, User] = {}
    for n, login in enumerate(CLERK_LOGINS, start=1):
        assert login.body is not None
        key = login.body
        spec, body = ctx.specs[key], ctx.bodies[key]
        male = rng.random() < 0.4
        birth = _random_date(rng, dt.date(1986, 1, 1), dt.date(1996, 12, 28))
        person = person_create(
            actor=None, body=body, name=names.make(male),
            id_number=_id_number(rng, rng.choice(COUNTIES_UNDER[spec.region]), birth, male,
                                 used_ids),
            role_kinds=[RoleKind.OFFICER], department=ctx.departments[key].office,
            post=rng.choice(RANKS[spec.level]))
        issued = _days_ago(rng, today, CURRENT_ISSUED_DAYS_AGO)
        certificate_issue(
            actor=None, person=person,
            number=f"{body.region.code[:4]}{CLERK_CERTIFICATE_SEQ + n:06d}", issuer=ISSUER,
            areas=[body.region], categories=[body.sector], issue_date=issued,
            expiry_date=_expiry(issued))
        ctx.people[key].append((CLERK_SLOT, person))
        out[body.pk] = account_create(actor=None, username=login.username,
                                      password_hash=encoded, roles=[login.role],
                                      person=person)
    return out


# --- the licensing decisions ------------------------------------------------------------------

def _licences(ctx: LoadContext) -> None:
    """The licensing decision of each granted licence of the accounts' body that is not
    archived yet, issued by the officer who granted it on the day of the grant."""
    cases = (Case.objects.filter(body=ctx.bodies[ACCOUNTS_BODY], procedure="licensing",
                                 outcome="granted")
             .exclude(status=CaseStatus.ARCHIVED).select_related("item")
             .order_by("decided_on", "id"))
    for case in cases:
        step = (CaseStep.objects.filter(case=case, action="grant").select_related("actor")
                .order_by("-id").first())
        if step is None or step.actor is None or case.item is None:
            continue
        text = LICENCE_DECISION.format(basis=case.item.basis_text, item=case.item.name)
        doc = document_draft(actor=step.actor, case=case, doc_type="licensing_decision",
                             fields={"决定内容": text})
        document_issue(actor=step.actor, document=doc, issued_on=step.acted_on)


# --- the clerks' work -------------------------------------------------------------------------

def _after(day: dt.date, n: int) -> dt.date:
    """``n`` working days after ``day``."""
    return period_end(start=day, n=n, unit="working_day").due


def _back(clock: Clock, day: dt.date, n: int) -> dt.date:
    """The working day ``n`` working days before ``day``."""
    while n > 0:
        day -= DAY
        if clock.is_working(day):
            n -= 1
    return day


def _is_organisation(pub: Publication) -> bool:
    party = pub.case.parties.order_by("id").first()
    return party is not None and party.party_type == PartyType.ORGANISATION


def _plan(clerks: dict[int, User], accounts_body: int, clock: Clock,
          today: dt.date) -> list[tuple[dt.date, int, Act]]:
    """The clerks' acts, each with its day (see the module's description)."""
    rng = rng_for("publicity")
    drafts = list(Publication.objects.filter(is_demo=True, state=State.DRAFT)
                  .select_related("case", "body").order_by("decision_date", "id"))
    waiting: set[int] = set()
    for body_id in clerks:
        ahead = [p for p in drafts if p.body_id == body_id and p.due_on >= today
                 and p.category == Category.PENALTY]
        if ahead:  # due next: the clerk's work this week
            waiting.add(min(ahead, key=lambda p: (p.due_on, p.pk)).pk)
    late = [p for p in drafts if p.body_id == accounts_body and p.due_on < today
            and p.category == Category.PENALTY and _is_organisation(p)]
    if late:  # past its deadline, not published yet
        waiting.add(max(late, key=lambda p: (p.decision_date, p.pk)).pk)

    acts: list[tuple[dt.date, int, Act]] = []
    published: dict[int, tuple[Publication, dt.date]] = {}
    for pub in drafts:
        if pub.pk in waiting:
            continue
        low, high = PUBLISH_AFTER_WORKING_DAYS
        day = min(_after(pub.decision_date, rng.randint(low, high)), pub.due_on, today)
        clerk = clerks[pub.body_id]
        acts.append((day, len(acts), _approve(clerk, pub)))
        published[pub.pk] = (pub, day)

    penalties = sorted((v for v in published.values()
                        if v[0].body_id == accounts_body and v[0].category == Category.PENALTY),
                       key=lambda v: (v[0].decision_date, v[0].pk))
    # ended early: the oldest penalty, half a year after its publication
    if penalties:
        ended, ended_published = penalties[0]
        end_day = clock.workday(add_months(ended_published, END_AFTER_MONTHS))
        if end_day < today:
            acts.append((end_day, len(acts), _end(clerks[accounts_body], ended)))
    # withdrawn: the latest penalty decided some weeks ago, its decision revoked
    limit = _back(clock, today, WITHDRAWN_DECIDED_WORKING_DAYS_AGO)
    old = [v for v in penalties[1:] if v[0].decision_date <= limit]
    if old:
        withdrawn, withdrawn_published = old[-1]
        event_on = min(_after(withdrawn_published, WITHDRAWAL_EVENT_AFTER_WORKING_DAYS),
                       _back(clock, today, 1))
        day = min(_after(event_on, 1), today)
        acts.append((day, len(acts), _withdraw(clerks[accounts_body], withdrawn, event_on)))
    return acts


def _approve(clerk: User, pub: Publication) -> Act:
    return lambda: publication_approve(actor=clerk, publication=pub)


def _end(clerk: User, pub: Publication) -> Act:
    return lambda: publication_end_early(actor=clerk, publication=pub, reason=END_REASON)


def _withdraw(clerk: User, pub: Publication, event_on: dt.date) -> Act:
    return lambda: publication_withdraw(actor=clerk, publication=pub, kind=WITHDRAWAL_KIND,
                                        reason=WITHDRAWAL_REASON, event_on=event_on)
