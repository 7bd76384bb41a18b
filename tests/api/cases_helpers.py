"""A body with a general-procedure case at the prior-notice stage and a pending approval
request, the accounts around it, and a snapshot of everything a case request may change."""

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.utils import translation

from tests import factories as f
from tests.cases.factories import Agency, agency, general_to_notice
from zhifa.cases.models import (
    ApprovalDecision,
    ApprovalRequest,
    Case,
    CaseDeadline,
    CaseOfficer,
    CaseStep,
    Party,
)
from zhifa.cases.services import case_act
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import AccountRole, User

API = "/api/v1"


@dataclass
class CaseWorld:
    a: Agency
    case: Case  # general procedure, prior notice served (stage "notified")
    approval: ApprovalRequest  # the officer's pending request to suspend it
    u_body_admin: User  # of the case's body: no case permissions
    u_colleague: User  # an officer of the body who is not on the case


def case_world() -> CaseWorld:
    a = agency()
    case = general_to_notice(a)
    approval = case_act(actor=a.u_officer, case=case, action="suspend",
                        data={"kind": "testing", "reason": "抽样检验"}).approval
    assert approval is not None
    case.refresh_from_db()
    admin = f.person(a.body, "孙丽", roles=())
    colleague = f.person(a.body, "周平")
    return CaseWorld(a=a, case=case, approval=approval,
                     u_body_admin=f.user(admin, roles=(AccountRole.BODY_ADMIN,)),
                     u_colleague=f.user(colleague))


def client(user: User | None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def post(c: Client, url: str, payload: Any) -> Any:
    return c.post(API + url, json.dumps(payload, ensure_ascii=False),
                  content_type="application/json")


def snapshot() -> dict[str, Any]:
    """Row counts of every table a case request writes, and each case's moving columns."""
    return {
        "cases": list(Case.objects.order_by("id").values_list(
            "number", "stage", "status", "updated_at", "final_fine")),
        "steps": CaseStep.objects.count(),
        "approvals": list(ApprovalRequest.objects.order_by("id").values_list(
            "status", "current", "updated_at")),
        "decisions": ApprovalDecision.objects.count(),
        "deadlines": list(CaseDeadline.objects.order_by("id").values_list("state", "due")),
        "parties": Party.objects.count(),
        "officers": CaseOfficer.objects.count(),
        "ledger": LedgerEntry.objects.count(),
    }


def new_case_payload(w: CaseWorld, **changes: Any) -> dict[str, Any]:
    return {
        "procedure": "general", "title": "销售过期食品案", "sector": "market",
        "region": "430102",
        "parties": [{"party_type": "natural_person", "name": "陈某",
                     "id_number": f.id_number("430102", "19900101")}],
        "officers": [str(w.a.officer.public_id), str(w.a.officer2.public_id)],
        "received_on": dt.date(2026, 11, 2).isoformat(),
        **changes,
    }


def zh(msgid: str, **params: Any) -> str:
    """What the catalogues show a zh-Hans user for ``msgid`` (the API's default language)."""
    with translation.override("zh-hans"):
        text = translation.gettext(msgid)
    return text % params if params else text
