"""Imports: a school's Word plan read and placed, and the plan's Excel round trip.

`docx_import_ms_150_rows`: a 150-row plan in Word (our own export of it) read with
python-docx and placed against the template, as the upload does before its preview.
`xlsx_roundtrip_ms_300_rows`: a 300-row plan exported to Excel, one row edited with
openpyxl, and the workbook read back and compared with the plan, as the upload does.
Writes are left out: they are the services' bulk writes, measured by the editor's figures.
"""

from io import BytesIO

from .common import all_levels, median_seconds, size

FIGURES = ("docx_import_ms_150_rows", "xlsx_roundtrip_ms_300_rows")


def _plan(name: str, rows: int):
    from plans.models import Level, Municipality, Plan, School, SchoolYear
    from plans.services import plan_create
    from tests.plans.export_data import fill_rows

    year = SchoolYear.objects.get(title="2023-2024")
    levels = {level.code: level.pk for level in Level.objects.filter(year=year)}
    school = School.objects.create(
        full_name=name, short_name=name, municipality=Municipality.objects.first()
    )
    plan = plan_create(school=school, year=year, levels=all_levels(levels))
    fill_rows(plan, rows - plan.rows.filter(fixed_item=None).count())
    return Plan.objects.for_editor().get(pk=plan.pk)


def run():
    import openpyxl
    from openpyxl.cell.cell import MergedCell

    from plans.documents.formats.docx import plan_docx
    from plans.documents.formats.xlsx import plan_xlsx
    from plans.imports.placement import docx_placement
    from plans.imports.xlsx import xlsx_changes

    plan = _plan("Школа для замеров импорта Word", size(150, 10))
    data = plan_docx(plan)

    def word():
        placement = docx_placement(data, "план.docx", plan.year)
        assert not placement.problems

    yield "docx_import_ms_150_rows", round(median_seconds(word) * 1000)

    plan = _plan("Школа для замеров импорта Excel", size(300, 10))

    # The row edited: the middle one, or the nearest above it that is not a merged
    # heading (a small plan's middle row may be one).
    sheet = openpyxl.load_workbook(BytesIO(plan_xlsx(plan))).worksheets[0]
    edited = next(
        number
        for number in range(sheet.max_row // 2, 0, -1)
        if not isinstance(sheet.cell(number, 2), MergedCell)
    )

    def roundtrip():
        book = openpyxl.load_workbook(BytesIO(plan_xlsx(plan)))
        sheet = book.worksheets[0]
        sheet.cell(edited, 2).value = "Изменено без сети"
        output = BytesIO()
        book.save(output)
        xlsx_changes(output.getvalue(), "план.xlsx", plan)

    yield "xlsx_roundtrip_ms_300_rows", round(median_seconds(roundtrip) * 1000)
