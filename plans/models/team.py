"""The school's team around its plan: who carries out each row (`RowAssignment`) and
the private calendar links (`CalendarFeed`). The team's people are accounts
(accounts.User with `school_role` «участник команды»); plans/team/ reads and writes
these."""

import secrets

from django.conf import settings
from django.db import models

from plans.models.geography import School
from plans.models.plan import PlanRow


class RowAssignment(models.Model):
    """A team member who carries out a row of Table 1. The row's free text «Ответственные,
    исполнители» stays the document's column; an assignment is who does it on the site
    (their «Мои мероприятия», their calendar, their reminders, their right to mark it)."""

    row = models.ForeignKey(
        PlanRow, verbose_name="строка плана", on_delete=models.CASCADE, related_name="assignments"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="исполнитель",
        on_delete=models.CASCADE,
        related_name="row_assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто назначил",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField("назначено", auto_now_add=True)

    class Meta:
        verbose_name = "исполнитель мероприятия"
        verbose_name_plural = "исполнители мероприятий"
        ordering = ["row", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["row", "person"], name="plans_rowassignment_once"),
        ]

    def __str__(self):
        return f"{self.person}: {self.row}"


def new_feed_token() -> str:
    """43 URL-safe characters (256 bits): not to be guessed or counted through."""
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A private iCalendar link: a person's own activities, or the whole plan of a
    school. Opens without signing in, so the token is the key; replacing it
    (`calendar_feed_replace`) revokes the old link at once (404)."""

    token = models.CharField("ключ", max_length=64, unique=True, default=new_feed_token)
    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="чей календарь",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feed",
    )
    school = models.OneToOneField(
        School,
        verbose_name="календарь школы",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feed",
    )
    created_at = models.DateTimeField("создан", auto_now=True)

    class Meta:
        verbose_name = "ссылка на календарь"
        verbose_name_plural = "ссылки на календари"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=True, school__isnull=False)
                | models.Q(person__isnull=False, school__isnull=True),
                name="plans_calendarfeed_person_or_school",
                violation_error_message="Календарь принадлежит либо человеку, либо школе.",
            ),
        ]

    def __str__(self):
        return f"календарь: {self.person or self.school}"
