"""``zhifa cases list``: the fields scripts rely on, the filters, and a non-zero exit status
when a filter names something that does not exist."""

import datetime as dt
import io
import json
import sys
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from tests.cases.factories import Agency, act, agency, company_party, open_case
from zhifa.cases.models import Case
from zhifa.cases.services import case_create
from zhifa.manage import main

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("cases", *args, stdout=out)
    return out.getvalue()


def listed(*args: str) -> list[dict[str, Any]]:
    return json.loads(run("list", "--json", *args))  # type: ignore[no-any-return]


def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
            *args: str) -> tuple[int, str, str]:
    """As ``zhifa cases ...`` runs, in this process (on the test database): (exit status,
    stdout, stderr)."""
    # the command line closes every connection when it ends; the test's must stay open
    monkeypatch.setattr(connections, "close_all", lambda: None)
    monkeypatch.setattr(sys, "argv", ["zhifa", "cases", *args])
    try:
        main()
        status = 0
    except SystemExit as exc:
        status = int(exc.code or 0)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def three_cases() -> tuple[Agency, list[Case]]:
    """A registered general case and an inspection in one body, a summary case in another."""
    a = agency()
    general = open_case(a, received_on=dt.date(2026, 9, 1))
    act(a, general, "register", acted_on=dt.date(2026, 9, 2), act_date=dt.date(2026, 8, 20),
        grounds="涉嫌销售不合格产品")
    inspection = open_case(a, "inspection", received_on=dt.date(2026, 10, 1), title="例行检查")
    summary = case_create(
        actor=a.u_other, procedure="summary", title="占道经营", sector=a.market,
        region=a.regions["other_county"], parties=[company_party("株洲某某商行")],
        officers=[a.u_other.person], received_on=dt.date(2026, 10, 2))
    return a, [general, inspection, summary]


def test_list_json_fields() -> None:
    a, (general, inspection, summary) = three_cases()
    rows = listed()
    assert rows == [
        {"number": general.number, "public_id": str(general.public_id),
         "agency": "芙蓉区市场监督管理局", "agency_credit_code": a.body.credit_code,
         "procedure": "general", "stage": "registered", "status": "open",
         "title": "销售不合格产品案", "received_on": "2026-09-01"},
        {"number": inspection.number, "public_id": str(inspection.public_id),
         "agency": "芙蓉区市场监督管理局", "agency_credit_code": a.body.credit_code,
         "procedure": "inspection", "stage": "planned", "status": "open",
         "title": "例行检查", "received_on": "2026-10-01"},
        {"number": summary.number, "public_id": str(summary.public_id),
         "agency": "荷塘区市场监督管理局", "agency_credit_code": a.other_body.credit_code,
         "procedure": "summary", "stage": "on_site", "status": "open",
         "title": "占道经营", "received_on": "2026-10-02"},
    ]


def test_filters() -> None:
    a, (general, inspection, summary) = three_cases()
    assert [r["number"] for r in listed("--procedure", "general")] == [general.number]
    assert [r["number"] for r in listed("--stage", "planned")] == [inspection.number]
    assert [r["number"] for r in listed("--status", "open")] == [
        general.number, inspection.number, summary.number]
    assert listed("--status", "closed") == []
    assert [r["number"] for r in listed("--body", a.body.credit_code)] == [
        general.number, inspection.number]
    assert [r["number"] for r in listed("--body", a.other_body.credit_code)] == [
        summary.number]
    assert [r["number"] for r in listed("--procedure", "summary", "--stage", "planned")] == []
    assert [r["number"] for r in listed("--limit", "1")] == [general.number]


def test_plain_text() -> None:
    _a, (general, inspection, summary) = three_cases()
    lines = run("list").splitlines()
    assert lines == [
        f"{general.number}\t{general.public_id}\t芙蓉区市场监督管理局\tgeneral\tregistered\t"
        "open\t销售不合格产品案",
        f"{inspection.number}\t{inspection.public_id}\t芙蓉区市场监督管理局\tinspection\t"
        "planned\topen\t例行检查",
        f"{summary.number}\t{summary.public_id}\t荷塘区市场监督管理局\tsummary\ton_site\t"
        "open\t占道经营",
        "3 cases",
    ]


@pytest.mark.parametrize(("args", "message"), [
    (("--body", "91430000MA4L000000"), "no enforcement body with credit code 91430000MA4L000000"),
    (("--procedure", "nope"), "no procedure with code nope"),
    (("--limit", "-1"), "--limit must be 0 (all) or a positive number"),
])
def test_bad_filters_fail(args: tuple[str, ...], message: str) -> None:
    three_cases()
    with pytest.raises(CommandError) as exc:
        run("list", "--json", *args)
    assert str(exc.value) == message


def test_exit_status(monkeypatch: pytest.MonkeyPatch,
                     capsys: pytest.CaptureFixture[str]) -> None:
    three_cases()
    status, out, err = run_cli(monkeypatch, capsys, "list", "--json", "--body", "nobody")
    assert (status, out) == (1, "")
    assert err == "CommandError: no enforcement body with credit code nobody\n"
    status, out, err = run_cli(monkeypatch, capsys, "list", "--status", "lost")
    assert (status, out) == (2, "")
    assert "invalid choice: 'lost'" in err
    status, out, _err = run_cli(monkeypatch, capsys, "list", "--json")
    assert status == 0
    assert len(json.loads(out)) == 3
