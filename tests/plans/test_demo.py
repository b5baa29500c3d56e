from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils.html import escape

from accounts.models import User
from plans.demo import DemoCalendar, school_year_start
from plans.models import Plan, PlanRow, PlanStatus, School
from plans.numbering import number_lines
from tests.signin import log_in

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        sorted(School.objects.values_list("inn", "short_name")),
        sorted(Plan.objects.values_list("school__inn", "status", "version")),
        sorted(PlanRow.objects.values_list("plan__school__inn", "activity", "hours", "period")),
        sorted(User.objects.values_list("username", "school__inn", "is_staff")),
    )


@override_settings(DEBUG=True)
def test_demo_command_is_idempotent():
    call_command("load_demo")
    first = snapshot()
    call_command("load_demo")
    assert snapshot() == first


@override_settings(DEBUG=True)
def test_demo_data_has_a_realistic_plan_a_submitted_one_and_an_empty_one(client):
    call_command("load_demo")
    demo = Plan.objects.for_editor().get(
        school__short_name="МКОУ СОШ № 1", year__title=DemoCalendar.now().title
    )
    levels = {grade.grade: grade.level.code for grade in demo.grades.all()}
    assert set(levels.values()) == {"basic", "main"}
    lines = number_lines(
        demo.year.template_items.all(), demo.rows.all(), {g.level_id for g in demo.grades.all()}
    )
    activities = [line.row.activity for line in lines if line.kind == "row"]
    assert any("Россия – мои горизонты" in text for text in activities)
    assert all(activities), "the demo plan has no blank rows left"
    assert Plan.objects.filter(status=PlanStatus.SUBMITTED).count() == 1
    empty = Plan.objects.get(school__short_name="МКОУ СОШ с. Хасанья")
    assert not empty.rows.exclude(activity="").exists()

    deputy = User.objects.get(username="deputy")
    assert deputy.check_password("profplan-demo") and deputy.school == demo.school
    assert User.objects.get(username="reviewer").is_staff


@override_settings(DEBUG=False)
def test_demo_command_refuses_to_run_in_production():
    with pytest.raises(CommandError, match="не создаются в рабочей системе"):
        call_command("load_demo")
    assert not User.objects.filter(username="deputy").exists()


@override_settings(DEBUG=True)
def test_reviewer_sees_the_demo_plan_in_the_admin(client):
    call_command("load_demo")
    log_in(client, User.objects.get(username="reviewer"))
    page = client.get("/admin/plans/plan/")
    assert page.status_code == 200
    assert "МКОУ СОШ № 1" in page.content.decode()
    demo = Plan.objects.get(school__short_name="МКОУ СОШ № 1", year__title=DemoCalendar.now().title)
    page = client.get(f"/admin/plans/plan/{demo.pk}/change/")
    assert page.status_code == 200
    assert "Курс внеурочной деятельности «Россия – мои горизонты»" in page.content.decode()


@override_settings(DEBUG=True)
def test_the_demo_plan_page_shows_every_row_of_the_demo_data_file(client):
    from plans.management.commands.load_demo import demo_data

    call_command("load_demo")
    data = demo_data()
    client.force_login(User.objects.get(username="deputy"))
    demo = Plan.objects.get(
        school__inn=data["schools"]["demo"]["inn"], year__title=DemoCalendar.now().title
    )
    page = client.get(f"/plans/{demo.pk}/").content.decode()
    texts = [row["activity"] for rows in data["rows"].values() for row in rows]
    texts += [row["activity"] for row in data["level_rows"]]
    texts += [fixed["results"] for fixed in data["fixed"].values()]
    # The data is written in the seed's year; the page shows the demo's (plans/demo.py).
    texts = [DemoCalendar.now().text(text) for text in texts]
    missing = [text for text in texts if escape(text) not in page]
    assert not missing


