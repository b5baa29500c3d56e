"""The school's team (plans/team/): the deputy adds colleagues, invites them or prints
a sign-in sheet, changes and removes them, and reads who marked what. Only the
school's deputy opens these pages; everyone else gets 404."""

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from accounts.models import SchoolRole, TeamPosition
from audit.models import AuditEvent, AuditKind
from plans.models import CalendarFeed, Plan, PlanStatus, RowAssignment, RowExecution
from plans.services import TransitionRefused
from plans.team import members
from tests.factories import UserFactory, add_row
from tests.signin import log_in

pytestmark = pytest.mark.django_db
User = get_user_model()


def member_of(school, username="navigator", **fields):
    return UserFactory(
        username=username,
        school=school,
        school_role=SchoolRole.MEMBER,
        team_position=fields.pop("team_position", TeamPosition.NAVIGATOR),
        first_name=fields.pop("first_name", "Алим"),
        last_name=fields.pop("last_name", "Кодзоков"),
        **fields,
    )


@pytest.fixture
def navigator(school):
    return member_of(school)


@pytest.fixture
def other_member(other_school):
    return member_of(other_school, username="other_navigator", email="other@example.org")


def approve(plan: Plan) -> Plan:
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED)
    plan.refresh_from_db()
    return plan


@pytest.fixture
def approved(plan):
    add_row(plan, "3.4.12.1.", activity="Урок «Шоу профессий»", hours=4, grades=(6, 7))
    return approve(plan)


def link_in(message) -> str:
    return re.search(r"https?://\S+/accounts/reset/\S+", message.body)[0]


def add_form(**fields):
    return {
        "full_name": "Кодзокова Мадина Хасановна",
        "team_position": "class_teacher",
        "email": "madina@example.org",
        "delivery": "mail",
        **fields,
    }


# --- adding and inviting -----------------------------------------------------------------


def test_deputy_adds_a_member_who_gets_an_invitation_sets_a_password_and_signs_in(
    client, deputy, school, run_worker, django_capture_on_commit_callbacks
):
    client.force_login(deputy)
    page = client.get(reverse("plans:team-add")).content.decode()
    assert "Отправить приглашение по почте" in page and "Распечатать лист входа" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("plans:team-add"), add_form(marks_any_row="on"))
    assert response.status_code == 302 and response["Location"] == reverse("plans:team")
    member = User.objects.get(email="madina@example.org")
    assert (member.school, member.school_role, member.team_position) == (
        school,
        "member",
        "class_teacher",
    )
    assert (member.last_name, member.first_name) == ("Кодзокова", "Мадина Хасановна")
    assert member.username == "madina" and member.marks_any_row
    assert not member.has_usable_password()
    assert AuditEvent.objects.filter(
        kind=AuditKind.TEAM_CHANGE, user=deputy, detail__contains="добавлен в команду"
    ).exists()

    team = client.get(reverse("plans:team")).content.decode()
    assert "Кодзокова Мадина Хасановна" in team and "классный руководитель" in team
    assert "пароль ещё не задан" in team and "ещё не входил" in team

    run_worker()
    (message,) = [m for m in mail.outbox if m.to == ["madina@example.org"]]
    assert "Логин: madina" in message.body and school.short_name in message.body
    link = link_in(message)

    stranger = client.__class__()
    form = stranger.get(link, follow=True)
    assert "Новый пароль" in form.content.decode()
    done = stranger.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Горы-Эльбрус-2024", "new_password2": "Горы-Эльбрус-2024"},
    )
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.has_usable_password()
    signed = stranger.post(
        reverse("login"), {"username": "madina", "password": "Горы-Эльбрус-2024"}
    )
    assert signed.status_code == 302
    home = stranger.get(reverse("plans:home"), follow=True)  # a member's home: /my/
    assert "Мои мероприятия" in home.content.decode()
    # The link worked once: now it is refused.
    assert "Ссылка недействительна" in stranger.get(link, follow=True).content.decode()
    assert "пароль задан" in client.get(reverse("plans:team")).content.decode()


