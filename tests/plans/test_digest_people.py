"""The weekly letters to the people who do the work: each assignee's own overdue rows
and the week's activities; the school's letter to its deputy director only; everyone's
switch on «Календарь и напоминания»."""

import logging
from datetime import date

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plans.execution.digest import send_execution_digest
from plans.models import Plan, PlanStatus, RowAssignment
from plans.numbering import plan_lines
from plans.services import row_execution_record
from profplan.site import site_url
from tests.factories import SchoolFactory, UserFactory, add_row, make_plan

pytestmark = pytest.mark.django_db

TODAY = date(2023, 12, 4)  # a Monday: the timer's day


def approve(plan):
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED)
    plan.refresh_from_db()
    return plan


def member(school, username, first_name, **fields):
    return UserFactory(
        username=username,
        school=school,
        school_role="member",
        team_position=fields.pop("team_position", "navigator"),
        first_name=first_name,
        last_name=fields.pop("last_name", "Учителева"),
        **fields,
    )


@pytest.fixture
def navigator(school):
    return member(school, "navigator", "Ирина", last_name="Навигаторова")


@pytest.fixture
def teacher(school):
    return member(school, "teacher", "Олег", last_name="Классов", team_position="class_teacher")


@pytest.fixture
def rows(plan, navigator, teacher):
    made = {
        "overdue": add_row(
            plan, "3.4.13.3.", activity="Экскурсия на завод", end_date=date(2023, 11, 20)
        ),
        "week": add_row(plan, "3.4.13.1.", activity="Урок профессий", start_date=date(2023, 12, 6)),
        "month": add_row(
            plan,
            "3.4.13.2.",
            activity="Россия – мои горизонты",
            start_date=date(2023, 12, 1),
            end_date=date(2023, 12, 31),
        ),
        "later": add_row(
            plan, "3.4.13.1.", activity="Ярмарка вакансий", start_date=date(2023, 12, 15)
        ),
        "undated": add_row(plan, "3.4.13.2.", activity="Консультации"),
        "teacher": add_row(
            plan, "3.4.13.1.", activity="Классный час", start_date=date(2023, 12, 8)
        ),
    }
    for key in ("overdue", "week", "month", "later", "undated"):
        RowAssignment.objects.create(row=made[key], person=navigator)
    RowAssignment.objects.create(row=made["teacher"], person=teacher)
    approve(plan)
    return made


def letters_to(user) -> list:
    return [letter for letter in mail.outbox if letter.to == [user.email]]


def number_of(row) -> str:
    bundle = Plan.objects.for_editor().get(pk=row.plan_id)
    return next(line.number for line in plan_lines(bundle) if line.row and line.row.pk == row.pk)


def test_each_assignee_gets_their_own_overdue_rows_and_the_week(
    navigator, teacher, deputy, rows, run_worker
):
    queued = send_execution_digest(today=TODAY)
    run_worker()
    assert queued == 3  # the deputy's school letter, the navigator's, the teacher's
    [letter] = letters_to(navigator)
    body = letter.body
    assert body.startswith("Здравствуйте, Ирина Навигаторова!")
    assert "Сроки прошли, а отметки об исполнении нет (1):" in body
    assert f"– {number_of(rows['overdue'])} Экскурсия на завод (срок 20.11.2023)" in body
    assert "На неделе 04.12–10.12.2023 (2):" in body
    assert f"– {number_of(rows['week'])} Урок профессий (06.12.2023)" in body
    assert "Россия – мои горизонты (01.12–31.12.2023)" in body
    assert "Ярмарка вакансий" not in body  # the week after
    assert "Консультации" not in body  # no dates
    assert "Классный час" not in body  # the teacher's
    assert f"{site_url()}/my/" in body
    assert f"{site_url()}/my/calendar/" in body
    assert letter.subject == "Профплан: ваши мероприятия – 1 ждут отметки, 2 на этой неделе"
    [theirs] = letters_to(teacher)
    assert "Классный час (08.12.2023)" in theirs.body
    assert "Экскурсия на завод" not in theirs.body
    assert theirs.subject == "Профплан: ваши мероприятия – 1 на этой неделе"


def test_only_the_deputy_gets_the_schools_letter(navigator, deputy, rows, run_worker):
    colleague = member(deputy.school, "colleague", "Вера")  # nothing assigned
    send_execution_digest(today=TODAY)
    run_worker()
    [school_letter] = letters_to(deputy)
    assert school_letter.body.startswith("Здравствуйте, Анна Петрова!")
    assert "отметки об исполнении нет (1)" in school_letter.body
    [own] = letters_to(navigator)  # their own letter only, not the school's
    assert "Отметить исполнение:" not in own.body
    assert letters_to(colleague) == []  # nothing of theirs, and not the school's letter


