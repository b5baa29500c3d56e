"""Centre staff belong to a region. Every existing member of the centre (staff, not
superusers) is Kabardino-Balkaria's, the only region so far: nothing on screen changes.
Superusers keep no region and so see every region."""

import django.db.models.deletion
from django.db import migrations, models

KBR = {"code": "kbr", "name": "Кабардино-Балкарская Республика", "short_name": "КБР", "order": 1}


def staff_to_kbr(apps, schema_editor):
    Region = apps.get_model("plans", "Region")
    User = apps.get_model("accounts", "User")
    staff = User.objects.filter(is_staff=True, is_superuser=False, region=None)
    if not staff.exists():
        return
    region, _ = Region.objects.get_or_create(code=KBR["code"], defaults=KBR)
    staff.update(region=region)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("plans", "0013_regions"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="region",
            field=models.ForeignKey(
                blank=True,
                help_text="Для сотрудника регионального центра: школы, планы и примерные планы "
                "какого региона он видит. Пусто – только у суперпользователя: он видит все "
                "регионы.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="centre_staff",
                to="plans.region",
                verbose_name="регион",
            ),
        ),
        migrations.RunPython(staff_to_kbr, migrations.RunPython.noop),
    ]
