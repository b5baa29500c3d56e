"""Table 1 of the regional template, as data.

Reference data (per region and school year, edited by the region's centre):
SchoolYear, Level, Direction, TemplateItem (the tree of Table 1), ActivityTemplate.
A Region holds its municipalities (and so its schools) and its years' templates;
another region joins by data alone (accounts/access.py keeps them apart).
A school's document: Plan, its PlanGrade levels and its PlanRow rows.
Numbers are never stored: plans/numbering.py derives them from positions.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .fields import (
    ALL_GRADES_MASK,
    CELL_MAX_LENGTH,
    EXPLANATORY_NOTE_MAX_LENGTH,
    GRADE_CHOICES,
    GRADES,
    NOTE_MAX_LENGTH,
    PERIOD_MAX_LENGTH,
    GradesField,
    format_grades,
)
from .querysets import (
    MunicipalityQuerySet,
    PlanQuerySet,
    RegionQuerySet,
    SchoolQuerySet,
    SchoolYearQuerySet,
)


def validate_links(value: str) -> None:
    """Column 6 «Ссылки на документ»: one http(s) address per line."""
    check = URLValidator(schemes=["http", "https"])
    for line in value.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            check(line)
        except ValidationError:
            raise ValidationError(
                "«%(link)s» – не ссылка на документ. Укажите адрес, начинающийся с http:// "
                "или https://, по одному на строке.",
                code="invalid_link",
                params={"link": line[:100]},
            ) from None


def split_links(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class TemplateStatus(models.TextChoices):
    DRAFT = "draft", "черновик"
    PUBLISHED = "published", "опубликован"


def hours_grades_dates_constraints(prefix: str) -> list[models.CheckConstraint]:
    """What a plan row and its execution record share: hours not negative, grades
    6–11, the start not after the end. Named `<prefix>_<rule>`."""
    return [
        models.CheckConstraint(
            condition=models.Q(hours__isnull=True) | models.Q(hours__gte=0),
            name=f"{prefix}_hours_non_negative",
            violation_error_message="Количество часов не может быть отрицательным.",
        ),
        models.CheckConstraint(
            condition=models.Q(grades__lte=ALL_GRADES_MASK),
            name=f"{prefix}_grades_6_to_11",
            violation_error_message="Классы – только с 6 по 11.",
        ),
        models.CheckConstraint(
            condition=(
                models.Q(start_date__isnull=True)
                | models.Q(end_date__isnull=True)
                | models.Q(start_date__lte=models.F("end_date"))
            ),
            name=f"{prefix}_start_before_end",
            violation_error_message="Дата окончания раньше даты начала.",
        ),
    ]


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


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "черновик"
    SUBMITTED = "submitted", "на рассмотрении"
    RETURNED = "returned", "возвращён на доработку"
    APPROVED = "approved", "утверждён"


class Plan(models.Model):
    """A school's plan for one school year: the filled-in Table 1."""

    school = models.ForeignKey(
        School, verbose_name="школа", on_delete=models.PROTECT, related_name="plans"
    )
    year = models.ForeignKey(
        SchoolYear, verbose_name="учебный год", on_delete=models.PROTECT, related_name="plans"
    )
    status = models.CharField(
        "статус", max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    version = models.PositiveIntegerField(
        "версия",
        default=1,
        help_text="Растёт с каждым изменением: две вкладки не перезапишут друг друга молча.",
    )
    created_at = models.DateTimeField("создан", auto_now_add=True)
    updated_at = models.DateTimeField("изменён", auto_now=True)
    submitted_at = models.DateTimeField("сдан", null=True, blank=True)
    approved_at = models.DateTimeField("утверждён", null=True, blank=True)
    check_passed = models.BooleanField(
        "профминимум выполнен",
        default=False,
        help_text="Итог проверки профминимума; пересчитывается при каждом изменении плана.",
    )
    template_revision = models.PositiveIntegerField(
        "редакция примерного плана",
        default=0,
        help_text="Редакция примерного плана, по которой начат план (или изменения которой "
        "школа приняла или оставила без применения).",
    )
    explanatory_note = models.TextField(
        "пояснительная записка",
        blank=True,
        max_length=EXPLANATORY_NOTE_MAX_LENGTH,
        help_text="Печатается перед Таблицей 1. Новый план получает её из вводной части "
        "примерного плана; школа её правит.",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = "план"
        verbose_name_plural = "планы"
        ordering = ["-year__start_date", "school__short_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "year"],
                name="plans_plan_one_per_school_year",
                violation_error_message="У школы уже есть план на этот учебный год.",
            ),
        ]

    def __str__(self):
        return f"{self.school} – {self.year}"

    def get_absolute_url(self):
        return reverse("plans:edit", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        """The school edits a draft or a returned plan; submitted and approved ones are frozen."""
        return self.status in (PlanStatus.DRAFT, PlanStatus.RETURNED)


class PlanGrade(models.Model):
    """The level of the профминимум that a grade runs in this plan (none: not chosen)."""

    plan = models.ForeignKey(
        Plan, verbose_name="план", on_delete=models.CASCADE, related_name="grades"
    )
    grade = models.PositiveSmallIntegerField("класс", choices=GRADE_CHOICES)
    level = models.ForeignKey(
        Level, verbose_name="уровень", on_delete=models.PROTECT, null=True, blank=True
    )
    # Figures of the execution (`plans.execution.delivery_by_grade`), stored so that the
    # region's dashboard adds up a small table in the database instead of reading every
    # plan. Kept by the services (plans/services/execution.py: `plan_delivery_store`) on
    # approval and on every mark; empty: not computed (a plan not approved yet).
    hours_planned = models.DecimalField(
        "запланировано часов в блоке уровня",
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        editable=False,
    )
    hours_delivered = models.DecimalField(
        "проведено часов",
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        editable=False,
    )

    class Meta:
        verbose_name = "уровень класса"
        verbose_name_plural = "уровни профминимума по классам"
        ordering = ["plan", "grade"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "grade"], name="plans_plangrade_unique_grade"),
            models.CheckConstraint(
                condition=models.Q(grade__gte=GRADES[0], grade__lte=GRADES[-1]),
                name="plans_plangrade_grade_6_to_11",
                violation_error_message="Профминимум реализуется в 6–11 классах.",
            ),
        ]

    def __str__(self):
        return f"{self.grade} класс: {self.level.name if self.level else 'не реализуется'}"


