"""Hours delivered per grade against the level and the plan, directions with nothing
delivered, overdue rows at the top, the weekly digest and the centre's list of schools
that have marked nothing for a month."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from plans.execution.digest import send_execution_digest
from plans.models import Plan, PlanStatus, RowExecution
from plans.services import row_execution_record
from tests.factories import SchoolFactory, UserFactory, add_row, make_plan
from tests.signin import log_in

pytestmark = pytest.mark.django_db

TODAY = date(2023, 12, 1)


def approve(plan):
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED)
    plan.refresh_from_db()
    return plan


@pytest.fixture
def approved(plan):
    add_row(plan, "3.4.13.1.", activity="Урок профессий", hours=30, grades=(8, 9))
    add_row(plan, "3.4.13.2.", activity="Россия – мои горизонты", hours=34, grades=(8, 9))
    add_row(
        plan,
        "3.4.13.3.",
        activity="Экскурсия на завод",
        hours=4,
        grades=(9,),
        start_date=date(2023, 10, 10),
        end_date=date(2023, 10, 10),
    )
    return approve(plan)


def row(plan, activity):
    return plan.rows.get(activity=activity)


def record(plan, activity, by, **data):
    return row_execution_record(row=row(plan, activity), by=by, data=data)


def test_hours_delivered_per_grade_on_the_execution_page(client, deputy, approved):
    record(approved, "Урок профессий", deputy, status="done", hours=12, grades=(9,))
    record(approved, "Экскурсия на завод", deputy, status="done")  # planned 4 h for grade 9
    client.force_login(deputy)
    page = client.get(reverse("plans:execution", args=[approved.pk])).content.decode()
    hours = page[page.index('id="execution-hours"') :]
    grade9 = hours[hours.index("<td>9</td>") :][:1200]
    assert "<strong>16</strong>" in grade9  # 12 + 4 h delivered
    assert "<td>60</td>" in grade9 and "<td>68</td>" in grade9  # the minimum, the plan
    assert "Внеурочная деятельность" in grade9  # nothing delivered there yet
    grade8 = hours[hours.index("<td>8</td>") :][:1200]
    assert "<strong>0</strong>" in grade8


def test_partly_done_without_hours_delivers_nothing(deputy, approved):
    from plans.execution.reads import delivery_by_grade, executions_for

    record(approved, "Урок профессий", deputy, status="partly")
    bundle = Plan.objects.for_editor().get(pk=approved.pk)
    delivery = {d.grade: d for d in delivery_by_grade(bundle, executions_for(bundle))}
    assert delivery[9].delivered == 0 and delivery[9].planned == 68


def test_editor_and_review_show_the_hours_delivered(client, deputy, reviewer, approved):
    record(approved, "Урок профессий", deputy, status="done", hours=12, grades=(9,))
    client.force_login(deputy)
    editor = client.get(reverse("plans:edit", args=[approved.pk])).content.decode()
    assert 'id="execution-hours"' in editor and "<strong>12</strong>" in editor
    from accounts.roles import REGIONAL, ensure_roles

    reviewer.groups.add(ensure_roles()[REGIONAL])
    log_in(client, reviewer)
    review = client.get(reverse("admin:plans_plan_review", args=[approved.pk])).content.decode()
    assert 'id="execution-hours"' in review and "<strong>12</strong>" in review


def test_overdue_rows_are_at_the_top_of_the_schools_plan(client, deputy, approved):
    client.force_login(deputy)
    editor = client.get(reverse("plans:edit", args=[approved.pk])).content.decode()
    overdue = editor[editor.index('id="execution-overdue"') :]
    assert "Экскурсия на завод" in overdue[:1500]
    assert editor.index('id="execution-overdue"') < editor.index('id="plan-table"')
    record(approved, "Экскурсия на завод", deputy, status="done")
    editor = client.get(reverse("plans:edit", args=[approved.pk])).content.decode()
    assert 'id="execution-overdue"' not in editor


def test_a_moved_row_is_overdue_again_once_its_new_date_passes(deputy, approved):
    from plans.execution.reads import overdue_rows_by_plan

    record(approved, "Экскурсия на завод", deputy, status="moved", moved_to=date(2023, 11, 20))
    assert overdue_rows_by_plan([approved.pk], date(2023, 11, 1)) == {}
    late = overdue_rows_by_plan([approved.pk], TODAY)[approved.pk]
    assert [r.activity for r in late] == ["Экскурсия на завод"]


def test_a_moved_row_at_the_top_of_the_plan_shows_its_new_date(client, deputy, approved):
    record(approved, "Экскурсия на завод", deputy, status="moved", moved_to=date(2023, 11, 20))
    client.force_login(deputy)
    editor = client.get(reverse("plans:edit", args=[approved.pk])).content.decode()
    overdue = editor[editor.index('id="execution-overdue"') :][:2000]
    assert "Экскурсия на завод" in overdue
    assert "перенесено на 20.11.2023" in overdue and "10.10.2023" not in overdue


def test_weekly_digest_lists_the_overdue_rows(deputy, approved, run_worker):
    UserFactory(username="colleague", school=approved.school, email="")  # no address: skipped
    assert send_execution_digest(today=TODAY) == 1
    run_worker()
    assert len(mail.outbox) == 1
    letter = mail.outbox[0]
    assert letter.to == [deputy.email]
    assert "Экскурсия на завод (срок 10.10.2023)" in letter.body
    assert reverse("plans:execution", args=[approved.pk]) in letter.body


def test_digest_command_queues_nothing_when_all_is_marked(deputy, approved, run_worker):
    record(approved, "Экскурсия на завод", deputy, status="done")
    call_command("send_execution_digest", stdout=open("/dev/null", "w"))
    run_worker()
    assert mail.outbox == []


def test_digest_queries_do_not_grow_with_schools(approved, deputy):
    with CaptureQueriesContext(connection) as few:
        send_execution_digest(today=TODAY)
    for _ in range(5):
        school = SchoolFactory()
        UserFactory(school=school)
        other = make_plan(school)
        add_row(other, "I.", activity="Педсовет", start_date=date(2023, 9, 5))
        approve(other)
    with CaptureQueriesContext(connection) as many:
        assert send_execution_digest(today=TODAY) == 6
    selects = lambda queries: [q for q in queries if q["sql"].startswith("SELECT")]  # noqa: E731
    assert len(selects(many)) == len(selects(few))


def test_centre_sees_schools_that_marked_nothing_for_a_month(client, reviewer, deputy, approved):
    busy = approve(make_plan(SchoolFactory(short_name="СОШ № 77")))
    busy_row = add_row(busy, "I.", activity="Педсовет")
    row_execution_record(row=busy_row, by=None, data={"status": "done"})
    stale = approve(make_plan(SchoolFactory(short_name="СОШ № 88")))
    stale_row = add_row(stale, "I.", activity="Собрание")
    row_execution_record(row=stale_row, by=None, data={"status": "done"})
    RowExecution.objects.filter(row=stale_row).update(
        updated_at=timezone.now() - timedelta(days=40)
    )
    log_in(client, reviewer)
    page = client.get(reverse("plans:execution-region")).content.decode()
    assert "Ничего не отмечено больше 30 дней: 2" in page
    table = page[page.index('id="execution-schools"') :]
    # The quiet ones first: the plan with no marks and the one last marked 40 days ago.
    assert table.index("СОШ № 88") < table.index("СОШ № 77")
    assert table.index(approved.school.short_name) < table.index("СОШ № 77")


def test_region_page_queries_do_not_grow_with_schools(client, reviewer, approved):
    log_in(client, reviewer)
    url = reverse("plans:execution-region")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        other = approve(make_plan(SchoolFactory()))
        row_execution_record(
            row=add_row(other, "I.", activity="Педсовет"), by=None, data={"status": "done"}
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).content.decode().count("Педсовет") == 0
    assert len(many) == len(few)


def test_coordinator_sees_only_the_municipality(client, coordinator, approved):
    from plans.models import Municipality

    far = Municipality.objects.exclude(pk=approved.school.municipality_id).first()
    approve(make_plan(SchoolFactory(short_name="Далёкая школа", municipality=far)))
    client.force_login(coordinator)
    page = client.get(reverse("plans:execution-region")).content.decode()
    assert approved.school.short_name in page and "Далёкая школа" not in page


def test_digest_counts_only_the_overdue_rows_the_execution_page_shows(
    client, deputy, approved, run_worker
):
    """A row left under a level block that no grade takes any more is hidden on the
    execution page, so the letter does not ask the school to mark it either."""
    from plans.models import PlanGrade

    add_row(
        approved,
        "3.4.14.1.",
        activity="Профессиональная проба на заводе",
        hours=2,
        grades=(10,),
        start_date=date(2023, 10, 12),
        end_date=date(2023, 10, 12),
    )
    PlanGrade.objects.filter(plan=approved, grade__in=(10, 11)).update(level=None)
    client.force_login(deputy)
    page = client.get(reverse("plans:execution", args=[approved.pk])).content.decode()
    overdue = page[page.index('id="execution-overdue"') :][:2000]
    assert "Сроки прошли, а исполнение не отмечено (1)" in overdue
    assert "Экскурсия на завод" in overdue and "Профессиональная проба" not in overdue

    assert send_execution_digest(today=TODAY) == 1
    run_worker()
    letter = mail.outbox[0]
    assert "Экскурсия на завод (срок 10.10.2023)" in letter.body
    assert "Профессиональная проба" not in letter.body
    assert "отметки об исполнении нет (1)" in letter.body
    assert letter.subject.startswith("Профплан: 1 мероприятий")


def test_digest_skips_a_plan_whose_only_overdue_rows_are_hidden(deputy, approved):
    from plans.models import PlanGrade

    record(approved, "Экскурсия на завод", deputy, status="done")
    add_row(approved, "3.4.14.1.", activity="Проба", grades=(10,), end_date=date(2023, 10, 1))
    assert send_execution_digest(today=TODAY) == 1
    PlanGrade.objects.filter(plan=approved, grade__in=(10, 11)).update(level=None)
    assert send_execution_digest(today=TODAY) == 0
