"""Indicators computed from a school's plan, by way of the профминимум check, and
indicators counted from the execution of the approved plan (excursions held, pupils
who took part in professional trials, hours delivered).

Pure Python over a plan fetched with `Plan.objects.for_editor()`, as
`plans.profminimum.check_plan` needs, and its executions: no queries of its own.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from plans.execution.reads import DELIVERED
from plans.models import ExecutionStatus
from plans.profminimum import PlanCheck, check_plan

from .models import ComputedKind, ExecutionCount, Indicator


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def computed_value(indicator: Indicator, check: PlanCheck) -> Decimal | None:
    """The value of a computed indicator for the plan behind `check`; None when the plan
    gives no basis (no grade has a level)."""
    with_level = [grade for grade in check.grades if grade.level is not None]
    if indicator.computed == ComputedKind.MIN_GRADE_HOURS:
        if not with_level:
            return None
        return min(grade.planned_hours for grade in with_level)
    if indicator.computed == ComputedKind.LEVEL_SHARE:
        matching = [g for g in check.grades if g.level and g.level.pk == indicator.level_id]
        return _percent(len(matching), len(check.grades))
    if indicator.computed == ComputedKind.DIRECTIONS_COVERED:
        # Each grade owes the directions of its level's block; the share is taken over
        # those (grade, direction) pairs, optionally only for the indicator's direction.
        pairs = [
            covered
            for grade in with_level
            for direction, covered in grade.directions
            if indicator.direction_id is None or direction.pk == indicator.direction_id
        ]
        return _percent(sum(pairs), len(pairs))
    return None


def plan_computed_values(plan, indicators) -> dict[int, Decimal | None]:
    """{indicator id: value} for the computed ones among `indicators`; `plan` may be None."""
    computed = [indicator for indicator in indicators if indicator.is_computed]
    if not computed:
        return {}
    if plan is None:
        return {indicator.pk: None for indicator in computed}
    check = check_plan(plan)
    return {indicator.pk: computed_value(indicator, check) for indicator in computed}


# --- Indicators counted from what was done (the execution of an approved plan) ------


@dataclass(frozen=True)
class DoneRow:
    """A row marked done or partly done, with what an indicator's filter reads."""

    words: tuple[str, ...]  # of the activity's title, lower-cased, «ё» as «е»
    direction_id: int | None
    level_id: int | None
    pupils: int
    hours: Decimal


def _words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", text.casefold().replace("ё", "е")))


def done_rows(plan, executions: dict) -> list[DoneRow]:
    """The plan's rows marked done or partly done. `plan` from `Plan.objects.for_editor()`
    and `executions` from `plans.execution.executions_for()`: no queries."""
    items = {item.pk: item for item in plan.year.template_items.all()}

    def up(item_id, attribute):
        while item_id is not None:
            item = items[item_id]
            if getattr(item, attribute):
                return getattr(item, attribute)
            item_id = item.parent_id
        return None

    result = []
    for row in plan.rows.all():
        execution = executions.get(row.pk)
        if execution is None or execution.status not in DELIVERED:
            continue
        title = row.activity or (items[row.fixed_item_id].title if row.fixed_item_id else "")
        if execution.hours is not None:
            hours = execution.hours
        elif execution.status == ExecutionStatus.DONE:
            hours = row.hours or Decimal(0)  # done as planned
        else:
            hours = Decimal(0)
        result.append(
            DoneRow(
                words=_words(title),
                direction_id=up(row.parent_id, "direction_id"),
                level_id=up(row.parent_id, "level_id"),
                pupils=execution.pupils or 0,
                hours=hours,
            )
        )
    return result


def _matches(indicator: Indicator, row: DoneRow) -> bool:
    if indicator.direction_id and row.direction_id != indicator.direction_id:
        return False
    if indicator.level_id and row.level_id != indicator.level_id:
        return False
    keywords = indicator.keywords
    if not keywords:
        return True
    # A keyword («экскурси», «професс проб») matches when each of its words begins
    # a word of the title: «проб» counts «пробы» but not «апробация».
    return any(
        all(any(word.startswith(part) for word in row.words) for part in keyword.split())
        for keyword in keywords
    )


def executed_value(indicator: Indicator, rows: list[DoneRow]) -> Decimal:
    matching = [row for row in rows if _matches(indicator, row)]
    if indicator.execution_count == ExecutionCount.EVENTS:
        return Decimal(len(matching))
    if indicator.execution_count == ExecutionCount.PUPILS:
        return Decimal(sum(row.pupils for row in matching))
    return sum((row.hours for row in matching), Decimal(0))


def executed_values(plan, executions: dict, indicators) -> dict[int, Decimal]:
    """{indicator id: count from the execution} for those of `indicators` that are
    counted from it. No queries for a bundled plan (see `done_rows`)."""
    counted = [indicator for indicator in indicators if indicator.execution_count]
    if not counted or plan is None:
        return {}
    rows = done_rows(plan, executions)
    return {indicator.pk: executed_value(indicator, rows) for indicator in counted}
