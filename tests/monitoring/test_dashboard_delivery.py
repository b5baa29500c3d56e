"""Hours delivered across the region: per municipality and grade, how many schools met
their level's minimum, and the schools behind, linking to their plan's execution."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from monitoring.dashboard import SCHOOL_ROWS_ON_PAGE, Link
from plans.models import Municipality, Plan, PlanStatus
from plans.services import plan_delivery_store, row_execution_record
from tests.factories import add_row, make_plan
from tests.signin import log_in

from .region import make_region

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(plan, deputy):
    """`plan` approved; grade 9 received its 60 hours, grade 8 nothing yet."""
    add_row(plan, "3.4.13.1.", activity="Россия – мои горизонты", hours=60, grades=(8, 9))
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED)
    plan.refresh_from_db()
    row = plan.rows.get(activity="Россия – мои горизонты")
    row_execution_record(row=row, by=deputy, data={"status": "done", "grades": (9,)})
    return plan


@pytest.fixture
def far_plan(far_school, levels):
    """An approved plan in another municipality with nothing marked."""
    plan = make_plan(far_school, levels={9: levels["main"].pk})
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED)
    plan_delivery_store(plan=plan)  # what approval does
    return plan


def test_dashboard_counts_grades_that_met_the_minimum(client, reviewer, campaign, approved):
    log_in(client, reviewer)
    page = client.get(reverse("monitoring:dashboard"))
    assert "Проведённые часы профминимума по классам" in page.content.decode()
    table = page.context["dashboard"].table("delivery")
    by_grade = {row[1]: row for row in table.rows}
    name = approved.school.municipality.name
    # municipality, grade, schools, met, met %, delivered, minimum, planned (means)
    assert by_grade["9 класс"] == [name, "9 класс", 1, 1, 100, 60, 60, 60]
    assert by_grade["8 класс"][:6] == [name, "8 класс", 1, 0, 0, 0]
    assert by_grade["8 класс"][6] == 60


def test_schools_behind_link_to_the_plans_execution(client, reviewer, campaign, approved):
    log_in(client, reviewer)
    response = client.get(reverse("monitoring:dashboard"))
    behind = response.context["dashboard"].table("behind")
    grades = [row[2] for row in behind.rows]
    assert "9 класс" not in grades and "8 класс" in grades
    row = next(row for row in behind.rows if row[2] == "8 класс")
    execution_url = reverse("plans:execution", args=[approved.pk])
    assert row[1] == Link(approved.school.short_name, execution_url)
    assert row[4:] == [60, 0, 60, 60]  # minimum, delivered, planned, missing
    assert f'<a href="{execution_url}">' in response.content.decode()


def test_coordinator_sees_only_the_own_municipality(
    client, coordinator, campaign, approved, far_plan
):
    client.force_login(coordinator)
    dashboard = client.get(reverse("monitoring:dashboard")).context["dashboard"]
    assert {row[0] for row in dashboard.table("delivery").rows} == {coordinator.municipality.name}
    assert {row[1].text for row in dashboard.table("behind").rows} == {approved.school.short_name}


def test_region_totals_per_grade_over_municipalities(
    client, reviewer, campaign, approved, far_plan
):
    log_in(client, reviewer)
    rows = client.get(reverse("monitoring:dashboard")).context["dashboard"].table("delivery").rows
    total = next(row for row in rows if row[0] == "Вся республика" and row[1] == "9 класс")
    assert total[2:5] == [2, 1, 50]


def test_plans_not_approved_are_not_counted(client, reviewer, campaign, approved):
    Plan.objects.filter(pk=approved.pk).update(status=PlanStatus.RETURNED)
    log_in(client, reviewer)
    dashboard = client.get(reverse("monitoring:dashboard")).context["dashboard"]
    assert dashboard.table("delivery").rows == []
    assert dashboard.table("behind").rows == []


def test_region_wide_list_of_schools_behind_is_cut_choosing_a_municipality_shows_all(
    client, reviewer
):
    make_region(26, executed=True)
    log_in(client, reviewer)
    behind = client.get(reverse("monitoring:dashboard")).context["dashboard"].table("behind")
    assert len(behind.rows) == SCHOOL_ROWS_ON_PAGE
    assert "Выберите муниципалитет" in behind.note
    baksan = Municipality.objects.get(name="Баксан")
    chosen = client.get(reverse("monitoring:dashboard"), {"municipality": baksan.pk})
    rows = chosen.context["dashboard"].table("behind").rows
    assert rows and {row[0] for row in rows} == {"Баксан"}
    assert chosen.context["dashboard"].table("behind").note == ""


def test_excel_has_the_hours_and_the_schools_behind(client, reviewer, campaign, approved):
    log_in(client, reviewer)
    response = client.get(reverse("monitoring:dashboard-xlsx"))
    workbook = load_workbook(BytesIO(response.content))
    assert [c.value for c in workbook["delivery"][3]][:4] == [
        "Муниципалитет",
        "Класс",
        "Школ (классов с уровнем)",
        "Достигли минимума уровня",
    ]
    behind = [[c.value for c in row] for row in workbook["behind"].iter_rows(min_row=4)]
    assert [approved.school.short_name, "8 класс"] == behind[2][1:3]  # after 6 and 7


def test_the_execution_list_and_the_dashboard_link_to_each_other(client, reviewer, campaign):
    log_in(client, reviewer)
    dashboard = client.get(reverse("monitoring:dashboard")).content.decode()
    assert reverse("plans:execution-region") in dashboard
    listing = client.get(reverse("plans:execution-region")).content.decode()
    assert f'href="{reverse("monitoring:dashboard")}#delivery"' in listing


def test_a_short_region_wide_list_of_schools_behind_says_nothing_of_a_cut(client, reviewer):
    make_region(2, executed=True)
    log_in(client, reviewer)
    behind = client.get(reverse("monitoring:dashboard")).context["dashboard"].table("behind")
    assert 0 < len(behind.rows) < SCHOOL_ROWS_ON_PAGE
    assert behind.note == ""
