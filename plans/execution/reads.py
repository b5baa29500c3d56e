"""What was done with an approved plan, against the профминимум: pure Python.

Reads a plan fetched with `Plan.objects.for_editor()` and its executions
(`executions_for()`: one query, two with the evidence), so the execution page, the
editor and the review page show the same figures in a fixed number of queries.

Hours delivered count per grade, as the federal профминимум does: a row of a level
block that was done (or partly done) gives its hours delivered to each grade that
took part. A row marked done without hours delivered counts its planned hours.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Prefetch

from plans.fields import format_hours
from plans.hours import grade_blocks
from plans.models import Direction, ExecutionStatus, Level, Plan, PlanRow, RowExecution
from plans.numbering import Line, number_lines, numbering_sources

DELIVERED = (ExecutionStatus.DONE, ExecutionStatus.PARTLY)


def executions_for(plan: Plan, with_evidence: bool = True) -> dict[int, RowExecution]:
    """The plan's executions by row id, with who marked each: one query (two with the
    evidence files)."""
    from plans.models import Evidence

    # Who marked it (the execution page signs each mark), in the same query.
    queryset = RowExecution.objects.filter(row__plan=plan).select_related("recorded_by")
    if with_evidence:
        queryset = queryset.prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "pk"))
        )
    return {execution.row_id: execution for execution in queryset}


class Mark(NamedTuple):
    """What `delivery_by_grade` and the counts by mark read of an execution: a light
    record, so that a chunk of the region's plans does not hold thousands of models."""

    status: str
    grades: tuple
    hours: Decimal | None


def executions_of_plans(plan_ids) -> dict[int, Mark]:
    """The marks of several plans by row id: one query (row ids are unique across
    plans, so one dict serves `delivery_by_grade` for each of them)."""
    marks = RowExecution.objects.filter(row__plan_id__in=list(plan_ids)).values_list(
        "row_id", "status", "grades", "hours"
    )
    return {row_id: Mark(status, grades, hours) for row_id, status, grades, hours in marks}


def delivered_hours(row: PlanRow, execution: RowExecution | None, grade: int) -> Decimal:
    if execution is None or execution.status not in DELIVERED:
        return Decimal(0)
    grades = execution.grades or row.grades or ()
    if grade not in grades:
        return Decimal(0)
    if execution.hours is not None:
        return execution.hours
    if execution.status == ExecutionStatus.DONE:
        return row.hours or Decimal(0)
    return Decimal(0)


@dataclass
class GradeDelivery:
    grade: int
    level: Level | None
    planned: Decimal = Decimal(0)
    delivered: Decimal = Decimal(0)
    directions: list[tuple[Direction, bool]] = field(default_factory=list)  # (direction, any)

    @property
    def min_hours(self) -> int:
        return self.level.min_hours if self.level else 0

    @property
    def met(self) -> bool:
        return self.level is None or self.delivered >= self.level.min_hours

    @property
    def percent(self) -> int:
        """Delivered, in per cent of the level's minimum (at most 100: a bar's width)."""
        if not self.min_hours:
            return 100
        return min(100, int(self.delivered * 100 / self.min_hours))

    @property
    def idle_directions(self) -> list[Direction]:
        return [direction for direction, any_delivered in self.directions if not any_delivered]

    def summary(self) -> str:
        """«9 класс: проведено 12 ч из 60 (основной уровень), по плану 64 ч»."""
        text = f"{self.grade} класс: проведено {format_hours(self.delivered)} ч"
        if self.level:
            text += f" из {self.level.min_hours} ({self.level.name} уровень)"
        return text + f", по плану {format_hours(self.planned)} ч"


def delivery_by_grade(plan: Plan, executions: dict[int, RowExecution]) -> list[GradeDelivery]:
    """Per grade of the plan: hours planned and delivered in its level's block, and the
    block's directions with nothing delivered yet. No queries (the editor's bundle)."""
    result = []
    for walked in grade_blocks(plan):
        delivery = GradeDelivery(walked.grade, walked.plan_grade.level)
        for heading in walked.headings:
            any_delivered = False
            for row in heading.rows:
                if walked.grade in (row.grades or ()):
                    delivery.planned += row.hours or Decimal(0)
                hours = delivered_hours(row, executions.get(row.pk), walked.grade)
                delivery.delivered += hours
                any_delivered = any_delivered or hours > 0
            if heading.direction is not None:
                delivery.directions.append((heading.direction, any_delivered))
        result.append(delivery)
    return result


