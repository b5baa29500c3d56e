"""Exports: one plan as Excel, PDF and Word against bare libraries, and the region workbook.

`xlsx_plan_ratio`, `pdf_plan_ratio` and `docx_plan_ratio` compare our export of a
300-row plan (already fetched) with a bare script writing the same texts: openpyxl
appending plain values to a normal workbook, WeasyPrint rendering a plain HTML table
with no stylesheet, and python-docx filling a plain table row by row
(`add_row().cells`, the library's documented fast path). The consolidated figures use
300 schools of 150 rows each, on the path a download takes: the worker's render of
the workbook into a temporary file (plans/documents/queue.py), then that file read to the
end block by block as the server sends it.
"""

import tracemalloc
from io import BytesIO

from .common import all_levels, median_seconds, median_wall_and_cpu

SCHOOLS = 300
ROWS_PER_PLAN = 150


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


def _bare_xlsx(values: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in values:
        sheet.append(row)
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


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
    from plans.documents.formats.xlsx import plan_xlsx
    from plans.models import Document, DocumentKind

    plan = _plan_with_rows(300)
    rows = list(table_rows(plan))
    cells = [[*row.columns, row.hours, row.grades_text] for row in rows]
    ours = median_seconds(lambda: plan_xlsx(plan))
    bare = median_seconds(lambda: _bare_xlsx(cells))
    yield "xlsx_plan_s", round(ours, 3)
    yield "xlsx_plan_ratio", round(ours / bare, 2)

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
