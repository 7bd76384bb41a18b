"""A body with certified officers, a head, a reviewer and an auxiliary, and helpers that
open cases and walk them through their procedure via the services."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tests import factories as f
from zhifa.cases.models import Case
from zhifa.cases.services import PartyIn, approval_decide, case_act, case_create
from zhifa.catalog.models import PartyType
from zhifa.orgs.models import AccountRole, EnforcementBody, Person, Region, RoleKind, Sector, User


@dataclass
class Agency:
    regions: dict[str, Region]
    market: Sector
    body: EnforcementBody
    other_body: EnforcementBody
    officer: Person
    officer2: Person
    head: Person
    reviewer: Person
    auxiliary: Person
    u_officer: User
    u_officer2: User
    u_head: User
    u_reviewer: User
    u_auxiliary: User
    u_other: User  # an officer of the other body
    u_supervisor: User
    u_sysadmin: User


def agency() -> Agency:
    r = f.regions()
    market = f.sector()
    body = f.body(r["county"], market, name="芙蓉区市场监督管理局", short_name="芙蓉市监")
    other = f.body(r["other_county"], market, name="荷塘区市场监督管理局", short_name="荷塘市监")
    bureau = f.body(r["city"], f.sector("justice", "司法行政"), name="长沙市司法局",
                    is_supervisory=True)
    officer = f.person(body, "李明")
    officer2 = f.person(body, "张伟")
    head = f.person(body, "王芳", roles=(RoleKind.HEAD,))
    reviewer = f.person(body, "刘静", roles=(RoleKind.REVIEWER,))
    auxiliary = f.person(body, "钱多", roles=(RoleKind.AUXILIARY,))
    other_officer = f.person(other, "赵强")
    supervisor = f.person(bureau, "周敏", roles=(RoleKind.SUPERVISOR,))
    for p in (officer, officer2, head, reviewer):
        f.certificate(p, [r["city"]], [market])
    f.certificate(other_officer, [r["other_city"]], [market])
    return Agency(
        regions=r, market=market, body=body, other_body=other, officer=officer,
        officer2=officer2, head=head, reviewer=reviewer, auxiliary=auxiliary,
        u_officer=f.user(officer), u_officer2=f.user(officer2),
        u_head=f.user(head, roles=(AccountRole.HEAD,)),
        u_reviewer=f.user(reviewer, roles=(AccountRole.REVIEWER,)),
        u_auxiliary=f.user(auxiliary, roles=(AccountRole.AUXILIARY,)),
        u_other=f.user(other_officer),
        u_supervisor=f.user(supervisor, roles=(AccountRole.SUPERVISOR,)),
        u_sysadmin=f.user(None, roles=(AccountRole.SYSTEM_ADMIN,)),
    )


def person_party(name: str = "陈某", birth: str = "19850315") -> PartyIn:
    return PartyIn(party_type=PartyType.NATURAL_PERSON, name=name,
                   id_number=f.id_number("430102", birth), address="长沙市芙蓉区某路1号")


def company_party(name: str = "长沙某某贸易有限公司") -> PartyIn:
    return PartyIn(party_type=PartyType.ORGANISATION, name=name,
                   credit_code=f.credit_code("430102"), legal_representative="陈某")


def open_case(a: Agency, procedure: str = "general", *, received_on: dt.date,
              parties: list[PartyIn] | None = None, officers: list[Person] | None = None,
              title: str = "销售不合格产品案", **kwargs: Any) -> Case:
    return case_create(
        actor=a.u_officer, procedure=procedure, title=title, sector=a.market,
        region=a.regions["county"], parties=parties or [company_party()],
        officers=officers if officers is not None else [a.officer, a.officer2],
        received_on=received_on, **kwargs)


def act(a: Agency, case: Case, action: str, actor: User | None = None, **data: Any) -> Any:
    """Take a step; an approval-bearing step is approved by the head at once."""
    result = case_act(actor=actor or a.u_officer, case=case, action=action,
                      data={k: (v.isoformat() if isinstance(v, dt.date) else v)
                            for k, v in data.items()})
    if result.approval is not None and result.step is None:
        result = approval_decide(actor=a.u_head, request=result.approval, approve=True)
    case.refresh_from_db()
    return result


def general_to_notice(a: Agency, *, received: dt.date = dt.date(2026, 9, 1),
                      fine: str = "5000", **report: Any) -> Case:
    """A general-procedure case up to a served prior notice (dates in the past)."""
    case = open_case(a, received_on=received)
    act(a, case, "register", acted_on=received + dt.timedelta(days=1),
        act_date=received - dt.timedelta(days=10), grounds="涉嫌销售不合格产品")
    act(a, case, "start_investigation", acted_on=received + dt.timedelta(days=2))
    act(a, case, "submit_report", acted_on=received + dt.timedelta(days=20),
        facts="经查，当事人销售不合格产品。", kinds=["fine"], fine=fine, **report)
    act(a, case, "serve_notice", acted_on=received + dt.timedelta(days=21),
        served_on=received + dt.timedelta(days=21), method="direct")
    return case
