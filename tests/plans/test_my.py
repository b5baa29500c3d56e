"""«Мои мероприятия» (`/my/`): a team member sees and marks the rows assigned to them,
the deputy sees the whole school by person; nobody marks another's row or another
school's; the page's queries do not grow with rows or assignees."""

import re
from datetime import timedelta

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.models import SchoolRole, TeamPosition
from plans import services
from plans.models import (
    Plan,
    PlanRow,
    PlanStatus,
    Region,
    RowAssignment,
    RowExecution,
    SchoolYear,
    TemplateItem,
)
from tests.factories import UserFactory, add_row
from tests.signin import log_in

pytestmark = pytest.mark.django_db

MY = "/my/"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def current_year(year, today):
    """The reference year moved to run today, so that it is the school's current year."""
    SchoolYear.objects.filter(pk=year.pk).update(
        start_date=today - timedelta(days=150), end_date=today + timedelta(days=200)
    )
    year.refresh_from_db()
    return year


@pytest.fixture
def approved(plan, current_year):
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED)
    plan.refresh_from_db()
    return plan


def member(school, username, position=TeamPosition.NAVIGATOR, **fields):
    return UserFactory(
        username=username,
        school=school,
        school_role=SchoolRole.MEMBER,
        team_position=position,
        **fields,
    )


@pytest.fixture
def navigator(school):
    return member(school, "navigator", first_name="Ирина", last_name="Навигаторова")


@pytest.fixture
def class_teacher(school):
    return member(
        school, "teacher", TeamPosition.CLASS_TEACHER, first_name="Олег", last_name="Классов"
    )


@pytest.fixture
def other_member(other_school):
    return member(other_school, "other_navigator")


def dated(plan, activity, start, end=None, code="3.4.13.3.", **fields):
    return add_row(
        plan,
        code,
        activity=activity,
        start_date=start,
        end_date=end or start,
        grades=(8, 9),
        hours=1,
        **fields,
    )


def assign(row, *people):
    for person in people:
        RowAssignment.objects.create(row=row, person=person)
    return row


@pytest.fixture
def rows(approved, navigator, class_teacher, today):
    """The navigator's four activities (one overdue, one this week, two ahead, soonest
    second), the class teacher's one, and one nobody is assigned to."""
    plan = approved
    return {
        "overdue": assign(
            dated(plan, "Профпроба «Сварщик»", today - timedelta(days=20)), navigator
        ),
        "week": assign(dated(plan, "Урок «Россия – мои горизонты»", today), navigator),
        "later": assign(dated(plan, "Экскурсия в колледж", today + timedelta(days=40)), navigator),
        "sooner": assign(dated(plan, "Встреча с инженером", today + timedelta(days=20)), navigator),
        "teacher": assign(
            dated(plan, "Классный час «Профессии родителей»", today + timedelta(days=10)),
            class_teacher,
        ),
        "free": dated(plan, "Родительское собрание", today + timedelta(days=15)),
    }


def page_of(client, user) -> str:
    client.force_login(user)
    response = client.get(MY)
    assert response.status_code == 200
    return response.content.decode()


def mark_url(row, **query):
    url = reverse("plans:execution-row", args=[row.plan_id, row.pk])
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query)
    return url


def post_mark(client, row, **fields):
    data = {"status": "done", "grades": ["8", "9"], "pupils": "25", "hours": "1"} | fields
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(mark_url(row), data)


# --- what a member sees -----------------------------------------------------------------


def test_a_member_sees_the_rows_assigned_to_them_with_their_numbers(client, navigator, rows):
    from plans.numbering import plan_lines

    page = page_of(client, navigator)
    for key in ("overdue", "week", "later", "sooner"):
        assert rows[key].activity in page
    assert "Классный час" not in page and "Родительское собрание" not in page
    bundle = Plan.objects.for_editor().get(pk=rows["week"].plan_id)
    number = next(line.number for line in plan_lines(bundle) if line.row == rows["week"])
    assert number in page
    assert rows["week"].grades_display in page and f"{rows['week'].start_date:%d.%m.%Y}" in page


