"""The officer guards count certified officers in one SQL statement and explain a refusal
with the detailed check (``_certified_officers``, built on ``certificate_validity``). The two
must agree for every certificate state, area, category, status history, role and date: the
statement only ever lets an action through, so a disagreement would let through a step the
law forbids (APL arts. 42, 55) or refuse one it allows."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from zhifa.cases.guards import (
    GuardContext,
    _certified_officers,
    certified_officer_count,
    one_certified_officer,
    two_certified_officers,
)
from zhifa.cases.models import Case, CaseOfficer, OfficerRole
from zhifa.cases.procedures import procedure_get
from zhifa.orgs.models import (
    Certificate,
    CertificateStatus,
    CertificateStatusChange,
    Person,
    Region,
    RegionLevel,
    RoleKind,
)
from zhifa.orgs.selectors import certificate_validity

from .factories import Agency, open_case

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 9, 10)
D = dt.timedelta
# the days around every boundary the configurations below use
DAYS = [DAY - D(days=n) for n in (11, 10, 6, 5, 3, 2, 1)] + [DAY, DAY + D(days=1),
                                                             DAY + D(days=2)]
SUSPENDED, REVOKED, VALID, EXPIRED = (CertificateStatus.SUSPENDED, CertificateStatus.REVOKED,
                                      CertificateStatus.VALID, CertificateStatus.EXPIRED)


def history(cert: Certificate, *changes: tuple[str, dt.date]) -> None:
    """Status changes in the order given (ids ascend in that order, whatever their dates)."""
    for to_status, effective in changes:
        CertificateStatusChange.objects.create(certificate=cert, to_status=to_status,
                                               effective_date=effective, reason="测试")


def people(a: Agency) -> dict[str, Person]:
    """One person per configuration, each of the agency's body."""
    r, market = a.regions, a.market
    other_sector = f.sector("environment", "生态环境")
    made: dict[str, Person] = {}

    def person(label: str, *certs: dict[str, Any],
               roles: tuple[str, ...] = (RoleKind.OFFICER,),
               changes: Callable[[list[Certificate]], None] | None = None) -> None:
        p = f.person(a.body, label, roles=roles)
        made_certs = [f.certificate(p, c.get("areas", [r["city"]]),
                                    c.get("categories", [market]),
                                    issue=c.get("issue", dt.date(2024, 1, 1)),
                                    expiry=c.get("expiry", dt.date(2029, 12, 31)))
                      for c in certs]
        if changes:
            changes(made_certs)
        made[label] = p

    person("valid", {})
    person("no certificate")
    # areas
    person("province", {"areas": [r["province"]]})
    person("county", {"areas": [r["county"]]})
    person("other city", {"areas": [r["other_city"]]})
    person("other county", {"areas": [r["other_county"]]})
    person("no areas", {"areas": []})
    person("two areas", {"areas": [r["other_city"], r["county"]]})
    # categories
    person("other sector", {"categories": [other_sector]})
    person("two sectors", {"categories": [other_sector, market]})
    person("no sectors", {"categories": []})
    # issue and expiry dates (both days count)
    person("issued on the day", {"issue": DAY})
    person("issued the day after", {"issue": DAY + D(days=1)})
    person("expires on the day", {"expiry": DAY})
    person("expired the day before", {"expiry": DAY - D(days=1)})
    person("issued and expiring on the day", {"issue": DAY, "expiry": DAY})
    # status histories
    person("suspended before", {}, changes=lambda c: history(c[0], (SUSPENDED, DAY - D(days=10))))
    person("suspended on the day", {}, changes=lambda c: history(c[0], (SUSPENDED, DAY)))
    person("suspended after", {}, changes=lambda c: history(c[0], (SUSPENDED, DAY + D(days=1))))
    person("suspended then restored", {}, changes=lambda c: history(
        c[0], (SUSPENDED, DAY - D(days=10)), (VALID, DAY - D(days=5))))
    person("revoked", {}, changes=lambda c: history(c[0], (REVOKED, DAY - D(days=2))))
    person("marked expired", {}, changes=lambda c: history(c[0], (EXPIRED, DAY - D(days=1))))
    person("same day, restored last", {}, changes=lambda c: history(
        c[0], (SUSPENDED, DAY - D(days=2)), (VALID, DAY - D(days=2))))
    person("same day, suspended last", {}, changes=lambda c: history(
        c[0], (VALID, DAY - D(days=2)), (SUSPENDED, DAY - D(days=2))))
    # recorded out of date order: the later effective date wins, not the later row
    person("recorded out of order", {}, changes=lambda c: history(
        c[0], (VALID, DAY - D(days=2)), (SUSPENDED, DAY - D(days=5))))
    person("restored, recorded first", {}, changes=lambda c: history(
        c[0], (VALID, DAY - D(days=3)), (SUSPENDED, DAY - D(days=6)),
        (REVOKED, DAY + D(days=1))))
    person("change before issue", {"issue": DAY - D(days=3)},
           changes=lambda c: history(c[0], (SUSPENDED, DAY - D(days=11))))

    def current_status_only(certs: list[Certificate]) -> None:
        # the row's current status is not the history: status_on ignores it
        Certificate.objects.filter(pk=certs[0].pk).update(status=REVOKED)
    person("current status without history", {}, changes=current_status_only)
    # more than one certificate
    person("expired and valid", {"expiry": DAY - D(days=1)}, {})
    person("two invalid", {"expiry": DAY - D(days=1)}, {"areas": [r["other_city"]]})
    person("valid area, suspended; other area", {"areas": [r["county"]]},
           {"areas": [r["other_city"]]},
           changes=lambda c: history(c[0], (SUSPENDED, DAY - D(days=5))))
    # role kinds
    person("auxiliary", {}, roles=(RoleKind.AUXILIARY,))
    person("auxiliary and officer", {}, roles=(RoleKind.AUXILIARY, RoleKind.OFFICER))
    person("no role kinds", {}, roles=())
    person("head", {}, roles=(RoleKind.HEAD,))
    person("auxiliary without certificate", roles=(RoleKind.AUXILIARY,))
    return made


