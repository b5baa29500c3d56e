"""The plan's workbook uploaded back: every cell with text either lands in the plan or
is listed as not taken, with its place (sheet, row, column)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans.documents.formats.xlsx import plan_xlsx
from plans.imports.services import plan_import_xlsx
from plans.imports.xlsx import xlsx_changes
from plans.models import Plan, PlanRow

from . import test_xlsx_round_trip as round_trip
from .test_xlsx_round_trip import fresh, row_of, saved, workbook

filled = round_trip.filled  # the plan with four school rows, a fixture

pytestmark = pytest.mark.django_db


def row_starting(sheet, text: str) -> int:
    """The sheet row whose column A (a heading's number and title) starts with `text`."""
    for (cell,) in sheet.iter_rows(min_col=1, max_col=1):
        if cell.value and str(cell.value).startswith(text):
            return cell.row
    raise AssertionError(text)


def untaken(changes) -> dict[str, dict]:
    return {entry["place"]: entry for entry in changes.untaken}


def test_an_untouched_workbook_leaves_nothing_untaken(filled):
    Plan.objects.filter(pk=filled.pk).update(explanatory_note="Пояснение школы.\nВторой абзац.")
    plan = fresh(filled)
    changes = xlsx_changes(plan_xlsx(plan), "план.xlsx", plan)
    assert changes.untaken == [] and changes.changes == []


def test_edits_the_import_does_not_take_are_listed_with_their_place(filled):
    book = workbook(filled)
    sheet = book.worksheets[0]
    heading = row_starting(sheet, "3.3.")
    sheet.cell(heading, 1).value = "3.3. КАДРЫ ШКОЛЫ"  # a heading renamed
    sheet.cell(heading, 3).value = "весь год"  # a period typed into a heading's row
    excursion = row_of(sheet, "Экскурсия")
    sheet.cell(excursion, 10).value = "уточнить у директора"  # column J, beside the table
    bottom = sheet.max_row + 2
    sheet.cell(bottom, 2).value = "Подпись директора"  # under everything
    book.create_sheet("Заметки")["B2"] = "Купить бумагу"  # a sheet of the school's own
    changes = xlsx_changes(saved(book), "план.xlsx", filled)

    found = untaken(changes)
    renamed = found[f"Лист «План», строка {heading}, столбец A"]
    assert (
        renamed["text"] == "3.3. КАДРЫ ШКОЛЫ" and "заголовок примерного плана" in renamed["reason"]
    )
    assert found[f"Лист «План», строка {heading}, столбец C"]["text"] == "весь год"
    beside = found[f"Лист «План», строка {excursion}, столбец J"]
    assert beside["text"] == "уточнить у директора" and "вне таблицы" in beside["reason"]
    assert found[f"Лист «План», строка {bottom}, столбец B"]["text"] == "Подпись директора"
    assert found["Лист «Заметки»"]["text"] == "Купить бумагу"
    assert "не читается (ячеек с текстом: 1)" in found["Лист «Заметки»"]["reason"]
    assert len(found) == 5 and changes.changes == []


def test_the_title_of_3_2_typed_in_the_workbook_lands_as_a_row(filled):
    book = workbook(filled)
    sheet = book.worksheets[0]
    heading = row_starting(sheet, "3.2.")
    sheet.cell(heading, 1).value = "3.2. ИНФОРМАЦИОННОЕ ОБЕСПЕЧЕНИЕ"
    changes = xlsx_changes(saved(book), "план.xlsx", filled)
    [added] = changes.of("added")
    assert added.fields["activity"] == "ИНФОРМАЦИОННОЕ ОБЕСПЕЧЕНИЕ"
    assert "нет названия" in added.notes[0] and changes.untaken == []
    plan_import_xlsx(plan=filled, changes=changes)
    row = PlanRow.objects.get(plan=filled, activity="ИНФОРМАЦИОННОЕ ОБЕСПЕЧЕНИЕ")
    assert row.parent.code == "3.2."


def test_the_preview_page_lists_what_is_not_taken(client, deputy, filled):
    book = workbook(filled)
    sheet = book.worksheets[0]
    heading = row_starting(sheet, "3.3.")
    sheet.cell(heading, 3).value = "весь год"
    client.force_login(deputy)
    response = client.post(
        reverse("plans:import-xlsx", args=[filled.pk]),
        {"file": SimpleUploadedFile("план.xlsx", saved(book))},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Текст, который не будет перенесён: 1." in page
    assert f"Лист «План», строка {heading}, столбец C" in page and "весь год" in page


def test_a_long_list_stops_and_says_how_many_more(filled, monkeypatch):
    """The list is kept in the session and shown on a page: a file of thousands of such
    cells gets the first ones and their count."""
    monkeypatch.setattr("plans.imports.placement.MAX_UNTAKEN", 2)
    book = workbook(filled)
    sheet = book.worksheets[0]
    first = row_of(sheet, "Экскурсия")
    for offset in range(5):
        sheet.cell(first + offset, 10).value = f"заметка {offset}"
    changes = xlsx_changes(saved(book), "план.xlsx", filled)
    assert changes.untaken_total == 5
    assert [entry["text"] for entry in changes.untaken[:2]] == ["заметка 0", "заметка 1"]
    assert changes.untaken[2]["reason"] == "И ещё ячеек с текстом, который не переносится: 3."
