"""The summary procedure beyond its thresholds: the limitation period (APL art. 36), the
15-day payment period when the fine is not collected on the spot (APL art. 67), and the
warning when more than 100 yuan is collected on the spot (APL art. 68)."""

import datetime as dt
from typing import Any

import pytest

from zhifa.cases.models import CaseDeadline, DeadlineState

from .factories import Agency, act, company_party, open_case, person_party, refused

pytestmark = pytest.mark.django_db

D = dt.date
RECEIVED = D(2026, 9, 1)


def summary_case(a: Agency, party: Any = None) -> Any:
    return open_case(a, "summary", received_on=RECEIVED, officers=[a.officer, a.officer2],
                     parties=[party or person_party()])


def on_spot(**data: Any) -> dict[str, Any]:
    return {"acted_on": RECEIVED, "act_date": RECEIVED, "facts": "当事人占道经营",
            "serial": "S-0001", **data}


def deadlines(case: Any) -> list[tuple[str, D, D, str]]:
    return list(CaseDeadline.objects.filter(case=case).order_by("id").values_list(
        "rule_code", "start", "due", "state"))


# --- limitation ---------------------------------------------------------------------------

def test_an_act_beyond_the_two_year_limitation_is_not_decided_on_the_spot(a: Agency) -> None:
    case = summary_case(a)
    # two years from 2024-08-31 ended on 2026-08-31, the day before the case was received
    exc = refused(a, case, "decide_on_spot", "limitation_expired",
                  **on_spot(act_date=D(2024, 8, 31), kinds=["warning"]))
    assert exc.detail[0]["source"] == "行政处罚法第三十六条"
    assert "2026-08-31届满" in exc.detail[0]["message"]
    assert case.stage == "on_site"


def test_an_act_on_the_last_day_of_the_limitation_is_decided(a: Agency) -> None:
    case = summary_case(a)
    act(a, case, "decide_on_spot", **on_spot(act_date=D(2024, 9, 1), kinds=["warning"]))
    assert (case.stage, case.act_date) == ("decided", D(2024, 9, 1))


# --- the payment period -------------------------------------------------------------------

def test_an_unpaid_fine_starts_the_fifteen_day_payment_period(a: Agency) -> None:
    case = summary_case(a)
    act(a, case, "decide_on_spot", **on_spot(kinds=["fine"], fine="150"))
    assert deadlines(case) == [("apl_payment_15", RECEIVED, D(2026, 9, 16),
                                DeadlineState.RUNNING)]
    act(a, case, "record_payment", acted_on=D(2026, 9, 10), amount="150", receipt="R-1")
    assert (case.paid, deadlines(case)) == (15_000, [
        ("apl_payment_15", RECEIVED, D(2026, 9, 16), DeadlineState.MET)])


def test_a_fine_paid_on_the_spot_or_a_warning_starts_no_payment_period(a: Agency) -> None:
    paid = summary_case(a)
    act(a, paid, "decide_on_spot", **on_spot(kinds=["fine"], fine="100", paid_on_spot=True))
    assert (paid.paid, deadlines(paid)) == (10_000, [])
    warned = summary_case(a)
    act(a, warned, "decide_on_spot", **on_spot(kinds=["warning"]))
    assert deadlines(warned) == []


# --- collection on the spot ---------------------------------------------------------------

OVER_100 = {"code": "on_spot_collection_over_100",
            "message": "一百元以上的罚款仅在不当场收缴事后难以执行等情形下方可当场收缴，"
                       "请在记录中说明理由。",
            "source": "行政处罚法第六十八条", "warning": True}


def test_collecting_more_than_100_yuan_on_the_spot_is_recorded_with_a_warning(
        a: Agency) -> None:
    case = summary_case(a, company_party())
    result = act(a, case, "decide_on_spot",
                 **on_spot(kinds=["fine"], fine="100.01", paid_on_spot=True))
    assert [w.as_dict() for w in result.warnings] == [OVER_100]
    assert result.step.warnings == [OVER_100]
    assert (case.stage, case.paid) == ("decided", 10_001)
    assert case.flags == {"serial": "S-0001", "on_spot_collection_over_100": True}
    assert deadlines(case) == []


def test_no_warning_for_100_yuan_or_for_a_fine_paid_later(a: Agency) -> None:
    at_limit = summary_case(a)
    result = act(a, at_limit, "decide_on_spot",
                 **on_spot(kinds=["fine"], fine="100", paid_on_spot=True))
    assert result.warnings == ()
    later = summary_case(a, company_party())
    result = act(a, later, "decide_on_spot", **on_spot(kinds=["fine"], fine="2000"))
    assert result.warnings == ()
    assert later.flags == {"serial": "S-0001"}
