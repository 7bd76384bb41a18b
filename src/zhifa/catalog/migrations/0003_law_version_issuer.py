from django.db import migrations, models


def copy_issuer(apps, schema_editor):  # type: ignore[no-untyped-def]
    LawVersion = apps.get_model("catalog", "LawVersion")
    for version in LawVersion.objects.select_related("law"):
        version.issuer = version.law.issuer
        version.save(update_fields=["issuer"])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_initial")]

    operations = [
        migrations.AddField(
            model_name="lawversion",
            name="issuer",
            field=models.CharField(default="", max_length=128, verbose_name="issuer"),
            preserve_default=False,
        ),
        migrations.RunPython(copy_issuer, migrations.RunPython.noop),
        migrations.RemoveField(model_name="law", name="issuer"),
    ]
