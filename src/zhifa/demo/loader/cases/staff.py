"""Who works on the demo cases: for each body with cases, its head, its legal reviewer and
its officers, each with an account (every step is recorded under the account of the person
who takes it), and the first day from which each officer's certificate has been valid.

The demo logins keep their accounts. The other people who act get an account that cannot
sign in (no usable password: an administrator can set one); they exist so that the ledger
names who took each step, as it would in a real agency.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from zhifa.orgs.models import (
    AccountRole,
    CertificateStatus,
    EnforcementBody,
    Person,
    RoleKind,
    User,
)
from zhifa.orgs.selectors import certificate_validity
from zhifa.orgs.services import account_create

from ...data.accounts import ACCOUNTS_BODY
from .. import LoadContext

_ROLE_OF_SLOT = {"head": AccountRole.HEAD, "reviewer": AccountRole.REVIEWER,
                 "officer": AccountRole.OFFICER}


@dataclass
class Officer:
    person: Person
    account: User | None
    since: dt.date  # certificate valid from this day through today


@dataclass
class BodyStaff:
    key: str
    body: EnforcementBody
    head: User
    reviewer: User
    officers: list[Officer]
    auxiliaries: list[Person]
    login_officer: Officer | None = None  # the demo login "officer", in its body
    _turn: int = field(default=0, repr=False)

    def account(self, person: Person) -> User | None:
        return next((o.account for o in self.officers if o.person.pk == person.pk), None)

    def pick(self, count: int, *, since: dt.date, lead: Officer | None = None,
             avoid: Officer | None = None) -> list[Officer]:
        """``count`` officers whose certificates cover ``since`` to today, the lead first;
        taken in turn so that the work is spread over the body's officers."""
        chosen = [lead] if lead is not None else []
        pool = [o for o in self.officers if o.since <= since and o.account is not None
                and o is not avoid and o not in chosen]
        if len(pool) < count - len(chosen):
            raise ValueError(f"{self.key}: not enough certified officers since {since}")
        while len(chosen) < count:
            candidate = pool[self._turn % len(pool)]
            self._turn += 1
            if candidate not in chosen:
                chosen.append(candidate)
        return chosen


def valid_since(person: Person, body: EnforcementBody, today: dt.date) -> dt.date | None:
    """The first day of the current unbroken validity of one of the person's certificates
    for the body's area and category, or None when no certificate is valid today."""
    best: dt.date | None = None
    for cert in person.certificates.all():
        if cert.status != CertificateStatus.VALID or not certificate_validity(
                cert, day=today, region=body.region, sector=body.sector).valid:
            continue
        changes = list(cert.status_changes.all())
        start = max([cert.issue_date, *[c.effective_date for c in changes]])
        if best is None or start < best:
            best = start
    return best


def _load_people(ctx: LoadContext, key: str) -> dict[int, Person]:
    ids = [p.pk for _slot, p in ctx.people[key]]
    return {p.pk: p for p in Person.objects.filter(pk__in=ids).prefetch_related(
        "roles", "certificates__areas", "certificates__categories",
        "certificates__status_changes")}


def build_staff(ctx: LoadContext, keys: list[str], today: dt.date) -> dict[str, BodyStaff]:
    unusable = make_password(None)
    existing = {u.person_id: u for u in User.objects.filter(person__body__in=[
        ctx.bodies[k] for k in keys])}
    login_person = User.objects.filter(username="officer").values_list(
        "person_id", flat=True).first()
    out: dict[str, BodyStaff] = {}
    for key in keys:
        body = ctx.bodies[key]
        people = _load_people(ctx, key)
        counters: dict[str, int] = {}
        accounts: dict[int, User] = {}
        for slot, person in ctx.people[key]:
            if slot not in _ROLE_OF_SLOT:
                continue
            counters[slot] = counters.get(slot, 0) + 1
            account = existing.get(person.pk)
            if account is None and (slot != "reviewer" or counters[slot] == 1):
                suffix = "" if slot != "officer" else str(counters[slot])
                account = account_create(
                    actor=None, username=f"{key}-{slot}{suffix}", roles=[_ROLE_OF_SLOT[slot]],
                    person=person, password_hash=unusable)
            if account is not None:
                accounts[person.pk] = account
        heads = [p for s, p in ctx.people[key] if s == "head"]
        reviewers = [p for s, p in ctx.people[key] if s == "reviewer"]
        officers = []
        for slot, person in ctx.people[key]:
            if slot != "officer":
                continue
            since = valid_since(people[person.pk], body, today)
            if since is not None:
                officers.append(Officer(person, accounts.get(person.pk), since))
        staff = BodyStaff(
            key=key, body=body, head=accounts[heads[0].pk], reviewer=accounts[reviewers[0].pk],
            officers=officers,
            auxiliaries=[p for s, p in ctx.people[key] if s == "auxiliary"
                         and {r.kind for r in people[p.pk].roles.all()} == {RoleKind.AUXILIARY}],
        )
        if key == ACCOUNTS_BODY:
            staff.login_officer = next(o for o in officers if o.person.pk == login_person)
        out[key] = staff
    return out
