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
from openpyxl.styles import Font
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from plans.documents.formats.cells import FONT_NAME, cell, make_style
from plans.documents.formats.layout import text_lines
from plans.documents.formats.rows import (
    COLUMN_TITLES,
    INDICATOR_TITLES,
    LOAD_TITLES,
    NOTE_TITLE,
    SECTION_II_TITLE,
    SECTION_V_TITLE,
    plan_appendices,
    plan_note,
    table_rows,
)
from plans.models import Plan, PlanStatus

# Together as wide as A4 landscape less the margins (784 pt, about 156 widths of 5 pt),
# so the plan prints at full scale (Excel, whose units are a little wider: about
# 93 %); the old widths (211) shrank it onto two pages at 65 %.
WIDTHS = (9, 45, 14, 17, 19, 17, 19, 6, 8)
LAST_TABLE_COLUMN = get_column_letter(len(COLUMN_TITLES))  # G


def plan_xlsx(plan: Plan) -> bytes:
    """The plan as .xlsx bytes. `plan` comes from `Plan.objects.for_editor()`: no queries."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "План"
    # Column widths count characters of the Normal style's font: make it the text's
    # own Times New Roman 10, so that a width prints the same everywhere (with the
    # default Calibri, a machine without it measured in DejaVu Sans and the table
    # came out a quarter wider than the page). openpyxl has no public setter.
    workbook._named_styles["Normal"].font = Font(name=FONT_NAME, size=10)
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width

    title_style = make_style(sheet, bold=True, border=False, horizontal="center", size=12)
    header_style = make_style(sheet, bold=True, horizontal="center", fill="E7E6E6")
    section_style = make_style(sheet, bold=True, fill="F2F2F2")
    heading_style = make_style(sheet, bold=True)
    text_style = make_style(sheet)
    number_style = make_style(sheet, horizontal="center")
    hours_style = make_style(sheet, horizontal="center")
    note_style = make_style(sheet, border=False)

    width = len(WIDTHS)
    table = len(COLUMN_TITLES)
    school, year = plan.school, plan.year
    draft = plan.status != PlanStatus.APPROVED
    titles = [year.plan_title, school.full_name, f"на {year.title} учебный год"]
    if draft:
        titles.append(f"ПРОЕКТ (статус плана: {plan.get_status_display()})")
    note = plan_note(plan)
    # The note's title, its paragraphs and a blank line stand between the titles and the table.
    header_row = len(titles) + 2 + (len(note) + 2 if note else 0)
    sheet.freeze_panes = f"A{header_row + 2}"
    sheet.print_title_rows = f"{header_row}:{header_row + 1}"
    setup_print(sheet, draft=draft)
    rows = FittedRows(sheet, WIDTHS)

    for text in titles:
        rows.append([cell(sheet, text, title_style)], merge=(1, table))
    rows.append([])
    if note:
        rows.append([cell(sheet, NOTE_TITLE, title_style)], merge=(1, table))
        for paragraph in note:
            rows.append([cell(sheet, paragraph, note_style)], merge=(1, table))
        rows.append([])

    rows.append([cell(sheet, title, header_style) for title in COLUMN_TITLES + LOAD_TITLES])
    rows.append(
        [cell(sheet, str(n), header_style) for n in range(1, len(COLUMN_TITLES) + 1)]
        + [cell(sheet, None, header_style) for _ in LOAD_TITLES]
    )

    placed = []  # (sheet row, table row): what write_round_trip_keys() marks
    for row in table_rows(plan):
        placed.append((rows.row + 1, row))  # the sheet row it is about to take
        if row.spans:
            style = section_style if row.kind == "section" else heading_style
            text = f"{row.number} {row.activity}".strip()
            rows.append(
                [cell(sheet, text, style)] + [cell(sheet, None, style) for _ in range(width - 1)],
                merge=(1, table),
            )
            continue
        rows.append(
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
        rows.append([])
        rows.append([cell(sheet, SECTION_II_TITLE, heading_style)], merge=(1, table))
        rows.append([cell(sheet, title, header_style) for title in INDICATOR_TITLES])
        for values in appendices.indicators:
            rows.append([cell(sheet, value, text_style) for value in values])
    if appendices.analysis:
        rows.append([])
        rows.append([cell(sheet, SECTION_V_TITLE, heading_style)], merge=(1, table))
        for heading, text in appendices.analysis:
            rows.append(
                [cell(sheet, heading, heading_style), cell(sheet, text, text_style)],
                merge=(2, table),
            )

    write_round_trip_keys(workbook, sheet, plan, placed)
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


# Column widths count digits of the Normal style's font, Times New Roman 10: one
# unit is 5 pt (LibreOffice; Excel rounds it to 7 px and adds 5 px a column). An
# average Cyrillic letter of Times is 0.48 em (bold 0.5), a capital 0.62–0.66 em;
# a little more here, and word-by-word wrapping (text_lines), make the estimate
# err towards more lines: a row a line too tall prints well, one too short hides
# its last line.
_PT_PER_WIDTH = 5.0
_CELL_PADDING_PT = 4
_LINE_HEIGHT = 1.25  # of the font size, in points
_ROW_PADDING_PT = 3


def chars_per_line(
    width: float, *, size: float, bold: bool = False, capitals: bool = False
) -> float:
    """How many characters of a `size` pt Times text fit in a column `width` wide."""
    em = 0.68 if capitals else 0.53 if bold else 0.5
    return (width * _PT_PER_WIDTH - _CELL_PADDING_PT) / (em * size)


class FittedRows:
    """Appends rows to a normal sheet and sets each one's height from its wrapped text.

    Excel fits wrapped rows itself, but LibreOffice Calc does not when it opens a
    file: without stored heights every row printed one line high, its text running
    into the rows below. The height is the tallest cell's lines (text length over
    the column's characters, each explicit line at least one). Rows are counted
    here, never looked up (`ws[r]` in a loop is quadratic)."""

    def __init__(self, sheet, widths):
        self.sheet = sheet
        self.widths = widths
        self.row = 0

    def append(self, cells, *, merge: tuple[int, int] | None = None) -> None:
        """`merge`: the first and last column (1-based) of a merged cell holding the
        value of the cell in the first one."""
        self.row += 1
        if merge:
            first, last = (get_column_letter(column) for column in merge)
            self.sheet.merged_cells.add(f"{first}{self.row}:{last}{self.row}")
        self.sheet.append(cells)
        height = row_height(cells, self.widths, merge=merge)
        if height:
            self.sheet.row_dimensions[self.row].height = height


def row_height(cells, widths, *, merge: tuple[int, int] | None = None) -> float:
    """The printed height in points of a row of `cells` in columns `widths` wide
    (`merge` as in `FittedRows.append`); 0 for a row without text."""
    height = 0.0
    for column, item in enumerate(cells, start=1):
        if not isinstance(item.value, str):
            continue
        if merge and column == merge[0]:
            width = sum(widths[merge[0] - 1 : merge[1]])
        else:
            width = widths[column - 1]
        size = item.font.sz or 10
        chars = chars_per_line(
            width, size=size, bold=bool(item.font.b), capitals=item.value.isupper()
        )
        lines = text_lines(item.value, chars)
        height = max(height, lines * size * _LINE_HEIGHT + _ROW_PADDING_PT)
    # Excel's limit for a row is 409 pt; a longer cell is cut on screen there.
    return min(round(height, 1), 409)


def setup_print(sheet, *, draft: bool = False) -> None:
    """A4 landscape, as wide as the page, page numbers in the footer. Call it before
    the first row of a write-only sheet."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages tall as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    # Inches: narrow sides leave the table its full width (see WIDTHS).
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.page_margins.header = sheet.page_margins.footer = 0.3
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
