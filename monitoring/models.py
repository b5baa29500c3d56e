"""Monitoring of indicators: sections II, IV and V of the plan.

Reference data (per school year, edited by the regional centre): Indicator, Sector.
The regional centre's campaigns: Campaign. A school's own data: PlanIndicator
(section II of its plan), Report with ReportValue and SurveyCount (section IV),
Recommendation (адресные рекомендации), SelfAnalysis (section V).

No child's personal data lives here: the 4.2 survey stores counts per grade only.
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from plans.fields import ANALYSIS_MAX_LENGTH, NOTE_MAX_LENGTH

from .querysets import (
    CampaignQuerySet,
    IndicatorQuerySet,
    PlanIndicatorQuerySet,
    RecommendationQuerySet,
    ReportQuerySet,
    ReportValueQuerySet,
    SurveyCountQuerySet,
)

# Campaign dates are the regional centre's dates: a report due «по 25 декабря» is
# late from midnight in Moscow, whatever the server's or the browser's zone.
MOSCOW = ZoneInfo("Europe/Moscow")

PERCENT_MAX = Decimal(100)
SURVEY_GRADES = (9, 11)


def moscow_today(now: datetime | None = None) -> date:
    return timezone.localtime(now or timezone.now(), MOSCOW).date()


class Unit(models.TextChoices):
    PERCENT = "percent", "%"
    PEOPLE = "people", "чел."
    EVENTS = "events", "мероприятий"
    HOURS = "hours", "ч"


class Source(models.TextChoices):
    ENTERED = "entered", "вносит школа"
    COMPUTED = "computed", "вычисляется по плану"


class ComputedKind(models.TextChoices):
    NONE = "", "—"
    MIN_GRADE_HOURS = "min_grade_hours", "запланировано часов (наименьшее по классам 6–11)"
    LEVEL_SHARE = "level_share", "доля классов 6–11 на уровне профминимума"
    DIRECTIONS_COVERED = "directions_covered", "доля направлений, по которым есть мероприятия"


class ExecutionCount(models.TextChoices):
    """What an indicator counts in the execution of the plan (the rows marked done or
    partly done): the school is offered the count when it fills a report."""

    NONE = "", "—"
    EVENTS = "events", "мероприятий проведено (строки, отмеченные выполненными)"
    PUPILS = "pupils", "обучающихся приняли участие (сумма по отметкам)"
    HOURS = "hours", "часов проведено (сумма по отметкам)"


# The unit each kind of count is measured in.
EXECUTION_COUNT_UNIT = {
    ExecutionCount.EVENTS: Unit.EVENTS,
    ExecutionCount.PUPILS: Unit.PEOPLE,
    ExecutionCount.HOURS: Unit.HOURS,
}


class Indicator(models.Model):
    """An indicator of the catalogue (section II of the plan, 2.1 / 2.2.x)."""

    year = models.ForeignKey(
        "plans.SchoolYear",
        verbose_name="учебный год",
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    code = models.SlugField("код", max_length=40, help_text="Латиницей, например bvb_diagnostics.")
    name = models.TextField(
        "показатель", help_text="Как в плане: «Доля обучающихся 6–11 классов…»."
    )
    unit = models.CharField("единица измерения", max_length=10, choices=Unit.choices)
    source = models.CharField(
        "откуда значение",
        max_length=10,
        choices=Source.choices,
        default=Source.ENTERED,
        help_text="Школа вносит значение в отчёт или оно вычисляется по плану школы.",
    )
    computed = models.CharField(
        "как вычисляется",
        max_length=20,
        choices=ComputedKind.choices,
        blank=True,
        default=ComputedKind.NONE,
        help_text="Только для показателей, вычисляемых по плану.",
    )
    level = models.ForeignKey(
        "plans.Level",
        verbose_name="уровень профминимума",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Для доли классов на уровне – какой уровень; для остальных – если показатель "
        "относится к уровню.",
    )
    direction = models.ForeignKey(
        "plans.Direction",
        verbose_name="направление",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Если показатель относится к одному из семи направлений профминимума.",
    )
    execution_count = models.CharField(
        "что считается по отметкам об исполнении",
        max_length=10,
        choices=ExecutionCount.choices,
        blank=True,
        default=ExecutionCount.NONE,
        help_text="Для показателей, которые вносит школа: по отметкам об исполнении плана "
        "школе предлагается готовое число. Считаются строки из направления и уровня "
        "показателя, если они указаны, и со словами ниже.",
    )
    execution_keywords = models.CharField(
        "слова в названии мероприятия",
        max_length=300,
        blank=True,
        help_text="Через точку с запятой; строка считается, если в её названии есть одно из "
        "них. Слово совпадает с началом слова названия: «экскурси» – «экскурсия», "
        "«экскурсии»; «проб» – «пробы», но не «апробация». Пусто – все строки.",
    )
    order = models.PositiveSmallIntegerField("порядок", default=0)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = "показатель"
        verbose_name_plural = "показатели (каталог)"
        ordering = ["year", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "code"], name="monitoring_indicator_unique_code"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(source=Source.ENTERED, computed=ComputedKind.NONE)
                    | (models.Q(source=Source.COMPUTED) & ~models.Q(computed=ComputedKind.NONE))
                ),
                name="monitoring_indicator_computed_kind_for_computed_only",
                violation_error_message=(
                    "Способ вычисления указывается только для показателей, вычисляемых по плану, "
                    "и для них обязателен."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(computed=ComputedKind.LEVEL_SHARE)
                | models.Q(level__isnull=False),
                name="monitoring_indicator_level_share_has_level",
                violation_error_message="Для доли классов на уровне укажите уровень.",
            ),
            models.CheckConstraint(
                condition=models.Q(execution_count=ExecutionCount.NONE)
                | models.Q(source=Source.ENTERED),
                name="monitoring_indicator_execution_count_for_entered_only",
                violation_error_message=(
                    "По отметкам об исполнении считаются только показатели, которые вносит школа."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(execution_count=ExecutionCount.NONE)
                | models.Q(execution_count=ExecutionCount.EVENTS, unit=Unit.EVENTS)
                | models.Q(execution_count=ExecutionCount.PUPILS, unit=Unit.PEOPLE)
                | models.Q(execution_count=ExecutionCount.HOURS, unit=Unit.HOURS),
                name="monitoring_indicator_execution_count_unit",
                violation_error_message=(
                    "Единица измерения не подходит к тому, что считается по отметкам: "
                    "мероприятия – «мероприятий», обучающиеся – «чел.», часы – «ч»."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.name[:100]} ({self.get_unit_display()})"

    @property
    def is_percent(self) -> bool:
        return self.unit == Unit.PERCENT

    @property
    def is_computed(self) -> bool:
        return self.source == Source.COMPUTED

    @property
    def keywords(self) -> list[str]:
        """The words of `execution_keywords`, lower-cased, «ё» read as «е»."""
        return [
            word.strip().casefold().replace("ё", "е")
            for word in self.execution_keywords.split(";")
            if word.strip()
        ]

    def clean(self):
        super().clean()
        if self.source == Source.ENTERED and self.computed:
            raise ValidationError(
                {"computed": "Школа вносит этот показатель сама: уберите способ вычисления."}
            )
        if self.source == Source.COMPUTED and not self.computed:
            raise ValidationError({"computed": "Укажите, как показатель вычисляется по плану."})
        if self.computed == ComputedKind.LEVEL_SHARE and not self.level_id:
            raise ValidationError({"level": "Для доли классов на уровне укажите уровень."})
        if self.execution_count and self.source != Source.ENTERED:
            raise ValidationError(
                {
                    "execution_count": "Показатель вычисляется по плану: по отметкам об "
                    "исполнении считаются только показатели, которые вносит школа."
                }
            )
        if self.execution_count and self.unit != EXECUTION_COUNT_UNIT[self.execution_count]:
            unit = Unit(EXECUTION_COUNT_UNIT[self.execution_count]).label
            raise ValidationError({"unit": f"Для этого счёта по отметкам единица – «{unit}»."})
        if self.execution_keywords.strip() and not self.execution_count:
            raise ValidationError(
                {
                    "execution_keywords": "Слова нужны, только если показатель считается по "
                    "отметкам об исполнении: выберите, что считать."
                }
            )
        for field in ("level", "direction"):
            related = getattr(self, field)
            if related is not None and self.year_id and related.year_id != self.year_id:
                raise ValidationError({field: "Выберите значение того же учебного года."})

    def check_value(self, value: Decimal | None, field: str = "value") -> None:
        """The bounds every value of this indicator keeps, in the users' words."""
        if value is None:
            return
        if value < 0:
            raise ValidationError({field: "Значение не может быть отрицательным."})
        if self.is_percent and value > PERCENT_MAX:
            raise ValidationError({field: "Процент – число от 0 до 100."})


