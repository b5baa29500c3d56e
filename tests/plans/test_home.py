"""Signing in, the home page, passwords, and starting next year's plan from last year's."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from plans import services
from plans.models import Plan, PlanStatus
from tests.factories import add_row

pytestmark = pytest.mark.django_db


def test_login_page_is_russian(client):
    page = client.get(reverse("login")).content.decode()
    assert "Вход в Профплан" in page and "Забыли пароль?" in page


def test_password_reset_by_email(client, deputy):
    deputy.email = "zam@school1.example.org"
    deputy.save()
    response = client.post(
        reverse("password_reset"), {"email": "zam@school1.example.org"}, follow=True
    )
    assert "на него отправлено письмо" in response.content.decode()
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body)[1]
    form = client.get(link, follow=True)
    assert "Новый пароль" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Kabarda-2023!", "new_password2": "Kabarda-2023!"},
        follow=True,
    )
    assert "Пароль установлен" in done.content.decode()
    deputy.refresh_from_db()
    assert deputy.check_password("Kabarda-2023!")


def test_password_change(client, deputy):
    deputy.set_password("old-Password-1")
    deputy.save()
    client.force_login(deputy)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "old-Password-1",
            "new_password1": "Nalchik-2024!",
            "new_password2": "Nalchik-2024!",
        },
        follow=True,
    )
    assert "Пароль изменён" in response.content.decode()


def test_home_lists_the_schools_plans_with_status(client, deputy, plan, other_plan):
    client.force_login(deputy)
    page = client.get(reverse("plans:home")).content.decode()
    assert plan.school.short_name in page and "черновик" in page
    assert other_plan.school.short_name not in page


def test_next_year_starts_as_a_copy_of_last_year(client, deputy, plan, year):
    row = add_row(
        plan,
        "3.4.12.2.",
        activity="Курс «Россия – мои горизонты»",
        hours=Decimal(34),
        grades=(6, 7),
        start_date=date(2023, 9, 7),
        end_date=date(2024, 5, 23),
    )
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED)
    next_year = services.school_year_copy(
        source=year, title="2024-2025", start_date=date(2024, 9, 1), end_date=date(2025, 8, 31)
    )
    # A copied year is a draft until the centre publishes it (issue 14).
    services.template_publish(year=next_year, by=None)
    client.force_login(deputy)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("plans.querysets.timezone.localdate", lambda: date(2024, 9, 2))
        page = client.get(reverse("plans:home")).content.decode()
        assert (
            "План на 2024-2025 учебный год ещё не начат" in page
            and "копия плана прошлого года" in page
        )
        response = client.post(reverse("plans:start"), {"year": next_year.pk, "mode": "copy"})
    copy = Plan.objects.get(school=plan.school, year=next_year)
    assert response["Location"] == copy.get_absolute_url()
    assert copy.status == PlanStatus.DRAFT
    carried = copy.rows.get(activity=row.activity)
    assert (carried.start_date, carried.end_date) == (date(2024, 9, 7), date(2025, 5, 23))
    assert carried.parent.year == next_year and carried.parent.code == "3.4.12.2."
    assert carried.hours == Decimal(34) and carried.grades == (6, 7)
    assert {g.level.code for g in copy.grades.exclude(level=None)} == {"basic", "main", "advanced"}
    assert all(g.level.year == next_year for g in copy.grades.exclude(level=None))
    assert copy.rows.filter(fixed_item__isnull=False).count() == 5
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED  # last year's plan untouched


def test_home_page_shows_the_schools_unanswered_recommendations(
    client, deputy, other_school, reviewer
):
    """monitoring puts them there (a template tag): plans does not import monitoring."""
    from monitoring.services import recommendation_answer, recommendation_send

    recommendation_send(text="Проведите профпробы в 8 классах", by=reviewer, school=deputy.school)
    (answered,) = recommendation_send(text="Уже сделано", by=reviewer, school=deputy.school)
    recommendation_answer(recommendation=answered, answer="Провели", by=deputy)
    recommendation_send(text="Чужой школе", by=reviewer, school=other_school)
    client.force_login(deputy)
    page = client.get(reverse("plans:home")).content.decode()
    assert "Адресные рекомендации регионального центра" in page
    assert "Проведите профпробы в 8 классах" in page
    assert "Уже сделано" not in page and "Чужой школе" not in page
