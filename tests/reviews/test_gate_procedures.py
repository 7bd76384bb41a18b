"""The gate whatever the procedure: an agency's own procedure of the penalty or licensing
category is measured like the built-in one and cannot leave its decisions out of the gate
(every deciding step runs it); and a review left open when the case is decided by a step the
gate does not guard (a licence granted) is withdrawn with the step, on the case's ledger."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import translation

from tests.cases.factories import act, company_party, open_case, refused
from tests.documents.factories import complete_fields, draft
from zhifa.cases.models import Case, CaseDeadline, CaseStep, DeadlineState, SourceKind
from zhifa.cases.services import custom_procedure_save
from zhifa.catalog.models import PartyType
from zhifa.catalog.services import ThresholdIn, review_catalogue_create
from zhifa.ledger.models import LedgerEntry
from zhifa.reviews.events import REVIEW_WITHDRAWN
from zhifa.reviews.models import (
    RequestState,
    ReviewDetermination,
    ReviewRequest,
    ReviewRound,
    RoundState,
)
from zhifa.reviews.selectors import review_kpis, review_queue
from zhifa.reviews.services.assign import review_assign
from zhifa.reviews.services.requests import review_submit

from .factories import ReviewAgency, evidence
from .test_gate import PROPOSAL, SOURCE, review

pytestmark = pytest.mark.django_db

D = dt.date
DATE = {"name": "acted_on", "kind": "date", "label": "办理日期"}
DECISION_FIELDS = [
    DATE,
    {"name": "outcome", "kind": "choice", "label": "决定",
     "choices": [["penalty", "给予处罚"], ["no_penalty", "不予处罚"]]},
    {"name": "kinds", "kind": "multichoice", "label": "处罚种类", "required": False,
     "choices": [["warning", "警告"], ["fine", "罚款"]]},
    {"name": "fine", "kind": "money", "label": "罚款", "required": False},
    {"name": "no_penalty_reason", "kind": "text", "label": "不予处罚理由", "required": False},
]


def own_procedure(a: ReviewAgency, category: str) -> str:
    """An agency's own procedure: a deciding step ``decide`` that lists no guard, with
    approval (the head approves it at once in ``act``)."""
    custom_procedure_save(actor=a.u_sysadmin, body=a.body, code="own", name="简易处罚程序",
                          definition={
        "category": category,
        "stages": [{"code": "opened", "label": "已受理"},
                   {"code": "decided", "label": "已决定"},
                   {"code": "done", "label": "已办结", "terminal": True, "status": "closed"}],
        "actions": [{"code": "decide", "label": "作出决定", "from": "opened", "to": "decided",
                     "approval": True, "deciding": True, "effect": "decide",
                     "fields": DECISION_FIELDS},
                    {"code": "finish", "label": "办结", "from": "decided", "to": "done",
                     "fields": [DATE]}]})
    return "own"


def every_penalty(a: ReviewAgency) -> None:
    review_catalogue_create(actor=None, body=a.body, title="目录清单",
                            effective_from=D(2024, 1, 1),
                            thresholds=[ThresholdIn(PartyType.ORGANISATION, 500_000, "gte")],
                            triggers=["all_general_procedure", "licensing_refusal"])


DECISION = {"outcome": "penalty", "kinds": ["fine"], "fine": "5000"}


def test_an_own_penalty_procedure_cannot_decide_without_the_review(a: ReviewAgency) -> None:
    every_penalty(a)
    case = open_case(a, own_procedure(a, "penalty"), received_on=D(2026, 9, 1))
    with translation.override("en"):
        exc = refused(a, case, "decide", "legal_review_missing", acted_on=D(2026, 9, 10),
                      **DECISION)
    assert exc.detail == [{
        "code": "legal_review_missing", "source": SOURCE,
        "message": "This decision needs legal review (Fine 5,000.00 yuan: Legal person or "
                   "other organisation threshold of the catalogue at least (inclusive, 含本数) "
                   "5,000.00 yuan；Every general-procedure penalty): submit it for review "
                   "first."}]
    assert (case.stage, case.decided_on, ReviewRequest.objects.count()) == ("opened", None, 0)
    # a lighter decision no trigger concerns goes through
    act(a, case, "decide", acted_on=D(2026, 9, 10), outcome="no_penalty",
        no_penalty_reason="轻微")
    assert (case.stage, case.outcome) == ("decided", "no_penalty")


def test_an_own_penalty_procedure_decides_once_the_review_passed(a: ReviewAgency) -> None:
    every_penalty(a)
    case = open_case(a, own_procedure(a, "penalty"), received_on=D(2026, 9, 1))
    request = review(case, RequestState.IN_REVIEW)
    refused(a, case, "decide", "legal_review_pending", acted_on=D(2026, 9, 10), **DECISION)
    ReviewRequest.objects.filter(pk=request.pk).update(
        state=RequestState.PASSED, passed_proposal={**PROPOSAL, "facts": ""},
        passed_on=D(2026, 9, 9))
    refused(a, case, "decide", "legal_review_outdated", acted_on=D(2026, 9, 10),
            **{**DECISION, "fine": "6000"})
    act(a, case, "decide", acted_on=D(2026, 9, 10), **DECISION)
    assert (case.stage, case.final_fine) == ("decided", 500_000)


def test_an_own_procedure_of_another_category_is_not_measured_by_the_catalogue(
        a: ReviewAgency) -> None:
    every_penalty(a)
    case = open_case(a, own_procedure(a, "other"), received_on=D(2026, 9, 1))
    act(a, case, "decide", acted_on=D(2026, 9, 10), **DECISION)
    assert case.stage == "decided"


def test_an_own_licensing_procedure_s_refusal_needs_the_review(a: ReviewAgency) -> None:
    every_penalty(a)
    custom_procedure_save(actor=a.u_sysadmin, body=a.body, code="permit", name="特许审批",
                          definition={
        "category": "licensing",
        "stages": [{"code": "reviewing", "label": "审查中"},
                   {"code": "decided", "label": "已决定", "terminal": True,
                    "status": "closed"}],
        "actions": [{"code": "grant", "label": "准予", "from": "reviewing", "to": "decided",
                     "deciding": True, "fields": [DATE]},
                    {"code": "refuse", "label": "不予批准", "from": "reviewing",
                     "to": "decided", "deciding": True, "fields": [DATE]}]})
    case = open_case(a, "permit", received_on=D(2026, 9, 1))
    refused(a, case, "refuse", "legal_review_missing", acted_on=D(2026, 9, 10))
    granted = open_case(a, "permit", received_on=D(2026, 9, 1))
    act(a, granted, "grant", acted_on=D(2026, 9, 10))
    assert granted.stage == "decided"


# --- a review left open by a licence granted -----------------------------------------------------

SUBMIT_ON = D(2026, 9, 3)
GRANT_ON = D(2026, 9, 20)


def licensing_submitted(a: ReviewAgency) -> tuple[Case, ReviewRequest]:
    """A licence application accepted on 2 September and sent to review voluntarily on 3
    September (the package: the draft licensing decision, the evidence)."""
    case = open_case(a, "licensing", received_on=D(2026, 9, 1), parties=[company_party()],
                     source_kind=SourceKind.APPLICATION, title="食品经营许可申请")
    act(a, case, "accept", acted_on=D(2026, 9, 2))
    draft(a, case, "licensing_decision", fields=complete_fields("licensing_decision"))
    evidence(a, case)
    result = review_submit(actor=a.u_officer, case=case, handling_opinion="拟不予许可。",
                           voluntary=True, submitted_on=SUBMIT_ON)
    case.refresh_from_db()
    return case, result.request


def withdrawn_entries(case: Case) -> list[dict[str, Any]]:
    return [json.loads(e.payload) for e in LedgerEntry.objects.filter(
        stream=case.stream, event_code=REVIEW_WITHDRAWN.code).order_by("stream_seq")]


@pytest.mark.parametrize("state", [RequestState.SUBMITTED, RequestState.IN_REVIEW,
                                   RequestState.DRAFT])
def test_a_licence_granted_withdraws_the_open_review(a: ReviewAgency, state: str) -> None:
    case, request = licensing_submitted(a)
    assert ReviewDetermination.objects.get(case=case).required is True  # voluntary
    if state == RequestState.IN_REVIEW:
        review_assign(actor=a.u_head, request=request, reviewer=a.reviewer)
    elif state == RequestState.DRAFT:
        ReviewRequest.objects.filter(pk=request.pk).update(state=RequestState.DRAFT)
        ReviewRound.objects.filter(request=request).update(state=RoundState.DRAFT)
    assert review_kpis(bodies=[a.body], start=GRANT_ON, end=GRANT_ON,
                       today=GRANT_ON)[0].open == (state != RequestState.DRAFT)
    act(a, case, "grant", acted_on=GRANT_ON, licence_number="JY14301020000001")
    assert (case.stage, case.outcome) == ("decided", "granted")
    request.refresh_from_db()
    assert request.state == RequestState.WITHDRAWN
    assert list(request.rounds.values_list("state", flat=True)) == [RoundState.WITHDRAWN]
    assert list(CaseDeadline.objects.filter(case=case, rule_code="review_7")
                .values_list("state", flat=True)) == [DeadlineState.CANCELLED]
    step = CaseStep.objects.get(case=case, action="grant")
    [payload] = withdrawn_entries(case)
    assert payload == {"case": case.number, "round": 1, "state_before": state,
                       "action": "grant", "action_label": "准予行政许可", "step": step.pk}
    entry = LedgerEntry.objects.get(stream=case.stream, event_code=REVIEW_WITHDRAWN.code)
    assert (entry.actor_id, entry.body_id) == (a.u_officer.pk, a.body.pk)
    # in the step's transaction: right after the step's own entry
    assert entry.seq > step.ledger_seq
    # it leaves the office's queue and figures; the voluntary reason is gone
    assert review_queue(a.u_head, today=GRANT_ON).total == 0
    kpi = review_kpis(bodies=[a.body], start=GRANT_ON, end=GRANT_ON, today=GRANT_ON)[0]
    assert (kpi.open, kpi.overdue, kpi.major_decided) == (0, 0, 0)
    assert ReviewDetermination.objects.get(case=case).required is False


@pytest.mark.parametrize("state", [RequestState.PASSED, RequestState.RETURNED])
def test_a_concluded_review_is_left_as_it_is(a: ReviewAgency, state: str) -> None:
    case, request = licensing_submitted(a)
    ReviewRequest.objects.filter(pk=request.pk).update(state=state)
    act(a, case, "grant", acted_on=GRANT_ON, licence_number="JY14301020000001")
    request.refresh_from_db()
    assert (request.state, withdrawn_entries(case)) == (state, [])


def test_a_refused_grant_withdraws_nothing(a: ReviewAgency) -> None:
    """The step refused (its licence number missing): the review stays open, no entry."""
    case, request = licensing_submitted(a)
    refused(a, case, "grant", "invalid_fields", acted_on=GRANT_ON)
    request.refresh_from_db()
    assert (request.state, withdrawn_entries(case)) == (RequestState.SUBMITTED, [])


def test_a_refusal_the_gate_guards_is_held_not_withdrawn(a: ReviewAgency) -> None:
    case, request = licensing_submitted(a)
    refused(a, case, "deny", "legal_review_pending", acted_on=GRANT_ON, reason="不符合条件")
    request.refresh_from_db()
    assert (request.state, withdrawn_entries(case)) == (RequestState.SUBMITTED, [])
