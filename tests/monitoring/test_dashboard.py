"""The regional dashboard: aggregated in the database, the same queries for 30 and 300 schools."""

from io import BytesIO

import pytest
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from monitoring import charts
from monitoring.dashboard import _percent, dashboard_bundle
from monitoring.exports import dashboard_xlsx
from monitoring.models import ReportStatus
from plans.models import Municipality
from tests.signin import log_in

from .region import make_region

pytestmark = pytest.mark.django_db

# 1 session, 2 user (authentication middleware), 3 the device that passed the second
# factor (django-otp's middleware), 4 campaigns, 5 municipalities,
# 6 the campaign's indicators, 7 the school years' deadlines, 8 plans by status and
# municipality, 9 report status by municipality, 10 levels by grade, 11 hours delivered
# by municipality and grade, 12 grades behind their level's minimum, 13 achievement by
# municipality, 14 schools below target, 15 change from the previous campaign, 16 the
# 4.2 survey totals, 17 the survey by sector, 18–20 savepoint, session update,
# release (the session slides with every request: SESSION_SAVE_EVERY_REQUEST).
DASHBOARD_QUERIES = 20


@pytest.mark.parametrize("schools", [30, 300])
def test_dashboard_queries_do_not_grow_with_schools_that_mark_execution(
    client, reviewer, schools, django_assert_num_queries
):
    make_region(schools, executed=True)
    log_in(client, reviewer)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("monitoring:dashboard"))
    dashboard = response.context["dashboard"]
    assert dashboard.table("delivery").rows and dashboard.table("behind").rows


@pytest.mark.parametrize("schools", [30, 300])
def test_dashboard_queries_do_not_grow_with_schools(
    client, reviewer, schools, django_assert_num_queries
):
    make_region(schools)
    log_in(client, reviewer)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("monitoring:dashboard"))
    assert response.status_code == 200
    assert "Сдача отчётов по муниципалитетам" in response.content.decode()


def test_dashboard_counts_statuses_and_levels(reviewer):
    earlier, later = make_region(26)
    bundle = dashboard_bundle(user=reviewer, campaign_id=later.pk)
    status = bundle.table("status")
    total = status.rows[-1]
    assert total[0] == "Итого"
    # Every fifth school is still filling in its report, which closed long ago: overdue.
    assert total[1:6] == [26, 0, 0, 20, 6]
    levels = bundle.table("levels")
    assert levels.headers == ["Класс", "Базовый", "Основной", "Продвинутый", "Всего"]
    assert levels.rows[0] == ["6 класс", 26, 0, 0, 26]
    assert bundle.previous == earlier
    assert bundle.table("change").rows


def test_coordinator_dashboard_is_limited_to_the_municipality(client, coordinator):
    make_region(26)
    client.force_login(coordinator)
    bundle = client.get(reverse("monitoring:dashboard")).context["dashboard"]
    names = [row[0] for row in bundle.table("status").rows]
    assert names == [coordinator.municipality.name]
    assert bundle.table("status").rows[0][1] == 2  # 26 schools over 13 municipalities


def test_staff_can_narrow_to_one_municipality(client, reviewer):
    make_region(26)
    baksan = Municipality.objects.get(name="Баксан")
    log_in(client, reviewer)
    bundle = client.get(reverse("monitoring:dashboard"), {"municipality": baksan.pk}).context[
        "dashboard"
    ]
    assert [row[0] for row in bundle.table("status").rows] == ["Баксан"]
    assert {row[0] for row in bundle.table("schools").rows} == {"Баксан"}


