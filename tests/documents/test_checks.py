"""The documents app's ``decision_document`` guard hook, through ``case_act`` on real cases:
a general decision needs its complete draft decision document with the three reasons; a
summary decision a free serial of the body's books."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.cases.factories import Agency, act, general_to_notice, open_case, person_party
from tests.cases.factories import refused as case_refused
from tests.documents.factories import decision_draft
from zhifa.cases.services import approval_decide, case_act
from zhifa.core.errors import ApplicationError
from zhifa.documents.services import document_update, document_void, serial_book_register
from zhifa.documents.services.checks import missing

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_hooks")]
D = dt.date
ON = D(2026, 9, 29)


def decide(a: Agency, case: Any, outcome: str = "penalty", **data: Any) -> Any:
    extra: dict[str, Any] = ({"kinds": ["fine"], "fine": "5000"} if outcome == "penalty"
                             else {"no_penalty_reason": "minor"} if outcome == "no_penalty"
                             else {})
    return act(a, case, "decide", acted_on=ON, outcome=outcome, reasons="见决定书",
               **{**extra, **data})


def refuse(a: Agency, case: Any, code: str, outcome: str = "penalty") -> ApplicationError:
    extra: dict[str, Any] = ({"kinds": ["fine"], "fine": "5000"} if outcome == "penalty"
                             else {"no_penalty_reason": "minor"})
    return case_refused(a, case, "decide", code, acted_on=ON, outcome=outcome,
                        reasons="见决定书", **extra)


def test_decide_needs_the_draft_decision(a: Agency) -> None:
    case = general_to_notice(a)
    err = refuse(a, case, "decision_document_missing")
    assert "行政处罚决定书" in err.message
    assert err.detail[0]["detail"] == {"doc_type": "penalty_decision"}
    # a no-penalty decision needs its own document, not the penalty decision
    decision_draft(a, case, "penalty")
    err = refuse(a, case, "decision_document_missing", "no_penalty")
    assert "不予行政处罚决定书" in err.message


def test_decide_needs_the_three_reasons(a: Agency) -> None:
    case = general_to_notice(a)
    doc = decision_draft(a, case, 裁量理由="", 依据选择理由=" ")
    err = refuse(a, case, "decision_reasons_missing")
    assert "依据选择理由、裁量理由" in err.message
    assert err.detail[0]["detail"] == {"document": str(doc.public_id),
                                       "reasons": ["依据选择理由", "裁量理由"]}
    assert [r["code"] for r in err.detail] == ["decision_reasons_missing"]


def test_decide_needs_the_drafted_elements(a: Agency) -> None:
    case = general_to_notice(a)
    doc = decision_draft(a, case, 处罚内容="", 裁量理由="")
    err = refuse(a, case, "decision_reasons_missing")
    assert [r["code"] for r in err.detail] == ["decision_reasons_missing",
                                               "decision_elements_missing"]
    assert "处罚内容" in err.detail[1]["message"]
    assert err.detail[1]["detail"]["elements"][0]["placeholders"] == ["处罚内容"]
    document_update(actor=a.u_officer, document=doc, fields={"裁量理由": "从轻"})
    err = refuse(a, case, "decision_elements_missing")
    assert "处罚内容" in err.message


def test_a_complete_draft_lets_the_decision_through(a: Agency) -> None:
    case = general_to_notice(a)
    decision_draft(a, case, 裁量理由="")  # an older incomplete draft does not matter
    decision_draft(a, case)
    decide(a, case)
    assert (case.stage, case.outcome) == ("decided", "penalty")


def test_a_voided_draft_does_not_count(a: Agency) -> None:
    case = general_to_notice(a)
    doc = decision_draft(a, case)
    document_void(actor=a.u_officer, document=doc, reason="重新起草")
    refuse(a, case, "decision_document_missing")


def test_a_no_penalty_decision_and_a_transfer(a: Agency) -> None:
    case = general_to_notice(a)
    decision_draft(a, case, "no_penalty")
    decide(a, case, "no_penalty")
    assert case.outcome == "no_penalty"
    other = general_to_notice(a)
    decide(a, other, "transfer")  # the case goes to the judicial organs: no decision here
    assert other.outcome == "transfer"


def test_the_draft_is_checked_again_when_the_decision_is_approved(a: Agency) -> None:
    case = general_to_notice(a)
    doc = decision_draft(a, case)
    result = case_act(actor=a.u_officer, case=case, action="decide", data={
        "acted_on": ON.isoformat(), "outcome": "penalty", "kinds": ["fine"], "fine": "5000",
        "reasons": "见决定书"})
    assert result.approval is not None
    # the draft cannot be changed while the head looks at it (test_decision_integrity), but
    # it can be voided: the approval then finds no decision document
    document_void(actor=a.u_officer, document=doc, reason="重新起草")
    with pytest.raises(ApplicationError) as info:
        approval_decide(actor=a.u_head, request=result.approval, approve=True)
    assert info.value.code == "decision_document_missing"
    case.refresh_from_db()
    assert case.stage == "notified"


def test_missing_looks_at_drafted_values_only_when_asked() -> None:
    values = {"违法事实": "x", "证据": "x", "违法依据": "x", "处罚依据": "x",
              "证据采信理由": "x", "依据选择理由": "x", "裁量理由": "x", "处罚内容": "x",
              "履行方式和期限": "x", "复议机关": "x", "复议期限": "x", "诉讼法院": "x",
              "诉讼期限": "x"}
    found = missing("penalty_decision", values)
    # the party's address is an element of a decision (行政处罚法第五十九条第一款第一项)
    assert [e.placeholders for e in found] == [("当事人", "证件号码", "当事人地址"),
                                               ("机关名称", "日期")]
    assert missing("penalty_decision", values, only=values) == []


# --- the summary procedure's serial -----------------------------------------------------------

def on_spot(a: Agency, case: Any, serial: str) -> Any:
    return act(a, case, "decide_on_spot", acted_on=D(2026, 9, 1), act_date=D(2026, 9, 1),
               facts="当事人占道经营", kinds=["fine"], fine="50", serial=serial)


def summary(a: Agency) -> Any:
    return open_case(a, "summary", received_on=D(2026, 9, 1), parties=[person_party()])


def test_a_summary_decision_needs_a_free_serial_of_the_books(a: Agency) -> None:
    # no books: any serial
    on_spot(a, summary(a), "S-0001")
    serial_book_register(actor=a.u_head, body=a.body, first=1, last=50, prefix="湘F",
                         received_on=D(2026, 8, 1))
    base = {"acted_on": D(2026, 9, 1), "act_date": D(2026, 9, 1), "facts": "当事人占道经营",
            "kinds": ["fine"], "fine": "50"}
    err = case_refused(a, summary(a), "decide_on_spot", "serial_unknown", serial="S-0002",
                       **base)
    assert "S-0002" in err.message
    from zhifa.documents.services import serial_void

    serial_void(actor=a.u_head, body=a.body, serial="湘F00000007", reason="填错")
    case_refused(a, summary(a), "decide_on_spot", "serial_used", serial="湘F00000007",
                 **base)
    case = summary(a)
    on_spot(a, case, "湘F00000008")
    assert case.stage == "decided"
