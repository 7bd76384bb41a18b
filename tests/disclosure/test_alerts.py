"""The daily alerts: a draft due within 2 working days is recorded once (due soon), a draft
past its due date once (overdue), the same run expires the ended periods and records the
bodies without last year's annual report; from the service, the ``zhifa disclosure`` command
and the ``disclosure.alerts`` task."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from tests.cases.factories import Agency, agency
from tests.disclosure.pipeline_factories import clerk, issued_decision, ledger_size, published
from zhifa.core import tasks
from zhifa.disclosure.events import PUBLICATION_DUE_SOON, PUBLICATION_OVERDUE, REPORT_MISSING
from zhifa.disclosure.models import Publication, ReportAlert, State
from zhifa.disclosure.services import AlertSummary, publications_alert
from zhifa.disclosure.services.alerts import disclosure_alerts, soon_limit
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import EnforcementBody
from zhifa.workdays.calendar import working_days_between


@pytest.fixture
def a(db: None) -> Agency:
    return agency()


def today() -> dt.date:
    return timezone.localdate()


def due(pub: Publication, day: dt.date) -> Publication:
    """The draft's due date moved (as if it had been decided earlier or later)."""
    Publication.objects.filter(pk=pub.pk).update(due_on=day)
    pub.refresh_from_db()
    return pub


def alerts_of(pub: Publication) -> list[tuple[int, dict]]:
    codes = (PUBLICATION_DUE_SOON.code, PUBLICATION_OVERDUE.code)
    return [(e.event_code, json.loads(e.payload)) for e in LedgerEntry.objects.filter(
        stream=pub.case.stream, event_code__in=codes).order_by("stream_seq")]


def test_the_limit_is_two_working_days_ahead(db: None) -> None:
    day = today()
    assert working_days_between(day, soon_limit(day)) == 2


def test_due_soon_and_overdue_once_each(a: Agency) -> None:
    day = today()
    soon = due(issued_decision(a), soon_limit(day))
    late = due(issued_decision(a), day - dt.timedelta(days=1))
    calm = due(issued_decision(a), day + dt.timedelta(days=30))
    done = published(a)
    Publication.objects.filter(pk=done.pk).update(due_on=day - dt.timedelta(days=5))
    size = ledger_size()
    assert publications_alert() == AlertSummary(due_soon=1, overdue=1, expired=0)
    assert ledger_size() == size + 2
    for pub in (soon, late, calm, done):
        pub.refresh_from_db()
    assert (soon.alerted_due_soon_on, soon.alerted_overdue_on) == (day, None)
    assert (late.alerted_due_soon_on, late.alerted_overdue_on) == (None, day)
    assert (calm.alerted_due_soon_on, calm.alerted_overdue_on) == (None, None)
    assert (done.alerted_due_soon_on, done.alerted_overdue_on) == (None, None)
    assert alerts_of(soon) == [(PUBLICATION_DUE_SOON.code, {
        "publication": str(soon.public_id), "decision_number": soon.decision_number,
        "category": "penalty", "due": soon.due_on.isoformat()})]
    assert alerts_of(late) == [(PUBLICATION_OVERDUE.code, {
        "publication": str(late.public_id), "decision_number": late.decision_number,
        "category": "penalty", "due": late.due_on.isoformat()})]
    entry = LedgerEntry.objects.get(event_code=PUBLICATION_OVERDUE.code)
    assert (entry.actor_id, entry.body_id, entry.stream) == (None, a.body.pk, late.case.stream)
    # again: nothing more
    assert publications_alert() == AlertSummary(due_soon=0, overdue=0, expired=0)
    assert ledger_size() == size + 2


def test_a_draft_alerted_due_soon_is_alerted_again_when_overdue(a: Agency) -> None:
    day = today()
    pub = due(issued_decision(a), day - dt.timedelta(days=1))
    # on its due day it was due soon; today it is overdue
    assert publications_alert(today=pub.due_on) == AlertSummary(1, 0, 0)
    assert publications_alert() == AlertSummary(0, 1, 0)
    pub.refresh_from_db()
    assert (pub.alerted_due_soon_on, pub.alerted_overdue_on) == (pub.due_on, day)
    assert [code for code, _p in alerts_of(pub)] == [PUBLICATION_DUE_SOON.code,
                                                     PUBLICATION_OVERDUE.code]
    # a day ahead of the clock is today
    assert publications_alert(today=day + dt.timedelta(days=400)) == AlertSummary(0, 0, 0)


