"""Approval ladders (承办人 → 审核 → 负责人): the agency's own, each step by its role, never
by the requester, a reason to send back, the guards checked again at the last step."""

import datetime as dt
import json
from typing import Any

import pytest

from tests import factories as f
from zhifa.cases.models import ApprovalLadder, ApprovalStatus, Case
from zhifa.cases.procedures.other import ACL18_STEPS
from zhifa.cases.services import (
    approval_decide,
    approval_ladder_save,
    approval_withdraw,
    case_act,
)
from zhifa.core.errors import ApplicationError
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import AccountRole, CertificateStatus, RoleKind, User
from zhifa.orgs.services import certificate_status_change

from .factories import Agency, open_case, snapshot

pytestmark = pytest.mark.django_db

D = dt.date
REGISTER = {"acted_on": "2026-09-02", "act_date": "2026-08-20", "grounds": "涉嫌销售不合格产品"}


def body_admin(a: Agency) -> User:
    return f.user(f.person(a.body, "赵六", roles=(RoleKind.HEAD,)),
                  roles=(AccountRole.BODY_ADMIN,))


def request_registration(a: Agency, actor: User | None = None) -> tuple[Case, Any]:
    case = open_case(a, received_on=D(2026, 9, 1))
    result = case_act(actor=actor or a.u_officer, case=case, action="register", data=REGISTER)
    return case, result.approval


def events(case: Case) -> list[int]:
    return list(LedgerEntry.objects.filter(stream=case.stream).order_by("stream_seq")
                .values_list("event_code", flat=True))


def denied(fn: Any, watched: Case, code: str, **kwargs: Any) -> ApplicationError:
    before = snapshot(watched)
    with pytest.raises(ApplicationError) as exc:
        fn(**kwargs)
    assert exc.value.code == code, (exc.value.code, exc.value.message)
    assert snapshot(watched) == before
    return exc.value


def test_the_default_ladder_is_the_head(a: Agency) -> None:
    case, request = request_registration(a)
    assert (request.steps, request.current, request.status) == (["head"], 0,
                                                                 ApprovalStatus.PENDING)
    assert case.stage == "source"
    assert events(case) == [4001, 4003]
    exc = denied(approval_decide, case, "approval_role", actor=a.u_officer2, request=request,
                 approve=True)
    assert (exc.status, exc.message) == (403, "本级审批应由其他角色办理。")
    result = approval_decide(actor=a.u_head, request=request, approve=True, comment="同意立案")
    case.refresh_from_db()
    assert (case.stage, case.registered_on) == ("registered", D(2026, 9, 2))
    assert result.approval.status == ApprovalStatus.APPROVED
    assert events(case) == [4001, 4003, 4004, 4002]
    decision = request.decisions.get()
    assert (decision.step, decision.role, decision.actor, decision.approved,
            decision.comment) == (0, "head", a.u_head, True, "同意立案")
    assert result.step.actor == a.u_officer  # the requester takes the step, as approved


def test_a_body_sets_its_own_ladder(a: Agency) -> None:
    admin = body_admin(a)
    ladder = approval_ladder_save(actor=admin, body=a.body, procedure="general",
                                  steps=["officer", "head"])
    assert (ladder.procedure, ladder.action, ladder.steps) == ("general", "", ["officer", "head"])
    entry = LedgerEntry.objects.filter(stream="cases.config").get()
    assert json.loads(entry.payload) == {"body": a.body.credit_code, "procedure": "general",
                                         "action": "", "steps": ["officer", "head"]}
    case, request = request_registration(a)
    assert request.steps == ["officer", "head"]
    # step 1 is an officer's, not the requester's own and not the head's
    denied(approval_decide, case, "approval_self", actor=a.u_officer, request=request,
           approve=True)
    denied(approval_decide, case, "approval_role", actor=a.u_head, request=request,
           approve=True)
    approval_decide(actor=a.u_officer2, request=request, approve=True)
    request.refresh_from_db()
    case.refresh_from_db()
    assert (request.current, request.status, case.stage) == (1, ApprovalStatus.PENDING,
                                                             "source")
    # step 2 is the head's
    denied(approval_decide, case, "approval_role", actor=a.u_officer2, request=request,
           approve=True)
    approval_decide(actor=a.u_head, request=request, approve=True)
    case.refresh_from_db()
    assert case.stage == "registered"
    assert events(case) == [4001, 4003, 4004, 4004, 4002]
    payload = json.loads(LedgerEntry.objects.filter(stream=case.stream)
                         .order_by("-stream_seq").first().payload)
    assert payload["approved_by"] == ["张伟", "王芳"]


