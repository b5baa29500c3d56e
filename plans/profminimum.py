"""The профминимум check: does every grade get the hours and directions of its level?

Pure Python over a plan fetched with `Plan.objects.for_editor()`: no queries of
its own, so the editor, the admin list, the exports and the monitoring can all
run it on every plan they already hold.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from .fields import format_hours
from .hours import grade_blocks
from .models import Direction, ItemKind, Level, Plan, PlanRow, TemplateItem
from .numbering import Line, number_lines


class Problem(str):
    """A problem in plain words that also knows the place of the editor it is about:
    `anchor` is an element id there (the level block «item-<pk>», a fixed activity's
    «row-<pk>», the levels form). Compares, prints and serializes as its text."""

    anchor: str

    def __new__(cls, text: str, anchor: str = ""):
        problem = super().__new__(cls, text)
        problem.anchor = anchor
        return problem

    def __reduce__(self):
        return (Problem, (str(self), self.anchor))


@dataclass
class GradeCheck:
    grade: int
    level: Level | None
    block_id: int | None = None  # the level's block in the template: where to look
    planned_hours: Decimal = Decimal(0)
    directions: list[tuple[Direction, bool]] = field(default_factory=list)  # (direction, covered)

    @property
    def min_hours(self) -> int:
        return self.level.min_hours if self.level else 0

    @property
    def missing_directions(self) -> list[Direction]:
        return [direction for direction, covered in self.directions if not covered]

    @property
    def hours_ok(self) -> bool:
        return self.level is None or self.planned_hours >= self.level.min_hours

    @property
    def ok(self) -> bool:
        return self.hours_ok and not self.missing_directions

    @property
    def percent(self) -> int:
        if not self.level or not self.level.min_hours:
            return 100
        return min(100, int(self.planned_hours * 100 / self.level.min_hours))

    def problems(self) -> list[Problem]:
        """Plain words: «8 класс: запланировано 52 ч из 60 (основной уровень); нет мероприятий
        по направлению «Взаимодействие с родителями (законными представителями)»»."""
        if self.level is None:
            return []
        parts = []
        if not self.hours_ok:
            parts.append(
                f"запланировано {format_hours(self.planned_hours)} ч из {self.level.min_hours} "
                f"({self.level.name} уровень)"
            )
        parts += [f"нет мероприятий по направлению «{d.name}»" for d in self.missing_directions]
        if not parts:
            return []
        anchor = f"item-{self.block_id}" if self.block_id else "levels-form"
        return [Problem(f"{self.grade} класс: " + "; ".join(parts), anchor)]


@dataclass
class PlanCheck:
    grades: list[GradeCheck]
    other_problems: list[str]

    @property
    def problems(self) -> list[Problem]:
        return [p for grade in self.grades for p in grade.problems()] + self.other_problems

    @property
    def passed(self) -> bool:
        return not self.problems


def check_plan(plan: Plan, lines: list[Line] | None = None) -> PlanCheck:
    """Check a plan fetched with the editor's bundle (`for_editor()`)."""
    items: list[TemplateItem] = list(plan.year.template_items.all())
    rows: list[PlanRow] = list(plan.rows.all())
    plan_grades = list(plan.grades.all())
    used = {g.level_id for g in plan_grades if g.level_id}
    if lines is None:
        lines = number_lines(items, rows, used)
    grades = []
    for walked in grade_blocks(plan):
        check = GradeCheck(
            walked.grade, walked.plan_grade.level, walked.block.pk if walked.block else None
        )
        for heading in walked.headings:
            serving = heading.serving(walked.grade)
            check.planned_hours += sum((r.hours or Decimal(0) for r in serving), Decimal(0))
            if heading.direction is not None:
                check.directions.append((heading.direction, bool(serving)))
        grades.append(check)

    other = []
    if not used:
        other.append(
            Problem("Не выбран уровень профминимума ни для одного класса (6–11).", "levels-form")
        )
    for line in lines:
        if line.kind == ItemKind.FIXED and line.row is not None:
            missing = [
                label
                for label, value in (
                    ("сроки", line.row.period),
                    ("ответственные", line.row.responsible),
                )
                if not value.strip()
            ]
            if missing:
                title = line.item.title
                short = title if len(title) <= 60 else title[:57].rstrip() + "…"
                other.append(
                    Problem(
                        f"{line.number} «{short}»: не указаны {' и '.join(missing)}.",
                        f"row-{line.row.pk}",
                    )
                )
    return PlanCheck(grades, other)
