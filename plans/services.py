"""Writes that change state. Called alike from views, admin actions and commands.

Every function is keyword-only, named <entity>_<action>, and runs in one
transaction: a save interrupted midway leaves all of it or none.
"""

from django.db import transaction

from .fields import GRADES
from .models import ItemKind, Plan, PlanGrade, PlanRow, School, SchoolYear, TemplateItem


def template_row_positions(items) -> list[tuple[TemplateItem, TemplateItem | None, int]]:
    """For each blank row of the template (kind ROW): its parent, the template sibling
    it follows (None: before the first) and its place in that run. A new plan starts
    with one empty school row at each of these places."""
    by_parent: dict[int | None, list[TemplateItem]] = {}
    for item in items:
        by_parent.setdefault(item.parent_id, []).append(item)
    positions = []
    for siblings in by_parent.values():
        anchor, order = None, 0
        for item in sorted(siblings, key=lambda item: item.order):
            if item.kind == ItemKind.ROW:
                order += 1
                positions.append((item, anchor, order))
            else:
                anchor, order = item, 0
    return positions


@transaction.atomic
def plan_create(
    *, school: School, year: SchoolYear, levels: dict[int, int | None] | None = None
) -> Plan:
    """Start a school's plan for a year from the year's template: the seed's blank
    rows as empty school rows, one row per fixed activity, grades 6–11 with the
    given level ids (none by default)."""
    plan = Plan.objects.create(school=school, year=year)
    levels = levels or {}
    PlanGrade.objects.bulk_create(
        PlanGrade(plan=plan, grade=grade, level_id=levels.get(grade)) for grade in GRADES
    )
    items = list(TemplateItem.objects.filter(year=year))
    rows = [
        PlanRow(plan=plan, parent_id=item.parent_id, anchor=anchor, order=order)
        for item, anchor, order in template_row_positions(items)
    ]
    rows += [
        PlanRow(plan=plan, parent_id=item.parent_id, fixed_item=item)
        for item in items
        if item.kind == ItemKind.FIXED
    ]
    PlanRow.objects.bulk_create(rows)
    return plan
