import io

import pytest
from openpyxl import Workbook, load_workbook

from plans.documents.formats.cells import cell, clean_text
from plans.documents.formats.rows import COLUMN_TITLES, table_rows
from plans.documents.formats.xlsx import plan_xlsx
from plans.models import Plan, PlanRow
from tests.factories import add_row

pytestmark = pytest.mark.django_db

HEADER_ROW = 6  # four title lines (with ПРОЕКТ for a draft), a blank line, the header
FIRST_ROW = HEADER_ROW + 2


def fresh(plan):
    return Plan.objects.for_editor().get(pk=plan.pk)


def reload(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def test_workbook_holds_every_row_in_order_with_hours_as_numbers(plan):
    add_row(plan, "3.4.12.1.", activity="Урок «Шоу профессий»", hours="4.5", grades=(6, 7))
    plan = fresh(plan)
    expected = list(table_rows(plan))

    sheet = reload(plan_xlsx(plan))

    assert [c.value for c in sheet[HEADER_ROW]][:9] == [*COLUMN_TITLES, "Часов", "Классы"]
    assert [c.value for c in sheet[HEADER_ROW + 1]][:7] == ["1", "2", "3", "4", "5", "6", "7"]
    values = list(sheet.iter_rows(min_row=FIRST_ROW, values_only=True))
    assert len(values) == len(expected)
    for row, printed in zip(expected, values, strict=True):
        if row.spans:
            assert printed[0] == f"{row.number} {row.activity}".strip()
        else:
            assert printed[:7] == tuple(
                text or None for text in (row.number, row.activity_with_load, *row.columns[2:])
            )
    # Table 1 reads as the PDF prints it: hours and grades under the activity.
    lesson = next(v for v in values if v[1] == "Урок «Шоу профессий»\n4,5 ч; 6, 7 кл.")
    assert lesson[0] == "3.4.12.1.1."
    assert lesson[7] == 4.5 and isinstance(lesson[7], float)
    assert lesson[8] == "6, 7 кл."


def test_section_and_heading_rows_are_merged_across_the_seven_columns_and_bold(plan):
    plan = fresh(plan)
    rows = list(table_rows(plan))

    sheet = reload(plan_xlsx(plan))

    merged = {str(cells) for cells in sheet.merged_cells.ranges}
    for index, row in enumerate(rows):
        excel_row = FIRST_ROW + index
        if row.spans:
            assert f"A{excel_row}:G{excel_row}" in merged
            assert sheet.cell(excel_row, 1).font.b
        else:
            assert f"A{excel_row}:G{excel_row}" not in merged
    assert sum(row.spans for row in rows) > 20


def test_print_setup_frozen_header_and_widths(plan):
    sheet = reload(plan_xlsx(fresh(plan)))

    assert sheet.freeze_panes == f"A{FIRST_ROW}"
    assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW + 1}"
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
    assert sheet.oddHeader.right.text == "ПРОЕКТ"
    assert sheet.column_dimensions["B"].width > 40
    assert sheet.cell(FIRST_ROW + 1, 2).alignment.wrap_text


DANGEROUS = [
    "=1+1",
    '=HYPERLINK("http://evil.example","x")',
    "+7 999",
    "-2",
    "@SUM(A1)",
    "\tx",
    "\rx",
]


def test_no_cell_is_ever_a_formula(plan):
    for text in DANGEROUS:
        add_row(
            plan,
            "3.4.12.1.",
            activity=text,
            period=text,
            responsible=text,
            documents=text,
            links=text,
            results=text,
        )
    plan.school.full_name = "=cmd|' /C calc'!A0"
    plan.school.save()

    sheet = reload(plan_xlsx(fresh(plan)))

    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    # XML reads a bare CR back as LF; the cell is text all the same.
    dangerous = {text.replace("\r", "\n") for text in DANGEROUS}
    texts = [c for c in cells if isinstance(c.value, str) and c.value in dangerous]
    assert {c.value for c in texts} == dangerous
    assert all(c.quotePrefix for c in texts)
    assert sheet["A2"].value == "=cmd|' /C calc'!A0"


def test_control_characters_pasted_from_word_are_removed(plan):
    # NUL is left out: PostgreSQL refuses it before any export could see it.
    add_row(plan, "I.", activity="Приказ\x0bо назначении\x1f\x08 ответственного\x7f", period="\x0c")
    sheet = reload(plan_xlsx(fresh(plan)))
    values = [v for row in sheet.iter_rows(values_only=True) for v in row if v]
    assert "Приказо назначении ответственного" in values


def test_the_sanitiser_keeps_line_breaks_and_tabs_and_cuts_to_excel_limit():
    assert clean_text("а\tб\nв\r\nг\x0bд") == "а\tб\nв\r\nгд"
    assert len(clean_text("я" * 40_000)) == 32_767
    sheet = Workbook(write_only=True).create_sheet()
    assert cell(sheet, "").value is None
    assert cell(sheet, 5).value == 5 and cell(sheet, 5).data_type == "n"


def test_excel_export_reads_nothing_but_the_bundle(plan, django_assert_num_queries):
    PlanRow.objects.filter(plan=plan).update(activity="Мероприятие")
    plan = fresh(plan)
    with django_assert_num_queries(0):
        plan_xlsx(plan)