def test_excel_download_reloads_with_the_numbers_of_the_page(client, reviewer):
    make_region(26)
    log_in(client, reviewer)
    page = client.get(reverse("monitoring:dashboard")).context["dashboard"]
    response = client.get(reverse("monitoring:dashboard-xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(BytesIO(response.content))
    assert workbook.sheetnames == [
        "plans",
        "status",
        "levels",
        "delivery",
        "behind",
        "municipal",
        "schools",
        "change",
        "survey",
        "sectors",
    ]
    sheet = workbook["status"]
    assert [cell.value for cell in sheet[3]] == page.table("status").headers
    assert [cell.value for cell in sheet[4]][:6] == page.table("status").rows[0][:6]
    # The download lists every school and indicator, not only the page's excerpt.
    assert workbook["schools"].max_row - 3 == 20 * 8  # 20 of 26 reports are submitted
    one = load_workbook(
        BytesIO(client.get(reverse("monitoring:dashboard-xlsx"), {"table": "levels"}).content)
    )
    assert one.sheetnames == ["levels"]


def test_excel_keeps_formula_like_text_as_text(reviewer):
    make_region(13, prefix='=HYPERLINK("http://evil")')
    bundle = dashboard_bundle(user=reviewer, school_rows_limit=None, all_indicators=True)
    bundle.table("schools").rows[0][1] = "=1+1\x0b"
    workbook = load_workbook(BytesIO(dashboard_xlsx(bundle, ["schools"])))
    cell = workbook["schools"]["B4"]
    assert cell.value == "=1+1"
    assert cell.data_type == "s"
    assert cell.quotePrefix


def test_dashboard_without_campaigns_says_so(client, reviewer):
    log_in(client, reviewer)
    assert (
        "Кампаний мониторинга пока нет"
        in client.get(reverse("monitoring:dashboard")).content.decode()
    )


def test_chart_text_is_escaped():
    svg = str(
        charts.stacked_bars("<Заголовок>", ["<script>alert(1)</script>"], [("a&b", [3])])
        + charts.grouped_bars("t", ["<i>x</i>"], [("<b>", [1])])
    )
    assert "<script>" not in svg and "<i>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg and "a&amp;b" in svg


def test_submitted_only_values_count(reviewer):
    earlier, later = make_region(13)
    bundle = dashboard_bundle(user=reviewer, campaign_id=later.pk, all_indicators=True)
    reported = sum(row[5] for row in bundle.table("municipal").rows)
    submitted = later.reports.filter(status=ReportStatus.SUBMITTED).count()
    assert reported == submitted * 8


def test_plans_by_status_and_lateness(client, reviewer):
    from datetime import date

    make_region(30)
    log_in(client, reviewer)
    page = client.get(reverse("monitoring:dashboard")).content.decode()
    assert "Планы на учебный год по муниципалитетам" in page and "Просрочено" in page
    from monitoring.dashboard import dashboard_bundle

    table = dashboard_bundle(user=reviewer, today=date(2024, 1, 10)).table("plans")
    total = table.rows[-1]
    assert total[0] == "Итого" and total[1] == 30
    assert sum(total[2:6]) == 30  # every plan in exactly one status


@override_settings(DEBUG=True)
def test_survey_by_sector_adds_up(reviewer):
    from django.core.management import call_command
    from django.db.models import Sum

    from monitoring.dashboard import dashboard_bundle
    from monitoring.models import SurveySectorCount

    call_command("load_demo")
    bundle = dashboard_bundle(user=reviewer)
    table = bundle.table("sectors")
    assert table.rows
    expected = SurveySectorCount.objects.filter(
        survey__report__campaign=bundle.campaign, survey__report__status=ReportStatus.SUBMITTED
    ).aggregate(total=Sum("count"))["total"]
    assert sum(row[3] for row in table.rows) == expected


def test_done_percent_counts_only_approved_plans(reviewer):
    """A municipality whose only plan is under review has done 0 %, not 100 %."""
    from datetime import date

    from plans.models import Plan, PlanStatus

    make_region(30)
    table = dashboard_bundle(user=reviewer, today=date(2024, 1, 10)).table("plans")
    done = table.headers.index("Сдано и утверждено, %")
    for row in table.rows:
        name = row[0]
        plans = Plan.objects.all()
        if name != "Итого":
            plans = plans.filter(school__municipality__name=name)
        approved = plans.filter(status=PlanStatus.APPROVED).count()
        assert row[done] == _percent(approved, plans.count()), name
    submitted = Plan.objects.select_related("school").first()
    Plan.objects.filter(pk=submitted.pk).update(status=PlanStatus.SUBMITTED)
    alone = Municipality.objects.create(
        region=reviewer.region, name="Только на рассмотрении", kind="district", order=99
    )
    submitted.school.municipality = alone
    submitted.school.save()
    table = dashboard_bundle(user=reviewer, today=date(2024, 1, 10)).table("plans")
    row = next(row for row in table.rows if row[0] == alone.name)
    assert row[done] == 0
