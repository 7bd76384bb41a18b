"""The case rules of the legal review through the API: steps dated in order, the warning on
collecting more than 100 yuan on the spot, and the days of a measure's extension."""

import datetime as dt

import pytest

from tests.api.cases_helpers import case_world, client, new_case_payload, post, snapshot, zh
from tests.api.helpers import error
from tests.cases.factories import act, open_case
from zhifa.cases.models import Case
from zhifa.cases.procedures.other import ACL18_STEPS

pytestmark = pytest.mark.django_db


def test_a_step_dated_before_the_previous_one_is_409_and_writes_nothing() -> None:
    w = case_world()  # the prior notice was served on 22 September
    before = snapshot()
    body = error(post(client(w.a.u_officer), f"/cases/{w.case.number}/actions/record_defence",
                      {"data": {"acted_on": "2026-09-21", "statement": "不知情",
                                "assessment": "不成立"}}), 409, "date_before_previous_step")
    message = "办案环节的日期不得早于2026-09-22（本案上一环节或案件受理的日期）。"
    assert body["detail"] == [{"code": "date_before_previous_step", "message": message,
                               "source": "国办发〔2018〕118号",
                               "detail": {"fields": ["acted_on"]}}]
    assert snapshot() == before


def test_collecting_more_than_100_yuan_on_the_spot_is_201_with_a_warning() -> None:
    w = case_world()
    c = client(w.a.u_officer)
    created = post(c, "/cases", new_case_payload(w, procedure="summary"))
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    response = post(c, f"/cases/{number}/actions/decide_on_spot", {"data": {
        "acted_on": "2026-11-02", "act_date": "2026-11-02", "facts": "占道经营",
        "kinds": ["fine"], "fine": "150", "serial": "HN-0009", "paid_on_spot": True}})
    assert response.status_code == 201, response.content
    warning = {"code": "on_spot_collection_over_100",
               "message": zh("Fines above 100 yuan are collected on the spot only where paying "
                             "later would be hard to enforce (e.g. remote areas): state why "
                             "in the record."),
               "source": "行政处罚法第六十八条", "warning": True}
    out = response.json()
    assert out["warnings"] == [{**warning, "detail": None}]  # the schema's optional detail
    assert out["step"]["warnings"] == [warning]
    assert out["case"]["stage"] == "decided"


@pytest.mark.parametrize("days", [0, 31])
def test_an_extension_outside_1_to_30_days_is_400(days: int) -> None:
    w = case_world()
    case = open_case(w.a, "coercive", received_on=dt.date(2026, 9, 1))
    # a freezing of deposits: no audio/video recording to check (sealing up and impoundment
    # are recorded in full, see tests/evidence/test_coverage*.py)
    act(w.a, case, "apply_measure", acted_on=dt.date(2026, 9, 2), measure="freeze",
        items="当事人在某银行的存款人民币50,000元", place="某银行芙蓉支行",
        steps=[s for s, _l in ACL18_STEPS])
    before = snapshot()
    body = error(post(client(w.a.u_officer), f"/cases/{case.number}/actions/extend_measure",
                      {"data": {"acted_on": "2026-09-28", "days": days, "reason": "案情复杂"}}),
                 400, "invalid_fields")
    assert body["detail"] == {"days": zh("An extension is 1 to 30 days (行政强制法第二十五条).")}
    assert snapshot() == before
    assert Case.objects.get(pk=case.pk).stage == "in_force"
