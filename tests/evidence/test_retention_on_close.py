"""Closing a case through its procedure fixes until when its files are kept (the cases app
tells the evidence app through ``cases.hooks.status_changed``)."""

import datetime as dt

from tests.cases.factories import act
from zhifa.evidence.models import EvidenceFile
from zhifa.ledger.models import LedgerEntry

from .factories import PNG_1PX, a_case, item, stored


def test_closing_a_case_sets_retain_until_and_records_it(a) -> None:
    case = a_case(a, "generic")
    f = stored(a, item(a, case, kind="documentary", title="登记表"), PNG_1PX)
    assert (f.retain_until, f.permanent) == (None, False)
    act(a, case, "start", acted_on=dt.date(2026, 9, 2))
    act(a, case, "decide", acted_on=dt.date(2026, 9, 3), decision="办结")
    before = LedgerEntry.objects.filter(stream=case.stream, event_code=5009).count()
    act(a, case, "close", acted_on=dt.date(2026, 9, 4), summary="办结")
    f = EvidenceFile.objects.get(pk=f.pk)
    # the built-in class keeps files at least 6 months after the case is closed
    assert f.retain_until == dt.date(2027, 3, 4)
    assert LedgerEntry.objects.filter(stream=case.stream, event_code=5009).count() == before + 1
