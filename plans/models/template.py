"""The regional template (примерный план) of one region for one school year:
its levels, directions, the tree of Table 1 (TemplateItem), the preamble
(TemplateBlock), its published revisions and the catalogue of typical activities."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from plans.fields import (
    CELL_MAX_LENGTH,
    PERIOD_MAX_LENGTH,
    validate_links,
)
from plans.models.geography import Region
from plans.querysets import (
    SchoolYearQuerySet,
)


class TemplateStatus(models.TextChoices):
    DRAFT = "draft", "черновик"
    PUBLISHED = "published", "опубликован"


class SchoolYear(models.Model):
    """The template of one region for one school year: its levels, directions, Table 1,
    preamble and catalogue hang from it."""

    region = models.ForeignKey(
        Region, verbose_name="регион", on_delete=models.PROTECT, related_name="years"
    )
    title = models.CharField("учебный год", max_length=9, help_text="Например: 2023-2024.")
    start_date = models.DateField("начало учебного года")
    end_date = models.DateField("окончание учебного года")
    plan_title = models.TextField(
        "заголовок плана",
        default=(
            "План деятельности по сопровождению профессионального самоопределения "
            "и профессиональной ориентации обучающихся"
        ),
    )
    submission_opens = models.DateField("приём планов открывается", null=True, blank=True)
    submission_closes = models.DateField(
        "срок сдачи планов",
        null=True,
        blank=True,
        help_text="Последний день, когда план можно сдать вовремя (по московскому времени).",
    )
    reference_revision = models.PositiveIntegerField(
        "редакция справочников",
        default=0,
        editable=False,
        help_text="Растёт с каждым изменением примерного плана, уровней, направлений, каталога и "
        "показателей года: по ней обновляются сохранённые страницы планов.",
    )

    template_status = models.CharField(
        "примерный план",
        max_length=10,
        choices=TemplateStatus.choices,
        default=TemplateStatus.DRAFT,
        help_text="Школы начинают планы только по опубликованному примерному плану.",
    )
    template_revision = models.PositiveIntegerField(
        "редакция примерного плана",
        default=0,
        editable=False,
        help_text="Номер последней публикации: каждая публикация после изменений — новая редакция.",
    )

    history = HistoricalRecords(excluded_fields=["reference_revision"])
    objects = SchoolYearQuerySet.as_manager()

    class Meta:
        verbose_name = "учебный год"
        verbose_name_plural = "учебные годы"
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "title"],
                name="plans_schoolyear_unique_title",
                violation_error_message="Этот учебный год в регионе уже есть.",
            ),
            models.CheckConstraint(
                condition=models.Q(start_date__lt=models.F("end_date")),
                name="plans_schoolyear_start_before_end",
                violation_error_message="Начало учебного года должно быть раньше его окончания.",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # `reference_revision` only ever moves on by an UPDATE … + 1 (plans/signals.py).
        # A form that loaded the year before an edit of its template must not write an
        # older number back: the editor pages cached under that number would be
        # served again, stale.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "reference_revision"
            ]
        super().save(*args, **kwargs)

    def contains(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date

    @property
    def is_published(self) -> bool:
        return self.template_status == TemplateStatus.PUBLISHED


class Level(models.Model):
    """A level of the профминимум and its minimum of hours a year."""

    year = models.ForeignKey(
        SchoolYear, verbose_name="учебный год", on_delete=models.CASCADE, related_name="levels"
    )
    code = models.SlugField("код", max_length=20, help_text="basic, main или advanced.")
    name = models.CharField("уровень", max_length=100, help_text="Например: базовый.")
    min_hours = models.PositiveSmallIntegerField(
        "не менее часов в учебный год", help_text="Базовый – 40, основной – 60, продвинутый – 80."
    )
    order = models.PositiveSmallIntegerField("порядок", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "уровень профминимума"
        verbose_name_plural = "уровни профминимума"
        ordering = ["year", "order"]
        constraints = [
            models.UniqueConstraint(fields=["year", "code"], name="plans_level_unique_code"),
        ]

    def __str__(self):
        return f"{self.name} ({self.min_hours} ч)"


class Direction(models.Model):
    """One of the seven key directions of the профминимум."""

    year = models.ForeignKey(
        SchoolYear, verbose_name="учебный год", on_delete=models.CASCADE, related_name="directions"
    )
    code = models.SlugField("код", max_length=30)
    name = models.CharField("направление", max_length=200)
    order = models.PositiveSmallIntegerField("порядок", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "направление профминимума"
        verbose_name_plural = "направления профминимума"
        ordering = ["year", "order"]
        constraints = [
            models.UniqueConstraint(fields=["year", "code"], name="plans_direction_unique_code"),
        ]

    def __str__(self):
        return self.name


class ItemKind(models.TextChoices):
    SECTION = "section", "Раздел (I–V)"
    HEADING = "heading", "Подраздел с заданным названием"
    FIXED = "fixed", "Мероприятие с заданным названием"
    ROW = "row", "Строка для заполнения школой (образец)"


class TemplateItem(models.Model):
    """One numbered line of Table 1 of the regional template.

    `code` is the line's number exactly as the seed prints it: its identity for
    people. A plan prints numbers derived from positions (plans/numbering.py).
    Items of kind ROW are the seed's blank numbered lines: a new plan starts
    with one empty school row in each.
    """

    year = models.ForeignKey(
        SchoolYear,
        verbose_name="учебный год",
        on_delete=models.CASCADE,
        related_name="template_items",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="входит в",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    order = models.PositiveSmallIntegerField("порядок внутри родителя")
    code = models.CharField(
        "номер в примерном плане", max_length=20, help_text="Как в примерном плане: 3.4.12."
    )
    title = models.TextField(
        "наименование",
        blank=True,
        help_text="Может быть пустым (как у 3.2 в примерном плане 2023-2024).",
    )
    kind = models.CharField("вид строки", max_length=10, choices=ItemKind.choices)
    level = models.ForeignKey(
        Level,
        verbose_name="уровень профминимума",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Для блока уровня (3.4.12–3.4.14): блок показывается, только если этот "
        "уровень выбран хотя бы для одного класса; номер блока сохраняется.",
    )
    direction = models.ForeignKey(
        Direction,
        verbose_name="направление",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Для направлений внутри блока уровня: урочная деятельность и т. д.",
    )
    accepts_rows = models.BooleanField(
        "школа добавляет мероприятия",
        default=False,
        help_text="Можно ли добавлять строки под этим пунктом.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "пункт примерного плана"
        verbose_name_plural = "пункты примерного плана (Таблица 1)"
        ordering = ["year", "parent_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["year", "code"], name="plans_templateitem_unique_code"),
            models.CheckConstraint(
                condition=(
                    models.Q(kind=ItemKind.SECTION, parent__isnull=True)
                    | (~models.Q(kind=ItemKind.SECTION) & models.Q(parent__isnull=False))
                ),
                name="plans_templateitem_sections_at_top",
                violation_error_message="Раздел (I–V) не входит в другой пункт; все остальные пункты входят.",
            ),
        ]

    def __str__(self):
        title = self.title or "(без названия)"
        return f"{self.code} {title}"[:120]

    @property
    def keeps_seed_number(self) -> bool:
        """Level blocks keep their seed numbers (3.4.12, 3.4.13, 3.4.14) whichever are shown."""
        return self.level_id is not None

    @property
    def seed_position(self) -> int:
        return int(self.code.rstrip(".").split(".")[-1])


class BlockKind(models.TextChoices):
    TITLE = "title", "Заголовок документа"
    PARAGRAPH = "paragraph", "Абзац"
    DOCUMENT = "document", "Пункт списка документов («– …»)"
    FOOTNOTE = "footnote", "Сноска"
    CYCLE_STEP = "cycle_step", "Шаг управленческого цикла"
    CONTACT = "contact", "Контактная информация"
    TABLE_LABEL = "table_label", "Номер таблицы («Таблица 1»)"
    CAPTION = "caption", "Название таблицы"


class TemplateBlock(models.Model):
    """One paragraph of the preamble of the regional template, before Table 1.

    The seed's preamble, in order: the title, «разработан с учётом» and the list of
    documents, the purpose, the levels with their footnote, the partners, the steps of
    the management cycle, the contact block, «Таблица 1» and its caption. Texts are
    kept exactly as the template words them; `bold` is a part of the text printed
    in bold (the term a footnote defines)."""

    year = models.ForeignKey(
        SchoolYear,
        verbose_name="учебный год",
        on_delete=models.CASCADE,
        related_name="template_blocks",
    )
    order = models.PositiveSmallIntegerField("порядок")
    kind = models.CharField("вид", max_length=12, choices=BlockKind.choices)
    text = models.TextField("текст", max_length=CELL_MAX_LENGTH)
    bold = models.CharField(
        "выделить полужирным",
        max_length=200,
        blank=True,
        help_text="Часть текста, которая печатается полужирным (например, термин сноски).",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "абзац вводной части примерного плана"
        verbose_name_plural = "вводная часть примерного плана"
        ordering = ["year", "order", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:80]}"


class TemplateRevision(models.Model):
    """What the template of a year was when it was published: a school's plan started
    from one revision is shown what a later one added, renamed or removed."""

    year = models.ForeignKey(
        SchoolYear, verbose_name="учебный год", on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField("редакция")
    published_at = models.DateTimeField("опубликована", auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто опубликовал",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # {item pk: [code, title, parent pk]} of every item of Table 1.
    items = models.JSONField("пункты", default=dict)

    class Meta:
        verbose_name = "редакция примерного плана"
        verbose_name_plural = "редакции примерного плана"
        ordering = ["year", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "number"], name="plans_templaterevision_unique_number"
            ),
        ]

    def __str__(self):
        return f"{self.year}: редакция {self.number}"


class ActivityTemplate(models.Model):
    """A typical activity of the catalogue: picking one prefills a plan row."""

    year = models.ForeignKey(
        SchoolYear, verbose_name="учебный год", on_delete=models.CASCADE, related_name="activities"
    )
    title = models.TextField("мероприятие", max_length=CELL_MAX_LENGTH)
    direction = models.ForeignKey(
        Direction,
        verbose_name="направление",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Пусто – мероприятие вне блоков уровней (разделы I–III).",
    )
    level = models.ForeignKey(
        Level,
        verbose_name="уровень профминимума",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        help_text="Пусто – для любого уровня или мероприятие разделов I–III. Школе мероприятия "
        "уровня её блока показываются в каталоге первыми.",
    )
    typical_hours = models.DecimalField(
        "типичное число часов", max_digits=5, decimal_places=1, null=True, blank=True
    )
    period = models.CharField("типичные сроки", max_length=PERIOD_MAX_LENGTH, blank=True)
    responsible = models.TextField(
        "ответственные, исполнители", blank=True, max_length=CELL_MAX_LENGTH
    )
    documents = models.TextField(
        "документы для ознакомления и учёта при планировании",
        blank=True,
        max_length=CELL_MAX_LENGTH,
    )
    links = models.TextField(
        "ссылки на документ", blank=True, validators=[validate_links], max_length=CELL_MAX_LENGTH
    )
    results = models.TextField("результаты деятельности", blank=True, max_length=CELL_MAX_LENGTH)
    order = models.PositiveSmallIntegerField("порядок", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "типовое мероприятие"
        verbose_name_plural = "каталог типовых мероприятий"
        ordering = ["year", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(typical_hours__isnull=True) | models.Q(typical_hours__gte=0),
                name="plans_activitytemplate_hours_non_negative",
                violation_error_message="Количество часов не может быть отрицательным.",
            ),
        ]

    def __str__(self):
        return self.title[:100]

    def clean(self):
        """The direction and the level are the year's own, and a level block of the
        template has a heading of that direction (ПРОФОБУЧЕНИЕ is only in the
        advanced block of 2023-2024)."""
        super().clean()
        errors = {}
        if self.direction_id and self.direction.year_id != self.year_id:
            errors["direction"] = "Направление другого учебного года: выберите из этого года."
        if self.level_id and self.level.year_id != self.year_id:
            errors["level"] = "Уровень другого учебного года: выберите из этого года."
        if (
            not errors
            and self.direction_id
            and self.level_id
            and not TemplateItem.objects.filter(
                year_id=self.year_id, direction_id=self.direction_id, parent__level_id=self.level_id
            ).exists()
        ):
            errors["level"] = (
                f"В блоке уровня «{self.level.name}» примерного плана нет направления "
                f"«{self.direction.name}»: выберите другой уровень или оставьте «любой»."
            )
        if errors:
            raise ValidationError(errors)
