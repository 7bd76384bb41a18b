"""The review services at the same moment (real transactions, one connection per thread):
every service locks the review request's row before it reads the review's state, so two
reviewers taking the same review, or a head deciding an extension while the opinion is being
given, are serialised and the second sees what the first did.

On PostgreSQL the row lock makes the second transaction wait; the SQLite test database (in
memory, shared cache) refuses it at once, and the whole transaction is retried
(``tests.documents.test_numbering.run_threads``)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction

from tests import factories as f
from tests.documents.test_numbering import run_threads
from tests.reviews.factories import review_agency
from tests.reviews.helpers_requests import entries, in_review, submitted
from zhifa.core.errors import ApplicationError
from zhifa.orgs.models import AccountRole, RoleKind
from zhifa.reviews.events import REVIEW_ASSIGNED, REVIEW_EXTENSION_DECIDED
from zhifa.reviews.models import (
    ExtensionState,
    RequestState,
    ReviewExtension,
    ReviewRequest,
    ReviewRound,
    RoundState,
)
from zhifa.reviews.services.assign import review_assign
from zhifa.reviews.services.extensions import extension_decide, extension_request

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_reviewers_taking_the_same_review_at_once() -> None:
    a = review_agency()
    result = submitted(a)
    request = result.request
    other = f.person(a.body, "陈平", roles=(RoleKind.REVIEWER,), department=a.office,
                     legal_qualification_number="A20204301000999")
    takers = [(a.u_reviewer, a.reviewer), (f.user(other, roles=(AccountRole.REVIEWER,)), other)]

    def work(taker: Any, call: Any) -> Any:
        actor, person = taker
        try:
            yield call(lambda: review_assign(actor=actor, request=request, reviewer=person))
        except ApplicationError as exc:
            yield exc

    made, errors, retries = run_threads(work, takers)
    assert errors == []
    if connection.vendor == "postgresql":
        assert retries == 0  # the request's row lock makes the second wait
    [won] = [r for r in made if isinstance(r, ReviewRound)]
    [lost] = [r for r in made if isinstance(r, ApplicationError)]
    assert lost.code == "review_already_assigned"
    rnd = ReviewRound.objects.get(pk=result.round.pk)
    assert rnd.reviewer_id == won.reviewer_id
    assert ReviewRequest.objects.get(pk=request.pk).state == RequestState.IN_REVIEW
    winner = a.reviewer if won.reviewer_id == a.reviewer.pk else other
    assert [p["reviewer"] for p in entries(request.case, REVIEW_ASSIGNED)] == [winner.name]


def test_an_extension_decided_while_the_opinion_is_given() -> None:
    a = review_agency()
    result = in_review(a)
    request, rnd = result.request, result.round
    extension = extension_request(actor=a.u_reviewer, request=request,
                                  reason="案情复杂，需查阅相关判例。")
    due = ReviewRound.objects.get(pk=rnd.pk).due
    locked = threading.Event()

    def give_opinion() -> str:
        """The opinions service's hold on the review: its request row locked and the round
        decided, committed a moment later."""
        with transaction.atomic():
            ReviewRequest.objects.select_for_update().get(pk=request.pk)
            ReviewRequest.objects.filter(pk=request.pk).update(state=RequestState.RETURNED)
            ReviewRound.objects.filter(pk=rnd.pk).update(state=RoundState.DECIDED)
            locked.set()
            time.sleep(0.5)
        return "opinion"

    def decide() -> Any:
        try:
            return extension_decide(actor=a.u_head, extension=extension, approve=True)
        except ApplicationError as exc:
            return exc

    def work(which: str, call: Any) -> Any:
        if which == "opinion":
            yield call(give_opinion)
        else:
            assert locked.wait(timeout=30)
            yield call(decide)

    made, errors, _retries = run_threads(work, ["opinion", "extension"])
    assert errors == []
    [refusal] = [r for r in made if isinstance(r, ApplicationError)]
    assert refusal.code == "review_not_open"
    # the extension was not approved on a review whose opinion was given
    assert ReviewExtension.objects.get(pk=extension.pk).state == ExtensionState.PENDING
    assert ReviewRound.objects.get(pk=rnd.pk).due == due
    assert entries(request.case, REVIEW_EXTENSION_DECIDED) == []
