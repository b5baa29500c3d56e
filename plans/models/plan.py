"""A school's document: Plan, its PlanGrade levels and its PlanRow rows, the
submitted versions, the history of transitions and the centre's remarks.
Numbers are never stored: plans/numbering.py derives them from positions."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from plans.fields import (
    ALL_GRADES_MASK,
    CELL_MAX_LENGTH,
    EXPLANATORY_NOTE_MAX_LENGTH,
    GRADE_CHOICES,
    GRADES,
    NOTE_MAX_LENGTH,
    PERIOD_MAX_LENGTH,
    GradesField,
    format_grades,
    split_links,
    validate_links,
)
from plans.models.geography import School
from plans.models.template import Level, SchoolYear, TemplateItem
from plans.querysets import (
    PlanQuerySet,
)


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
    # plan. Kept by the services (plans/execution/services.py: `plan_delivery_store`) on
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
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="исполнители из команды",
        through="plans.RowAssignment",
        through_fields=("row", "person"),
        blank=True,
        related_name="assigned_rows",
    )
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
