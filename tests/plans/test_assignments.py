"""Assigned rows (issue 22, item 2): the deputy assigns rows of Table 1 to the school's
team, one row at a time or many at once, whatever the plan's status; the column
«Ответственные, исполнители» stays the document's free text and is filled from the
names only when asked; imports offer to match the names they bring to the team."""

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import Plan, PlanRow, PlanStatus, Region, RowAssignment
from plans.services import TransitionRefused
from plans.team.assignments import (
    assignees_by_row,
    match_team,
    person_label,
    row_assignees_set,
    rows_assign,
    rows_unassign,
)
from tests.factories import UserFactory, add_row
from tests.signin import log_in

pytestmark = pytest.mark.django_db


def member(school, username, last_name, first_name="Анна Петровна", position="navigator"):
    return UserFactory(
        username=username,
        school=school,
        school_role="member",
        team_position=position,
        first_name=first_name,
        last_name=last_name,
    )


@pytest.fixture
def navigator(school):
    return member(school, "navigator", "Иванова")


@pytest.fixture
def teacher(school):
    return member(school, "teacher", "Сидоров", "Пётр Ильич", "class_teacher")


@pytest.fixture
def row(plan):
    return add_row(plan, "3.2.", activity="Экскурсия на завод", period="октябрь")


def set_status(plan, status):
    Plan.objects.filter(pk=plan.pk).update(status=status)
    plan.refresh_from_db()
    return plan


def version_of(plan):
    return Plan.objects.values_list("version", flat=True).get(pk=plan.pk)


