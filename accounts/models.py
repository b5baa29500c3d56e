from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who signs in: a school's deputy director, a municipal coordinator
    or a member of a region's centre (`region`).

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
            )
        ]

    def __str__(self):
        return self.get_full_name() or self.username