def test_the_proved_button_opens_the_form_with_done_chosen_and_comes_back(client, navigator, rows):
    page = page_of(client, navigator)
    link = mark_url(rows["week"]) + "?status=done&amp;next=/my/"
    assert f'href="{link}"' in page and "Проведено" in page
    form = client.get(mark_url(rows["week"], status="done", next=MY)).content.decode()
    assert "checked" in re.search(r'<input[^>]*value="done"[^>]*>', form).group()
    assert 'name="next" value="/my/"' in form
    data = {"status": "done", "grades": ["8"], "pupils": "23", "hours": "1", "next": MY}
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(mark_url(rows["week"]), data)
    assert response.status_code == 302 and response["Location"] == f"/my/#row-{rows['week'].pk}"
    execution = RowExecution.objects.get(row=rows["week"])
    assert execution.recorded_by == navigator and execution.pupils == 23
    page = client.get(MY).content.decode()
    assert "отметил(а) Ирина Навигаторова" in page and "обучающихся: 23" in page


def test_a_next_to_another_site_is_ignored(client, navigator, rows):
    client.force_login(navigator)
    data = {"status": "done", "next": "https://evil.example/"}
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(mark_url(rows["week"]), data)
    assert response["Location"].startswith(reverse("plans:execution", args=[rows["week"].plan_id]))
    form = client.get(mark_url(rows["week"], next="//evil.example/")).content.decode()
    assert "evil.example" not in form


def section(page: str, marker: str) -> str:
    """The part of the page from a section's heading to the next section's."""
    start = page.index(marker)
    rest = page[start + len(marker) :]
    ends = [rest.index(m) for m in ('class="h6', "</section>") if m in rest]
    return rest[: min(ends)]


def test_overdue_first_then_this_week_then_soonest_first(client, navigator, rows):
    page = page_of(client, navigator)
    overdue = page.index("Профпроба")
    week = page.index("Урок «Россия")
    sooner = page.index("Встреча с инженером")
    later = page.index("Экскурсия в колледж")
    assert overdue < week < sooner < later
    assert "Профпроба" in section(page, "Сроки прошли, не отмечено (1)")
    assert "Урок «Россия" in section(page, "На этой неделе")
    assert "Встреча с инженером" not in section(page, "На этой неделе")


def test_a_row_marked_moved_to_a_passed_date_is_overdue_again(client, navigator, rows, today):
    row = rows["later"]
    services.row_execution_record(
        row=row, by=navigator, data={"status": "moved", "moved_to": today - timedelta(days=2)}
    )
    page = page_of(client, navigator)
    assert "Экскурсия в колледж" in section(page, "Сроки прошли, не отмечено (2)")
    assert "срок прошёл" in page


def test_a_year_long_row_is_not_this_weeks_but_a_month_long_one_is(
    client, approved, navigator, today
):
    assign(
        dated(approved, "Весь год", today - timedelta(days=60), today + timedelta(days=100)),
        navigator,
    )
    assign(
        dated(approved, "Весь месяц", today - timedelta(days=10), today + timedelta(days=15)),
        navigator,
    )
    week = section(page_of(client, navigator), "На этой неделе")
    assert "Весь месяц" in week and "Весь год" not in week


def test_a_member_with_nothing_assigned_is_told_so(client, navigator, approved):
    assert "Вам пока не назначено ни одного мероприятия" in page_of(client, navigator)


def test_rows_of_a_plan_not_yet_approved_are_shown_without_the_button(
    client, plan, current_year, navigator, today
):
    assign(dated(plan, "Урок «Шоу профессий»", today), navigator)
    page = page_of(client, navigator)
    assert "Урок «Шоу профессий»" in page and "ещё не утверждён" in page
    assert "Проведено" not in page and "Отметить можно после утверждения плана" in page


# --- the deputy's view by person ---------------------------------------------------------