class PlanIndicator(models.Model):
    """Section II of a school's plan: an indicator it chose, with baseline and target."""

    plan = models.ForeignKey(
        "plans.Plan", verbose_name="план", on_delete=models.CASCADE, related_name="indicators"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name="показатель", on_delete=models.PROTECT, related_name="+"
    )
    baseline = models.DecimalField(
        "исходное значение",
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Значение на начало учебного года.",
    )
    target = models.DecimalField(
        "целевое значение",
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Значение, которого школа планирует достичь к концу учебного года.",
    )
    order = models.PositiveSmallIntegerField("порядок", default=0)

    objects = PlanIndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = "показатель плана (раздел II)"
        verbose_name_plural = "показатели планов (раздел II)"
        ordering = ["plan", "order", "indicator__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "indicator"],
                name="monitoring_planindicator_unique_indicator",
                violation_error_message="Этот показатель уже есть в плане.",
            ),
            models.CheckConstraint(
                condition=(
                    (models.Q(baseline__isnull=True) | models.Q(baseline__gte=0))
                    & (models.Q(target__isnull=True) | models.Q(target__gte=0))
                ),
                name="monitoring_planindicator_values_non_negative",
                violation_error_message="Значения показателя не могут быть отрицательными.",
            ),
        ]

    def __str__(self):
        return f"{self.plan}: {self.indicator.name[:80]}"

    def clean(self):
        super().clean()
        if self.indicator_id and self.plan_id and self.indicator.year_id != self.plan.year_id:
            raise ValidationError({"indicator": "Показатель другого учебного года."})
        if self.indicator_id:
            self.indicator.check_value(self.baseline, "baseline")
            self.indicator.check_value(self.target, "target")


