"""Factories shared by the tests: a small province with bodies, people, certificates, users.

Identifiers are generated with valid check characters so that they pass the validators.
"""

import datetime as dt
import itertools

from zhifa.core.validators import credit_code_check_char, id_number_check_char
from zhifa.orgs.models import (
    AccountRole,
    BodyKind,
    BodyLevel,
    Certificate,
    EnforcementBody,
    Person,
    PersonRole,
    Region,
    RoleKind,
    Sector,
    User,
)
from zhifa.orgs.services import region_upsert

_seq = itertools.count(1)


def credit_code(region: str = "430100") -> str:
    n = next(_seq)
    body = f"11{region}{n:08d}X"[:17]
    body = body[:8] + f"{n:09d}"
    return body + credit_code_check_char(body)


def id_number(region: str = "430102", birth: str = "19850315") -> str:
    n = next(_seq) % 1000
    first = f"{region}{birth}{n:03d}"
    return first + id_number_check_char(first)


def regions() -> dict[str, Region]:
    province = region_upsert(code="430000", name="湖南省")
    city = region_upsert(code="430100", name="长沙市", parent=province)
    county = region_upsert(code="430102", name="芙蓉区", parent=city)
    other_city = region_upsert(code="430200", name="株洲市", parent=province)
    other_county = region_upsert(code="430202", name="荷塘区", parent=other_city)
    return {"province": province, "city": city, "county": county,
            "other_city": other_city, "other_county": other_county}


def sector(code: str = "market", name: str = "市场监管") -> Sector:
    return Sector.objects.get_or_create(code=code, defaults={"name": name})[0]


def body(region: Region, sec: Sector | None = None, name: str | None = None,
         **kwargs: object) -> EnforcementBody:
    sec = sec or sector()
    return EnforcementBody.objects.create(
        name=name or f"{region.name}市场监督管理局{next(_seq)}",
        credit_code=credit_code(region.code[:6]),
        kind=BodyKind.ADMINISTRATIVE_ORGAN, level=BodyLevel.COUNTY, region=region, sector=sec,
        **kwargs,
    )


def person(b: EnforcementBody, name: str = "张三", roles: tuple[str, ...] = (RoleKind.OFFICER,),
           **kwargs: object) -> Person:
    p = Person.objects.create(body=b, name=name, id_number=id_number(), **kwargs)
    for r in roles:
        PersonRole.objects.create(person=p, kind=r)
    return p


def certificate(p: Person, areas: list[Region], categories: list[Sector],
                issue: dt.date = dt.date(2024, 1, 1), expiry: dt.date = dt.date(2029, 12, 31),
                number: str | None = None) -> Certificate:
    cert = Certificate.objects.create(
        number=number or f"43000{next(_seq):07d}", person=p, issuer="湖南省人民政府",
        issue_date=issue, expiry_date=expiry,
    )
    cert.areas.set(areas)
    cert.categories.set(categories)
    return cert


def user(p: Person | None, roles: tuple[str, ...] = (AccountRole.OFFICER,),
         username: str | None = None, password: str = "Zhifa-test-2026") -> User:
    u = User.objects.create_user(username=username or f"user{next(_seq)}", password=password,
                                 person=p, roles=list(roles))
    return u
