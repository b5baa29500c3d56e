"""One plan as an Excel workbook: Table 1 as printed, plus hours as numbers.

Drawn from `table_rows()` like the PDF, with the same texts in the seven columns
(hours and grades under the activity); two more columns repeat the hours as a
number and the grades, for sums and filters. A normal (not write-only) workbook: one
plan is a few hundred rows, and appending ready cells there is faster than the
write-only path, which tries every styled cell as a value first. Rows are only
appended, never looked up, so the cost stays linear.
"""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..models import Plan, PlanStatus
from .cells import cell, make_style
from .rows import (
    COLUMN_TITLES,
    INDICATOR_TITLES,
    LOAD_TITLES,
    SECTION_II_TITLE,
    SECTION_V_TITLE,
    plan_appendices,
    table_rows,
)

WIDTHS = (9, 48, 18, 24, 30, 30, 30, 8, 14)
LAST_TABLE_COLUMN = get_column_letter(len(COLUMN_TITLES))  # G


def plan_xlsx(plan: Plan) -> bytes:
    """The plan as .xlsx bytes. `plan` comes from `Plan.objects.for_editor()`: no queries."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "План"
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width

    title_style = make_style(sheet, bold=True, border=False, horizontal="center", size=12)
    header_style = make_style(sheet, bold=True, horizontal="center", fill="E7E6E6")
    section_style = make_style(sheet, bold=True, fill="F2F2F2")
    heading_style = make_style(sheet, bold=True)
    text_style = make_style(sheet)
    number_style = make_style(sheet, horizontal="center")
    hours_style = make_style(sheet, horizontal="center")

    width = len(WIDTHS)
    school, year = plan.school, plan.year
    draft = plan.status != PlanStatus.APPROVED
    titles = [year.plan_title, school.full_name, f"на {year.title} учебный год"]
    if draft:
        titles.append(f"ПРОЕКТ (статус плана: {plan.get_status_display()})")
    header_row = len(titles) + 2
    sheet.freeze_panes = f"A{header_row + 2}"
    sheet.print_title_rows = f"{header_row}:{header_row + 1}"
    setup_print(sheet, draft=draft)

    row_number = 0
    for text in titles:
        row_number += 1
        sheet.merged_cells.add(f"A{row_number}:{LAST_TABLE_COLUMN}{row_number}")
        sheet.append([cell(sheet, text, title_style)])
    row_number += 1
    sheet.append([])

    sheet.append([cell(sheet, title, header_style) for title in COLUMN_TITLES + LOAD_TITLES])
    sheet.append(
        [cell(sheet, str(n), header_style) for n in range(1, len(COLUMN_TITLES) + 1)]
        + [cell(sheet, None, header_style) for _ in LOAD_TITLES]
    )
    row_number = header_row + 1

    placed = []  # (sheet row, table row): what write_round_trip_keys() marks
    for row in table_rows(plan):
        row_number += 1
        placed.append((row_number, row))
        if row.spans:
            style = section_style if row.kind == "section" else heading_style
            text = f"{row.number} {row.activity}".strip()
            sheet.merged_cells.add(f"A{row_number}:{LAST_TABLE_COLUMN}{row_number}")
            sheet.append(
                [cell(sheet, text, style)] + [cell(sheet, None, style) for _ in range(width - 1)]
            )
            continue
        sheet.append(
            [cell(sheet, row.number, number_style)]
            + [cell(sheet, row.activity_with_load, text_style)]
            + [cell(sheet, text, text_style) for text in row.columns[2:]]
            + [
                cell(sheet, row.hours, hours_style),
                cell(sheet, row.grades_text, number_style),
            ]
        )

    appendices = plan_appendices(plan)
    if appendices.indicators:
        sheet.append([])
        sheet.append([cell(sheet, SECTION_II_TITLE, heading_style)])
        sheet.append([cell(sheet, title, header_style) for title in INDICATOR_TITLES])
        for values in appendices.indicators:
            sheet.append([cell(sheet, value, text_style) for value in values])
    if appendices.analysis:
        sheet.append([])
        sheet.append([cell(sheet, SECTION_V_TITLE, heading_style)])
        for heading, text in appendices.analysis:
            sheet.append([cell(sheet, heading, heading_style), cell(sheet, text, text_style)])

    write_round_trip_keys(workbook, sheet, plan, placed)
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def setup_print(sheet, *, draft: bool = False) -> None:
    """A4 landscape, as wide as the page, page numbers in the footer. Call it before
    the first row of a write-only sheet."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages tall as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddFooter.center.text = "стр. &P из &N"
    if draft:
        sheet.oddHeader.right.text = "ПРОЕКТ"


# --- What brings the workbook back (plans/imports/xlsx.py reads it) -------------------
#
# A school edits the plan offline and uploads the workbook again. To tell its edits from
# the plan's own changes since, the workbook carries, out of sight and out of print:
# each line's key in a hidden column of the plan sheet (it moves with the line when
# rows are inserted, deleted or sorted), and on a very hidden sheet the plan, its
# version, and every line's texts as exported: the base of a three-way comparison.

KEY_COLUMN = "K"  # hidden; the table and its two load columns end at I
KEY_SHEET = "profplan"
KEY_FORMAT = "profplan-plan-xlsx-1"
KEY_SALT = "plans.xlsx-round-trip"


def line_key(row) -> str:
    """«r12»: a plan row (a school's row or a fixed activity's filling); «i5»: a template line."""
    return f"r{row.row_id}" if row.row_id is not None and not row.spans else f"i{row.item_id}"


def exported_texts(row) -> list:
    """The values of columns B–I of a line as plan_xlsx() writes them."""
    return [row.activity_with_load, *row.columns[2:], row.hours, row.grades_text]


def write_round_trip_keys(workbook, sheet, plan: Plan, placed) -> None:
    from django.core.signing import Signer

    sheet.column_dimensions[KEY_COLUMN].hidden = True
    column = column_index_from_string(KEY_COLUMN)
    keys = workbook.create_sheet(KEY_SHEET)
    keys.sheet_state = "veryHidden"
    stamp = f"{plan.pk}:{plan.version}"
    keys.append([KEY_FORMAT, plan.pk, plan.version, Signer(salt=KEY_SALT).sign(stamp)])
    for row_number, row in placed:
        key = line_key(row)
        sheet.cell(row=row_number, column=column, value=key)
        keys.append([cell(keys, key)] + [cell(keys, value) for value in exported_texts(row)])
