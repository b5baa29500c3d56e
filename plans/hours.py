"""The one walk of a plan's level blocks that hours are counted on.

Planned hours (the профминимум check, plans/profminimum.py) and delivered hours (the
execution, plans/execution/reads.py, and the figures stored from it for the region) are
sums over the same rows: for each grade of the plan, the rows the school wrote under
the headings of its level's block (3.4.12–3.4.14). Both read this walk, so the two
figures can never count different rows. Pure Python over a plan fetched with
`Plan.objects.for_editor()`: no queries.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from .models import Direction, Plan, PlanGrade, PlanRow, TemplateItem


@dataclass(frozen=True, slots=True)
class HeadingRows:
    """A heading of a level block (a direction, as a rule) and the school's rows under it."""

    heading: TemplateItem
    direction: Direction | None
    rows: list[PlanRow]

    def serving(self, grade: int) -> list[PlanRow]:
        """The rows planned for `grade` (its number among the row's grades)."""
        return [row for row in self.rows if grade in (row.grades or ())]


@dataclass(frozen=True, slots=True)
class GradeBlock:
    """A grade of the plan with its level's block: `block` is None when the grade
    takes no level (or the template has no block for it), and `headings` is then empty."""

    plan_grade: PlanGrade
    block: TemplateItem | None
    headings: list[HeadingRows]

    @property
    def grade(self) -> int:
        return self.plan_grade.grade


def grade_blocks(plan: Plan) -> Iterator[GradeBlock]:
    """Per grade of `plan` (in the order of `plan.grades`): its level's block and the
    block's headings in template order, each with the school's own rows under it
    (fixed activities are the template's, never counted for hours)."""
    items = list(plan.year.template_items.all())
    directions = {direction.pk: direction for direction in plan.year.directions.all()}
    block_of_level = {item.level_id: item for item in items if item.level_id}
    children = defaultdict(list)
    for item in items:
        children[item.parent_id].append(item)
    rows_under = defaultdict(list)
    for row in plan.rows.all():
        if not row.fixed_item_id:
            rows_under[row.parent_id].append(row)

    for plan_grade in plan.grades.all():
        block = block_of_level.get(plan_grade.level_id)
        headings = []
        if block is not None:
            headings = [
                HeadingRows(
                    heading,
                    directions[heading.direction_id] if heading.direction_id else None,
                    rows_under[heading.pk],
                )
                for heading in sorted(children[block.pk], key=lambda item: item.order)
            ]
        yield GradeBlock(plan_grade, block, headings)
