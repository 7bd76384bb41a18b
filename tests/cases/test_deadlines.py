"""Deadlines of cases on the working-day calendar: started and met by steps, moved by
pauses and extensions, provisional in a year without holiday data and final once that year
is published."""

import datetime as dt
import json
from typing import Any

import pytest

from zhifa.cases.models import Case, CasePause, CaseStatus, DeadlineState
from zhifa.cases.procedures.other import ACL18_STEPS
from zhifa.cases.selectors import provisional_deadlines, workbench_for
from zhifa.ledger.models import LedgerEntry
from zhifa.workdays.models import DayKind
from zhifa.workdays.services import DayIn, calendar_year_publish

from .factories import Agency, act, general_to_notice, open_case, refused, registered

pytestmark = pytest.mark.django_db

D = dt.date


def deadline(case: Case, rule: str) -> Any:
    return case.deadlines.filter(rule_code=rule).order_by("-id").first()


def test_the_decision_deadline_runs_from_registration_across_national_day(a: Agency) -> None:
    # registered Sunday 5 July 2026: 90 days end on Saturday 3 October, in the National Day
    # holiday (1–7 October), so the deadline is the next working day, Thursday 8 October
    case = registered(a, received=D(2026, 7, 4))
    d = deadline(case, "apl_decision_90")
    assert (d.start, d.due, d.provisional, d.state) == (
        D(2026, 7, 5), D(2026, 10, 8), False, DeadlineState.RUNNING)
    assert (d.label, d.source) == ("一般程序行政处罚决定期限", "行政处罚法第六十条")


def test_licensing_acceptance_across_the_spring_festival(a: Agency) -> None:
    # received Thursday 12 February 2026: Friday 13 (1), the make-up Saturday 14 (2), the
    # holiday 15–23 February, then 24, 25, 26 February (5)
    case = open_case(a, "licensing", received_on=D(2026, 2, 12), source_kind="application")
    d = deadline(case, "all_acceptance_5")
    assert (d.start, d.due, d.provisional) == (D(2026, 2, 12), D(2026, 2, 26), False)
    assert d.source == "行政许可法第三十二条"
    act(a, case, "accept", acted_on=D(2026, 2, 26))
    d.refresh_from_db()
    assert (d.state, d.met_on) == (DeadlineState.MET, D(2026, 2, 26))
    # 20 working days from 26 February, the make-up Saturday 28 February counting
    assert deadline(case, "all_decision_20").due == D(2026, 3, 25)


def test_suspension_moves_the_decision_deadline_by_the_paused_days(a: Agency) -> None:
    case = registered(a, received=D(2026, 7, 4))
    act(a, case, "start_investigation", acted_on=D(2026, 7, 6))
    act(a, case, "suspend", acted_on=D(2026, 8, 3), kind="testing", reason="等待检验报告")
    assert case.status == CaseStatus.SUSPENDED
    pause = case.pauses.get()
    assert (pause.kind, pause.first_day, pause.last_day, pause.reason) == (
        "testing", D(2026, 8, 3), None, "等待检验报告")
    # while suspended only resuming is possible
    refused(a, case, "record_investigation", "action_not_available", acted_on=D(2026, 8, 5),
            kind="inspection", summary="检查")
    act(a, case, "resume", acted_on=D(2026, 8, 13))
    pause.refresh_from_db()
    assert (case.status, pause.last_day) == (CaseStatus.OPEN, D(2026, 8, 12))
    # 3–12 August (10 days) do not count: 3 October + 10 days = Tuesday 13 October
    assert deadline(case, "apl_decision_90").due == D(2026, 10, 13)


def test_resuming_on_the_day_of_suspension_changes_nothing(a: Agency) -> None:
    case = registered(a, received=D(2026, 7, 4))
    act(a, case, "suspend", acted_on=D(2026, 8, 3), kind="suspension", reason="当事人下落不明")
    act(a, case, "resume", acted_on=D(2026, 8, 3))
    assert deadline(case, "apl_decision_90").due == D(2026, 10, 8)
    refused(a, case, "resume", "action_not_available", acted_on=D(2026, 8, 4))


def licensing_in_review(a: Agency) -> Case:
    case = open_case(a, "licensing", received_on=D(2026, 9, 1), source_kind="application")
    act(a, case, "accept", acted_on=D(2026, 9, 1))
    return case


