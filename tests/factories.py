"""Factories shared by the tests: a small province with bodies, people, certificates, users.

Identifiers are generated with valid check characters so that they pass the validators.
"""

import datetime as dt
import itertools
from dataclasses import dataclass

from zhifa.catalog.models import (
    DiscretionBenchmark,
    EnforcementItem,
    HearingThreshold,
    LawVersion,
    ReviewCatalogue,
)
from zhifa.catalog.services import (
    ThresholdIn,
    TierIn,
    benchmark_create,
    hearing_threshold_create,
    item_create,
    law_version_create,
    review_catalogue_create,
)
from zhifa.core.validators import credit_code_check_char, id_number_check_char
from zhifa.orgs.models import (
    AccountRole,
    BodyKind,
    BodyLevel,
    Certificate,
    Department,
    DepartmentKind,
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


# --- Catalogue helpers (through the services, actor=None: the system itself) -------------
def law_version(code: str = "apl", title: str = "中华人民共和国行政处罚法",
                effective_from: dt.date = dt.date(2021, 7, 15), label: str = "2021年修订",
                articles: tuple[tuple[int, str, str], ...] = (
                    (63, "第六十三条", "行政机关拟作出较大数额罚款……应当告知当事人听证权利。"),
                ),
                level: str = "law", issuer: str = "全国人民代表大会常务委员会") -> LawVersion:
    return law_version_create(
        actor=None, law_code=code, title=title, level=level, issuer=issuer, label=label,
        effective_from=effective_from, articles=articles,
    )


def item(b: EnforcementBody, code: str | None = None, name: str = "对销售不合格产品的行政处罚",
         category: str = "penalty", procedure_type: str = "general",
         effective_from: dt.date = dt.date(2024, 1, 1), **kwargs: object) -> EnforcementItem:
    return item_create(
        actor=None, body=b, code=code or f"ITEM-{next(_seq):05d}", name=name,
        category=category, procedure_type=procedure_type, effective_from=effective_from,
        **kwargs,  # type: ignore[arg-type]
    )


def benchmark(region: Region, sec: Sector, code: str | None = None,
              violation: str = "销售不合格产品", effective_from: dt.date = dt.date(2024, 1, 1),
              statutory_min: int | None = 500_000, statutory_max: int | None = 5_000_000,
              tiers: tuple[TierIn, ...] | None = None, **kwargs: object) -> DiscretionBenchmark:
    tiers = tiers or (
        TierIn(tier="lighter", conditions="初次违法且及时改正", min_value=500_000,
               max_value=1_500_000, penalty_kinds=["fine"]),
        # Tiers may not share an endpoint (catalog.benchmark_rules): 15,000.01 yuan up.
        TierIn(tier="ordinary", conditions="一般情形", min_value=1_500_001,
               max_value=3_500_000, penalty_kinds=["fine"]),
    )
    return benchmark_create(
        actor=None, code=code or f"BM-{next(_seq):05d}", violation=violation, sector=sec,
        region=region, violated_text="《产品质量法》第三十九条",
        penalty_text="《产品质量法》第五十条", source_document="湘市监规〔2024〕1号",
        effective_from=effective_from, tiers=tiers, statutory_min=statutory_min,
        statutory_max=statutory_max, **kwargs,  # type: ignore[arg-type]
    )


def review_catalogue(b: EnforcementBody, effective_from: dt.date = dt.date(2024, 1, 1),
                     thresholds: tuple[ThresholdIn, ...] | None = None,
                     triggers: tuple[str, ...] = ("revoke_licence", "hearing_held"),
                     **kwargs: object) -> ReviewCatalogue:
    thresholds = thresholds or (
        ThresholdIn(party_type="natural_person", amount_fen=500_000, comparator="gte"),
        ThresholdIn(party_type="organisation", amount_fen=10_000_000, comparator="gt"),
    )
    return review_catalogue_create(
        actor=None, body=b, title=f"{b.name}重大执法决定法制审核目录清单",
        effective_from=effective_from, thresholds=thresholds, triggers=triggers,
        **kwargs,  # type: ignore[arg-type]
    )


def hearing_threshold(region: Region, party_type: str, amount_fen: int,
                      sec: Sector | None = None,
                      effective_from: dt.date = dt.date(2021, 7, 15),
                      comparator: str = "gte") -> HearingThreshold:
    return hearing_threshold_create(
        actor=None, region=region, party_type=party_type, amount_fen=amount_fen,
        source_document="行政处罚听证程序规定", effective_from=effective_from, sector=sec,
        comparator=comparator,
    )


# --- Two market-supervision bodies, the start of the web and transfer test worlds ---------
@dataclass
class TwoBodies:
    regions: dict[str, Region]
    market: Sector
    environment: Sector
    body_a: EnforcementBody  # in the county
    body_b: EnforcementBody  # in the other county
    dept_a: Department  # body A's handling department


def two_bodies() -> TwoBodies:
    r = regions()
    market = sector()
    environment = sector("environment", "生态环境")
    body_a = body(r["county"], market, name="芙蓉区市场监督管理局")
    return TwoBodies(
        regions=r, market=market, environment=environment, body_a=body_a,
        body_b=body(r["other_county"], market, name="荷塘区市场监督管理局"),
        dept_a=Department.objects.create(body=body_a, name="执法稽查科",
                                         kind=DepartmentKind.HANDLING),
    )


# --- A small province for scoping tests --------------------------------------------------
class World:
    """Bodies A and B in two counties, a city-level body, a supervisory justice bureau at the
    city level, a provincial body; people, certificates and one account per kind of user."""

    def __init__(self) -> None:
        self.regions = regions()
        r = self.regions
        self.market = sector()
        self.env = sector("environment", "生态环境")
        self.justice = sector("justice", "司法行政")
        self.body_a = body(r["county"], self.market, name="芙蓉区市场监督管理局")
        self.body_b = body(r["other_county"], self.market, name="荷塘区市场监督管理局")
        self.body_city = body(r["city"], self.market, name="长沙市市场监督管理局")
        self.bureau = body(r["city"], self.justice, name="长沙市司法局", is_supervisory=True)
        self.body_province = body(r["province"], self.market, name="湖南省市场监督管理局")

        self.officer_a = person(self.body_a, "李明")
        self.admin_a = person(self.body_a, "王芳", roles=(RoleKind.HEAD,))
        self.officer_b = person(self.body_b, "赵强")
        self.admin_b = person(self.body_b, "陈静", roles=(RoleKind.HEAD,))
        self.officer_city = person(self.body_city, "刘洋")
        self.supervisor = person(self.bureau, "周敏", roles=(RoleKind.SUPERVISOR,))
        self.officer_province = person(self.body_province, "孙伟")
        self.inactive_a = person(self.body_a, "吴刚")

        self.cert_a = certificate(self.officer_a, [r["city"]], [self.market])
        self.cert_b = certificate(self.officer_b, [r["other_city"]], [self.market])
        self.cert_city = certificate(self.officer_city, [r["city"]], [self.market])
        self.cert_province = certificate(self.officer_province, [r["province"]], [self.market])

        self.u_officer_a = user(self.officer_a)
        self.u_admin_a = user(self.admin_a, roles=(AccountRole.BODY_ADMIN,))
        self.u_officer_b = user(self.officer_b)
        self.u_admin_b = user(self.admin_b, roles=(AccountRole.BODY_ADMIN,))
        self.u_supervisor = user(self.supervisor, roles=(AccountRole.SUPERVISOR,))
        self.u_sysadmin = user(None, roles=(AccountRole.SYSTEM_ADMIN,))
        self.u_no_person = user(None, roles=(AccountRole.OFFICER,))
        self.u_inactive = user(self.inactive_a)
        self.u_inactive.is_active = False
        self.u_inactive.save(update_fields=["is_active"])


def scoping_world() -> World:
    return World()
