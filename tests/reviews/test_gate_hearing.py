"""A hearing held stays held (APL art. 58 §1(2)): a new investigation report clears the case's
hearing date (the party's rights start again with the new notice), but the decision still
follows the hearing, and needs a review that passed after it. The gate, the determination,
the package and the page read the hearing from the case's ``hold_hearing`` step. And a review
withdrawn because the licence was granted closes the extension still waiting for a head."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from tests.cases.factories import act, snapshot
from tests.reviews.helpers_requests import entries
from tests.web.test_reviews_page_rules import heard_after_passing
from tests.web.test_reviews_pages import as_user, url
from zhifa.cases.models import Case, CaseStep
from zhifa.catalog.services import review_catalogue_create
from zhifa.core.errors import ApplicationError
from zhifa.ledger.models import LedgerEntry
from zhifa.reviews.events import REVIEW_DETERMINED, REVIEW_EXTENSION_DECIDED, REVIEW_WITHDRAWN
from zhifa.reviews.hooks import gate_refusals
from zhifa.reviews.models import (
    ExtensionState,
    RequestState,
    ReviewDetermination,
    ReviewExtension,
    ReviewRequest,
)
from zhifa.reviews.services.assign import review_assign
from zhifa.reviews.services.extensions import extension_decide, extension_request
from zhifa.reviews.services.requests import review_package
from zhifa.reviews.triggers import evaluate, hearing_held_on

from .factories import ReviewAgency
from .test_gate import DECISION, HEARING, PROPOSAL, en_refusal, heard, review
from .test_gate_procedures import GRANT_ON, licensing_submitted

pytestmark = pytest.mark.django_db

D = dt.date
AFTER = HEARING + dt.timedelta(days=1)  # 13 October: the report again, its notice, the waiver
DECIDE_ON = HEARING + dt.timedelta(days=2)
HEARD_DECISION = {**DECISION, "fine": "30000"}
HEARING_REASON = {"code": "hearing_held", "kind": "statutory", "params": {}}


def reported_again(a: ReviewAgency, case: Case) -> Case:
    """After the hearing: the same investigation report again (the same facts and fine), its
    prior notice served and the party's waiver of its rights recorded, all on 13 October."""
    act(a, case, "submit_report", acted_on=AFTER, facts="经查，当事人销售不合格产品。",
        kinds=["fine"], fine="30000", major=False)
    assert (case.stage, case.hearing_held_on) == ("reported", None)
    act(a, case, "serve_notice", acted_on=AFTER, served_on=AFTER, method="direct")
    act(a, case, "waive_defence", acted_on=AFTER, proof="当事人书面放弃陈述申辩和听证")
    assert (case.stage, case.hearing_held_on, case.defence_waived) == ("notified", None, True)
    return case


def refused_decision(a: ReviewAgency, case: Case, code: str) -> Any:
    """The decision refused with ``code``: nothing of the case nor of its review changed."""
    reviews = list(ReviewRequest.objects.filter(case=case).values())
    exc = en_refusal(a, case, code, on=DECIDE_ON, **HEARD_DECISION)
    assert list(ReviewRequest.objects.filter(case=case).values()) == reviews
    assert (case.stage, case.decided_on, case.outcome) == ("notified", None, "")
    return exc


# --- the gate ---------------------------------------------------------------------------------

def test_a_review_passed_before_the_hearing_does_not_count_after_a_new_report(
        a: ReviewAgency) -> None:
    """Probe A: the review passed on 11 October, the hearing was held on the 12th."""
    case = heard(a)
    request = review(case, RequestState.PASSED, proposal={**PROPOSAL, "fine": 3_000_000},
                     on=HEARING - dt.timedelta(days=1))
    en_refusal(a, case, "legal_review_after_hearing", on=AFTER, **HEARD_DECISION)
    reported_again(a, case)
    exc = refused_decision(a, case, "legal_review_after_hearing")
    assert exc.detail == [{
        "code": "legal_review_after_hearing",
        "message": "A hearing was held after the legal review passed: the decision needs a "
                   "review after the hearing.",
        "source": "行政处罚法第五十八条第一款第二项"}]
    # a review that passed after the hearing lets the decision through
    ReviewRequest.objects.filter(pk=request.pk).update(passed_on=AFTER)
    act(a, case, "decide", acted_on=DECIDE_ON, **HEARD_DECISION)
    assert (case.stage, case.decided_on) == ("decided", DECIDE_ON)


