"""Execution and closing (APL arts. 66–73, ACL arts. 53–54), once-only steps, and the
reason required for acting after a time limit."""

import datetime as dt
import json

import pytest

from zhifa.cases.models import Case, DeadlineState
from zhifa.cases.procedures.other import ACL18_STEPS
from zhifa.cases.services import approval_decide, case_act
from zhifa.core.errors import ApplicationError
from zhifa.ledger.models import LedgerEntry

from .factories import Agency, act, general_to_notice, open_case, refused, snapshot

pytestmark = pytest.mark.django_db

D = dt.date


def served(a: Agency, fine: str = "5000") -> Case:
    case = general_to_notice(a, fine=fine)  # notice served on 22 September
    act(a, case, "decide", acted_on=D(2026, 9, 29), outcome="penalty", kinds=["fine"],
        fine=fine, reasons="证据确凿")
    act(a, case, "serve_decision", acted_on=D(2026, 9, 30), served_on=D(2026, 9, 30),
        method="direct")
    return case


def test_payment_in_full_meets_the_payment_deadline(a: Agency) -> None:
    case = served(a)
    d = case.deadlines.get(rule_code="apl_payment_15")
    assert (d.start, d.due, d.state) == (D(2026, 9, 30), D(2026, 10, 15), DeadlineState.RUNNING)
    act(a, case, "record_payment", acted_on=D(2026, 10, 9), amount="2000", receipt="R1")
    d.refresh_from_db()
    assert (case.stage, case.paid, d.state) == ("executing", 200_000, DeadlineState.RUNNING)
    act(a, case, "record_payment", acted_on=D(2026, 10, 12), amount="3000", receipt="R2")
    d.refresh_from_db()
    assert (case.paid, d.state, d.met_on) == (500_000, DeadlineState.MET, D(2026, 10, 12))


def test_an_overpayment_or_a_zero_payment_is_refused(a: Agency) -> None:
    case = served(a)
    exc = refused(a, case, "record_payment", "overpayment", acted_on=D(2026, 10, 9),
                  amount="5000.01", receipt="R1")
    assert exc.detail == {"amount": "金额过大。"}
    exc = refused(a, case, "record_payment", "invalid_fields", acted_on=D(2026, 10, 9),
                  amount="0", receipt="R1")
    assert exc.detail == {"amount": "金额必须大于零。"}


def test_no_closing_before_the_fine_is_paid_or_enforcement_applied_for(a: Agency) -> None:
    case = served(a)
    act(a, case, "record_payment", acted_on=D(2026, 10, 9), amount="1000", receipt="R1")
    exc = refused(a, case, "close", "execution_incomplete", acted_on=D(2026, 10, 20),
                  summary="结案")
    message = "应缴罚款5,000.00元，已缴纳1,000.00元，且未申请人民法院强制执行：案件暂不能结案。"
    source = "行政处罚法第六十七条、第七十二条；行政强制法第五十三条"
    assert exc.message == f"{message}（{source}）"
    act(a, case, "record_payment", acted_on=D(2026, 10, 12), amount="4000", receipt="R2")
    act(a, case, "close", acted_on=D(2026, 10, 20), summary="罚款已全额缴纳")
    assert (case.stage, case.status, case.closed_on) == ("closed", "closed", D(2026, 10, 20))


def test_court_enforcement_only_after_the_reminder_period(a: Agency) -> None:
    case = served(a)
    act(a, case, "record_payment", acted_on=D(2026, 10, 9), amount="1000", receipt="R1")
    exc = refused(a, case, "apply_court_enforcement", "reminder_missing",
                  acted_on=D(2026, 10, 20), court="芙蓉区人民法院")
    assert exc.detail == [{"code": "reminder_missing",
                           "message": "申请人民法院强制执行前，应当先送达催告书。",
                           "source": "行政强制法第五十四条"}]
    act(a, case, "send_reminder", acted_on=D(2026, 10, 20), served_on=D(2026, 10, 20))
    d = case.deadlines.get(rule_code="acl_reminder_10")
    assert d.due == D(2026, 11, 3)  # ten working days after Tuesday 20 October
    exc = refused(a, case, "apply_court_enforcement", "reminder_period_running",
                  acted_on=D(2026, 11, 3), court="芙蓉区人民法院")
    assert exc.detail[0]["message"] == "催告书送达后，当事人可在2026-11-03前履行义务。"
    act(a, case, "apply_court_enforcement", acted_on=D(2026, 11, 4), court="芙蓉区人民法院")
    d.refresh_from_db()
    assert (case.court_applied_on, d.state) == (D(2026, 11, 4), DeadlineState.CANCELLED)
    act(a, case, "close", acted_on=D(2026, 11, 5), summary="已申请法院强制执行")
    assert case.status == "closed"


def test_a_second_reminder_restarts_the_period(a: Agency) -> None:
    case = served(a)
    act(a, case, "send_reminder", acted_on=D(2026, 10, 20), served_on=D(2026, 10, 20))
    act(a, case, "send_reminder", acted_on=D(2026, 11, 2), served_on=D(2026, 11, 2))
    # the first period ended on 3 November; the second runs to 16 November
    refused(a, case, "apply_court_enforcement", "reminder_period_running",
            acted_on=D(2026, 11, 4), court="芙蓉区人民法院")
    act(a, case, "apply_court_enforcement", acted_on=D(2026, 11, 17), court="芙蓉区人民法院")
    assert case.court_applied_on == D(2026, 11, 17)


