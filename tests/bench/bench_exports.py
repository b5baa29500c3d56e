"""Exports: one plan as Excel, PDF and Word against bare libraries, and the region workbook.

`xlsx_plan_ratio` compares our Excel export of a 300-row plan (already fetched;
plans/documents/formats/xlsx.py) with bare openpyxl doing the same work: the same workbook
read back from ours gives every sheet's cells (values and styles), merged ranges,
row heights, column widths, hidden column and sheet, frozen panes, print titles,
page setup and header/footer, and a plain script writes all of it again the way
openpyxl's documentation does (a NamedStyle per distinct style, `ws.cell()`,
`merge_cells()`, `row_dimensions[r].height`). The baseline is given the row heights;
ours computes them (plans/documents/formats/layout.py), and `xlsx_row_heights_ms_300_rows` is
what that computation costs on its own (`row_height()` for every row of the plan's
sheet). Medians of 9 runs of each, ours and the baseline in turn. The bench checks
that the baseline's workbook holds the same cells, styles, heights, merges and print
settings as ours.

`pdf_plan_ratio` and `docx_plan_ratio` compare ours with a bare script writing the
same texts: WeasyPrint rendering a plain HTML table with no stylesheet, and
python-docx filling a plain table row by row (`add_row().cells`, the library's
documented fast path).

The consolidated figures use 300 schools of 150 rows each, on the path a download
takes: the worker's render of the workbook into a temporary file
(plans/documents/queue.py), then that file read to the end block by block as the server
sends it. `consolidated_peak_mb` and `consolidated_30_peak_mb` are the peak of
Python's own allocations during it (tracemalloc), not the process's memory: the
whole process's peak is `worker_peak_mb` (bench_faults).
"""

import tracemalloc
from io import BytesIO

from .common import all_levels, alternate_medians, median_seconds, median_wall_and_cpu, size

PLAN_ROWS = size(300, 10)
SCHOOLS = size(300, 10)  # the consolidated workbook; the first measure has a tenth of them
ROWS_PER_PLAN = size(150, 10)
FIGURES = (
    "xlsx_plan_s",
    "xlsx_plan_ratio",
    "xlsx_row_heights_ms_300_rows",
    "pdf_plan_s",
    "pdf_plan_ratio",
    "docx_plan_s",
    "docx_plan_ratio",
    "consolidated_300_s",
    "consolidated_scaling",
    "consolidated_300_cpu_s",
    "consolidated_scaling_cpu",
    "consolidated_30_peak_mb",
    "consolidated_peak_mb",
)


def _plan_with_rows(rows: int):
    from plans.models import Level, Municipality, Plan, School, SchoolYear
    from plans.services import plan_create
    from tests.plans.export_data import fill_rows

    # tests.bench.common.big_plan() cannot be used: it reads parent.parent.level_id,
    # and sections I and II (which take rows) have no parent.
    year = SchoolYear.objects.get(title="2023-2024")
    levels = {level.code: level.pk for level in Level.objects.filter(year=year)}
    school = School.objects.create(
        full_name="Школа для замеров",
        short_name="Школа для замеров",
        municipality=Municipality.objects.first(),
    )
    plan = plan_create(
        school=school,
        year=year,
        levels=all_levels(levels),
    )
    fill_rows(plan, rows - plan.rows.filter(fixed_item=None).count())
    return Plan.objects.for_editor().get(pk=plan.pk)


