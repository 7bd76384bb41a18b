"""A body with a legal-review office, and cases ready for legal review, made through the
services. Builds on ``tests.cases.factories.agency`` (officers 李明 and 张伟, head 王芳,
reviewer 刘静, auxiliary 钱多) and adds:

- the legal-review office (法制审核科) of the body, with 刘静 in it, holding the legal
  professional qualification;
- ``reviewer2`` 孙丽: a reviewer of the office without the qualification who has never
  reviewed a penalty decision (a first-time reviewer: not eligible for penalty decisions);
- ``head2`` 赵刚: a second head, so that a collective discussion has two heads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tests import factories as f
from tests.cases.factories import Agency, act, agency, registered
from tests.documents.factories import decision_draft
from zhifa.cases.models import Case
from zhifa.orgs.models import (
    AccountRole,
    Department,
    DepartmentKind,
    Person,
    RoleKind,
    User,
)


@dataclass
class ReviewAgency(Agency):
    office: Department | None = None
    reviewer2: Person | None = None
    u_reviewer2: User | None = None
    head2: Person | None = None
    u_head2: User | None = None


def review_agency() -> ReviewAgency:
    a = agency()
    office = Department.objects.create(body=a.body, name="法制审核科",
                                       kind=DepartmentKind.LEGAL_REVIEW)
    a.body.legal_review_office = office
    a.body.save(update_fields=["legal_review_office"])
    Person.objects.filter(pk=a.reviewer.pk).update(
        department=office, legal_qualification_number="A20194301000123",
        legal_qualification_date=dt.date(2019, 12, 1))
    a.reviewer.refresh_from_db()
    reviewer2 = f.person(a.body, "孙丽", roles=(RoleKind.REVIEWER,), department=office)
    head2 = f.person(a.body, "赵刚", roles=(RoleKind.HEAD,))
    fields = {k: getattr(a, k) for k in Agency.__dataclass_fields__}
    return ReviewAgency(**fields, office=office, reviewer2=reviewer2,
                        u_reviewer2=f.user(reviewer2, roles=(AccountRole.REVIEWER,)),
                        head2=head2, u_head2=f.user(head2, roles=(AccountRole.HEAD,)))


def evidence(a: Agency, case: Case, kind: str = "documentary",
             title: str = "抽样检验报告") -> Any:
    from zhifa.evidence.services import evidence_item_create

    return evidence_item_create(actor=a.u_officer, case=case, kind=kind, title=title)


def major_reported(a: Agency, *, received: dt.date = dt.date(2026, 9, 1), fine: str = "5000",
                   kinds: list[str] | None = None, parties: Any = None,
                   **report: Any) -> Case:
    """A general-procedure case reported 20 days after it was received, marked as involving a
    major public interest (review required by APL art. 58 §1(1)), unless ``report`` says
    otherwise."""
    case = registered(a, received=received, parties=parties)
    act(a, case, "start_investigation", acted_on=received + dt.timedelta(days=2))
    act(a, case, "submit_report", acted_on=received + dt.timedelta(days=20),
        facts="经查，当事人销售不合格产品。", kinds=["fine"] if kinds is None else kinds,
        fine=fine, **{"major": True, **report})
    return case


def ready_for_review(a: Agency, **kwargs: Any) -> Case:
    """``major_reported`` with the package complete: an evidence item and the draft decision
    with its three reasons (the handling opinion is typed at submission)."""
    case = major_reported(a, **kwargs)
    evidence(a, case)
    decision_draft(a, case, "penalty" if case.proposed_kinds else "no_penalty")
    return case