# --- once only -------------------------------------------------------------------------------

def test_a_measure_is_extended_only_once(a: Agency) -> None:
    case = open_case(a, "coercive", received_on=D(2026, 9, 1))
    act(a, case, "apply_measure", acted_on=D(2026, 9, 2), measure="seal", items="设备3台",
        place="某厂车间", steps=[s for s, _l in ACL18_STEPS],
        onsite_from="2026-09-02T09:30", onsite_until="2026-09-02T10:40")
    act(a, case, "extend_measure", acted_on=D(2026, 9, 28), days=30, reason="案情复杂")
    exc = refused(a, case, "extend_measure", "action_once", acted_on=D(2026, 9, 29), days=10,
                  reason="仍需延长")
    assert exc.message == "每个案件只能进行一次此操作。"


def test_missing_materials_are_listed_only_once(a: Agency) -> None:
    case = open_case(a, "licensing", received_on=D(2026, 9, 1), source_kind="application")
    act(a, case, "request_materials", acted_on=D(2026, 9, 2), missing="营业执照复印件")
    act(a, case, "materials_supplied", acted_on=D(2026, 9, 9))
    refused(a, case, "request_materials", "action_once", acted_on=D(2026, 9, 10),
            missing="再补充")


# --- acting late -----------------------------------------------------------------------------

def late_case(a: Agency) -> Case:
    # registered 1 July: the 90 days end on Tuesday 29 September
    case = general_to_notice(a, received=D(2026, 6, 30))
    assert case.deadlines.get(rule_code="apl_decision_90").due == D(2026, 9, 29)
    return case


DECISION = {"acted_on": "2026-10-09", "outcome": "penalty", "kinds": ["fine"], "fine": "5000",
            "reasons": "证据确凿"}


def test_a_late_decision_needs_a_reason(a: Agency) -> None:
    case = late_case(a)
    before = snapshot(case)
    with pytest.raises(ApplicationError) as exc:
        case_act(actor=a.u_officer, case=case, action="decide", data=DECISION)
    assert exc.value.code == "late_reason_required"
    assert exc.value.message == (
        "“一般程序行政处罚决定期限”已于2026-09-29届满，请登记超期办理的理由。")
    assert exc.value.detail == [{"rule": "apl_decision_90", "due": "2026-09-29"}]
    assert snapshot(case) == before
    with pytest.raises(ApplicationError):
        case_act(actor=a.u_officer, case=case, action="decide", data=DECISION,
                 late_reason="   ")
    assert snapshot(case) == before


def test_the_late_reason_is_kept_on_the_deadline_the_step_and_the_ledger(a: Agency) -> None:
    case = late_case(a)
    reason = "案情复杂，经负责人批准延长办案期限"
    request = case_act(actor=a.u_officer, case=case, action="decide", data=DECISION,
                       late_reason=f"  {reason} ").approval
    assert request.late_reason == reason
    step = approval_decide(actor=a.u_head, request=request, approve=True).step
    d = case.deadlines.get(rule_code="apl_decision_90")
    assert (d.state, d.met_on, d.late_reason) == (DeadlineState.MET, D(2026, 10, 9), reason)
    assert step.late_reason == reason
    payload = json.loads(LedgerEntry.objects.get(seq=step.ledger_seq).payload)
    assert payload["late_reason"] == reason
    assert payload["approved_by"] == ["王芳"]


def test_a_late_step_without_approval_needs_a_reason_too(a: Agency) -> None:
    case = late_case(a)
    request = case_act(actor=a.u_officer, case=case, action="decide", data=DECISION,
                       late_reason="案情复杂").approval
    approval_decide(actor=a.u_head, request=request, approve=True)
    # decided on Friday 9 October: service within 7 working days, the make-up Saturday
    # 10 October included, ends on Monday 19 October
    assert case.deadlines.get(rule_code="apl_service_7").due == D(2026, 10, 19)
    data = {"acted_on": "2026-10-20", "served_on": "2026-10-20", "method": "mail"}
    before = snapshot(case)
    with pytest.raises(ApplicationError) as exc:
        case_act(actor=a.u_officer, case=case, action="serve_decision", data=data)
    assert exc.value.code == "late_reason_required"
    assert snapshot(case) == before
    result = case_act(actor=a.u_officer, case=case, action="serve_decision", data=data,
                      late_reason="当事人下落不明，邮寄退回后重新送达")
    d = case.deadlines.get(rule_code="apl_service_7")
    assert (d.state, d.late_reason) == (DeadlineState.MET, "当事人下落不明，邮寄退回后重新送达")
    assert result.step.late_reason == "当事人下落不明，邮寄退回后重新送达"


def test_a_step_on_the_due_date_is_not_late(a: Agency) -> None:
    case = late_case(a)
    result = case_act(actor=a.u_officer, case=case, action="decide",
                      data={**DECISION, "acted_on": "2026-09-29"})
    step = approval_decide(actor=a.u_head, request=result.approval, approve=True).step
    assert step.late_reason == ""