def test_a_ladder_for_one_action_wins_and_an_empty_ladder_needs_no_approval(a: Agency) -> None:
    admin = body_admin(a)
    approval_ladder_save(actor=admin, body=a.body, procedure="general", steps=["reviewer",
                                                                              "head"])
    approval_ladder_save(actor=admin, body=a.body, procedure="general", action="register",
                         steps=[])
    case = open_case(a, received_on=D(2026, 9, 1))
    result = case_act(actor=a.u_officer, case=case, action="register", data=REGISTER)
    assert result.approval is None
    assert result.step.to_stage == "registered"
    other = open_case(a, received_on=D(2026, 9, 1))
    result = case_act(actor=a.u_officer, case=other, action="decline",
                      data={"acted_on": "2026-09-02", "reason": "不属于本机关管辖"})
    assert result.approval.steps == ["reviewer", "head"]


def test_only_the_bodys_administrators_set_ladders(a: Agency) -> None:
    other_admin = f.user(f.person(a.other_body, "钱七"), roles=(AccountRole.BODY_ADMIN,))
    before = (ApprovalLadder.objects.count(), LedgerEntry.objects.count())
    for actor in (a.u_officer, a.u_head, other_admin):
        with pytest.raises(ApplicationError) as exc:
            approval_ladder_save(actor=actor, body=a.body, procedure="general",
                                 steps=["head"])
        assert (exc.value.code, exc.value.status) == ("missing_manage_catalog", 403)
        assert exc.value.message == "只有本执法主体的管理员可以配置程序。"
    assert (ApprovalLadder.objects.count(), LedgerEntry.objects.count()) == before


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"steps": ["auxiliary"]}, "ladder_steps"),
    ({"steps": ["officer"] * 6}, "ladder_steps"),
    ({"steps": ["head"], "action": "start_investigation"}, "ladder_action"),
    ({"steps": ["head"], "action": "no_such_action"}, "ladder_action"),
    ({"steps": ["head"], "procedure": "no_such_procedure"}, "procedure_unknown"),
])
def test_a_bad_ladder_is_refused(a: Agency, kwargs: dict[str, Any], code: str) -> None:
    before = (ApprovalLadder.objects.count(), LedgerEntry.objects.count())
    with pytest.raises(ApplicationError) as exc:
        approval_ladder_save(actor=a.u_sysadmin, body=a.body,
                             **{"procedure": "general", **kwargs})
    assert exc.value.code == code
    assert (ApprovalLadder.objects.count(), LedgerEntry.objects.count()) == before


def test_the_head_cannot_approve_its_own_request(a: Agency) -> None:
    case = open_case(a, received_on=D(2026, 9, 1), officers=[a.head, a.officer])
    request = case_act(actor=a.u_head, case=case, action="register", data=REGISTER).approval
    exc = denied(approval_decide, case, "approval_self", actor=a.u_head, request=request,
                 approve=True)
    assert exc.message == "不能审批本人提出的申请。"