def test_invitation_again_from_the_member_page(client, deputy, navigator, run_worker):
    client.force_login(deputy)
    page = client.get(reverse("plans:team-member", args=[navigator.pk])).content.decode()
    assert "Отправить приглашение ещё раз" in page
    response = client.post(reverse("plans:team-member", args=[navigator.pk]), {"invite": "1"})
    assert response.status_code == 302
    run_worker()
    assert [m.to for m in mail.outbox] == [[navigator.email]]


def test_logins_never_clash(deputy, school):
    UserFactory(username="petrova.as")
    first = members.team_member_add(
        school=school,
        by=deputy,
        full_name="Петрова Анна Сергеевна",
        team_position="teacher",
        email="1anna@example.org",  # not a plain Latin name: from the surname
    )
    second = members.team_member_add(
        school=school,
        by=deputy,
        full_name="Петрова Алла Семёновна",
        team_position="teacher",
        email="1alla@example.org",
    )
    assert first.username == "petrova.as2"
    assert second.username == "petrova.as3"


def test_duplicate_email_and_empty_name_are_answered_in_russian_keeping_what_was_typed(
    client, deputy, navigator
):
    client.force_login(deputy)
    response = client.post(
        reverse("plans:team-add"),
        add_form(full_name="Тхагапсоева Зарина", email=navigator.email.upper()),
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "уже указан у другой учётной записи" in page
    assert 'value="Тхагапсоева Зарина"' in page
    response = client.post(reverse("plans:team-add"), add_form(full_name="   "))
    page = response.content.decode()
    assert response.status_code == 422 and "Укажите фамилию и имя." in page
    assert 'value="madina@example.org"' in page
    response = client.post(reverse("plans:team-add"), add_form(email="не почта"))
    assert "Введите адрес электронной почты" in response.content.decode()
    assert User.objects.filter(school_role="member").count() == 1


def test_a_removed_members_email_may_be_given_to_a_new_account(deputy, school, navigator):
    members.team_member_remove(member=navigator, by=deputy)
    again = members.team_member_add(
        school=school,
        by=deputy,
        full_name="Кодзоков Алим",
        team_position="navigator",
        email=navigator.email,
    )
    assert again.pk != navigator.pk and again.username != navigator.username


def test_services_refuse_anyone_but_the_schools_deputy(
    deputy, other_deputy, school, navigator, coordinator, reviewer
):
    for by in (other_deputy, navigator, coordinator, reviewer):
        with pytest.raises(TransitionRefused):
            members.team_member_add(
                school=school,
                by=by,
                full_name="Иванов Иван",
                team_position="teacher",
                email="ivanov@example.org",
            )
        for service in (members.team_member_invite, members.team_member_remove):
            with pytest.raises(TransitionRefused):
                service(member=navigator, by=by)
        with pytest.raises(TransitionRefused):
            members.team_member_update(member=navigator, by=by, marks_any_row=True)
    # Not the deputy themself either.
    with pytest.raises(TransitionRefused):
        members.team_member_remove(member=deputy, by=deputy)
    navigator.refresh_from_db()
    assert navigator.is_active and not navigator.marks_any_row


# --- changing ---------------------------------------------------------------------------


def test_deputy_changes_position_email_and_the_right_to_mark_any_row(client, deputy, navigator):
    client.force_login(deputy)
    response = client.post(
        reverse("plans:team-member", args=[navigator.pk]),
        {
            "full_name": "Кодзоков Алим Русланович",
            "team_position": "psychologist",
            "email": "alim@example.org",
            "marks_any_row": "on",
        },
    )
    assert response.status_code == 302
    navigator.refresh_from_db()
    assert navigator.team_position == "psychologist" and navigator.marks_any_row
    assert navigator.email == "alim@example.org" and navigator.first_name == "Алим Русланович"
    assert AuditEvent.objects.filter(detail__contains="отмечает любые строки").exists()


# --- the sheet ------------------------------------------------------------------------------


def test_sign_in_sheet_shows_login_site_and_a_link_with_its_qr_code(client, deputy, navigator):
    navigator.set_unusable_password()
    navigator.save()
    client.force_login(deputy)
    response = client.get(reverse("plans:team-sheet", args=[navigator.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "Кодзоков Алим" in page and ">navigator<" in page and "http://" in page
    assert 'class="sheet-qr"' in page and "<svg" in page
    link = re.search(r'id="sheet-link">([^<\s]+)<', page)[1]
    assert "/accounts/reset/" in link
    # Printing changed nothing: the account is as it was, the link is good.
    navigator.refresh_from_db()
    assert not navigator.has_usable_password() and navigator.is_active
    stranger = client.__class__()
    assert "Новый пароль" in stranger.get(link, follow=True).content.decode()


def test_sheet_for_a_member_with_a_password_asks_first_and_resets_by_post(
    client, deputy, navigator
):
    navigator.set_password("старый-пароль-123")
    navigator.save()
    client.force_login(deputy)
    url = reverse("plans:team-sheet", args=[navigator.pk])
    page = client.get(url).content.decode()
    assert "уже задал(а) пароль" in page and "sheet-link" not in page
    navigator.refresh_from_db()
    assert navigator.check_password("старый-пароль-123")  # the GET changed nothing
    page = client.post(url).content.decode()
    assert 'id="sheet-link"' in page
    navigator.refresh_from_db()
    assert not navigator.has_usable_password()


def test_adding_with_a_printed_sheet_goes_to_the_sheet_and_sends_no_mail(
    client, deputy, run_worker
):
    client.force_login(deputy)
    response = client.post(reverse("plans:team-add"), add_form(delivery="sheet"))
    member = User.objects.get(email="madina@example.org")
    assert response["Location"] == reverse("plans:team-sheet", args=[member.pk])
    run_worker()
    assert mail.outbox == []


# --- removing -------------------------------------------------------------------------


def test_removing_keeps_the_marks_signed_with_the_name(client, deputy, navigator, approved):
    row = approved.rows.get(activity="Урок «Шоу профессий»")
    RowAssignment.objects.create(row=row, person=navigator, assigned_by=deputy)
    CalendarFeed.objects.create(person=navigator)
    RowExecution.objects.create(row=row, status="done", recorded_by=navigator)
    client.force_login(deputy)
    url = reverse("plans:team-remove", args=[navigator.pk])
    page = client.get(url).content.decode()
    assert "Удалить из команды: Кодзоков Алим?" in page
    assert "Назначенные ему мероприятия (1)" in page
    navigator.refresh_from_db()
    assert navigator.is_active  # the GET asks only

    assert client.post(url).status_code == 302
    navigator.refresh_from_db()
    assert not navigator.is_active and User.objects.filter(pk=navigator.pk).exists()
    assert not RowAssignment.objects.filter(person=navigator).exists()
    assert not CalendarFeed.objects.filter(person=navigator).exists()
    execution = client.get(reverse("plans:execution", args=[approved.pk])).content.decode()
    assert "Отметил(а)" in execution and "Алим Кодзоков" in execution
    team = client.get(reverse("plans:team")).content.decode()
    assert "Кодзоков" not in team and "Удалённых из команды: 1" in team
    # The removed member's pages are gone; their session no longer signs in.
    assert client.get(reverse("plans:team-member", args=[navigator.pk])).status_code == 404
    gone = client.__class__()
    gone.force_login(navigator)
    assert gone.get(reverse("plans:home")).status_code == 302


# --- who may open the pages --------------------------------------------------------------


def team_urls(member_pk):
    return [
        reverse("plans:team"),
        reverse("plans:team-add"),
        reverse("plans:team-history"),
        reverse("plans:team-member", args=[member_pk]),
        reverse("plans:team-sheet", args=[member_pk]),
        reverse("plans:team-remove", args=[member_pk]),
    ]


MEMBER_URLS = slice(3, None)


def test_another_schools_deputy_finds_no_member_of_ours(client, other_deputy, navigator):
    client.force_login(other_deputy)
    for url in team_urls(navigator.pk)[MEMBER_URLS]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"invite": "1"}).status_code == 404, url
    navigator.refresh_from_db()
    assert navigator.is_active


def test_only_the_deputy_opens_the_team_pages(
    client, navigator, coordinator, reviewer, superuser, school
):
    colleague = member_of(school, username="teacher", email="teacher@example.org")
    for user in (navigator, coordinator, reviewer, superuser):
        log_in(client, user)
        for url in team_urls(colleague.pk):
            assert client.get(url).status_code == 404, (user, url)
            assert client.post(url, add_form()).status_code == 404, (user, url)
    colleague.refresh_from_db()
    assert colleague.is_active
    assert not User.objects.filter(email="madina@example.org").exists()


def test_the_deputy_finds_the_team_from_the_nav_the_plan_and_the_execution(
    client, deputy, navigator, approved
):
    client.force_login(deputy)
    for url in (
        reverse("plans:home"),
        reverse("plans:edit", args=[approved.pk]),
        reverse("plans:execution", args=[approved.pk]),
    ):
        assert 'href="/team/"' in client.get(url).content.decode(), url
    client.force_login(navigator)
    for url in (reverse("plans:home"), reverse("plans:edit", args=[approved.pk])):
        assert 'href="/team/"' not in client.get(url).content.decode(), url


# --- history ------------------------------------------------------------------------------


def test_history_says_who_marked_what(client, deputy, navigator, approved):
    from plans.execution.services import row_execution_record

    row = approved.rows.get(activity="Урок «Шоу профессий»")
    RowAssignment.objects.create(row=row, person=navigator)  # the navigator marks their row
    row_execution_record(row=row, by=navigator, data={"status": "done"})
    row_execution_record(row=row, by=deputy, data={"status": "moved", "moved_to": date(2024, 3, 1)})
    client.force_login(deputy)
    page = client.get(reverse("plans:team-history")).content.decode()
    assert "Кодзоков Алим" in page and "Шоу профессий" in page
    table = page[page.index('id="history-table"') :]
    # Newest first: the deputy's move, then the navigator's «выполнено».
    assert table.index("Петрова Анна") < table.index("перенесено на 01.03.2024")
    assert table.index("перенесено на 01.03.2024") < table.index("Кодзоков Алим")
    assert table.index("Кодзоков Алим") < table.rindex("выполнено")
    assert "3.4.12.1.1." in table


# --- query counts ------------------------------------------------------------------------


def _team_of(school, count):
    for n in range(count):
        member_of(school, username=f"m{n}", email=f"m{n}@example.org")


def test_team_page_queries_do_not_grow_with_members(
    client, deputy, school, django_assert_num_queries
):
    client.force_login(deputy)
    _team_of(school, 2)
    client.get(reverse("plans:team"))
    # session, user, the team, the school's name, the removed ones' count; the session
    # saved (its expiry slides: an update in a savepoint)
    with django_assert_num_queries(TEAM_QUERIES):
        client.get(reverse("plans:team"))
    for n in range(2, 12):
        member_of(school, username=f"m{n}", email=f"m{n}@example.org")
    with django_assert_num_queries(TEAM_QUERIES):
        assert "m11" in client.get(reverse("plans:team")).content.decode()


def test_history_queries_do_not_grow_with_marks(
    client, deputy, school, approved, django_assert_num_queries
):
    from plans.execution.services import row_execution_record

    people = [member_of(school, username=f"m{n}", email=f"m{n}@example.org") for n in range(6)]
    rows = [
        add_row(approved, "3.4.12.1.", activity=f"Мероприятие {n}", hours=1, grades=(6,))
        for n in range(6)
    ]
    for row, person in zip(rows, people, strict=True):  # each marks the row assigned to them
        RowAssignment.objects.create(row=row, person=person)
    row_execution_record(row=rows[0], by=people[0], data={"status": "done"})
    client.force_login(deputy)
    client.get(reverse("plans:team-history"))
    with django_assert_num_queries(HISTORY_QUERIES):
        client.get(reverse("plans:team-history"))
    for row, person in zip(rows, people, strict=True):
        row_execution_record(row=row, by=person, data={"status": "done"})
    with django_assert_num_queries(HISTORY_QUERIES):
        page = client.get(reverse("plans:team-history")).content.decode()
    assert "Мероприятие 5" in page


HISTORY_QUERIES = 16
TEAM_QUERIES = 8
