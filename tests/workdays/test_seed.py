"""The migration seeds 2004–2026 from ``chinesecalendar`` and the default deadline rules."""

import datetime as dt

from tests.workdays.conftest import counts
from zhifa.workdays.defaults import ensure_seeded
from zhifa.workdays.models import CalendarDay, CalendarYear, DayKind, DeadlineRule, Unit

D = dt.date


def test_seeded_years_are_2004_to_2026_from_the_package(db: None) -> None:
    assert list(CalendarYear.objects.order_by("year").values_list("year", flat=True)) == list(
        range(2004, 2027))
    assert set(CalendarYear.objects.values_list("source", flat=True)) == {
        "chinesecalendar 1.11.0"}
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_2026_days_follow_the_state_council_notice(db: None) -> None:
    days = CalendarDay.objects.filter(year__year=2026)
    assert days.filter(kind=DayKind.HOLIDAY).count() == 33
    # 国办发明电〔2025〕7号: make-up workdays 4 Jan, 14 and 28 Feb, 9 May, 20 Sep, 10 Oct.
    assert list(days.filter(kind=DayKind.MAKE_UP_WORKDAY).values_list("date", "name")) == [
        (D(2026, 1, 4), "元旦"),
        (D(2026, 2, 14), "春节"),
        (D(2026, 2, 28), "春节"),
        (D(2026, 5, 9), "劳动节"),
        (D(2026, 9, 20), "国庆节"),
        (D(2026, 10, 10), "国庆节"),
    ]
    national_day = days.filter(name="国庆节", kind=DayKind.HOLIDAY)
    assert list(national_day.values_list("date", flat=True)) == [
        D(2026, 10, d) for d in range(1, 8)]
    assert list(days.filter(name="春节", kind=DayKind.HOLIDAY).values_list(
        "date", flat=True)) == [D(2026, 2, d) for d in range(15, 24)]
    assert CalendarDay.objects.get(date=D(2026, 9, 25)).name == "中秋节"


def test_every_seeded_make_up_day_is_a_weekend_and_names_are_chinese(db: None) -> None:
    assert CalendarDay.objects.count() == 771
    for day in CalendarDay.objects.filter(kind=DayKind.MAKE_UP_WORKDAY):
        assert day.date.weekday() >= 5, day
        assert day.year.year == day.date.year
    assert CalendarDay.objects.get(date=D(2015, 9, 3)).name == (
        "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日")
    assert set(CalendarDay.objects.values_list("name", flat=True)) == {
        "元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节",
        "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
    }


EXPECTED_RULES = {
    "apl_decision_90": (90, Unit.CALENDAR_DAY, "行政处罚法第六十条"),
    "apl_service_7": (7, Unit.WORKING_DAY, "行政处罚法第六十一条"),
    "apl_payment_15": (15, Unit.CALENDAR_DAY, "行政处罚法第六十七条"),
    "apl_hearing_request_5": (5, Unit.WORKING_DAY, "行政处罚法第六十四条"),
    "apl_statement_3": (3, Unit.WORKING_DAY,
                        "行政处罚法第四十五条（期限为执法实践做法，可按本地规定调整）"),
    "apl_hearing_notice_7": (7, Unit.WORKING_DAY, "行政处罚法第六十四条"),
    "apl_preservation_7": (7, Unit.WORKING_DAY, "行政处罚法第五十六条"),
    "apl_limitation_2y": (2, Unit.YEAR, "行政处罚法第三十六条"),
    "apl_limitation_5y": (5, Unit.YEAR, "行政处罚法第三十六条"),
    "acl_seizure_30": (30, Unit.CALENDAR_DAY, "行政强制法第二十五条"),
    "acl_seizure_extension_30": (30, Unit.CALENDAR_DAY, "行政强制法第二十五条"),
    "acl_freeze_notice_3": (3, Unit.WORKING_DAY, "行政强制法第三十一条"),
    "acl_reminder_10": (10, Unit.WORKING_DAY, "行政强制法第五十四条"),
    "acl_court_application_3m": (3, Unit.MONTH, "行政强制法第五十三条"),
    "all_acceptance_5": (5, Unit.WORKING_DAY, "行政许可法第三十二条"),
    "all_decision_20": (20, Unit.WORKING_DAY, "行政许可法第四十二条"),
    "all_decision_extension_10": (10, Unit.WORKING_DAY, "行政许可法第四十二条"),
    "all_certificate_10": (10, Unit.WORKING_DAY, "行政许可法第四十四条"),
    "cpl_announcement_30": (30, Unit.CALENDAR_DAY, "民事诉讼法第九十五条"),
    "review_7": (7, Unit.WORKING_DAY, "重大行政执法决定法制审核办法（默认值，可按本地规定调整）"),
    "review_extension_3": (3, Unit.WORKING_DAY,
                           "重大行政执法决定法制审核办法（默认值，可按本地规定调整）"),
    "publicity_decision_7": (7, Unit.WORKING_DAY, "国办发〔2018〕118号"),
    "publicity_other_20": (20, Unit.WORKING_DAY, "国办发〔2018〕118号"),
    "publicity_withdraw_3": (3, Unit.WORKING_DAY, "行政处罚法第四十八条"),
}


def test_every_contract_rule_is_seeded_with_its_unit_and_source(db: None) -> None:
    rules = {r.code: (r.n, r.unit, r.source) for r in DeadlineRule.objects.all()}
    assert rules == EXPECTED_RULES
    assert DeadlineRule.objects.get(code="apl_decision_90").name == "一般程序行政处罚决定期限"


def test_ensure_seeded_restores_only_what_is_missing(db: None) -> None:
    assert ensure_seeded() == (0, 0)
    before = counts()
    CalendarYear.objects.filter(year__in=[2025, 2026]).delete()
    DeadlineRule.objects.filter(code="review_7").delete()
    rule = DeadlineRule.objects.get(code="apl_statement_3")
    rule.n = 5
    rule.save()
    assert ensure_seeded() == (2, 1)
    assert counts() == before
    assert CalendarDay.objects.get(date=D(2026, 10, 10)).kind == DayKind.MAKE_UP_WORKDAY
    # An administrator's edit is kept.
    assert DeadlineRule.objects.get(code="apl_statement_3").n == 5
