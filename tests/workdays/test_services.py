"""Changes to the calendar and the rules: only system administrators, always with a ledger
entry; a refusal changes nothing and writes nothing."""

import datetime as dt
import json
from typing import Any

import pytest

from tests.workdays.conftest import DAYS_2027, SOURCE_2027, HookCalls, counts, snapshot
from zhifa.core.errors import InvalidInput, NotFound, PermissionDenied
from zhifa.ledger.events import render_event
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import User
from zhifa.workdays import hooks
from zhifa.workdays.calendar import deadline_for, is_working_day, period_end
from zhifa.workdays.models import CalendarDay, CalendarYear, DayKind, DeadlineRule
from zhifa.workdays.services import (
    DayIn,
    calendar_day_remove,
    calendar_day_set,
    calendar_year_publish,
    deadline_rule_update,
)

D = dt.date
H, M = DayKind.HOLIDAY, DayKind.MAKE_UP_WORKDAY


def last_entry() -> LedgerEntry:
    return LedgerEntry.objects.order_by("-seq").first()  # type: ignore[return-value]


# --- Publishing a year ----------------------------------------------------------------------
def test_publish_enters_a_year_with_a_ledger_entry(sysadmin: User,
                                                   calendar_hook: HookCalls) -> None:
    before = counts()
    entry = calendar_year_publish(actor=sysadmin, year=2027, source=f"  {SOURCE_2027} ",
                                  days=DAYS_2027, published_on=D(2026, 11, 4))
    assert (entry.year, entry.source, entry.published_on, entry.entered_by) == (
        2027, SOURCE_2027, D(2026, 11, 4), sysadmin)
    assert list(CalendarDay.objects.filter(year=entry).values_list("date", "kind", "name")) == [
        (d.date, d.kind, d.name) for d in DAYS_2027]
    assert counts() == {**before, "years": before["years"] + 1,
                        "days": before["days"] + 11, "ledger": before["ledger"] + 1}
    row = last_entry()
    assert (row.event_code, row.stream, row.actor_id, row.body_id) == (
        3001, "workdays", sysadmin.pk, None)
    payload = json.loads(row.payload)
    assert payload["year"] == 2027
    assert payload["replaced"] is False
    assert (payload["holiday_count"], payload["make_up_count"]) == (10, 1)
    assert payload["make_up_workdays"] == [{"date": "2027-02-14", "name": "春节"}]
    assert payload["published_on"] == "2026-11-04"
    assert render_event(3001, payload) == (
        f"录入 2027 年节假日安排：放假 10 天，调休上班 1 天（来源：{SOURCE_2027}）")
    assert calendar_hook.calls == [({2027}, sysadmin)]


def test_publish_again_replaces_the_year(sysadmin: User, calendar_hook: HookCalls) -> None:
    calendar_year_publish(actor=sysadmin, year=2027, source=SOURCE_2027, days=DAYS_2027)
    before = counts()
    calendar_year_publish(actor=sysadmin, year=2027, source="更正通知", days=[
        DayIn(D(2027, 1, 1), H, "元旦"), DayIn(D(2027, 10, 9), M, "国庆节")])
    assert list(CalendarDay.objects.filter(year__year=2027).values_list("date", "kind")) == [
        (D(2027, 1, 1), H), (D(2027, 10, 9), M)]
    assert CalendarYear.objects.get(year=2027).source == "更正通知"
    assert counts() == {**before, "days": before["days"] - 9, "ledger": before["ledger"] + 1}
    assert json.loads(last_entry().payload)["replaced"] is True
    assert calendar_hook.calls == [({2027}, sysadmin), ({2027}, sysadmin)]


def test_the_system_itself_may_publish(db: None, calendar_hook: HookCalls) -> None:
    calendar_year_publish(actor=None, year=2027, source=SOURCE_2027, days=DAYS_2027)
    row = last_entry()
    assert (row.event_code, row.actor_id) == (3001, None)
    assert CalendarYear.objects.get(year=2027).entered_by is None
    assert calendar_hook.calls == [({2027}, None)]


