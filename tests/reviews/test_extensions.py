"""Extending the review's time limit (``services.extensions``): the assigned reviewer asks,
a head who did not ask decides; the approved days move the ``review_7`` deadline and the
round's due date exactly; once per round, at most the catalogue's days. Every refusal leaves
everything as it was."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests import factories as f
from tests.documents.factories import refused_unchanged
from tests.reviews.factories import ReviewAgency
from tests.reviews.helpers_requests import (
    SUBMIT_ON,
    entries,
    in_review,
    returned,
    review_deadline,
    state,
    submitted,
)
from tests.reviews.test_opinions import lock_requests, locked_tables
from zhifa.cases.models import Case, CaseDeadline
from zhifa.reviews.events import REVIEW_EXTENSION_DECIDED, REVIEW_EXTENSION_REQUESTED
from zhifa.reviews.models import ExtensionState, ReviewExtension, ReviewRequest, ReviewRound
from zhifa.reviews.services.extensions import extension_decide, extension_request
from zhifa.workdays.calendar import deadline_for

pytestmark = pytest.mark.django_db
REASON = "案情复杂，需查阅相关判例。"


def ask(a: ReviewAgency, request: ReviewRequest, **kwargs: Any) -> ReviewExtension:
    return extension_request(actor=kwargs.pop("actor", a.u_reviewer), request=request,
                             reason=kwargs.pop("reason", REASON), **kwargs)


def refused_request(code: str, a: ReviewAgency, request: ReviewRequest, **kwargs: Any) -> Any:
    return refused_unchanged(code, lambda: ask(a, request, **kwargs),
                             lambda: state(request.case))


def refused_decision(code: str, extension: ReviewExtension, actor: Any, approve: bool,
                     comment: str = "") -> Any:
    case = extension.round.request.case
    return refused_unchanged(code, lambda: extension_decide(
        actor=actor, extension=extension, approve=approve, comment=comment),
        lambda: state(case))


def zh(value: Any) -> str:
    with translation.override("zh-hans"):
        return str(value)


def test_request_and_approve_adds_exactly_the_days(a: ReviewAgency) -> None:
    result = in_review(a)
    case = result.request.case
    before = deadline_for(rule="review_7", start=SUBMIT_ON).due
    assert result.round.due == before

    extension = ask(a, result.request)
    assert (extension.round_id, extension.days, extension.reason, extension.state,
            extension.requested_by_id) == (result.round.pk, 3, REASON, ExtensionState.PENDING,
                                           a.u_reviewer.pk)
    assert entries(case, REVIEW_EXTENSION_REQUESTED) == [{
        "case": case.number, "round": 1, "days": 3, "reason": REASON,
        "extension": str(extension.public_id)}]
    assert review_deadline(case).due == before  # nothing moves before the approval

    decided = extension_decide(actor=a.u_head, extension=extension, approve=True)
    after = deadline_for(rule="review_7", start=SUBMIT_ON, extra=3).due
    assert after > before
    assert (decided.state, decided.decided_by_id, decided.comment) == (
        ExtensionState.APPROVED, a.u_head.pk, "")
    assert decided.decided_at is not None
    deadline = review_deadline(case)
    assert (deadline.extra, deadline.due) == (3, after)
    rnd = ReviewRound.objects.get(pk=result.round.pk)
    assert (rnd.due, rnd.extended_days, rnd.review_days, rnd.fits) == (after, 3, 7, True)
    assert entries(case, REVIEW_EXTENSION_DECIDED) == [{
        "case": case.number, "round": 1, "days": 3, "decision": "approved",
        "decision_label": zh(ExtensionState.APPROVED.label), "comment": "",
        "due": after.isoformat(), "extension": str(extension.public_id)}]


def test_catalogue_extension_days(a: ReviewAgency) -> None:
    f.review_catalogue(a.body, review_days=5, extension_days=2)
    result = in_review(a)
    refused_request("review_extension_too_long", a, result.request, days=3)
    refused_request("review_extension_too_long", a, result.request, days=0)
    extension = ask(a, result.request)
    assert extension.days == 2
    extension_decide(actor=a.u_head, extension=extension, approve=True)
    deadline = review_deadline(result.request.case)
    # 5 days of the catalogue + 2 = the 7 of the rule
    assert (deadline.extra, deadline.due) == (0, deadline_for(rule="review_7",
                                                              start=SUBMIT_ON).due)


def test_fewer_days_than_the_limit(a: ReviewAgency) -> None:
    result = in_review(a)
    extension = ask(a, result.request, days=1)
    extension_decide(actor=a.u_head2, extension=extension, approve=True)
    assert ReviewRound.objects.get(pk=result.round.pk).due == deadline_for(
        rule="review_7", start=SUBMIT_ON, extra=1).due


def test_refusal_needs_a_comment_and_moves_nothing(a: ReviewAgency) -> None:
    result = in_review(a)
    case = result.request.case
    extension = ask(a, result.request)
    refused_decision("comment_required", extension, a.u_head, approve=False, comment=" ")
    decided = extension_decide(actor=a.u_head, extension=extension, approve=False,
                               comment="七日足够，请按期完成。")
    assert (decided.state, decided.comment) == (ExtensionState.REFUSED, "七日足够，请按期完成。")
    assert review_deadline(case).extra == 0
    rnd = ReviewRound.objects.get(pk=result.round.pk)
    assert (rnd.due, rnd.extended_days) == (result.round.due, 0)
    [payload] = entries(case, REVIEW_EXTENSION_DECIDED)
    assert (payload["decision"], payload["decision_label"]) == (
        "refused", zh(ExtensionState.REFUSED.label))
    refused_decision("review_extension_decided", extension, a.u_head, approve=True)
    # a refused extension does not use up the round's one extension
    assert ask(a, result.request).state == ExtensionState.PENDING


def test_one_extension_per_round(a: ReviewAgency) -> None:
    result = in_review(a)
    extension = ask(a, result.request)
    refused_request("review_extension_pending", a, result.request)
    extension_decide(actor=a.u_head, extension=extension, approve=True)
    refused_request("review_extension_used", a, result.request)


def test_requester_cannot_approve(a: ReviewAgency) -> None:
    # 刘静's account also holds the head role: still not for his own extension
    a.u_reviewer.roles = ["reviewer", "head"]
    a.u_reviewer.save(update_fields=["roles"])
    result = in_review(a)
    extension = ask(a, result.request)
    refused_decision("extension_decide_forbidden", extension, a.u_reviewer, approve=True)
    refused_decision("extension_decide_forbidden", extension, a.u_officer, approve=True)
    refused_decision("case_out_of_scope", extension, a.u_other, approve=True)
    refused_decision("missing_handle_cases", extension, a.u_supervisor, approve=True)


@pytest.mark.parametrize("who", ["u_head", "u_officer", "u_reviewer2", "u_other"])
def test_only_the_assignee_asks(a: ReviewAgency, who: str) -> None:
    result = in_review(a)
    code = "case_out_of_scope" if who == "u_other" else "review_not_assignee"
    exc = refused_request(code, a, result.request, actor=getattr(a, who))
    assert exc.status == 403


def test_reason_required(a: ReviewAgency) -> None:
    result = in_review(a)
    refused_request("reason_required", a, result.request, reason="  ")


def test_no_extension_without_an_assignee_or_after_the_opinion(a: ReviewAgency) -> None:
    waiting = submitted(a)  # nobody assigned yet
    refused_request("review_not_assignee", a, waiting.request)

    result = in_review(a)
    extension = ask(a, result.request)
    returned(a, result, on=dt.date(2026, 9, 25))
    refused_request("review_not_open", a, result.request)
    refused_decision("review_not_open", extension, a.u_head, approve=True)


def test_the_case_then_the_request_then_the_time_limit_are_locked(a: ReviewAgency) -> None:
    """The order of a case step and of every review service (no deadlock between them); the
    deadline's row is read under its lock before its days are added to."""
    result = in_review(a)
    case_table, request_table = Case._meta.db_table, ReviewRequest._meta.db_table
    locks = connection.features.has_select_for_update
    with lock_requests() as asked_order, CaptureQueriesContext(connection) as asked:
        extension = ask(a, result.request)
    assert asked_order[:2] == [case_table, request_table]
    if locks:
        assert locked_tables(asked.captured_queries)[:2] == [case_table, request_table]
    order = [case_table, request_table, ReviewExtension._meta.db_table,
             CaseDeadline._meta.db_table]
    with lock_requests() as decided_order, CaptureQueriesContext(connection) as decided:
        extension_decide(actor=a.u_head, extension=extension, approve=True)
    assert decided_order[:4] == order
    if locks:
        assert locked_tables(decided.captured_queries)[:4] == order
    assert review_deadline(result.request.case).extra == 3