def test_a_decision_after_a_hearing_needs_a_review_after_a_new_report(
        a: ReviewAgency) -> None:
    """Probe B: no review ever."""
    case = heard(a)
    en_refusal(a, case, "legal_review_missing", on=AFTER, **HEARD_DECISION)
    reported_again(a, case)
    exc = refused_decision(a, case, "legal_review_missing")
    assert exc.detail[0]["message"] == (
        "This decision needs legal review (Concerns major rights and a hearing was held): "
        "submit it for review first.")
    assert ReviewRequest.objects.count() == 0


def test_the_decision_document_is_not_issued_past_the_gate_either(a: ReviewAgency) -> None:
    """The documents' issue check asks the same gate: after the new report it refuses."""
    case = heard(a)
    reported_again(a, case)
    refusals = gate_refusals(case, action="decide", decision=HEARD_DECISION, day=DECIDE_ON)
    assert [r.code for r in refusals] == ["legal_review_missing"]


# --- the hearing's day ------------------------------------------------------------------------

def test_the_hearing_s_day_is_the_later_of_its_step_and_the_case_s_date(
        a: ReviewAgency, django_assert_num_queries: Any) -> None:
    case = heard(a)
    with django_assert_num_queries(1):
        assert hearing_held_on(case) == HEARING
    reported_again(a, case)
    with django_assert_num_queries(1):
        assert hearing_held_on(case) == HEARING
    # a later date on the case (set without a step) is the later hearing
    Case.objects.filter(pk=case.pk).update(hearing_held_on=D(2026, 10, 20))
    case.refresh_from_db()
    assert hearing_held_on(case) == D(2026, 10, 20)
    # the steps prefetched are read as they are
    fetched = Case.objects.prefetch_related("steps").get(pk=case.pk)
    Case.objects.filter(pk=case.pk).update(hearing_held_on=None)
    fetched.hearing_held_on = None
    with django_assert_num_queries(0):
        assert hearing_held_on(fetched) == HEARING
    # a case not opened yet has only its own date
    assert hearing_held_on(Case(hearing_held_on=D(2026, 9, 30))) == D(2026, 9, 30)
    assert hearing_held_on(Case()) is None


def test_without_a_hearing_there_is_no_hearing_day(a: ReviewAgency) -> None:
    case = heard(a)
    CaseStep.objects.filter(case=case, action="hold_hearing").delete()
    Case.objects.filter(pk=case.pk).update(hearing_held_on=None)
    case.refresh_from_db()
    assert hearing_held_on(case) is None
    assert evaluate(case).reasons == ()


# --- the determination and the package --------------------------------------------------------

def test_the_determination_after_a_new_report_still_names_the_hearing(
        a: ReviewAgency) -> None:
    review_catalogue_create(actor=None, body=a.body, title="目录清单",
                            effective_from=D(2024, 1, 1), thresholds=[],
                            triggers=["hearing_held"])
    case = heard(a)
    reported_again(a, case)
    det = evaluate(case)
    assert det.required is True
    assert [(r["code"], r["kind"]) for r in det.reasons] == [
        ("hearing_held", "statutory"), ("hearing_held", "category")]
    assert det.basis.hearing_held is True
    assert det.hearing_on == HEARING
    with translation.override("en"):
        assert det.labels() == ["Concerns major rights and a hearing was held",
                                "A hearing was held"]
    # the stored determination (evaluated again after the report) says so too
    row = ReviewDetermination.objects.get(case=case)
    assert (row.required, row.reasons[0], row.basis["hearing_held"]) == (
        True, HEARING_REASON, True)


def test_the_package_after_a_new_report_still_requires_the_hearing_record(
        a: ReviewAgency) -> None:
    case = heard(a)
    reported_again(a, case)
    package = review_package(case=case, handling_opinion="听证后维持罚款三万元。")
    step = CaseStep.objects.get(case=case, action="hold_hearing")
    [row] = [m for m in package.materials if m.code == "hearing_record"]
    assert (row.required, row.present) == (True, True)
    assert row.refs == [{"kind": "step", "id": step.pk,
                         "title": f"{step.label} {HEARING.isoformat()}"}]
    assert "hearing_record" not in package.missing
    # without the step's record (the step gone, as a case that never kept one), it is missing
    CaseStep.objects.filter(pk=step.pk).delete()
    Case.objects.filter(pk=case.pk).update(hearing_held_on=HEARING)
    case.refresh_from_db()
    assert "hearing_record" in review_package(case=case, handling_opinion="意见").missing