def _xlsx_spec(data: bytes) -> dict:
    """What a workbook holds, read back with openpyxl: what `_bare_xlsx` writes."""
    from copy import copy

    import openpyxl
    from openpyxl.cell.cell import MergedCell

    book = openpyxl.load_workbook(BytesIO(data))
    styles: dict = {}  # (font, border, fill, alignment, number format) → its name
    sheets = []
    for sheet in book.worksheets:
        rows = []
        for row in sheet.iter_rows():
            cells = []
            for item in row:
                if isinstance(item, MergedCell) or (item.value is None and not item.has_style):
                    continue
                style = None
                if item.has_style:
                    # copy(): the style objects themselves, not the cell's proxies of them.
                    key = (
                        *(copy(part) for part in (item.font, item.border, item.fill)),
                        copy(item.alignment),
                        item.number_format,
                    )
                    style = styles.setdefault(key, f"style {len(styles)}")
                cells.append((item.column, item.value, style))
            rows.append(cells)
        dimensions = sheet.column_dimensions
        sheets.append(
            {
                "title": sheet.title,
                "state": sheet.sheet_state,
                "rows": rows,
                "heights": {r: d.height for r, d in sheet.row_dimensions.items() if d.height},
                "merged": sorted(str(merged) for merged in sheet.merged_cells.ranges),
                "widths": {c: d.width for c, d in dimensions.items() if d.customWidth},
                "hidden": [c for c, d in dimensions.items() if d.hidden],
                "freeze": sheet.freeze_panes,
                "print_titles": sheet.print_title_rows,
                "setup": {
                    name: getattr(sheet.page_setup, name)
                    for name in ("orientation", "paperSize", "fitToWidth", "fitToHeight")
                },
                "fit": sheet.sheet_properties.pageSetUpPr.fitToPage,
                "margins": {
                    name: getattr(sheet.page_margins, name)
                    for name in ("left", "right", "top", "bottom", "header", "footer")
                },
                "footer": sheet.oddFooter.center.text,
                "header": sheet.oddHeader.right.text,
            }
        )
    return {"normal_font": book._named_styles["Normal"].font, "styles": styles, "sheets": sheets}


def _bare_xlsx(spec: dict) -> bytes:
    """`spec` written with plain openpyxl: the baseline of `xlsx_plan_ratio`."""
    from openpyxl import Workbook
    from openpyxl.styles import NamedStyle

    workbook = Workbook()
    workbook._named_styles["Normal"].font = spec["normal_font"]  # as ours (xlsx.py)
    for (font, border, fill, alignment, number_format), name in spec["styles"].items():
        workbook.add_named_style(
            NamedStyle(
                name=name,
                font=font,
                border=border,
                fill=fill,
                alignment=alignment,
                number_format=number_format,
            )
        )
    for index, data in enumerate(spec["sheets"]):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = data["title"]
        sheet.sheet_state = data["state"]
        for number, cells in enumerate(data["rows"], start=1):
            for column, value, style in cells:
                item = sheet.cell(row=number, column=column, value=value)
                if style:
                    item.style = style
            if number in data["heights"]:
                sheet.row_dimensions[number].height = data["heights"][number]
        for merged in data["merged"]:
            sheet.merge_cells(merged)
        for column, width in data["widths"].items():
            sheet.column_dimensions[column].width = width
        for column in data["hidden"]:
            sheet.column_dimensions[column].hidden = True
        sheet.freeze_panes = data["freeze"]
        if data["print_titles"]:
            sheet.print_title_rows = data["print_titles"]
        for name, value in data["setup"].items():
            setattr(sheet.page_setup, name, value)
        sheet.sheet_properties.pageSetUpPr.fitToPage = data["fit"]
        for name, value in data["margins"].items():
            setattr(sheet.page_margins, name, value)
        sheet.oddFooter.center.text = data["footer"]
        sheet.oddHeader.right.text = data["header"]
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def _same_workbook(ours: dict, bare: dict) -> None:
    """The baseline wrote what ours did: every cell's value and style, row heights,
    merged ranges and print settings (style names aside, which each numbers alike)."""
    assert ours["styles"].keys() == bare["styles"].keys(), "the styles differ"
    for mine, theirs in zip(ours["sheets"], bare["sheets"], strict=True):
        for key in mine:
            assert mine[key] == theirs[key], f"{mine['title']}: {key} differs"


def _row_heights(spec_data: bytes):
    """The rows of our plan sheet as `row_height()` gets them in plan_xlsx: its cells
    in the table's columns, and the merge of a row that has one."""
    import openpyxl
    from openpyxl.utils import range_boundaries

    from plans.documents.formats.xlsx import WIDTHS

    sheet = openpyxl.load_workbook(BytesIO(spec_data)).worksheets[0]
    merges = {}
    for merged in sheet.merged_cells.ranges:
        first, top, last, _ = range_boundaries(str(merged))
        merges[top] = (first, last)
    return [
        (row[: len(WIDTHS)], merges.get(number))
        for number, row in enumerate(sheet.iter_rows(), start=1)
    ]


def _bare_pdf(values: list[list[str]]) -> bytes:
    import weasyprint
    from django.utils.html import escape

    body = "".join(
        "<tr>" + "".join(f"<td>{escape(text)}</td>" for text in row) + "</tr>" for row in values
    )
    html = f"<html><body><table>{body}</table></body></html>"
    return weasyprint.HTML(string=html).write_pdf()


