"""Who may act through the services: casework in one's own body only, supervisors watch,
each action by the roles it names, only what the stage allows, with valid data."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests import factories as f
from zhifa.cases.models import Case
from zhifa.cases.services import case_act, case_create, case_officers_set
from zhifa.core.errors import ApplicationError
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import AccountRole, RoleKind

from .factories import Agency, act, company_party, open_case, refused, registered, snapshot

pytestmark = pytest.mark.django_db

D = dt.date
REGISTER = {"acted_on": D(2026, 9, 2), "act_date": D(2026, 8, 20), "grounds": "涉嫌"}


def test_another_bodys_officer_cannot_act(a: Agency) -> None:
    case = open_case(a, received_on=D(2026, 9, 1))
    exc = refused(a, case, "register", "case_out_of_scope", actor=a.u_other, **REGISTER)
    assert (exc.status, exc.message) == (403, "您只能办理本执法主体的案件。")
    other_head = f.user(f.person(a.other_body, "孙八", roles=(RoleKind.HEAD,)),
                        roles=(AccountRole.HEAD,))
    refused(a, case, "register", "case_out_of_scope", actor=other_head, **REGISTER)


def test_a_supervisor_watches_but_does_not_act(a: Agency) -> None:
    case = open_case(a, received_on=D(2026, 9, 1))
    exc = refused(a, case, "register", "missing_handle_cases", actor=a.u_supervisor,
                  **REGISTER)
    assert (exc.status, exc.message) == (403, "您无权执行此操作。")


def test_a_system_administrator_may_repair_data(a: Agency) -> None:
    case = registered(a)
    result = act(a, case, "start_investigation", actor=a.u_sysadmin, acted_on=D(2026, 9, 3))
    assert (case.stage, result.step.actor, result.step.actor_name) == (
        "investigating", a.u_sysadmin, a.u_sysadmin.username)


def test_an_officer_acts_only_on_the_cases_assigned_to_them(a: Agency) -> None:
    case = registered(a, officers=[a.officer, a.head])
    exc = refused(a, case, "start_investigation", "action_role", actor=a.u_officer2,
                  acted_on=D(2026, 9, 3))
    assert (exc.status, exc.message) == (403, "您的角色不能在本案中进行此操作。")
    # a head may act on any case of the body
    act(a, case, "start_investigation", actor=a.u_head, acted_on=D(2026, 9, 3))
    assert case.stage == "investigating"


def test_each_action_names_its_roles(a: Agency) -> None:
    case = open_case(a, received_on=D(2026, 9, 1), officers=[a.officer, a.officer2])
    refused(a, case, "register", "action_role", actor=a.u_reviewer, **REGISTER)


def test_an_action_the_stage_does_not_allow(a: Agency) -> None:
    case = open_case(a, received_on=D(2026, 9, 1))
    exc = refused(a, case, "decide", "action_not_available", acted_on=D(2026, 9, 2),
                  outcome="transfer", reasons="移送")
    assert (exc.status, exc.message) == (409, "“案源登记”环节不能进行“作出决定”。")


def test_an_unknown_action(a: Agency) -> None:
    case = open_case(a, received_on=D(2026, 9, 1))
    exc = refused(a, case, "grant", "action_unknown", acted_on=D(2026, 9, 2))
    assert (exc.status, exc.message) == (404, "该程序没有此操作。")


def test_nothing_is_possible_once_archived(a: Agency) -> None:
    case = open_case(a, "generic", received_on=D(2026, 9, 1))
    act(a, case, "start", acted_on=D(2026, 9, 2))
    act(a, case, "decide", acted_on=D(2026, 9, 3), decision="办结")
    act(a, case, "close", acted_on=D(2026, 9, 4), summary="办结")
    act(a, case, "archive", acted_on=D(2026, 9, 5), archive_number="A-1")
    refused(a, case, "archive", "case_archived", acted_on=D(2026, 9, 6),
            archive_number="A-2")


@pytest.mark.parametrize(("data", "detail"), [
    ({**REGISTER, "acted_on": timezone.localdate() + dt.timedelta(days=1)},
     {"acted_on": "不能登记未来日期的办案步骤。"}),
    ({**REGISTER, "colour": "red"}, {"colour": "未知字段。"}),
    ({"acted_on": "2026-02-30", "act_date": "", "grounds": ""},
     {"acted_on": "请输入日期，例如2026-03-01。", "act_date": "这是必填字段。",
      "grounds": "这是必填字段。"}),
    ({**REGISTER, "serious_harm": "perhaps"}, {"serious_harm": "请选择是或否。"}),
])
def test_invalid_data_changes_nothing(a: Agency, data: dict[str, Any],
                                      detail: dict[str, str]) -> None:
    case = open_case(a, received_on=D(2026, 9, 1))
    exc = refused(a, case, "register", "invalid_fields", **data)
    assert (exc.status, exc.detail) == (400, detail)


def test_money_is_entered_in_yuan_as_text(a: Agency) -> None:
    case = registered(a)
    act(a, case, "start_investigation", acted_on=D(2026, 9, 3))
    before = snapshot(case)
    for fine, message in ((5000, "请以文本形式输入以元为单位的金额，例如“5000”。"),
                          ("五千", "请输入以元为单位的金额，例如5000或5000.50。"),
                          ("-1", "金额不能为负数。")):
        with pytest.raises(ApplicationError) as exc:
            case_act(actor=a.u_officer, case=case, action="submit_report",
                     data={"acted_on": "2026-09-20", "facts": "经查", "kinds": ["fine"],
                           "fine": fine})
        assert exc.value.detail == {"fine": message}
    assert snapshot(case) == before


# --- opening cases and assigning officers ------------------------------------------------------

def test_cases_are_opened_in_ones_own_body_only(a: Agency) -> None:
    before = (Case.objects.count(), LedgerEntry.objects.count())
    for actor, code in ((a.u_other, "case_out_of_scope"),
                        (a.u_supervisor, "missing_handle_cases")):
        with pytest.raises(ApplicationError) as exc:
            case_create(actor=actor, procedure="general", title="越权立案", sector=a.market,
                        region=a.regions["county"], parties=[company_party()],
                        officers=[a.officer], body=a.body, received_on=D(2026, 9, 1))
        assert exc.value.code == code
    assert (Case.objects.count(), LedgerEntry.objects.count()) == before


def test_officers_are_changed_by_the_handler_or_a_head(a: Agency) -> None:
    case = open_case(a, received_on=D(2026, 9, 1))
    assert case.handler == a.officer
    before = snapshot(case)
    with pytest.raises(ApplicationError) as exc:
        case_officers_set(actor=a.u_officer2, case=case, officers=[a.officer2],
                          handler=a.officer2)
    assert exc.value.code == "not_case_handler"
    with pytest.raises(ApplicationError) as exc:
        case_officers_set(actor=a.u_head, case=case, officers=[a.officer2],
                          handler=a.u_other.person)
    assert exc.value.code == "invalid_officers"
    assert snapshot(case) == before
    case_officers_set(actor=a.u_head, case=case, officers=[a.officer, a.officer2],
                      handler=a.officer2)
    case.refresh_from_db()
    assert case.handler == a.officer2
    assert sorted(case.officers.values_list("person__name", "role")) == [
        ("张伟", "lead"), ("李明", "assistant")]
    assert LedgerEntry.objects.count() == before["ledger"] + 1
    assert LedgerEntry.objects.filter(stream=case.stream).order_by(
        "-stream_seq").first().event_code == 4007


def test_a_system_administrator_may_reassign_officers(a: Agency) -> None:
    case = open_case(a, received_on=D(2026, 9, 1))
    case_officers_set(actor=a.u_sysadmin, case=case, officers=[a.officer2, a.head],
                      handler=a.officer2)
    case.refresh_from_db()
    assert case.handler == a.officer2
