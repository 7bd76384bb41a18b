"""Who may take part: two officers with certificates valid for the place, the category and
the day (APL arts. 42, 55; ACL art. 18), for an on-the-spot decision too unless a law lets one
officer decide in the case's sector (APL art. 42, configured); auxiliary staff never decide or
approve (APL art. 42)."""

import datetime as dt
from typing import Any

import pytest

from tests import factories as f
from zhifa.cases.guards import GUARDS
from zhifa.cases.models import ApprovalStatus
from zhifa.cases.services import approval_decide, approval_ladder_save, case_act
from zhifa.core.errors import ApplicationError
from zhifa.orgs.models import AccountRole, CertificateStatus
from zhifa.orgs.services import certificate_status_change

from .factories import (
    Agency,
    act,
    certified,
    open_case,
    person_party,
    refused,
    registered,
    snapshot,
)

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 9, 3)  # the investigation starts two days after the case is received
TWO_SOURCE = "行政处罚法第四十二条、第五十五条；行政强制法第十八条"


def two_officers_message(count: int) -> str:
    return (f"应当由两名以上在2026-09-03持有对芙蓉区、市场监管有效的执法证的执法人员实施；"
            f"符合条件的执法人员{count}名。")


def assert_two_officers_refused(a: Agency, second: object, reasons: list[str]) -> None:
    case = registered(a, officers=[a.officer, second])  # type: ignore[list-item]
    exc = refused(a, case, "start_investigation", "two_certified_officers", acted_on=DAY)
    assert exc.status == 409
    assert exc.message == f"{two_officers_message(1)}（{TWO_SOURCE}）"
    assert exc.detail == [{
        "code": "two_certified_officers", "message": two_officers_message(1),
        "source": TWO_SOURCE,
        "detail": [{"person": second.name, "reasons": reasons}],
    }]
    assert case.stage == "registered"


def test_two_certified_officers_may_investigate(a: Agency) -> None:
    case = registered(a)
    result = act(a, case, "start_investigation", acted_on=DAY)
    assert case.stage == "investigating"
    assert result.step.action == "start_investigation"
    assert result.step.acted_on == DAY


def test_an_expired_certificate_does_not_count(a: Agency) -> None:
    second = certified(a, "孙丽", expiry=dt.date(2026, 8, 31))
    assert_two_officers_refused(a, second, ["该日期执法证已过期。"])


def test_a_suspended_certificate_does_not_count(a: Agency) -> None:
    second = certified(a, "孙丽")
    certificate_status_change(actor=None, certificate=second.certificates.get(),
                              to_status=CertificateStatus.SUSPENDED,
                              effective_date=dt.date(2026, 8, 1), reason="暂扣执法证")
    assert_two_officers_refused(a, second, ["该日期执法证处于暂扣状态。"])


def test_a_certificate_for_another_area_does_not_count(a: Agency) -> None:
    second = certified(a, "孙丽", areas=[a.regions["other_city"]])
    assert_two_officers_refused(a, second, ["执法证的执法区域不包括该行政区划。"])


def test_a_certificate_for_another_category_does_not_count(a: Agency) -> None:
    second = certified(a, "孙丽", sectors=[f.sector("environment", "生态环境")])
    assert_two_officers_refused(a, second, ["执法证的执法类别不包括该类别。"])


def test_a_certificate_not_yet_issued_does_not_count(a: Agency) -> None:
    second = certified(a, "孙丽", issue=dt.date(2026, 9, 4))
    assert_two_officers_refused(a, second, ["该日期执法证尚未颁发。"])


def test_a_certificate_issued_on_the_day_counts(a: Agency) -> None:
    second = certified(a, "孙丽", issue=DAY)
    case = registered(a, officers=[a.officer, second])
    act(a, case, "start_investigation", acted_on=DAY)
    assert case.stage == "investigating"


def test_a_person_without_a_certificate_does_not_count(a: Agency) -> None:
    second = f.person(a.body, "孙丽")
    assert_two_officers_refused(a, second, ["未持有执法证。"])


def test_an_auxiliary_does_not_count(a: Agency) -> None:
    assert_two_officers_refused(a, a.auxiliary, ["执法辅助人员不持有执法证。"])


def test_one_officer_alone_may_not_investigate(a: Agency) -> None:
    case = registered(a, officers=[a.officer])
    exc = refused(a, case, "start_investigation", "two_certified_officers", acted_on=DAY)
    assert exc.detail[0]["message"] == two_officers_message(1)
    assert exc.detail[0]["detail"] == []