def _bare_docx(values: list[list[str]]) -> bytes:
    import docx

    document = docx.Document()
    table = document.add_table(rows=0, cols=len(values[0]))
    for row in values:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    output = BytesIO()
    document.save(output)
    return output.getvalue()


def _region(count: int) -> list[int]:
    from plans.models import Level, Municipality, School, SchoolYear
    from plans.services import plan_create
    from tests.plans.export_data import fill_rows

    year = SchoolYear.objects.get(title="2023-2024")
    levels = {level.code: level.pk for level in Level.objects.filter(year=year)}
    municipalities = list(Municipality.objects.all())
    schools = School.objects.bulk_create(
        School(
            full_name=f"Муниципальное казённое общеобразовательное учреждение «СОШ № {n}»",
            short_name=f"МКОУ СОШ № {n} (замер)",
            municipality=municipalities[n % len(municipalities)],
        )
        for n in range(1, count + 1)
    )
    ids = []
    for school in schools:
        plan = plan_create(
            school=school, year=year, levels={g: levels["basic"] for g in (6, 7, 8, 9)}
        )
        fill_rows(plan, ROWS_PER_PLAN - plan.rows.count())
        ids.append(plan.pk)
    return ids


def run():
    import uuid

    from plans.documents import queue
    from plans.documents.formats import file_response
    from plans.documents.formats.docx import plan_docx
    from plans.documents.formats.pdf import plan_pdf
    from plans.documents.formats.rows import table_rows
    from plans.documents.formats.xlsx import WIDTHS, plan_xlsx, row_height
    from plans.models import Document, DocumentKind

    plan = _plan_with_rows(PLAN_ROWS)
    rows = list(table_rows(plan))
    data = plan_xlsx(plan)
    spec = _xlsx_spec(data)
    _same_workbook(spec, _xlsx_spec(_bare_xlsx(spec)))
    ours, bare = alternate_medians(lambda: plan_xlsx(plan), lambda: _bare_xlsx(spec), repeat=9)
    yield "xlsx_plan_s", round(ours, 3)
    yield "xlsx_plan_ratio", round(ours / bare, 2)
    sheet_rows = _row_heights(data)

    def heights():
        for cells, merge in sheet_rows:
            row_height(cells, WIDTHS, merge=merge)

    yield "xlsx_row_heights_ms_300_rows", round(median_seconds(heights, repeat=9) * 1000, 2)

    texts = [[row.number, f"{row.activity}\n{row.load_text}", *row.columns[2:]] for row in rows]
    ours = median_seconds(lambda: plan_pdf(plan), repeat=3)
    bare = median_seconds(lambda: _bare_pdf(texts), repeat=3)
    yield "pdf_plan_s", round(ours, 2)
    yield "pdf_plan_ratio", round(ours / bare, 2)

    ours = median_seconds(lambda: plan_docx(plan), repeat=7)
    bare = median_seconds(lambda: _bare_docx(texts), repeat=7)
    yield "docx_plan_s", round(ours, 3)
    yield "docx_plan_ratio", round(ours / bare, 2)

    ids = _region(SCHOOLS)

    def region(count: int):
        # What the worker does for «Сводная таблица», then what the download does.
        document = Document.objects.create(
            key=uuid.uuid4().hex,
            kind=DocumentKind.CONSOLIDATED,
            plan_ids=ids[:count],
            filename="Сводная_таблица_планов.xlsx",
        )
        queue.document_render(document_id=document.pk)
        document.refresh_from_db()
        response = file_response(document.file.open("rb"), document.filename)
        for _block in response:  # what gunicorn does: block by block to the socket
            pass
        response.close()
        queue.document_delete(document=document)

    small, small_cpu = median_wall_and_cpu(lambda: region(SCHOOLS // 10), repeat=3)
    large, large_cpu = median_wall_and_cpu(lambda: region(SCHOOLS), repeat=2)
    yield "consolidated_300_s", round(large, 2)
    yield "consolidated_scaling", round(large / small, 2)
    yield "consolidated_300_cpu_s", round(large_cpu, 2)
    yield "consolidated_scaling_cpu", round(large_cpu / small_cpu, 2)

    tracemalloc.start()
    region(SCHOOLS // 10)
    small_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    region(SCHOOLS)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    yield "consolidated_30_peak_mb", round(small_peak / 2**20, 1)
    yield "consolidated_peak_mb", round(peak / 2**20, 1)
