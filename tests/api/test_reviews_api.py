"""The legal review API: what the review page reads, the main refusals with their codes (each
leaving everything as it was), the gate on the case's decision through the case act endpoint,
and whole flows over the API: submission → assignment → opinion → decision; a returned
opinion resubmitted; an extension; a contested opinion decided by collective discussion."""

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from tests import factories as f
from tests.cases.factories import act, reported
from tests.documents.factories import decision_draft
from tests.reviews.factories import (
    ReviewAgency,
    evidence,
    major_reported,
    ready_for_review,
    review_agency,
)
from zhifa.cases.models import Case, CaseDeadline, CaseStep
from zhifa.documents.models import Document
from zhifa.ledger.events import event_get
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import AccountRole, Person, User
from zhifa.reviews.hooks import decision_draft_digest
from zhifa.reviews.models import (
    CollectiveDiscussion,
    DiscussionAttendee,
    RequestState,
    ReviewDetermination,
    ReviewExtension,
    ReviewRequest,
    ReviewRound,
)
from zhifa.reviews.points import POINT_CODES
from zhifa.reviews.services.assign import review_assign
from zhifa.reviews.services.opinions import opinion_submit
from zhifa.reviews.services.requests import review_submit

API = "/api/v1"
OPINION = "承办机构意见：建议按拟处罚意见作出决定。"
# stated by the officer who submitted the investigation report (李明, the factories' officer)
PUBLIC_INTEREST = {"code": "public_interest", "kind": "statutory",
                   "params": {"stated_by": "李明"}}


# -- the world and its helpers (shared with test_reviews_permissions) -----------------------

@dataclass
class World:
    a: ReviewAgency
    case: Case  # major public interest, package complete, prior notice served: "notified"
    u_body_admin: User  # of the case's body: no case permissions
    u_colleague: User  # an officer of the body who is not on the case
    made: dict[str, Any] = field(default_factory=dict)  # rows made by ``prepare`` steps


def world() -> World:
    a = review_agency()
    case = ready_for_review(a)
    act(a, case, "serve_notice", acted_on=dt.date(2026, 9, 22), served_on=dt.date(2026, 9, 22),
        method="direct")
    admin = f.person(a.body, "吴敏", roles=())
    colleague = f.person(a.body, "周平")
    return World(a=a, case=case,
                 u_body_admin=f.user(admin, roles=(AccountRole.BODY_ADMIN,)),
                 u_colleague=f.user(colleague))


def client(user: User | None, language: str = "") -> Client:
    """A logged-in client; ``language``: the language the user chose (the cookie the
    platform reads; it ignores Accept-Language)."""
    c = Client()
    if user is not None:
        c.force_login(user)
    if language:
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return c


def send(user: User | None, method: str, url: str, payload: Any = None) -> Any:
    c = client(user)
    if method == "GET":
        return c.get(API + url)
    body = json.dumps(payload, ensure_ascii=False) if payload is not None else ""
    return getattr(c, method.lower())(API + url, body, content_type="application/json")


def state() -> dict[str, Any]:
    """Every row a review request may write (the review's, the cases', their steps,
    deadlines and documents) and the ledger's size."""
    def rows(model: Any) -> list[dict[str, Any]]:
        return list(model.objects.order_by("pk").values())

    return {
        "requests": rows(ReviewRequest), "rounds": rows(ReviewRound),
        "extensions": rows(ReviewExtension), "discussions": rows(CollectiveDiscussion),
        "attendees": rows(DiscussionAttendee), "determinations": rows(ReviewDetermination),
        "cases": rows(Case), "steps": rows(CaseStep), "deadlines": rows(CaseDeadline),
        "documents": rows(Document), "ledger": LedgerEntry.objects.count(),
    }


def refused(user: User | None, method: str, url: str, payload: Any, status: int,
            code: str) -> dict[str, Any]:
    """The request must be refused with ``status`` and ``code`` and change nothing; the
    envelope."""
    before = state()
    response = send(user, method, url, payload)
    assert response.status_code == status, response.content[:800]
    body = response.json()
    assert set(body) == {"code", "message", "detail"}
    assert body["code"] == code, body
    assert body["message"]
    assert state() == before
    return body


