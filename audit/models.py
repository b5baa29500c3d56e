from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditKind(models.TextChoices):
    LOGIN = "login", "вход"
    LOGIN_FAILED = "login_failed", "неудачный вход"
    OTP_PASSED = "otp_passed", "второй фактор пройден"
    OTP_FAILED = "otp_failed", "второй фактор не пройден"
    LOGOUT = "logout", "выход"
    PASSWORD_CHANGE = "password_change", "смена пароля"
    PASSWORD_RESET = "password_reset", "установка пароля по ссылке из письма"
    DEVICE_CHANGE = "device_change", "смена устройства"
    PLAN_DOCUMENT = "plan_document", "скачивание документа плана"
    EVIDENCE = "evidence", "скачивание файла-подтверждения"
    REGION_ARCHIVE = "region_archive", "скачивание архива региона"
    CONSOLIDATED = "consolidated", "скачивание сводной таблицы"
    ROLE_CHANGE = "role_change", "изменение роли"
    REGION_CHANGE = "region_change", "изменение региона"
    PLACE_CHANGE = "place_change", "изменение школы или муниципалитета"
    TEAM_CHANGE = "team_change", "изменение команды школы"
    CALENDAR_LINK = "calendar_link", "ссылка на календарь выдана или заменена"


class AuditEvent(models.Model):
    """Who did what, when and from where: sign-ins, downloads of schools' documents,
    changes of what an account may see. Written by audit/services.py only, read in
    the admin; deleted only by `manage.py prune_audit` after
    PROFPLAN_AUDIT_KEEP_DAYS.

    Every link is SET_NULL, so that deleting a person, school or region keeps the
    record of what they did: `username` keeps the login as it was."""

    at = models.DateTimeField("когда", default=timezone.now, db_index=True, editable=False)
    kind = models.CharField("событие", max_length=20, choices=AuditKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(
        "логин",
        max_length=150,
        blank=True,
        help_text="Логин на момент события; при неудачном входе — введённый.",
    )
    address = models.GenericIPAddressField("адрес", null=True, blank=True)
    school = models.ForeignKey(
        "plans.School",
        verbose_name="школа",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    region = models.ForeignKey(
        "plans.Region",
        verbose_name="регион",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    detail = models.CharField("что", max_length=300, blank=True)

    class Meta:
        verbose_name = "событие журнала"
        verbose_name_plural = "журнал событий"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["region", "-at"], name="audit_event_region_at")]

    def __str__(self):
        moment = timezone.localtime(self.at).strftime("%d.%m.%Y %H:%M")
        return f"{moment} {self.username or '—'}: {self.get_kind_display()}"