def test_licensing_expert_review_pauses_the_decision_period(a: Agency) -> None:
    case = licensing_in_review(a)
    # 20 working days from 1 September, with the make-up Sunday 20 September and the
    # Mid-autumn holiday 25 September
    assert deadline(case, "all_decision_20").due == D(2026, 9, 29)
    act(a, case, "start_pause", acted_on=D(2026, 9, 7), kind="expert", reason="专家评审")
    assert case.status == CaseStatus.OPEN  # the review is paused, the case is not suspended
    act(a, case, "end_pause", acted_on=D(2026, 9, 14))
    assert list(CasePause.objects.filter(case=case).values_list(
        "kind", "first_day", "last_day")) == [("expert", D(2026, 9, 7), D(2026, 9, 13))]
    # five working days paused (7–11 September): 30 September, 8, 9, the make-up Saturday
    # 10 October and Monday 12 October
    assert deadline(case, "all_decision_20").due == D(2026, 10, 12)
    act(a, case, "extend_decision", acted_on=D(2026, 9, 28), reason="情况复杂")
    d = deadline(case, "all_decision_20")
    assert (d.extra, d.due) == (10, D(2026, 10, 26))
    refused(a, case, "extend_decision", "action_once", acted_on=D(2026, 9, 29), reason="再延长")


def seized(a: Agency) -> Case:
    case = open_case(a, "coercive", received_on=D(2026, 9, 1))
    act(a, case, "apply_measure", acted_on=D(2026, 9, 2), measure="seize", items="不合格产品",
        place="某仓库", steps=[s for s, _l in ACL18_STEPS],
        onsite_from="2026-09-02T09:30", onsite_until="2026-09-02T10:40")
    return case


def test_the_seizure_period_its_testing_pause_and_its_one_extension(a: Agency) -> None:
    case = seized(a)
    # 2 September + 30 days = Friday 2 October, in the holiday: Thursday 8 October
    d = deadline(case, "acl_seizure_30")
    assert (d.due, d.source) == (D(2026, 10, 8), "行政强制法第二十五条")
    act(a, case, "start_testing", acted_on=D(2026, 9, 10), reason="送检")
    act(a, case, "end_testing", acted_on=D(2026, 9, 20))
    assert (case.pauses.get().kind, case.pauses.get().last_day) == ("testing", D(2026, 9, 19))
    # ten days of testing do not count: 12 October
    assert deadline(case, "acl_seizure_30").due == D(2026, 10, 12)
    act(a, case, "extend_measure", acted_on=D(2026, 10, 9), days=30, reason="案情复杂")
    d = deadline(case, "acl_seizure_30")
    assert (d.extra, d.due) == (30, D(2026, 11, 11))
    refused(a, case, "extend_measure", "action_once", acted_on=D(2026, 10, 10), days=5,
            reason="再延")


def test_the_extension_adds_exactly_the_days_decided(a: Agency) -> None:
    case = seized(a)
    act(a, case, "start_testing", acted_on=D(2026, 9, 10), reason="送检")
    act(a, case, "end_testing", acted_on=D(2026, 9, 20))
    # 12 October (as above) + 16 days = Wednesday 28 October
    act(a, case, "extend_measure", acted_on=D(2026, 10, 9), days=16, reason="案情复杂")
    d = deadline(case, "acl_seizure_30")
    assert (d.extra, d.due) == (16, D(2026, 10, 28))


def test_extending_needs_a_running_period(a: Agency) -> None:
    case = seized(a)
    act(a, case, "handle", acted_on=D(2026, 9, 20), handling="release", reason="检验合格")
    assert case.stage == "handled"
    # extension is only offered while the measure is in force
    refused(a, case, "extend_measure", "action_not_available", acted_on=D(2026, 9, 21),
            days=30, reason="延长")


# --- a year without holiday data -------------------------------------------------------------

DAYS_2027 = [  # illustrative test data, not the State Council's notice
    DayIn(D(2027, 1, 1), DayKind.HOLIDAY, "元旦"),
    *[DayIn(D(2027, 2, d), DayKind.HOLIDAY, "春节") for d in range(5, 12)],
    DayIn(D(2027, 2, 14), DayKind.MAKE_UP_WORKDAY, "春节"),
]


