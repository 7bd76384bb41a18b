"""``zhifa workdays add`` and ``zhifa workdays years``: output and exit status."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from tests.workdays.conftest import DAYS_2027, SOURCE_2027
from zhifa.manage import main
from zhifa.workdays.services import calendar_year_publish


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("workdays", *args, stdout=out)
    return out.getvalue()


def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
            *args: str) -> tuple[int, str, str]:
    """Run as ``zhifa workdays ...`` would, in this process (on the test database); returns
    (exit status, stdout, stderr)."""
    # The command line closes every connection when it ends; the test's must stay open.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    monkeypatch.setattr(sys, "argv", ["zhifa", "workdays", *args])
    try:
        main()
        status = 0
    except SystemExit as exc:
        status = int(exc.code or 0)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_add_working_days_across_national_day(db: None) -> None:
    assert run("add", "2026-09-30", "5") == "2026-10-13\n"
    assert run("add", "2026-09-30", "5", "--unit", "working") == "2026-10-13\n"


def test_add_other_units(db: None) -> None:
    assert run("add", "2026-09-16", "15", "--unit", "calendar") == "2026-10-08\n"
    assert run("add", "2026-01-31", "1", "--unit", "month") == "2026-02-28\n"
    assert run("add", "2024-02-29", "2", "--unit", "year") == "2026-02-28\n"


def test_add_says_provisional_for_a_year_without_data(db: None) -> None:
    assert run("add", "2026-12-24", "7") == (
        "2027-01-04 (provisional: no calendar data for 2027)\n")


def test_add_json(db: None) -> None:
    assert json.loads(run("add", "2026-12-24", "7", "--json")) == {
        "start": "2026-12-24", "n": 7, "unit": "working_day", "due": "2027-01-04",
        "provisional": True,
    }
    assert json.loads(run("add", "2026-09-16", "15", "--unit", "calendar", "--json")) == {
        "start": "2026-09-16", "n": 15, "unit": "calendar_day", "due": "2026-10-08",
        "provisional": False,
    }


def test_add_after_2027_is_published(db: None) -> None:
    calendar_year_publish(actor=None, year=2027, source=SOURCE_2027, days=DAYS_2027)
    assert run("add", "2026-12-24", "7") == "2027-01-05\n"


@pytest.mark.parametrize(("args", "message"), [
    (("2026-02-30", "5"), "START must be a date written YYYY-MM-DD, not '2026-02-30'."),
    (("2026-09-30", "five"), "N must be a whole number, not 'five'."),
    (("2026-09-30", "0"), "[period_length_invalid]"),
    (("2026-09-30", "-2"), "[period_length_invalid]"),
])
def test_add_refuses_bad_input(db: None, args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError) as exc:
        run("add", *args)
    assert message in str(exc.value)


def test_exit_status(db: None, monkeypatch: pytest.MonkeyPatch,
                     capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(monkeypatch, capsys, "add", "2026-09-30", "5") == (0, "2026-10-13\n", "")
    status, out, err = run_cli(monkeypatch, capsys, "add", "2026-09-30", "0")
    assert (status, out) == (1, "")
    assert err.startswith("CommandError: ") and "[period_length_invalid]" in err
    status, out, err = run_cli(monkeypatch, capsys, "add", "2026-09-30", "5", "--unit", "week")
    assert (status, out) == (2, "")
    assert "invalid choice: 'week'" in err


def test_exit_status_of_the_installed_command(tmp_path: Path) -> None:
    """The real ``zhifa`` executable: bad input is refused before any database is touched."""
    zhifa = Path(sys.executable).parent / "zhifa"
    env = {**os.environ, "ZHIFA_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run([str(zhifa), "workdays", "add", "2026-13-01", "5"], env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "START must be a date written YYYY-MM-DD, not '2026-13-01'." in result.stderr


def test_years_lists_the_data_and_warns_about_the_next_year(
    db: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run_cli(monkeypatch, capsys, "years", "--today", "2026-11-26")
    lines = out.splitlines()
    assert status == 0
    assert len(lines) == 23
    assert lines[0] == "2004\t22 holidays\t6 make-up workdays\tchinesecalendar 1.11.0"
    assert lines[-1] == "2026\t33 holidays\t6 make-up workdays\tchinesecalendar 1.11.0"
    assert err == ("warning: no calendar data for 2027; deadlines reaching 2027 are "
                   "provisional\n")


def test_years_json(db: None) -> None:
    calendar_year_publish(actor=None, year=2027, source=SOURCE_2027, days=DAYS_2027)
    data = json.loads(run("years", "--json", "--today", "2027-06-01"))
    assert data["years"][-1] == {"year": 2027, "source": SOURCE_2027, "published_on": None,
                                 "holidays": 10, "make_up_workdays": 1}
    assert [y["year"] for y in data["years"]] == list(range(2004, 2028))
    assert data["missing_upcoming"] == [2028]