def set_officers(case: Case, persons: list[Person]) -> None:
    CaseOfficer.objects.filter(case=case).delete()
    CaseOfficer.objects.bulk_create([
        CaseOfficer(case=case, person=p,
                    role=OfficerRole.LEAD if i == 0 else OfficerRole.ASSISTANT)
        for i, p in enumerate(persons)])


def defined(persons: list[Person], region: Region, sector: Any, day: dt.date) -> int:
    """The definition, in Python over prefetched rows: officers who are not only auxiliary
    staff and hold a certificate that ``certificate_validity`` finds valid for the region
    and sector on the day."""
    n = 0
    for p in persons:
        kinds = {r.kind for r in p.roles.all()}
        if kinds and kinds <= {RoleKind.AUXILIARY}:
            continue
        if any(certificate_validity(c, day=day, region=region, sector=sector).valid
               for c in p.certificates.all()):
            n += 1
    return n


def loaded(persons: list[Person]) -> list[Person]:
    return list(Person.objects.filter(pk__in=[p.pk for p in persons]).prefetch_related(
        "roles", "certificates__areas", "certificates__categories",
        "certificates__status_changes"))


def detailed(case: Case, day: dt.date) -> int:
    """What the guards' detailed check (``_certified_officers``) finds."""
    case = Case.objects.select_related("region", "sector").get(pk=case.pk)
    proc = procedure_get("general")
    ctx = GuardContext(case=case, actor=None, procedure=proc,
                       action=proc.action("start_investigation"),  # type: ignore[arg-type]
                       data={}, on=day, today=day)
    return len(_certified_officers(ctx)[0])