def test_sending_back_needs_a_reason(a: Agency) -> None:
    case, request = request_registration(a)
    exc = denied(approval_decide, case, "comment_required", actor=a.u_head, request=request,
                 approve=False, comment="  ")
    assert exc.detail == {"comment": "这是必填字段。"}
    approval_decide(actor=a.u_head, request=request, approve=False, comment="证据不足，补充后再报")
    request.refresh_from_db()
    case.refresh_from_db()
    assert (request.status, case.stage) == (ApprovalStatus.REJECTED, "source")
    assert events(case) == [4001, 4003, 4004]
    entry = LedgerEntry.objects.filter(stream=case.stream).order_by("-stream_seq").first()
    payload = json.loads(entry.payload)
    assert (payload["decision"], payload["decision_label"], payload["comment"]) == (
        "rejected", "已退回", "证据不足，补充后再报")
    # a decided request is closed; a new one may be made
    denied(approval_decide, case, "approval_closed", actor=a.u_head, request=request,
           approve=True)
    again = case_act(actor=a.u_officer, case=case, action="register", data=REGISTER).approval
    assert again.pk != request.pk


def test_one_request_at_a_time(a: Agency) -> None:
    case, _request = request_registration(a)
    exc = denied(case_act, case, "approval_pending", actor=a.u_officer2, case=case,
                 action="register", data=REGISTER)
    assert exc.message == "此操作已在等待审批。"


def test_the_last_approval_checks_the_guards_again(a: Agency) -> None:
    case = open_case(a, "coercive", received_on=D(2026, 9, 1))
    request = case_act(actor=a.u_officer, case=case, action="apply_measure", data={
        "acted_on": "2026-09-02", "measure": "seize", "items": "不合格产品20件",
        "place": "某仓库", "steps": [s for s, _l in ACL18_STEPS],
        "onsite_from": "2026-09-02T09:30", "onsite_until": "2026-09-02T10:40",
    }).approval
    # the second officer's certificate is found to have been suspended from 1 September
    certificate_status_change(actor=None, certificate=a.officer2.certificates.get(),
                              to_status=CertificateStatus.SUSPENDED,
                              effective_date=D(2026, 9, 1), reason="暂扣")
    exc = denied(approval_decide, case, "two_certified_officers", actor=a.u_head,
                 request=request, approve=True)
    assert exc.detail[0]["detail"] == [{"person": "张伟",
                                         "reasons": ["该日期执法证处于暂扣状态。"]}]
    request.refresh_from_db()
    assert (request.status, request.current, request.decisions.count()) == (
        ApprovalStatus.PENDING, 0, 0)


def test_withdrawing_a_request(a: Agency) -> None:
    case, request = request_registration(a)
    exc = denied(approval_withdraw, case, "approval_not_requester", actor=a.u_officer2,
                 request=request)
    assert exc.message == "只有申请人可以撤回申请。"
    approval_withdraw(actor=a.u_officer, request=request)
    request.refresh_from_db()
    assert request.status == ApprovalStatus.WITHDRAWN
    assert events(case) == [4001, 4003, 4005]
    entry = LedgerEntry.objects.filter(stream=case.stream).order_by("-stream_seq").first()
    assert json.loads(entry.payload)["action_label"] == "立案"
    denied(approval_withdraw, case, "approval_closed", actor=a.u_officer, request=request)
    denied(approval_decide, case, "approval_closed", actor=a.u_head, request=request,
           approve=True)


def test_approvals_stay_in_the_body(a: Agency) -> None:
    case, request = request_registration(a)
    other_head = f.user(f.person(a.other_body, "孙八", roles=(RoleKind.HEAD,)),
                        roles=(AccountRole.HEAD,))
    exc = denied(approval_decide, case, "case_out_of_scope", actor=other_head,
                 request=request, approve=True)
    assert exc.status == 403
    denied(approval_decide, case, "missing_handle_cases", actor=a.u_supervisor,
           request=request, approve=True)


def test_a_request_that_could_not_be_carried_out_is_refused_when_made(a: Agency) -> None:
    from .factories import general_to_notice, refused

    case = general_to_notice(a)
    exc = refused(a, case, "decide", "invalid_fields", acted_on=D(2026, 9, 29),
                  outcome="penalty", reasons="证据确凿")
    assert exc.detail == {"kinds": "请选择处罚种类。"}
    assert not case.approvals.filter(action="decide").exists()
