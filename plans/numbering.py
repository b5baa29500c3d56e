"""Numbers of Table 1, derived from positions like a numbered list in a document.

Nothing here touches the database: `number_lines()` takes the year's template
items and the plan's rows (as the editor's queryset bundle prefetched them) and
returns every line of the plan in order with its number. The editor, the
read-only page and both exports all print these numbers.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .models import ItemKind, PlanGrade, PlanRow, TemplateItem

_ROMAN = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def roman(number: int) -> str:
    result = []
    for value, letters in _ROMAN:
        count, number = divmod(number, value)
        result.append(letters * count)
    return "".join(result)


@dataclass(frozen=True, slots=True)
class Line:
    """One printed line of Table 1.

    kind: "section", "heading", "fixed" or "row" (a school's row). For a school row
    `item` is the template item it sits under; for the others, the item itself.
    `row` is the plan's row: the school's text, or its filling of a fixed activity.
    """

    number: str
    kind: str
    depth: int
    item: TemplateItem
    row: PlanRow | None = None

    @property
    def title(self) -> str:
        if self.kind == "row":
            return self.row.activity
        return self.item.title


def number_lines(
    items: Iterable[TemplateItem], rows: Iterable[PlanRow], used_level_ids: set[int]
) -> list[Line]:
    """Every line of a plan in document order, numbered.

    A level block (an item with a level) is shown only when a grade uses that
    level, and keeps the number the seed gives it (3.4.12, 3.4.13, 3.4.14) unless
    the lines before it already reached that number: then it moves along, so two
    lines never share a number. Everything else is numbered by its place among its
    siblings. Rows under a hidden level block are not shown.
    """
    children: dict[int | None, list[TemplateItem]] = defaultdict(list)
    for item in items:
        if item.kind != ItemKind.ROW:
            children[item.parent_id].append(item)
    for siblings in children.values():
        siblings.sort(key=lambda item: item.order)

    runs: dict[tuple[int, int | None], list[PlanRow]] = defaultdict(list)
    fixed: dict[int, PlanRow] = {}
    for row in rows:
        if row.fixed_item_id:
            fixed[row.fixed_item_id] = row
        else:
            runs[(row.parent_id, row.anchor_id)].append(row)
    for run in runs.values():
        run.sort(key=lambda row: (row.order, row.pk or 0))

    lines: list[Line] = []

    def walk(parent: TemplateItem | None, prefix: str, depth: int) -> None:
        parent_id = parent.pk if parent else None
        sequence: list[TemplateItem | PlanRow] = list(runs.get((parent_id, None), ()))
        for child in children.get(parent_id, ()):
            if child.level_id is None or child.level_id in used_level_ids:
                sequence.append(child)
            sequence.extend(runs.get((parent_id, child.pk), ()))

        counter = 0
        for element in sequence:
            if isinstance(element, TemplateItem) and element.keeps_seed_number:
                counter = max(counter + 1, element.seed_position)
            else:
                counter += 1
            path = f"{prefix}.{counter}" if prefix else str(counter)
            label = f"{roman(counter)}." if parent is None else f"{path}."
            if isinstance(element, PlanRow):
                lines.append(Line(label, "row", depth, parent, element))
            else:
                lines.append(Line(label, str(element.kind), depth, element, fixed.get(element.pk)))
                walk(element, path, depth + 1)

    walk(None, "", 0)
    return lines


def plan_lines(plan) -> list[Line]:
    """The numbered lines of a plan fetched with `Plan.objects.for_editor()`; no queries."""
    used = {grade.level_id for grade in plan.grades.all() if grade.level_id}
    return number_lines(plan.year.template_items.all(), plan.rows.all(), used)


def numbering_sources(plan_ids, year_ids) -> tuple[dict[int, set[int]], dict[int, list]]:
    """What `number_lines` needs of several plans besides their rows, without their
    editor's bundles: the levels their grades take (by plan id) and their years'
    template items (by year id). Two queries, whatever the plans."""
    used: dict[int, set[int]] = defaultdict(set)
    for plan_id, level_id in PlanGrade.objects.filter(
        plan_id__in=list(plan_ids), level__isnull=False
    ).values_list("plan_id", "level_id"):
        used[plan_id].add(level_id)
    items: dict[int, list] = defaultdict(list)
    for item in TemplateItem.objects.filter(year_id__in=list(year_ids)):
        items[item.year_id].append(item)
    return used, items
