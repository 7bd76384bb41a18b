"""Ledger events of the working-day calendar (codes 3000–3999, never reused).

Entries go to the ``"workdays"`` stream with no enforcement body: the calendar and the deadline
rules are shared by every body."""

from django.utils.translation import gettext_lazy as _

from zhifa.ledger.events import register_event

STREAM = "workdays"

CALENDAR_YEAR_PUBLISHED = register_event(
    3001, "workdays.calendar_year_published",
    _("Holiday arrangement of {year} entered: {holiday_count} holidays and "
      "{make_up_count} make-up workdays (source: {source})"),
)
HOLIDAY_SET = register_event(
    3002, "workdays.holiday_set",
    _("{date} entered as a holiday ({name})"),
)
MAKE_UP_WORKDAY_SET = register_event(
    3003, "workdays.make_up_workday_set",
    _("{date} entered as a make-up workday ({name})"),
)
CALENDAR_DAY_REMOVED = register_event(
    3004, "workdays.calendar_day_removed",
    _("{date} removed from the holiday table; it is an ordinary day again"),
)
DEADLINE_RULE_UPDATED = register_event(
    3005, "workdays.deadline_rule_updated",
    _("Deadline rule {code} changed from {old_period} to {period} (source: {source})"),
)