def points(**findings: str) -> list[dict[str, str]]:
    """Every review point "ok" unless ``findings`` gives it a comment: then a problem."""
    return [{"code": c, "finding": "problem" if c in findings else "ok",
             "comment": findings.get(c, "")} for c in POINT_CODES]


def agree() -> dict[str, Any]:
    return {"points": points(), "outcome": "agree", "opinion": "事实清楚，证据确凿，同意。"}


def with_changes() -> dict[str, Any]:
    return {"points": points(appropriate="罚款数额偏高。"), "outcome": "agree_with_changes",
            "opinion": "基本同意，但罚款偏高。", "changes_required": "罚款调整为三千元。"}


def submitted(w: World) -> None:
    review_submit(actor=w.a.u_officer, case=w.case, handling_opinion=OPINION)


def in_review(w: World) -> None:
    submitted(w)
    review_assign(actor=w.a.u_head, request=ReviewRequest.objects.get(case=w.case),
                  reviewer=w.a.reviewer)


def returned(w: World) -> None:
    in_review(w)
    opinion_submit(actor=w.a.u_reviewer, request=ReviewRequest.objects.get(case=w.case),
                   **with_changes())


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def pid(person: Person | None) -> str:
    assert person is not None
    return str(person.public_id)


def review_url(w: World, tail: str = "") -> str:
    return f"/cases/{w.case.public_id}/review{tail}"


def entries(case: Case) -> list[str]:
    """The event names of the case's ledger stream, oldest first."""
    codes = LedgerEntry.objects.filter(stream=case.stream).order_by("stream_seq").values_list(
        "event_code", flat=True)
    return [event_get(code).name for code in codes]


