import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils.html import escape

from accounts.models import User
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
    demo = Plan.objects.for_editor().get(school__short_name="МКОУ СОШ № 1")
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
    demo = Plan.objects.get(school__short_name="МКОУ СОШ № 1")
    page = client.get(f"/admin/plans/plan/{demo.pk}/change/")
    assert page.status_code == 200
    assert "Курс внеурочной деятельности «Россия – мои горизонты»" in page.content.decode()


@override_settings(DEBUG=True)
def test_the_demo_plan_page_shows_every_row_of_the_demo_data_file(client):
    from plans.management.commands.load_demo import demo_data

    call_command("load_demo")
    data = demo_data()
    client.force_login(User.objects.get(username="deputy"))
    demo = Plan.objects.get(school__inn=data["schools"]["demo"]["inn"])
    page = client.get(f"/plans/{demo.pk}/").content.decode()
    texts = [row["activity"] for rows in data["rows"].values() for row in rows]
    texts += [row["activity"] for row in data["level_rows"]]
    texts += [fixed["results"] for fixed in data["fixed"].values()]
    missing = [text for text in texts if escape(text) not in page]
    assert not missing


@override_settings(DEBUG=True)
def test_the_demo_has_an_approved_plan_marked_through_the_year(client):
    """So that the execution pages, the region's hours delivered and the ministry's
    workbook have something to show on a fresh `make run`."""
    from django.urls import reverse

    call_command("load_demo")
    approved = Plan.objects.get(status=PlanStatus.APPROVED)
    assert approved.school.short_name == "МКОУ СОШ № 2 г.п. Чегем"
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