@override_settings(DEBUG=True)
def test_the_demo_has_an_approved_plan_marked_through_the_year(client):
    """So that the execution pages, the region's hours delivered and the ministry's
    workbook have something to show on a fresh `make run`."""
    from django.urls import reverse

    call_command("load_demo")
    approved = Plan.objects.get(
        status=PlanStatus.APPROVED, school__short_name="МКОУ СОШ № 2 г.п. Чегем"
    )
    statuses = set(
        PlanRow.objects.filter(plan=approved, execution__isnull=False).values_list(
            "execution__status", flat=True
        )
    )
    assert statuses == {"done", "partly", "not_done", "moved"}
    log_in(client, User.objects.get(username="reviewer"))
    page = client.get(reverse("plans:execution", args=[approved.pk])).content.decode()
    assert "Центр «Точка роста» закрыт на ремонт" in page
    dashboard = client.get(reverse("monitoring:dashboard")).content.decode()
    assert "МКОУ СОШ № 2 г.п. Чегем" in dashboard  # among the schools behind (50 of 60 h)


# --- The demo lives in the school year that contains today -------------------------


@pytest.mark.parametrize(
    ("today", "start"),
    [
        (date(2026, 12, 4), date(2026, 9, 1)),
        (date(2027, 6, 10), date(2026, 9, 1)),
        (date(2027, 8, 31), date(2026, 9, 1)),
        (date(2027, 9, 1), date(2027, 9, 1)),
        (date(2024, 1, 10), date(2023, 9, 1)),
    ],
)
def test_the_school_year_starts_on_1_september(today, start):
    assert school_year_start(today) == start
    assert DemoCalendar(today).title == f"{start.year}-{start.year + 1}"


def test_texts_name_the_demos_year_and_keep_other_numbers():
    calendar = DemoCalendar(date(2026, 12, 4))
    assert calendar.text("2023-2024 уч. г.") == "2026-2027 уч. г."
    assert calendar.text("сентябрь 2023 г. – май 2024 г.") == "сентябрь 2026 г. – май 2027 г."
    letter = "Письмо Минпросвещения России от 01.06.2023 № АБ-2324/05"
    assert calendar.text(letter) == letter


@pytest.fixture
def on_day(monkeypatch):
    """Run as if it were `day`, 12:00 in Moscow (no clock library: timezone.now is
    what Django and the app read)."""
    from django.utils import timezone

    def set_day(day: date):
        moment = datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return day

    return set_day