def group_of(page: str, key: str) -> str:
    part = page[page.index(f'<section class="mb-4 my-group" id="{key}"') :]
    return part[: part.index("</section>")]


def test_the_deputy_sees_the_school_by_person_and_the_unassigned(
    client, deputy, navigator, class_teacher, rows
):
    page = page_of(client, deputy)
    assert "Мероприятия школы по исполнителям" in page
    navigator_part = group_of(page, f"person-{navigator.pk}")
    assert "Профпроба" in navigator_part and "Классный час" not in navigator_part
    assert "Классный час" in group_of(page, f"person-{class_teacher.pk}")
    unassigned = group_of(page, "unassigned")
    assert "Родительское собрание" in unassigned and "Профпроба" not in unassigned
    assert "педагог-навигатор" in page and "классный руководитель" in page
    # The deputy may mark every row, the unassigned one too.
    assert mark_url(rows["free"]) + "?status=done" in page


def test_a_row_with_two_assignees_is_under_both(client, deputy, navigator, class_teacher, rows):
    assign(rows["week"], class_teacher)
    page = page_of(client, deputy)
    assert page.count("Урок «Россия – мои горизонты»") == 2
    assert page.count(f'id="row-{rows["week"].pk}"') == 1


# --- who may open /my/ -------------------------------------------------------------------


def test_home_sends_a_team_member_to_my_activities_and_keeps_the_deputys(
    client, navigator, deputy, approved
):
    client.force_login(navigator)
    response = client.get(reverse("plans:home"))
    assert response.status_code == 302 and response["Location"] == MY
    client.force_login(deputy)
    assert client.get(reverse("plans:home")).status_code == 200
    assert "Мои мероприятия" in client.get(reverse("plans:home")).content.decode()


@pytest.mark.parametrize("who", ["coordinator", "reviewer", "ministry", "anonymous"])
def test_nobody_outside_a_school_has_my_activities(client, who, coordinator, reviewer):
    users = {
        "coordinator": coordinator,
        "reviewer": reviewer,
        "ministry": UserFactory(
            username="ministry", is_ministry=True, region=Region.objects.default()
        ),
    }
    if who in users:
        log_in(client, users[who])
    response = client.get(MY)
    if who == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 404


# --- the right to mark -------------------------------------------------------------------


def test_another_schools_member_finds_nothing_at_the_members_rows(client, other_member, rows):
    client.force_login(other_member)
    for row in (rows["week"], rows["free"]):
        assert client.get(mark_url(row, status="done", next=MY)).status_code == 404
        assert post_mark(client, row).status_code == 404
    assert not RowExecution.objects.exists()
    assert rows["week"].activity not in page_of(client, other_member)


def test_a_member_is_refused_a_row_not_theirs(client, navigator, rows):
    client.force_login(navigator)
    response = client.get(mark_url(rows["free"], status="done"))
    assert response.status_code == 403
    assert "Это мероприятие назначено не вам" in response.content.decode()
    assert post_mark(client, rows["teacher"]).status_code == 403
    assert not RowExecution.objects.exists()


def test_a_member_allowed_any_row_marks_an_unassigned_one(client, navigator, rows):
    navigator.marks_any_row = True
    navigator.save()
    client.force_login(navigator)
    assert client.get(mark_url(rows["free"])).status_code == 200
    assert post_mark(client, rows["free"]).status_code == 302
    assert RowExecution.objects.get(row=rows["free"]).recorded_by == navigator
    # …and the execution page offers «Отметить» on every row.
    page = client.get(reverse("plans:execution", args=[rows["free"].plan_id])).content.decode()
    assert mark_url(rows["teacher"]) in page


def test_the_service_refuses_a_member_on_a_row_not_theirs(navigator, other_deputy, rows):
    for row, by in ((rows["free"], navigator), (rows["week"], other_deputy)):
        with pytest.raises(services.TransitionRefused):
            services.row_execution_record(row=row, by=by, data={"status": "done"})
    assert not RowExecution.objects.exists()
    services.row_execution_record(row=rows["week"], by=navigator, data={"status": "done"})
    assert RowExecution.objects.get().recorded_by == navigator


