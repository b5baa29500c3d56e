"""The plan's workbook edited offline (by openpyxl here) and uploaded back: added,
changed and removed rows, conflicts with the site's edits since, all or nothing."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans.documents.formats.xlsx import KEY_COLUMN, KEY_SHEET, plan_xlsx
from plans.imports.services import plan_import_xlsx
from plans.imports.xlsx import xlsx_changes
from plans.models import Plan, PlanStatus
from plans.services import PlanConflict, plan_row_update
from tests.factories import add_row
from tests.signin import log_in

pytestmark = pytest.mark.django_db

KEY = openpyxl.utils.column_index_from_string(KEY_COLUMN)


def fresh(plan):
    return Plan.objects.for_editor().get(pk=plan.pk)


@pytest.fixture
def filled(plan):
    add_row(plan, "3.2.", activity="Экскурсия на завод", period="октябрь", responsible="Директор")
    add_row(plan, "3.2.", activity="Встреча с выпускниками", start_date=date(2023, 12, 1))
    add_row(
        plan,
        "3.4.12.2.",
        activity="Курс «Россия – мои горизонты»",
        hours=Decimal(34),
        grades=(6, 7),
    )
    add_row(plan, "3.3.", activity="Семинар для педагогов")
    return fresh(plan)


def workbook(plan):
    """The plan's workbook opened for editing. Its merged headings are split first:
    Excel moves them with inserted rows, openpyxl's insert_rows() does not."""
    book = openpyxl.load_workbook(io.BytesIO(plan_xlsx(fresh(plan))))
    sheet = book.worksheets[0]
    for merged in list(sheet.merged_cells.ranges):
        sheet.unmerge_cells(str(merged))
    return book


def row_of(sheet, text: str) -> int:
    for row in sheet.iter_rows(min_col=2, max_col=2):
        if row[0].value and str(row[0].value).startswith(text):
            return row[0].row
    raise AssertionError(text)


def saved(book) -> bytes:
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def visible_texts(data: bytes) -> list[tuple]:
    """Columns B–G of every line of the table, in order, as a reader of the file sees them."""
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    lines = []
    for row in sheet.iter_rows(min_row=1, max_col=KEY, values_only=True):
        if row[KEY - 1] or (lines and any(row[1:7])):
            lines.append(tuple(value or "" for value in row[1:7]))
    return lines


def test_the_keys_are_hidden_and_out_of_print(filled):
    book = workbook(filled)
    sheet, keys = book.worksheets[0], book[KEY_SHEET]
    assert sheet.column_dimensions[KEY_COLUMN].hidden
    assert keys.sheet_state == "veryHidden"
    assert keys["B1"].value == filled.pk and keys["C1"].value == filled.version
    assert sheet.cell(row_of(sheet, "Экскурсия"), KEY).value.startswith("r")


def test_an_untouched_workbook_changes_nothing(filled):
    changes = xlsx_changes(plan_xlsx(filled), "план.xlsx", filled)
    assert changes.changes == [] and changes.problems == []


def test_edits_come_back_row_for_row(filled):
    book = workbook(filled)
    sheet = book.worksheets[0]
    sheet.cell(row_of(sheet, "Экскурсия"), 2).value = "Экскурсия на хлебозавод"
    sheet.cell(row_of(sheet, "Экскурсия"), 3).value = "сентябрь–октябрь"
    sheet.delete_rows(row_of(sheet, "Встреча с выпускниками"))
    heading = row_of(sheet, "Курс «Россия")
    sheet.insert_rows(heading + 1)
    sheet.cell(heading + 1, 2).value = "Профпробы на платформе «Билет в будущее»"
    sheet.cell(heading + 1, 3).value = "до 15.12"
    sheet.cell(heading + 1, 8).value = 4
    sheet.cell(heading + 1, 9).value = "6, 7 кл."
    # A formula is read as its text, not as the value Excel would show.
    sheet.cell(row_of(sheet, "Семинар"), 7).value = '=CONCATENATE("Проведён";"")'
    data = saved(book)

    changes = xlsx_changes(data, "план.xlsx", filled)
    assert sorted(c.kind for c in changes.changes) == ["added", "changed", "changed", "removed"]
    version = filled.version
    plan_import_xlsx(plan=filled, changes=changes)

    plan = fresh(filled)
    assert plan.version == version + 1  # one step, whatever the number of rows
    excursion = plan.rows.get(activity="Экскурсия на хлебозавод")
    assert (excursion.start_date, excursion.end_date) == (date(2023, 9, 1), date(2023, 10, 31))
    assert not plan.rows.filter(activity="Встреча с выпускниками").exists()
    trial = plan.rows.get(activity__startswith="Профпробы")
    assert (trial.hours, trial.grades, trial.end_date) == (Decimal(4), (6, 7), date(2023, 12, 15))
    assert trial.parent.code == "3.4.12.2."
    assert plan.rows.get(activity="Семинар для педагогов").results == '=CONCATENATE("Проведён";"")'
    # Exported again, the plan reads as the edited file did, line for line (the export
    # adds the dates it read and the hours line under the new activity).
    expected = [(line[0].split("\n")[0], *line[3:]) for line in visible_texts(data)]
    got = [(line[0].split("\n")[0], *line[3:]) for line in visible_texts(plan_xlsx(plan))]
    assert got == expected


