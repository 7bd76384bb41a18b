"""The working-day calendar and the deadline rules.

Only exceptions to the ordinary week are stored: statutory holidays (including the weekend days
inside a holiday period) and make-up workdays (调休上班日). Every other Monday to Friday is a
working day and every other Saturday and Sunday a rest day. A year "has data" when its
``CalendarYear`` row exists; deadlines that depend on a year without one are provisional
(``workdays.calendar``).

Rows change only through ``workdays.services``; reads for deadline arithmetic go through the
cached table of ``workdays.calendar``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from zhifa.core.models import BaseModel


class Unit(models.TextChoices):
    """How a period is counted (APL art. 85, ACL art. 69, ALL art. 82)."""

    WORKING_DAY = "working_day", _("Working days")
    CALENDAR_DAY = "calendar_day", _("Calendar days")
    MONTH = "month", _("Months")
    YEAR = "year", _("Years")


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday or rest day")
    MAKE_UP_WORKDAY = "make_up_workday", _("Make-up workday")


class CalendarYear(BaseModel):
    """One year of the State Council's holiday arrangement, as entered."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(
        _("source"), max_length=300,
        help_text=_("The notice the days come from, e.g. the State Council General Office "
                    "notice on the holiday arrangement and its document number."),
    )
    published_on = models.DateField(_("notice dated"), null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    class Meta:
        ordering = ["-year"]
        # The cache of ``workdays.calendar`` reads MAX(updated_at) on every call.
        indexes = [models.Index(fields=["updated_at"], name="workdays_year_updated_idx")]
        verbose_name = _("holiday arrangement of a year")
        verbose_name_plural = _("holiday arrangements")

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(BaseModel):
    """A date that departs from the ordinary week."""

    year = models.ForeignKey(CalendarYear, verbose_name=_("year"), on_delete=models.CASCADE,
                             related_name="days")
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=DayKind.choices)
    name = models.CharField(_("holiday"), max_length=80, blank=True,
                            help_text=_("The holiday the day belongs to, e.g. 国庆节."))

    class Meta:
        ordering = ["date"]
        indexes = [models.Index(fields=["updated_at"], name="workdays_day_updated_idx")]
        verbose_name = _("holiday or make-up day")
        verbose_name_plural = _("holidays and make-up days")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()}"


class DeadlineRule(BaseModel):
    """A statutory or configured period: ``n`` units, with its legal source. Cases refer to it
    by ``code``; the defaults are seeded by a migration (``workdays.defaults``)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    n = models.PositiveIntegerField(_("length"))
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    source = models.CharField(_("legal source"), max_length=300)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["updated_at"], name="workdays_rule_updated_idx")]
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class CalendarRevision(models.Model):
    """One row whose token every calendar or rule change replaces, in the change's
    transaction: the cache of ``workdays.calendar`` compares it (with row counts) to know
    whether what it holds is still current, in one small query."""

    token = models.UUIDField(_("token"))
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("calendar revision")
        verbose_name_plural = _("calendar revisions")

    def __str__(self) -> str:
        return str(self.token)


def period_text(n: int, unit: str) -> str:
    """"90 days", "7 working days": a period as people write it, in the active language."""
    if unit == Unit.WORKING_DAY:
        return ngettext("%(n)d working day", "%(n)d working days", n) % {"n": n}
    if unit == Unit.CALENDAR_DAY:
        return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}
    if unit == Unit.MONTH:
        return ngettext("%(n)d month", "%(n)d months", n) % {"n": n}
    if unit == Unit.YEAR:
        return ngettext("%(n)d year", "%(n)d years", n) % {"n": n}
    return f"{n} {unit}"
