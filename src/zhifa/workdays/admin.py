"""The Django admin of the working-day calendar, for system administrators.

Nothing is saved by the admin itself: a year's days (the inline rows plus the lines typed into
"days in bulk") go to ``calendar_year_publish``, a rule's edit to ``deadline_rule_update``; a
refusal is shown on the form with what was typed kept. The year list says which years have
data and warns about the coming years that do not.
"""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhifa.core.errors import ApplicationError

from . import hooks, selectors
from .models import CalendarDay, CalendarYear, DayKind, DeadlineRule, period_text
from .notice import parse_days
from .services import DayIn, calendar_year_publish, deadline_rule_update

_REFUSAL = "_zhifa_workdays_refusal"


def _today() -> dt.date:
    return timezone.localdate()


class ServiceFormAdmin(admin.ModelAdmin):
    """Saves through a service; a refusal (its transaction rolled back) re-renders the form
    with the refusal as the form's error."""

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False,
                 **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        refusal: ApplicationError | None = getattr(request, _REFUSAL, None)
        if refusal is None:
            return form
        message, code = refusal.message, refusal.code

        class Refused(form):  # type: ignore[valid-type,misc]
            def clean(self) -> Any:
                super().clean()
                raise ValidationError(message, code=code)

        return Refused

    def changeform_view(self, request: HttpRequest, object_id: str | None = None,
                        form_url: str = "", extra_context: Any = None) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as refusal:
            if request.method != "POST":
                raise
            setattr(request, _REFUSAL, refusal)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- Holiday arrangements -------------------------------------------------------------------
class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    fields = ["date", "kind", "name"]

    def get_extra(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        return 3 if obj is None else 1


class CalendarYearForm(forms.ModelForm):
    days_text = forms.CharField(
        label=_("days in bulk"), required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 60}),
        help_text=_("One line per holiday period or make-up workday, as in the State "
                    "Council's notice: \"2027-10-01..2027-10-07 休 国庆节\", "
                    "\"2027-09-26 班 国庆节\". Added to the rows below."),
    )

    class Meta:
        model = CalendarYear
        fields = ["year", "source", "published_on"]

    def clean_days_text(self) -> list[DayIn]:
        try:
            return parse_days(self.cleaned_data.get("days_text") or "")
        except ApplicationError as exc:
            raise ValidationError(exc.message, code=exc.code) from None


@admin.register(CalendarYear)
class CalendarYearAdmin(ServiceFormAdmin):
    form = CalendarYearForm
    change_list_template = "admin/workdays/calendaryear/change_list.html"
    list_display = ["year", "source", "published_on", "holiday_count", "make_up_count",
                    "entered_by", "updated_at"]
    search_fields = ["=year", "source"]
    inlines = [CalendarDayInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CalendarYear]:
        return super().get_queryset(request).select_related("entered_by").annotate(
            holiday_count=Count("days", filter=Q(days__kind=DayKind.HOLIDAY)),
            make_up_count=Count("days", filter=Q(days__kind=DayKind.MAKE_UP_WORKDAY)),
        )

    @admin.display(description=_("holidays"), ordering="holiday_count")
    def holiday_count(self, obj: Any) -> int:
        return int(obj.holiday_count)

    @admin.display(description=_("make-up workdays"), ordering="make_up_count")
    def make_up_count(self, obj: Any) -> int:
        return int(obj.make_up_count)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["year", "source", "published_on", "days_text"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["year"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Nothing: ``save_related`` publishes the year once the inline rows are read."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any,
                     change: bool) -> None:
        rows = [
            DayIn(date=data["date"], kind=data["kind"], name=data.get("name") or "")
            for formset in formsets
            for data in formset.cleaned_data
            if data and not data.get("DELETE")
        ]
        rows += form.cleaned_data["days_text"]
        instance = form.instance
        entry = calendar_year_publish(
            actor=request.user, year=instance.year, source=form.cleaned_data["source"],
            published_on=form.cleaned_data["published_on"], days=rows,
        )
        # The admin goes on with the form's instance (message, log entry, redirect).
        for f in entry._meta.concrete_fields:
            setattr(instance, f.attname, getattr(entry, f.attname))
        instance._state.adding = False

    def construct_change_message(self, request: HttpRequest, form: Any, formsets: Any,
                                 add: bool = False) -> Any:
        # The inline rows went to the service, not through the formsets.
        return [{"added": {}}] if add else [{"changed": {"fields": ["days"]}}]

    def changelist_view(self, request: HttpRequest,
                        extra_context: dict[str, Any] | None = None) -> HttpResponse:
        coverage = selectors.calendar_coverage(today=_today())
        ranges = selectors.year_ranges([y.year for y in coverage.years])
        context = {
            "coverage": coverage,
            "year_ranges": "、".join(
                str(a) if a == b else f"{a}–{b}" for a, b in ranges),
            "provisional_count": hooks.provisional_count(),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)


# --- Deadline rules -------------------------------------------------------------------------
class DeadlineRuleForm(forms.ModelForm):
    class Meta:
        model = DeadlineRule
        fields = ["n", "unit", "source"]


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(ServiceFormAdmin):
    form = DeadlineRuleForm
    list_display = ["code", "name", "period", "source", "updated_at"]
    list_filter = ["unit"]
    search_fields = ["code", "name", "source"]
    fields = ["code", "name", "n", "unit", "source"]
    readonly_fields = ["code", "name"]

    @admin.display(description=_("period"))
    def period(self, obj: DeadlineRule) -> str:
        return period_text(obj.n, obj.unit)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Cases refer to the seeded codes; a new code would be used by nothing.
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = deadline_rule_update(
            actor=request.user, rule=DeadlineRule.objects.get(pk=obj.pk), n=data["n"],
            unit=data["unit"], source=data["source"],
        )
        for f in saved._meta.concrete_fields:
            setattr(obj, f.attname, getattr(saved, f.attname))
