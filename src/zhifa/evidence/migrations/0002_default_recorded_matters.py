"""The installation's default list of matters recorded on audio/video (音像记录事项清单):
seizure, impoundment and forced demolition in full; on-site inspection, evidence collection,
hearings and service by leaving or announcement as circumstances require (国办发〔2018〕118号).
Agencies add their own lines in the admin."""

from django.db import migrations


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from zhifa.evidence.services.matters import ensure_default_matters

    ensure_default_matters(apps.get_model("evidence", "RecordedMatter"))


class Migration(migrations.Migration):
    dependencies = [("evidence", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
