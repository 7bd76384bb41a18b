"""The permission matrix of the legal review API: each operation, with the review in the state
it needs, as anonymous (401), another body's officer (404: the case, the extension, the
discussion or the body is not found), the supervisor (reads yes, changes 403), a body
administrator without case permissions (403), auxiliary staff (reads yes, changes refused)
and the people of the body whose role does not allow the change; then as each person the
change is for. Every refusal and every read leaves the review rows, the case rows, their
steps, deadlines and documents and the ledger as they were."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from zhifa.reviews.models import ReviewRequest
from zhifa.reviews.services.discussions import discussion_open
from zhifa.reviews.services.extensions import extension_request
from zhifa.reviews.services.opinions import opinion_save

from .test_reviews_api import (
    World,
    agree,
    in_review,
    pid,
    points,
    returned,
    review_url,
    send,
    state,
    submitted,
    with_changes,
    world,
)

Answer = tuple[int, str | None]
CHANGE = (403, "missing_handle_cases")


def nothing(w: World) -> None:
    pass


def extension_pending(w: World) -> None:
    in_review(w)
    w.made["extension"] = extension_request(
        actor=w.a.u_reviewer, request=ReviewRequest.objects.get(case=w.case), reason="案情复杂")


def discussion_pending(w: World) -> None:
    w.made["discussion"] = discussion_open(actor=w.a.u_officer, case=w.case,
                                           agenda="案情复杂，提请集体讨论")


def _record(w: World) -> dict[str, Any]:
    return {"held_on": timezone.localdate().isoformat(), "presided_by": str(w.a.head.public_id),
            "attendees": [{"person": str(w.a.head.public_id), "position": "opinion",
                           "view": "同意法制审核意见。"},
                          {"person": pid(w.a.head2), "position": "opinion",
                           "view": "同意。"}],
            "conclusion": "opinion", "conclusion_text": "按法制审核意见办理。"}


@dataclass(frozen=True)
class Endpoint:
    operation_id: str
    method: str
    url: Callable[[World], str]
    payload: Callable[[World], Any] = lambda w: None
    prepare: Callable[[World], None] = nothing
    other_body: Answer = (404, "case_not_found")
    auxiliary: Answer = (200, None)
    body_admin: Answer = (403, "missing_view_cases")
    # people of the body whose role does not allow it: (account attribute, status, code)
    wrong: tuple[tuple[str, int, str], ...] = ()
    # who may: account attributes ("w." for the world's own accounts)
    right: tuple[str, ...] = ("u_officer", "u_head", "u_reviewer", "u_auxiliary",
                              "u_supervisor", "u_sysadmin")
    status: int = 200

    @property
    def reads(self) -> bool:
        return self.method == "GET"


def _ext(w: World) -> str:
    return f"/review-extensions/{w.made['extension'].public_id}/decide"


def _discussion(w: World) -> str:
    return f"/discussions/{w.made['discussion'].public_id}/record"


ENDPOINTS = [
    Endpoint("review_for_case", "GET", lambda w: review_url(w), prepare=in_review),
    Endpoint("review_package", "GET", lambda w: review_url(w, "/package")),
    Endpoint("eligible_reviewers", "GET", lambda w: review_url(w, "/reviewers")),
    Endpoint("body_reviewers", "GET", lambda w: f"/bodies/{w.a.body.public_id}/reviewers",
             other_body=(404, "body_not_found"), body_admin=(200, None),
             right=("u_officer", "u_reviewer", "u_supervisor", "w.u_body_admin")),
    Endpoint("review_queue", "GET", lambda w: "/reviews/queue", prepare=submitted,
             other_body=(200, None), right=("u_reviewer", "u_head", "u_supervisor")),
    Endpoint("review_kpis", "GET", lambda w: "/reviews/kpis", prepare=submitted,
             other_body=(200, None), right=("u_head", "u_supervisor", "u_sysadmin")),
    Endpoint("review_draft_save", "PUT", lambda w: review_url(w, "/draft"),
             lambda w: {"handling_opinion": "拟同意"}, auxiliary=(403, "not_auxiliary"),
             body_admin=CHANGE,
             wrong=(("w.u_colleague", 403, "review_submit_forbidden"),
                    ("u_reviewer", 403, "review_submit_forbidden")),
             right=("u_officer", "u_officer2", "u_head")),
    Endpoint("review_submit", "POST", lambda w: review_url(w, "/submit"),
             lambda w: {"handling_opinion": "拟同意"}, auxiliary=(403, "not_auxiliary"),
             body_admin=CHANGE,
             wrong=(("w.u_colleague", 403, "review_submit_forbidden"),
                    ("u_reviewer", 403, "review_submit_forbidden")),
             right=("u_officer", "u_officer2", "u_head"), status=201),
    Endpoint("review_assign", "POST", lambda w: review_url(w, "/assign"),
             lambda w: {"reviewer": str(w.a.reviewer.public_id)}, prepare=submitted,
             auxiliary=(403, "review_assign_forbidden"), body_admin=CHANGE,
             wrong=(("u_officer", 403, "review_assign_forbidden"),
                    ("u_reviewer2", 403, "review_assign_self_only")),
             right=("u_head", "u_reviewer")),
    Endpoint("opinion_save", "PUT", lambda w: review_url(w, "/opinion/draft"),
             lambda w: {"points": points(), "outcome": "agree"}, prepare=in_review,
             auxiliary=(403, "review_not_assignee"), body_admin=CHANGE,
             wrong=(("u_officer", 403, "review_not_assignee"),
                    ("u_head", 403, "review_not_assignee"),
                    ("u_reviewer2", 403, "review_not_assignee")),
             right=("u_reviewer",)),
    Endpoint("opinion_submit", "POST", lambda w: review_url(w, "/opinion"),
             lambda w: agree(), prepare=in_review,
             auxiliary=(403, "review_not_assignee"), body_admin=CHANGE,
             wrong=(("u_officer", 403, "review_not_assignee"),
                    ("u_head", 403, "review_not_assignee")),
             right=("u_reviewer",), status=201),
    Endpoint("extension_request", "POST", lambda w: review_url(w, "/extensions"),
             lambda w: {"reason": "需补充核实"}, prepare=in_review,
             auxiliary=(403, "review_not_assignee"), body_admin=CHANGE,
             wrong=(("u_head", 403, "review_not_assignee"),
                    ("u_officer", 403, "review_not_assignee")),
             right=("u_reviewer",), status=201),
    Endpoint("extension_decide", "POST", _ext, lambda w: {"approve": True},
             prepare=extension_pending, other_body=(404, "review_extension_not_found"),
             auxiliary=(403, "extension_decide_forbidden"), body_admin=CHANGE,
             wrong=(("u_reviewer", 403, "extension_decide_forbidden"),
                    ("u_officer", 403, "extension_decide_forbidden")),
             right=("u_head", "u_head2")),
    Endpoint("review_contest", "POST", lambda w: review_url(w, "/contest"),
             lambda w: {"grounds": "罚款在裁量基准范围内"}, prepare=returned,
             auxiliary=(403, "not_auxiliary"), body_admin=CHANGE,
             wrong=(("u_reviewer", 403, "review_contest_forbidden"),
                    ("w.u_colleague", 403, "review_contest_forbidden")),
             right=("u_officer", "u_officer2", "u_head"), status=201),
    Endpoint("discussion_open", "POST", lambda w: f"/cases/{w.case.public_id}/discussions",
             lambda w: {"agenda": "案情复杂，提请集体讨论"},
             auxiliary=(403, "not_auxiliary"), body_admin=CHANGE,
             wrong=(("u_reviewer", 403, "discussion_forbidden"),
                    ("w.u_colleague", 403, "discussion_forbidden")),
             right=("u_officer", "u_head"), status=201),
    Endpoint("discussion_record", "POST", _discussion, _record, prepare=discussion_pending,
             other_body=(404, "discussion_not_found"),
             auxiliary=(403, "discussion_forbidden"), body_admin=CHANGE,
             wrong=(("u_officer", 403, "discussion_forbidden"),
                    ("u_reviewer", 403, "discussion_forbidden")),
             right=("u_head", "u_head2")),
]
IDS = [e.operation_id for e in ENDPOINTS]
ALLOWED = [(e, who) for e in ENDPOINTS for who in e.right]


def account(w: World, who: str) -> Any:
    return getattr(w, who[2:]) if who.startswith("w.") else getattr(w.a, who)


def answer(w: World, who: str | None, e: Endpoint) -> Answer:
    """Status and error code of the request, which must leave everything as it was when it
    is a read or refused."""
    before = state()
    response = send(account(w, who) if who else None, e.method, e.url(w), e.payload(w))
    code = response.json().get("code") if response.status_code >= 400 else None
    if e.reads or response.status_code >= 400:
        assert state() == before, (who, response.status_code, response.content[:300])
    return response.status_code, code


@pytest.fixture
def w(db: None) -> World:
    return world()


@pytest.mark.parametrize("e", ENDPOINTS, ids=IDS)
def test_who_may_not(w: World, e: Endpoint) -> None:
    e.prepare(w)
    found = {"anonymous": answer(w, None, e), "other body": answer(w, "u_other", e),
             "supervisor": answer(w, "u_supervisor", e),
             "body admin": answer(w, "w.u_body_admin", e),
             "auxiliary": answer(w, "u_auxiliary", e),
             **{who: answer(w, who, e) for who, _status, _code in e.wrong}}
    assert found == {"anonymous": (401, "not_authenticated"), "other body": e.other_body,
                     "supervisor": (200, None) if e.reads else CHANGE,
                     "body admin": e.body_admin, "auxiliary": e.auxiliary,
                     **{who: (status, code) for who, status, code in e.wrong}}


@pytest.mark.parametrize(("e", "who"), ALLOWED,
                         ids=[f"{e.operation_id}-{who}" for e, who in ALLOWED])
def test_who_may(w: World, e: Endpoint, who: str) -> None:
    e.prepare(w)
    status, code = answer(w, who, e)
    assert (status, code) == (e.status, None)


def test_a_supervisor_reads_but_never_sees_a_draft_opinion(w: World) -> None:
    in_review(w)
    opinion_save(actor=w.a.u_reviewer, request=ReviewRequest.objects.get(case=w.case),
                 **with_changes())
    for who in (w.a.u_supervisor, w.a.u_head, w.a.u_officer):
        rounds = send(who, "GET", review_url(w)).json()["rounds"]
        assert [(r["points"], r["outcome"], r["opinion"], r["changes_required"])
                for r in rounds] == [([], "", "", "")]
    mine = send(w.a.u_reviewer, "GET", review_url(w)).json()["rounds"][0]
    assert (mine["outcome"], mine["changes_required"]) == ("agree_with_changes",
                                                           "罚款调整为三千元。")