class PlanRow(models.Model):
    """A line of the school's plan: a row it wrote, or its filling of a fixed activity.

    A school row sits under `parent` (a template item that accepts rows). Between
    the template children of that parent the rows form runs: `anchor` is the
    template sibling the run follows (none: before the first), `order` the place in
    the run. A fixed activity's row has `fixed_item` and takes its place.
    """

    plan = models.ForeignKey(
        Plan, verbose_name="план", on_delete=models.CASCADE, related_name="rows"
    )
    parent = models.ForeignKey(
        TemplateItem,
        verbose_name="пункт плана",
        on_delete=models.PROTECT,
        related_name="+",
    )
    anchor = models.ForeignKey(
        TemplateItem,
        verbose_name="после пункта",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    order = models.PositiveIntegerField("порядок", default=0)
    fixed_item = models.ForeignKey(
        TemplateItem,
        verbose_name="заданное мероприятие",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    activity = models.TextField(
        "направления деятельности / мероприятия", blank=True, max_length=CELL_MAX_LENGTH
    )
    period = models.CharField(
        "сроки",
        max_length=PERIOD_MAX_LENGTH,
        blank=True,
        help_text="Как в плане: «сентябрь», «в течение года».",
    )
    start_date = models.DateField("начало", null=True, blank=True)
    end_date = models.DateField("окончание", null=True, blank=True)
    responsible = models.TextField(
        "ответственные, исполнители", blank=True, max_length=CELL_MAX_LENGTH
    )
    documents = models.TextField(
        "документы для ознакомления и учёта при планировании",
        blank=True,
        max_length=CELL_MAX_LENGTH,
    )
    links = models.TextField(
        "ссылки на документ",
        blank=True,
        validators=[validate_links],
        max_length=CELL_MAX_LENGTH,
        help_text="Адреса http:// или https://, по одному на строке.",
    )
    results = models.TextField("результаты деятельности", blank=True, max_length=CELL_MAX_LENGTH)
    hours = models.DecimalField(
        "запланировано часов",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="Для мероприятий блока уровня профминимума: часов на каждый из классов.",
    )
    grades = GradesField("классы", default=tuple, blank=True)
    client_token = models.UUIDField(
        "ключ формы",
        null=True,
        blank=True,
        editable=False,
        help_text="Ключ формы добавления: повторная отправка той же формы не создаёт вторую строку.",
    )
    created_at = models.DateTimeField("создана", auto_now_add=True)
    updated_at = models.DateTimeField("изменена", auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "строка плана"
        verbose_name_plural = "строки плана"
        ordering = ["plan", "parent_id", "anchor_id", "order", "pk"]
        constraints = [
            *hours_grades_dates_constraints("plans_planrow"),
            models.UniqueConstraint(
                fields=["plan", "client_token"],
                condition=models.Q(client_token__isnull=False),
                name="plans_planrow_one_per_client_token",
            ),
            models.UniqueConstraint(
                fields=["plan", "fixed_item"],
                condition=models.Q(fixed_item__isnull=False),
                name="plans_planrow_one_per_fixed_item",
            ),
        ]

    def __str__(self):
        return (self.activity or "(пустая строка)")[:80]

    def clean(self):
        super().clean()
        errors = {}
        if self.start_date and self.end_date and self.start_date > self.end_date:
            errors["end_date"] = "Дата окончания раньше даты начала."
        year = self.plan.year if self.plan_id else None
        if year:
            for field in ("start_date", "end_date"):
                day = getattr(self, field)
                if day and not year.contains(day) and field not in errors:
                    errors[field] = (
                        f"Дата вне учебного года {year.title} "
                        f"({year.start_date:%d.%m.%Y}–{year.end_date:%d.%m.%Y})."
                    )
        if errors:
            raise ValidationError(errors)

    @property
    def link_list(self) -> list[str]:
        return split_links(self.links)

    @property
    def grades_display(self) -> str:
        return format_grades(self.grades)


def submission_upload_to(submission, filename):
    return f"submissions/{submission.plan.year.title}/plan-{submission.plan_id}-{submission.number}.pdf"


def approved_upload_to(submission, filename):
    return (
        f"submissions/{submission.plan.year.title}/"
        f"plan-{submission.plan_id}-{submission.number}-approved.pdf"
    )


class PlanSubmission(models.Model):
    """A frozen copy of what a school submitted: the PDF and the table rows, dated."""

    plan = models.ForeignKey(
        Plan, verbose_name="план", on_delete=models.CASCADE, related_name="submissions"
    )
    number = models.PositiveIntegerField("№ сдачи")
    submitted_at = models.DateTimeField("сдан")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто сдал",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    pdf = models.FileField("PDF сданного плана", upload_to=submission_upload_to, blank=True)
    snapshot = models.JSONField(
        "строки сданного плана", default=list, help_text="Строки таблицы на момент сдачи."
    )
    # The document as submitted (Table 1 as printed rows, sections II and V, the
    # header), recorded by the submit itself; the worker draws the frozen PDF from
    # it, so the PDF shows what was submitted even if the plan moves on first.
    document = models.JSONField(
        "документ на момент сдачи", default=dict, blank=True, encoder=DjangoJSONEncoder
    )
    approved_at = models.DateTimeField("утверждён", null=True, blank=True)
    approved_pdf = models.FileField(
        "PDF утверждённого плана", upload_to=approved_upload_to, blank=True
    )
    render_error = models.CharField("ошибка формирования PDF", max_length=300, blank=True)

    class Meta:
        verbose_name = "сданная версия плана"
        verbose_name_plural = "сданные версии планов"
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"], name="plans_plansubmission_unique_number"
            ),
        ]

    def __str__(self):
        return f"{self.plan}: сдача № {self.number} от {self.submitted_at:%d.%m.%Y}"


class PlanEvent(models.Model):
    """One step of a plan's workflow: who moved it from which status to which, and why.
    A step that keeps the status (the school took or left the template's changes) has
    from_status == to_status and says what in its comment."""

    plan = models.ForeignKey(
        Plan, verbose_name="план", on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField("когда")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    from_status = models.CharField("из статуса", max_length=10, choices=PlanStatus.choices)
    to_status = models.CharField("в статус", max_length=10, choices=PlanStatus.choices)
    comment = models.TextField("комментарий", blank=True)

    class Meta:
        verbose_name = "событие плана"
        verbose_name_plural = "история статусов планов"
        ordering = ["plan", "at", "pk"]

    def __str__(self):
        if not self.is_transition:
            return f"{self.plan}: {self.comment[:80]}"
        return f"{self.plan}: {self.get_from_status_display()} → {self.get_to_status_display()}"

    @property
    def is_transition(self) -> bool:
        """False for an entry that records a step without a change of status (changes
        of the template taken or left by the school): its comment says what."""
        return self.from_status != self.to_status


class PlanComment(models.Model):
    """A reviewer's remark on a plan or on one of its rows, and the answers to it.

    A top-level comment is open until someone marks it resolved; answers hang
    under it through `reply_to`. A deleted row keeps its comments, with the
    number the row had when the comment was written.
    """

    plan = models.ForeignKey(
        Plan, verbose_name="план", on_delete=models.CASCADE, related_name="comments"
    )
    row = models.ForeignKey(
        PlanRow,
        verbose_name="строка",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    row_number = models.CharField("№ строки при написании", max_length=30, blank=True)
    reply_to = models.ForeignKey(
        "self",
        verbose_name="ответ на",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="автор",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    text = models.TextField("комментарий", max_length=NOTE_MAX_LENGTH)
    created_at = models.DateTimeField("написан", auto_now_add=True)
    resolved_at = models.DateTimeField("снят", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто снял",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "комментарий к плану"
        verbose_name_plural = "комментарии к планам"
        ordering = ["plan", "created_at", "pk"]

    def __str__(self):
        where = f"строка {self.row_number}" if self.row_number else "план в целом"
        return f"{self.plan}, {where}: {self.text[:60]}"


class DocumentKind(models.TextChoices):
    PLAN_PDF = "plan_pdf", "план (PDF)"
    PLAN_DOCX = "plan_docx", "план (Word)"
    PLAN_XLSX = "plan_xlsx", "план (Excel)"
    ARCHIVE = "archive", "все планы одним архивом (ZIP)"
    CONSOLIDATED = "consolidated", "сводная таблица планов (Excel)"
    TEMPLATE_PDF = "template_pdf", "примерный план (PDF)"
    TEMPLATE_DOCX = "template_docx", "примерный план (Word)"


class DocumentStatus(models.TextChoices):
    QUEUED = "queued", "в очереди"
    RUNNING = "running", "формируется"
    READY = "ready", "готов"
    FAILED = "failed", "ошибка"


def document_upload_to(document, filename):
    return f"documents/{document.kind}/{document.key[:2]}/{document.key}/{filename}"


class Document(models.Model):
    """A file that the worker renders once and serves many times (plans/documents.py).

    `key` names what the file holds: for a plan, its version and the version of the
    rendering code; for an archive or workbook, the versions of every plan in it.
    The same key is never rendered twice; a new version is a new key."""

    key = models.CharField("ключ", max_length=64, unique=True)
    kind = models.CharField("что", max_length=20, choices=DocumentKind.choices)
    status = models.CharField(
        "состояние", max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED
    )
    plan = models.ForeignKey(
        Plan,
        verbose_name="план",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    plan_version = models.PositiveIntegerField("версия плана", null=True, blank=True)
    # For the documents of many plans: which year, whose scope, which plans.
    year = models.ForeignKey(
        SchoolYear, verbose_name="учебный год", on_delete=models.CASCADE, null=True, blank=True
    )
    municipality = models.ForeignKey(
        "plans.Municipality",
        verbose_name="муниципалитет",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    plan_ids = models.JSONField("планы", default=list, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто запросил",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    filename = models.CharField("имя файла", max_length=200)
    file = models.FileField("файл", upload_to=document_upload_to, max_length=300, blank=True)
    size = models.PositiveBigIntegerField("размер, байт", null=True, blank=True)
    done = models.PositiveIntegerField("готово", default=0)
    total = models.PositiveIntegerField("всего", default=1)
    error = models.CharField("ошибка", max_length=300, blank=True)
    created_at = models.DateTimeField("запрошен", auto_now_add=True)
    finished_at = models.DateTimeField("готов", null=True, blank=True)
    used_at = models.DateTimeField("последнее скачивание", null=True, blank=True)

    class Meta:
        verbose_name = "сформированный документ"
        verbose_name_plural = "сформированные документы"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["plan", "kind"], name="plans_document_plan_kind")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.filename} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("plans:document", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (DocumentStatus.READY, DocumentStatus.FAILED)

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.total)) if self.total else 0


# --- Execution: what the school did with an approved plan ------------------------


class ExecutionStatus(models.TextChoices):
    DONE = "done", "выполнено"
    PARTLY = "partly", "выполнено частично"
    NOT_DONE = "not_done", "не выполнено"
    MOVED = "moved", "перенесено"


class RowExecution(models.Model):
    """What became of one row of an approved plan: recorded beside the plan, never in it.

    The plan's text and `Plan.version` stay as approved (the editor's cache and the
    frozen PDFs depend on it); the execution has its own history."""

    row = models.OneToOneField(
        PlanRow, verbose_name="строка плана", on_delete=models.CASCADE, related_name="execution"
    )
    status = models.CharField("исполнение", max_length=10, choices=ExecutionStatus.choices)
    moved_to = models.DateField("перенесено на", null=True, blank=True)
    start_date = models.DateField("проведено с", null=True, blank=True)
    end_date = models.DateField("проведено по", null=True, blank=True)
    grades = GradesField("классы-участники", default=tuple, blank=True)
    pupils = models.PositiveIntegerField("обучающихся приняли участие", null=True, blank=True)
    hours = models.DecimalField(
        "проведено часов",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="Часов на каждый из классов-участников.",
    )
    result = models.TextField("результат", blank=True, max_length=NOTE_MAX_LENGTH)
    links = models.TextField(
        "ссылки",
        blank=True,
        validators=[validate_links],
        max_length=CELL_MAX_LENGTH,
        help_text="Адреса http:// или https://, по одному на строке.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто отметил",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    updated_at = models.DateTimeField("отмечено", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "исполнение строки плана"
        verbose_name_plural = "исполнение строк планов"
        constraints = [
            *hours_grades_dates_constraints("plans_rowexecution"),
            models.CheckConstraint(
                condition=~models.Q(status="moved") | models.Q(moved_to__isnull=False),
                name="plans_rowexecution_moved_has_date",
                violation_error_message="Укажите, на какую дату перенесено мероприятие.",
            ),
        ]

    def __str__(self):
        return f"{self.row}: {self.get_status_display()}"

    @property
    def grades_display(self) -> str:
        return format_grades(self.grades)

    @property
    def link_list(self) -> list[str]:
        return split_links(self.links)


def evidence_upload_to(evidence, filename):
    """A generated name: nothing of what the user called the file reaches the storage."""
    return f"execution/{evidence.execution.row.plan_id}/{evidence.key}.{evidence.extension}"


class Evidence(models.Model):
    """A file that shows a row was carried out: an order, a photo report, a programme."""

    execution = models.ForeignKey(
        RowExecution,
        verbose_name="исполнение",
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    key = models.CharField("ключ", max_length=32, unique=True, editable=False)
    extension = models.CharField("тип файла", max_length=5, editable=False)
    content_type = models.CharField("MIME-тип", max_length=100, editable=False)
    name = models.CharField("имя файла", max_length=200)
    file = models.FileField("файл", upload_to=evidence_upload_to, max_length=200)
    size = models.PositiveIntegerField("размер, байт")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто загрузил",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("загружен", auto_now_add=True)

    class Meta:
        verbose_name = "подтверждающий файл"
        verbose_name_plural = "подтверждающие файлы"
        ordering = ["execution", "uploaded_at", "pk"]

    def __str__(self):
        return self.name
