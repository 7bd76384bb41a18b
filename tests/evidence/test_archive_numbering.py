"""Archive numbers: gapless and unique per body and year, in the body's pattern, also when
several cases are archived at the same moment."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction

from tests import factories as f
from tests.cases.factories import Agency, act, agency, company_party
from tests.evidence.archive_helpers import closed_inspection
from zhifa.cases.models import Case, CaseCounter
from zhifa.cases.services import case_act, case_create
from zhifa.evidence.archive.build import archive_create
from zhifa.evidence.archive.numbering import archive_number_next
from zhifa.evidence.models import CaseArchive
from zhifa.orgs.models import User

D = dt.date


@pytest.fixture(autouse=True)
def _keys(settings: Any, tmp_path: Path) -> None:
    settings.ZHIFA_LEDGER_KEY_DIR = str(tmp_path / "keys")


def closed_elsewhere(a: Agency) -> tuple[Case, User]:
    """A closed inspection of the other body, by its own two officers."""
    second = f.person(a.other_body, "钱七")
    f.certificate(second, [a.regions["other_city"]], [a.market])
    u = a.u_other
    case = case_create(actor=u, procedure="inspection", title="荷塘检查", sector=a.market,
                       region=a.regions["other_county"], parties=[company_party()],
                       officers=[u.person, second], received_on=D(2026, 9, 1))
    for action, data in (("start_inspection", {"place": "某店", "findings": "检查"}),
                         ("conclude", {"result": "no_finding", "conclusion": "无问题"}),
                         ("close", {"summary": "结束"})):
        case_act(actor=u, case=case, action=action, data={"acted_on": "2026-09-02", **data})
    return case, u


@pytest.mark.django_db
def test_numbers_are_gapless_per_body_and_year(a: Agency) -> None:
    numbers = [archive_create(actor=a.u_officer,
                              case=closed_inspection(a, files=[], title=f"检查{n}")).number
               for n in range(3)]
    assert numbers == ["芙蓉市监档〔2026〕1号", "芙蓉市监档〔2026〕2号", "芙蓉市监档〔2026〕3号"]
    case, user = closed_elsewhere(a)
    assert archive_create(actor=user, case=case).number == "荷塘市监档〔2026〕1号"
    assert CaseCounter.objects.get(body=a.body, kind="archive", year=2026).last == 3


@pytest.mark.django_db
def test_a_body_may_have_its_own_pattern(a: Agency, settings: Any) -> None:
    settings.ZHIFA_ARCHIVE_NUMBER_PATTERNS = {a.body.credit_code: "{prefix}-{year}-{seq:04d}"}
    archive = archive_create(actor=a.u_officer, case=closed_inspection(a, files=[]))
    assert archive.number == "芙蓉市监-2026-0001"
    case, user = closed_elsewhere(a)  # the others keep the installation's pattern
    assert archive_create(actor=user, case=case).number == "荷塘市监档〔2026〕1号"


@pytest.mark.django_db
def test_numbers_given_before_packages_existed_are_not_given_again(a: Agency) -> None:
    old = closed_inspection(a, files=[], title="旧案")
    act(a, old, "archive", acted_on=D(2026, 9, 5), archive_number="芙蓉市监档〔2026〕12号")
    older = closed_inspection(a, files=[], title="去年的号")
    act(a, older, "archive", acted_on=D(2026, 9, 5), archive_number="芙蓉市监档〔2025〕40号")
    archive = archive_create(actor=a.u_officer, case=closed_inspection(a, files=[]))
    assert archive.number == "芙蓉市监档〔2026〕13号"
    # the counter has taken over: the next one follows it
    with transaction.atomic():
        assert archive_number_next(a.body, 2026) == "芙蓉市监档〔2026〕14号"
        assert archive_number_next(a.body, 2025) == "芙蓉市监档〔2025〕41号"


# --- at the same moment (real transactions, one connection per thread) -----------------------

THREADS = 6


def _locked(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "locked" in str(exc)


def test_numbers_stay_gapless_and_unique_under_concurrency(transactional_db: None) -> None:
    """Each thread archives its own closed case of the same body, all starting together. The
    SQLite test database is in memory with a shared cache, where a writer that finds it
    locked fails at once instead of waiting: there the thread retries the whole (rolled
    back) archiving, as the busy timeout does on a file. PostgreSQL's row locks make the
    transactions wait for each other."""
    a = agency()
    cases = [closed_inspection(a, files=[], title=f"并发归档{n}") for n in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    made: list[str] = []
    errors: list[BaseException] = []
    retries = [0]
    lock = threading.Lock()

    def work(case: Case) -> None:
        try:
            barrier.wait(timeout=30)
            for _attempt in range(1000):
                try:
                    archive = archive_create(actor=a.u_officer, case=case)
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
                made.append(archive.number)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(c,)) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert errors == []
    if connection.vendor == "postgresql":
        assert retries[0] == 0
    expected = sorted(f"芙蓉市监档〔2026〕{n}号" for n in range(1, THREADS + 1))
    assert sorted(made) == expected
    assert sorted(CaseArchive.objects.values_list("number", flat=True)) == expected
    assert CaseCounter.objects.get(body=a.body, kind="archive", year=2026).last == THREADS
    assert set(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list(
        "status", flat=True)) == {"archived"}
