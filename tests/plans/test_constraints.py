from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from plans.models import Plan, PlanGrade, PlanRow, Region, SchoolYear, TemplateItem

pytestmark = pytest.mark.django_db


def rejected_by_database(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_one_plan_per_school_and_year(plan):
    rejected_by_database(lambda: Plan.objects.create(school=plan.school, year=plan.year))


def test_hours_cannot_be_negative(plan):
    row = plan.rows.filter(fixed_item=None).first()
    row.hours = Decimal("-1")
    rejected_by_database(row.save)


def test_grades_outside_6_to_11_are_refused(plan):
    row = plan.rows.filter(fixed_item=None).first()
    rejected_by_database(lambda: PlanRow.objects.filter(pk=row.pk).update(grades=64))
    with pytest.raises(ValidationError) as error:
        row.grades = (11, 12)
        row.full_clean()
    assert "Класс 12 вне диапазона 6–11" in str(error.value)


def test_plan_grade_within_6_to_11(plan):
    rejected_by_database(lambda: PlanGrade.objects.create(plan=plan, grade=12))


def test_start_not_after_end(plan):
    row = plan.rows.filter(fixed_item=None).first()
    row.start_date, row.end_date = date(2024, 5, 1), date(2023, 10, 1)
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert "Дата окончания раньше даты начала." in str(error.value)
    rejected_by_database(row.save)


def test_dates_must_fall_inside_the_school_year(plan):
    row = plan.rows.filter(fixed_item=None).first()
    row.start_date = date(2025, 1, 10)
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert "Дата вне учебного года 2023-2024" in str(error.value)


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "file:///etc/passwd", "ftp://example.org/x", "просто текст"]
)
def test_links_must_be_http_or_https(plan, link):
    row = plan.rows.filter(fixed_item=None).first()
    row.links = f"https://edu.gov.ru/\n{link}"
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert "не ссылка на документ" in str(error.value)


def test_good_links_pass(plan):
    row = plan.rows.filter(fixed_item=None).first()
    row.links = "https://bvbinfo.ru/\nhttp://edu.gov.ru/doc"
    row.full_clean()
    assert row.link_list == ["https://bvbinfo.ru/", "http://edu.gov.ru/doc"]


def test_one_row_per_fixed_activity(plan):
    item = TemplateItem.objects.get(year=plan.year, code="4.1.")
    rejected_by_database(
        lambda: PlanRow.objects.create(plan=plan, parent=item.parent, fixed_item=item)
    )


def test_school_year_starts_before_it_ends(db):
    rejected_by_database(
        lambda: SchoolYear.objects.create(
            region=Region.objects.default(),  # so that only the dates are wrong
            title="2030-2031",
            start_date=date(2031, 9, 1),
            end_date=date(2030, 9, 1),
        )
    )


def test_sections_have_no_parent(year):
    section = TemplateItem.objects.get(year=year, code="I.")
    rejected_by_database(
        lambda: TemplateItem.objects.create(
            year=year, parent=section, order=99, code="VI.", kind="section"
        )
    )


def test_school_inn_is_checked(school):
    school.inn = "12345"
    with pytest.raises(ValidationError) as error:
        school.full_clean()
    assert "ИНН состоит из 10 или 12 цифр." in str(error.value)


def test_grades_round_trip(plan):
    row = plan.rows.filter(fixed_item=None).first()
    row.grades = (11, 6, 8)
    row.save()
    row.refresh_from_db()
    assert row.grades == (6, 8, 11)
    assert row.grades_display == "6, 8, 11 кл."
