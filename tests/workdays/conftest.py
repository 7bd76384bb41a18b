import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests import factories
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import AccountRole, RoleKind, User
from zhifa.workdays import hooks
from zhifa.workdays.models import CalendarDay, CalendarYear, DayKind, DeadlineRule
from zhifa.workdays.services import DayIn

D = dt.date


def counts() -> dict[str, int]:
    """What a refused change must leave as it was."""
    return {
        "years": CalendarYear.objects.count(),
        "days": CalendarDay.objects.count(),
        "rules": DeadlineRule.objects.count(),
        "ledger": LedgerEntry.objects.count(),
    }


def snapshot() -> tuple[Any, ...]:
    """Every row of the calendar and the rules, to compare before and after a refusal."""
    return (
        list(CalendarYear.objects.order_by("year").values_list(
            "year", "source", "published_on", "entered_by_id", "updated_at")),
        list(CalendarDay.objects.order_by("date").values_list("date", "kind", "name", "year_id")),
        list(DeadlineRule.objects.order_by("code").values_list(
            "code", "n", "unit", "source", "updated_at")),
        LedgerEntry.objects.count(),
    )


# An illustrative 2027 arrangement for the tests (the State Council's notice for 2027 is not
# out yet): New Year's Day on Friday 1 January with the weekend, and a Spring Festival week with
# one make-up Sunday. The tests assert what follows from these days, not from the real notice.
DAYS_2027 = [
    DayIn(D(2027, 1, 1), DayKind.HOLIDAY, "元旦"),
    DayIn(D(2027, 1, 2), DayKind.HOLIDAY, "元旦"),
    DayIn(D(2027, 1, 3), DayKind.HOLIDAY, "元旦"),
    *[DayIn(D(2027, 2, d), DayKind.HOLIDAY, "春节") for d in range(5, 12)],
    DayIn(D(2027, 2, 14), DayKind.MAKE_UP_WORKDAY, "春节"),
]
SOURCE_2027 = "国务院办公厅关于2027年部分节假日安排的通知（测试数据）"


@dataclass
class HookCalls:
    calls: list[tuple[set[int], Any]] = field(default_factory=list)

    def __call__(self, years: set[int], actor: Any) -> None:
        self.calls.append((years, actor))


@pytest.fixture
def calendar_hook(monkeypatch: pytest.MonkeyPatch) -> HookCalls:
    """Only this recorder is registered during the test (cases may register its own)."""
    recorder = HookCalls()
    monkeypatch.setattr(hooks, "_calendar_changed", [recorder])
    monkeypatch.setattr(hooks, "_rule_changed", [])
    return recorder


@pytest.fixture
def sysadmin(db: None) -> User:
    return factories.user(None, roles=(AccountRole.SYSTEM_ADMIN,))


@pytest.fixture
def officer(db: None) -> User:
    body = factories.body(factories.regions()["county"])
    return factories.user(factories.person(body, "李明", roles=(RoleKind.OFFICER,)))


@pytest.fixture
def body_admin(db: None) -> User:
    body = factories.body(factories.regions()["county"])
    return factories.user(factories.person(body, "王芳", roles=(RoleKind.HEAD,)),
                          roles=(AccountRole.BODY_ADMIN,))
