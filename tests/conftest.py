import os

import pytest

# After a transactional test the harness empties every table; on SQLite that is a DELETE the
# ledger's append-only triggers refuse unless the harness itself unlocks them.
pytest_plugins = ["tests.ledger.plugin"]

_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # In CI nothing may be skipped: a skipped test fails the run.
    if os.environ.get("CI") == "true" and _skipped:
        print("\nCI=true and these tests were skipped:\n  " + "\n  ".join(_skipped))
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _english_off(settings):  # type: ignore[no-untyped-def]
    """Tests run in the default language (zh-Hans), like users."""
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture(autouse=True)
def _seed_after_flush(request):  # type: ignore[no-untyped-def]
    """Transactional tests (live server, concurrency) empty every table when they end, which
    removes the seeded holiday calendar and deadline rules that migrations put in; put them
    back before such a test runs."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server"))
    if transactional:
        request.getfixturevalue("transactional_db")
        from zhifa.workdays.defaults import ensure_seeded

        ensure_seeded()


@pytest.fixture(autouse=True)
def _checkpoint_log_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Signed checkpoints are also appended to a log outside the database; tests keep theirs
    in a temporary directory, never in the working copy's ``var/``."""
    settings.ZHIFA_LEDGER_CHECKPOINT_LOG = str(tmp_path / "checkpoints.jsonl")