class Sector(models.Model):
    """A sector of the labour market of KBR, for the survey of 9th and 11th graders (4.2)."""

    name = models.CharField("отрасль", max_length=200, unique=True)
    order = models.PositiveSmallIntegerField("порядок", default=0)

    class Meta:
        verbose_name = "отрасль регионального рынка труда"
        verbose_name_plural = "отрасли регионального рынка труда"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Campaign(models.Model):
    """A regional monitoring campaign: each school fills one report in a window of dates."""

    year = models.ForeignKey(
        "plans.SchoolYear",
        verbose_name="учебный год",
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    name = models.CharField("наименование", max_length=300)
    period = models.CharField(
        "отчётный период", max_length=200, help_text="Например: «I полугодие 2023-2024 уч. г.»."
    )
    opens = models.DateField("приём отчётов открывается")
    closes = models.DateField(
        "срок сдачи отчётов",
        help_text="Последний день, когда отчёт сдаётся вовремя (по московскому времени).",
    )
    indicators = models.ManyToManyField(
        Indicator, verbose_name="показатели", related_name="campaigns", blank=True
    )
    created_at = models.DateTimeField("создана", auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = "кампания мониторинга"
        verbose_name_plural = "кампании мониторинга"
        ordering = ["-closes", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens__lte=models.F("closes")),
                name="monitoring_campaign_opens_before_closes",
                violation_error_message="Приём отчётов должен открываться не позже срока сдачи.",
            ),
        ]

    def __str__(self):
        return self.name

    def has_opened(self, today: date | None = None) -> bool:
        return (today or moscow_today()) >= self.opens

    def is_past_due(self, today: date | None = None) -> bool:
        return (today or moscow_today()) > self.closes


class ReportStatus(models.TextChoices):
    NOT_STARTED = "not_started", "не начат"
    IN_PROGRESS = "in_progress", "заполняется"
    SUBMITTED = "submitted", "сдан"
    # Never stored: a report that is not submitted after the closing day is overdue.
    OVERDUE = "overdue", "просрочен"


