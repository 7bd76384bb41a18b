"""Case numbers: gapless and unique per body, procedure family and year, also when several
cases are opened at the same moment."""

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.db import OperationalError, connection

from tests import factories as f
from zhifa.cases.models import Case, CaseCounter
from zhifa.cases.services import PartyIn, case_create
from zhifa.core.errors import ApplicationError
from zhifa.ledger.models import LedgerEntry

from .factories import Agency, agency, company_party, open_case

D = dt.date


def numbers(**filters: Any) -> list[str]:
    return list(Case.objects.filter(**filters).order_by("id").values_list("number", flat=True))


@pytest.mark.django_db
def test_numbers_are_gapless_per_body_procedure_and_year(a: Agency) -> None:
    for _ in range(3):
        open_case(a, received_on=D(2026, 9, 1))
    open_case(a, "summary", received_on=D(2026, 9, 1), officers=[a.officer])
    open_case(a, received_on=D(2025, 12, 31))
    case_create(actor=a.u_other, procedure="general", title="其他主体案件", sector=a.market,
                region=a.regions["other_county"], parties=[company_party()],
                officers=[a.u_other.person], received_on=D(2026, 9, 1))
    open_case(a, received_on=D(2026, 9, 2))
    assert numbers(body=a.body) == [
        "芙蓉市监G202600001", "芙蓉市监G202600002", "芙蓉市监G202600003", "芙蓉市监S202600001",
        "芙蓉市监G202500001", "芙蓉市监G202600004"]
    assert numbers(body=a.other_body) == ["荷塘市监G202600001"]


@pytest.mark.django_db
def test_a_refused_case_uses_no_number(a: Agency) -> None:
    open_case(a, received_on=D(2026, 9, 1))
    before = (Case.objects.count(), LedgerEntry.objects.count(),
              list(CaseCounter.objects.values_list("kind", "year", "last")))
    with pytest.raises(ApplicationError) as exc:
        open_case(a, received_on=D(2026, 9, 1),
                  parties=[PartyIn(party_type="organisation", name="某公司",
                                   credit_code="91430100MA4L000000")])
    assert exc.value.code == "invalid_parties"
    assert (Case.objects.count(), LedgerEntry.objects.count(),
            list(CaseCounter.objects.values_list("kind", "year", "last"))) == before
    assert open_case(a, received_on=D(2026, 9, 1)).number == "芙蓉市监G202600002"


@pytest.mark.django_db
def test_bodies_sharing_a_short_name_keep_distinct_numbers(a: Agency) -> None:
    twin = f.body(a.regions["other_county"], a.market, name="另一个芙蓉市监",
                  short_name="芙蓉市监")
    twin_officer = f.person(twin, "周平")
    f.certificate(twin_officer, [a.regions["other_city"]], [a.market])
    u = f.user(twin_officer)
    first = open_case(a, received_on=D(2026, 9, 1))
    other = case_create(actor=u, procedure="general", title="同简称主体的案件", sector=a.market,
                        region=a.regions["other_county"], parties=[company_party()],
                        officers=[twin_officer], received_on=D(2026, 9, 1))
    assert first.number == "芙蓉市监G202600001"
    assert other.number == f"芙蓉市监{twin.credit_code[-6:]}G202600001"


# --- at the same moment (real transactions, one connection per thread) -----------------------

THREADS = 8


def _locked(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "locked" in str(exc)


def _open_in_threads(a: Agency) -> tuple[list[str], list[BaseException], int]:
    """Open one case per thread, all starting together. The SQLite test database lives in
    memory with a shared cache, where a writer that finds the database locked fails at once
    instead of waiting out the busy timeout as it does on a file: there the thread retries
    the whole (rolled back) transaction, which is what the timeout does for it."""
    barrier = threading.Barrier(THREADS)
    made: list[str] = []
    errors: list[BaseException] = []
    retries = [0]
    lock = threading.Lock()

    def work(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            for _attempt in range(500):
                try:
                    case = open_case(a, received_on=D(2026, 9, 1), title=f"并发立案{i}")
                    break
                except OperationalError as exc:
                    if connection.vendor != "sqlite" or not _locked(exc):
                        raise
                    with lock:
                        retries[0] += 1
                    time.sleep(0.005)
            else:
                raise AssertionError("the database stayed locked")
            with lock:
                made.append(case.number)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return made, errors, retries[0]


def test_numbers_stay_gapless_and_unique_under_concurrency(transactional_db: None) -> None:
    # ``transactional_db`` rather than the marker: the ledger is unlocked for the final flush
    # before the database fixture is set up (tests/cases/conftest.py)
    a = agency()
    made, errors, retries = _open_in_threads(a)
    assert errors == []
    if connection.vendor == "postgresql":
        assert retries == 0  # row locks make the transactions wait for each other
    expected = [f"芙蓉市监G2026{n:05d}" for n in range(1, THREADS + 1)]
    assert sorted(made) == expected
    assert sorted(numbers(body=a.body)) == expected
    assert CaseCounter.objects.get(body=a.body, kind="G", year=2026).last == THREADS
    # one creation entry per case, each the first of its chain, and no gap in the global
    # sequence of the ledger
    for case in Case.objects.filter(body=a.body):
        first = LedgerEntry.objects.get(stream=case.stream, stream_seq=0)
        assert (first.event_code, LedgerEntry.objects.filter(stream=case.stream).count()) == (
            4001, 1)
    seqs = sorted(LedgerEntry.objects.values_list("seq", flat=True))
    assert seqs == list(range(len(seqs)))
