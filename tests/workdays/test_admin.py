"""The admin saves through the services and says which years have data."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from tests.workdays.conftest import HookCalls, counts, snapshot
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import AccountRole, User
from zhifa.workdays import admin as workdays_admin
from zhifa.workdays import hooks
from zhifa.workdays.calendar import deadline_for, period_end
from zhifa.workdays.models import CalendarDay, CalendarYear, DayKind, DeadlineRule

D = dt.date


@pytest.fixture
def admin_client(db: None) -> tuple[Client, User]:
    user = User.objects.create_superuser(username="root", password="Zhifa-test-2026",
                                         roles=[AccountRole.SYSTEM_ADMIN])
    client = Client()
    client.force_login(user)
    return client, user


def _inline(rows: list[tuple[str, str, str]], existing: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {
        "days-TOTAL_FORMS": str(len(rows)), "days-INITIAL_FORMS": str(existing),
        "days-MIN_NUM_FORMS": "0", "days-MAX_NUM_FORMS": "1000",
    }
    for i, (date, kind, name) in enumerate(rows):
        data.update({f"days-{i}-date": date, f"days-{i}-kind": kind, f"days-{i}-name": name})
    return data


def test_year_list_shows_coverage_and_warns_about_2027(
    admin_client: tuple[Client, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _user = admin_client
    monkeypatch.setattr(workdays_admin, "_today", lambda: D(2026, 11, 26))
    monkeypatch.setattr(hooks, "_provisional_counters", [lambda: 2, lambda: 1])
    html = client.get("/admin/workdays/calendaryear/").content.decode()
    assert "已录入节假日数据的年份：2004–2026" in html
    assert "2027 年节假日数据尚未录入，涉及 2027 年的期限为临时计算" in html
    assert "已保存的期限中有 3 个为临时计算" in html
    assert "chinesecalendar 1.11.0" in html


def test_year_list_without_warning_once_the_coming_year_is_in(
    admin_client: tuple[Client, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _user = admin_client
    monkeypatch.setattr(workdays_admin, "_today", lambda: D(2025, 11, 26))
    monkeypatch.setattr(hooks, "_provisional_counters", [])
    html = client.get("/admin/workdays/calendaryear/").content.decode()
    assert "尚未录入" not in html
    assert "临时计算" not in html


def test_add_a_year_in_bulk_and_in_rows(admin_client: tuple[Client, User],
                                        calendar_hook: HookCalls) -> None:
    client, user = admin_client
    before = counts()
    response = client.post("/admin/workdays/calendaryear/add/", {
        "year": "2027", "source": "国务院办公厅关于2027年部分节假日安排的通知（测试数据）",
        "published_on": "2026-11-04",
        "days_text": "2027-01-01..2027-01-03 休 元旦\n# 春节\n2027-02-05~2027-02-11 休 春节\n",
        **_inline([("2027-02-14", DayKind.MAKE_UP_WORKDAY, "春节"), ("", "", "")]),
    })
    assert response.status_code == 302, response.content.decode()
    year = CalendarYear.objects.get(year=2027)
    assert (year.entered_by, year.published_on) == (user, D(2026, 11, 4))
    assert CalendarDay.objects.filter(year=year).count() == 11
    assert CalendarDay.objects.get(date=D(2027, 2, 14)).kind == DayKind.MAKE_UP_WORKDAY
    assert counts() == {**before, "years": before["years"] + 1,
                        "days": before["days"] + 11, "ledger": before["ledger"] + 1}
    assert LedgerEntry.objects.order_by("-seq").first().event_code == 3001  # type: ignore[union-attr]
    assert calendar_hook.calls == [({2027}, user)]
    assert period_end(start=D(2026, 12, 24), n=7, unit="working_day").due == D(2027, 1, 5)


def test_edit_a_year_replaces_its_days(admin_client: tuple[Client, User],
                                       calendar_hook: HookCalls) -> None:
    client, user = admin_client
    year = CalendarYear.objects.get(year=2026)
    days = list(CalendarDay.objects.filter(year=year).order_by("date"))
    data = _inline([(d.date.isoformat(), d.kind, d.name) for d in days], existing=len(days))
    for i, d in enumerate(days):
        data[f"days-{i}-id"] = str(d.pk)
        data[f"days-{i}-year"] = str(year.pk)
        if d.date == D(2026, 10, 10):
            data[f"days-{i}-DELETE"] = "on"
    response = client.post(f"/admin/workdays/calendaryear/{year.pk}/change/", {
        "source": "更正", "published_on": "", "days_text": "2026-12-31 休 测试", **data})
    assert response.status_code == 302, response.content.decode()
    assert not CalendarDay.objects.filter(date=D(2026, 10, 10)).exists()
    assert CalendarDay.objects.get(date=D(2026, 12, 31)).name == "测试"
    assert CalendarDay.objects.filter(year=year).count() == len(days)
    assert CalendarYear.objects.get(year=2026).source == "更正"
    assert calendar_hook.calls == [({2026}, user)]


def test_a_refused_year_is_shown_with_the_reason_and_nothing_saved(
    admin_client: tuple[Client, User], calendar_hook: HookCalls
) -> None:
    client, _user = admin_client
    before = snapshot()
    response = client.post("/admin/workdays/calendaryear/add/", {
        "year": "2027", "source": "测试", "published_on": "",
        # Mon 4 Jan 2027 is a weekday: not a make-up workday.
        "days_text": "2027-01-01..2027-01-03 休 元旦\n2027-01-04 班 元旦",
        **_inline([]),
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert ("2027-01-04 是工作日：调休上班日只能是国务院节假日安排通知确定上班的星期六或星期日。"
            in html)
    assert "2027-01-04 班 元旦" in html  # what was typed is kept
    assert snapshot() == before
    assert calendar_hook.calls == []


def test_a_bulk_line_that_cannot_be_read_is_refused(admin_client: tuple[Client, User]) -> None:
    client, _user = admin_client
    before = snapshot()
    response = client.post("/admin/workdays/calendaryear/add/", {
        "year": "2027", "source": "测试", "published_on": "",
        "days_text": "2027-01-01 休 元旦\n元旦放假三天", **_inline([]),
    })
    assert response.status_code == 200
    assert "第 2 行" in response.content.decode()
    assert snapshot() == before


def test_edit_a_rule_through_the_service(admin_client: tuple[Client, User]) -> None:
    client, _user = admin_client
    rule = DeadlineRule.objects.get(code="review_7")
    before = counts()
    response = client.post(f"/admin/workdays/deadlinerule/{rule.pk}/change/", {
        "n": "5", "unit": "working_day", "source": "某省法制审核办法"})
    assert response.status_code == 302
    assert deadline_for(rule="review_7", start=D(2026, 9, 30)).due == D(2026, 10, 13)
    assert counts() == {**before, "ledger": before["ledger"] + 1}
    html = client.get("/admin/workdays/deadlinerule/").content.decode()
    assert "5 个工作日" in html
    assert "90 日" in html


def test_a_refused_rule_edit_changes_nothing(admin_client: tuple[Client, User]) -> None:
    client, _user = admin_client
    rule = DeadlineRule.objects.get(code="review_7")
    before = snapshot()
    response = client.post(f"/admin/workdays/deadlinerule/{rule.pk}/change/", {
        "n": "0", "unit": "working_day", "source": "某省法制审核办法"})
    assert response.status_code == 200
    assert "期限长度须为 1 至 26000 之间的整数。" in response.content.decode()
    assert snapshot() == before


def test_rules_cannot_be_added_or_deleted(admin_client: tuple[Client, User]) -> None:
    client, _user = admin_client
    rule = DeadlineRule.objects.get(code="review_7")
    assert client.get("/admin/workdays/deadlinerule/add/").status_code == 403
    assert client.get(f"/admin/workdays/deadlinerule/{rule.pk}/delete/").status_code == 403
    year = CalendarYear.objects.get(year=2026)
    assert client.get(f"/admin/workdays/calendaryear/{year.pk}/delete/").status_code == 403