class Report(models.Model):
    """A school's report for a campaign (section IV of its plan)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name="кампания", on_delete=models.PROTECT, related_name="reports"
    )
    school = models.ForeignKey(
        "plans.School", verbose_name="школа", on_delete=models.PROTECT, related_name="reports"
    )
    status = models.CharField(
        "статус", max_length=12, choices=ReportStatus.choices, default=ReportStatus.NOT_STARTED
    )
    updated_at = models.DateTimeField("изменён", auto_now=True)
    submitted_at = models.DateTimeField("сдан", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто сдал",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = "отчёт школы"
        verbose_name_plural = "отчёты школ"
        ordering = ["-campaign__closes", "school__short_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "school"],
                name="monitoring_report_one_per_school",
                violation_error_message="У школы уже есть отчёт в этой кампании.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ReportStatus.OVERDUE),
                name="monitoring_report_overdue_is_derived",
                violation_error_message="«Просрочен» не сохраняется: он следует из срока сдачи.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ReportStatus.SUBMITTED)
                | models.Q(submitted_at__isnull=False),
                name="monitoring_report_submitted_is_dated",
            ),
        ]

    def __str__(self):
        return f"{self.school}: {self.campaign}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("monitoring:report", args=[self.pk])

    def current_status(self, today: date | None = None) -> str:
        if self.status != ReportStatus.SUBMITTED and self.campaign.is_past_due(today):
            return ReportStatus.OVERDUE
        return self.status

    @property
    def current_status_display(self) -> str:
        return ReportStatus(self.current_status()).label

    @property
    def is_submitted(self) -> bool:
        return self.status == ReportStatus.SUBMITTED


class ReportValue(models.Model):
    """The actual value of one indicator in a school's report."""

    report = models.ForeignKey(
        Report, verbose_name="отчёт", on_delete=models.CASCADE, related_name="values"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name="показатель", on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField(
        "фактическое значение", max_digits=9, decimal_places=2, null=True, blank=True
    )

    objects = ReportValueQuerySet.as_manager()

    class Meta:
        verbose_name = "значение показателя"
        verbose_name_plural = "значения показателей"
        ordering = ["report", "indicator__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "indicator"], name="monitoring_reportvalue_unique_indicator"
            ),
            models.CheckConstraint(
                condition=models.Q(value__isnull=True) | models.Q(value__gte=0),
                name="monitoring_reportvalue_value_non_negative",
                violation_error_message="Значение не может быть отрицательным.",
            ),
        ]

    def __str__(self):
        return f"{self.indicator.name[:60]}: {self.value}"

    def clean(self):
        super().clean()
        if self.indicator_id:
            self.indicator.check_value(self.value)


class Path(models.TextChoices):
    """Intended paths after the grade, as the survey (4.2) asks them."""

    GRADE_10 = "to_grade_10", "10-й класс"
    COLLEGE = "to_college", "колледж (СПО)"
    UNIVERSITY = "to_university", "вуз"
    WORK = "to_work", "работа"
    UNDECIDED = "undecided", "не определились"


class SurveyCount(models.Model):
    """Section 4.2: how the pupils of a school's 9th or 11th grades see their next step.

    Aggregates only – numbers of pupils, never a name or an answer of one child.
    """

    report = models.ForeignKey(
        Report, verbose_name="отчёт", on_delete=models.CASCADE, related_name="surveys"
    )
    grade = models.PositiveSmallIntegerField(
        "класс", choices=[(grade, f"{grade} класс") for grade in SURVEY_GRADES]
    )
    pupils = models.PositiveIntegerField("обучающихся в параллели")
    to_grade_10 = models.PositiveIntegerField(Path.GRADE_10.label, default=0)
    to_college = models.PositiveIntegerField(Path.COLLEGE.label, default=0)
    to_university = models.PositiveIntegerField(Path.UNIVERSITY.label, default=0)
    to_work = models.PositiveIntegerField(Path.WORK.label, default=0)
    undecided = models.PositiveIntegerField(Path.UNDECIDED.label, default=0)

    objects = SurveyCountQuerySet.as_manager()

    class Meta:
        verbose_name = "опрос 9 и 11 классов (4.2)"
        verbose_name_plural = "опросы 9 и 11 классов (4.2)"
        ordering = ["report", "grade"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "grade"], name="monitoring_surveycount_one_per_grade"
            ),
            models.CheckConstraint(
                condition=models.Q(grade__in=SURVEY_GRADES),
                name="monitoring_surveycount_grade_9_or_11",
                violation_error_message="Опрос проводится в 9 и 11 классах.",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    pupils=models.F("to_grade_10")
                    + models.F("to_college")
                    + models.F("to_university")
                    + models.F("to_work")
                    + models.F("undecided")
                ),
                name="monitoring_surveycount_paths_add_up",
                violation_error_message="Сумма по вариантам не равна числу обучающихся.",
            ),
            models.CheckConstraint(
                condition=~models.Q(grade=11) | models.Q(to_grade_10=0),
                name="monitoring_surveycount_no_grade_10_after_11",
                violation_error_message="После 11 класса нельзя пойти в 10-й класс.",
            ),
        ]

    def __str__(self):
        return f"{self.report}: {self.grade} класс"

    @staticmethod
    def paths_for(grade: int) -> list[Path]:
        return [p for p in Path if not (grade == 11 and p == Path.GRADE_10)]