def test_a_deadline_in_2027_is_provisional_until_2027_is_published(a: Agency) -> None:
    # registered 10 November 2026: 90 days end on Monday 8 February 2027, judged on weekends
    # only because 2027 has no holiday data yet
    case = registered(a, received=D(2026, 11, 9))
    d = deadline(case, "apl_decision_90")
    assert (d.due, d.provisional) == (D(2027, 2, 8), True)
    assert list(provisional_deadlines(a.u_officer)) == [d]
    assert workbench_for(a.u_officer, today=D(2026, 11, 26)).provisional == 1
    before = LedgerEntry.objects.count()
    calendar_year_publish(actor=a.u_sysadmin, year=2027, source="国务院办公厅通知（测试数据）",
                          days=DAYS_2027)
    d.refresh_from_db()
    # 8 February 2027 is in the Spring Festival holiday: the deadline is Friday 12 February
    assert (d.due, d.provisional) == (D(2027, 2, 12), False)
    assert list(provisional_deadlines(a.u_officer)) == []
    # the calendar entry, then the case's own entry
    assert LedgerEntry.objects.count() == before + 2
    entry = LedgerEntry.objects.filter(stream=case.stream).order_by("-stream_seq").first()
    assert (entry.event_code, entry.actor) == (4006, a.u_sysadmin)
    assert json.loads(entry.payload) == {
        "case": case.number, "rule": "apl_decision_90", "label": "一般程序行政处罚决定期限",
        "before": "2027-02-08", "due": "2027-02-12", "provisional": False}


def test_a_provisional_deadline_that_stays_put_becomes_final(a: Agency) -> None:
    # registered 19 November 2026: 90 days end on Wednesday 17 February 2027
    case = registered(a, received=D(2026, 11, 18))
    d = deadline(case, "apl_decision_90")
    assert (d.due, d.provisional) == (D(2027, 2, 17), True)
    calendar_year_publish(actor=a.u_sysadmin, year=2027, source="国务院办公厅通知（测试数据）",
                          days=DAYS_2027)
    d.refresh_from_db()
    assert (d.due, d.provisional) == (D(2027, 2, 17), False)
    entry = LedgerEntry.objects.filter(stream=case.stream).order_by("-stream_seq").first()
    assert json.loads(entry.payload)["before"] == "2027-02-17"
    assert entry.event_code == 4006


def test_finished_deadlines_are_not_recomputed(a: Agency) -> None:
    case = open_case(a, "licensing", received_on=D(2026, 11, 20), source_kind="application")
    act(a, case, "refuse_acceptance", acted_on=D(2026, 11, 23), reason="不属于本机关职权范围")
    d = deadline(case, "all_acceptance_5")
    assert (d.state, d.due, d.provisional) == (DeadlineState.MET, D(2026, 11, 27), False)
    entries = LedgerEntry.objects.filter(stream=case.stream).count()
    calendar_year_publish(actor=a.u_sysadmin, year=2027, source="国务院办公厅通知（测试数据）",
                          days=DAYS_2027)
    assert LedgerEntry.objects.filter(stream=case.stream).count() == entries


def test_a_deferred_payment_survives_the_publication_of_2027(a: Agency) -> None:
    case = general_to_notice(a, received=D(2026, 10, 15))  # notice served 5 November
    act(a, case, "decide", acted_on=D(2026, 11, 11), outcome="penalty", kinds=["fine"],
        fine="5000", reasons="证据确凿")
    act(a, case, "serve_decision", acted_on=D(2026, 11, 20), served_on=D(2026, 11, 20),
        method="direct")
    d = deadline(case, "apl_payment_15")
    # 15 days end on Saturday 5 December: Monday 7 December
    assert (d.due, d.provisional) == (D(2026, 12, 7), False)
    exc = refused(a, case, "grant_deferral", "invalid_fields", acted_on=D(2026, 11, 25),
                  kind="deferral", until=D(2026, 12, 7), reason="经济困难")
    assert exc.detail == {"until": "最终缴纳期限应当晚于2026-12-07。"}
    act(a, case, "grant_deferral", acted_on=D(2026, 11, 25), kind="deferral",
        until=D(2027, 1, 20), reason="当事人经济困难，申请暂缓缴纳")
    d.refresh_from_db()
    assert (d.extra, d.due, d.provisional, d.state) == (
        46, D(2027, 1, 20), True, DeadlineState.RUNNING)
    assert case.flags["payment_arrangement"] == "deferral"
    calendar_year_publish(actor=a.u_sysadmin, year=2027, source="国务院办公厅通知（测试数据）",
                          days=DAYS_2027)
    d.refresh_from_db()
    assert (d.due, d.provisional) == (D(2027, 1, 20), False)
