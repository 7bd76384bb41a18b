"""Limitation at registration (APL art. 36) and the party's age from the ID number
(APL art. 30)."""

import datetime as dt
import json
from typing import Any

import pytest

from zhifa.cases.models import Case
from zhifa.cases.services import approval_decide, case_act
from zhifa.ledger.models import LedgerEntry

from .factories import Agency, act, open_case, person_party, refused, reported

pytestmark = pytest.mark.django_db

D = dt.date
SOURCE = "行政处罚法第三十六条"


RECEIVED = D(2026, 9, 1)


def source_case(a: Agency, received: D = RECEIVED, **kwargs: Any) -> Case:
    return open_case(a, received_on=received, **kwargs)


def register(a: Agency, case: Case, act_date: D, **data: Any) -> Any:
    return act(a, case, "register", acted_on=D(2026, 9, 2), act_date=act_date,
               grounds="涉嫌销售不合格产品", **data)


def limitation_message(act_date: str, due: str, years: int = 2) -> str:
    return (f"{act_date}发生的违法行为于2026-09-01被发现，已超过{years}年追责时效（{due}届满），"
            "不再给予行政处罚。如仍需立案（例如违法行为有连续或者继续状态），请记录理由。")


def test_registration_within_the_limitation_period(a: Agency) -> None:
    # 1 September 2024 + 2 years = Tuesday 1 September 2026, the day the act was found.
    case = source_case(a)
    register(a, case, D(2024, 9, 1))
    assert (case.stage, case.registered_on, case.act_date) == (
        "registered", D(2026, 9, 2), D(2024, 9, 1))
    assert case.flags == {}


def test_registration_after_the_limitation_period_is_refused(a: Agency) -> None:
    # 1 August 2024 + 2 years = Saturday 1 August 2026: a substantive period, its end is not
    # moved to the next working day.
    case = source_case(a)
    exc = refused(a, case, "register", "limitation_expired", acted_on=D(2026, 9, 2),
                  act_date=D(2024, 8, 1), grounds="涉嫌销售不合格产品")
    message = limitation_message("2024-08-01", "2026-08-01")
    assert exc.message == f"{message}（{SOURCE}）"
    assert exc.detail == [{"code": "limitation_expired", "message": message,
                           "source": SOURCE}]
    assert case.stage == "source"


def test_five_years_when_life_health_or_financial_safety_was_harmed(a: Agency) -> None:
    case = source_case(a)
    register(a, case, D(2022, 1, 10), serious_harm=True)
    assert case.stage == "registered"
    other = source_case(a)
    exc = refused(a, other, "register", "limitation_expired", acted_on=D(2026, 9, 2),
                  act_date=D(2021, 8, 1), grounds="涉嫌销售不合格产品", serious_harm=True)
    # 1 August 2021 + 5 years: Saturday 1 August 2026, not rolled forward.
    assert exc.detail[0]["message"] == limitation_message("2021-08-01", "2026-08-01", 5)


def test_a_limitation_ending_on_a_weekend_is_not_moved_to_a_working_day(a: Agency) -> None:
    # 29 August 2024 + 2 years = Saturday 29 August 2026; found on Monday 31 August: too late
    case = source_case(a, received=D(2026, 8, 31))
    exc = refused(a, case, "register", "limitation_expired", acted_on=D(2026, 9, 1),
                  act_date=D(2024, 8, 29), grounds="涉嫌销售不合格产品")
    assert "已超过2年追责时效（2026-08-29届满）" in exc.detail[0]["message"]
    # found on the Saturday itself: still in time
    in_time = source_case(a, received=D(2026, 8, 29))
    act(a, in_time, "register", acted_on=D(2026, 8, 31), act_date=D(2024, 8, 29),
        grounds="涉嫌销售不合格产品")
    assert in_time.stage == "registered"


def test_a_limitation_from_29_february_ends_on_28_february(a: Agency) -> None:
    in_time = source_case(a, received=D(2026, 2, 28))
    act(a, in_time, "register", acted_on=D(2026, 3, 2), act_date=D(2024, 2, 29),
        grounds="涉嫌销售不合格产品")
    assert in_time.stage == "registered"
    late = source_case(a, received=D(2026, 3, 1))
    exc = refused(a, late, "register", "limitation_expired", acted_on=D(2026, 3, 2),
                  act_date=D(2024, 2, 29), grounds="涉嫌销售不合格产品")
    assert exc.detail[0]["message"] == (
        "2024-02-29发生的违法行为于2026-03-01被发现，已超过2年追责时效（2026-02-28届满），"
        "不再给予行政处罚。如仍需立案（例如违法行为有连续或者继续状态），请记录理由。")