def test_validity_is_judged_on_the_date_of_the_step(a: Agency) -> None:
    # The second certificate expired on 2 September: valid for a step dated that day (the
    # investigation may start on the day of registration), not for one dated 3 September.
    second = certified(a, "孙丽", expiry=dt.date(2026, 9, 2))
    case = registered(a, officers=[a.officer, second])
    refused(a, case, "start_investigation", "two_certified_officers", acted_on=DAY)
    act(a, case, "start_investigation", acted_on=dt.date(2026, 9, 2))
    assert case.stage == "investigating"


def test_every_investigation_step_checks_the_officers(a: Agency) -> None:
    second = certified(a, "孙丽", expiry=dt.date(2026, 9, 10))
    case = registered(a, officers=[a.officer, second])
    act(a, case, "start_investigation", acted_on=DAY)
    act(a, case, "record_investigation", acted_on=dt.date(2026, 9, 10), kind="questioning",
        summary="询问当事人")
    refused(a, case, "record_investigation", "two_certified_officers",
            acted_on=dt.date(2026, 9, 11), kind="inspection", summary="现场检查")
    refused(a, case, "preserve_evidence", "two_certified_officers",
            acted_on=dt.date(2026, 9, 11), items="不合格产品20件")


# --- summary procedure: two officers, one where a law allows it --------------------------

def _summary(a: Agency, officers: list) -> object:  # type: ignore[type-arg]
    return open_case(a, "summary", received_on=dt.date(2026, 9, 1), officers=officers,
                     parties=[person_party()])


SUMMARY_DATA = {"acted_on": dt.date(2026, 9, 1), "act_date": dt.date(2026, 9, 1),
                "facts": "当事人占道经营", "kinds": ["fine"], "fine": "100",
                "serial": "S-0001"}
ON_SPOT_TWO = ("应当由两名以上在2026-09-01持有对芙蓉区、市场监管有效的执法证的执法人员实施；"
               "符合条件的执法人员{count}名。")
ON_SPOT_ONE = ("当场作出行政处罚决定的执法人员应当在2026-09-01持有对芙蓉区、市场监管有效的"
               "执法证。")


def test_two_certified_officers_may_decide_on_the_spot(a: Agency) -> None:
    case = _summary(a, [a.officer, a.officer2])
    act(a, case, "decide_on_spot", **SUMMARY_DATA)
    assert (case.stage, case.outcome, case.final_fine) == ("decided", "penalty", 10_000)


def test_one_officer_may_not_decide_on_the_spot(a: Agency) -> None:
    case = _summary(a, [a.officer])
    exc = refused(a, case, "decide_on_spot", "two_certified_officers", **SUMMARY_DATA)
    message = ON_SPOT_TWO.format(count=1)
    assert exc.message == f"{message}（{TWO_SOURCE}）"
    assert exc.detail == [{"code": "two_certified_officers", "message": message,
                           "source": TWO_SOURCE, "detail": []}]
    assert case.stage == "on_site"


def test_an_on_the_spot_decision_needs_two_valid_certificates(a: Agency) -> None:
    expired = certified(a, "孙丽", expiry=dt.date(2026, 8, 31))
    case = _summary(a, [a.officer, expired])
    exc = refused(a, case, "decide_on_spot", "two_certified_officers", **SUMMARY_DATA)
    assert exc.detail == [{"code": "two_certified_officers",
                           "message": ON_SPOT_TWO.format(count=1), "source": TWO_SOURCE,
                           "detail": [{"person": "孙丽", "reasons": ["该日期执法证已过期。"]}]}]


def test_one_officer_decides_on_the_spot_in_a_configured_sector(a: Agency,
                                                                settings: Any) -> None:
    # e.g. road traffic, where the Road Traffic Safety Law lets one officer decide
    settings.ZHIFA_SUMMARY_SINGLE_OFFICER_SECTORS = ["traffic"]
    case = _summary(a, [a.officer])
    refused(a, case, "decide_on_spot", "two_certified_officers", **SUMMARY_DATA)
    settings.ZHIFA_SUMMARY_SINGLE_OFFICER_SECTORS = ["traffic", a.market.code]
    act(a, case, "decide_on_spot", **SUMMARY_DATA)
    assert (case.stage, case.final_fine) == ("decided", 10_000)


def test_the_single_officer_needs_a_valid_certificate(a: Agency, settings: Any) -> None:
    settings.ZHIFA_SUMMARY_SINGLE_OFFICER_SECTORS = [a.market.code]
    expired = certified(a, "孙丽", expiry=dt.date(2026, 8, 31))
    user = f.user(expired)
    case = _summary(a, [expired])
    exc = refused(a, case, "decide_on_spot", "one_certified_officer", actor=user,
                  **SUMMARY_DATA)
    assert exc.message == f"{ON_SPOT_ONE}（行政处罚法第五十二条）"
    assert exc.detail == [{"code": "one_certified_officer", "message": ON_SPOT_ONE,
                           "source": "行政处罚法第五十二条",
                           "detail": [{"person": "孙丽", "reasons": ["该日期执法证已过期。"]}]}]