def test_every_configuration_alone_on_every_day_and_region(a: Agency) -> None:
    made = people(a)
    by_pk = {p.pk: p for p in loaded(list(made.values()))}
    made = {label: by_pk[p.pk] for label, p in made.items()}
    case = open_case(a, received_on=DAY - D(days=20))
    seen = {0: 0, 1: 0}
    for name in ("county", "city", "province", "other_county"):
        place = a.regions[name]
        Case.objects.filter(pk=case.pk).update(region=place)
        case.refresh_from_db()
        for label, p in made.items():
            set_officers(case, [p])
            for day in DAYS:
                fast = certified_officer_count(case, day)
                assert fast == defined([p], place, a.market, day), (name, label, day)
                seen[fast] += 1
            assert certified_officer_count(case, DAY) == detailed(case, DAY), (name, label)
    # the matrix exercises both answers many times over
    assert seen[0] > 500 and seen[1] > 300, seen


def test_all_configurations_together(a: Agency) -> None:
    made = loaded(list(people(a).values()))
    case = open_case(a, received_on=DAY - D(days=20))
    set_officers(case, made)
    for day in DAYS:
        fast = certified_officer_count(case, day)
        assert fast == detailed(case, day) == defined(made, a.regions["county"], a.market,
                                                     day), day
    assert certified_officer_count(case, DAY) == 18  # the valid ones on the day, by hand


def region(code: str, path: str) -> Region:
    return Region.objects.create(code=code, name=code, level=RegionLevel.COUNTY, path=path)


@pytest.mark.parametrize(("area_path", "covers"), [
    ("/abc/def/", True),
    ("/abc/", True),
    ("/abc/d", True),  # Region.covers is str.startswith, whatever the separators
    ("", True),
    ("/ABC/", False),  # no case folding (SQLite's LIKE would fold)
    ("/a_c/", False),  # no wildcards (LIKE's "_" and "%" would match)
    ("/%/", False),
    ("/abc/def/ghi/", False),  # a region below does not cover the one above
    ("/abd/", False),
])
def test_area_coverage_is_a_plain_prefix(a: Agency, area_path: str, covers: bool) -> None:
    place = region("X1", "/abc/def/")
    area = region("X2", area_path)
    assert area.covers(place) is covers
    p = f.person(a.body, "孙丽")
    f.certificate(p, [area], [a.market])
    case = open_case(a, received_on=DAY - D(days=20))
    Case.objects.filter(pk=case.pk).update(region=place)
    set_officers(case, [p])
    case.refresh_from_db()
    assert certified_officer_count(case, DAY) == detailed(case, DAY) == int(covers)


def test_a_person_is_counted_once_whatever_certificates_they_hold(a: Agency) -> None:
    p = f.person(a.body, "孙丽")
    for _ in range(3):
        f.certificate(p, [a.regions["city"]], [a.market])
    case = open_case(a, received_on=DAY - D(days=20), officers=[p])
    assert certified_officer_count(case, DAY) == detailed(case, DAY) == 1


def guard_context(a: Agency, case: Case, day: dt.date) -> GuardContext:
    proc = procedure_get(case.procedure)
    return GuardContext(case=case, actor=a.u_officer, procedure=proc,
                        action=proc.action("start_investigation"),  # type: ignore[arg-type]
                        data={}, on=day, today=day)


def test_a_passing_guard_runs_one_statement(a: Agency) -> None:
    case = Case.objects.get(pk=open_case(a, received_on=DAY - D(days=20)).pk)
    ctx = guard_context(a, case, DAY)
    with CaptureQueriesContext(connection) as queries:
        assert two_certified_officers(ctx) == []
        assert one_certified_officer(ctx) == []
    assert len(queries.captured_queries) == 2


def test_a_refusal_is_explained_by_the_detailed_check(a: Agency) -> None:
    second = f.person(a.body, "孙丽")
    f.certificate(second, [a.regions["city"]], [a.market], expiry=DAY - D(days=1))
    case = Case.objects.get(pk=open_case(a, received_on=DAY - D(days=20),
                                         officers=[a.officer, second]).pk)
    (refusal,) = two_certified_officers(guard_context(a, case, DAY))
    assert refusal.code == "two_certified_officers"
    assert refusal.detail == [{"person": "孙丽", "reasons": ["该日期执法证已过期。"]}]
    assert one_certified_officer(guard_context(a, case, DAY)) == []
