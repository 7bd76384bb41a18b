"""Publications made directly as rows, for tests of the READ side (portal pages, search, open
data, feeds) that need many records in given states without going through the pipeline.

Tests of the pipeline itself (drafting on issue, masking, approval, withdrawal) must go
through ``zhifa.disclosure.services`` instead (see ``pipeline_factories``)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from tests.cases.factories import Agency, company_party, open_case
from zhifa.cases.models import Case
from zhifa.disclosure.fields import empty_fields
from zhifa.disclosure.models import Category, Publication, State

_numbers = itertools.count(1)


def public_fields(a: Agency, **overrides: str) -> dict[str, str]:
    out = empty_fields()
    out.update({
        "agency": a.body.name, "agency_credit_code": a.body.credit_code,
        "party": "长沙某某贸易有限公司", "party_type": "法人及非法人组织",
        "party_credit_code": "", "legal_representative": "陈某",
        "category": "行政处罚", "conclusion": "给予行政处罚",
        "decision_number": "", "facts": "经查，当事人销售不合格的电热水壶12台。",
        "basis": "《中华人民共和国产品质量法》第五十条", "result": "罚款人民币伍仟元整。",
        "decision_date": "",
    })
    out.update(overrides)
    return out


def publication_row(a: Agency, *, case: Case | None = None, state: str = State.PUBLISHED,
                    category: str = Category.PENALTY, decision_date: dt.date | None = None,
                    published_on: dt.date | None = None, offline_on: dt.date | None = None,
                    title: str = "销售不合格产品案", original: dict[str, str] | None = None,
                    body: Any = None, **fields: str) -> Publication:
    """A publication row in ``state`` (default: published today, public for 3 years)."""
    today = timezone.localdate()
    decision_date = decision_date or today - dt.timedelta(days=3)
    body = body or a.body
    if case is None:
        case = open_case(a, received_on=decision_date - dt.timedelta(days=30),
                         parties=[company_party()])
    n = next(_numbers)
    number = fields.pop("decision_number", f"芙市监罚〔{decision_date.year}〕{n}号")
    public = public_fields(a, decision_number=number,
                           decision_date=decision_date.isoformat(), **fields)
    is_public = state not in (State.DRAFT, State.WITHHELD, State.CANCELLED)
    published_on = published_on or (today - dt.timedelta(days=1) if is_public else None)
    if is_public and offline_on is None:
        offline_on = published_on + dt.timedelta(days=3 * 365) if published_on else None
    return Publication.objects.create(
        body=body, region=case.region, sector=case.sector, case=case, category=category,
        state=state, decision_number=number, decision_date=decision_date, title=title,
        party_display=public["party"], party_credit_code=public["party_credit_code"],
        fine=500000 if category == Category.PENALTY else None,
        original=original or dict(public), public=public, due_on=decision_date,
        due_rule="publicity_decision_7", published_on=published_on,
        published_at=timezone.now() if published_on else None,
        period_months=36 if published_on else None, offline_on=offline_on,
        changed_at=timezone.now() if published_on else None)
