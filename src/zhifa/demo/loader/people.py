"""People with valid fictional ID numbers, role kinds, real posts, legal qualifications, and
enforcement certificates: most valid, some expired (with renewals for some), some suspended,
one suspended and restored, one revoked.

Certificate dates are counted back from today (``timezone.localdate()``), so every status
change lies in the past, a valid certificate stays valid for at least a year after loading
(except a few that run out 30 to 80 days after it, so the expiry warning shows something),
and ``certificate_status_change`` accepts each change (no future dates, expiry recorded on the
day after the expiry date). Everything else (names, ID numbers, certificate numbers, who holds
which status) comes from seeded generators and is the same on every load.
"""

import datetime as dt
import random
from collections import Counter

from django.utils import timezone

from zhifa.core.validators import id_number_check_char
from zhifa.orgs.models import (
    Certificate,
    CertificateStatus,
    Department,
    EnforcementBody,
    Person,
    RoleKind,
)
from zhifa.orgs.services import certificate_issue, certificate_status_change, person_create

from ..data.accounts import LOGINS
from ..data.bodies import DEPUTIES, BodySpec, Staff
from ..data.names import FEMALE_CHARS, MALE_CHARS, SURNAMES
from ..data.posts import AUXILIARY_POST, HEAD_POSTS, RANKS, chief_of, deputy_of
from ..data.regions import COUNTIES_UNDER
from . import LoadContext, person_in_slot, rng_for

ISSUER = "湖南省人民政府"
# Demo validity of a certificate; the real period is set by each province.
VALIDITY_YEARS = 5
EXPIRED_COUNT = 8
RENEWED_COUNT = 4  # of the expired holders, these also hold a newer valid certificate
SUSPENDED_COUNT = 4
# Current certificates were issued between 90 days and 4 years before the load, so each is
# valid for at least another year; expired ones ran out 150 to 900 days before it.
CURRENT_ISSUED_DAYS_AGO = (90, 4 * 365)
EXPIRED_DAYS_AGO = (150, 900)
RESTORED_AFTER_DAYS = 45
# A few plain valid certificates run out this many days after the load (inside the default
# 90-day expiry warning).
EXPIRING_COUNT = 3
EXPIRING_IN_DAYS = (30, 81)

_BIRTH_YEARS = {
    "head": (1968, 1980), "reviewer": (1980, 1995), "officer": (1970, 1997),
    "office": (1975, 1992), "auxiliary": (1985, 2000), "supervisor": (1975, 1992),
}
_ROLE_KINDS = {
    "head": [RoleKind.HEAD], "reviewer": [RoleKind.REVIEWER], "officer": [RoleKind.OFFICER],
    "office": [RoleKind.OFFICER], "auxiliary": [RoleKind.AUXILIARY],
    "supervisor": [RoleKind.SUPERVISOR],
}
# Auxiliaries may not enforce and supervisors hold supervision credentials, not certificates.
_HOLDS_CERTIFICATE = {"head", "reviewer", "officer", "office"}
_SUSPENSION_REASONS = [
    "年度执法考核不合格，暂扣执法证件并参加培训",
    "涉嫌违反执法纪律，接受调查期间暂扣执法证件",
    "未按规定参加年度公共法律知识培训考试",
    "执法过错责任追究期间暂扣执法证件",
]


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.surnames = [s for s, _w in SURNAMES]
        self.weights = [w for _s, w in SURNAMES]

    def make(self, male: bool) -> str:
        chars = MALE_CHARS if male else FEMALE_CHARS
        while True:
            surname = self.rng.choices(self.surnames, weights=self.weights)[0]
            length = 1 if self.rng.random() < 0.3 else 2
            name = surname + "".join(self.rng.choice(chars) for _ in range(length))
            if name not in self.used and len(set(name)) == len(name):
                self.used.add(name)
                return name


def _random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    day = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
    return day if day.day <= 28 else day.replace(day=28)


def _id_number(rng: random.Random, county: str, birth: dt.date, male: bool,
               used: set[str]) -> str:
    while True:
        # GB 11643: the sequence code is odd for men and even for women.
        seq = rng.randrange(5, 500) * 2 + (1 if male else 0)
        first17 = f"{county}{birth:%Y%m%d}{seq:03d}"
        number = first17 + id_number_check_char(first17)
        if number not in used:
            used.add(number)
            return number


def _slots(staff: Staff, office_admin: bool) -> list[str]:
    officers, auxiliaries, reviewers, heads, supervisors = staff
    slots = ["head"] * heads + ["reviewer"] * reviewers
    if office_admin:
        slots.append("office")
        officers -= 1
    slots += ["officer"] * officers + ["supervisor"] * supervisors + ["auxiliary"] * auxiliaries
    return slots