@pytest.mark.parametrize(("year", "source", "days", "code"), [
    (2027, SOURCE_2027, [*DAYS_2027, DayIn(D(2028, 1, 1), H, "元旦")],
     "calendar_day_outside_year"),
    (2027, SOURCE_2027, [*DAYS_2027, DayIn(D(2027, 1, 1), H, "元旦")], "calendar_day_duplicate"),
    (2027, SOURCE_2027, [*DAYS_2027, DayIn(D(2027, 1, 2), M, "元旦")],
     "calendar_day_both_kinds"),
    # Mon 4 Jan 2027 is a weekday: it cannot be a make-up workday.
    (2027, SOURCE_2027, [*DAYS_2027, DayIn(D(2027, 1, 4), M, "元旦")],
     "make_up_day_not_weekend"),
    (2027, SOURCE_2027, [DayIn(D(2027, 2, 14), M, "春节")], "calendar_year_without_holidays"),
    (2027, SOURCE_2027, [], "calendar_year_without_holidays"),
    (2027, SOURCE_2027, [*DAYS_2027, DayIn(D(2027, 5, 1), "rest", "劳动节")],
     "calendar_day_kind_invalid"),
    (2027, SOURCE_2027, [*DAYS_2027, DayIn(D(2027, 5, 1), H, "节" * 81)],
     "calendar_day_name_too_long"),
    (2027, "   ", DAYS_2027, "source_missing"),
    (2027, "通" * 301, DAYS_2027, "source_too_long"),
    (1989, SOURCE_2027, DAYS_2027, "calendar_year_invalid"),
])
def test_invalid_arrangements_are_refused_and_change_nothing(
    sysadmin: User, calendar_hook: HookCalls, year: int, source: str, days: list[DayIn],
    code: str,
) -> None:
    before = snapshot()
    with pytest.raises(InvalidInput) as exc:
        calendar_year_publish(actor=sysadmin, year=year, source=source, days=days)
    assert exc.value.code == code
    assert snapshot() == before
    assert calendar_hook.calls == []


def test_replacing_2026_with_a_bad_day_keeps_the_seeded_2026(sysadmin: User,
                                                            calendar_hook: HookCalls) -> None:
    before = snapshot()
    with pytest.raises(InvalidInput):
        calendar_year_publish(actor=sysadmin, year=2026, source="x", days=[
            DayIn(D(2026, 10, 1), H, "国庆节"), DayIn(D(2026, 10, 9), M, "国庆节")])
    assert snapshot() == before
    assert is_working_day(D(2026, 10, 10)) is True


