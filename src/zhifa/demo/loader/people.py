"""People with valid fictional ID numbers, role kinds, legal qualifications, and enforcement
certificates: most valid, some expired (with renewals for some), some suspended, one
suspended and restored, one revoked."""

import datetime as dt
import random

from zhifa.core.validators import id_number_check_char
from zhifa.orgs.models import (
    Certificate,
    CertificateStatus,
    EnforcementBody,
    Person,
    RoleKind,
)
from zhifa.orgs.services import certificate_issue, certificate_status_change, person_create

from ..data.accounts import LOGINS
from ..data.bodies import Staff
from ..data.names import FEMALE_CHARS, MALE_CHARS, SURNAMES
from ..data.regions import COUNTIES_UNDER
from . import LoadContext, person_in_slot, rng_for

ISSUER = "湖南省人民政府"
# Demo validity of a certificate; the real period is set by each province.
VALIDITY_YEARS = 5
EXPIRED_COUNT = 8
RENEWED_COUNT = 4  # of the expired holders, these also hold a newer valid certificate
SUSPENDED_COUNT = 4
# Current certificates were issued in this window, so with five years of validity they stay
# valid until mid-2027 at least; the expired ones were issued in 2018-2019.
FIRST_ISSUE, LAST_ISSUE = dt.date(2022, 7, 1), dt.date(2025, 10, 31)
LATEST_CHANGE = dt.date(2026, 9, 30)

_BIRTH_YEARS = {
    "head": (1968, 1980), "reviewer": (1980, 1995), "officer": (1970, 1997),
    "office": (1975, 1992), "auxiliary": (1985, 2000), "supervisor": (1975, 1992),
}
_POSTS = {
    "head": "主要负责人", "reviewer": "法制审核员", "officer": "执法人员", "office": "综合管理员",
    "auxiliary": "执法辅助人员", "supervisor": "执法监督员",
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


def _load_people(ctx: LoadContext) -> None:
    rng = rng_for("people")
    names = _Names(rng)
    used_ids: set[str] = set()
    admin_bodies = {login.body for login in LOGINS if login.slot == "office"}
    for key, spec in ctx.specs.items():
        body, depts = ctx.bodies[key], ctx.departments[key]
        counties = COUNTIES_UNDER[spec.region]
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
                role_kinds=_ROLE_KINDS[slot], department=department, post=_POSTS[slot],
                legal_qualification_number=qualification_number,
                legal_qualification_date=qualification_date,
            )
            created.append((slot, person))
        ctx.people[key] = created


class _Numbers:
    """Certificate numbers: an opaque string, province prefix, year of issue, sequence."""

    def __init__(self) -> None:
        self.seq = 0

    def next(self, issue: dt.date) -> str:
        self.seq += 1
        return f"43{issue.year % 100:02d}{self.seq:06d}"


def _expiry(issue: dt.date) -> dt.date:
    return issue.replace(year=issue.year + VALIDITY_YEARS) - dt.timedelta(days=1)


def _issue(numbers: _Numbers, person: Person, body: EnforcementBody,
           on: dt.date) -> Certificate:
    return certificate_issue(
        actor=None, person=person, number=numbers.next(on), issuer=ISSUER,
        areas=[body.region], categories=[body.sector], issue_date=on, expiry_date=_expiry(on),
    )


def _load_certificates(ctx: LoadContext) -> None:
    rng = rng_for("certificates")
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

    for key, person in holders:
        body = ctx.bodies[key]
        if person.pk in expired:
            old = _issue(numbers, person, body,
                         _random_date(rng, dt.date(2018, 1, 1), dt.date(2019, 9, 30)))
            certificate_status_change(
                actor=None, certificate=old, to_status=CertificateStatus.EXPIRED,
                effective_date=old.expiry_date + dt.timedelta(days=1), reason="有效期届满",
            )
            if person.pk in renewed:
                _issue(numbers, person, body,
                       old.expiry_date + dt.timedelta(days=rng.randrange(10, 60)))
            continue
        cert = _issue(numbers, person, body, _random_date(rng, FIRST_ISSUE, LAST_ISSUE))
        changed_on = min(cert.issue_date + dt.timedelta(days=rng.randrange(200, 500)),
                         LATEST_CHANGE)
        if person.pk in suspended:
            certificate_status_change(
                actor=None, certificate=cert, to_status=CertificateStatus.SUSPENDED,
                effective_date=changed_on, reason=rng.choice(_SUSPENSION_REASONS),
            )
        elif person.pk == restored:
            certificate_status_change(
                actor=None, certificate=cert, to_status=CertificateStatus.SUSPENDED,
                effective_date=changed_on, reason=_SUSPENSION_REASONS[2],
            )
            certificate_status_change(
                actor=None, certificate=cert, to_status=CertificateStatus.VALID,
                effective_date=changed_on + dt.timedelta(days=45),
                reason="补考合格，恢复执法证件效力",
            )
        elif person.pk == revoked:
            certificate_status_change(
                actor=None, certificate=cert, to_status=CertificateStatus.REVOKED,
                effective_date=changed_on, reason="调离行政执法岗位，注销执法证件",
            )


def load(ctx: LoadContext) -> None:
    _load_people(ctx)
    _load_certificates(ctx)
