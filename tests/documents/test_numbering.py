"""Document numbers (文号): the body's pattern, one counter per word and year, gapless, never
given twice, also when many documents are issued at the same moment."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from tests import factories as f
from tests.cases.factories import Agency, agency, open_case
from zhifa.core.errors import ApplicationError
from zhifa.documents.events import CONFIG_STREAM, PATTERN_SAVED
from zhifa.documents.models import Document, DocumentCounter, DocumentState, NumberPattern
from zhifa.documents.services import number_pattern, number_peek, number_take, pattern_save
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import AccountRole

D = __import__("datetime").date


def take(a: Agency, doc_type: str = "penalty_decision", year: int = 2026,
         body: Any = None) -> tuple[str, str, int]:
    with transaction.atomic():
        return number_take(body or a.body, doc_type, year)


def given(a: Agency, number: str, **kwargs: Any) -> Document:
    """A document that already carries ``number`` (e.g. imported)."""
    case = open_case(a, received_on=D(2026, 9, 1))
    return Document.objects.create(case=case, doc_type="penalty_decision",
                                   state=DocumentState.ISSUED, number=number, **kwargs)


def state() -> dict[str, Any]:
    return {"patterns": list(NumberPattern.objects.order_by("id").values()),
            "counters": list(DocumentCounter.objects.order_by("id").values()),
            "ledger": LedgerEntry.objects.count()}


@pytest.mark.django_db
def test_default_pattern_numbers_per_word_year_and_body(a: Agency) -> None:
    assert number_pattern(a.body, "penalty_decision") == "{机关简称}{字}〔{年}〕{序号}号"
    assert number_peek(a.body, "penalty_decision", 2026) == "芙蓉市监罚〔2026〕1号"
    assert take(a) == ("罚", "芙蓉市监罚〔2026〕1号", 1)
    assert take(a) == ("罚", "芙蓉市监罚〔2026〕2号", 2)
    # another word, another year, another body: their own sequences
    assert take(a, "prior_notice") == ("罚告", "芙蓉市监罚告〔2026〕1号", 1)
    assert take(a, year=2027) == ("罚", "芙蓉市监罚〔2027〕1号", 1)
    assert take(a, body=a.other_body) == ("罚", "荷塘市监罚〔2026〕1号", 1)
    assert number_peek(a.body, "penalty_decision", 2026) == "芙蓉市监罚〔2026〕3号"
    assert DocumentCounter.objects.get(body=a.body, key="罚", year=2026).last == 2


@pytest.mark.django_db
def test_types_sharing_a_word_share_the_sequence(a: Agency, monkeypatch: Any) -> None:
    from zhifa.documents import doctypes

    # a second type with the word 罚 (as an agency's catalogue may define): one sequence
    shared = doctypes.BY_CODE["no_penalty_decision"]
    monkeypatch.setitem(doctypes.BY_CODE, "no_penalty_decision",
                        doctypes.DocType(**{**shared.__dict__, "number_word": "罚"}))
    assert take(a)[1:] == ("芙蓉市监罚〔2026〕1号", 1)
    assert take(a, "no_penalty_decision") == ("罚", "芙蓉市监罚〔2026〕2号", 2)
    assert take(a)[1] == "芙蓉市监罚〔2026〕3号"


@pytest.mark.django_db
def test_a_saved_pattern_is_used_and_recorded(a: Agency) -> None:
    before = LedgerEntry.objects.count()
    row = pattern_save(actor=a.u_head, body=a.body, doc_type="penalty_decision",
                       pattern="{机关简称}罚字〔{年}〕第{序号:03d}号")
    assert number_pattern(a.body, "penalty_decision") == "{机关简称}罚字〔{年}〕第{序号:03d}号"
    assert take(a) == ("罚", "芙蓉市监罚字〔2026〕第001号", 1)
    assert number_pattern(a.other_body, "penalty_decision") == "{机关简称}{字}〔{年}〕{序号}号"
    entry = LedgerEntry.objects.get(seq=row.ledger_seq)
    assert LedgerEntry.objects.count() == before + 1
    assert (entry.event_code, entry.stream, entry.body_id) == (PATTERN_SAVED.code, CONFIG_STREAM,
                                                               a.body.pk)
    assert json.loads(entry.payload) == {
        "body": a.body.credit_code, "doc_type": "penalty_decision",
        "pattern": "{机关简称}罚字〔{年}〕第{序号:03d}号", "previous": "",
        "example": f"芙蓉市监罚字〔{timezone.localdate().year}〕第001号"}
    # English field names work too; saving again replaces the pattern
    again = pattern_save(actor=a.u_head, body=a.body, doc_type="penalty_decision",
                         pattern="{prefix}{word}[{year}]{seq:04d}")
    assert again.pk == row.pk
    assert json.loads(LedgerEntry.objects.get(seq=again.ledger_seq).payload)["previous"] == (
        "{机关简称}罚字〔{年}〕第{序号:03d}号")
    assert take(a) == ("罚", "芙蓉市监罚[2026]0002", 2)


@pytest.mark.django_db
@pytest.mark.parametrize(("doc_type", "pattern", "problem"), [
    ("penalty_decision", "{机关简称}罚〔{年}〕号", "{序号}"),
    ("penalty_decision", "{机关简称}{编号}〔{年}〕{序号}号", "{编号}"),
    ("penalty_decision", "{机关简称}〔{年:04d}〕{序号}号", "{序号:03d}"),
    ("penalty_decision", "{机关简称〔{年}〕{序号}号", "braces"),
    ("penalty_decision", "{年}{序号!r}", "conversion"),
    ("penalty_decision", "{年}{序号:q}", "filled in"),
    ("penalty_decision", "{机关简称}罚第{序号}号", "{年}"),
    ("penalty_decision", "{prefix}{word}{seq}", "{年}"),
    ("penalty_decision", "", "empty"),
    ("questioning_record", "{序号}", "询问笔录"),
    ("summary_decision", "{序号}", "当场行政处罚决定书"),
])
def test_an_unusable_pattern_is_refused(a: Agency, doc_type: str, pattern: str,
                                        problem: str) -> None:
    with translation_en():
        before = state()
        with pytest.raises(ApplicationError) as info:
            pattern_save(actor=a.u_head, body=a.body, doc_type=doc_type, pattern=pattern)
    assert info.value.code == "pattern_invalid"
    assert any(problem in p for p in info.value.detail["problems"]), info.value.detail
    assert state() == before


def translation_en() -> Any:
    from django.utils import translation

    return translation.override("en")


@pytest.mark.django_db
def test_only_the_bodys_document_managers_save_patterns(a: Agency) -> None:
    admin_other = f.user(f.person(a.other_body, "孙丽"), roles=(AccountRole.BODY_ADMIN,))
    before = state()
    for actor, code in ((a.u_officer, "missing_manage_documents"),
                        (a.u_supervisor, "missing_manage_documents"),
                        (admin_other, "body_out_of_scope")):
        with pytest.raises(ApplicationError) as info:
            pattern_save(actor=actor, body=a.body, doc_type="penalty_decision",
                         pattern="{年}{序号}")
        assert info.value.code == code
    assert state() == before
    body_admin = f.user(f.person(a.body, "周亮"), roles=(AccountRole.BODY_ADMIN,))
    pattern_save(actor=body_admin, body=a.body, doc_type="penalty_decision",
                 pattern="{年}{序号}")
    pattern_save(actor=a.u_sysadmin, body=a.body, doc_type="prior_notice",
                 pattern="告〔{year}〕{序号}")
    assert NumberPattern.objects.count() == 2


@pytest.mark.django_db
def test_a_number_already_given_is_skipped(a: Agency) -> None:
    # given outside the counter (before it existed): the counter starts after the highest
    given(a, "芙蓉市监罚〔2026〕7号", number_key="罚", number_year=2026, number_seq=7)
    assert number_peek(a.body, "penalty_decision", 2026) == "芙蓉市监罚〔2026〕8号"
    assert take(a)[1:] == ("芙蓉市监罚〔2026〕8号", 8)
    # a number on a document that the counter does not know of (another pattern, another
    # body): skipped, not given twice
    given(a, "芙蓉市监罚〔2026〕9号")
    assert take(a)[1:] == ("芙蓉市监罚〔2026〕10号", 10)
    assert DocumentCounter.objects.get(body=a.body, key="罚", year=2026).last == 10


@pytest.mark.django_db
def test_a_rolled_back_issue_gives_its_number_back(a: Agency) -> None:
    assert take(a)[1] == "芙蓉市监罚〔2026〕1号"
    with pytest.raises(RuntimeError), transaction.atomic():
        assert number_take(a.body, "penalty_decision", 2026)[1] == "芙蓉市监罚〔2026〕2号"
        raise RuntimeError("issue failed")
    assert take(a)[1] == "芙蓉市监罚〔2026〕2号"


# --- at the same moment (real transactions, one connection per thread) -----------------------

THREADS, EACH = 8, 5


def _locked(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "locked" in str(exc)


def run_threads(work: Any, args: list[Any]) -> tuple[list[Any], list[BaseException], int]:
    """Run ``work(arg)`` in one thread per arg, all starting together. The SQLite test
    database is in memory with a shared cache, where a writer that finds it locked fails at
    once instead of waiting: there the whole (rolled back) transaction is retried, as the
    busy timeout does on a file. PostgreSQL's row locks make the transactions wait."""
    barrier = threading.Barrier(len(args))
    made: list[Any] = []
    errors: list[BaseException] = []
    retries = [0]
    lock = threading.Lock()

    def run(arg: Any) -> None:
        try:
            barrier.wait(timeout=30)
            for result in work(arg, retrying(lock, retries)):
                with lock:
                    made.append(result)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(arg,)) for arg in args]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    return made, errors, retries[0]