class _Posts:
    """Hands out the posts of one body in the order its people are created: the head takes
    the leadership's title; the first reviewer, the first supervisor and the first two
    officers lead their department (its chief, or a deputy when it has one already); everyone
    else holds a rank of the body's level."""

    def __init__(self, spec: BodySpec) -> None:
        self.spec = spec
        self.seen: Counter[str] = Counter()
        self.leaders: Counter[int] = Counter()  # department -> chief and deputies named
        self.ranks = RANKS[spec.level]
        self.rng = rng_for(f"posts:{spec.key}")

    def take(self, slot: str, department: Department) -> str:
        self.seen[slot] += 1
        position = self.seen[slot]
        if slot == "head":
            return HEAD_POSTS[self.spec.leadership]
        if slot == "auxiliary":
            return AUXILIARY_POST
        leads = (slot in ("reviewer", "supervisor") and position == 1) or (
            slot == "officer" and position <= 2)
        if leads and self.leaders[department.pk] < 2:
            self.leaders[department.pk] += 1
            if self.leaders[department.pk] == 2:
                return deputy_of(department.name)
            if slot == "reviewer":
                # Named in full (法制股股长): review records cite the legal office's chief.
                return department.name + chief_of(department.name)
            return chief_of(department.name)
        return self.rng.choice(self.ranks)


def _load_people(ctx: LoadContext) -> None:
    rng = rng_for("people")
    names = _Names(rng)
    used_ids: set[str] = set()
    admin_bodies = {login.body for login in LOGINS if login.slot == "office"}
    for key, spec in ctx.specs.items():
        body, depts = ctx.bodies[key], ctx.departments[key]
        counties = COUNTIES_UNDER[spec.region]
        posts = _Posts(spec)
        created: list[tuple[str, Person]] = []
        for index, slot in enumerate(_slots(spec.staff, key in admin_bodies)):
            male = rng.random() < 0.6
            low, high = _BIRTH_YEARS[slot]
            birth = _random_date(rng, dt.date(low, 1, 1), dt.date(high, 12, 28))
            county = rng.choice(counties)
            department = {
                "head": depts.leadership, "reviewer": depts.legal, "office": depts.office,
                # Justice bureaus list their enforcement-supervision office first.
                "supervisor": depts.handling[0],
            }.get(slot) or depts.handling[index % len(depts.handling)]
            qualification_number, qualification_date = "", None
            if slot == "reviewer":
                # Passed the national exam after a law degree, at 23 at the earliest.
                year = rng.randrange(max(2012, birth.year + 23), 2022)
                # Fictional certificate number: class A, year, region, sequence.
                qualification_number = f"A{year}{county}{rng.randrange(1, 99999):05d}"
                qualification_date = _random_date(rng, dt.date(year + 1, 2, 1),
                                                  dt.date(year + 1, 4, 28))
            person = person_create(
                actor=None, body=body, name=names.make(male),
                id_number=_id_number(rng, county, birth, male, used_ids),
                role_kinds=_ROLE_KINDS[slot], department=department,
                post=posts.take(slot, department),
                legal_qualification_number=qualification_number,
                legal_qualification_date=qualification_date,
            )
            created.append((slot, person))
        ctx.people[key] = created


class _Numbers:
    """Certificate numbers: an opaque string of the holder's city (or the province) and a
    sequence; independent of the dates, so the same on every load."""

    def __init__(self) -> None:
        self.seq = 0

    def next(self, region_code: str) -> str:
        self.seq += 1
        return f"{region_code[:4]}{self.seq:06d}"


