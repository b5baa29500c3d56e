"""Nothing typed in a Word plan is dropped without a word: every cell with text either
lands in the plan or is listed in the import report as not taken, with its place in
the file (table, row, column). Text in the row of 3.2, a heading the regional template
prints without a title, lands as the school's first row under it."""

import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from plans.imports.docx import read_docx
from plans.imports.placement import place_lines
from plans.models import Plan, PlanRow, SchoolYear, TemplateItem
from tests.factories import SchoolFactory
from tests.signin import log_in

from .wordfiles import docx_bytes, seed_lines

pytestmark = pytest.mark.django_db

HEADING_32 = "ИНФОРМАЦИОННОЕ ОБЕСПЕЧЕНИЕ ПРОФОРИЕНТАЦИИ"
HEADING_31 = ["3.1.", "НОРМАТИВНОЕ И ОРГАНИЗАЦИОННО-ПЕДАГОГИЧЕСКОЕ ОБЕСПЕЧЕНИЕ"]
HEAD_ROWS = 2  # the header and the «1 2 3 4 5 6 7» row above the seed's lines


def school_file():
    """The seed's Table 1 as a school fills it: its own title in the row of 3.2 (with a
    period), a row under it, and a period typed into the row of the heading 3.1."""
    lines = seed_lines(spans=False, fill={"3.2.1.": ["Выпуск школьной газеты", "ежемесячно"]})
    at_32 = lines.index(["3.2."])
    lines[at_32] = ["3.2.", HEADING_32, "в течение года"]
    at_31 = lines.index(HEADING_31)
    lines[at_31] = [*HEADING_31, "до 1 сентября"]
    return lines, at_32 + 1 + HEAD_ROWS, at_31 + 1 + HEAD_ROWS


def year():
    return SchoolYear.objects.get(title="2023-2024")


def test_the_title_a_school_gives_3_2_lands_as_its_first_row_under_it():
    lines, row_32, _ = school_file()
    placement = place_lines(read_docx(docx_bytes(lines)), year())
    heading = TemplateItem.objects.get(year=year(), code="3.2.")
    under = [row for row in placement.rows if row.parent_id == heading.pk]
    assert [row.activity for row in under][:2] == [HEADING_32, "Выпуск школьной газеты"]
    assert under[0].period == "в течение года" and under[0].line == row_32
    assert "перенесён первой строкой школы под этим пунктом" in under[0].notes[0]
    assert not any(entry.text == HEADING_32 for entry in placement.untaken)


def test_text_in_a_column_of_a_heading_row_is_listed_with_its_place():
    lines, _, row_31 = school_file()
    placement = place_lines(read_docx(docx_bytes(lines)), year())
    entry = next(entry for entry in placement.untaken if entry.text == "до 1 сентября")
    assert entry.place == f"Таблица 1, строка {row_31}, столбец 3"
    assert "заголовок примерного плана" in entry.reason
    # Nothing else of the file is left aside.
    assert len(placement.untaken) == 1 and not placement.problems


def test_a_title_other_than_the_templates_is_listed_as_not_taken():
    lines = seed_lines(spans=False)
    at = lines.index(HEADING_31)
    lines[at] = ["3.1.", "Наши нормативные документы"]
    placement = place_lines(read_docx(docx_bytes(lines)), year())
    [entry] = placement.untaken
    assert entry.text == "Наши нормативные документы"
    assert entry.place == f"Таблица 1, строка {at + 1 + HEAD_ROWS}, столбец 2"
    assert "задаёт примерный план" in entry.reason


def test_tables_that_are_not_table_1_and_cells_right_of_it_are_listed():
    document = docx.Document()
    approval = document.add_table(rows=1, cols=2)
    approval.cell(0, 1).text = "УТВЕРЖДАЮ Директор"
    lines = [["I.", "Постановка целей"], ["1.1.", "Цель", "в течение года"], ["1.2.", "Задача"]]
    table = document.add_table(rows=len(lines) + 1, cols=8)
    for column, title in enumerate(["Наименование", "Сроки", "Ответственные"]):
        table.cell(0, column + 1).text = title
    for row, line in enumerate(lines, start=1):
        for column, text in enumerate(line):
            table.cell(row, column).text = text
    table.cell(2, 7).text = "заметка на полях"
    output = io.BytesIO()
    document.save(output)

    placement = place_lines(read_docx(output.getvalue()), year())
    places = {entry.place: entry for entry in placement.untaken}
    assert "УТВЕРЖДАЮ Директор" in places["Таблица 1"].text
    assert "не похожа на Таблицу 1 плана" in places["Таблица 1"].reason
    assert places["Таблица 2, строка 3, столбец 8"].text == "заметка на полях"


@pytest.mark.parametrize("where", ["site", "admin"])
def test_the_preview_pages_show_the_report_and_the_text_lands_in_the_plan(
    client, deputy, reviewer, school, where
):
    from accounts.roles import REGIONAL, ensure_roles

    lines, _, row_31 = school_file()
    data = docx_bytes(lines)
    form = {"file": SimpleUploadedFile("план.docx", data), "year": year().pk}
    if where == "site":
        client.force_login(deputy)
        url = reverse("plans:import-docx")
    else:
        reviewer.groups.add(ensure_roles()[REGIONAL])
        log_in(client, reviewer)
        url = reverse("admin:plans_plan_import")
        form["school"] = school.pk
    response = client.post(url, form)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Текст, который не будет перенесён: 1." in page
    assert f"Таблица 1, строка {row_31}, столбец 3" in page and "до 1 сентября" in page
    assert HEADING_32 in page and "перенесён первой строкой школы под этим пунктом" in page

    client.post(response["Location"])
    plan = Plan.objects.get(school=school)
    assert PlanRow.objects.filter(plan=plan, parent__code="3.2.", activity=HEADING_32).exists()
    client.force_login(deputy)
    editor = client.get(plan.get_absolute_url()).content.decode()
    assert HEADING_32 in editor and "Выпуск школьной газеты" in editor


def test_the_command_prints_what_is_not_taken(tmp_path, capsys):
    SchoolFactory(inn="0701234567")
    lines, _, row_31 = school_file()
    path = tmp_path / "план.docx"
    path.write_bytes(docx_bytes(lines))
    call_command("import_plan", str(path), school="0701234567", year="2023-2024", dry_run=True)
    out = capsys.readouterr().out
    assert "Текст не перенесён (ячеек и таблиц): 1." in out
    assert f"  Таблица 1, строка {row_31}, столбец 3: Строка пункта 3.1." in out
    assert "      Текст: до 1 сентября" in out
    assert HEADING_32 in out and "перенесён первой строкой школы" in out


def test_text_beside_a_matching_title_is_listed_and_the_title_is_not():
    lines = seed_lines(spans=False)
    at = lines.index(HEADING_31)
    lines[at] = [f"3.1. {HEADING_31[1]}", "и наши дополнения"]
    placement = place_lines(read_docx(docx_bytes(lines)), year())
    [entry] = placement.untaken
    assert entry.text == "и наши дополнения"
    assert entry.place == f"Таблица 1, строка {at + 1 + HEAD_ROWS}, столбец 2"