def retrying(lock: threading.Lock, retries: list[int]) -> Any:
    def call(fn: Any) -> Any:
        for _attempt in range(2000):
            try:
                return fn()
            except OperationalError as exc:
                if connection.vendor != "sqlite" or not _locked(exc):
                    raise
                with lock:
                    retries[0] += 1
                time.sleep(0.005)
        raise AssertionError("the database stayed locked")
    return call


@pytest.mark.django_db(transaction=True)
def test_numbers_stay_gapless_and_unique_under_concurrency() -> None:
    """8 threads each issue 5 numbers of the same body, word and year (each in its own
    transaction that also writes the document row, as issuing does)."""
    a = agency()
    case = open_case(a, received_on=D(2026, 9, 1))

    def issue_one() -> str:
        with transaction.atomic():
            key, number, seq = number_take(a.body, "penalty_decision", 2026)
            Document.objects.create(case=case, doc_type="penalty_decision",
                                    state=DocumentState.ISSUED, number=number, number_key=key,
                                    number_year=2026, number_seq=seq)
            return number

    def work(_n: int, call: Any) -> Any:
        for _i in range(EACH):
            yield call(issue_one)

    made, errors, retries = run_threads(work, list(range(THREADS)))
    assert errors == []
    if connection.vendor == "postgresql":
        assert retries == 0
    expected = sorted(f"芙蓉市监罚〔2026〕{n}号" for n in range(1, THREADS * EACH + 1))
    assert sorted(made) == expected
    assert sorted(Document.objects.values_list("number", flat=True)) == expected
    assert DocumentCounter.objects.get(body=a.body, key="罚", year=2026).last == THREADS * EACH


@pytest.mark.django_db
def test_a_literal_prefix_shared_with_another_body_skips(a: Agency) -> None:
    """Numbers are unique installation-wide: two bodies typing the same abbreviation into
    their patterns do not get one number twice; the second body's sequence skips."""
    for body in (a.body, a.other_body):
        pattern_save(actor=a.u_sysadmin, body=body, doc_type="penalty_decision",
                     pattern="芙罚〔{年}〕{序号}号")
    assert take(a)[1:] == ("芙罚〔2026〕1号", 1)
    given(a, "芙罚〔2026〕1号", number_key="罚", number_year=2026, number_seq=1)
    assert take(a, body=a.other_body)[1:] == ("芙罚〔2026〕2号", 2)
