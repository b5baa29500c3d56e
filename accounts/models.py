from django.contrib.auth.models import AbstractUser
from django.db import models


class SchoolRole(models.TextChoices):
    """What a school's person does in Profplan (accounts/access.py reads it)."""

    DEPUTY = "deputy", "заместитель директора"
    MEMBER = "member", "участник команды"


class TeamPosition(models.TextChoices):
    """A team member's position, as the профминимум names the school's people."""

    NAVIGATOR = "navigator", "педагог-навигатор"
    CLASS_TEACHER = "class_teacher", "классный руководитель"
    PSYCHOLOGIST = "psychologist", "педагог-психолог"
    TEACHER = "teacher", "учитель"
    OTHER = "other", "другое"


class User(AbstractUser):
    """A person who signs in: a school's deputy director or a member of its team
    (`school`, `school_role`), a municipal coordinator (`municipality`), a member of a
    region's centre (`region`, staff) or of the ministry (`region`, `is_ministry`).

    What a user may see or change follows from these links and from the staff
    flag: accounts/access.py is the one place that reads them.
    """

    school = models.ForeignKey(
        "plans.School",
        verbose_name="общеобразовательная организация",
        help_text="Для заместителя директора: школа, план которой он заполняет.",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    municipality = models.ForeignKey(
        "plans.Municipality",
        verbose_name="муниципалитет",
        help_text="Для муниципального координатора: школы какого муниципалитета он видит.",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coordinators",
    )
    region = models.ForeignKey(
        "plans.Region",
        verbose_name="регион",
        help_text="Для сотрудника регионального центра: школы, планы и примерные планы "
        "какого региона он видит. Пусто – только у суперпользователя: он видит все регионы.",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="centre_staff",
    )
    position = models.CharField("должность", max_length=200, blank=True)
    school_role = models.CharField(
        "роль в школе",
        max_length=10,
        choices=SchoolRole.choices,
        default=SchoolRole.DEPUTY,
        help_text="Заместитель директора пишет план школы; участник команды отмечает "
        "исполнение своих мероприятий.",
    )
    team_position = models.CharField(
        "должность в команде", max_length=20, choices=TeamPosition.choices, blank=True
    )
    marks_any_row = models.BooleanField(
        "отмечает любые строки",
        default=False,
        help_text="Участник команды отмечает исполнение не только своих мероприятий, "
        "но и любых строк плана школы.",
    )
    wants_digest = models.BooleanField(
        "получает еженедельное напоминание",
        default=True,
        help_text="Письмо по понедельникам: просроченные мероприятия и мероприятия недели.",
    )
    is_ministry = models.BooleanField(
        "министерство",
        default=False,
        help_text="Сотрудник министерства: только чтение планов, исполнения и сводных "
        "документов своего региона.",
    )

    class Meta(AbstractUser.Meta):
        verbose_name = "пользователь"
        verbose_name_plural = "пользователи"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(school__isnull=True) | models.Q(municipality__isnull=True),
                name="accounts_user_school_or_municipality",
                violation_error_message=(
                    "Пользователь привязывается либо к школе, либо к муниципалитету, но не к обоим."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(is_ministry=False)
                | models.Q(
                    region__isnull=False,
                    school__isnull=True,
                    municipality__isnull=True,
                    is_staff=False,
                ),
                name="accounts_user_ministry_has_region_only",
                violation_error_message=(
                    "Сотрудник министерства привязывается к региону, не к школе или "
                    "муниципалитету, и не входит в региональный центр."
                ),
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username