# --- the page ---------------------------------------------------------------------------------

def test_the_page_asks_for_a_review_after_the_hearing_after_a_new_report(
        client: Client, a: ReviewAgency) -> None:
    case, request = heard_after_passing(a)
    act(a, case, "submit_report", acted_on=AFTER, facts="经查，当事人销售不合格产品。",
        kinds=["fine"], fine="30000", major=True)
    assert (case.stage, case.hearing_held_on) == ("reported", None)
    request.refresh_from_db()
    assert request.state == RequestState.PASSED
    html = as_user(client, a.u_officer).get(url("review_case", case)).content.decode()
    assert 'id="submit-form"' in html
    assert 'class="notice notice-warn review-again"' in html


# --- a review withdrawn with an extension waiting ---------------------------------------------

def test_a_licence_granted_refuses_the_extension_waiting_for_a_head(a: ReviewAgency) -> None:
    case, request = licensing_submitted(a)
    review_assign(actor=a.u_head, request=request, reviewer=a.reviewer)
    extension = extension_request(actor=a.u_reviewer, request=request,
                                  reason="案情复杂，需查阅相关判例。")
    act(a, case, "grant", acted_on=GRANT_ON, licence_number="JY14301020000001")
    assert (case.stage, case.outcome) == ("decided", "granted")
    extension.refresh_from_db()
    assert (extension.state, extension.decided_by_id, extension.comment) == (
        ExtensionState.REFUSED, None, "审核已撤回，延期申请不再处理。")
    assert extension.decided_at is not None
    with translation.override("zh-hans"):
        refused_label = str(ExtensionState.REFUSED.label)
    rnd = extension.round
    assert entries(case, REVIEW_EXTENSION_DECIDED) == [{
        "case": case.number, "round": 1, "days": 3, "decision": "refused",
        "decision_label": refused_label, "comment": "审核已撤回，延期申请不再处理。",
        "due": rnd.due.isoformat(), "extension": str(extension.public_id)}]
    entry = LedgerEntry.objects.get(stream=case.stream,
                                    event_code=REVIEW_EXTENSION_DECIDED.code)
    step = CaseStep.objects.get(case=case, action="grant")
    # in the step's transaction, by the one who took it, after the withdrawal
    assert (entry.actor_id, entry.body_id) == (a.u_officer.pk, a.body.pk)
    assert entry.seq > step.ledger_seq
    # after the step: the withdrawal, the extension closed, the determination changed
    assert list(LedgerEntry.objects.filter(seq__gt=step.ledger_seq).order_by("seq")
                .values_list("event_code", flat=True)) == [
        REVIEW_WITHDRAWN.code, REVIEW_EXTENSION_DECIDED.code, REVIEW_DETERMINED.code]
    # a head can no longer decide it: refused, nothing changed
    unchanged = (snapshot(case), list(ReviewExtension.objects.values()))
    with pytest.raises(ApplicationError) as exc:
        extension_decide(actor=a.u_head, extension=extension, approve=True)
    assert exc.value.code == "review_extension_decided"
    assert (snapshot(case), list(ReviewExtension.objects.values())) == unchanged


def test_a_decided_extension_is_left_as_it_is(a: ReviewAgency) -> None:
    case, request = licensing_submitted(a)
    review_assign(actor=a.u_head, request=request, reviewer=a.reviewer)
    extension = extension_request(actor=a.u_reviewer, request=request, reason="案情复杂。")
    extension_decide(actor=a.u_head, extension=extension, approve=True)
    decided = ReviewExtension.objects.values().get(pk=extension.pk)
    act(a, case, "grant", acted_on=GRANT_ON, licence_number="JY14301020000001")
    assert ReviewExtension.objects.values().get(pk=extension.pk) == decided
    assert len(entries(case, REVIEW_EXTENSION_DECIDED)) == 1
