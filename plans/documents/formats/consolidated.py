"""The region in one workbook for the ministry: a summary of plans, the execution of
the approved ones (rows done, hours delivered per grade against the level's minimum,
and per municipality the share of schools that met the профминимум by hours
delivered) and every row.

Streams: plans are read in chunks through the editor's bundle and written with
openpyxl's write-only mode, so memory holds one chunk, not the region.
`write_region_xlsx()` writes to any file object: the worker writes it to a
temporary file and stores it (plans/documents/queue.py), the command writes the file it
is given, and `make bench` measures the worker's path and the download after it.
"""

from collections.abc import Iterator
from datetime import datetime
from io import BytesIO
from typing import BinaryIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from plans.documents.formats.cells import cell, make_style
from plans.documents.formats.rows import COLUMN_TITLES, LOAD_TITLES, plan_lines, table_rows
from plans.documents.formats.xlsx import setup_print
from plans.execution.reads import delivery_by_grade, executions_of_plans, markable_lines
from plans.fields import GRADES
from plans.models import ExecutionStatus, Plan, PlanStatus
from plans.profminimum import check_plan

CHUNK = 50

SUMMARY_TITLES = (
    "Муниципалитет",
    "Школа",
    "Статус",
    "Сдан",
    "Утверждён",
    *(title for grade in GRADES for title in (f"{grade} кл.: уровень", f"{grade} кл.: часов")),
    "Профминимум: требования выполнены",
    "Замечания проверки",
)
SUMMARY_WIDTHS = (18, 36, 16, 11, 11, *(11, 8) * len(GRADES), 14, 60)

ROWS_TITLES = (
    "Муниципалитет",
    "Школа",
    "Пункт примерного плана",
    "Вид строки",
    *COLUMN_TITLES,
    *LOAD_TITLES,
)
ROWS_WIDTHS = (18, 30, 12, 14, 9, 48, 18, 24, 30, 30, 30, 8, 14)
EXECUTION_STATUSES = (
    ExecutionStatus.DONE,
    ExecutionStatus.PARTLY,
    ExecutionStatus.NOT_DONE,
    ExecutionStatus.MOVED,
)
EXECUTION_TITLES = (
    "Муниципалитет",
    "Школа",
    "Строк в плане",
    *(status.label.capitalize() for status in EXECUTION_STATUSES),
    "Без отметки",
    "Выполнено строк, %",
    *(
        title
        for grade in GRADES
        for title in (f"{grade} кл.: минимум уровня, ч", f"{grade} кл.: проведено, ч")
    ),
    "Профминимум по проведённым часам выполнен",
)
EXECUTION_WIDTHS = (18, 36, 9, *(10,) * len(EXECUTION_STATUSES), 10, 10, *(9, 9) * len(GRADES), 16)
TOTALS_TITLES = (
    "Муниципалитет",
    "Утверждённых планов",
    "Выполнили профминимум по проведённым часам",
    "Доля школ, выполнивших профминимум, %",
    "Строк в планах",
    "Выполнено строк",
    "Выполнено строк, %",
)
TOTALS_WIDTHS = (36, 14, 18, 18, 12, 12, 12)
REGION = "Кабардино-Балкарская Республика"
KIND_NAMES = {
    "section": "раздел",
    "heading": "подраздел",
    "fixed": "заданное мероприятие",
    "row": "мероприятие школы",
}


def plans_in_chunks(
    plans, size: int | None = None, with_executions: bool = False
) -> Iterator[Plan]:
    """Plans of `plans` with the editor's bundle, `size` at a time, in region order.

    Queries: 1 for the ids, then 7 per chunk (`Plan.objects.for_editor()`: plans with
    school, municipality, year and self-analysis; grades; rows; template items;
    levels; directions; section II indicators), whatever the rows; `with_executions`:
    one more per chunk, the chunk's row executions, as `plan.executions` (by row id).
    """
    size = size or CHUNK
    ids = list(
        plans.order_by(
            "school__municipality__order",
            "school__municipality__name",
            "school__short_name",
            "year__start_date",
            "pk",
        ).values_list("pk", flat=True)
    )
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        fetched = {plan.pk: plan for plan in Plan.objects.for_editor().filter(pk__in=chunk)}
        if with_executions:
            executions = executions_of_plans(chunk)
            for plan in fetched.values():
                plan.executions = executions
        for pk in chunk:
            yield fetched[pk]
        # A prefetched row points back at its plan (and a template item at its year):
        # reference cycles that only the cyclic GC frees, late, so memory would grow
        # with the region. Dropping the caches lets each chunk go as soon as it is done.
        for plan in fetched.values():
            plan.year._prefetched_objects_cache.clear()
            plan._prefetched_objects_cache.clear()
            plan.executions = None


def _day(moment: datetime | None):
    # Excel has no time zones: the date in Moscow is what the ministry reads.
    return timezone.localtime(moment).date() if moment else None


def region_xlsx(plans) -> bytes:
    """`write_region_xlsx()` into bytes, for small sets (tests); the views stream."""
    output = BytesIO()
    write_region_xlsx(plans, output)
    return output.getvalue()