class SurveySectorCount(models.Model):
    """How many pupils of the grade name a sector of the labour market."""

    survey = models.ForeignKey(
        SurveyCount, verbose_name="опрос", on_delete=models.CASCADE, related_name="sectors"
    )
    sector = models.ForeignKey(
        Sector, verbose_name="отрасль", on_delete=models.PROTECT, related_name="+"
    )
    count = models.PositiveIntegerField("обучающихся")

    class Meta:
        verbose_name = "выбор отрасли"
        verbose_name_plural = "выбор отраслей"
        ordering = ["survey", "sector__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "sector"], name="monitoring_surveysectorcount_unique_sector"
            ),
        ]

    def __str__(self):
        return f"{self.sector}: {self.count}"


class Recommendation(models.Model):
    """An адресная рекомендация of the regional centre to one school."""

    school = models.ForeignKey(
        "plans.School",
        verbose_name="школа",
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    text = models.TextField("рекомендация", max_length=NOTE_MAX_LENGTH)
    indicator = models.ForeignKey(
        Indicator,
        verbose_name="показатель",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name="по итогам кампании",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="автор",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("направлена", auto_now_add=True)
    acknowledged_at = models.DateTimeField("прочитана школой", null=True, blank=True)
    answer = models.TextField("ответ школы: что сделано", blank=True, max_length=NOTE_MAX_LENGTH)
    answered_at = models.DateTimeField("ответ дан", null=True, blank=True)

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        verbose_name = "адресная рекомендация"
        verbose_name_plural = "адресные рекомендации"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(answer="", answered_at__isnull=True)
                    | (~models.Q(answer="") & models.Q(answered_at__isnull=False))
                ),
                name="monitoring_recommendation_answer_is_dated",
            ),
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True)
                | models.Q(acknowledged_at__isnull=False),
                name="monitoring_recommendation_answered_after_acknowledged",
            ),
        ]

    def __str__(self):
        return f"{self.school}: {self.text[:60]}"


class SelfAnalysis(models.Model):
    """Section V of the plan: the school's analysis of the effectiveness of its measures."""

    plan = models.OneToOneField(
        "plans.Plan",
        verbose_name="план",
        on_delete=models.CASCADE,
        related_name="self_analysis",
    )
    results = models.TextField(
        "достигнутые результаты",
        blank=True,
        max_length=ANALYSIS_MAX_LENGTH,
        help_text="Какие показатели достигнуты и насколько.",
    )
    problems = models.TextField(
        "проблемы и их причины",
        blank=True,
        max_length=ANALYSIS_MAX_LENGTH,
        help_text="Что не удалось и почему.",
    )
    effectiveness = models.TextField(
        "эффективность принятых мер",
        blank=True,
        max_length=ANALYSIS_MAX_LENGTH,
        help_text="Какие меры сработали, какие нет.",
    )
    next_steps = models.TextField(
        "задачи на следующий учебный год",
        blank=True,
        max_length=ANALYSIS_MAX_LENGTH,
        help_text="В том числе по адресным рекомендациям регионального центра.",
    )
    indicators = models.ManyToManyField(
        Indicator, verbose_name="показатели, на которые опирается анализ", blank=True
    )
    campaigns = models.ManyToManyField(
        Campaign, verbose_name="кампании мониторинга, по итогам которых", blank=True
    )
    updated_at = models.DateTimeField("изменён", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто изменил",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "самоанализ (раздел V)"
        verbose_name_plural = "самоанализы (раздел V)"

    def __str__(self):
        return f"Самоанализ: {self.plan}"