def due_date(row: PlanRow, execution: RowExecution | None) -> date | None:
    """The day by which a row should have been marked: its planned end (or start), or
    the date it was moved to. None: nothing is due (no date, or already marked)."""
    if execution is None:
        return row.end_date or row.start_date
    if execution.status == ExecutionStatus.MOVED:
        return execution.moved_to
    return None


@dataclass(frozen=True)
class Overdue:
    """A line whose date passed without a mark, or whose new date (moved) passed."""

    line: Line
    due: date
    moved: bool


def overdue_lines(
    lines: list[Line], executions: dict[int, RowExecution], today: date
) -> list[Overdue]:
    """Lines whose dates have passed without a mark (or whose new date has passed)."""
    overdue = []
    for line in lines:
        row = line.row
        if row is None or not (line.kind == "row" or line.kind == "fixed"):
            continue
        execution = executions.get(row.pk)
        day = due_date(row, execution)
        if day is not None and day < today:
            overdue.append(Overdue(line, day, execution is not None))
    return overdue


def markable_lines(lines: list[Line]) -> list[Line]:
    """The lines a school marks: its rows and its fillings of the fixed activities."""
    return [line for line in lines if line.row is not None and line.kind in ("row", "fixed")]


# --- Across schools: reminders and who has gone quiet ------------------------------

QUIET_DAYS = 30


def overdue_rows_by_plan(plans, today: date) -> dict[int, list[PlanRow]]:
    """The rows of these (approved) plans whose dates passed without a mark, or whose
    new date passed, by plan id; only rows the plan shows, as `overdue_lines` on the
    execution page: a level block no grade takes is hidden with its rows
    (`number_lines` decides, for both). Three queries whatever the plans and rows:
    the rows, the levels the plans' grades take, the template items of their years."""
    from django.db.models import F, Q

    due = Q(execution__isnull=True) & (
        Q(end_date__lt=today) | Q(end_date__isnull=True, start_date__lt=today)
    )
    moved = Q(execution__status=ExecutionStatus.MOVED, execution__moved_to__lt=today)
    rows = (
        PlanRow.objects.filter(plan__in=plans)
        .filter(due | moved)
        .select_related("execution", "fixed_item")
        .annotate(year_id=F("plan__year_id"))
        .order_by("plan_id", "start_date", "end_date", "pk")
    )
    result: dict[int, list[PlanRow]] = defaultdict(list)
    for row in rows:
        result[row.plan_id].append(row)
    if not result:
        return result
    used, items = numbering_sources(result, {rows[0].year_id for rows in result.values()})
    shown = {}
    for plan_id, plan_rows in result.items():
        lines = number_lines(items[plan_rows[0].year_id], plan_rows, used[plan_id])
        visible = {line.row.pk for line in lines if line.row is not None}
        rows_shown = [row for row in plan_rows if row.pk in visible]
        if rows_shown:
            shown[plan_id] = rows_shown
    return shown


def row_due(row: PlanRow) -> date | None:
    """`due_date` for a row fetched with `select_related("execution")`."""
    try:
        execution = row.execution
    except RowExecution.DoesNotExist:
        execution = None
    return due_date(row, execution)


def plans_with_activity(plans):
    """Approved plans annotated with `last_mark` (the latest change to any of their
    executions), `marked` and `rows_total`: one query for the lot."""
    from django.db.models import Count, Max, Q

    return plans.annotate(
        last_mark=Max("rows__execution__updated_at"),
        marked=Count("rows__execution", distinct=True),
        rows_total=Count(
            "rows",
            filter=Q(rows__activity__gt="") | Q(rows__fixed_item__isnull=False),
            distinct=True,
        ),
    )
