import datetime as dt

import pytest

from zhifa.cases.models import DeadlineState
from zhifa.ledger.models import LedgerEntry

from .factories import act, agency, general_to_notice

pytestmark = pytest.mark.django_db


def test_general_case_from_registration_to_archive() -> None:
    a = agency()
    case = general_to_notice(a)
    assert case.stage == "notified"
    assert case.proposed_fine == 500_000
    d90 = case.deadlines.get(rule_code="apl_decision_90")
    # registered 2026-09-02 + 90 calendar days = 2026-12-01 (a Tuesday)
    assert d90.due == dt.date(2026, 12, 1)
    act(a, case, "decide", acted_on=dt.date(2026, 10, 9), outcome="penalty", kinds=["fine"],
        fine="5000", reasons="证据确凿")
    assert case.stage == "decided"
    assert case.final_fine == 500_000
    d90.refresh_from_db()
    assert d90.state == DeadlineState.MET
    act(a, case, "serve_decision", acted_on=dt.date(2026, 10, 12),
        served_on=dt.date(2026, 10, 12), method="direct")
    act(a, case, "record_payment", acted_on=dt.date(2026, 10, 20), amount="5000",
        receipt="R001")
    act(a, case, "close", acted_on=dt.date(2026, 10, 21), summary="执行完毕")
    act(a, case, "archive", acted_on=dt.date(2026, 10, 22), archive_number="2026-001")
    assert case.status == "archived"
    entries = LedgerEntry.objects.filter(stream=case.stream).order_by("stream_seq")
    # created, then register's approval request and approval before its step
    assert [e.event_code for e in entries][:3] == [4001, 4003, 4004]
    assert case.steps.count() == 9
