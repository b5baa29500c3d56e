"""Documents rendered off the request path (plans/documents/queue.py keeps them)."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from plans.models.plan import Plan
from plans.models.template import SchoolYear


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
    """A file that the worker renders once and serves many times (plans/documents/queue.py).

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