@pytest.mark.parametrize("who", ["officer", "body_admin", "anonymous"])
def test_only_system_administrators_change_the_calendar(
    db: None, request: pytest.FixtureRequest, calendar_hook: HookCalls, who: str
) -> None:
    from django.contrib.auth.models import AnonymousUser

    actor: Any = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    rule = DeadlineRule.objects.get(code="review_7")
    before = snapshot()
    attempts = [
        lambda: calendar_year_publish(actor=actor, year=2027, source=SOURCE_2027,
                                      days=DAYS_2027),
        lambda: calendar_day_set(actor=actor, date=D(2026, 12, 31), kind=H, name="测试"),
        lambda: calendar_day_remove(actor=actor, date=D(2026, 10, 10)),
        lambda: deadline_rule_update(actor=actor, rule=rule, n=5, unit="working_day",
                                     source="测试"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied) as exc:
            attempt()
        assert exc.value.code == "missing_administer_system"
    assert snapshot() == before
    assert calendar_hook.calls == []


def test_a_failing_hook_rolls_the_change_back(sysadmin: User,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(years: set[int], actor: Any) -> None:
        raise RuntimeError("recompute failed")

    monkeypatch.setattr(hooks, "_calendar_changed", [broken])
    before = snapshot()
    with pytest.raises(RuntimeError):
        calendar_year_publish(actor=sysadmin, year=2027, source=SOURCE_2027, days=DAYS_2027)
    assert snapshot() == before
    assert period_end(start=D(2026, 12, 24), n=7, unit="working_day").provisional is True


# --- Single days ----------------------------------------------------------------------------
def test_set_and_remove_single_days(sysadmin: User, calendar_hook: HookCalls) -> None:
    before = counts()
    calendar_day_set(actor=sysadmin, date=D(2026, 12, 31), kind=H, name="测试假日")
    assert is_working_day(D(2026, 12, 31)) is False
    row = last_entry()
    assert (row.event_code, json.loads(row.payload)) == (3002, {
        "date": "2026-12-31", "year": 2026, "kind": "holiday", "name": "测试假日",
        "previous_kind": ""})
    assert render_event(3002, json.loads(row.payload)) == "2026-12-31 设为法定节假日（测试假日）"

    # Removing the make-up Saturday 10 Oct 2026 makes it an ordinary Saturday: from 30 Sep,
    # 5 working days now end Wed 14 Oct instead of Tue 13 Oct.
    calendar_day_remove(actor=sysadmin, date=D(2026, 10, 10))
    assert period_end(start=D(2026, 9, 30), n=5, unit="working_day").due == D(2026, 10, 14)
    row = last_entry()
    assert (row.event_code, json.loads(row.payload)) == (3004, {
        "date": "2026-10-10", "year": 2026, "kind": "make_up_workday", "name": "国庆节"})

    calendar_day_set(actor=sysadmin, date=D(2026, 10, 10), kind=M, name="国庆节")
    assert period_end(start=D(2026, 9, 30), n=5, unit="working_day").due == D(2026, 10, 13)
    assert last_entry().event_code == 3003
    assert counts() == {**before, "days": before["days"] + 1, "ledger": before["ledger"] + 3}
    assert calendar_hook.calls == [({2026}, sysadmin)] * 3
    assert CalendarYear.objects.get(year=2026).entered_by == sysadmin


def test_setting_a_day_as_it_is_writes_nothing(sysadmin: User,
                                               calendar_hook: HookCalls) -> None:
    before = snapshot()
    calendar_day_set(actor=sysadmin, date=D(2026, 10, 10), kind=M, name="国庆节")
    assert snapshot() == before
    assert calendar_hook.calls == []


@pytest.mark.parametrize(("call", "error", "code"), [
    # 2027 has no data: enter the year first.
    (lambda a: calendar_day_set(actor=a, date=D(2027, 1, 1), kind=H, name="元旦"),
     InvalidInput, "calendar_year_missing"),
    (lambda a: calendar_day_set(actor=a, date=D(2026, 12, 30), kind=M, name="x"),
     InvalidInput, "make_up_day_not_weekend"),
    (lambda a: calendar_day_set(actor=a, date=D(2026, 12, 30), kind="rest", name="x"),
     InvalidInput, "calendar_day_kind_invalid"),
    (lambda a: calendar_day_remove(actor=a, date=D(2026, 12, 30)),
     NotFound, "calendar_day_not_found"),
])
def test_invalid_day_changes_are_refused(sysadmin: User, calendar_hook: HookCalls, call: Any,
                                         error: type[Exception], code: str) -> None:
    before = snapshot()
    with pytest.raises(error) as exc:
        call(sysadmin)
    assert exc.value.code == code  # type: ignore[attr-defined]
    assert snapshot() == before
    assert calendar_hook.calls == []


# --- Deadline rules -------------------------------------------------------------------------
def test_rule_update_changes_deadlines_and_writes_the_ledger(
    sysadmin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed: list[tuple[str, Any]] = []
    monkeypatch.setattr(hooks, "_rule_changed", [lambda code, actor: changed.append(
        (code, actor))])
    rule = DeadlineRule.objects.get(code="review_7")
    assert deadline_for(rule="review_7", start=D(2026, 9, 30)).due == D(2026, 10, 15)
    before = counts()
    deadline_rule_update(actor=sysadmin, rule=rule, n=5, unit="working_day",
                         source="某省重大行政执法决定法制审核办法第十条")
    assert (rule.n, rule.source) == (5, "某省重大行政执法决定法制审核办法第十条")
    result = deadline_for(rule="review_7", start=D(2026, 9, 30))
    assert (result.n, result.due, result.source) == (
        5, D(2026, 10, 13), "某省重大行政执法决定法制审核办法第十条")
    assert counts() == {**before, "ledger": before["ledger"] + 1}
    row = last_entry()
    payload = json.loads(row.payload)
    assert (row.event_code, payload["old_period"], payload["period"]) == (
        3005, "7 个工作日", "5 个工作日")
    assert render_event(3005, payload) == (
        "期限规则 review_7 由 7 个工作日 改为 5 个工作日"
        "（依据：某省重大行政执法决定法制审核办法第十条）")
    assert changed == [("review_7", sysadmin)]


def test_rule_update_to_the_same_values_writes_nothing(sysadmin: User) -> None:
    rule = DeadlineRule.objects.get(code="apl_decision_90")
    before = snapshot()
    deadline_rule_update(actor=sysadmin, rule=rule, n=90, unit="calendar_day",
                         source="行政处罚法第六十条")
    assert snapshot() == before


@pytest.mark.parametrize(("n", "unit", "source", "code"), [
    (0, "working_day", "x", "period_length_invalid"),
    (-1, "working_day", "x", "period_length_invalid"),
    (5, "week", "x", "unit_invalid"),
    (5, "working_day", " ", "source_missing"),
])
def test_invalid_rule_updates_are_refused(sysadmin: User, n: int, unit: str, source: str,
                                          code: str) -> None:
    rule = DeadlineRule.objects.get(code="review_7")
    before = snapshot()
    with pytest.raises(InvalidInput) as exc:
        deadline_rule_update(actor=sysadmin, rule=rule, n=n, unit=unit, source=source)
    assert exc.value.code == code
    assert snapshot() == before
    assert deadline_for(rule="review_7", start=D(2026, 9, 30)).n == 7
