"""Who may call each case endpoint: anonymous 401, another body's officer 404 (or an empty
list), the wrong role 403, the right role 2xx. Every refusal leaves every case table and the
ledger exactly as they were."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

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
from tests.api.helpers import error

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Endpoint:
    operation_id: str
    method: str
    url: Callable[[CaseWorld], str]
    payload: Callable[[CaseWorld], Any] = lambda w: None
    # (account attribute on the world, status, error code) for each kind of caller
    other_body: tuple[int, str | None] = (404, "case_not_found")
    wrong_role: tuple[str, int, str] = ("u_body_admin", 403, "missing_view_cases")
    right_role: tuple[str, int] = ("a.u_officer", 200)


DEFENCE = {"data": {"statement": "当事人称不知产品不合格", "assessment": "理由不成立"}}

ENDPOINTS: dict[str, Endpoint] = {
    "list": Endpoint("cases_for_list", "GET", lambda w: "/cases", other_body=(200, None)),
    "detail": Endpoint("case_view_for", "GET", lambda w: f"/cases/{w.case.number}"),
    "timeline": Endpoint("stream_entries", "GET",
                         lambda w: f"/cases/{w.case.public_id}/timeline"),
    "procedures": Endpoint("visible_procedures", "GET",
                           lambda w: f"/procedures?body={w.a.body.public_id}",
                           other_body=(404, "body_not_found")),
    "procedure": Endpoint("procedure_get", "GET",
                          lambda w: f"/procedures/general?body={w.a.body.public_id}",
                          other_body=(404, "body_not_found")),
    "provisional": Endpoint("provisional_deadlines", "GET", lambda w: "/deadlines/provisional",
                            other_body=(403, "missing_administer_system"),
                            wrong_role=("a.u_officer", 403, "missing_administer_system"),
                            right_role=("a.u_sysadmin", 200)),
    "create": Endpoint("case_create", "POST", lambda w: "/cases", new_case_payload,
                       other_body=(400, "invalid_fields"),
                       wrong_role=("a.u_supervisor", 403, "missing_handle_cases"),
                       right_role=("a.u_officer", 201)),
    "act": Endpoint("case_act", "POST",
                    lambda w: f"/cases/{w.case.public_id}/actions/record_defence",
                    lambda w: DEFENCE,
                    wrong_role=("a.u_supervisor", 403, "missing_handle_cases"),
                    right_role=("a.u_officer", 201)),
    "decide": Endpoint("approval_decide", "POST",
                       lambda w: f"/approvals/{w.approval.public_id}/decision",
                       lambda w: {"approve": True, "comment": ""},
                       other_body=(404, "approval_not_found"),
                       wrong_role=("a.u_officer2", 403, "approval_role"),
                       right_role=("a.u_head", 200)),
    "withdraw": Endpoint("approval_withdraw", "POST",
                         lambda w: f"/approvals/{w.approval.public_id}/withdraw",
                         other_body=(404, "approval_not_found"),
                         wrong_role=("a.u_head", 403, "approval_not_requester"),
                         right_role=("a.u_officer", 200)),
}
NAMES = sorted(ENDPOINTS)
# the routers whose every operation this matrix covers
CASE_TAGS = {"cases", "procedures"}


def account(w: CaseWorld, path: str) -> Any:
    obj: Any = w
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def call(w: CaseWorld, name: str, user: Any) -> Any:
    e = ENDPOINTS[name]
    c = client(user)
    if e.method == "GET":
        return c.get(API + e.url(w))
    return post(c, e.url(w), e.payload(w))


@pytest.mark.parametrize("name", NAMES)
def test_anonymous_is_401(name: str) -> None:
    w = case_world()
    before = snapshot()
    error(call(w, name, None), 401, "not_authenticated")
    assert snapshot() == before


@pytest.mark.parametrize("name", NAMES)
def test_other_body(name: str) -> None:
    w = case_world()
    before = snapshot()
    response = call(w, name, w.a.u_other)
    status, code = ENDPOINTS[name].other_body
    if code is None:
        assert response.status_code == status
        assert response.json() == {"items": [], "count": 0}
    else:
        error(response, status, code)
    assert snapshot() == before


@pytest.mark.parametrize("name", NAMES)
def test_wrong_role_is_403(name: str) -> None:
    w = case_world()
    who, status, code = ENDPOINTS[name].wrong_role
    before = snapshot()
    error(call(w, name, account(w, who)), status, code)
    assert snapshot() == before


@pytest.mark.parametrize("name", NAMES)
def test_right_role(name: str) -> None:
    w = case_world()
    who, status = ENDPOINTS[name].right_role
    response = call(w, name, account(w, who))
    assert response.status_code == status, response.content


@pytest.mark.parametrize(("who", "action", "payload"), [
    # auxiliaries never take deciding steps (APL art. 42)
    ("a.u_auxiliary", "decide", {"data": {"outcome": "no_penalty", "reasons": "轻微"}}),
    # a legal reviewer does not record the party's defence
    ("a.u_reviewer", "record_defence", DEFENCE),
    # an officer of the body who is not on the case
    ("u_colleague", "record_defence", DEFENCE),
])
def test_action_by_a_role_that_may_not_take_it(who: str, action: str, payload: Any) -> None:
    w = case_world()
    before = snapshot()
    body = error(post(client(account(w, who)), f"/cases/{w.case.number}/actions/{action}",
                      payload), 403, "action_role")
    assert body["message"] == zh("Your role cannot take this step on this case.")
    assert snapshot() == before


def test_the_requester_cannot_approve_their_own_request() -> None:
    w = case_world()
    w.a.u_officer.roles = ["officer", "head"]
    w.a.u_officer.save()
    before = snapshot()
    error(post(client(w.a.u_officer), f"/approvals/{w.approval.public_id}/decision",
               {"approve": True}), 403, "approval_self")
    assert snapshot() == before


def test_inactive_account_is_401() -> None:
    w = case_world()
    c = client(w.a.u_officer)
    w.a.u_officer.is_active = False
    w.a.u_officer.save()
    before = snapshot()
    error(post(c, f"/cases/{w.case.number}/actions/record_defence", DEFENCE), 401,
          "not_authenticated")
    assert snapshot() == before


def test_malformed_and_unknown_keys_are_404() -> None:
    w = case_world()
    c = client(w.a.u_officer)
    for url in ("/cases/not-a-number", "/cases/00000000-0000-0000-0000-000000000000",
                "/cases/x/timeline"):
        error(c.get(API + url), 404, "case_not_found")
    before = snapshot()
    for url in ("/approvals/nope/decision", "/approvals/nope/withdraw",
                "/approvals/00000000-0000-0000-0000-000000000000/withdraw"):
        error(post(c, url, {"approve": True}), 404, "approval_not_found")
    error(post(c, f"/cases/{w.case.number}/actions/fly_to_the_moon", {"data": {}}), 404,
          "action_unknown")
    error(c.get(API + "/procedures/nope"), 404, "procedure_not_found")
    assert snapshot() == before


def test_supervisor_reads_but_does_not_act() -> None:
    w = case_world()
    c = client(w.a.u_supervisor)
    assert c.get(API + "/cases").json()["count"] == 1
    detail = c.get(f"{API}/cases/{w.case.number}").json()
    # supervisors watch: no actions offered, nothing to decide or withdraw
    assert detail["actions"] == []
    assert [(p["can_decide"], p["can_withdraw"]) for p in detail["pending_approvals"]] == [
        (False, False)]


def test_every_case_operation_is_in_the_matrix() -> None:
    from zhifa.api.root import api

    ops = {op["operationId"] for path in api.get_openapi_schema()["paths"].values()
           for op in path.values() if set(op.get("tags", [])) & CASE_TAGS}
    assert ops == {e.operation_id for e in ENDPOINTS.values()}