def test_approved_withheld_or_cancelled_drafts_are_not_alerted(a: Agency) -> None:
    from zhifa.disclosure.services import publication_withhold

    user = clerk(a)
    pub = due(issued_decision(a), today() - dt.timedelta(days=1))
    publication_withhold(actor=user, publication=pub, reason="minor")
    assert publications_alert() == AlertSummary(0, 0, 0)


def test_the_run_expires_ended_periods(a: Agency) -> None:
    pub = published(a)
    Publication.objects.filter(pk=pub.pk).update(offline_on=today())
    assert publications_alert() == AlertSummary(0, 0, 1)
    pub.refresh_from_db()
    assert pub.state == State.EXPIRED


def test_the_command_and_the_task(a: Agency) -> None:
    """The daily run records the publication alerts, expires the ended periods and, from 1
    February, records the bodies without last year's annual report; each once."""
    from tests import factories as f
    from tests.disclosure.test_reports import published_report

    day = dt.date(today().year - 1, 3, 2)  # a past day after 1 February
    year = day.year - 1
    due(issued_decision(a), day - dt.timedelta(days=1))
    expired = published(a)
    Publication.objects.filter(pk=expired.pk).update(offline_on=day)
    published_report(a, year=year, on=dt.date(day.year, 1, 20))
    bureau = EnforcementBody.objects.get(name="长沙市司法局")
    out = io.StringIO()
    call_command("disclosure", "alerts", "--json", "--today", day.isoformat(), stdout=out)
    assert json.loads(out.getvalue()) == {"due_soon": 0, "overdue": 1, "expired": 1,
                                          "reports_missing": 2}
    assert set(ReportAlert.objects.values_list("body_id", "year", "recorded_on")) == {
        (a.other_body.pk, year, day), (bureau.pk, year, day)}
    assert LedgerEntry.objects.filter(event_code=REPORT_MISSING.code).count() == 2
    out = io.StringIO()
    with translation.override("en"):
        call_command("disclosure", "alerts", "--today", day.isoformat(), stdout=out)
    assert out.getvalue().strip() == ("0 publication(s) due soon, 0 overdue recorded; "
                                      "0 expired; 0 missing annual report(s) recorded.")
    out = io.StringIO()
    call_command("disclosure", "expire", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"expired": 0}
    soon = due(issued_decision(a), soon_limit(day))
    new_body = f.body(a.regions["county"], a.market, name="新设立的局")
    assert tasks.run("disclosure.alerts", today=day.isoformat()) == {
        "due_soon": 1, "overdue": 0, "expired": 0, "reports_missing": 1}
    soon.refresh_from_db()
    assert soon.alerted_due_soon_on == day
    assert ReportAlert.objects.get(body=new_body).year == year
    assert tasks.run("disclosure.alerts", today=day.isoformat()) == {
        "due_soon": 0, "overdue": 0, "expired": 0, "reports_missing": 0}


def test_the_daily_run_cannot_run_ahead_of_the_clock(a: Agency, monkeypatch: Any) -> None:
    """The missing-report sweep, like the publication alerts, judges by today at the
    latest: on 31 January a later ``--today`` records nothing."""
    from zhifa.disclosure.services import reports as reports_module

    monkeypatch.setattr(reports_module, "local_today", lambda: dt.date(2026, 1, 31))
    size = ledger_size()
    out = io.StringIO()
    call_command("disclosure", "alerts", "--json", "--today", "2026-02-02", stdout=out)
    assert json.loads(out.getvalue())["reports_missing"] == 0
    assert tasks.run("disclosure.alerts", today="2027-03-01")["reports_missing"] == 0
    assert (ReportAlert.objects.count(), ledger_size()) == (0, size)
    assert disclosure_alerts(today=dt.date(2026, 2, 2)) == AlertSummary(0, 0, 0, 0)
