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
                   credit_code=f.credit_code("430102"), legal_representative="陈某",
                   address="长沙市芙蓉区某大道88号")


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


# --- Helpers for refusal tests and longer walks -------------------------------------------

def snapshot(case: Case) -> dict[str, Any]:
    """Everything a refused action must leave as it was: the case row (every column), its
    parties, officers, deadlines, pauses, steps, approval requests and decisions, and the
    number of cases and ledger entries."""
    from zhifa.cases.models import (
        ApprovalDecision,
        ApprovalRequest,
        CaseDeadline,
        CaseOfficer,
        CasePause,
        CaseStep,
        Party,
    )
    from zhifa.ledger.models import LedgerEntry

    def rows(qs: Any) -> list[dict[str, Any]]:
        return list(qs.order_by("id").values())

    return {
        "case": Case.objects.filter(pk=case.pk).values().get(),
        "parties": rows(Party.objects.filter(case=case)),
        "officers": rows(CaseOfficer.objects.filter(case=case)),
        "deadlines": rows(CaseDeadline.objects.filter(case=case)),
        "pauses": rows(CasePause.objects.filter(case=case)),
        "steps": rows(CaseStep.objects.filter(case=case)),
        "approvals": rows(ApprovalRequest.objects.filter(case=case)),
        "decisions": rows(ApprovalDecision.objects.filter(request__case=case)),
        "cases": Case.objects.count(),
        "ledger": LedgerEntry.objects.count(),
    }


def refused(a: Agency, case: Case, action: str, code: str, actor: User | None = None,
            **data: Any) -> Any:
    """Take a step that must be refused with ``code``; assert that nothing changed and return
    the error."""
    from zhifa.core.errors import ApplicationError

    before = snapshot(case)
    try:
        act(a, case, action, actor=actor, **data)
    except ApplicationError as exc:
        assert exc.code == code, (exc.code, exc.message, exc.detail)
        assert snapshot(case) == before
        case.refresh_from_db()
        return exc
    raise AssertionError(f"{action} was not refused")


def certified(a: Agency, name: str, *, areas: list[Region] | None = None,
              sectors: list[Sector] | None = None, issue: dt.date = dt.date(2024, 1, 1),
              expiry: dt.date = dt.date(2029, 12, 31)) -> Person:
    """A person of the agency's body with one certificate as given (default: valid for the
    city and the market sector)."""
    p = f.person(a.body, name)
    f.certificate(p, areas if areas is not None else [a.regions["city"]],
                  sectors if sectors is not None else [a.market], issue=issue, expiry=expiry)
    return p


def registered(a: Agency, *, received: dt.date = dt.date(2026, 9, 1),
               officers: list[Person] | None = None, parties: list[PartyIn] | None = None,
               act_date: dt.date | None = None) -> Case:
    """A general-procedure case registered the day after it was received."""
    case = open_case(a, received_on=received, officers=officers, parties=parties)
    act(a, case, "register", acted_on=received + dt.timedelta(days=1),
        act_date=act_date or received - dt.timedelta(days=10), grounds="涉嫌销售不合格产品")
    return case


def reported(a: Agency, *, received: dt.date = dt.date(2026, 9, 1),
             parties: list[PartyIn] | None = None, kinds: list[str] | None = None,
             fine: str = "5000", **report: Any) -> Case:
    """A general-procedure case with its investigation report submitted 20 days after it was
    received."""
    case = registered(a, received=received, parties=parties)
    act(a, case, "start_investigation", acted_on=received + dt.timedelta(days=2))
    act(a, case, "submit_report", acted_on=received + dt.timedelta(days=20),
        facts="经查，当事人销售不合格产品。", kinds=["fine"] if kinds is None else kinds,
        fine=fine, **report)
    return case