def zh(text: Any) -> str:
    """A msgid or a lazy label as a zh-Hans user reads it (the API's default language)."""
    with translation.override("zh-hans"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


@pytest.fixture
def w(db: None) -> World:
    return world()


# -- the documented operations -------------------------------------------------------------

CHANGE = {"400", "401", "403", "404", "409", "422"}
READ = {"200", "401", "403", "404"}
OPERATIONS = {
    ("GET", "/cases/{key}/review"): ("review_for_case", READ),
    ("GET", "/cases/{key}/review/package"): ("review_package", READ),
    ("GET", "/cases/{key}/review/reviewers"): ("eligible_reviewers", READ),
    ("GET", "/bodies/{public_id}/reviewers"): ("body_reviewers", READ),
    ("GET", "/reviews/queue"): ("review_queue", {"200", "401", "403"}),
    ("GET", "/reviews/kpis"): ("review_kpis", {"200", "400", "401", "403", "422"}),
    ("PUT", "/cases/{key}/review/draft"): ("review_draft_save", {"200", *CHANGE}),
    ("POST", "/cases/{key}/review/submit"): ("review_submit", {"201", *CHANGE}),
    ("POST", "/cases/{key}/review/assign"): ("review_assign", {"200", *CHANGE}),
    ("PUT", "/cases/{key}/review/opinion/draft"): ("opinion_save", {"200", *CHANGE}),
    ("POST", "/cases/{key}/review/opinion"): ("opinion_submit", {"201", *CHANGE}),
    ("POST", "/cases/{key}/review/extensions"): ("extension_request", {"201", *CHANGE}),
    ("POST", "/review-extensions/{public_id}/decide"): ("extension_decide", {"200", *CHANGE}),
    ("POST", "/cases/{key}/review/contest"): ("review_contest", {"201", *CHANGE}),
    ("POST", "/cases/{key}/discussions"): ("discussion_open", {"201", *CHANGE}),
    ("POST", "/discussions/{public_id}/record"): ("discussion_record", {"200", *CHANGE}),
}


@pytest.mark.django_db
def test_every_review_operation_is_documented() -> None:
    doc = Client().get(API + "/openapi.json").json()
    ops = {(method.upper(), path.removeprefix(API)): op
           for path, methods in doc["paths"].items() for method, op in methods.items()}
    mine = {key: (op["operationId"], set(op["responses"])) for key, op in ops.items()
            if "legal review" in op["tags"]}
    assert mine == OPERATIONS
    assert all(ops[key]["summary"] for key in OPERATIONS)
    assert "review_package_incomplete" in ops[("POST", "/cases/{key}/review/submit")][
        "description"]
    schemas = doc["components"]["schemas"]
    assert set(schemas["ReasonOut"]["required"]) == {"code", "kind", "params", "label",
                                                     "source"}
    assert set(schemas["SubmitIn"]["required"]) == {"handling_opinion"}


# -- reads ----------------------------------------------------------------------------------

def test_the_review_page_before_submission(w: World) -> None:
    before = state()
    response = send(w.a.u_officer, "GET", review_url(w))
    assert response.status_code == 200, response.content
    body = response.json()
    with translation.override("zh-hans"):
        from zhifa.reviews.triggers import label, source

        reason = {**PUBLIC_INTEREST, "label": label(PUBLIC_INTEREST),
                  "source": source(PUBLIC_INTEREST)}
    assert body["case"] == {"public_id": str(w.case.public_id), "number": w.case.number}
    assert body["determination"]["required"] is True
    assert body["determination"]["reasons"] == [reason]
    assert reason["source"] == "行政处罚法第五十八条第一款第一项"
    assert body["determination"]["notes"] == []
    assert body["determination"]["catalogue"] is None
    assert body["determination"]["basis"]["fine"] == 500_000
    assert body["determination"]["basis"]["public_interest"] is True
    assert (body["request"], body["rounds"], body["extensions"], body["discussions"]) == (
        None, [], [], [])
    assert state() == before


def test_the_package_lists_what_is_there_and_what_is_missing(db: None) -> None:
    a = review_agency()
    case = major_reported(a)
    url = f"/cases/{case.number}/review/package"
    body = send(a.u_officer, "GET", url).json()
    with translation.override("en"):
        body_en = client(a.u_officer, "en").get(API + url).json()
    assert [(m["code"], m["required"], m["present"]) for m in body["materials"]] == [
        ("draft_decision", True, False), ("evidence_list", True, False),
        ("investigation_report", True, True), ("handling_opinion", True, False)]
    assert body["missing"] == ["draft_decision", "evidence_list", "handling_opinion"]
    assert body["complete"] is False
    assert body_en["missing_labels"] == [
        "Draft decision with its three written reasons", "Evidence list",
        "Handling department's opinion"]
    step = CaseStep.objects.get(case=case, action="submit_report")
    assert body["materials"][2]["refs"] == [
        {"kind": "step", "id": step.pk, "title": f"{step.label} 2026-09-21"}]
    item = evidence(a, case, kind="expert_opinion", title="检验报告")
    decision_draft(a, case)
    body = send(a.u_officer, "GET", url + "?handling_opinion=同意").json()
    assert body["missing"] == [] and body["complete"] is True
    assert [m["code"] for m in body["materials"]] == [
        "draft_decision", "evidence_list", "investigation_report", "appraisal_reports",
        "handling_opinion"]
    assert body["materials"][3] == {
        "code": "appraisal_reports", "label": zh("Appraisal, testing and expert reports"),
        "required": False, "present": True,
        "refs": [{"kind": "evidence", "id": str(item.public_id), "title": "检验报告"}]}


# -- refusals -------------------------------------------------------------------------------

def test_an_incomplete_package_is_refused_with_what_is_missing(db: None) -> None:
    a = review_agency()
    case = major_reported(a)
    evidence(a, case)
    body = refused(a.u_officer, "POST", f"/cases/{case.public_id}/review/submit",
                   {"handling_opinion": OPINION}, 400, "review_package_incomplete")
    assert body["detail"] == {"missing": ["draft_decision"],
                              "labels": [zh("Draft decision with its three written reasons")]}


def test_a_case_that_needs_no_review_is_refused_unless_voluntary(db: None) -> None:
    a = review_agency()
    case = reported(a)
    evidence(a, case)
    decision_draft(a, case)
    url = f"/cases/{case.public_id}/review/submit"
    refused(a.u_officer, "POST", url, {"handling_opinion": OPINION}, 409,
            "review_not_required")
    response = send(a.u_officer, "POST", url, {"handling_opinion": OPINION, "voluntary": True})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["request"]["voluntary"] is True
    assert [r["code"] for r in body["round"]["determination"]] == ["voluntary"]
    page = send(a.u_officer, "GET", f"/cases/{case.public_id}/review").json()
    assert page["determination"]["required"] is True
    assert [r["kind"] for r in page["determination"]["reasons"]] == ["voluntary"]


def test_an_unqualified_first_time_reviewer_is_refused(w: World) -> None:
    submitted(w)
    body = refused(w.a.u_head, "POST", review_url(w, "/assign"),
                   {"reviewer": pid(w.a.reviewer2)}, 400, "reviewer_unqualified")
    assert [p["code"] for p in body["detail"]] == ["reviewer_unqualified"]
    # the case's own officer is not eligible either, for several reasons
    body = refused(w.a.u_head, "POST", review_url(w, "/assign"),
                   {"reviewer": str(w.a.officer.public_id)}, 400, "reviewer_not_reviewer")
    assert [p["code"] for p in body["detail"]] == [
        "reviewer_not_reviewer", "reviewer_not_in_office", "reviewer_is_handler",
        "reviewer_unqualified"]
    # a person outside the user's scope is unknown
    other = f.person(w.a.other_body, "钱七", roles=("reviewer",))
    body = refused(w.a.u_head, "POST", review_url(w, "/assign"),
                   {"reviewer": str(other.public_id)}, 400, "invalid_fields")
    assert body["detail"] == {"reviewer": zh("Unknown person.")}


def test_the_eligible_reviewers_of_the_case(w: World) -> None:
    body = send(w.a.u_head, "GET", review_url(w, "/reviewers")).json()
    assert body["eligible"] == [{
        "person": {"public_id": str(w.a.reviewer.public_id), "name": "刘静"},
        "department": "法制审核科", "qualified": True}]
    assert [(i["person"]["name"], [p["code"] for p in i["problems"]])
            for i in body["ineligible"]] == [("孙丽", ["reviewer_unqualified"])]


def test_an_invalid_opinion_is_refused_field_by_field(w: World) -> None:
    in_review(w)
    url = review_url(w, "/opinion")
    given = [p for p in points(appropriate="") if p["code"] != "crime"]
    given.append({"code": "nonsense", "finding": "ok", "comment": ""})
    with translation.override("en"):
        c = client(w.a.u_reviewer, "en")
        before = state()
        response = c.post(API + url, json.dumps({"points": given, "outcome": "maybe"}),
                          content_type="application/json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "review_opinion_invalid"
    assert body["detail"] == {
        "points": {"nonsense": "There is no review point with this code.",
                   "appropriate": "Explain the problem found.",
                   "crime": "Give a finding on this point."},
        "outcome": "Choose one of the outcomes.", "opinion": "Write the opinion."}
    assert state() == before
    refused(w.a.u_reviewer, "POST", url, {**agree(), "points": points(facts="证据不足。")}, 400,
            "review_points_contradict")
    refused(w.a.u_reviewer, "POST", url, {**with_changes(), "changes_required": ""}, 400,
            "review_opinion_invalid")
    # the payload's shape is checked before anything
    refused(w.a.u_reviewer, "POST", url, {**agree(), "points": "all ok"}, 422, "invalid_payload")


def test_a_case_never_submitted_has_no_review_to_act_on(w: World) -> None:
    refused(w.a.u_head, "POST", review_url(w, "/assign"),
            {"reviewer": str(w.a.reviewer.public_id)}, 404, "review_not_found")
    refused(w.a.u_reviewer, "POST", review_url(w, "/opinion"), agree(), 404, "review_not_found")
    refused(w.a.u_officer, "POST", review_url(w, "/contest"), {"grounds": "不同意"}, 404,
            "review_not_found")


def test_the_gate_refuses_the_decision_without_review(w: World) -> None:
    decide = {"data": {"outcome": "penalty", "kinds": ["fine"], "fine": "5000",
                       "reasons": "依法从轻"}}
    body = refused(w.a.u_officer, "POST", f"/cases/{w.case.public_id}/actions/decide", decide,
                   409, "legal_review_missing")
    assert [r["code"] for r in body["detail"]] == ["legal_review_missing"]
    # the review steps themselves are taken through the review endpoints only
    refused(w.a.u_officer, "POST", f"/cases/{w.case.public_id}/actions/submit_legal_review",
            {"data": {}}, 409, "review_via_service")
    submitted(w)  # under review, the case waits at the legal review stage
    refused(w.a.u_officer, "POST", f"/cases/{w.case.public_id}/actions/decide", decide, 409,
            "action_not_available")


# -- flows ----------------------------------------------------------------------------------

def test_submission_assignment_opinion_and_decision(w: World) -> None:
    a, case = w.a, w.case
    response = send(a.u_officer, "POST", review_url(w, "/submit"),
                    {"handling_opinion": OPINION})
    assert response.status_code == 201, response.content
    body = response.json()
    rnd = ReviewRound.objects.get(request__case=case, number=1)
    assert body["request"]["state"] == "submitted"
    assert body["request"]["origin_stage"] == "notified"
    assert body["round"]["number"] == 1
    assert body["round"]["state"] == "submitted"
    assert body["round"]["due"] == iso(rnd.due)
    assert body["round"]["case_due"] == iso(rnd.case_due)
    assert body["round"]["proposal"] == {"outcome": "penalty", "kinds": ["fine"],
                                         "fine": 500_000, "confiscation": 0,
                                         "facts": "经查，当事人销售不合格产品。",
                                         "document_digest": decision_draft_digest(case)}
    assert [m["code"] for m in body["round"]["materials"]] == [
        "draft_decision", "evidence_list", "investigation_report", "handling_opinion"]
    assert body["round"]["handling_opinion"] == OPINION
    assert body["round"]["submitted_by"] == "李明"
    assert body["round"]["reviewer"] is None
    # today + 7 working days ends after the case's 90 days: a warning, not a refusal
    assert rnd.fits is False
    assert body["warnings"] == [{
        "code": "review_exceeds_case_deadline", "message": body["warnings"][0]["message"],
        "detail": {"due": iso(rnd.due), "case_due": iso(rnd.case_due)}}]
    case.refresh_from_db()
    assert case.stage == "legal_review"

    response = send(a.u_head, "POST", review_url(w, "/assign"),
                    {"reviewer": str(a.reviewer.public_id)})
    assert response.status_code == 200, response.content
    assert response.json()["reviewer"] == {"public_id": str(a.reviewer.public_id),
                                           "name": "刘静"}
    assert response.json()["assigned_by"] == "王芳"

    # the reviewer's draft is his alone to read
    draft = {"points": points(), "outcome": "agree", "opinion": "初步同意"}
    response = send(a.u_reviewer, "PUT", review_url(w, "/opinion/draft"), draft)
    assert response.status_code == 200, response.content
    assert response.json()["opinion"] == "初步同意"
    assert send(a.u_officer, "GET", review_url(w)).json()["rounds"][0]["opinion"] == ""
    mine = send(a.u_reviewer, "GET", review_url(w)).json()["rounds"][0]
    assert (mine["outcome"], mine["opinion"], len(mine["points"])) == ("agree", "初步同意", 9)

    response = send(a.u_reviewer, "POST", review_url(w, "/opinion"), agree())
    assert response.status_code == 201, response.content
    opinion = response.json()
    doc = Document.objects.get(case=case, doc_type="legal_review_opinion")
    assert opinion["state"] == "decided"
    assert opinion["outcome"] == "agree"
    assert opinion["outcome_label"] == zh("Agree")
    assert opinion["decided_on"] == timezone.localdate().isoformat()
    assert opinion["decided_by"] == "刘静"
    assert opinion["opinion_document"] == str(doc.public_id)
    assert [p["finding"] for p in opinion["points"]] == ["ok"] * 9
    case.refresh_from_db()
    assert case.stage == "notified"

    page = send(a.u_officer, "GET", review_url(w)).json()
    assert page["request"]["state"] == "passed"
    assert page["request"]["passed_on"] == timezone.localdate().isoformat()
    assert page["request"]["passed_proposal"]["fine"] == 500_000
    assert page["rounds"][0]["opinion"] == "事实清楚，证据确凿，同意。"

    decide = {"data": {"outcome": "penalty", "kinds": ["fine"], "fine": "5000",
                       "reasons": "依法从轻"}}
    response = send(a.u_officer, "POST", f"/cases/{case.public_id}/actions/decide", decide)
    assert response.status_code == 202, response.content
    approval = response.json()["approval"]["public_id"]
    response = send(a.u_head, "POST", f"/approvals/{approval}/decision", {"approve": True})
    assert response.status_code == 200, response.content
    assert response.json()["step"]["action"] == "decide"
    case.refresh_from_db()
    assert case.stage == "decided"
    assert [e for e in entries(case) if e.startswith("review.")] == [
        "review.determined", "review.submitted", "review.assigned", "review.opinion"]


def test_a_returned_opinion_is_resubmitted_with_the_changes(w: World) -> None:
    returned(w)
    decide = {"data": {"outcome": "penalty", "kinds": ["fine"], "fine": "5000",
                       "reasons": "依法从轻"}}
    refused(w.a.u_officer, "POST", f"/cases/{w.case.public_id}/actions/decide", decide, 409,
            "legal_review_not_passed")
    refused(w.a.u_officer, "POST", review_url(w, "/submit"), {"handling_opinion": OPINION},
            400, "review_changes_missing")
    # a head submits and assigns at once
    response = send(w.a.u_head, "POST", review_url(w, "/submit"),
                    {"handling_opinion": OPINION, "changes": "已按意见修改。",
                     "reviewer": str(w.a.reviewer.public_id)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["request"]["state"], body["request"]["current_round"]) == ("in_review", 2)
    assert (body["round"]["number"], body["round"]["changes"]) == (2, "已按意见修改。")
    page = send(w.a.u_officer, "GET", review_url(w)).json()
    assert [(r["number"], r["state"], r["outcome"]) for r in page["rounds"]] == [
        (1, "decided", "agree_with_changes"), (2, "submitted", "")]
    assert page["rounds"][0]["changes_required"] == "罚款调整为三千元。"


def test_an_extension_is_asked_and_approved(w: World) -> None:
    in_review(w)
    rnd = ReviewRound.objects.get(request__case=w.case)
    refused(w.a.u_reviewer, "POST", review_url(w, "/extensions"),
            {"reason": "案情复杂", "days": 5}, 400, "review_extension_too_long")
    response = send(w.a.u_reviewer, "POST", review_url(w, "/extensions"),
                    {"reason": "案情复杂，需补充核实"})
    assert response.status_code == 201, response.content
    ext = response.json()
    assert (ext["round"], ext["days"], ext["state"], ext["requested_by"]) == (
        1, 3, "pending", "刘静")
    url = f"/review-extensions/{ext['public_id']}/decide"
    refused(w.a.u_head, "POST", url, {"approve": False}, 400, "comment_required")
    response = send(w.a.u_head, "POST", url, {"approve": True, "comment": "同意"})
    assert response.status_code == 200, response.content
    decided = response.json()
    assert (decided["state"], decided["decided_by"], decided["comment"]) == (
        "approved", "王芳", "同意")
    page = send(w.a.u_officer, "GET", review_url(w)).json()
    moved = ReviewRound.objects.get(pk=rnd.pk)
    assert moved.due is not None and rnd.due is not None and moved.due > rnd.due
    assert (page["rounds"][0]["due"], page["rounds"][0]["extended_days"]) == (
        iso(moved.due), 3)
    assert [e["public_id"] for e in page["extensions"]] == [ext["public_id"]]
    refused(w.a.u_head, "POST", url, {"approve": True}, 409, "review_extension_decided")


def test_a_contested_opinion_is_decided_by_collective_discussion(w: World) -> None:
    returned(w)
    response = send(w.a.u_officer, "POST", review_url(w, "/contest"),
                    {"grounds": "罚款数额在裁量基准范围内。"})
    assert response.status_code == 201, response.content
    discussion = response.json()
    assert (discussion["reason"], discussion["state"], discussion["round"]) == (
        "contested", "pending", 1)
    assert discussion["raised_by"] == "李明"
    assert ReviewRequest.objects.get(case=w.case).state == RequestState.CONTESTED
    # a second discussion cannot be opened while this one waits
    refused(w.a.u_head, "POST", f"/cases/{w.case.public_id}/discussions", {"agenda": "另议"},
            409, "discussion_pending")
    url = f"/discussions/{discussion['public_id']}/record"
    record = {"held_on": timezone.localdate().isoformat(),
              "presided_by": str(w.a.head.public_id),
              "attendees": [{"person": str(w.a.head.public_id), "position": "proposal",
                             "view": "同意承办机构意见。"},
                            {"person": pid(w.a.head2), "position": "proposal",
                             "view": "同意。"}],
              "conclusion": "proposal", "conclusion_text": "按承办机构意见作出处罚决定。",
              "place": "局三楼会议室"}
    body = refused(w.a.u_head, "POST", url, {**record, "attendees": record["attendees"][:1]},
                   400, "discussion_attendee_invalid")
    assert set(body["detail"]) == {"attendees"}
    response = send(w.a.u_head, "POST", url, record)
    assert response.status_code == 200, response.content
    held = response.json()
    doc = Document.objects.get(case=w.case, doc_type="collective_discussion_record")
    assert (held["state"], held["conclusion"], held["record_document"]) == (
        "held", "proposal", str(doc.public_id))
    assert held["presided_by"] == {"public_id": str(w.a.head.public_id), "name": "王芳"}
    assert [(x["person"]["name"], x["position"], x["view"]) for x in held["attendees"]] == [
        ("王芳", "proposal", "同意承办机构意见。"), ("赵刚", "proposal", "同意。")]
    page = send(w.a.u_supervisor, "GET", review_url(w)).json()
    assert page["request"]["state"] == "discussed"
    assert [d["public_id"] for d in page["discussions"]] == [discussion["public_id"]]
    refused(w.a.u_head, "POST", url, record, 409, "discussion_held")


# -- the office's lists and figures ---------------------------------------------------------

def test_the_queue_the_figures_and_the_ratio(w: World) -> None:
    submitted(w)
    queue = send(w.a.u_reviewer, "GET", "/reviews/queue").json()
    assert [len(queue[k]) for k in ("mine_overdue", "mine_due_soon", "mine_other")] == [0, 0, 0]
    rnd = ReviewRound.objects.get(request__case=w.case)
    assert queue["unassigned"] == [{
        "case": {"public_id": str(w.case.public_id), "number": w.case.number},
        "title": w.case.title, "round": 1, "state": "submitted",
        "submitted_on": iso(rnd.submitted_on), "due": iso(rnd.due),
        "overdue": False, "reviewer": None}]
    assert send(w.a.u_officer, "GET", "/reviews/queue").json() == {
        "mine_overdue": [], "mine_due_soon": [], "mine_other": [], "unassigned": []}

    year = timezone.localdate().year
    kpis = send(w.a.u_head, "GET", "/reviews/kpis").json()
    assert [k["body"]["name"] for k in kpis] == [w.a.body.name]
    assert {k: kpis[0][k] for k in ("open", "overdue", "rounds_decided", "coverage")} == {
        "open": 1, "overdue": 0, "rounds_decided": 0, "coverage": None}
    assert kpis[0]["ratio"] == {"reviewers": 2, "officers": 3, "ratio": 2 / 3,
                                "target": 0.05, "meets": True}
    supervised = send(w.a.u_supervisor, "GET", f"/reviews/kpis?start={year}-01-01").json()
    assert w.a.body.name in [k["body"]["name"] for k in supervised]
    assert send(w.a.u_officer, "GET", "/reviews/kpis").json() == []
    refused(w.a.u_head, "GET", f"/reviews/kpis?start={year}-02-01&end={year}-01-01", None,
            400, "invalid_fields")

    body = send(w.u_body_admin, "GET", f"/bodies/{w.a.body.public_id}/reviewers").json()
    assert body["body"] == {"public_id": str(w.a.body.public_id), "name": w.a.body.name}
    assert [(r["person"]["name"], r["department"], r["qualified"])
            for r in body["reviewers"]] == [("刘静", "法制审核科", True),
                                             ("孙丽", "法制审核科", False)]
    assert body["ratio"] == kpis[0]["ratio"]
