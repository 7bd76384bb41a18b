"""The seeded data: the holiday table of the ``chinesecalendar`` package (2004–2026) and the
default deadline rules.

The migrations call these functions with historical models; ``ensure_seeded`` calls them with
the real ones (e.g. after a test flushed the tables). Each function only adds what is missing,
so running it again, or in a later migration after a new default was added, changes nothing
that is already there — an administrator's edits are kept.
"""

import uuid
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

from django.utils import timezone

# Years the bundled package covers; later years are entered from the State Council's notice.
SEED_FIRST_YEAR = 2004
SEED_LAST_YEAR = 2026

# The package names holidays in English; the table holds the official Chinese names.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


@dataclass(frozen=True)
class RuleDefault:
    code: str
    name: str
    n: int
    unit: str
    source: str


# Units follow the statutes: APL art. 85 (2, 3, 5, 7 days are working days), ACL art. 69
# (10 days or less are working days), ALL art. 82 (all licensing periods are working days).
DEFAULT_RULES: tuple[RuleDefault, ...] = (
    RuleDefault("apl_decision_90", "一般程序行政处罚决定期限", 90, "calendar_day",
                "行政处罚法第六十条"),
    RuleDefault("apl_service_7", "行政处罚决定书送达期限（当事人不在场）", 7, "working_day",
                "行政处罚法第六十一条"),
    RuleDefault("apl_payment_15", "罚款缴纳期限", 15, "calendar_day", "行政处罚法第六十七条"),
    RuleDefault("apl_hearing_request_5", "听证申请期限", 5, "working_day",
                "行政处罚法第六十四条"),
    RuleDefault("apl_statement_3", "陈述、申辩期限", 3, "working_day",
                "行政处罚法第四十五条（期限为执法实践做法，可按本地规定调整）"),
    RuleDefault("apl_hearing_notice_7", "听证通知期限（听证七日前通知）", 7, "working_day",
                "行政处罚法第六十四条"),
    RuleDefault("apl_preservation_7", "先行登记保存处理决定期限", 7, "working_day",
                "行政处罚法第五十六条"),
    RuleDefault("apl_limitation_2y", "行政处罚追责时效", 2, "year", "行政处罚法第三十六条"),
    RuleDefault("apl_limitation_5y",
                "行政处罚追责时效（涉及公民生命健康安全、金融安全且有危害后果）", 5, "year",
                "行政处罚法第三十六条"),
    RuleDefault("acl_seizure_30", "查封、扣押期限", 30, "calendar_day", "行政强制法第二十五条"),
    RuleDefault("acl_seizure_extension_30", "查封、扣押延长期限", 30, "calendar_day",
                "行政强制法第二十五条"),
    RuleDefault("acl_freeze_notice_3", "冻结决定书交付期限", 3, "working_day",
                "行政强制法第三十一条"),
    RuleDefault("acl_reminder_10", "催告书送达后申请法院强制执行的等待期限", 10, "working_day",
                "行政强制法第五十四条"),
    RuleDefault("acl_court_application_3m", "申请人民法院强制执行期限", 3, "month",
                "行政强制法第五十三条"),
    RuleDefault("all_acceptance_5", "一次告知补正材料期限", 5, "working_day",
                "行政许可法第三十二条"),
    RuleDefault("all_decision_20", "行政许可决定期限", 20, "working_day", "行政许可法第四十二条"),
    RuleDefault("all_decision_extension_10", "行政许可决定延长期限", 10, "working_day",
                "行政许可法第四十二条"),
    RuleDefault("all_certificate_10", "颁发、送达行政许可证件期限", 10, "working_day",
                "行政许可法第四十四条"),
    RuleDefault("cpl_announcement_30", "公告送达期限", 30, "calendar_day",
                "民事诉讼法第九十五条"),
    RuleDefault("review_7", "重大执法决定法制审核期限", 7, "working_day",
                "重大行政执法决定法制审核办法（默认值，可按本地规定调整）"),
    RuleDefault("publicity_decision_7", "行政许可、行政处罚决定信息公开期限", 7, "working_day",
                "国办发〔2018〕118号"),
    RuleDefault("publicity_other_20", "其他行政执法决定信息公开期限", 20, "working_day",
                "国办发〔2018〕118号"),
    RuleDefault("publicity_withdraw_3", "撤回已公开的行政处罚决定信息期限", 3, "working_day",
                "行政处罚法第四十八条"),
    RuleDefault("review_extension_3", "重大执法决定法制审核延长期限", 3, "working_day",
                "重大行政执法决定法制审核办法（默认值，可按本地规定调整）"),
)


def package_source() -> str:
    """``chinesecalendar 1.11.0``: the source recorded on the seeded years."""
    return f"chinesecalendar {version('chinesecalendar')}"


def seed_calendar(year_model: Any, day_model: Any, revision_model: Any) -> int:
    """Add every seed year that is missing, with its days; returns the number of years added."""
    from chinese_calendar.constants import holidays, workdays

    present = set(year_model.objects.values_list("year", flat=True))
    wanted = [y for y in range(SEED_FIRST_YEAR, SEED_LAST_YEAR + 1) if y not in present]
    if not wanted:
        return 0
    source = package_source()
    year_model.objects.bulk_create(
        [year_model(year=y, source=source, public_id=uuid.uuid4()) for y in wanted]
    )
    # Keys read back rather than taken from bulk_create, which not every backend fills in.
    pk_of = dict(year_model.objects.filter(year__in=wanted).values_list("year", "pk"))
    days = []
    for kind, table in (("holiday", holidays), ("make_up_workday", workdays)):
        for day, english in table.items():
            if day.year in pk_of:
                days.append(day_model(
                    year_id=pk_of[day.year], date=day, kind=kind,
                    name=HOLIDAY_NAMES.get(english, english), public_id=uuid.uuid4(),
                ))
    day_model.objects.bulk_create(days, batch_size=500)
    _touch_revision(revision_model)
    return len(wanted)


def seed_rules(rule_model: Any, revision_model: Any) -> int:
    """Add every default rule whose code is missing; returns the number added."""
    present = set(rule_model.objects.values_list("code", flat=True))
    missing = [r for r in DEFAULT_RULES if r.code not in present]
    rule_model.objects.bulk_create([
        rule_model(code=r.code, name=r.name, n=r.n, unit=r.unit, source=r.source,
                   public_id=uuid.uuid4())
        for r in missing
    ])
    if missing:
        _touch_revision(revision_model)
    return len(missing)


def _touch_revision(revision_model: Any) -> None:
    revision_model.objects.update_or_create(
        pk=1, defaults={"token": uuid.uuid4(), "changed_at": timezone.now()}
    )


def ensure_seeded() -> tuple[int, int]:
    """Restore the seed where it is missing (a test database flushed by a transactional
    test, a table emptied by hand). Returns (years added, rules added)."""
    from .models import CalendarDay, CalendarRevision, CalendarYear, DeadlineRule

    return (seed_calendar(CalendarYear, CalendarDay, CalendarRevision),
            seed_rules(DeadlineRule, CalendarRevision))