# --- auxiliaries never decide -------------------------------------------------------------

def test_an_auxiliary_account_may_not_start_a_deciding_step(a: Agency) -> None:
    case = _summary(a, [a.officer, a.auxiliary])
    exc = refused(a, case, "decide_on_spot", "action_role", actor=a.u_auxiliary,
                  **SUMMARY_DATA)
    assert exc.status == 403
    assert exc.message == "您的角色不能在本案中进行此操作。"


def test_an_auxiliary_may_record_a_non_deciding_step_on_its_case(a: Agency) -> None:
    case = registered(a, officers=[a.officer, a.officer2, a.auxiliary])
    act(a, case, "start_investigation", actor=a.u_auxiliary, acted_on=DAY)
    act(a, case, "record_investigation", actor=a.u_auxiliary, acted_on=DAY, kind="sampling",
        summary="抽样")
    assert case.steps.filter(actor=a.u_auxiliary).count() == 2


def test_an_auxiliary_person_with_an_officer_account_may_not_decide(a: Agency) -> None:
    # The account says "officer" but the registry says the person is auxiliary staff.
    u = officer_account_of_auxiliary(a)
    case = _summary(a, [a.officer, a.officer2, a.auxiliary])
    exc = refused(a, case, "decide_on_spot", "auxiliary_cannot_decide", actor=u,
                  **SUMMARY_DATA)
    message = "执法辅助人员不得作出或者签发行政执法决定。"
    assert exc.message == f"{message}（行政处罚法第四十二条）"
    assert exc.detail == [{"code": "auxiliary_cannot_decide", "message": message,
                           "source": "行政处罚法第四十二条"}]


def test_an_auxiliary_never_approves(a: Agency) -> None:
    # A ladder whose first step is an officer: the auxiliary's officer account may not take it,
    # for a deciding step nor for any other approval.
    approval_ladder_save(actor=a.u_sysadmin, body=a.body, procedure="general",
                         steps=["officer", "head"])
    u = officer_account_of_auxiliary(a)
    case = open_case(a, received_on=dt.date(2026, 9, 1))
    result = case_act(actor=a.u_officer, case=case, action="register",
                      data={"acted_on": "2026-09-02", "act_date": "2026-08-20",
                            "grounds": "涉嫌销售不合格产品"})
    before = snapshot(case)
    with pytest.raises(ApplicationError) as exc:
        approval_decide(actor=u, request=result.approval, approve=True)
    assert exc.value.code == "auxiliary_cannot_decide"
    assert snapshot(case) == before
    result.approval.refresh_from_db()
    assert (result.approval.status, result.approval.current) == (ApprovalStatus.PENDING, 0)


def test_an_auxiliary_approver_of_a_deciding_step_is_refused(a: Agency) -> None:
    approval_ladder_save(actor=a.u_sysadmin, body=a.body, procedure="coercive",
                         steps=["officer", "head"])
    u = officer_account_of_auxiliary(a)
    case = open_case(a, "coercive", received_on=dt.date(2026, 9, 1))
    result = case_act(actor=a.u_officer, case=case, action="apply_measure",
                      data=_measure_data())
    before = snapshot(case)
    with pytest.raises(ApplicationError) as exc:
        approval_decide(actor=u, request=result.approval, approve=True)
    assert exc.value.code == "auxiliary_cannot_decide"
    assert exc.value.detail == [{"code": "auxiliary_cannot_decide",
                                 "message": "执法辅助人员不得作出或者签发行政执法决定。",
                                 "source": "行政处罚法第四十二条"}]
    assert snapshot(case) == before


def officer_account_of_auxiliary(a: Agency) -> object:
    u = a.u_auxiliary
    u.roles = [AccountRole.OFFICER]
    u.save(update_fields=["roles"])
    return u


def _measure_data() -> dict[str, object]:
    from zhifa.cases.procedures.other import ACL18_STEPS

    return {"acted_on": "2026-09-02", "measure": "seize", "items": "不合格产品20件",
            "place": "长沙市芙蓉区某路1号仓库", "steps": [s for s, _label in ACL18_STEPS],
            "onsite_from": "2026-09-02T09:30", "onsite_until": "2026-09-02T10:40"}


def test_guard_registry_names_every_guard_used() -> None:
    from zhifa.cases.procedures import BUILTIN

    used = {g for p in BUILTIN.values() for act_ in p["actions"] for g in act_.get("guards", ())}
    assert used <= set(GUARDS)
