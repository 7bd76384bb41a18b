"""Submitting a case for legal review (``services.requests``): the package and its
completeness, the case step and the review's time limit, the catalogue's days, the warning
when the review would end after the case's own deadline, voluntary review, later rounds, the
package kept as a draft, and who may submit. Every refusal leaves everything as it was."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from tests import factories as f
from tests.cases.factories import act, certified, open_case, reported
from tests.documents.factories import decision_draft, draft, refused_unchanged
from tests.reviews.factories import (
    ReviewAgency,
    evidence,
    major_reported,
    ready_for_review,
)
from tests.reviews.helpers_requests import (
    OPINION,
    SUBMIT_ON,
    entries,
    returned,
    review_deadline,
    state,
    submitted,
)
from zhifa.cases.models import Case, CaseDeadline, CaseStep, DeadlineState
from zhifa.documents.models import Document
from zhifa.documents.services import document_update
from zhifa.reviews.events import REVIEW_DRAFT_SAVED, REVIEW_SUBMITTED
from zhifa.reviews.hooks import decision_draft_digest
from zhifa.reviews.models import (
    RequestState,
    ReviewDetermination,
    ReviewRequest,
    ReviewRound,
    RoundState,
)
from zhifa.reviews.services.requests import review_draft_save, review_package, review_submit
from zhifa.reviews.triggers import label
from zhifa.workdays.calendar import deadline_for

pytestmark = pytest.mark.django_db
D = dt.date
PUBLIC_INTEREST = {"code": "public_interest", "kind": "statutory",
                   "params": {"stated_by": "李明"}}  # the officer who reported it
PROPOSAL = {"outcome": "penalty", "kinds": ["fine"], "fine": 500_000, "confiscation": 0,
            "facts": "经查，当事人销售不合格产品。"}


def refused(code: str, case: Case, **kwargs: Any) -> Any:
    """``review_submit`` (by the officer unless ``actor`` says otherwise, on SUBMIT_ON) must
    refuse with ``code`` and leave everything as it was."""
    actor = kwargs.pop("actor")
    kwargs.setdefault("handling_opinion", OPINION)
    return refused_unchanged(code, lambda: review_submit(
        actor=actor, case=case, submitted_on=SUBMIT_ON, **kwargs), lambda: state(case))


def apl_due(case: Case) -> dt.date:
    return CaseDeadline.objects.get(case=case, rule_code="apl_decision_90",
                                    state=DeadlineState.RUNNING).due


# --- a complete submission ------------------------------------------------------------------

def test_complete_submission(a: ReviewAgency) -> None:
    case = ready_for_review(a)
    result = submitted(a, case)
    request, rnd = result.request, result.round
    request.refresh_from_db()
    rnd.refresh_from_db()
    due = deadline_for(rule="review_7", start=SUBMIT_ON).due
    # what the reviewer reads: the proposal and the drafted decision's text (its digest)
    proposal = {**PROPOSAL, "document_digest": decision_draft_digest(case)}
    assert len(proposal["document_digest"]) == 64

    assert result.warnings == []
    assert (request.case_id, request.body_id, request.state, request.current_round,
            request.origin_stage, request.voluntary, request.catalogue_id,
            request.created_by_id) == (case.pk, a.body.pk, RequestState.SUBMITTED, 1,
                                       "reported", False, None, a.u_officer.pk)
    assert ReviewRound.objects.filter(request=request).count() == 1
    assert (rnd.number, rnd.state, rnd.proposal, rnd.handling_opinion, rnd.changes,
            rnd.determination, rnd.submitted_by_id, rnd.submitted_on, rnd.due,
            rnd.review_days, rnd.extended_days, rnd.case_due, rnd.fits, rnd.reviewer_id) == (
        1, RoundState.SUBMITTED, proposal, OPINION, "", [PUBLIC_INTEREST], a.u_officer.pk,
        SUBMIT_ON, due, 7, 0, apl_due(case), True, None)
    assert rnd.submitted_at is not None
    assert [(m["code"], m["required"], m["present"], [r["kind"] for r in m["refs"]])
            for m in rnd.materials] == [
        ("draft_decision", True, True, ["document"]),
        ("evidence_list", True, True, ["evidence"]),
        ("investigation_report", True, True, ["step"]),
        ("handling_opinion", True, True, []),
    ]

    # the case step, at the legal review stage, and its time limit
    assert case.stage == "legal_review"
    assert case.flags["review_from"] == "reported"
    step = CaseStep.objects.filter(case=case).latest("id")
    assert (step.action, step.from_stage, step.to_stage, step.acted_on, step.actor_id) == (
        "submit_legal_review", "reported", "legal_review", SUBMIT_ON, a.u_officer.pk)
    deadline = review_deadline(case)
    assert (deadline.start, deadline.extra, deadline.due) == (SUBMIT_ON, 0, due)
    assert due > SUBMIT_ON + dt.timedelta(days=7)  # working days, not calendar days

    # the ledger entry
    [payload] = entries(case, REVIEW_SUBMITTED)
    assert payload == {
        "case": case.number, "round": 1, "due": due.isoformat(),
        "case_due": apl_due(case).isoformat(), "fits": True,
        "materials": ["draft_decision", "evidence_list", "investigation_report",
                      "handling_opinion"],
        "proposal": proposal, "reasons": [PUBLIC_INTEREST], "voluntary": False,
        "handling_opinion": OPINION, "changes": ""}
    det = ReviewDetermination.objects.get(case=case)
    assert (det.required, det.reasons) == (True, [PUBLIC_INTEREST])


def test_the_round_keeps_the_digest_of_the_draft_it_was_given(a: ReviewAgency) -> None:
    case = ready_for_review(a)
    digest = decision_draft_digest(case)
    rnd = submitted(a, case).round
    # the draft decision edited after the submission: the round keeps what was reviewed
    doc = Document.objects.get(case=case, doc_type="penalty_decision")
    document_update(actor=a.u_officer, document=doc,
                    fields={**doc.fields, "裁量理由": "当事人系初次违法，从轻处罚。"})
    assert decision_draft_digest(case) != digest
    rnd.refresh_from_db()
    assert rnd.proposal == {**PROPOSAL, "document_digest": digest}


def test_head_submits_and_assigns_at_once(a: ReviewAgency) -> None:
    case = ready_for_review(a)
    result = submitted(a, case, actor=a.u_head, reviewer=a.reviewer)
    result.request.refresh_from_db()
    assert result.request.state == RequestState.IN_REVIEW
    assert (result.round.reviewer_id, result.round.assigned_by_id) == (a.reviewer.pk,
                                                                      a.u_head.pk)


def test_officer_cannot_pick_the_reviewer(a: ReviewAgency) -> None:
    case = ready_for_review(a)
    refused("review_assign_forbidden", case, actor=a.u_officer, reviewer=a.reviewer)


def test_catalogue_review_days_change_the_due_date(a: ReviewAgency) -> None:
    catalogue = f.review_catalogue(a.body, review_days=5)
    case = ready_for_review(a)
    result = submitted(a, case)
    due = deadline_for(rule="review_7", start=SUBMIT_ON, extra=-2).due
    assert due < deadline_for(rule="review_7", start=SUBMIT_ON).due
    deadline = review_deadline(case)
    assert (deadline.extra, deadline.due) == (-2, due)
    rnd = ReviewRound.objects.get(pk=result.round.pk)
    assert (rnd.due, rnd.review_days) == (due, 5)
    assert ReviewRequest.objects.get(case=case).catalogue_id == catalogue.pk
    [payload] = entries(case, REVIEW_SUBMITTED)
    assert payload["due"] == due.isoformat()


# --- the package ----------------------------------------------------------------------------

def test_incomplete_package_is_refused_listing_what_is_missing(a: ReviewAgency) -> None:
    case = major_reported(a)  # no evidence, no draft decision
    with translation.override("en"):
        exc = refused("review_package_incomplete", case, actor=a.u_officer,
                      handling_opinion="  ")
    assert exc.detail["missing"] == ["draft_decision", "evidence_list", "handling_opinion"]
    assert exc.detail["labels"] == ["Draft decision with its three written reasons",
                                    "Evidence list", "Handling department's opinion"]
    assert not ReviewRequest.objects.filter(case=case).exists()


def test_draft_decision_needs_its_three_reasons(a: ReviewAgency) -> None:
    case = major_reported(a)
    evidence(a, case)
    decision_draft(a, case, "penalty", 裁量理由="")
    exc = refused("review_package_incomplete", case, actor=a.u_officer)
    assert exc.detail["missing"] == ["draft_decision"]
    decision_draft(a, case, "penalty")
    assert review_package(case=case, handling_opinion=OPINION).missing == []


def test_package_rows_and_references(a: ReviewAgency) -> None:
    case = ready_for_review(a)
    item = evidence(a, case, kind="expert_opinion", title="鉴定意见书")
    with translation.override("en"):
        package = review_package(case=case)
    assert package.missing == ["handling_opinion"]
    rows = {r.code: r for r in package.materials}
    assert list(rows) == ["draft_decision", "evidence_list", "investigation_report",
                          "appraisal_reports", "handling_opinion"]
    # an appraisal report is listed because the case has one, and is never required
    appraisal = rows["appraisal_reports"]
    assert (appraisal.label, appraisal.required, appraisal.present, appraisal.refs) == (
        "Appraisal, testing and expert reports", False, True,
        [{"kind": "evidence", "id": str(item.public_id), "title": "鉴定意见书"}])
    assert [r["title"] for r in rows["evidence_list"].refs] == ["抽样检验报告", "鉴定意见书"]
    report = CaseStep.objects.get(case=case, action="submit_report")
    assert rows["investigation_report"].refs == [
        {"kind": "step", "id": report.pk, "title": f"{report.label} 2026-09-21"}]
    assert rows["draft_decision"].refs[0]["title"] == "行政处罚决定书"
    assert (rows["handling_opinion"].required, rows["handling_opinion"].present) == (True,
                                                                                     False)


def test_catalogue_materials_decide_what_is_required(a: ReviewAgency) -> None:
    catalogue = f.review_catalogue(a.body)
    catalogue.materials = ["draft_decision", "handling_opinion"]
    catalogue.save(update_fields=["materials"])
    case = major_reported(a)
    decision_draft(a, case, "penalty")
    package = review_package(case=case, handling_opinion=OPINION)
    assert package.missing == []
    assert [(r.code, r.required) for r in package.materials] == [
        ("draft_decision", True), ("investigation_report", False), ("handling_opinion", True)]


def test_hearing_record_is_required_only_after_a_hearing(a: ReviewAgency) -> None:
    case = ready_for_review(a)
    assert "hearing_record" not in [r.code for r in review_package(case=case).materials]
    # a hearing date without its record (e.g. recorded on paper and not yet entered)
    Case.objects.filter(pk=case.pk).update(hearing_held_on=D(2026, 9, 20))
    case.refresh_from_db()
    package = review_package(case=case, handling_opinion=OPINION)
    assert package.missing == ["hearing_record"]
    doc = draft(a, case, "hearing_record")
    package = review_package(case=case, handling_opinion=OPINION)
    assert package.missing == []
    [row] = [r for r in package.materials if r.code == "hearing_record"]
    assert row.refs == [{"kind": "document", "id": str(doc.public_id), "title": "听证笔录"}]


def test_review_after_a_hearing_is_submitted_from_the_notice_stage(a: ReviewAgency) -> None:
    # not major: review becomes required by the hearing (APL art. 58 §1(2))
    case = reported(a, kinds=["fine", "revoke_licence"])
    evidence(a, case)
    decision_draft(a, case, "penalty")
    refused("review_not_required", case, actor=a.u_officer)
    act(a, case, "serve_notice", acted_on=D(2026, 9, 22), served_on=D(2026, 9, 22),
        method="direct")
    act(a, case, "request_hearing", acted_on=D(2026, 9, 24), requested_on=D(2026, 9, 24))
    act(a, case, "schedule_hearing", acted_on=D(2026, 9, 25), hearing_on=D(2026, 10, 12),
        place="第一听证室")
    act(a, case, "hold_hearing", acted_on=D(2026, 10, 12), presiding="王芳", record="听证记录")
    hearing = CaseStep.objects.get(case=case, action="hold_hearing")
    result = submitted(a, case, on=D(2026, 10, 13))
    result.request.refresh_from_db()
    assert (case.stage, result.request.origin_stage) == ("legal_review", "notified")
    [row] = [m for m in result.round.materials if m["code"] == "hearing_record"]
    assert row == {"code": "hearing_record", "required": True, "present": True,
                   "refs": [{"kind": "step", "id": hearing.pk,
                             "title": f"{hearing.label} 2026-10-12"}]}
    assert [r["code"] for r in result.round.determination] == ["hearing_held"]


# --- required or voluntary ------------------------------------------------------------------

def test_not_required_unless_voluntary(a: ReviewAgency) -> None:
    case = reported(a)  # 5,000 yuan, no catalogue, not major: no rule requires review
    evidence(a, case)
    decision_draft(a, case, "penalty")
    refused("review_not_required", case, actor=a.u_officer)
    assert not ReviewDetermination.objects.get(case=case).required

    result = submitted(a, case, voluntary=True)
    result.request.refresh_from_db()
    assert result.request.voluntary is True
    voluntary = {"code": "voluntary", "kind": "voluntary", "params": {}}
    assert result.round.determination == [voluntary]
    det = ReviewDetermination.objects.get(case=case)
    assert (det.required, det.reasons) == (True, [voluntary])
    with translation.override("en"):
        assert label(det.reasons[0]) == "Sent to review voluntarily by the handler"
    assert entries(case, REVIEW_SUBMITTED)[0]["voluntary"] is True


def test_licensing_denial_is_reviewed_at_the_reviewing_stage(a: ReviewAgency) -> None:
    case = open_case(a, "licensing", received_on=D(2026, 9, 1), source_kind="application")
    act(a, case, "accept", acted_on=D(2026, 9, 2))
    evidence(a, case, title="申请材料核查记录")
    draft(a, case, "licensing_decision")
    # no catalogue: a denial needs no review
    refused("review_not_required", case, actor=a.u_officer)
    f.review_catalogue(a.body, triggers=("licensing_refusal",))
    steps = CaseStep.objects.filter(case=case).count()
    result = submitted(a, case, on=D(2026, 9, 3))
    request = ReviewRequest.objects.get(case=case)
    assert (case.stage, request.origin_stage, request.state) == (
        "reviewing", "reviewing", RequestState.SUBMITTED)
    assert CaseStep.objects.filter(case=case).count() == steps  # the procedure has no step
    due = deadline_for(rule="review_7", start=D(2026, 9, 3)).due
    assert review_deadline(case).due == due
    decision_due = CaseDeadline.objects.get(case=case, rule_code="all_decision_20").due
    rnd = result.round
    assert (rnd.due, rnd.case_due, rnd.fits) == (due, decision_due, due <= decision_due)
    assert rnd.proposal["outcome"] == "deny"
    assert [r["code"] for r in rnd.determination] == ["licensing_refusal"]
    # a licensing case has no investigation report to send
    assert [m["code"] for m in rnd.materials] == ["draft_decision", "evidence_list",
                                                  "handling_opinion"]


@pytest.mark.parametrize("procedure", ["general", "licensing"])
def test_the_submission_date_is_checked_like_a_step(a: ReviewAgency, procedure: str) -> None:
    if procedure == "licensing":
        case = open_case(a, "licensing", received_on=D(2026, 9, 1), source_kind="application")
        act(a, case, "accept", acted_on=D(2026, 9, 2))
        evidence(a, case, title="申请材料核查记录")
        draft(a, case, "licensing_decision")
        f.review_catalogue(a.body, triggers=("licensing_refusal",))
        last = D(2026, 9, 2)
    else:
        case = ready_for_review(a)  # reported on 21 September
        last = D(2026, 9, 21)
    with translation.override("en"):
        exc = refused_unchanged("submitted_on_future", lambda: review_submit(
            actor=a.u_officer, case=case, handling_opinion=OPINION,
            submitted_on=dt.date.today() + dt.timedelta(days=1)), lambda: state(case))
        assert exc.detail == {"submitted_on": "The date cannot be in the future."}
        exc = refused_unchanged("submitted_on_too_early", lambda: review_submit(
            actor=a.u_officer, case=case, handling_opinion=OPINION,
            submitted_on=last - dt.timedelta(days=1)), lambda: state(case))
    message = (f"The submission cannot be dated before {last.isoformat()}, the date of the "
               f"case's previous step (or of its receipt).")
    assert (exc.message, exc.detail) == (message, {"submitted_on": message})
    assert not ReviewRequest.objects.filter(case=case).exists()
    # the day of the last step itself is fine
    assert submitted(a, case, on=last).round.submitted_on == last


# --- the case's own deadline ----------------------------------------------------------------

def test_review_ending_after_the_case_deadline_warns(a: ReviewAgency) -> None:
    # registered 2026-06-02: the 90 days end on 2026-08-31; submitted 2026-08-27
    case = ready_for_review(a, received=D(2026, 6, 1))
    on = D(2026, 8, 27)
    result = submitted(a, case, on=on)
    due = deadline_for(rule="review_7", start=on).due
    case_due = apl_due(case)
    assert case_due < due
    assert result.warnings == [{
        "code": "review_exceeds_case_deadline",
        "message": result.warnings[0]["message"],
        "due": due.isoformat(), "case_due": case_due.isoformat()}]
    with translation.override("en"):
        assert due.isoformat() in result.warnings[0]["message"]
    rnd = ReviewRound.objects.get(pk=result.round.pk)
    assert (rnd.due, rnd.case_due, rnd.fits) == (due, case_due, False)
    [payload] = entries(case, REVIEW_SUBMITTED)
    assert (payload["fits"], payload["case_due"]) == (False, case_due.isoformat())


# --- rounds ---------------------------------------------------------------------------------

def test_second_round_needs_the_changes(a: ReviewAgency) -> None:
    first = submitted(a)
    case = first.request.case
    returned(a, first, on=D(2026, 9, 25))
    case.refresh_from_db()
    assert case.stage == "reported"
    refused("review_changes_missing", case, actor=a.u_officer, changes=" ")

    second = submitted(a, case, on=D(2026, 9, 28), changes="补充了证据采信理由。")
    request = ReviewRequest.objects.get(case=case)
    assert (request.state, request.current_round) == (RequestState.SUBMITTED, 2)
    assert [(r.number, r.state) for r in request.rounds.all()] == [
        (1, RoundState.DECIDED), (2, RoundState.SUBMITTED)]
    assert (second.round.number, second.round.changes) == (2, "补充了证据采信理由。")
    assert review_deadline(case).start == D(2026, 9, 28)
    assert [p["round"] for p in entries(case, REVIEW_SUBMITTED)] == [1, 2]


def test_already_open_is_refused(a: ReviewAgency) -> None:
    result = submitted(a)
    exc = refused("review_already_open", result.request.case, actor=a.u_officer)
    assert exc.status == 409


def test_not_at_a_submitting_stage(a: ReviewAgency) -> None:
    case = major_reported(a)
    evidence(a, case)
    decision_draft(a, case, "penalty")
    act(a, case, "resume_investigation", acted_on=D(2026, 9, 22), reason="补充调查")
    refused("review_stage", case, actor=a.u_officer)


# --- the package kept as a draft ------------------------------------------------------------

def test_draft_saved_then_submitted(a: ReviewAgency) -> None:
    case = ready_for_review(a)
    rnd = review_draft_save(actor=a.u_officer, case=case, handling_opinion="初稿")
    request = ReviewRequest.objects.get(case=case)
    assert (request.state, request.current_round) == (RequestState.DRAFT, 0)
    assert (rnd.number, rnd.state, rnd.handling_opinion, rnd.proposal) == (
        1, RoundState.DRAFT, "初稿", PROPOSAL)
    assert entries(case, REVIEW_DRAFT_SAVED) == [{
        "case": case.number, "round": 1, "handling_opinion": "初稿", "changes": "",
        "voluntary": False}]
    again = review_draft_save(actor=a.u_officer2, case=case, handling_opinion="二稿")
    assert again.pk == rnd.pk
    case.refresh_from_db()
    assert case.stage == "reported"  # a draft is not a submission

    result = submitted(a, case)
    assert result.round.pk == rnd.pk
    rnd.refresh_from_db()
    assert (rnd.state, rnd.handling_opinion) == (RoundState.SUBMITTED, OPINION)
    assert ReviewRound.objects.filter(request__case=case).count() == 1


def test_draft_save_refused_while_under_review(a: ReviewAgency) -> None:
    result = submitted(a)
    case = result.request.case
    refused_unchanged("review_already_open", lambda: review_draft_save(
        actor=a.u_officer, case=case, handling_opinion="x"), lambda: state(case))
    refused_unchanged("not_auxiliary", lambda: review_draft_save(
        actor=a.u_auxiliary, case=case, handling_opinion="x"), lambda: state(case))


# --- who may submit -------------------------------------------------------------------------

@pytest.mark.parametrize(("who", "code"), [
    ("u_other", "case_out_of_scope"),
    ("u_auxiliary", "not_auxiliary"),
    ("u_supervisor", "missing_handle_cases"),
    ("u_reviewer", "review_submit_forbidden"),
    ("outsider", "review_submit_forbidden"),
])
def test_who_may_not_submit(a: ReviewAgency, who: str, code: str) -> None:
    case = ready_for_review(a)
    actor = (f.user(certified(a, "周全")) if who == "outsider" else getattr(a, who))
    exc = refused(code, case, actor=actor)
    assert exc.status == 403
    assert not ReviewRequest.objects.filter(case=case).exists()


def test_a_head_or_a_co_handler_may_submit(a: ReviewAgency) -> None:
    assert submitted(a, actor=a.u_head).round.submitted_by_id == a.u_head.pk
    assert submitted(a, actor=a.u_officer2).round.submitted_by_id == a.u_officer2.pk
