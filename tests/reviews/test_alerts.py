"""The overdue alert: one ledger entry per overdue round of an open review, on its case's
stream, by the system; idempotent; never ahead of the clock. The command ``zhifa reviews
alerts`` and the Celery beat task ``reviews.alerts`` run it."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone, translation

from tests.cases.factories import open_case
from tests.reviews.factories import ReviewAgency, ready_for_review
from tests.reviews.test_selectors import body_case, decided, review_rows, submitted
from zhifa.ledger.events import render_event
from zhifa.ledger.models import LedgerEntry
from zhifa.manage import main
from zhifa.reviews.events import REVIEW_OVERDUE
from zhifa.reviews.models import Outcome, RequestState, ReviewRequest, ReviewRound
from zhifa.reviews.selectors import review_queue
from zhifa.reviews.services.alerts import reviews_mark_overdue
from zhifa.reviews.services.assign import review_assign
from zhifa.reviews.services.requests import review_submit

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 11, 26)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.date], None]:
    """Set the clock to a day (same time of day): ``timezone.now`` and so
    ``timezone.localdate``."""
    real = timezone.now

    def move(day: dt.date) -> None:
        shift = day - timezone.localdate(real())
        monkeypatch.setattr(timezone, "now", lambda: real() + shift)
    move(TODAY)
    return move


def world(a: ReviewAgency) -> dict[str, ReviewRequest]:
    def case() -> object:
        return open_case(a, received_on=D(2026, 9, 1))

    return {
        "assigned": review_rows(case(), RequestState.IN_REVIEW,
                                decided(D(2026, 10, 1), D(2026, 9, 30), Outcome.SUPPLEMENT,
                                        a.reviewer),
                                submitted(D(2026, 11, 20), a.reviewer)),
        "unassigned": review_rows(case(), RequestState.SUBMITTED, submitted(D(2026, 11, 25))),
        "other_body": review_rows(body_case(a, a.other_body, "other_county"),
                                  RequestState.SUBMITTED, submitted(D(2026, 11, 24))),
        # not overdue: due today, decided late, returned, passed
        "due_today": review_rows(case(), RequestState.IN_REVIEW, submitted(TODAY, a.reviewer)),
        "decided_late": review_rows(case(), RequestState.RETURNED,
                                    decided(D(2026, 11, 10), D(2026, 11, 5),
                                            Outcome.SUPPLEMENT, a.reviewer)),
        "passed": review_rows(case(), RequestState.PASSED,
                              decided(D(2026, 11, 3), D(2026, 11, 5), reviewer=a.reviewer)),
    }


def overdue_entries() -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(event_code=REVIEW_OVERDUE.code).order_by("seq"))


def test_one_entry_per_overdue_round_and_idempotent(a: ReviewAgency,
                                                      clock: Callable[[dt.date], None]) -> None:
    w = world(a)
    before = LedgerEntry.objects.count()
    assert reviews_mark_overdue() == 3
    assert LedgerEntry.objects.count() == before + 3
    entries = overdue_entries()
    # in order of due date
    expected = [(w["assigned"], 2, "2026-11-20", "刘静", "in_review"),
                (w["other_body"], 1, "2026-11-24", None, "submitted"),
                (w["unassigned"], 1, "2026-11-25", None, "submitted")]
    assert [(e.stream, e.body_id, e.actor_id, e.actor_name, json.loads(e.payload))
            for e in entries] == [
        (r.case.stream, r.case.body_id, None, "",
         {"case": r.case.number, "round": n, "due": due, "reviewer": reviewer, "state": state})
        for r, n, due, reviewer, state in expected]
    with translation.override("en"):
        assert render_event(entries[0].event_code, json.loads(entries[0].payload)) == (
            "Legal review overdue since 2026-11-20 (round 2)")
    flagged = set(ReviewRound.objects.filter(overdue_alerted=True)
                  .values_list("request_id", "number"))
    assert flagged == {(w["assigned"].pk, 2), (w["other_body"].pk, 1),
                       (w["unassigned"].pk, 1)}

    # a second run (and the task) records nothing
    assert reviews_mark_overdue() == 0
    from zhifa.core import tasks
    from zhifa.reviews import tasks as review_tasks

    assert tasks.registered()["reviews.alerts"] is review_tasks.alerts_task
    assert tasks.run("reviews.alerts") == 0
    assert LedgerEntry.objects.count() == before + 3

    # the next day, the round due today is overdue: only it is recorded
    clock(TODAY + dt.timedelta(days=1))
    assert tasks.run("reviews.alerts") == 1
    assert json.loads(overdue_entries()[-1].payload)["case"] == w["due_today"].case.number
    assert LedgerEntry.objects.count() == before + 4


def test_never_ahead_of_the_clock(a: ReviewAgency, clock: Callable[[dt.date], None]) -> None:
    w = world(a)
    assert reviews_mark_overdue(today=D(2026, 11, 25)) == 2  # due 20 and 24 November
    # a later day than the clock counts as today: the round due today is not overdue yet
    assert reviews_mark_overdue(today=D(2027, 1, 1)) == 1
    assert not ReviewRound.objects.get(request=w["due_today"]).overdue_alerted
    assert len(overdue_entries()) == 3


def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
            *args: str) -> tuple[int, str]:
    """As ``zhifa reviews ...`` runs, in this process: (exit status, stdout)."""
    monkeypatch.setattr(connections, "close_all", lambda: None)
    monkeypatch.setattr(sys, "argv", ["zhifa", "reviews", *args])
    try:
        main()
        status = 0
    except SystemExit as exc:
        status = int(exc.code or 0)
    return status, capsys.readouterr().out


def test_the_command(a: ReviewAgency, clock: Callable[[dt.date], None],
                     monkeypatch: pytest.MonkeyPatch,
                     capsys: pytest.CaptureFixture[str]) -> None:
    world(a)
    out = io.StringIO()
    with translation.override("en"):
        call_command("reviews", "alerts", stdout=out)
    assert out.getvalue() == "3 overdue legal review(s) recorded.\n"
    out = io.StringIO()
    call_command("reviews", "alerts", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"overdue": 0}
    assert len(overdue_entries()) == 3

    status, text = run_cli(monkeypatch, capsys, "--help")
    assert status == 0
    assert "Legal review of major decisions: alerts" in text
    assert "alerts" in text and "Record the legal reviews that are past their due date" in text
    status, text = run_cli(monkeypatch, capsys, "alerts", "--help")
    assert (status, "--json" in text) == (0, True)
    status, text = run_cli(monkeypatch, capsys, "alerts", "--json")
    assert (status, json.loads(text)) == (0, {"overdue": 0})


def test_the_beat_schedule_runs_the_task_daily() -> None:
    from zhifa.celery_app import BEAT_SCHEDULE, app, register_all
    from zhifa.core import tasks
    from zhifa.reviews import tasks as review_tasks  # noqa: F401

    register_all()
    entry = BEAT_SCHEDULE["reviews.alerts"]
    assert entry["task"] == "reviews.alerts"
    assert "reviews.alerts" in tasks.registered()
    assert "reviews.alerts" in app.tasks
    assert len(entry["schedule"].hour) == 1 and len(entry["schedule"].minute) == 1
    assert app.conf.beat_schedule["reviews.alerts"] == entry


def test_with_the_services(a: ReviewAgency, clock: Callable[[dt.date], None]) -> None:
    """A package submitted and assigned through the services: in the queue by urgency, then
    recorded overdue once its due date has passed."""
    case = ready_for_review(a)
    result = review_submit(actor=a.u_officer, case=case, handling_opinion="建议罚款伍仟元。",
                           submitted_on=D(2026, 9, 22))
    due = result.round.due
    assert due is not None and due < TODAY
    queue = review_queue(a.u_reviewer, today=TODAY)
    assert ([r.pk for r in queue.unassigned], queue.mine_overdue) == ([result.round.pk], [])
    review_assign(actor=a.u_reviewer, request=result.request, reviewer=a.reviewer)
    queue = review_queue(a.u_reviewer, today=TODAY)
    assert ([r.pk for r in queue.mine_overdue], queue.unassigned) == ([result.round.pk], [])
    assert reviews_mark_overdue() == 1
    (entry,) = overdue_entries()
    assert (entry.stream, json.loads(entry.payload)) == (case.stream, {
        "case": case.number, "round": 1, "due": due.isoformat(), "reviewer": "刘静",
        "state": "in_review"})
    assert reviews_mark_overdue() == 0