@override_settings(DEBUG=True)
@pytest.mark.parametrize("day", [date(2026, 12, 4), date(2027, 6, 10)])
def test_the_demo_is_in_the_current_school_year_with_its_story_before_today(client, on_day, day):
    from django.utils import timezone

    from monitoring.models import Campaign, Recommendation, Report
    from plans.models import RowExecution, SchoolYear, TemplateItem

    on_day(day)
    seed = SchoolYear.objects.get(title="2023-2024")
    seed_state = (seed.submission_closes, seed.template_items.count(), seed.indicators.count())
    call_command("load_demo", stdout=open("/dev/null", "w"))

    year = SchoolYear.objects.get(title="2026-2027")
    assert year.start_date == date(2026, 9, 1) and year.end_date == date(2027, 8, 31)
    assert year.is_published and year.submission_closes >= day
    # Made from the seed's template, which stays as it was.
    assert year.template_items.count() == seed.template_items.count()
    assert TemplateItem.objects.filter(year=year, title__contains="2023-2024").count() == 0
    assert year.indicators.count() == seed.indicators.count()
    seed.refresh_from_db()
    assert (seed.submission_closes, seed.template_items.count(), seed.indicators.count()) == (
        seed_state
    )
    demo_plans = Plan.objects.filter(school__inn__in=[s["inn"] for s in demo_schools()])
    # This year's plans, and the first school's draft for the next year (copied from
    # this year's, as the year's end feeds the next plan).
    assert set(demo_plans.values_list("year__title", flat=True)) == {"2026-2027", "2027-2028"}
    next_year = demo_plans.exclude(year=year).get()
    assert next_year.school.short_name == "МКОУ СОШ № 1" and next_year.status == "draft"
    assert not Plan.objects.filter(year=seed).exists()
    demo_plans = demo_plans.filter(year=year)

    # What happened, happened before today; what is planned lies in the year.
    now = timezone.now()
    for plan in demo_plans:
        assert plan.submitted_at is None or plan.submitted_at <= now
        assert plan.approved_at is None or plan.submitted_at < plan.approved_at <= now
    marks = RowExecution.objects.filter(row__plan__in=demo_plans)
    assert marks.count() == 12  # Чегем's 8; МКОУ СОШ № 1: the deputy's 2, the team's 2
    for mark in marks:
        assert mark.end_date is None or year.start_date <= mark.start_date <= mark.end_date <= day
    rows = PlanRow.objects.filter(plan__in=demo_plans, start_date__isnull=False)
    assert rows.exists()
    assert all(year.start_date <= r.start_date <= r.end_date <= year.end_date for r in rows)
    campaigns = Campaign.objects.filter(year=year)
    assert campaigns.count() == 2
    assert all(year.start_date <= c.opens <= c.closes <= day for c in campaigns)
    assert all("2026-2027" in c.name for c in campaigns)
    submitted = Report.objects.filter(campaign__in=campaigns, submitted_at__isnull=False)
    assert submitted.exists() and all(r.submitted_at <= now for r in submitted)
    assert all(r.created_at <= now for r in Recommendation.objects.all())

    # No demo plan is «просрочен» for the centre, and the school sees this year's plan.
    log_in(client, User.objects.get(username="reviewer"))
    overdue = client.get("/admin/plans/plan/?overdue=yes").content.decode()
    assert not [s["short_name"] for s in demo_schools() if f">{s['short_name']}<" in overdue]
    client.force_login(User.objects.get(username="deputy"))
    home = client.get("/").content.decode()
    assert "2026-2027" in home and "2023-2024" not in home


def demo_schools():
    from plans.management.commands.load_demo import demo_data

    return list(demo_data()["schools"].values())


@override_settings(DEBUG=True)
def test_the_demo_on_a_date_stays_idempotent(on_day):
    on_day(date(2026, 12, 4))
    call_command("load_demo", stdout=open("/dev/null", "w"))
    first = snapshot()
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert snapshot() == first


@override_settings(DEBUG=True)
@pytest.mark.parametrize("day", [date(2026, 12, 4), date(2027, 6, 10), date(2026, 9, 2)])
def test_the_demo_school_has_a_team_with_rows_around_today_and_their_own_marks(on_day, day):
    """`navigator` (педагог-навигатор) and a class teacher of МКОУ СОШ № 1: rows of
    theirs in the past, today and next week, each of them with a mark of their own."""
    from plans.models import RowAssignment, RowExecution

    on_day(day)
    call_command("load_demo", stdout=open("/dev/null", "w"))
    navigator = User.objects.get(username="navigator")
    assert navigator.check_password("profplan-demo")
    assert (navigator.school.short_name, navigator.school_role, navigator.team_position) == (
        "МКОУ СОШ № 1",
        "member",
        "navigator",
    )
    teacher = User.objects.get(username="classteacher", school=navigator.school)
    assert teacher.team_position == "class_teacher"
    plan = Plan.objects.get(school=navigator.school, year__title=DemoCalendar(day).title)
    assert plan.status == PlanStatus.APPROVED
    for person in (navigator, teacher):
        rows = PlanRow.objects.filter(assignments__person=person, plan=plan)
        days = sorted(row.start_date for row in rows if row.start_date)
        assert days[0] < day <= days[-1] or day <= plan.year.start_date + timedelta(days=7)
        marks = RowExecution.objects.filter(row__plan=plan, recorded_by=person)
        assert marks.count() == 1 and marks.get().row.assignments.filter(person=person).exists()
    assert RowAssignment.objects.filter(row__plan=plan, person=navigator).count() == 4
