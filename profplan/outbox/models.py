from django.db import models


class OutboxTask(models.Model):
    """A task recorded with the change that asked for it, not yet in the queue."""

    task = models.CharField("задача", max_length=200)
    args = models.JSONField("аргументы", default=list, blank=True)
    run_after = models.DateTimeField("не раньше", null=True, blank=True)
    created_at = models.DateTimeField("записана", auto_now_add=True)
    attempts = models.PositiveIntegerField("попыток передать", default=0)
    last_error = models.CharField("последняя ошибка", max_length=300, blank=True)

    class Meta:
        verbose_name = "задача, ждущая очереди"
        verbose_name_plural = "задачи, ждущие очереди"
        ordering = ["pk"]

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"


class LeaseState(models.TextChoices):
    RUNNING = "running", "выполняется"
    REQUEUED = "requeued", "прервалась, снова в очереди"


class Lease(models.Model):
    """A render a worker is doing: who beats, since when, which start this is.

    `key` names the work («document:12», «submission:5:pdf»); `task` and `args` are
    what is queued again when the heartbeat stops; `recover` is a function of the
    owning app called first with `(*args, give_up=…)`, which puts the work back in
    its queued state or marks it failed for good."""

    key = models.CharField("работа", max_length=100, unique=True)
    task = models.CharField("задача", max_length=200)
    args = models.JSONField("аргументы", default=list, blank=True)
    recover = models.CharField("восстановление", max_length=200)
    state = models.CharField(
        "состояние", max_length=10, choices=LeaseState.choices, default=LeaseState.RUNNING
    )
    attempts = models.PositiveSmallIntegerField("запусков", default=0)
    started_at = models.DateTimeField("начата")
    heartbeat_at = models.DateTimeField("последний признак жизни")
    # Why it waits in the queue again: "" a worker that stopped, "storage" the file
    # store that did not answer (the render is tried again a minute later).
    reason = models.CharField("почему снова в очереди", max_length=20, blank=True)

    class Meta:
        verbose_name = "выполняемая работа"
        verbose_name_plural = "выполняемые работы"
        indexes = [models.Index(fields=["state", "heartbeat_at"], name="outbox_lease_stale")]

    def __str__(self):
        return f"{self.key} ({self.get_state_display()}, запуск {self.attempts})"
