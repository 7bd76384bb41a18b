"""Helpers of the submission, assignment and extension tests: a case submitted for review
(dates in the past, so that the tests do not depend on today), a round returned with an
opinion, and the snapshot a refused review service must leave as it was."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tests.cases.factories import snapshot
from tests.reviews.factories import ReviewAgency, ready_for_review
from zhifa.cases.models import Case, CaseDeadline, DeadlineState
from zhifa.cases.services import case_act
from zhifa.ledger.events import EventType
from zhifa.ledger.models import LedgerEntry
from zhifa.reviews.hooks import review_service_step
from zhifa.reviews.models import (
    RequestState,
    ReviewDetermination,
    ReviewExtension,
    ReviewRequest,
    ReviewRound,
    RoundState,
)
from zhifa.reviews.services.assign import review_assign
from zhifa.reviews.services.requests import SubmitResult, review_submit

# ``ready_for_review`` reports on 2026-09-21: the package is submitted the next day
SUBMIT_ON = dt.date(2026, 9, 22)
OPINION = "建议对当事人罚款人民币伍仟元。"


def state(case: Case) -> dict[str, Any]:
    """The case (``tests.cases.factories.snapshot``: its row, steps, deadlines, the ledger
    count) and every legal-review row of the case."""

    def rows(qs: Any) -> list[dict[str, Any]]:
        return list(qs.order_by("id").values())

    return {
        **snapshot(case),
        "requests": rows(ReviewRequest.objects.filter(case=case)),
        "rounds": rows(ReviewRound.objects.filter(request__case=case)),
        "extensions": rows(ReviewExtension.objects.filter(round__request__case=case)),
        "determination": rows(ReviewDetermination.objects.filter(case=case)),
    }


def submitted(a: ReviewAgency, case: Case | None = None, *, actor: Any = None,
              on: dt.date = SUBMIT_ON, **kwargs: Any) -> SubmitResult:
    """``case`` (default: a new ``ready_for_review`` one) submitted by the officer."""
    case = case if case is not None else ready_for_review(a)
    result = review_submit(actor=actor or a.u_officer, case=case,
                           handling_opinion=kwargs.pop("handling_opinion", OPINION),
                           submitted_on=on, **kwargs)
    case.refresh_from_db()
    return result


def in_review(a: ReviewAgency, case: Case | None = None) -> SubmitResult:
    """Submitted, and assigned by the head to the reviewer 刘静."""
    result = submitted(a, case)
    review_assign(actor=a.u_head, request=result.request, reviewer=a.reviewer)
    result.request.refresh_from_db()
    result.round.refresh_from_db()
    return result


def returned(a: ReviewAgency, result: SubmitResult, *, on: dt.date = SUBMIT_ON,
             outcome: str = "agree_with_changes") -> None:
    """The reviewer 刘静 gives his opinion on the round: the case step as the opinions
    service takes it, and the round and request rows as it leaves them (the structured
    opinion itself is the opinions service's, tested there)."""
    request, rnd = result.request, result.round
    case = request.case
    with review_service_step():
        case_act(actor=a.u_reviewer, case=case, action="record_review_opinion",
                 data={"acted_on": on.isoformat(), "outcome": outcome, "opinion": "需修改"})
    ReviewRound.objects.filter(pk=rnd.pk).update(
        state=RoundState.DECIDED, reviewer=a.reviewer, outcome=outcome, opinion="需修改",
        decided_by=a.u_reviewer, decided_on=on)
    ReviewRequest.objects.filter(pk=request.pk).update(state=RequestState.RETURNED)
    request.refresh_from_db()
    rnd.refresh_from_db()
    case.refresh_from_db()


def review_deadline(case: Case) -> CaseDeadline:
    return CaseDeadline.objects.get(case=case, rule_code="review_7",
                                    state=DeadlineState.RUNNING)


def entries(case: Case, event: EventType) -> list[dict[str, Any]]:
    """The payloads of the case's ledger entries of ``event``, in order."""
    return [json.loads(e.payload) for e in LedgerEntry.objects.filter(
        stream=case.stream, event_code=event.code).order_by("stream_seq")]