def test_a_member_removes_a_file_of_their_row_not_of_anothers(
    client, navigator, class_teacher, rows
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from plans.models import Evidence

    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
    with TestCase.captureOnCommitCallbacks(execute=True):
        for row, by in ((rows["week"], navigator), (rows["teacher"], class_teacher)):
            services.row_execution_record(
                row=row,
                by=by,
                data={"status": "done"},
                files=[SimpleUploadedFile("фото.jpg", jpeg, content_type="image/jpeg")],
            )
    mine = Evidence.objects.get(execution__row=rows["week"])
    theirs = Evidence.objects.get(execution__row=rows["teacher"])
    client.force_login(navigator)
    url = reverse("plans:evidence-delete", args=[rows["week"].plan_id, theirs.pk])
    assert client.post(url).status_code == 403
    url = reverse("plans:evidence-delete", args=[rows["week"].plan_id, mine.pk])
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, {"next": MY})
    assert response.status_code == 302 and response["Location"].endswith("?next=%2Fmy%2F")
    assert list(Evidence.objects.all()) == [theirs]


def test_the_execution_page_shows_who_marked_each_row(client, deputy, navigator, rows):
    services.row_execution_record(row=rows["week"], by=navigator, data={"status": "done"})
    services.row_execution_record(row=rows["free"], by=deputy, data={"status": "done"})
    client.force_login(deputy)
    page = client.get(reverse("plans:execution", args=[rows["week"].plan_id])).content.decode()
    assert "Ирина Навигаторова, педагог-навигатор" in page
    assert "Анна Петрова" in page  # the deputy (the factory's name)


def test_a_member_on_the_execution_page_marks_their_own_rows_only(client, navigator, rows):
    client.force_login(navigator)
    page = client.get(reverse("plans:execution", args=[rows["week"].plan_id])).content.decode()
    assert "«Мои мероприятия»" in page
    assert mark_url(rows["week"]) in page and mark_url(rows["free"]) not in page


# --- queries -----------------------------------------------------------------------------


def many(plan, count: int, people: list, today):
    """`count` dated rows, each assigned to every one of `people`, a third of them marked."""
    parent = TemplateItem.objects.get(year=plan.year, code="3.4.13.3.")
    rows = PlanRow.objects.bulk_create(
        PlanRow(
            plan=plan,
            parent=parent,
            order=100 + i,
            activity=f"Мероприятие {i}",
            start_date=today + timedelta(days=i - count // 2),
            end_date=today + timedelta(days=i - count // 2),
            grades=(8,),
        )
        for i in range(count)
    )
    RowAssignment.objects.bulk_create(
        RowAssignment(row=row, person=person) for row in rows for person in people
    )
    RowExecution.objects.bulk_create(
        RowExecution(row=row, status="done", recorded_by=people[0]) for row in rows[::3]
    )


@pytest.mark.parametrize("count", [10, 300])
@pytest.mark.parametrize("assignees", [1, 5])
@pytest.mark.parametrize("viewer", ["member", "deputy"])
def test_my_activities_queries_do_not_grow_with_rows_or_assignees(
    client, approved, deputy, school, today, count, assignees, viewer, django_assert_num_queries
):
    people = [member(school, f"m{i}", last_name=f"Учитель {i}") for i in range(assignees)]
    many(approved, count, people, today)
    user = people[0] if viewer == "member" else deputy
    client.force_login(user)
    # session, user; the region's years, the school's plans, the plans' rows with
    # their marks and who made them, the year's template items, the levels of the
    # plans' grades, the assignments with their people (and, for the deputy, the
    # school's people); the person's calendar link (the card); the sliding session's
    # save: savepoint, update, release.
    with django_assert_num_queries(12 if viewer == "member" else 13):
        response = client.get(MY)
    assert response.status_code == 200
    assert response.content.decode().count("Мероприятие ") >= count
