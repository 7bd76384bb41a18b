"""Seed the holiday table from the ``chinesecalendar`` package (2004–2026) and the default
deadline rules (``workdays.defaults``). Only missing rows are added; reversing removes nothing,
since an administrator may have edited the rows since."""

from django.db import migrations


def seed(apps, schema_editor):
    from zhifa.workdays.defaults import seed_calendar, seed_rules

    revision = apps.get_model("workdays", "CalendarRevision")
    seed_calendar(apps.get_model("workdays", "CalendarYear"),
                  apps.get_model("workdays", "CalendarDay"), revision)
    seed_rules(apps.get_model("workdays", "DeadlineRule"), revision)


class Migration(migrations.Migration):

    dependencies = [
        ("workdays", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
