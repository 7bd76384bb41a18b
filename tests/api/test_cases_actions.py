"""Changing cases through the API: opening a case, an action and its one ledger entry, legal
guard refusals (409, Chinese message and legal source, nothing written), the approval flow,
malformed payloads (422) and field errors (400)."""

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from tests import factories as f
from tests.api.cases_helpers import (
    API,
    CaseWorld,
    case_world,
    client,
    new_case_payload,
    post,
    snapshot,
    zh,
)
from tests.api.helpers import error, masked
from tests.documents.factories import decision_draft
from zhifa.cases.models import (
    ApprovalRequest,
    ApprovalStatus,
    Case,
    CaseStep,
    DeadlineState,
)
from zhifa.cases.services import approval_ladder_save
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db

DEFENCE = {"statement": "当事人称不知产品不合格", "assessment": "理由不成立"}


def entries(case: Case) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(stream=case.stream).order_by("stream_seq"))


# -- opening a case -------------------------------------------------------------------------

def test_create_case() -> None:
    w = case_world()
    payload = new_case_payload(w)
    ledger = LedgerEntry.objects.count()
    response = post(client(w.a.u_officer2), "/cases", payload)
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(public_id=body["public_id"])
    assert body["number"] == case.number == "芙蓉市监G202600002"
    assert (body["procedure"], body["stage"], body["status"]) == ("general", "source", "open")
    assert body["received_on"] == "2026-11-02"
    # the requesting officer leads the case
    assert [(o["name"], o["role"]) for o in body["officers"]] == [
        ("张伟", "lead"), ("李明", "assistant")]
    assert body["handler"]["name"] == "张伟"
    # the creator handles the case: the full ID number
    id_number = payload["parties"][0]["id_number"]
    assert [(p["name"], p["id_number"], p["id_number_masked"], p["birth_date"])
            for p in body["parties"]] == [("陈某", id_number, False, "1990-01-01")]
    assert [a["code"] for a in body["actions"]] == ["register", "decline", "suspend"]
    assert LedgerEntry.objects.count() == ledger + 1
    created = entries(case)
    assert [e.event_code for e in created] == [4001]
    assert masked(id_number) in created[0].payload and id_number not in created[0].payload


