"""Regions: a municipality and a year's template belong to one. The existing data is
Kabardino-Balkaria's: the region is created and everything is given to it, so that
nothing on screen changes. On an empty database nothing is created here: the fixture
fixtures/regions.json brings the region with the other reference data.

Not atomic as a whole: on PostgreSQL, rows updated with a deferred foreign key in the
same transaction would block the ALTER TABLE … SET NOT NULL that follows ("pending
trigger events"); the data step is its own transaction."""

import django.db.models.deletion
from django.db import migrations, models

KBR = {"code": "kbr", "name": "Кабардино-Балкарская Республика", "short_name": "КБР", "order": 1}


def assign_to_kbr(apps, schema_editor):
    Region = apps.get_model("plans", "Region")
    Municipality = apps.get_model("plans", "Municipality")
    SchoolYear = apps.get_model("plans", "SchoolYear")
    HistoricalSchoolYear = apps.get_model("plans", "HistoricalSchoolYear")
    if not (Municipality.objects.exists() or SchoolYear.objects.exists()):
        return
    region, _ = Region.objects.get_or_create(code=KBR["code"], defaults=KBR)
    Municipality.objects.filter(region=None).update(region=region)
    SchoolYear.objects.filter(region=None).update(region=region)
    HistoricalSchoolYear.objects.filter(region=None).update(region=region)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("plans", "0012_activity_level"),
    ]

    operations = [
        migrations.CreateModel(
            name="Region",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="Кабардино-Балкарская Республика.",
                        max_length=200,
                        unique=True,
                        verbose_name="наименование",
                    ),
                ),
                (
                    "short_name",
                    models.CharField(
                        help_text="Например: КБР (в названиях файлов).",
                        max_length=50,
                        verbose_name="краткое наименование",
                    ),
                ),
                (
                    "code",
                    models.SlugField(
                        help_text="Латиницей, для команд управления (--region): kbr.",
                        max_length=20,
                        unique=True,
                        verbose_name="код",
                    ),
                ),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="порядок")),
            ],
            options={
                "verbose_name": "регион",
                "verbose_name_plural": "регионы",
                "ordering": ["order", "name"],
            },
        ),
        migrations.AddField(
            model_name="historicalschoolyear",
            name="region",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="plans.region",
                verbose_name="регион",
            ),
        ),
        migrations.AddField(
            model_name="municipality",
            name="region",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="municipalities",
                to="plans.region",
                verbose_name="регион",
            ),
        ),
        migrations.AddField(
            model_name="schoolyear",
            name="region",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="years",
                to="plans.region",
                verbose_name="регион",
            ),
        ),
        migrations.RunPython(assign_to_kbr, migrations.RunPython.noop, atomic=True),
        migrations.AlterField(
            model_name="municipality",
            name="region",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="municipalities",
                to="plans.region",
                verbose_name="регион",
            ),
        ),
        migrations.AlterField(
            model_name="schoolyear",
            name="region",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="years",
                to="plans.region",
                verbose_name="регион",
            ),
        ),
        migrations.AlterField(
            model_name="historicalschoolyear",
            name="title",
            field=models.CharField(
                help_text="Например: 2023-2024.", max_length=9, verbose_name="учебный год"
            ),
        ),
        migrations.AlterField(
            model_name="municipality",
            name="name",
            field=models.CharField(max_length=100, verbose_name="наименование"),
        ),
        migrations.AlterField(
            model_name="schoolyear",
            name="title",
            field=models.CharField(
                help_text="Например: 2023-2024.", max_length=9, verbose_name="учебный год"
            ),
        ),
        migrations.AddConstraint(
            model_name="municipality",
            constraint=models.UniqueConstraint(
                fields=("region", "name"),
                name="plans_municipality_unique_name",
                violation_error_message="Муниципалитет с таким наименованием в регионе уже есть.",
            ),
        ),
        migrations.AddConstraint(
            model_name="schoolyear",
            constraint=models.UniqueConstraint(
                fields=("region", "title"),
                name="plans_schoolyear_unique_title",
                violation_error_message="Этот учебный год в регионе уже есть.",
            ),
        ),
    ]