def test_the_deputy_who_turns_the_letter_off_gets_no_schools_letter(
    client, deputy, rows, run_worker
):
    client.force_login(deputy)
    client.post("/my/calendar/", {"action": "digest"})
    send_execution_digest(today=TODAY)
    run_worker()
    assert letters_to(deputy) == []


def test_a_person_who_turns_the_letter_off_gets_nothing(client, navigator, rows, run_worker):
    client.force_login(navigator)
    client.post("/my/calendar/", {"action": "digest"})
    send_execution_digest(today=TODAY)
    run_worker()
    assert letters_to(navigator) == []


def test_nothing_overdue_and_nothing_this_week_means_no_letter(plan, navigator, deputy, run_worker):
    later = add_row(plan, "3.4.13.1.", activity="Ярмарка", start_date=date(2023, 12, 15))
    RowAssignment.objects.create(row=later, person=navigator)
    approve(plan)
    send_execution_digest(today=TODAY)
    run_worker()
    assert letters_to(navigator) == []


def test_marked_rows_are_not_reminded_and_a_moved_one_is_at_its_new_date(
    navigator, deputy, rows, run_worker
):
    row_execution_record(row=rows["overdue"], by=deputy, data={"status": "done"})
    row_execution_record(row=rows["month"], by=deputy, data={"status": "partly"})
    row_execution_record(
        row=rows["later"], by=deputy, data={"status": "moved", "moved_to": date(2023, 12, 7)}
    )
    send_execution_digest(today=TODAY)
    run_worker()
    [letter] = letters_to(navigator)
    assert "Экскурсия на завод" not in letter.body and "Россия" not in letter.body
    assert "Ярмарка вакансий (07.12.2023)" in letter.body
    assert "Сроки прошли" not in letter.body


def test_no_letter_to_an_inactive_account_one_without_address_or_one_gone_elsewhere(
    navigator, teacher, rows, run_worker
):
    navigator.is_active = False
    navigator.save()
    teacher.email = ""
    teacher.save()
    moved_on = member(rows["week"].plan.school, "moved_on", "Пётр")
    RowAssignment.objects.create(row=rows["week"], person=moved_on)
    moved_on.school = SchoolFactory()
    moved_on.save()
    send_execution_digest(today=TODAY)
    run_worker()
    people = {"navigator@example.org", "teacher@example.org", "moved_on@example.org"}
    assert not [letter for letter in mail.outbox if set(letter.to) & people]


def test_rows_the_plan_hides_are_not_in_the_letter(navigator, rows, run_worker):
    """A row left under a level block no grade takes is hidden in the plan: not reminded."""
    from plans.models import PlanGrade

    plan = rows["week"].plan
    hidden = add_row(
        plan, "3.4.14.1.", activity="Проба на заводе", grades=(10,), start_date=date(2023, 12, 5)
    )
    RowAssignment.objects.create(row=hidden, person=navigator)
    PlanGrade.objects.filter(plan=plan, grade__in=(10, 11)).update(level=None)
    send_execution_digest(today=TODAY)
    run_worker()
    [letter] = letters_to(navigator)
    assert "Проба на заводе" not in letter.body


def test_the_log_never_has_an_address(navigator, rows, run_worker, caplog):
    with caplog.at_level(logging.DEBUG):
        send_execution_digest(today=TODAY)
        run_worker()
    assert letters_to(navigator)
    assert "@example.org" not in caplog.text


def _selects(queries) -> int:
    """The reads: SELECTs, and on PostgreSQL an `.iterator()`'s server-side cursor
    (DECLARE … CURSOR FOR SELECT, where SQLite sends the SELECT itself)."""
    return len([q for q in queries if q["sql"].lstrip().upper().startswith(("SELECT", "DECLARE"))])


# Years (1), approved plans (2), the schools' overdue rows, levels, template items
# (3-5: overdue_rows_by_plan), the deputies (6), the assignments of overdue and coming
# rows with people and marks (7), the rows of their plans, the levels, the template
# items to number them (8-10). Queuing a letter writes, never reads.
DIGEST_SELECTS = 10


def test_the_digests_queries_do_not_grow_with_schools_people_or_rows(navigator, deputy, rows):
    with CaptureQueriesContext(connection) as few:
        assert send_execution_digest(today=TODAY) == 3
    assert _selects(few) == DIGEST_SELECTS
    for n in range(4):
        school = SchoolFactory()
        UserFactory(username=f"deputy{n}", school=school)
        plan = make_plan(school)
        team = [member(school, f"member{n}_{k}", "Мария") for k in range(3)]
        for day in range(1, 25):
            row = add_row(plan, "I.", activity=f"Педсовет {day}", start_date=date(2023, 11, day))
            for person in team:
                RowAssignment.objects.create(row=row, person=person)
        approve(plan)
    with CaptureQueriesContext(connection) as many:
        assert send_execution_digest(today=TODAY) == 3 + 4 * 4
    assert _selects(many) == DIGEST_SELECTS