def test_create_case_with_an_enforcement_item() -> None:
    w = case_world()
    item = f.item(w.a.body, code="430102-CF-009", name="对销售过期食品的行政处罚")
    response = post(client(w.a.u_officer), "/cases",
                    new_case_payload(w, item=str(item.public_id), source_kind="complaint",
                                     summary="群众举报"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["item"] == {"public_id": str(item.public_id), "code": "430102-CF-009",
                            "name": "对销售过期食品的行政处罚"}
    assert (body["source_kind"], body["summary"]) == ("complaint", "群众举报")
    # another body's item is not one this body may use
    other = f.item(w.a.other_body, code="430202-CF-009")
    before = snapshot()
    error(post(client(w.a.u_officer), "/cases", new_case_payload(w, item=str(other.public_id))),
          400, "invalid_fields")
    assert snapshot() == before


def test_create_case_as_system_administrator_names_the_body() -> None:
    w = case_world()
    c = client(w.a.u_sysadmin)
    before = snapshot()
    error(post(c, "/cases", new_case_payload(w)), 400, "body_required")
    assert snapshot() == before
    response = post(c, "/cases", new_case_payload(w, body=str(w.a.body.public_id)))
    assert response.status_code == 201, response.content
    assert response.json()["body"]["name"] == "芙蓉区市场监督管理局"


@pytest.mark.parametrize(("changes", "detail"), [
    ({"sector": "space"}, {"sector": "Unknown sector code."}),
    ({"region": "999999"}, {"region": "Unknown region code."}),
    ({"item": "00000000-0000-0000-0000-000000000000"},
     {"item": "Unknown enforcement item."}),
    ({"officers": ["00000000-0000-0000-0000-000000000000"]}, {"officers": "Unknown person."}),
    ({"received_on": "2099-01-01"}, {"received_on": "This date cannot be in the future."}),
    ({"region": "430202"},
     {"region": "The place of the act lies outside the body's region."}),
])
def test_create_case_field_errors_change_nothing(changes: dict[str, Any],
                                                 detail: dict[str, str]) -> None:
    w = case_world()
    before = snapshot()
    body = error(post(client(w.a.u_officer), "/cases", new_case_payload(w, **changes)), 400,
                 "invalid_fields")
    assert body["detail"] == {k: zh(v) for k, v in detail.items()}
    assert snapshot() == before


def test_create_case_with_a_bad_id_number_is_400() -> None:
    w = case_world()
    before = snapshot()
    payload = new_case_payload(w, parties=[{"party_type": "natural_person", "name": "陈某",
                                            "id_number": "430102199001011230"}])
    body = error(post(client(w.a.u_officer), "/cases", payload), 400, "invalid_parties")
    assert list(body["detail"]) == ["parties[0]"]
    assert snapshot() == before


def test_unknown_procedure_is_400() -> None:
    w = case_world()
    before = snapshot()
    error(post(client(w.a.u_officer), "/cases", new_case_payload(w, procedure="nope")), 400,
          "procedure_unknown")
    assert snapshot() == before


# -- one action, one ledger entry ------------------------------------------------------------

def test_an_action_writes_exactly_one_ledger_entry() -> None:
    w = case_world()
    before = LedgerEntry.objects.count()
    chain = entries(w.case)
    response = post(client(w.a.u_officer), f"/cases/{w.case.number}/actions/record_defence",
                    {"data": {**DEFENCE, "acted_on": "2026-09-24"}, "reason": ""})
    assert response.status_code == 201, response.content
    out = response.json()
    assert LedgerEntry.objects.count() == before + 1
    entry = entries(w.case)[-1]
    assert entries(w.case)[:-1] == chain
    assert (entry.event_code, entry.stream_seq) == (4002, len(chain))
    step = CaseStep.objects.get(case=w.case, action="record_defence")
    assert step.ledger_seq == entry.seq
    assert out == {
        "case": {"public_id": str(w.case.public_id), "number": w.case.number,
                 "stage": "notified", "stage_label": zh("Prior notice served"),
                 "status": "open"},
        "step": {"action": "record_defence", "label": zh("Record the statement and defence"),
                 "from_stage": "notified", "to_stage": "notified", "acted_on": "2026-09-24",
                 "actor_name": "李明", "recorded_at": out["step"]["recorded_at"],
                 "data": {"acted_on": "2026-09-24", **DEFENCE}, "reason": "",
                 "late_reason": "", "ledger_seq": entry.seq, "warnings": []},
        "approval": None,
        "warnings": [],
    }


def test_money_goes_in_as_yuan_and_comes_out_in_fen() -> None:
    w = case_world()
    c = client(w.a.u_officer)
    # a written waiver ends the defence period: the decision may be made
    Case.objects.filter(pk=w.case.pk).update(defence_waived=True)
    decision_draft(w.a, w.case)  # the decision is made on its draft document
    response = post(c, f"/cases/{w.case.number}/actions/decide", {"data": {
        "acted_on": "2026-10-09", "outcome": "penalty", "kinds": ["fine"], "fine": "4,999.50",
        "reasons": "证据确凿"}})
    assert response.status_code == 202, response.content
    request = response.json()["approval"]
    assert request["data"] == {"acted_on": "2026-10-09", "outcome": "penalty",
                               "kinds": ["fine"], "fine_fen": 499950, "reasons": "证据确凿"}
    decided = post(client(w.a.u_head), f"/approvals/{request['public_id']}/decision",
                   {"approve": True})
    assert decided.status_code == 200, decided.content
    assert decided.json()["step"]["data"]["fine_fen"] == 499950
    detail = c.get(f"{API}/cases/{w.case.number}").json()
    assert (detail["final_fine_fen"], detail["proposed_fine_fen"], detail["paid_fen"]) == (
        499950, 500000, 0)
    assert detail["final_kinds"] == ["fine"]


def test_money_as_a_json_number_is_a_field_error() -> None:
    w = case_world()
    before = snapshot()
    body = error(post(client(w.a.u_officer), f"/cases/{w.case.number}/actions/decide",
                      {"data": {"outcome": "penalty", "kinds": ["fine"], "fine": 5000,
                                "reasons": "证据确凿"}}), 400, "invalid_fields")
    assert body["detail"] == {"fine": zh('Enter the amount in yuan as text, e.g. "5000".')}
    assert snapshot() == before


# -- guard refusals --------------------------------------------------------------------------

def test_guard_refusal_is_409_with_message_and_source_and_writes_nothing() -> None:
    w = case_world()
    Case.objects.filter(pk=w.case.pk).update(defence_waived=True)
    decision_draft(w.a, w.case)  # the decision is made on its draft document
    before = snapshot()
    body = error(post(client(w.a.u_officer), f"/cases/{w.case.number}/actions/decide",
                      {"data": {"acted_on": "2026-10-09", "outcome": "penalty",
                                "kinds": ["fine"], "fine": "6000", "reasons": "情节严重"}}),
                 409, "penalty_increased")
    # zh-Hans by default: the message as the officer reads it, and its legal source
    message = ("决定的罚款6,000.00元高于事先告知书拟作出的5,000.00元；不得因当事人陈述、申辩而"
               "给予更重的处罚。确需加重的，应当重新进行事先告知。")
    assert body["detail"] == [{"code": "penalty_increased", "message": message,
                               "source": "行政处罚法第四十五条"}]
    assert body["message"] == f"{message}（行政处罚法第四十五条）"
    assert snapshot() == before


def test_guard_refusal_in_english(settings: Any) -> None:
    w = case_world()
    Case.objects.filter(pk=w.case.pk).update(defence_waived=True)
    decision_draft(w.a, w.case)  # the decision is made on its draft document
    c = client(w.a.u_officer)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = error(post(c, f"/cases/{w.case.number}/actions/decide",
                      {"data": {"acted_on": "2026-10-09", "outcome": "penalty",
                                "kinds": ["fine"], "fine": "6000", "reasons": "情节严重"}}),
                 409, "penalty_increased")
    assert body["detail"][0]["message"].startswith("The decided fine of 6,000.00 yuan is above")
    assert body["detail"][0]["source"] == "行政处罚法第四十五条"


def test_every_refusal_is_listed() -> None:
    w = case_world()
    Case.objects.filter(pk=w.case.pk).update(defence_waived=True)
    decision_draft(w.a, w.case)  # the decision is made on its draft document
    before = snapshot()
    body = error(post(client(w.a.u_officer), f"/cases/{w.case.number}/actions/decide",
                      {"data": {"acted_on": "2026-10-09", "outcome": "penalty",
                                "kinds": ["fine", "warning"], "fine": "6000",
                                "reasons": "情节严重"}}), 409, "penalty_kind_added")
    assert [(r["code"], r["source"]) for r in body["detail"]] == [
        ("penalty_kind_added", "行政处罚法第四十四条、第四十五条"),
        ("penalty_increased", "行政处罚法第四十五条")]
    assert snapshot() == before


def test_guard_refusal_without_certified_officers() -> None:
    w = case_world()
    c = client(w.a.u_officer)
    payload = new_case_payload(w, officers=[str(w.a.officer.public_id),
                                            str(w.a.auxiliary.public_id)])
    case = Case.objects.get(public_id=post(c, "/cases", payload).json()["public_id"])
    register = post(c, f"/cases/{case.number}/actions/register", {"data": {
        "acted_on": "2026-11-03", "act_date": "2026-10-30", "grounds": "涉嫌销售过期食品"}})
    assert register.status_code == 202
    post(client(w.a.u_head), f"/approvals/{register.json()['approval']['public_id']}/decision",
         {"approve": True})
    before = snapshot()
    body = error(post(c, f"/cases/{case.number}/actions/start_investigation",
                      {"data": {"acted_on": "2026-11-04"}}), 409, "two_certified_officers")
    refusal = body["detail"][0]
    assert refusal["source"] == "行政处罚法第四十二条、第五十五条；行政强制法第十八条"
    assert [p["person"] for p in refusal["detail"]] == ["钱多"]
    assert snapshot() == before


def test_action_not_available_at_this_stage_is_409() -> None:
    w = case_world()
    before = snapshot()
    error(post(client(w.a.u_officer), f"/cases/{w.case.number}/actions/archive",
               {"data": {"archive_number": "1"}}), 409, "action_not_available")
    assert snapshot() == before


# -- approvals -------------------------------------------------------------------------------

def register_request(w: CaseWorld) -> tuple[Case, dict[str, Any]]:
    c = client(w.a.u_officer)
    case = Case.objects.get(public_id=post(c, "/cases", new_case_payload(w)).json()["public_id"])
    response = post(c, f"/cases/{case.number}/actions/register", {
        "data": {"acted_on": "2026-11-03", "act_date": "2026-10-30", "grounds": "涉嫌销售过期食品"},
        "reason": "证据初步确凿"})
    assert response.status_code == 202, response.content
    return case, response.json()


def test_approval_flow() -> None:
    w = case_world()
    case, asked = register_request(w)
    assert asked["step"] is None
    request = asked["approval"]
    assert (request["status"], request["steps"], request["current"], request["current_role"],
            request["requested_by"], request["reason"]) == (
        "pending", ["head"], 0, "head", "李明", "证据初步确凿")
    assert (request["can_decide"], request["can_withdraw"]) == (False, True)
    assert [e.event_code for e in entries(case)] == [4001, 4003]
    case.refresh_from_db()
    assert case.stage == "source"

    # the head sees it as decidable on the case page
    head = client(w.a.u_head)
    pending = head.get(f"{API}/cases/{case.number}").json()["pending_approvals"]
    assert [(p["public_id"], p["can_decide"], p["can_withdraw"]) for p in pending] == [
        (request["public_id"], True, False)]
    response = post(head, f"/approvals/{request['public_id']}/decision",
                    {"approve": True, "comment": "同意立案"})
    assert response.status_code == 200, response.content
    out = response.json()
    assert out["case"]["stage"] == "registered"
    assert out["step"]["action"] == "register"
    assert out["approval"]["status"] == "approved"
    assert [(d["role"], d["actor_name"], d["approved"], d["comment"])
            for d in out["approval"]["decisions"]] == [("head", "王芳", True, "同意立案")]
    assert [e.event_code for e in entries(case)] == [4001, 4003, 4004, 4002]
    case.refresh_from_db()
    assert (case.stage, case.registered_on) == ("registered", dt.date(2026, 11, 3))
    assert case.deadlines.get(rule_code="apl_decision_90").state == DeadlineState.RUNNING

    # decided: no second decision, no withdrawal
    before = snapshot()
    error(post(head, f"/approvals/{request['public_id']}/decision", {"approve": True}), 409,
          "approval_closed")
    error(post(client(w.a.u_officer), f"/approvals/{request['public_id']}/withdraw", {}), 409,
          "approval_closed")
    assert snapshot() == before


def test_a_two_step_ladder() -> None:
    w = case_world()
    approval_ladder_save(actor=w.a.u_sysadmin, body=w.a.body, procedure="general",
                         action="register", steps=["reviewer", "head"])
    case, asked = register_request(w)
    request = asked["approval"]
    assert request["steps"] == ["reviewer", "head"]
    # the head's turn has not come yet
    before = snapshot()
    error(post(client(w.a.u_head), f"/approvals/{request['public_id']}/decision",
               {"approve": True}), 403, "approval_role")
    assert snapshot() == before
    first = post(client(w.a.u_reviewer), f"/approvals/{request['public_id']}/decision",
                 {"approve": True})
    assert first.status_code == 200, first.content
    assert (first.json()["step"], first.json()["approval"]["current_role"]) == (None, "head")
    second = post(client(w.a.u_head), f"/approvals/{request['public_id']}/decision",
                  {"approve": True})
    assert second.json()["case"]["stage"] == "registered"
    assert [e.event_code for e in entries(case)] == [4001, 4003, 4004, 4004, 4002]


def test_sending_back_needs_a_comment() -> None:
    w = case_world()
    case, asked = register_request(w)
    url = f"/approvals/{asked['approval']['public_id']}/decision"
    head = client(w.a.u_head)
    before = snapshot()
    body = error(post(head, url, {"approve": False}), 400, "comment_required")
    assert body["detail"] == {"comment": zh("This field is required.")}
    assert snapshot() == before
    out = post(head, url, {"approve": False, "comment": "证据不足"}).json()
    assert out["step"] is None
    assert out["approval"]["status"] == "rejected"
    assert [e.event_code for e in entries(case)] == [4001, 4003, 4004]
    assert Case.objects.get(pk=case.pk).stage == "source"


def test_withdraw() -> None:
    w = case_world()
    response = post(client(w.a.u_officer), f"/approvals/{w.approval.public_id}/withdraw", {})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["can_withdraw"]) == ("withdrawn", False)
    assert ApprovalRequest.objects.get(pk=w.approval.pk).status == ApprovalStatus.WITHDRAWN
    assert entries(w.case)[-1].event_code == 4005


def test_a_second_request_for_the_same_action_is_409() -> None:
    w = case_world()
    before = snapshot()
    error(post(client(w.a.u_officer2), f"/cases/{w.case.number}/actions/suspend",
               {"data": {"kind": "testing", "reason": "再次申请"}}), 409, "approval_pending")
    assert snapshot() == before


def test_final_approval_rechecks_the_guards() -> None:
    w = case_world()
    Case.objects.filter(pk=w.case.pk).update(defence_waived=True)
    decision_draft(w.a, w.case)  # the decision is made on its draft document
    c = client(w.a.u_officer)
    asked = post(c, f"/cases/{w.case.number}/actions/decide", {"data": {
        "acted_on": "2026-10-09", "outcome": "penalty", "kinds": ["fine"], "fine": "5000",
        "reasons": "证据确凿"}}).json()
    # meanwhile the proposal was lowered (a new report): the request now asks for more
    Case.objects.filter(pk=w.case.pk).update(proposed_fine=300_000)
    before = snapshot()
    body = error(post(client(w.a.u_head), f"/approvals/{asked['approval']['public_id']}/decision",
                      {"approve": True}), 409, "penalty_increased")
    assert body["detail"][0]["source"] == "行政处罚法第四十五条"
    assert snapshot() == before


# -- payloads --------------------------------------------------------------------------------

def raw_post(c: Client, url: str, body: str) -> Any:
    return c.post(API + url, body, content_type="application/json")


@pytest.mark.parametrize(("url", "body", "loc"), [
    ("/cases/NUMBER/actions/record_defence", "{not json", ["body"]),
    ("/cases/NUMBER/actions/record_defence", '{"data": "statement"}', ["body", "payload", "data"]),
    ("/cases/NUMBER/actions/record_defence", '{"data": {}, "reason": 12}',
     ["body", "payload", "reason"]),
    ("/cases/NUMBER/actions/record_defence", '{"data": {"statement": "a\\u0000b"}}',
     ["body", "data", "statement"]),
    ("/cases", '{"title": "x"}', ["body", "payload", "procedure"]),
    ("/cases", "PARTY_TYPE", ["body", "payload", "parties", 0, "party_type"]),
    ("/cases", "OFFICER", ["body", "payload", "officers", 0]),
    ("/cases", "RECEIVED", ["body", "payload", "received_on"]),
    ("/approvals/APPROVAL/decision", '{"approve": "perhaps"}', ["body", "payload", "approve"]),
    ("/approvals/APPROVAL/decision", "[]", ["body", "payload", "approve"]),
])
def test_malformed_payloads_are_422(url: str, body: str, loc: list[Any]) -> None:
    w = case_world()
    base = new_case_payload(w)
    bodies = {
        "PARTY_TYPE": {**base, "parties": [{"party_type": "alien", "name": "x"}]},
        "OFFICER": {**base, "officers": ["李明"]},
        "RECEIVED": {**base, "received_on": "yesterday"},
    }
    if body in bodies:
        body = json.dumps(bodies[body], ensure_ascii=False)
    url = url.replace("NUMBER", w.case.number).replace("APPROVAL", str(w.approval.public_id))
    before = snapshot()
    out = error(raw_post(client(w.a.u_officer), url, body), 422, "invalid_payload")
    assert out["detail"][0]["loc"] == loc
    assert snapshot() == before


def test_unknown_and_missing_fields_are_400() -> None:
    w = case_world()
    before = snapshot()
    body = error(post(client(w.a.u_officer), f"/cases/{w.case.number}/actions/record_defence",
                      {"data": {"statement": "x", "colour": "red", "acted_on": "2099-01-01"}}),
                 400, "invalid_fields")
    assert body["detail"] == {"colour": zh("Unknown field."),
                              "assessment": zh("This field is required."),
                              "acted_on": zh("A step cannot be recorded in the future.")}
    assert snapshot() == before


def test_csrf_is_required_for_a_logged_in_user() -> None:
    w = case_world()
    c = Client(enforce_csrf_checks=True)
    c.force_login(w.a.u_officer)
    before = snapshot()
    error(post(c, f"/cases/{w.case.number}/actions/record_defence", {"data": DEFENCE}), 403,
          "csrf_failed")
    error(post(c, f"/approvals/{w.approval.public_id}/withdraw", {}), 403, "csrf_failed")
    assert snapshot() == before


def test_a_person_of_another_body_cannot_be_an_officer() -> None:
    w = case_world()
    other = f.person(w.a.other_body, "钱江")
    before = snapshot()
    body = error(post(client(w.a.u_officer), "/cases",
                      new_case_payload(w, officers=[str(other.public_id)])), 400,
                 "invalid_fields")
    assert body["detail"] == {"officers": zh("Unknown person.")}
    assert snapshot() == before
