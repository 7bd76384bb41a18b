"""Prior notice, statement and defence, the hearing branch and the ban on a heavier penalty
(APL arts. 44, 45, 62–65)."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests import factories as f
from zhifa.cases.guards import GuardContext, hearing_held_if_requested
from zhifa.cases.models import DeadlineState
from zhifa.cases.procedures import procedure_get
from zhifa.catalog.models import PartyType

from .factories import Agency, act, refused, reported

pytestmark = pytest.mark.django_db

D = dt.date
NOTICE = D(2026, 9, 22)  # a Tuesday; 25 September is the Mid-autumn holiday
DEFENCE_SOURCE = "行政处罚法第四十五条、第六十二条、第六十四条"


def with_hearing_right(a: Agency) -> None:
    # Hunan practice: 20,000 yuan for organisations is a "large" fine (APL art. 63).
    f.hearing_threshold(a.regions["province"], PartyType.ORGANISATION, 2_000_000)


def notified(a: Agency, *, fine: str = "5000", **report: Any) -> Any:
    case = reported(a, fine=fine, **report)
    act(a, case, "serve_notice", acted_on=NOTICE, served_on=NOTICE, method="direct")
    return case


def decide(a: Agency, case: Any, on: D, **data: Any) -> Any:
    base = {"outcome": "penalty", "kinds": ["fine"], "fine": "5000", "reasons": "证据确凿"}
    return act(a, case, "decide", acted_on=on, **{**base, **data})


def refuse_decision(a: Agency, case: Any, on: D, code: str, **data: Any) -> Any:
    base = {"outcome": "penalty", "kinds": ["fine"], "fine": "5000", "reasons": "证据确凿"}
    return refused(a, case, "decide", code, acted_on=on, **{**base, **data})


def running(case: Any) -> dict[str, D]:
    return {d.rule_code: d.due for d in case.deadlines.filter(state=DeadlineState.RUNNING)}


# --- no penalty decision before the prior notice ------------------------------------------

def test_no_penalty_decision_before_the_prior_notice(a: Agency) -> None:
    case = reported(a)
    exc = refuse_decision(a, case, D(2026, 9, 25), "prior_notice_missing")
    message = "尚未送达拟作出行政处罚的事先告知书。"
    assert exc.message == f"{message}（行政处罚法第四十四条、第六十二条）"
    assert exc.detail == [{"code": "prior_notice_missing", "message": message,
                           "source": "行政处罚法第四十四条、第六十二条"}]


def test_no_penalty_and_transfer_need_no_prior_notice(a: Agency) -> None:
    case = reported(a, kinds=[], fine="")
    assert case.proposed_kinds == []
    decide(a, case, D(2026, 9, 25), outcome="no_penalty", kinds=[], fine="",
           no_penalty_reason="not_established", reasons="违法事实不能成立")
    assert (case.stage, case.outcome, case.final_kinds, case.final_fine) == (
        "decided", "no_penalty", [], None)
    other = reported(a, kinds=[], fine="")
    decide(a, other, D(2026, 9, 25), outcome="transfer", kinds=[], fine="",
           reasons="涉嫌犯罪，移送公安机关")
    assert (other.stage, other.outcome) == ("decided", "transfer")


def test_a_notice_needs_a_proposed_penalty(a: Agency) -> None:
    case = reported(a, kinds=[], fine="")
    exc = refused(a, case, "serve_notice", "no_proposed_penalty", acted_on=NOTICE,
                  served_on=NOTICE, method="direct")
    assert exc.message == "请先提交拟作出行政处罚的案件调查终结报告。"


# --- the defence period ---------------------------------------------------------------------

def test_the_notice_starts_the_statement_period_in_working_days(a: Agency) -> None:
    case = notified(a)
    # 23, 24 September, then the Mid-autumn holiday and the weekend, then 28 September.
    assert running(case) == {"apl_decision_90": D(2026, 12, 1), "apl_statement_3": D(2026, 9, 28)}
    assert case.hearing_right is False
    assert case.notice_served_on == NOTICE


def test_no_decision_while_the_party_may_still_defend(a: Agency) -> None:
    case = notified(a)
    exc = refuse_decision(a, case, D(2026, 9, 28), "defence_period_running")
    message = ("当事人在2026-09-28前仍可进行陈述、申辩或者要求听证；请在该日期之后作出决定，"
               "或者登记当事人书面放弃权利。")
    assert exc.message == f"{message}（{DEFENCE_SOURCE}）"
    assert exc.detail == [{"code": "defence_period_running", "message": message,
                           "source": DEFENCE_SOURCE}]
    decide(a, case, D(2026, 9, 29))
    assert case.stage == "decided"


def test_the_hearing_request_period_also_holds_the_decision(a: Agency) -> None:
    with_hearing_right(a)
    case = notified(a, fine="30000")
    assert case.hearing_right is True
    assert running(case)["apl_hearing_request_5"] == D(2026, 9, 30)
    exc = refuse_decision(a, case, D(2026, 9, 29), "defence_period_running", fine="30000")
    assert "2026-09-30前" in exc.detail[0]["message"]
    decide(a, case, D(2026, 10, 8), fine="30000")
    assert case.stage == "decided"


def test_a_written_waiver_allows_an_early_decision(a: Agency) -> None:
    with_hearing_right(a)
    case = notified(a, fine="30000")
    act(a, case, "waive_defence", acted_on=D(2026, 9, 23), proof="当事人放弃陈述申辩听证声明书")
    assert case.defence_waived is True
    assert set(running(case)) == {"apl_decision_90"}
    decide(a, case, D(2026, 9, 23), fine="30000")
    assert (case.stage, case.decided_on) == ("decided", D(2026, 9, 23))


# --- the hearing ------------------------------------------------------------------------------

def test_a_hearing_request_without_a_hearing_right_is_refused(a: Agency) -> None:
    case = notified(a)
    exc = refused(a, case, "request_hearing", "no_hearing_right", acted_on=D(2026, 9, 24),
                  requested_on=D(2026, 9, 24))
    assert exc.detail == [{"code": "no_hearing_right",
                           "message": "拟作出的行政处罚不属于当事人有权要求听证的情形。",
                           "source": "行政处罚法第六十三条"}]


def test_a_licence_revocation_always_gives_a_hearing_right(a: Agency) -> None:
    case = notified(a, kinds=["revoke_licence"], fine="")
    assert case.hearing_right is True


def test_a_late_hearing_request_is_refused(a: Agency) -> None:
    with_hearing_right(a)
    case = notified(a, fine="30000")
    exc = refused(a, case, "request_hearing", "hearing_request_late", acted_on=D(2026, 10, 8),
                  requested_on=D(2026, 10, 8))
    message = "当事人于2026-10-08要求听证，申请期限已于2026-09-30届满。"
    assert exc.message == f"{message}（行政处罚法第六十四条）"


def test_a_requested_hearing_must_be_notified_held_and_then_decided(a: Agency) -> None:
    with_hearing_right(a)
    case = notified(a, fine="30000")
    act(a, case, "request_hearing", acted_on=D(2026, 9, 24), requested_on=D(2026, 9, 24))
    assert (case.stage, case.hearing_requested_on) == ("hearing", D(2026, 9, 24))
    assert running(case) == {"apl_decision_90": D(2026, 12, 1), "apl_statement_3": D(2026, 9, 28)}
    # no decision while the hearing is pending: the procedure does not offer it
    exc = refuse_decision(a, case, D(2026, 10, 8), "action_not_available", fine="30000")
    assert exc.message == "“听证”环节不能进行“作出决定”。"
    # notified on 24 September: 7 working days are 28–30 September, 8, 9 October, the
    # make-up Saturday 10 October and Monday 12 October (National Day in between)
    exc = refused(a, case, "schedule_hearing", "hearing_notice_short", acted_on=D(2026, 9, 24),
                  hearing_on=D(2026, 10, 10), place="第一会议室")
    message = "应当在举行听证的7 个工作日前通知当事人：听证最早可于2026-10-12举行。"
    assert exc.detail == [{"code": "hearing_notice_short", "message": message,
                           "source": "行政处罚法第六十四条"}]
    act(a, case, "schedule_hearing", acted_on=D(2026, 9, 24), hearing_on=D(2026, 10, 12),
        place="第一会议室")
    assert case.hearing_on == D(2026, 10, 12)
    exc = refused(a, case, "hold_hearing", "hearing_not_yet", acted_on=D(2026, 10, 9),
                  presiding="赵敏", record="当事人到场陈述")
    assert exc.detail[0]["message"] == "听证定于2026-10-12举行。"
    act(a, case, "hold_hearing", acted_on=D(2026, 10, 12), presiding="赵敏",
        record="当事人到场陈述")
    assert (case.stage, case.hearing_held_on) == ("notified", D(2026, 10, 12))
    # a legal review after the hearing (APL art. 58 §1(2); see test_guard_review_after_hearing)
    act(a, case, "submit_legal_review", acted_on=D(2026, 10, 13))
    act(a, case, "record_review_opinion", actor=a.u_reviewer, acted_on=D(2026, 10, 13),
        outcome="agree", opinion="同意")
    decide(a, case, D(2026, 10, 14), fine="30000")
    assert case.stage == "decided"


def test_a_hearing_cannot_be_held_before_it_is_notified(a: Agency) -> None:
    with_hearing_right(a)
    case = notified(a, fine="30000")
    act(a, case, "request_hearing", acted_on=D(2026, 9, 24), requested_on=D(2026, 9, 24))
    exc = refused(a, case, "hold_hearing", "hearing_not_notified", acted_on=D(2026, 10, 12),
                  presiding="赵敏", record="当事人到场陈述")
    assert exc.detail[0]["message"] == "尚未通知听证。"


def test_the_hearing_guard_refuses_a_penalty_while_a_requested_hearing_is_not_held(
        a: Agency) -> None:
    with_hearing_right(a)
    case = notified(a, fine="30000")
    act(a, case, "request_hearing", acted_on=D(2026, 9, 24), requested_on=D(2026, 9, 24))
    proc = procedure_get("general")

    def ctx(outcome: str) -> GuardContext:
        return GuardContext(case=case, actor=a.u_officer, procedure=proc,
                            action=proc.action("decide"),  # type: ignore[arg-type]
                            data={"outcome": outcome}, on=D(2026, 10, 8),
                            today=timezone.localdate())

    assert [r.as_dict() for r in hearing_held_if_requested(ctx("penalty"))] == [{
        "code": "hearing_not_held", "message": "当事人已要求听证，应当在作出决定前举行听证。",
        "source": "行政处罚法第六十三条、第六十五条"}]
    assert hearing_held_if_requested(ctx("no_penalty")) == []


# --- not heavier than proposed ----------------------------------------------------------------

INCREASE_SOURCE = "行政处罚法第四十五条"


def test_a_higher_fine_than_proposed_is_refused(a: Agency) -> None:
    case = notified(a)
    exc = refuse_decision(a, case, D(2026, 9, 29), "penalty_increased", fine="6000")
    message = ("决定的罚款6,000.00元高于事先告知书拟作出的5,000.00元；不得因当事人陈述、申辩而"
               "给予更重的处罚。确需加重的，应当重新进行事先告知。")
    assert exc.message == f"{message}（{INCREASE_SOURCE}）"


def test_an_added_penalty_kind_is_refused(a: Agency) -> None:
    case = notified(a)
    exc = refuse_decision(a, case, D(2026, 9, 29), "penalty_kind_added",
                          kinds=["fine", "warning"])
    assert exc.detail == [{"code": "penalty_kind_added",
                           "message": "决定增加了事先告知书未载明的处罚种类。",
                           "source": "行政处罚法第四十四条、第四十五条"}]


def test_an_added_confiscation_is_refused_as_a_kind_and_as_an_amount(a: Agency) -> None:
    case = notified(a)
    exc = refuse_decision(a, case, D(2026, 9, 29), "penalty_kind_added",
                          kinds=["fine", "confiscate_gains"], confiscation="800")
    assert [r["code"] for r in exc.detail] == ["penalty_kind_added", "penalty_increased"]
    assert exc.detail[1]["message"] == (
        "决定的没收金额800.00元高于事先告知书拟作出的0.00元；不得因当事人陈述、申辩而给予更重"
        "的处罚。确需加重的，应当重新进行事先告知。")


def test_a_confiscation_above_the_proposed_value_is_refused(a: Agency) -> None:
    case = notified(a, kinds=["fine", "confiscate_gains"], confiscation="1000")
    exc = refuse_decision(a, case, D(2026, 9, 29), "penalty_increased",
                          kinds=["fine", "confiscate_gains"], confiscation="1000.01")
    assert "没收金额1,000.01元" in exc.detail[0]["message"]
    decide(a, case, D(2026, 9, 29), kinds=["confiscate_gains"], fine="", confiscation="1000")
    assert (case.final_kinds, case.final_fine, case.final_confiscation) == (
        ["confiscate_gains"], None, 100_000)


def test_a_lighter_penalty_is_allowed(a: Agency) -> None:
    case = notified(a)
    decide(a, case, D(2026, 9, 29), fine="3000")
    assert case.final_fine == 300_000


def test_a_heavier_penalty_needs_a_new_report_and_a_new_notice(a: Agency) -> None:
    with_hearing_right(a)
    case = notified(a)
    refuse_decision(a, case, D(2026, 9, 29), "penalty_increased", fine="30000")
    act(a, case, "submit_report", acted_on=D(2026, 9, 29), facts="补充查明违法所得",
        kinds=["fine"], fine="30000")
    assert (case.stage, case.proposed_fine, case.notice_served_on, case.hearing_right) == (
        "reported", 3_000_000, None, False)
    assert running(case) == {"apl_decision_90": D(2026, 12, 1)}
    # the first notice no longer counts
    refuse_decision(a, case, D(2026, 9, 30), "prior_notice_missing", fine="30000")
    act(a, case, "serve_notice", acted_on=D(2026, 9, 30), served_on=D(2026, 9, 30),
        method="direct")
    assert case.hearing_right is True
    # five working days after 30 September: 8, 9, 10 (make-up), 12, 13 October
    assert running(case)["apl_hearing_request_5"] == D(2026, 10, 13)
    refuse_decision(a, case, D(2026, 10, 13), "defence_period_running", fine="30000")
    decide(a, case, D(2026, 10, 14), fine="30000")
    assert case.final_fine == 3_000_000
