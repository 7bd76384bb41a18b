"""The default publicity rules (one row, no sector): everything masked that 118号 and the
provincial rules name, warnings published, 3 months for light penalties and 3 years for the
others (credit-restoration rules; 市场监管总局令第45号 art. 13). Agencies change them in the
admin; sectors get their own rows."""

from django.db import migrations

# Specific words that reveal a person's health (a clause naming one is masked where the record
# concerns a natural person): not 病 or 精神 alone, which would blank "销售病死猪肉" or
# "弘扬工匠精神".
HEALTH_TERMS = ["患有", "诊断为", "确诊", "病情", "病史", "病历", "住院治疗", "残疾", "精神疾病",
                "精神障碍", "传染病患者", "艾滋病", "乙肝", "怀孕", "体检结果"]


def seed(apps, schema_editor):
    policy = apps.get_model("disclosure", "DisclosurePolicy")
    if not policy.objects.filter(sector__isnull=True).exists():
        import uuid

        policy.objects.create(
            public_id=uuid.uuid4(), sector=None,
            health_terms=HEALTH_TERMS,
            source="国办发〔2018〕118号；失信行为纠正后的信用信息修复管理办法（试行）")


class Migration(migrations.Migration):

    dependencies = [
        ("disclosure", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
