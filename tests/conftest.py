import os

import pytest

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
