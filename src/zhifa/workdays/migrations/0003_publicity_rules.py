"""Add the publicity deadline rules (issue 7: publish within 7 / 20 working days, withdraw
within 3) to an existing database. Only missing rules are added."""

from django.db import migrations


def seed(apps, schema_editor):
    from zhifa.workdays.defaults import seed_rules

    seed_rules(apps.get_model("workdays", "DeadlineRule"),
               apps.get_model("workdays", "CalendarRevision"))


class Migration(migrations.Migration):

    dependencies = [
        ("workdays", "0002_seed"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