def test_changes_on_both_sides_are_conflicts_never_overwritten(filled):
    data_book = workbook(filled)
    sheet = data_book.worksheets[0]
    sheet.cell(row_of(sheet, "Экскурсия"), 2).value = "Экскурсия (файл)"
    sheet.cell(row_of(sheet, "Семинар"), 2).value = "Семинар (файл)"
    sheet.delete_rows(row_of(sheet, "Встреча с выпускниками"))
    data = saved(data_book)
    # Meanwhile on the site: the same excursion row and the meeting row are edited.
    excursion = filled.rows.get(activity="Экскурсия на завод")
    plan_row_update(row=excursion, data={"activity": "Экскурсия (сайт)"}, version=None)
    meeting = filled.rows.get(activity="Встреча с выпускниками")
    plan_row_update(row=meeting, data={"responsible": "Завуч"}, version=None)

    plan = fresh(filled)
    changes = xlsx_changes(data, "план.xlsx", plan)
    kinds = sorted((c.kind, c.reason[:20]) for c in changes.changes)
    assert [kind for kind, _ in kinds] == ["changed", "conflict", "conflict"]
    plan_import_xlsx(plan=plan, changes=changes)

    assert filled.rows.filter(activity="Экскурсия (сайт)").exists()  # the site's edit stays
    assert filled.rows.filter(activity="Встреча с выпускниками", responsible="Завуч").exists()
    assert filled.rows.filter(activity="Семинар (файл)").exists()


def test_a_plan_moved_on_after_the_preview_refuses_the_apply(filled):
    book = workbook(filled)
    sheet = book.worksheets[0]
    sheet.cell(row_of(sheet, "Семинар"), 2).value = "Семинар (файл)"
    changes = xlsx_changes(saved(book), "план.xlsx", filled)
    add_row(filled, "3.3.", activity="Ещё строка")
    Plan.objects.filter(pk=filled.pk).update(version=filled.version + 1)
    with pytest.raises(PlanConflict):
        plan_import_xlsx(plan=filled, changes=changes)
    assert not filled.rows.filter(activity="Семинар (файл)").exists()


def upload(data, name="план.xlsx"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_the_pages_upload_preview_apply(client, deputy, filled):
    book = workbook(filled)
    sheet = book.worksheets[0]
    sheet.cell(row_of(sheet, "Семинар"), 2).value = "Семинар <b>для всех</b>"
    sheet.delete_rows(row_of(sheet, "Встреча с выпускниками"))
    client.force_login(deputy)
    editor = client.get(filled.get_absolute_url()).content.decode()
    assert reverse("plans:import-xlsx", args=[filled.pk]) in editor

    response = client.post(
        reverse("plans:import-xlsx", args=[filled.pk]), {"file": upload(saved(book))}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Изменить: 1" in page and "Удалить: 1" in page
    assert "Семинар &lt;b&gt;для всех&lt;/b&gt;" in page
    assert "Встреча с выпускниками" in page
    client.post(response["Location"])
    assert filled.rows.filter(activity="Семинар <b>для всех</b>").exists()
    assert not filled.rows.filter(activity="Встреча с выпускниками").exists()


def test_other_schools_and_locked_plans(client, deputy, other_deputy, coordinator, filled):
    data = plan_xlsx(filled)
    client.force_login(deputy)
    preview = client.post(reverse("plans:import-xlsx", args=[filled.pk]), {"file": upload(data)})
    for user in (other_deputy, coordinator):
        log_in(client, user)
        assert client.get(reverse("plans:import-xlsx", args=[filled.pk])).status_code == 404
        assert client.get(preview["Location"]).status_code == 404
    client.force_login(deputy)
    Plan.objects.filter(pk=filled.pk).update(status=PlanStatus.SUBMITTED)
    response = client.get(reverse("plans:import-xlsx", args=[filled.pk]))
    assert response.status_code == 302


def test_files_that_are_not_this_plans_workbook(client, deputy, filled, other_plan):
    client.force_login(deputy)
    url = reverse("plans:import-xlsx", args=[filled.pk])
    plain = io.BytesIO()
    openpyxl.Workbook().save(plain)
    cases = [
        (plain.getvalue(), "план.xlsx", "не выгрузка плана из Профплана"),
        (plan_xlsx(fresh(other_plan)), "план.xlsx", "из другого плана"),
        (plan_xlsx(filled), "план.xlsm", "с макросами"),
        (b"PK\x03\x04 not really", "план.xlsx", "изменённым расширением"),
    ]
    for data, name, words in cases:
        response = client.post(url, {"file": upload(data, name)})
        assert response.status_code == 200
        assert words in response.content.decode(), words
