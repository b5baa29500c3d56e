"""Writes of the imports: a Word plan applied as a plan, an Excel file's changes
applied to its plan. Each runs in one transaction: all or nothing.
"""

from django.db import transaction

from ..fields import GRADES
from ..models import ItemKind, Plan, PlanGrade, PlanRow, School, SchoolYear, TemplateItem
from ..services.rows import plan_touch
from ..services.workflow import plan_refresh_check
from ..services.years import fixed_rows
from ..team.assignments import assignments_add
from .placement import Placement


class ImportRefused(Exception):
    """The import cannot be applied as asked; `message` says why, in Russian."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


STALE = (
    "Примерный план учебного года изменился после проверки файла. Загрузите файл ещё раз, "
    "чтобы проверить его по новому примерному плану."
)


def placement_rows(placement: Placement, plan: Plan) -> list[PlanRow]:
    """Unsaved rows of `plan` in the file's order; `order` numbers each run from 1."""
    runs: dict[tuple[int, int | None], int] = {}
    rows = []
    for placed in placement.rows:
        if placed.fixed_id:
            rows.append(
                PlanRow(plan=plan, parent_id=placed.parent_id, fixed_item_id=placed.fixed_id)
            )
        else:
            key = (placed.parent_id, placed.anchor_id)
            runs[key] = runs.get(key, 0) + 1
            rows.append(
                PlanRow(
                    plan=plan,
                    parent_id=placed.parent_id,
                    anchor_id=placed.anchor_id,
                    order=runs[key],
                )
            )
        for name, value in placed.values().items():
            if placed.fixed_id and name in ("activity", "hours", "grades"):
                continue
            setattr(rows[-1], name, value)
    return rows


@transaction.atomic
def plan_import_docx(
    *,
    placement: Placement,
    school: School,
    replace: bool = False,
    version: int | None = None,
    assignees: dict[int, list] | None = None,
    by=None,
) -> Plan:
    """A school's plan for the placement's year made of the placed rows.

    No plan yet: a new draft, its grades in the levels the file shows. A plan
    already there is only replaced when asked (`replace`, after the user saw the
    warning), and only while it is a draft or returned (PlanNotEditable) and still
    at `version` (PlanConflict): its rows all go, the file's rows come; grades that
    have no level yet get the file's. Otherwise ImportRefused.

    `assignees`: people of the school's team to assign (`by` the deputy, who ticked
    them on the preview) to the new rows, by the index of the placed row.
    """
    year = SchoolYear.objects.get(pk=placement.year_id)
    items = {item.pk: item for item in TemplateItem.objects.filter(year=year)}
    wanted = {
        pk for row in placement.rows for pk in (row.parent_id, row.anchor_id, row.fixed_id) if pk
    }
    if not wanted <= set(items) or any(
        not items[row.parent_id].accepts_rows for row in placement.rows if not row.fixed_id
    ):
        raise ImportRefused(STALE)
    valid_levels = set(year.levels.values_list("pk", flat=True))
    levels = {g: lv for g, lv in placement.levels.items() if g in GRADES and lv in valid_levels}

    plan = Plan.objects.select_for_update().filter(school=school, year=year).first()
    if plan is not None and not replace:
        raise ImportRefused(
            f"У школы уже есть план на {year.title} учебный год. Чтобы заменить его строки "
            "строками файла, отметьте «Заменить строки черновика» и примените ещё раз."
        )
    if plan is None:
        plan = Plan.objects.create(school=school, year=year)
        PlanGrade.objects.bulk_create(
            PlanGrade(plan=plan, grade=grade, level_id=levels.get(grade)) for grade in GRADES
        )
    else:
        plan_touch(plan=plan, version=version)
        plan.rows.all().delete()
        for grade in plan.grades.filter(level__isnull=True, grade__in=levels):
            grade.level_id = levels[grade.grade]
            grade.save(update_fields=["level"])

    rows = placement_rows(placement, plan)
    filled = {row.fixed_item_id for row in rows if row.fixed_item_id}
    missing = [i for i in items.values() if i.kind == ItemKind.FIXED and i.pk not in filled]
    PlanRow.objects.bulk_create(rows + fixed_rows(plan, missing))
    if assignees:
        assignments_add(
            plan=plan,
            pairs=[
                (rows[i], person)
                for i, people in assignees.items()
                if 0 <= i < len(rows)
                for person in people
            ],
            by=by,
        )
    plan_refresh_check(plan=plan)
    return plan


@transaction.atomic
def plan_import_xlsx(
    *, plan: Plan, changes, assignees: dict[int, list] | None = None, by=None
) -> Plan:
    """Apply an Excel file's changes (plans/imports/xlsx.py) to the plan it came from.

    The changes were worked out against the plan at `changes.plan_version`: if the
    plan moved since, PlanConflict (the file is compared again). Conflicts are never
    applied. Rows keep the file's order within their runs; rows the file does not
    have (added on the site since the export) follow them. One version step.

    `assignees`: people of the school's team to assign (`by` the deputy) to the added
    or changed rows, by the index of the change.
    """
    plan_touch(plan=plan, version=changes.plan_version)
    rows = {row.pk: row for row in PlanRow.objects.filter(plan=plan)}
    items = set(
        TemplateItem.objects.filter(year=plan.year_id, accepts_rows=True).values_list(
            "pk", flat=True
        )
    )
    created: dict[int, PlanRow] = {}
    for index, change in enumerate(changes.changes):
        if change.kind == "removed":
            row = rows.pop(change.row_id, None)
            if row is None or row.fixed_item_id:
                raise ImportRefused(XLSX_STALE)
            row.delete()
        elif change.kind == "changed":
            row = rows.get(change.row_id)
            if row is None:
                raise ImportRefused(XLSX_STALE)
            for name, value in change.fields.items():
                setattr(row, name, value)
            row.save()
        elif change.kind == "added":
            if change.parent_id not in items:
                raise ImportRefused(XLSX_STALE)
            created[index] = PlanRow(
                plan=plan, parent_id=change.parent_id, anchor_id=change.anchor_id, **change.fields
            )
    PlanRow.objects.bulk_create(created.values())

    rank = {}
    for position, (kind, ref) in enumerate(changes.order):
        row = rows.get(ref) if kind == "row" else created.get(ref)
        if row is not None:
            rank[id(row)] = position
    runs: dict[tuple, list[PlanRow]] = {}
    for row in [*rows.values(), *created.values()]:
        if not row.fixed_item_id:
            runs.setdefault((row.parent_id, row.anchor_id), []).append(row)
    moved = []
    for run in runs.values():
        run.sort(key=lambda r: (rank.get(id(r), len(rank)), r.order, r.pk or 0))
        for order, row in enumerate(run, start=1):
            if row.order != order:
                row.order = order
                moved.append(row)
    PlanRow.objects.bulk_update(moved, ["order"])
    if assignees:
        pairs = []
        for index, people in assignees.items():
            change = changes.changes[index] if 0 <= index < len(changes.changes) else None
            if change is None:
                continue
            row = created.get(index) if change.kind == "added" else rows.get(change.row_id)
            if row is not None and change.kind in ("added", "changed"):
                pairs.extend((row, person) for person in people)
        assignments_add(plan=plan, pairs=pairs, by=by)
    plan_refresh_check(plan=plan)
    return plan


XLSX_STALE = (
    "План изменился так, что изменения из файла к нему больше не подходят. Загрузите файл "
    "ещё раз: он будет сравнён с планом заново."
)