def _years_later(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (or earlier); 29 February becomes 1 March."""
    if (day.month, day.day) == (2, 29):
        return dt.date(day.year + years, 3, 1)
    return day.replace(year=day.year + years)


def _expiry(issue: dt.date) -> dt.date:
    return _years_later(issue, VALIDITY_YEARS) - dt.timedelta(days=1)


def _days_ago(rng: random.Random, today: dt.date, span: tuple[int, int]) -> dt.date:
    return today - dt.timedelta(days=rng.randrange(*span))


def _between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def _issue(numbers: _Numbers, person: Person, body: EnforcementBody,
           on: dt.date) -> Certificate:
    return certificate_issue(
        actor=None, person=person, number=numbers.next(body.region.code), issuer=ISSUER,
        areas=[body.region], categories=[body.sector], issue_date=on, expiry_date=_expiry(on),
    )


def _load_certificates(ctx: LoadContext) -> None:
    rng = rng_for("certificates")
    today = timezone.localdate()
    numbers = _Numbers()
    # The people behind the demo logins keep a plain valid certificate.
    account_people = {
        person_in_slot(ctx, login.body, login.slot).pk
        for login in LOGINS if login.body and login.slot
    }
    holders = [
        (key, person) for key, people in ctx.people.items()
        for slot, person in people if slot in _HOLDS_CERTIFICATE
    ]
    candidates = [h for h in holders if h[1].pk not in account_people]
    picked = [p.pk for _k, p in rng.sample(candidates, EXPIRED_COUNT + SUSPENDED_COUNT + 2)]
    expired, renewed = set(picked[:EXPIRED_COUNT]), set(picked[:RENEWED_COUNT])
    suspended = set(picked[EXPIRED_COUNT:EXPIRED_COUNT + SUSPENDED_COUNT])
    restored, revoked = picked[-2], picked[-1]
    # Drawn from their own generator, so the choices and dates above stay as they were.
    expiring_rng = rng_for("expiring-certificates")
    plain = [h for h in candidates if h[1].pk not in set(picked)]
    expiring = {
        p.pk: today + dt.timedelta(days=expiring_rng.randrange(*EXPIRING_IN_DAYS))
        for _k, p in expiring_rng.sample(plain, EXPIRING_COUNT)
    }
    yesterday = today - dt.timedelta(days=1)

    for key, person in holders:
        body = ctx.bodies[key]
        if person.pk in expired:
            ran_out = _days_ago(rng, today, EXPIRED_DAYS_AGO)
            old = _issue(numbers, person, body, _years_later(ran_out, -VALIDITY_YEARS))
            # 有效期届满: the certificate is expired from the day after its expiry date.
            certificate_status_change(
                actor=None, certificate=old, to_status=CertificateStatus.EXPIRED,
                effective_date=old.expiry_date + dt.timedelta(days=1), reason="有效期届满",
            )
            if person.pk in renewed:
                _issue(numbers, person, body,
                       old.expiry_date + dt.timedelta(days=rng.randrange(10, 60)))
            continue
        issued = _days_ago(rng, today, CURRENT_ISSUED_DAYS_AGO)
        if person.pk in expiring:
            # Issued so that ``_expiry`` falls on the chosen day.
            issued = _years_later(expiring[person.pk] + dt.timedelta(days=1), -VALIDITY_YEARS)
        cert = _issue(numbers, person, body, issued)
        # A change lies between a month after issue and yesterday (the certificate is valid
        # for years yet, so never after its expiry date).
        first_possible = cert.issue_date + dt.timedelta(days=30)
        if person.pk in suspended:
            certificate_status_change(
                actor=None, certificate=cert, to_status=CertificateStatus.SUSPENDED,
                effective_date=_between(rng, first_possible, yesterday),
                reason=rng.choice(_SUSPENSION_REASONS),
            )
        elif person.pk == restored:
            suspended_on = _between(
                rng, first_possible, yesterday - dt.timedelta(days=RESTORED_AFTER_DAYS))
            certificate_status_change(
                actor=None, certificate=cert, to_status=CertificateStatus.SUSPENDED,
                effective_date=suspended_on, reason=_SUSPENSION_REASONS[2],
            )
            certificate_status_change(
                actor=None, certificate=cert, to_status=CertificateStatus.VALID,
                effective_date=suspended_on + dt.timedelta(days=RESTORED_AFTER_DAYS),
                reason="补考合格，恢复执法证件效力",
            )
        elif person.pk == revoked:
            certificate_status_change(
                actor=None, certificate=cert, to_status=CertificateStatus.REVOKED,
                effective_date=_between(rng, first_possible, yesterday),
                reason="调离行政执法岗位，注销执法证件",
            )


def _load_deputies(ctx: LoadContext) -> None:
    """The deputy heads (``DEPUTIES``), with generators and certificate numbers of their own,
    so that everyone else stays as they were. Slot ``deputy``: they have no account."""
    rng = rng_for("deputies")
    today = timezone.localdate()
    names = _Names(rng)
    names.used |= set(Person.objects.values_list("name", flat=True))
    used_ids = set(Person.objects.values_list("id_number", flat=True))
    seq = 900000
    for key, count in DEPUTIES.items():
        spec, body, depts = ctx.specs[key], ctx.bodies[key], ctx.departments[key]
        for _n in range(count):
            male = rng.random() < 0.6
            birth = _random_date(rng, dt.date(1970, 1, 1), dt.date(1982, 12, 28))
            person = person_create(
                actor=None, body=body, name=names.make(male),
                id_number=_id_number(rng, rng.choice(COUNTIES_UNDER[spec.region]), birth, male,
                                     used_ids),
                role_kinds=[RoleKind.HEAD], department=depts.leadership,
                post="副" + HEAD_POSTS[spec.leadership])
            seq += 1
            issued = _days_ago(rng, today, CURRENT_ISSUED_DAYS_AGO)
            certificate_issue(
                actor=None, person=person, number=f"{body.region.code[:4]}{seq:06d}",
                issuer=ISSUER, areas=[body.region], categories=[body.sector],
                issue_date=issued, expiry_date=_expiry(issued))
            ctx.people[key].append(("deputy", person))


def load(ctx: LoadContext) -> None:
    _load_people(ctx)
    _load_certificates(ctx)
    _load_deputies(ctx)
