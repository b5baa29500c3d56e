"""Where plans come from: a region, its municipalities and their schools.

Another region joins by data alone (accounts/access.py keeps them apart)."""

from django.core.validators import RegexValidator
from django.db import models

from plans.querysets import (
    MunicipalityQuerySet,
    RegionQuerySet,
    SchoolQuerySet,
)


class Region(models.Model):
    """A subject of the Federation whose centre runs its own template for its schools.
    Kabardino-Balkaria is the only one today; another joins by data alone."""

    name = models.CharField(
        "наименование", max_length=200, unique=True, help_text="Кабардино-Балкарская Республика."
    )
    short_name = models.CharField(
        "краткое наименование", max_length=50, help_text="Например: КБР (в названиях файлов)."
    )
    code = models.SlugField(
        "код",
        max_length=20,
        unique=True,
        help_text="Латиницей, для команд управления (--region): kbr.",
    )
    order = models.PositiveSmallIntegerField("порядок", default=0)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = "регион"
        verbose_name_plural = "регионы"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Municipality(models.Model):
    class Kind(models.TextChoices):
        URBAN = "urban", "городской округ"
        DISTRICT = "district", "муниципальный район"

    region = models.ForeignKey(
        Region, verbose_name="регион", on_delete=models.PROTECT, related_name="municipalities"
    )
    name = models.CharField("наименование", max_length=100)
    kind = models.CharField("вид", max_length=10, choices=Kind.choices)
    order = models.PositiveSmallIntegerField("порядок", default=0)

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        verbose_name = "муниципалитет"
        verbose_name_plural = "муниципалитеты"
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="plans_municipality_unique_name",
                violation_error_message="Муниципалитет с таким наименованием в регионе уже есть.",
            ),
        ]

    def __str__(self):
        return self.name


class School(models.Model):
    full_name = models.CharField("полное наименование", max_length=500)
    short_name = models.CharField("краткое наименование", max_length=200)
    municipality = models.ForeignKey(
        Municipality, verbose_name="муниципалитет", on_delete=models.PROTECT, related_name="schools"
    )
    director_position = models.CharField(
        "должность руководителя", max_length=200, default="Директор"
    )
    director_name = models.CharField(
        "ФИО руководителя", max_length=200, blank=True, help_text="Для грифа «УТВЕРЖДАЮ»."
    )
    inn = models.CharField(
        "ИНН",
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^(\d{10}|\d{12})$", "ИНН состоит из 10 или 12 цифр.")],
    )

    objects = SchoolQuerySet.as_manager()

    class Meta:
        verbose_name = "общеобразовательная организация"
        verbose_name_plural = "общеобразовательные организации"
        ordering = ["municipality__order", "short_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["inn"],
                condition=~models.Q(inn=""),
                name="plans_school_unique_inn",
                violation_error_message="Школа с таким ИНН уже есть.",
            ),
        ]

    def __str__(self):
        return self.short_name
