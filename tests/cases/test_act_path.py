"""How ``case_act`` reads and writes: the case row locked alone, only changed columns written
back, reads skipped where the action cannot need them, and a fixed number of statements for
an ordinary step (see ``benchmarks/bench_cases.py``)."""

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from zhifa.cases.effects import EFFECTS
from zhifa.cases.models import ApprovalRequest, ApprovalStatus, Case
from zhifa.cases.services import approval_ladder_save, case_act, custom_procedure_save
from zhifa.orgs.permissions import perms_of

from .factories import Agency, act, open_case, refused, registered, snapshot
from .test_definitions import definition

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 9, 3)
CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")


def statements(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries
            if q["sql"].split(" ", 1)[0].upper() not in CONTROL]


def fresh_actor(a: Agency) -> Any:
    """The account as a view hands it over: loaded, its person and body read by the
    permission check."""
    user = type(a.u_officer).objects.get(pk=a.u_officer.pk)
    perms_of(user)
    return user


def test_an_investigation_step_runs_five_statements_besides_the_ledger(a: Agency) -> None:
    case = registered(a)
    act(a, case, "start_investigation", acted_on=DAY)
    actor = fresh_actor(a)
    with CaptureQueriesContext(connection) as ctx:
        case_act(actor=actor, case=case, action="record_investigation",
                 data={"acted_on": DAY.isoformat(), "kind": "inspection", "summary": "现场检查"})
    own = [s for s in statements(ctx) if "ledger_ledger" not in s]  # the ledger's tables
    # lock the case (and whether the actor is on it), the previous step's date, count the
    # certified officers, write the changed columns, record the step
    assert [s.split(" ", 1)[0] for s in own] == ["SELECT", "SELECT", "SELECT", "UPDATE",
                                                 "INSERT"], own
    assert 'FROM "cases_case" c WHERE' in own[0]
    assert 'FROM "cases_casestep"' in own[1]
    assert own[3].startswith('UPDATE "cases_case" SET "updated_at" = ')
    assert '"stage"' not in own[3]  # the stage did not change
    assert own[4].startswith('INSERT INTO "cases_casestep"')


def test_the_lock_joins_nothing(a: Agency) -> None:
    case = registered(a)
    with CaptureQueriesContext(connection) as ctx:
        act(a, case, "start_investigation", acted_on=DAY)
    (lock,) = [s for s in statements(ctx) if 'FROM "cases_case" c WHERE' in s]
    assert "JOIN" not in lock.upper()
    assert "orgs_enforcementbody" not in lock and "orgs_region" not in lock


def test_changes_made_in_place_are_written(a: Agency, monkeypatch: pytest.MonkeyPatch) -> None:
    # Effects assign new values; one that changes a list or dict in place is written too.
    original = EFFECTS["register"]

    def in_place(ctx: Any) -> None:
        original(ctx)
        ctx.case.flags["checked"] = True
        ctx.case.proposed_kinds.append("warning")

    monkeypatch.setitem(EFFECTS, "register", in_place)
    case = registered(a)
    assert case.flags["checked"] is True
    assert case.proposed_kinds == ["warning"]
    assert case.registered_on == dt.date(2026, 9, 2)


def test_columns_the_action_leaves_alone_are_not_written(a: Agency) -> None:
    case = registered(a)
    act(a, case, "start_investigation", acted_on=DAY)
    # a change made elsewhere in the meantime (e.g. the officers' screen) survives the step
    Case.objects.filter(pk=case.pk).update(summary="另行更新的案情摘要")
    act(a, case, "record_investigation", acted_on=DAY, kind="inspection", summary="现场检查")
    case.refresh_from_db()
    assert case.summary == "另行更新的案情摘要"
    assert case.data["record_investigation"]["summary"] == "现场检查"


def test_a_step_without_approval_does_not_look_for_requests(a: Agency) -> None:
    case = registered(a)
    with CaptureQueriesContext(connection) as ctx:
        act(a, case, "start_investigation", acted_on=DAY)
    assert not [s for s in statements(ctx) if "cases_approvalrequest" in s]


def test_a_pending_request_blocks_its_step(a: Agency) -> None:
    approval_ladder_save(actor=a.u_sysadmin, body=a.body, procedure="general",
                         steps=["head"])
    case = open_case(a, received_on=dt.date(2026, 9, 1))
    data = {"acted_on": "2026-09-02", "act_date": "2026-08-20", "grounds": "涉嫌销售不合格产品"}
    result = case_act(actor=a.u_officer, case=case, action="register", data=data)
    assert result.approval.status == ApprovalStatus.PENDING
    refused(a, case, "register", "approval_pending", actor=a.u_officer2,
            acted_on=dt.date(2026, 9, 2), act_date=dt.date(2026, 8, 20),
            grounds="涉嫌销售不合格产品")


def test_a_request_left_pending_by_an_edited_custom_procedure_still_blocks(a: Agency) -> None:
    # An agency's own procedure can lose an action's approval while a request is pending:
    # the step is not taken a second time beside the request.
    custom_procedure_save(actor=a.u_sysadmin, body=a.body, code="confirmation",
                          name="行政确认", definition=definition())
    case = open_case(a, "confirmation", received_on=dt.date(2026, 9, 1))
    act(a, case, "check", acted_on=dt.date(2026, 9, 2), note="材料属实")
    pending = case_act(actor=a.u_officer, case=case, action="finish",
                       data={"acted_on": "2026-09-03"}).approval
    assert pending.status == ApprovalStatus.PENDING
    edited = definition()
    edited["actions"][1] = {**edited["actions"][1], "approval": False}
    custom_procedure_save(actor=a.u_sysadmin, body=a.body, code="confirmation",
                          name="行政确认", definition=edited)
    exc = refused(a, case, "finish", "approval_pending", acted_on=dt.date(2026, 9, 3))
    assert exc.status == 409
    assert ApprovalRequest.objects.filter(case=case).count() == 1


def test_an_officer_not_on_the_case_is_refused_before_anything_is_written(a: Agency) -> None:
    outsider = f.user(f.person(a.body, "孙丽"))
    f.certificate(outsider.person, [a.regions["city"]], [a.market])
    case = registered(a)
    before = snapshot(case)
    exc = refused(a, case, "start_investigation", "action_role", actor=outsider,
                  acted_on=DAY)
    assert exc.status == 403
    assert snapshot(case) == before


def test_a_head_not_on_the_case_may_act(a: Agency) -> None:
    case = registered(a)
    act(a, case, "start_investigation", actor=a.u_head, acted_on=DAY)
    assert case.stage == "investigating"
