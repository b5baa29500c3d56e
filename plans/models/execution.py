"""Execution of an approved plan: a mark per row and its evidence files
(plans/execution/ reads and writes them; the plan's text never changes)."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from plans.fields import (
    CELL_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    GradesField,
    format_grades,
    split_links,
    validate_links,
)
from plans.models.plan import PlanRow, hours_grades_dates_constraints


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
