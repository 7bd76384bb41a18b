"""Coercive measures after the legal review: the witness when the party is absent (ACL art.
18(9)), an extension of 1 to 30 days that adds exactly what was decided (ACL art. 25), and
freezing, whose decision is delivered within three working days (ACL art. 31) and which needs
no audio/video record of property."""

import datetime as dt
from typing import Any

import pytest

from zhifa.cases.models import Case, CaseDeadline, DeadlineState
from zhifa.cases.procedures import procedure_get
from zhifa.cases.procedures.other import ACL18_STEPS

from .factories import Agency, act, open_case, refused

pytestmark = pytest.mark.django_db

D = dt.date
RECEIVED = D(2026, 9, 1)


def measure(**over: Any) -> dict[str, Any]:
    return {"acted_on": D(2026, 9, 2), "measure": "seize", "items": "不合格产品20件",
            "place": "长沙市芙蓉区某路1号仓库", "steps": [s for s, _l in ACL18_STEPS],
            "onsite_from": "2026-09-02T09:30", "onsite_until": "2026-09-02T10:40", **over}


def deadlines(case: Case) -> list[tuple[str, D, D, str, D | None]]:
    return list(CaseDeadline.objects.filter(case=case).order_by("id").values_list(
        "rule_code", "start", "due", "state", "met_on"))


# --- the checklist and the witness --------------------------------------------------------

def test_the_checklist_has_the_nine_items_other_than_the_witness() -> None:
    field = next(f for f in procedure_get("coercive").action("apply_measure").fields
                 if f.name == "steps")
    assert [c.value for c in field.choices] == [
        "approval", "two_officers", "certificates", "notify_party", "inform", "hear",
        "record", "signatures", "other"]


WITNESS_MESSAGE = "当事人不到场的，应当邀请见证人到场，由见证人在现场笔录上签名或者盖章。"
WITNESS_SOURCE = "行政强制法第十八条第九项"


def test_an_absent_party_needs_a_witness_who_signed(a: Agency) -> None:
    case = open_case(a, "coercive", received_on=RECEIVED)
    exc = refused(a, case, "apply_measure", "witness_missing", **measure(party_absent=True))
    assert exc.message == f"{WITNESS_MESSAGE}（{WITNESS_SOURCE}）"
    assert exc.detail == [{"code": "witness_missing", "message": WITNESS_MESSAGE,
                           "source": WITNESS_SOURCE}]
    exc = refused(a, case, "apply_measure", "witness_missing",
                  **measure(party_absent=True, witness_signed=False))
    assert case.stage == "proposed"
    result = act(a, case, "apply_measure", **measure(party_absent=True, witness_signed=True))
    assert case.stage == "in_force"
    assert (result.step.data["party_absent"], result.step.data["witness_signed"]) == (True, True)


def test_no_witness_is_needed_when_the_party_is_present(a: Agency) -> None:
    case = open_case(a, "coercive", received_on=RECEIVED)
    act(a, case, "apply_measure", **measure(party_absent=False))
    assert case.stage == "in_force"


# --- the extension ------------------------------------------------------------------------

def seized(a: Agency) -> Case:
    case = open_case(a, "coercive", received_on=RECEIVED)
    act(a, case, "apply_measure", **measure())
    return case


@pytest.mark.parametrize("days", ["0", "31", "-1"])
def test_an_extension_outside_1_to_30_days_is_refused(a: Agency, days: str) -> None:
    case = seized(a)
    exc = refused(a, case, "extend_measure", "invalid_fields", acted_on=D(2026, 9, 28),
                  days=days, reason="案情复杂")
    assert exc.status == 400
    assert exc.detail == {"days": "延长期限为1至30日（行政强制法第二十五条）。"}


def test_an_extension_needs_its_days(a: Agency) -> None:
    case = seized(a)
    exc = refused(a, case, "extend_measure", "invalid_fields", acted_on=D(2026, 9, 28),
                  reason="案情复杂")
    assert list(exc.detail) == ["days"]


@pytest.mark.parametrize(("days", "due"), [
    # 2 September + 30 days = Friday 2 October (National Day): Thursday 8 October; the
    # extension counts from the end of the first period, 2 October
    ("1", D(2026, 10, 8)),  # 3 October, still in the holiday
    ("7", D(2026, 10, 9)),  # Friday 9 October
    ("30", D(2026, 11, 2)),  # Sunday 1 November: Monday 2 November
])
def test_the_extension_adds_exactly_the_days_decided(a: Agency, days: str, due: D) -> None:
    case = seized(a)
    act(a, case, "extend_measure", acted_on=D(2026, 9, 28), days=days, reason="案情复杂")
    d = case.deadlines.get(rule_code="acl_seizure_30")
    assert (d.extra, d.due) == (int(days), due)


# --- freezing -----------------------------------------------------------------------------

FREEZE = {"measure": "freeze", "items": "当事人在某银行的存款人民币50,000元",
          "place": "某银行芙蓉支行"}


def test_freezing_starts_the_three_day_delivery_period_met_by_delivering(a: Agency) -> None:
    case = open_case(a, "coercive", received_on=RECEIVED)
    act(a, case, "apply_measure", **measure(**FREEZE))
    # Wednesday 2 September + 3 working days: 3, 4 and Monday 7 September
    assert deadlines(case) == [
        ("acl_seizure_30", D(2026, 9, 2), D(2026, 10, 8), DeadlineState.RUNNING, None),
        ("acl_freeze_notice_3", D(2026, 9, 2), D(2026, 9, 7), DeadlineState.RUNNING, None)]
    act(a, case, "serve_freeze_decision", acted_on=D(2026, 9, 4), served_on=D(2026, 9, 4))
    assert case.stage == "in_force"
    assert deadlines(case)[1] == ("acl_freeze_notice_3", D(2026, 9, 2), D(2026, 9, 7),
                                  DeadlineState.MET, D(2026, 9, 4))


def test_sealing_and_impoundment_start_no_delivery_period(a: Agency) -> None:
    for kind in ("seal", "seize"):
        case = open_case(a, "coercive", received_on=RECEIVED)
        act(a, case, "apply_measure", **measure(measure=kind))
        assert [d[0] for d in deadlines(case)] == ["acl_seizure_30"]


NO_ONSITE = {"onsite_from": None, "onsite_until": None}


def test_freezing_needs_no_audio_video_of_property(a: Agency) -> None:
    case = open_case(a, "coercive", received_on=RECEIVED)
    act(a, case, "apply_measure", **measure(**NO_ONSITE, **FREEZE))
    assert (case.stage, case.flags) == ("in_force", {"measure": "freeze"})
    other = open_case(a, "coercive", received_on=RECEIVED)
    refused(a, other, "apply_measure", "av_interval_missing",
            **measure(**NO_ONSITE, measure="seal"))