def assignees_url(plan, row, **query):
    url = reverse("plans:row-assignees", args=[plan.pk, row.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def page(response) -> str:
    return response.content.decode()


# --- Matching names to the team: a pure function --------------------------------------


class Person:
    """Enough of a user for `match_team` and `person_label`: no database."""

    def __init__(self, last_name, first_name="", pk=1, **fields):
        self.last_name, self.first_name, self.pk = last_name, first_name, pk
        self.team_position = fields.get("team_position", "")
        self.position = fields.get("position", "")
        self.school_role = fields.get("school_role", "member")

    def get_team_position_display(self):
        return {"navigator": "педагог-навигатор"}.get(self.team_position, self.team_position)

    def get_username(self):
        return "user"


IVANOVA = Person("Иванова", "Анна Петровна", 1)
PETROV = Person("Петров", "Сергей Олегович", 2)
SEMYONOVA = Person("Семёнова", "Ольга", 3)


@pytest.mark.parametrize(
    "text",
    [
        "Иванова А.П.",
        "Иванова А. П., педагог-навигатор",
        "Иванова Анна Петровна",
        "зам. директора Иванова",
        "ИВАНОВА",
        "иванова а.п.",
        "А.П. Иванова",
        "Классные руководители; Иванова",
    ],
)
def test_a_surname_names_the_member_whatever_the_way_it_is_written(text):
    assert match_team(text, [IVANOVA, PETROV]) == [IVANOVA]


@pytest.mark.parametrize("text", ["Семенова О.", "семёнова", "СЕМЕНОВА Ольга"])
def test_yo_and_ye_are_the_same_letter(text):
    assert match_team(text, [SEMYONOVA]) == [SEMYONOVA]


@pytest.mark.parametrize(
    "text",
    [
        "Иванов И. И.",  # another surname, not a prefix
        "Ивановская ООШ",
        "Иванова М. С.",  # the initials say another Иванова
        "Иванова Мария Сергеевна",
        "Классные руководители",
        "",
    ],
)
def test_other_words_do_not_name_the_member(text):
    assert match_team(text, [IVANOVA]) == []


def test_several_people_in_one_cell_in_the_order_of_the_team():
    text = "Петров С. О., учитель; Иванова А. П., педагог-навигатор"
    assert match_team(text, [IVANOVA, PETROV, SEMYONOVA]) == [IVANOVA, PETROV]


def test_a_person_is_worded_as_the_document_names_them():
    assert person_label(Person("Иванова", "Анна Петровна", team_position="navigator")) == (
        "Иванова А. П., педагог-навигатор"
    )
    deputy = Person("Орлова", "Вера Ивановна", school_role="deputy")
    assert person_label(deputy) == "Орлова В. И., заместитель директора"


# --- The services ------------------------------------------------------------------


def test_the_deputy_assigns_without_changing_the_text_or_the_version(deputy, navigator, plan, row):
    version = version_of(plan)
    for status in (
        PlanStatus.DRAFT,
        PlanStatus.SUBMITTED,
        PlanStatus.RETURNED,
        PlanStatus.APPROVED,
    ):
        set_status(plan, status)
        row_assignees_set(row=row, people=[navigator, deputy], by=deputy)
        assert list(row.assignees.order_by("last_name")) == [navigator, deputy]
        row_assignees_set(row=row, people=[], by=deputy)
        assert not row.assignees.exists()
    row.refresh_from_db()
    assert row.responsible == ""
    assert version_of(plan) == version


def test_another_schools_person_is_refused(deputy, plan, row, other_school):
    stranger = member(other_school, "stranger", "Кузнецова")
    with pytest.raises(TransitionRefused) as refused:
        row_assignees_set(row=row, people=[stranger], by=deputy)
    assert "не входит в команду школы" in refused.value.message
    with pytest.raises(TransitionRefused):
        rows_assign(plan=plan, rows=[row], person=stranger, by=deputy)
    assert not RowAssignment.objects.exists()


def test_a_person_who_left_is_refused(deputy, navigator, row):
    navigator.is_active = False
    navigator.save()
    with pytest.raises(TransitionRefused):
        row_assignees_set(row=row, people=[navigator], by=deputy)


def test_only_the_deputy_assigns(navigator, coordinator, other_deputy, reviewer, plan, row):
    for user in (navigator, coordinator, other_deputy, reviewer):
        with pytest.raises(TransitionRefused) as refused:
            row_assignees_set(row=row, people=[navigator], by=user)
        assert refused.value.message.startswith("Назначать исполнителей может только")
        with pytest.raises(TransitionRefused):
            rows_assign(plan=plan, rows=[row], person=navigator, by=user)
    assert not RowAssignment.objects.exists()


def test_a_row_of_another_plan_is_refused(deputy, navigator, plan, other_plan):
    stranger_row = add_row(other_plan, "3.2.", activity="Чужая строка")
    with pytest.raises(TransitionRefused):
        rows_assign(plan=plan, rows=[stranger_row], person=navigator, by=deputy)


def test_bulk_assign_adds_replaces_and_unassigns(deputy, navigator, teacher, plan):
    rows = [add_row(plan, "3.2.", activity=f"Занятие {n}") for n in range(3)]
    assert rows_assign(plan=plan, rows=rows[:2], person=navigator, by=deputy) == 2
    assert rows_assign(plan=plan, rows=rows, person=navigator, by=deputy) == 1  # once each
    assert rows_assign(plan=plan, rows=rows[:1], person=teacher, by=deputy) == 1
    assert set(rows[0].assignees.all()) == {navigator, teacher}
    rows_assign(plan=plan, rows=rows[:1], person=teacher, by=deputy, replace=True)
    assert list(rows[0].assignees.all()) == [teacher]
    assert rows_unassign(plan=plan, rows=rows, person=navigator, by=deputy) == 2
    assert {r: [p.username for p in people] for r, people in assignees_by_row(plan).items()} == {
        rows[0].pk: ["teacher"]
    }
    assert RowAssignment.objects.get(person=teacher).assigned_by == deputy


def test_filling_the_column_is_an_edit_of_the_plan(deputy, navigator, teacher, plan, row):
    version = version_of(plan)
    row_assignees_set(
        row=row, people=[navigator, teacher], by=deputy, fill_responsible=True, version=version
    )
    row.refresh_from_db()
    assert row.responsible == (
        "Иванова А. П., педагог-навигатор\nСидоров П. И., классный руководитель"
    )
    assert version_of(plan) == version + 1  # as any edit: the editor's cache moves on


def test_filling_the_column_of_an_approved_plan_is_refused_and_nothing_changes(
    deputy, navigator, plan, row
):
    set_status(plan, PlanStatus.APPROVED)
    with pytest.raises(TransitionRefused):
        row_assignees_set(row=row, people=[navigator], by=deputy, fill_responsible=True)
    assert not row.assignees.exists()


# --- The row's page ------------------------------------------------------------------


def test_the_row_page_assigns_and_fills_the_column(client, deputy, navigator, teacher, plan, row):
    client.force_login(deputy)
    editor = reverse("plans:edit", args=[plan.pk])
    form = client.get(assignees_url(plan, row, next=editor))
    text = page(form)
    assert "Экскурсия на завод" in text
    assert "Иванова А. П., педагог-навигатор" in text and "Сидоров П. И." in text
    assert "Петрова А., заместитель директора" in text  # the deputy may take a row too
    assert "Записать в графу «Ответственные, исполнители»" in text

    response = client.post(
        assignees_url(plan, row),
        {
            "people": [navigator.pk],
            "fill_responsible": "1",
            "version": version_of(plan),
            "next": editor,
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == editor
    assert "Исполнители назначены: Иванова А. П., педагог-навигатор." in page(response)
    assert "Графа «Ответственные, исполнители» заполнена." in page(response)
    row.refresh_from_db()
    assert row.responsible == "Иванова А. П., педагог-навигатор"
    assert list(row.assignees.all()) == [navigator]


def test_the_row_page_without_the_box_leaves_text_and_version(client, deputy, navigator, plan, row):
    client.force_login(deputy)
    version = version_of(plan)
    client.post(assignees_url(plan, row), {"people": [navigator.pk]})
    row.refresh_from_db()
    assert row.responsible == "" and version_of(plan) == version
    assert list(row.assignees.all()) == [navigator]


def test_a_stale_page_filling_the_column_keeps_the_choice_and_says_why(
    client, deputy, navigator, plan, row
):
    client.force_login(deputy)
    response = client.post(
        assignees_url(plan, row),
        {"people": [navigator.pk], "fill_responsible": "1", "version": version_of(plan) - 1},
    )
    assert response.status_code == 409
    assert "План уже изменён в другой вкладке" in page(response)
    assert f'value="{navigator.pk}" id="person-{navigator.pk}" checked' in page(response)
    assert not row.assignees.exists()  # all or nothing


def test_an_approved_plan_assigns_without_offering_the_column(
    client, deputy, navigator, approved_row
):
    plan, row = approved_row
    client.force_login(deputy)
    text = page(client.get(assignees_url(plan, row)))
    assert "Записать в графу" not in text
    assert "Графа «Ответственные, исполнители» не меняется" in text
    # A forged box changes nothing of the text.
    response = client.post(
        assignees_url(plan, row), {"people": [navigator.pk], "fill_responsible": "1"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:execution", args=[plan.pk]) + f"#row-{row.pk}"
    row.refresh_from_db()
    assert row.responsible == "" and list(row.assignees.all()) == [navigator]


def test_someone_not_in_the_list_is_refused_with_words(client, deputy, plan, row, other_school):
    stranger = member(other_school, "stranger", "Кузнецова")
    client.force_login(deputy)
    response = client.post(assignees_url(plan, row), {"people": [stranger.pk, "x"]})
    assert response.status_code == 422
    assert "Выберите исполнителей из списка команды школы" in page(response)
    assert not RowAssignment.objects.exists()


def test_next_leads_only_to_this_site(client, deputy, navigator, plan, row):
    client.force_login(deputy)
    response = client.post(
        assignees_url(plan, row), {"people": [navigator.pk], "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("plans:edit", args=[plan.pk]) + f"#row-{row.pk}"


@pytest.fixture
def ministry(db):
    return UserFactory(username="ministry", is_ministry=True, region=Region.objects.default())


def test_nobody_but_the_deputy_assigns(
    client, navigator, coordinator, reviewer, ministry, other_deputy, plan, row
):
    urls = [assignees_url(plan, row), reverse("plans:assign", args=[plan.pk])]
    posts = [
        {"people": [navigator.pk]},
        {"rows": [row.pk], "person": navigator.pk, "action": "assign"},
    ]
    for user in (navigator, coordinator, reviewer, ministry, other_deputy):
        client.logout()
        log_in(client, user)
        for url, data in zip(urls, posts, strict=True):
            assert client.get(url).status_code == 404, (user, url)
            assert client.post(url, data).status_code == 404, (user, url)
    assert not RowAssignment.objects.exists()


def test_a_row_of_another_plan_through_this_one_is_not_found(client, deputy, plan, other_plan):
    stranger_row = add_row(other_plan, "3.2.", activity="Чужая строка")
    client.force_login(deputy)
    assert client.get(assignees_url(plan, stranger_row)).status_code == 404


def test_the_editors_row_form_links_to_the_assignees(client, deputy, navigator, plan, row):
    row_assignees_set(row=row, people=[navigator], by=deputy)
    client.force_login(deputy)
    form = page(client.get(reverse("plans:row-edit", args=[plan.pk, row.pk])))
    assert "Исполнители из команды: Иванова А. П., педагог-навигатор" in form
    assert reverse("plans:row-assignees", args=[plan.pk, row.pk]) + "?next=" in form
    editor = page(client.get(reverse("plans:edit", args=[plan.pk])))
    assert reverse("plans:assign", args=[plan.pk]) in editor


# --- Many rows at once --------------------------------------------------------------


def test_the_bulk_page_assigns_the_ticked_rows(client, deputy, navigator, teacher, plan):
    rows = [add_row(plan, "3.2.", activity=f"Занятие {n}", period="ноябрь") for n in range(3)]
    client.force_login(deputy)
    url = reverse("plans:assign", args=[plan.pk])
    text = page(client.get(url))
    assert "Занятие 0" in text and "ноябрь" in text
    assert "Иванова А. П., педагог-навигатор" in text  # in the list of whom to assign
    version = version_of(plan)

    response = client.post(
        url,
        {"rows": [rows[0].pk, rows[2].pk], "person": navigator.pk, "action": "assign"},
        follow=True,
    )
    text = page(response)
    assert "Иванова А. П., педагог-навигатор: назначено строк – 2." in text
    assert [list(r.assignees.all()) for r in rows] == [[navigator], [], [navigator]]
    assert (
        text.count("Иванова А. П., педагог-навигатор<br>")
        + text.count("Иванова А. П., педагог-навигатор</td>")
        == 2
    )  # shown beside both rows

    client.post(
        url, {"rows": [rows[0].pk], "person": teacher.pk, "action": "assign", "replace": "1"}
    )
    assert list(rows[0].assignees.all()) == [teacher]
    response = client.post(
        url,
        {"rows": [r.pk for r in rows], "person": navigator.pk, "action": "unassign"},
        follow=True,
    )
    assert "снято со строк – 1." in page(response)
    assert version_of(plan) == version


def test_the_bulk_page_says_what_is_missing_and_keeps_the_choice(client, deputy, navigator, plan):
    row = add_row(plan, "3.2.", activity="Занятие")
    client.force_login(deputy)
    url = reverse("plans:assign", args=[plan.pk])
    response = client.post(url, {"person": navigator.pk, "action": "assign"})
    assert response.status_code == 422
    assert "Отметьте строки плана." in page(response)
    assert f'<option value="{navigator.pk}" selected>' in page(response)
    response = client.post(url, {"rows": [row.pk], "action": "assign"})
    assert "Выберите, кого назначить или снять." in page(response)
    assert re.search(rf'id="pick-{row.pk}" aria-label="[^"]+" checked>', page(response))
    assert page(response).count(" checked>") == 1
    response = client.post(url, {"rows": ["abc", "-1"], "person": "x", "action": "assign"})
    assert response.status_code == 422
    assert not RowAssignment.objects.exists()


def test_the_bulk_page_works_without_scripts_and_loads_one_static_file(client, deputy, plan):
    client.force_login(deputy)
    text = page(client.get(reverse("plans:assign", args=[plan.pk])))
    assert 'src="/static/js/assign.js"' in text
    assert "<script>" not in text and "onclick" not in text
    assert 'name="action" value="assign"' in text  # a plain form's buttons


# --- The execution page --------------------------------------------------------------


@pytest.fixture
def approved_row(plan):
    row = add_row(plan, "3.2.", activity="Экскурсия на завод", start_date=date(2023, 10, 5))
    set_status(plan, PlanStatus.APPROVED)
    return plan, row


def test_the_execution_page_shows_assignees_and_links_for_the_deputy(
    client, deputy, navigator, coordinator, approved_row
):
    plan, row = approved_row
    row_assignees_set(row=row, people=[navigator], by=deputy)
    url = reverse("plans:execution", args=[plan.pk])
    client.force_login(deputy)
    text = page(client.get(url))
    assert "Иванова А. П., педагог-навигатор" in text
    assert reverse("plans:row-assignees", args=[plan.pk, row.pk]) in text
    assert reverse("plans:assign", args=[plan.pk]) in text
    client.force_login(coordinator)
    text = page(client.get(url))
    assert "Иванова А. П., педагог-навигатор" in text  # who does it, for those who read
    assert reverse("plans:assign", args=[plan.pk]) not in text


def grow(plan, school, rows: int, people: int):
    """Bring the plan to `rows` rows of its own under 3.2., each assigned to the same
    `people` members of the team."""
    team = list(get_user_model().objects.filter(school=school, username__startswith="m-"))
    team += [member(school, f"m-{n}", f"Фамилия{n}") for n in range(len(team), people)]
    first = add_row(plan, "3.2.", activity="Мероприятие")
    have = PlanRow.objects.filter(plan=plan, parent=first.parent).count()
    PlanRow.objects.bulk_create(
        PlanRow(
            plan=plan,
            parent=first.parent,
            anchor=first.anchor,
            order=1000 + n,
            activity=f"Мероприятие {n}",
        )
        for n in range(rows - have)
    )
    RowAssignment.objects.bulk_create(
        (
            RowAssignment(row=row, person=person)
            for row in PlanRow.objects.filter(plan=plan, parent=first.parent)
            for person in team
        ),
        ignore_conflicts=True,
    )


def count_queries(client, url) -> int:
    client.get(url)  # caches warm, the session read
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["plans:assign", "plans:execution"])
def test_pages_of_many_rows_keep_their_query_count(client, deputy, school, plan, name):
    set_status(plan, PlanStatus.APPROVED)
    client.force_login(deputy)
    url = reverse(name, args=[plan.pk])
    grow(plan, school, rows=10, people=1)
    few = count_queries(client, url)
    grow(plan, school, rows=300, people=5)
    assert PlanRow.objects.filter(plan=plan, assignments__isnull=False).distinct().count() >= 300
    assert RowAssignment.objects.filter(row__plan=plan).count() >= 1500
    assert count_queries(client, url) == few


# --- Imports offer the names they bring --------------------------------------------


def word_file():
    from tests.plans.imports.wordfiles import docx_bytes, seed_lines

    return docx_bytes(
        seed_lines(
            fill={
                "3.2.1.": ["Экскурсия на завод", "октябрь", "зам. директора Иванова"],
                "3.2.2.": ["Встреча с выпускниками", "декабрь", "Классные руководители"],
                "3.2.3.": ["Профпробы", "ноябрь", "Сидоров П.И., Иванова Анна Петровна"],
            }
        )
    )


def upload(data, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_the_word_preview_offers_the_team_and_assigns_the_ticked(
    client, deputy, navigator, teacher, year
):
    client.force_login(deputy)
    response = client.post(
        reverse("plans:import-docx"), {"file": upload(word_file(), "план.docx"), "year": year.pk}
    )
    preview_url = response["Location"]
    text = page(client.get(preview_url))
    assert "Исполнители из команды школы" in text
    offers = re.findall(r'name="assign" value="([\d:]+)" id="offer-\d+" checked>', text)
    assert len(offers) == 3  # Иванова twice, Сидоров once; «Классные руководители» nobody
    assert "назначить исполнителем <strong>Иванова А. П., педагог-навигатор</strong>" in text
    assert "3.2.1. Экскурсия на завод" in text

    # Untick Сидоров: only the ticked become assignments.
    sidorov = next(value for value in offers if value.endswith(f":{teacher.pk}"))
    ticked = [value for value in offers if value != sidorov]
    response = client.post(preview_url, {"assign": [*ticked, "0:999999", "junk"]}, follow=True)
    assert "Назначено исполнителей из команды: 2." in page(response)
    plan = Plan.objects.get(school=deputy.school)
    excursion = plan.rows.get(activity="Экскурсия на завод")
    assert excursion.responsible == "зам. директора Иванова"  # the free text as it was
    assert list(excursion.assignees.all()) == [navigator]
    assert list(plan.rows.get(activity="Профпробы").assignees.all()) == [navigator]
    assert not plan.rows.get(activity="Встреча с выпускниками").assignees.exists()
    assert RowAssignment.objects.count() == 2


def test_the_word_preview_of_a_team_without_those_names_offers_nothing(client, deputy, year):
    client.force_login(deputy)
    response = client.post(
        reverse("plans:import-docx"), {"file": upload(word_file(), "план.docx"), "year": year.pk}
    )
    assert "Исполнители из команды школы" not in page(client.get(response["Location"]))


def test_the_excel_preview_offers_the_team_for_added_and_changed_rows(
    client, deputy, navigator, teacher, plan
):
    from tests.plans.imports.test_xlsx_round_trip import row_of, saved, workbook

    add_row(plan, "3.2.", activity="Экскурсия на завод", responsible="Директор")
    done = add_row(plan, "3.2.", activity="Семинар", responsible="Сидоров")
    row_assignees_set(row=done, people=[teacher], by=deputy)  # already his: not offered again
    book = workbook(plan)
    sheet = book.worksheets[0]
    sheet.cell(row_of(sheet, "Экскурсия"), 4).value = "Иванова А. П."
    sheet.cell(row_of(sheet, "Семинар"), 2).value = "Семинар для педагогов"
    below = row_of(sheet, "Семинар")
    sheet.insert_rows(below + 1)
    sheet.cell(below + 1, 2).value = "Профпробы"
    sheet.cell(below + 1, 4).value = "ИВАНОВА, Сидоров П. И."

    client.force_login(deputy)
    response = client.post(
        reverse("plans:import-xlsx", args=[plan.pk]), {"file": upload(saved(book), "план.xlsx")}
    )
    preview_url = response["Location"]
    text = page(client.get(preview_url))
    offers = re.findall(r'name="assign" value="([\d:]+)" id="offer-\d+" checked>', text)
    assert len(offers) == 3  # Иванова on both rows, Сидоров on the new one only: the
    # changed «Семинар» names him too, but he has it already
    version = version_of(plan)
    response = client.post(preview_url, {"assign": offers}, follow=True)
    assert "Назначено исполнителей из команды: 3." in page(response)
    assert version_of(plan) == version + 1  # the import's one step, nothing more
    assert list(plan.rows.get(activity="Экскурсия на завод").assignees.all()) == [navigator]
    new = plan.rows.get(activity="Профпробы")
    assert set(new.assignees.all()) == {navigator, teacher}
    assert new.responsible == "ИВАНОВА, Сидоров П. И."
    assert list(done.assignees.all()) == [teacher]