def write_region_xlsx(plans, output: BinaryIO) -> None:
    """Write the consolidated workbook of the plans of queryset `plans` to `output`.

    Query cost: 1 + 8 per chunk of 50 plans (see `plans_in_chunks`: the bundle and the
    executions); it does not grow with the number of rows. Memory: one chunk of plans
    at a time (and a line of totals per municipality).
    """
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet("Сводка")
    execution = workbook.create_sheet("Исполнение")
    totals_sheet = workbook.create_sheet("Итоги исполнения")
    table = workbook.create_sheet("Строки планов")
    for sheet, titles, widths in (
        (summary, SUMMARY_TITLES, SUMMARY_WIDTHS),
        (execution, EXECUTION_TITLES, EXECUTION_WIDTHS),
        (totals_sheet, TOTALS_TITLES, TOTALS_WIDTHS),
        (table, ROWS_TITLES, ROWS_WIDTHS),
    ):
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "C2"
        sheet.print_title_rows = "1:1"
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(titles))}1"
        setup_print(sheet)
        header = make_style(sheet, bold=True, horizontal="center", fill="E7E6E6")
        sheet.append([cell(sheet, title, header) for title in titles])

    text = make_style(summary, border=False)
    date = make_style(summary, border=False, number_format="DD.MM.YYYY")
    hours = make_style(summary, border=False)
    bold = make_style(table, border=False, bold=True)
    plain = make_style(table, border=False)
    done_text = make_style(execution, border=False)
    totals: dict[str, list[int]] = {}

    for plan in plans_in_chunks(plans, with_executions=True):
        municipality, school = plan.school.municipality.name, plan.school.short_name
        lines = plan_lines(plan)
        check = check_plan(plan, lines)
        by_grade = {grade.grade: grade for grade in check.grades}
        grade_cells = []
        for number in GRADES:
            grade = by_grade.get(number)
            level = grade.level if grade else None
            grade_cells.append(cell(summary, level.name if level else "—", text))
            grade_cells.append(cell(summary, grade.planned_hours if level else None, hours))
        summary.append(
            [
                cell(summary, municipality, text),
                cell(summary, school, text),
                cell(summary, plan.get_status_display(), text),
                cell(summary, _day(plan.submitted_at), date),
                cell(summary, _day(plan.approved_at), date),
                *grade_cells,
                cell(summary, "да" if check.passed else "нет", text),
                cell(summary, "\n".join(check.problems), text),
            ]
        )
        if plan.status == PlanStatus.APPROVED:
            figures = _execution_line(plan, lines)
            execution.append([cell(execution, value, done_text) for value in figures])
            line = totals.setdefault(municipality, [0, 0, 0, 0])
            met = figures[-1] == "да"
            marked = figures[2:4]  # rows in the plan, done
            for index, value in enumerate((1, int(met), *marked)):
                line[index] += value
        for row in table_rows(plan, lines):
            style = bold if row.spans else plain
            table.append(
                [
                    cell(table, municipality, style),
                    cell(table, school, style),
                    cell(table, row.item_code, style),
                    cell(table, KIND_NAMES[row.kind], style),
                    *(cell(table, value, style) for value in row.columns),
                    cell(table, row.hours, plain),
                    cell(table, row.grades_text, plain),
                ]
            )
    _write_totals(totals_sheet, totals)
    workbook.save(output)


def _execution_line(plan: Plan, lines) -> list:
    """An approved plan's execution: its rows by mark, and per grade the level's minimum
    and the hours delivered (`delivery_by_grade`, as on the plan's pages); the last
    value says whether every grade with a level got its minimum."""
    executions = plan.executions
    rows = [line.row for line in markable_lines(lines)]
    counts = {status: 0 for status in EXECUTION_STATUSES}
    for row in rows:
        marked = executions.get(row.pk)
        if marked is not None:
            counts[marked.status] += 1
    unmarked = len(rows) - sum(counts.values())
    done = counts[ExecutionStatus.DONE]
    by_grade = {d.grade: d for d in delivery_by_grade(plan, executions)}
    grade_cells, levelled = [], []
    for number in GRADES:
        delivery = by_grade.get(number)
        if delivery is None or delivery.level is None:
            grade_cells += [None, None]
            continue
        levelled.append(delivery.met)
        grade_cells += [delivery.min_hours, delivery.delivered]
    met = bool(levelled) and all(levelled)
    return [
        plan.school.municipality.name,
        plan.school.short_name,
        len(rows),
        *counts.values(),
        unmarked,
        _share(done, len(rows)),
        *grade_cells,
        "да" if met else "нет",
    ]


def _share(part: int, whole: int):
    return round(part * 100 / whole, 1) if whole else None


def _write_totals(sheet, totals: dict[str, list[int]]) -> None:
    """Per municipality (in region order) and for the region: approved plans, how many
    met the профминимум by hours delivered and their share, rows done of rows planned."""
    style = make_style(sheet, border=False)
    strong = make_style(sheet, border=False, bold=True)
    region = [0, 0, 0, 0]
    for name, (plans, met, rows, done) in totals.items():
        region = [a + b for a, b in zip(region, (plans, met, rows, done), strict=True)]
        sheet.append(_totals_cells(sheet, style, name, plans, met, rows, done))
    sheet.append(_totals_cells(sheet, strong, REGION, *region))


def _totals_cells(sheet, style, name, plans, met, rows, done) -> list:
    values = (name, plans, met, _share(met, plans), rows, done, _share(done, rows))
    return [cell(sheet, value, style) for value in values]
