"""The dashboard's tables as an Excel workbook, one sheet each.

It writes the very rows the page shows (`monitoring.dashboard.Dashboard`), so the
two never disagree, and it puts every value through `plans.documents.formats.cells.cell()`,
as the plan exports do: a school's text that looks like a formula stays text, and
control characters pasted from Word do not break the file. monitoring depends on
plans here, never the other way round.
"""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from plans.documents.formats.cells import cell

from .dashboard import Dashboard, Link

BOLD = Font(bold=True)


def dashboard_xlsx(dashboard: Dashboard, keys: list[str] | None = None) -> bytes:
    """The dashboard's tables (all, or those named in `keys`), one sheet each: the
    title in A1, the column headers in row 3, the rows from row 4."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in dashboard.tables:
        if keys and table.key not in keys:
            continue
        sheet = workbook.create_sheet(table.key)
        heading = table.title
        if dashboard.campaign is not None:
            heading += f" – {dashboard.campaign.name}"
        if dashboard.municipality is not None:
            heading += f" – {dashboard.municipality.name}"
        sheet.append([_bold(cell(sheet, heading))])
        sheet.append([])
        sheet.append([_bold(cell(sheet, header)) for header in table.headers])
        for column in range(1, len(table.headers) + 1):
            letter = sheet.cell(row=3, column=column).column_letter
            sheet.column_dimensions[letter].width = 40 if column <= 3 else 16
        for row in table.rows:
            sheet.append([cell(sheet, _plain(value)) for value in row])
    if not workbook.sheetnames:
        workbook.create_sheet("empty")
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _plain(value):
    # A link's page is of no use in a file sent on: Excel gets its text.
    return value.text if isinstance(value, Link) else value


def _bold(result):
    result.font = BOLD
    return result
