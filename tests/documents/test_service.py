"""Service of documents (送达) and the case: the step a service records, the periods that
run from the date of service, announcements deemed served after 30 days, refusals that
change nothing. The rules of each method are in ``test_service_methods.py``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.cases.factories import Agency, act, general_to_notice, reported, snapshot
from tests.documents.factories import complete_fields, draft, issued
from tests.documents.factories import decided as decide
from zhifa.cases.models import Case, CaseStatus, CaseStep, DeadlineState
from zhifa.core.errors import ApplicationError
from zhifa.documents.models import Document, ServiceRecord, ServiceState
from zhifa.documents.services import document_void, service_deem_due, service_record
from zhifa.ledger.models import LedgerEntry
from zhifa.workdays.calendar import deadline_for

pytestmark = pytest.mark.django_db

D = dt.date
DAY = dt.timedelta(days=1)


# --- helpers (also used by test_service_methods.py) -----------------------------------------

@pytest.fixture(autouse=True)
def _installed(documents_hooks: None) -> None:
    """``decide`` guarded by the decision document, as in an installation."""


def issued_doc(a: Agency, case: Case, doc_type: str, *, on: dt.date,
               **fields: str) -> Document:
    """A complete draft of ``doc_type`` issued on ``on``, through the services."""
    return issued(a, draft(a, case, doc_type, fields=complete_fields(doc_type, **fields)),
                  issued_on=on)


RECEIVED = D(2026, 9, 1)


def decided(a: Agency, *, received: dt.date = RECEIVED, outcome: str = "penalty",
            fine: str = "5000", after: int = 28) -> tuple[Case, Document]:
    """A general case decided ``after`` days after it was received (the prior notice served
    on day 21), and its decision document issued the same day."""
    case = general_to_notice(a, received=received, fine=fine)
    on = received + after * DAY
    if outcome == "penalty":
        doc = decide(a, case, on=on, fine=fine, reasons="证据确凿")
    else:
        doc = decide(a, case, on=on, outcome="no_penalty", no_penalty_reason="minor",
                     reasons="违法行为轻微并及时改正")
    assert case.stage == "decided"
    return case, issued(a, doc, issued_on=on)


def serve(a: Agency, doc: Document, *, actor: Any = None, method: str = "direct",
          recipient: str = "陈某", **kwargs: Any) -> ServiceRecord:
    return service_record(actor=actor or a.u_officer, document=doc, method=method,
                          recipient=recipient, **kwargs)


def state(case: Case, doc: Document) -> dict[str, Any]:
    """What a refused service must leave as it was."""
    return {**snapshot(case), "services": list(ServiceRecord.objects.order_by("id").values()),
            "document": Document.objects.filter(pk=doc.pk).values().get()}


def refused(code: str, case: Case, doc: Document, fn: Callable[[], Any]) -> ApplicationError:
    before = state(case, doc)
    with pytest.raises(ApplicationError) as info:
        fn()
    assert info.value.code == code, (info.value.code, info.value.message, info.value.detail)
    assert state(case, doc) == before
    return info.value


def last_entry(case: Case) -> tuple[int, dict[str, Any], str]:
    e = LedgerEntry.objects.filter(stream=case.stream).order_by("-stream_seq").first()
    assert e is not None
    return e.event_code, json.loads(e.payload), e.actor_name


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.date], None]:
    """Move the clock forward to a day (same time of day): ``timezone.now`` and so
    ``timezone.localdate`` everywhere they are read through the module."""
    real = timezone.now

    def move(day: dt.date) -> None:
        shift = day - timezone.localdate(real())
        monkeypatch.setattr(timezone, "now", lambda: real() + shift)
    return move


# --- the step a service records ---------------------------------------------------------------

def test_direct_service_serves_the_decision_and_starts_the_payment_period(a: Agency) -> None:
    case, doc = decided(a)
    steps = CaseStep.objects.count()
    record = serve(a, doc, served_on=D(2026, 9, 30), recipient="陈某",
                   recipient_relation="法定代表人", place="长沙市芙蓉区某路1号")
    case.refresh_from_db()
    step = CaseStep.objects.get(case=case, action="serve_decision")
    assert CaseStep.objects.count() == steps + 1
    assert (record.state, record.served_on, record.method, record.recipient_relation,
            record.case_step_id, record.recorded_by) == (
        ServiceState.SERVED, D(2026, 9, 30), "direct", "法定代表人", step.pk, a.u_officer)
    assert case.stage == "served"
    assert (step.acted_on, step.data) == (
        D(2026, 9, 30), {"acted_on": "2026-09-30", "served_on": "2026-09-30",
                         "method": "direct"})
    pay = case.deadlines.get(rule_code="apl_payment_15")
    assert (pay.start, pay.due, pay.state) == (
        D(2026, 9, 30), deadline_for(rule="apl_payment_15", start=D(2026, 9, 30)).due,
        DeadlineState.RUNNING)
    assert pay.due == D(2026, 10, 15)
    service = case.deadlines.get(rule_code="apl_service_7")
    assert (service.state, service.met_on) == (DeadlineState.MET, D(2026, 9, 30))
    code, payload, actor = last_entry(case)
    assert (code, actor) == (6005, "李明")
    assert record.ledger_seq is not None
    assert {k: payload[k] for k in ("case", "document", "doc_type", "title", "number",
                                    "service", "method", "method_label", "state", "recipient",
                                    "recipient_relation", "served_on", "announced_on",
                                    "proof", "case_step")} == {
        "case": case.number, "document": str(doc.public_id), "doc_type": "penalty_decision",
        "title": "行政处罚决定书", "number": doc.number, "service": str(record.public_id),
        "method": "direct", "method_label": "直接送达", "state": "served", "recipient": "陈某",
        "recipient_relation": "法定代表人", "served_on": "2026-09-30", "announced_on": None,
        "proof": None, "case_step": step.pk}


def test_the_payment_period_runs_from_the_return_receipt_of_the_post(a: Agency) -> None:
    case, doc = decided(a)
    serve(a, doc, method="mail", served_on=D(2026, 10, 9), tracking_number="1180000000001")
    case.refresh_from_db()
    pay = case.deadlines.get(rule_code="apl_payment_15")
    # 15 calendar days from 9 October end on Saturday 24 October
    expected = deadline_for(rule="apl_payment_15", start=D(2026, 10, 9)).due
    assert (pay.start, pay.due) == (D(2026, 10, 9), expected)
    assert expected == D(2026, 10, 26)  # moved to the next working day
    step = case.steps.get(action="serve_decision")
    assert (step.acted_on, step.data["method"]) == (D(2026, 10, 9), "mail")


def test_no_payment_period_after_a_decision_of_no_penalty(a: Agency) -> None:
    case, doc = decided(a, outcome="no_penalty")
    record = serve(a, doc, served_on=D(2026, 9, 30))
    case.refresh_from_db()
    assert record.case_step is not None and case.stage == "served"
    assert not case.deadlines.filter(rule_code="apl_payment_15").exists()


def test_serving_the_prior_notice_records_serve_notice(a: Agency) -> None:
    case = reported(a)  # report submitted on 21 September
    doc = issued_doc(a, case, "prior_notice", on=D(2026, 9, 21))
    record = serve(a, doc, served_on=D(2026, 9, 22))
    case.refresh_from_db()
    step = case.steps.get(action="serve_notice")
    assert (record.case_step_id, case.stage, step.data["served_on"]) == (
        step.pk, "notified", "2026-09-22")
    statement = case.deadlines.get(rule_code="apl_statement_3")
    assert (statement.start, statement.due) == (
        D(2026, 9, 22), deadline_for(rule="apl_statement_3", start=D(2026, 9, 22)).due)


def test_a_second_service_of_the_same_document_records_no_second_step(a: Agency) -> None:
    case, doc = decided(a)
    first = serve(a, doc, served_on=D(2026, 9, 30))
    second = serve(a, doc, method="mail", served_on=D(2026, 10, 9),
                   tracking_number="1180000000002")
    assert first.case_step is not None and second.case_step is None
    assert case.steps.filter(action="serve_decision").count() == 1
    assert ServiceRecord.objects.filter(document=doc).count() == 2
    code, payload, _actor = last_entry(case)
    assert (code, payload["case_step"], payload["method"]) == (6005, None, "mail")


def test_a_case_served_by_hand_before_records_only_the_service(a: Agency) -> None:
    case, doc = decided(a)
    act(a, case, "serve_decision", acted_on=D(2026, 9, 30), served_on=D(2026, 9, 30),
        method="direct")
    record = serve(a, doc, served_on=D(2026, 9, 30))
    assert record.case_step is None
    assert case.steps.filter(action="serve_decision").count() == 1


def test_a_document_that_serves_no_step(a: Agency) -> None:
    case, _doc = decided(a)
    consent = issued_doc(a, case, "e_service_consent", on=D(2026, 9, 29), 同意电子送达="同意")
    steps = case.steps.count()
    record = serve(a, consent, served_on=D(2026, 9, 29))
    assert record.case_step is None and case.steps.count() == steps


def test_a_refusal_of_the_case_step_propagates_and_changes_nothing(a: Agency) -> None:
    case, doc = decided(a)  # decided on 29 September: served within 7 working days
    exc = refused("late_reason_required", case, doc,
                  lambda: serve(a, doc, served_on=D(2026, 10, 30)))
    assert exc.detail == [{"rule": "apl_service_7", "due": "2026-10-14"}]
    record = serve(a, doc, served_on=D(2026, 10, 30), late_reason="当事人下落不明，多次联系未果")
    step = case.steps.get(action="serve_decision")
    assert (record.case_step_id, step.late_reason) == (step.pk, "当事人下落不明，多次联系未果")
    assert case.deadlines.get(rule_code="apl_service_7").late_reason == step.late_reason


# --- refusals ---------------------------------------------------------------------------------

def test_only_an_issued_document_is_served(a: Agency) -> None:
    case, doc = decided(a)
    reminder = draft(a, case, "reminder")
    refused("document_not_issued", case, reminder,
            lambda: serve(a, reminder, served_on=D(2026, 9, 30)))
    document_void(actor=a.u_head, document=doc, reason="文号错误")
    refused("document_not_issued", case, doc, lambda: serve(a, doc, served_on=D(2026, 9, 30)))


def test_dates_neither_in_the_future_nor_before_issue(a: Agency) -> None:
    case, doc = decided(a)
    tomorrow = timezone.localdate() + DAY
    exc = refused("service_date_future", case, doc, lambda: serve(a, doc, served_on=tomorrow))
    assert list(exc.detail) == ["served_on"]
    refused("service_date_future", case, doc,
            lambda: serve(a, doc, method="announcement", announced_on=tomorrow,
                          announcement_medium="本机关网站", note="下落不明"))
    exc = refused("service_before_issue", case, doc,
                  lambda: serve(a, doc, served_on=D(2026, 9, 28)))
    assert "2026-09-29" in exc.message
    refused("service_before_issue", case, doc,
            lambda: serve(a, doc, method="announcement", announced_on=D(2026, 9, 28),
                          announcement_medium="本机关网站", note="下落不明"))


def test_only_those_handling_the_case_record_its_services(a: Agency) -> None:
    case, doc = decided(a)
    for user, code in ((a.u_other, "case_out_of_scope"),
                       (a.u_supervisor, "missing_handle_cases")):
        refused(code, case, doc, lambda u=user: serve(a, doc, actor=u,
                                                      served_on=D(2026, 9, 30)))


def test_no_service_on_an_archived_case(a: Agency) -> None:
    case, doc = decided(a)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.ARCHIVED)  # set up directly
    refused("case_archived", case, doc, lambda: serve(a, doc, served_on=D(2026, 9, 30)))


# --- announcements ------------------------------------------------------------------------------

def announce(a: Agency, doc: Document, on: dt.date, **kwargs: Any) -> ServiceRecord:
    return serve(a, doc, method="announcement", recipient="", announced_on=on,
                 announcement_medium="芙蓉区人民政府网站、本机关公告栏",
                 note="当事人下落不明，直接送达、邮寄送达均未成功。", **kwargs)


def test_an_announcement_recorded_after_its_30_days_is_served_at_once(a: Agency) -> None:
    case, doc = decided(a)
    record = announce(a, doc, D(2026, 9, 30))
    case.refresh_from_db()
    step = case.steps.get(action="serve_decision")
    assert (record.state, record.announced_on, record.served_on, record.recipient) == (
        ServiceState.SERVED, D(2026, 9, 30), D(2026, 10, 30), "长沙某某贸易有限公司")
    # the agency acted on the day of the announcement (its 7-day limit is met then); the
    # party's periods run from the day service is deemed done
    assert (step.acted_on, step.data["served_on"], step.data["method"]) == (
        D(2026, 9, 30), "2026-10-30", "announcement")
    assert case.deadlines.get(rule_code="apl_service_7").met_on == D(2026, 9, 30)
    pay = case.deadlines.get(rule_code="apl_payment_15")
    assert (pay.start, pay.due) == (
        D(2026, 10, 30), deadline_for(rule="apl_payment_15", start=D(2026, 10, 30)).due)
    code, payload, _actor = last_entry(case)
    assert (code, payload["state"], payload["announced_on"], payload["served_on"],
            payload["announcement_days"]) == (6005, "served", "2026-09-30", "2026-10-30", 30)
    assert service_deem_due() == 0


def recent_decision(a: Agency, ago: int = 10) -> tuple[Case, Document, dt.date]:
    """A case decided ``ago`` days before today (two weeks after its prior notice was served,
    whatever holidays fall in between), its decision issued the same day; the day it was
    decided."""
    today = timezone.localdate()
    case, doc = decided(a, received=today - (ago + 35) * DAY, after=35)
    return case, doc, today - ago * DAY


def test_an_announcement_is_pending_then_deemed_served_30_days_later(
        a: Agency, clock: Callable[[dt.date], None]) -> None:
    case, doc, decided_on = recent_decision(a)
    on = decided_on + 2 * DAY
    steps = case.steps.count()
    record = announce(a, doc, on)
    assert (record.state, record.served_on, record.case_step) == (
        ServiceState.PENDING, on + 30 * DAY, None)
    assert case.steps.count() == steps  # the step waits for the deemed date
    code, payload, _actor = last_entry(case)
    assert (code, payload["state"], payload["served_on"]) == (
        6005, "pending", (on + 30 * DAY).isoformat())
    ledger = LedgerEntry.objects.count()
    assert service_deem_due() == 0
    assert service_deem_due(today=on + 29 * DAY) == 0
    # the sweep cannot be run ahead of the clock
    assert service_deem_due(today=on + 31 * DAY) == 0
    assert LedgerEntry.objects.count() == ledger

    clock(on + 30 * DAY)
    assert service_deem_due() == 1
    record.refresh_from_db()
    case.refresh_from_db()
    step = case.steps.get(action="serve_decision")
    assert (record.state, record.case_step_id, case.stage) == (
        ServiceState.SERVED, step.pk, "served")
    assert (step.acted_on, step.data["served_on"], step.actor, step.late_reason) == (
        on, (on + 30 * DAY).isoformat(), a.u_officer, "")
    pay = case.deadlines.get(rule_code="apl_payment_15")
    assert (pay.start, pay.due) == (
        on + 30 * DAY, deadline_for(rule="apl_payment_15", start=on + 30 * DAY).due)
    code, payload, actor = last_entry(case)
    assert (code, actor) == (6006, "")
    assert payload == {
        "case": case.number, "document": str(doc.public_id), "doc_type": "penalty_decision",
        "title": "行政处罚决定书", "number": doc.number, "service": str(record.public_id),
        "announced_on": on.isoformat(), "served_on": (on + 30 * DAY).isoformat(),
        "case_step": step.pk, "case_approval": None, "case_step_recorded_as": "李明",
        "case_step_refused": None}
    # idempotent
    ledger = LedgerEntry.objects.count()
    assert service_deem_due() == 0
    assert LedgerEntry.objects.count() == ledger


def test_the_announcement_period_is_a_setting(a: Agency, settings: Any) -> None:
    settings.ZHIFA_ANNOUNCEMENT_DAYS = 60
    _case, doc, decided_on = recent_decision(a)
    record = announce(a, doc, decided_on + DAY)
    assert (record.state, record.served_on) == (ServiceState.PENDING, decided_on + 61 * DAY)


def test_a_late_announcement_needs_its_reason_when_recorded_and_keeps_it(
        a: Agency, clock: Callable[[dt.date], None]) -> None:
    case, doc, _decided_on = recent_decision(a, ago=30)
    on = timezone.localdate() - DAY  # 29 days after the decision: past the 7 working days
    exc = refused("late_reason_required", case, doc, lambda: announce(a, doc, on))
    assert exc.detail[0]["rule"] == "apl_service_7"
    record = announce(a, doc, on, late_reason="当事人下落不明，查找住所耗时")
    assert record.state == ServiceState.PENDING and case.steps.filter(
        action="serve_decision").count() == 0
    clock(on + 30 * DAY)
    assert service_deem_due() == 1
    step = case.steps.get(action="serve_decision")
    assert (step.acted_on, step.late_reason) == (on, "当事人下落不明，查找住所耗时")


def test_deemed_served_even_when_the_case_step_is_refused(
        a: Agency, clock: Callable[[dt.date], None]) -> None:
    case, doc, decided_on = recent_decision(a)
    record = announce(a, doc, decided_on + DAY)
    a.u_officer.is_active = False  # the officer who recorded it has left
    a.u_officer.save(update_fields=["is_active"])
    clock(decided_on + 31 * DAY)
    assert service_deem_due() == 1
    record.refresh_from_db()
    case.refresh_from_db()
    assert (record.state, record.case_step, case.stage) == (
        ServiceState.SERVED, None, "decided")
    code, payload, _actor = last_entry(case)
    assert (code, payload["case_step"], payload["case_step_refused"]["code"]) == (
        6006, None, "missing_handle_cases")


def test_the_sweep_leaves_voided_documents_and_archived_cases(
        a: Agency, clock: Callable[[dt.date], None]) -> None:
    case, doc, decided_on = recent_decision(a)
    record = announce(a, doc, decided_on + DAY)
    clock(decided_on + 31 * DAY)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.ARCHIVED)  # set up directly
    assert service_deem_due() == 0
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.OPEN)
    document_void(actor=a.u_head, document=doc, reason="送达前发现文书错误")
    assert service_deem_due() == 0
    record.refresh_from_db()
    assert record.state == ServiceState.PENDING


def test_the_command_and_the_task(a: Agency, clock: Callable[[dt.date], None],
                                  capsys: pytest.CaptureFixture[str]) -> None:
    from zhifa.celery_app import BEAT_SCHEDULE
    from zhifa.core import tasks

    assert BEAT_SCHEDULE["documents.serve_due"]["task"] == "documents.serve_due"
    assert "documents.serve_due" in tasks.registered()
    case, doc, decided_on = recent_decision(a)
    announce(a, doc, decided_on + DAY)
    call_command("documents", "serve-due", "--json")
    assert json.loads(capsys.readouterr().out) == {"served": 0}
    clock(decided_on + 31 * DAY)
    call_command("documents", "serve-due", "--json")
    assert json.loads(capsys.readouterr().out) == {"served": 1}
    assert tasks.run("documents.serve_due") == 0
    assert case.steps.filter(action="serve_decision").count() == 1

