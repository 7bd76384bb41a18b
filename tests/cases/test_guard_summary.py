"""The summary procedure only for a warning or a fine of at most 200 yuan on a citizen and
3,000 yuan on an organisation (APL art. 51); the limits are configuration."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from zhifa.cases.guards import GuardContext, summary_thresholds
from zhifa.cases.procedures import procedure_get
from zhifa.catalog.models import PartyType

from .factories import Agency, PartyIn, act, company_party, open_case, person_party, refused

pytestmark = pytest.mark.django_db

SOURCE = "行政处罚法第五十一条"


def summary_case(a: Agency, *parties: PartyIn) -> Any:
    return open_case(a, "summary", received_on=dt.date(2026, 9, 1),
                     officers=[a.officer, a.officer2],
                     parties=list(parties) or [person_party()])


def decide(a: Agency, case: Any, **data: Any) -> Any:
    base = {"acted_on": dt.date(2026, 9, 1), "act_date": dt.date(2026, 9, 1),
            "facts": "当事人占道经营", "serial": "S-0001"}
    return act(a, case, "decide_on_spot", **{**base, **data})


def refuse(a: Agency, case: Any, code: str, **data: Any) -> Any:
    base = {"acted_on": dt.date(2026, 9, 1), "act_date": dt.date(2026, 9, 1),
            "facts": "当事人占道经营", "serial": "S-0001"}
    return refused(a, case, "decide_on_spot", code, **{**base, **data})


def over_message(fine: str, party: str, limit: str) -> str:
    return f"对{party}处以{fine}元罚款，超过简易程序{limit}元的限额，应当适用普通程序。"


@pytest.mark.parametrize(("party", "limit"), [
    (person_party(), "200"),
    (PartyIn(party_type=PartyType.INDIVIDUAL_BUSINESS, name="芙蓉区陈记小吃店",
             credit_code="", id_number=""), "200"),
    (company_party(), "3000"),
])
def test_a_fine_up_to_the_limit_is_allowed(a: Agency, party: PartyIn, limit: str) -> None:
    case = summary_case(a, party)
    decide(a, case, kinds=["fine"], fine=limit)
    assert (case.stage, case.final_kinds, case.final_fine) == (
        "decided", ["fine"], int(limit) * 100)
    assert case.flags == {"serial": "S-0001"}


@pytest.mark.parametrize(("party", "fine", "shown", "limit"), [
    (person_party(), "200.01", "200.01", "200.00"),
    (company_party(), "3000.01", "3,000.01", "3,000.00"),
])
def test_a_fine_above_the_limit_is_refused(a: Agency, party: PartyIn, fine: str, shown: str,
                                           limit: str) -> None:
    case = summary_case(a, party)
    exc = refuse(a, case, "summary_over_threshold", kinds=["fine"], fine=fine)
    message = over_message(shown, party.name, limit)
    assert exc.message == f"{message}（{SOURCE}）"
    assert exc.detail == [{"code": "summary_over_threshold", "message": message,
                           "source": SOURCE}]
    assert case.stage == "on_site"


def test_a_warning_is_allowed(a: Agency) -> None:
    case = summary_case(a)
    decide(a, case, kinds=["warning"])
    assert (case.final_kinds, case.final_fine, case.outcome) == (["warning"], None, "penalty")


def test_other_penalties_are_not_offered_by_the_form(a: Agency) -> None:
    case = summary_case(a)
    exc = refuse(a, case, "invalid_fields", kinds=["confiscate_gains"], fine="100")
    assert exc.status == 400
    assert exc.detail == {"kinds": "请选择有效的选项。"}


def test_the_guard_refuses_other_kinds_whatever_the_form(a: Agency) -> None:
    # A custom procedure could offer more kinds; the guard itself only allows warning and fine.
    case = summary_case(a)
    proc = procedure_get("summary")
    ctx = GuardContext(case=case, actor=a.u_officer, procedure=proc,
                       action=proc.action("decide_on_spot"),  # type: ignore[arg-type]
                       data={"kinds": ["warning", "closure"]}, on=dt.date(2026, 9, 1),
                       today=timezone.localdate())
    assert [r.as_dict() for r in summary_thresholds(ctx)] == [
        {"code": "summary_kind", "message": "简易程序只能适用警告或者罚款。", "source": SOURCE}]


def test_a_fine_needs_its_amount_and_an_amount_needs_the_fine(a: Agency) -> None:
    case = summary_case(a)
    exc = refuse(a, case, "summary_fine_missing", kinds=["fine"])
    assert exc.detail == [{"code": "summary_fine_missing", "message": "请填写罚款金额。",
                           "source": SOURCE}]
    exc = refuse(a, case, "summary_fine_kind", kinds=["warning"], fine="50")
    assert exc.detail == [{"code": "summary_fine_kind",
                           "message": "填写了罚款金额，但未选择罚款。", "source": SOURCE}]


def test_each_party_is_held_to_its_own_limit(a: Agency) -> None:
    case = summary_case(a, company_party(), person_party())
    exc = refuse(a, case, "summary_over_threshold", kinds=["fine"], fine="500")
    assert exc.detail == [{"code": "summary_over_threshold",
                           "message": over_message("500.00", "陈某", "200.00"),
                           "source": SOURCE}]


def test_the_limits_are_configuration(a: Agency, settings: Any) -> None:
    settings.ZHIFA_SUMMARY_LIMITS = {PartyType.NATURAL_PERSON: 5_000}  # 50 yuan
    case = summary_case(a)
    exc = refuse(a, case, "summary_over_threshold", kinds=["fine"], fine="100")
    assert exc.detail[0]["message"] == over_message("100.00", "陈某", "50.00")
    decide(a, case, kinds=["fine"], fine="50")
    assert case.final_fine == 5_000
    # the organisation limit keeps its default
    other = summary_case(a, company_party())
    decide(a, other, kinds=["fine"], fine="3000")
    assert other.final_fine == 300_000


