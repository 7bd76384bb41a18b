"""Documents on a case, made through the services (``zhifa.documents.services``).

``decision_draft`` is the one other tests need most: since issue 5 a general-procedure
``decide`` is refused unless the case has a complete draft decision document with its three
written reasons (``services.checks.decision_document_hook``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from tests.cases.factories import Agency, act
from zhifa.cases.models import Case
from zhifa.core.errors import ApplicationError
from zhifa.documents.doctypes import doctype
from zhifa.documents.models import Document

REASONS = {
    "证据采信理由": ("现场检查笔录、抽样检验报告与当事人陈述相互印证，证明当事人销售的产品"
                     "经检验不合格；当事人提出的进货凭证不能证明其不知道该产品不合格，不予采信。"),
    "依据选择理由": "当事人的行为属于销售不合格产品，适用《中华人民共和国产品质量法》"
                    "第三十九条、第五十条，不适用其他规定。",
    "裁量理由": "当事人初次违法，违法货值较小，积极配合调查，依照裁量基准属于从轻情形，"
                "在法定幅度内从轻处罚。",
}

# a value for every drafted field a decision may have (a complete draft whatever the case)
FIELD_VALUES = {
    "违法事实": "经查，当事人于2026年8月销售不合格产品。",
    "证据": "1. 书证：抽样检验报告（检验机构）\n2. 勘验笔录、现场笔录：现场检查笔录（执法人员）",
    "违法依据": "《中华人民共和国产品质量法》第三十九条",
    "处罚依据": "《中华人民共和国产品质量法》第五十条",
    "处罚内容": "罚款人民币伍仟元整。",
    "履行方式和期限": "自收到本决定书之日起十五日内缴至指定银行。",
    "不予处罚理由": "当事人违法行为轻微并及时改正，没有造成危害后果。",
    "不予处罚依据": "《中华人民共和国行政处罚法》第三十三条第一款",
    "处罚时间地点": "2026年9月5日，长沙市芙蓉区某路1号",
    "复议机关": "长沙市芙蓉区人民政府",
    "复议期限": "六十日",
    "诉讼法院": "长沙市芙蓉区人民法院",
    "诉讼期限": "六个月",
    **REASONS,
}

OUTCOME_TYPES = {"penalty": "penalty_decision", "no_penalty": "no_penalty_decision"}


def complete_fields(doc_type: str, **overrides: str) -> dict[str, str]:
    """A value for every drafted field of the type (a generic text where none is known)."""
    out = {f.name: FIELD_VALUES.get(f.name, f"{f.name}内容") for f in doctype(doc_type).fields}
    out.update(overrides)
    return out


def draft(a: Agency, case: Case, doc_type: str, *, actor: Any = None,
          fields: dict[str, str] | None = None) -> Document:
    from zhifa.documents.services import document_draft

    return document_draft(actor=actor or a.u_officer, case=case, doc_type=doc_type,
                          fields=fields)


def decision_draft(a: Agency, case: Case, outcome: str = "penalty", **overrides: str) -> Document:
    """A complete draft decision document for a general-procedure ``decide`` with ``outcome``
    (``penalty`` → 行政处罚决定书, ``no_penalty`` → 不予行政处罚决定书), the three reasons
    filled; ``overrides`` replace single drafted values (``裁量理由=""`` to leave one out)."""
    return draft(a, case, OUTCOME_TYPES[outcome], fields=complete_fields(
        OUTCOME_TYPES[outcome], **overrides))


def decided(a: Agency, case: Case, *, on: dt.date, outcome: str = "penalty",
            fine: str = "5000", **data: Any) -> Document:
    """Draft the decision document and take ``decide`` (approved by the head); the draft."""
    doc = decision_draft(a, case, outcome)
    extra: dict[str, Any] = {"kinds": ["fine"], "fine": fine} if outcome == "penalty" else {}
    act(a, case, "decide", acted_on=on, outcome=outcome, **{**extra, **data})
    doc.refresh_from_db()
    return doc


def issued(a: Agency, doc: Document, *, actor: Any = None,
           issued_on: dt.date | None = None) -> Document:
    from zhifa.documents.services import document_issue

    return document_issue(actor=actor or a.u_officer, document=doc, issued_on=issued_on)


def refused_unchanged(code: str, fn: Callable[[], Any],
                      state: Callable[[], Any]) -> ApplicationError:
    """Call ``fn``: it must refuse with ``code`` and leave ``state()`` as it was."""
    before = state()
    with pytest.raises(ApplicationError) as info:
        fn()
    assert info.value.code == code, (info.value.code, info.value.message, info.value.detail)
    assert state() == before
    return info.value