def test_an_override_reason_registers_and_is_recorded(a: Agency) -> None:
    case = source_case(a)
    reason = "违法行为有继续状态，至2026年8月仍在销售"
    result = register(a, case, D(2024, 8, 1), limitation_override=reason)
    assert case.stage == "registered"
    assert case.flags == {"limitation_override": reason}
    assert result.step.data["limitation_override"] == reason
    payload = json.loads(LedgerEntry.objects.get(seq=result.step.ledger_seq).payload)
    assert payload["data"]["limitation_override"] == reason
    assert payload["action"] == "register"


def test_the_guard_is_checked_again_when_the_registration_is_approved(a: Agency) -> None:
    case = source_case(a)
    request = case_act(actor=a.u_officer, case=case, action="register",
                       data={"acted_on": "2026-09-02", "act_date": "2024-09-01",
                             "grounds": "涉嫌销售不合格产品"}).approval
    result = approval_decide(actor=a.u_head, request=request, approve=True)
    assert result.step.action == "register"


# --- age -------------------------------------------------------------------------------------

AGE_SOURCE = "行政处罚法第三十条"


def minor_case(a: Agency, birth: str, **report: Any) -> Case:
    # the act was on 22 August 2026 (received 1 September, act 10 days earlier)
    return reported(a, parties=[person_party(birth=birth)], **report)


def test_a_party_under_14_gets_no_penalty_notice(a: Agency) -> None:
    case = minor_case(a, "20120823")  # 14 on 23 August 2026, one day after the act
    party = case.parties.get()
    assert party.birth_date == D(2012, 8, 23)
    exc = refused(a, case, "serve_notice", "party_under_14", acted_on=D(2026, 9, 22),
                  served_on=D(2026, 9, 22), method="direct")
    message = ("陈某违法行为发生时13周岁。不满十四周岁的人有违法行为的，不予行政处罚，"
               "责令监护人加以管教。")
    assert exc.message == f"{message}（{AGE_SOURCE}）"
    assert exc.detail == [{"code": "party_under_14", "message": message,
                           "source": AGE_SOURCE}]


def test_a_party_under_14_is_decided_without_penalty(a: Agency) -> None:
    case = minor_case(a, "20120823", kinds=[], fine="")
    exc = refused(a, case, "decide", "prior_notice_missing", acted_on=D(2026, 9, 22),
                  outcome="penalty", kinds=["warning"], reasons="违法")
    assert [r["code"] for r in exc.detail] == ["prior_notice_missing", "penalty_kind_added",
                                                "party_under_14"]
    result = act(a, case, "decide", acted_on=D(2026, 9, 22), outcome="no_penalty",
                 no_penalty_reason="under_age", reasons="当事人不满十四周岁，责令监护人加以管教")
    assert (case.stage, case.outcome) == ("decided", "no_penalty")
    assert result.warnings == ()
    assert case.flags == {}


def test_a_party_aged_14_to_17_is_flagged_for_a_lighter_penalty(a: Agency) -> None:
    case = minor_case(a, "20120822")  # 14 on the day of the act
    result = act(a, case, "serve_notice", acted_on=D(2026, 9, 22), served_on=D(2026, 9, 22),
                 method="direct")
    message = "陈某违法行为发生时14周岁，已满十四周岁不满十八周岁，应当从轻或者减轻行政处罚。"
    assert [w.as_dict() for w in result.warnings] == [{
        "code": "party_minor", "message": message, "source": AGE_SOURCE, "warning": True}]
    assert case.stage == "notified"
    assert case.flags == {"party_minor": True}
    payload = json.loads(LedgerEntry.objects.get(seq=result.step.ledger_seq).payload)
    assert payload["warnings"] == ["party_minor"]


def test_a_party_of_18_is_not_flagged(a: Agency) -> None:
    case = minor_case(a, "20080822")
    result = act(a, case, "serve_notice", acted_on=D(2026, 9, 22), served_on=D(2026, 9, 22),
                 method="direct")
    assert result.warnings == ()
    assert case.flags == {}


def test_an_organisation_has_no_age(a: Agency) -> None:
    case = reported(a)
    result = act(a, case, "serve_notice", acted_on=D(2026, 9, 22), served_on=D(2026, 9, 22),
                 method="direct")
    assert result.warnings == ()
