"""Row edits of a plan in the editor: add, change, delete (and put back), move or
place rows, set the levels of its grades; and `plan_touch`, the version check every
edit of a plan starts with.
"""

import datetime
import uuid
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from ..models import (
    ActivityTemplate,
    ItemKind,
    Level,
    Plan,
    PlanComment,
    PlanRow,
    PlanStatus,
    TemplateItem,
)
from ..numbering import plan_lines
from .errors import PlanConflict, PlanNotEditable, RowRefused
from .workflow import plan_refresh_check


def plan_touch(*, plan: Plan, version: int | None, any_status: bool = False) -> Plan:
    """Check the page's version against the plan's and move it on, atomically.

    A compare-and-swap in one UPDATE: two tabs that loaded version 7 cannot both
    write; the second one gets PlanConflict. `version=None` skips the comparison
    (the reviewer's admin, commands). Every write to a plan or to what hangs on it
    (rows, grades, remarks, section II, self-analysis) starts here, because the
    version is also the editor page's cache key: a write that does not move it
    would leave the page stale. Only a draft or returned plan is edited, unless
    `any_status` (remarks and answers, the self-analysis, the reviewer's admin: they
    go on after submission); otherwise PlanNotEditable.
    """
    updated = Plan.objects.filter(pk=plan.pk)
    if not any_status:
        updated = updated.filter(status__in=[PlanStatus.DRAFT, PlanStatus.RETURNED])
    if version is not None:
        updated = updated.filter(version=version)
    # `update()` skips `auto_now`: the plans' «Изменён» column is set here, for every
    # write that moves the version (rows, levels, remarks, section II, self-analysis).
    now = timezone.now()
    if not updated.update(version=F("version") + 1, updated_at=now):
        plan.refresh_from_db(fields=["version", "status"])
        if not (any_status or plan.is_editable):
            raise PlanNotEditable()
        raise PlanConflict()
    plan.version = Plan.objects.values_list("version", flat=True).get(pk=plan.pk)
    plan.updated_at = now
    return plan


@transaction.atomic
def plan_set_levels(*, plan: Plan, levels: dict[int, Level | None], version: int | None) -> Plan:
    plan_touch(plan=plan, version=version)
    for grade in plan.grades.all():
        level = levels.get(grade.grade)
        if grade.level_id != (level.pk if level else None):
            grade.level = level
            grade.save(update_fields=["level"])
    plan_refresh_check(plan=plan)
    return plan


def _end_of_run(plan: Plan, parent: TemplateItem, anchor: TemplateItem | None) -> int:
    last = PlanRow.objects.filter(
        plan=plan, parent=parent, anchor=anchor, fixed_item=None
    ).aggregate(last=Max("order"))["last"]
    return (last or 0) + 1


def add_slot_anchor(parent: TemplateItem, children: list[TemplateItem]) -> TemplateItem | None:
    """Where «Добавить мероприятие» under `parent` puts a row: after its last template
    child that is not a level block (level blocks close 3.4 and keep their numbers)."""
    candidates = [c for c in children if c.kind != ItemKind.ROW and c.level_id is None]
    return max(candidates, key=lambda c: c.order) if candidates else None


@transaction.atomic
def plan_row_add(
    *, plan: Plan, parent: TemplateItem, data: dict, version: int | None, client_token=None
) -> tuple[PlanRow, bool]:
    """Append a school row under `parent`. Returns (row, created).

    The same form posted twice (a double click, a resent request) carries the same
    client_token and returns the row the first post made instead of a second one.
    """
    if client_token is not None:
        existing = PlanRow.objects.filter(plan=plan, client_token=client_token).first()
        if existing is not None:
            return existing, False
    if not parent.accepts_rows or parent.year_id != plan.year_id:
        raise ValueError("rows cannot be added under this item")
    plan_touch(plan=plan, version=version)
    anchor = add_slot_anchor(parent, list(parent.children.all()))
    row = PlanRow.objects.create(
        plan=plan,
        parent=parent,
        anchor=anchor,
        order=_end_of_run(plan, parent, anchor),
        client_token=client_token,
        **data,
    )
    plan_refresh_check(plan=plan)
    return row, True


@transaction.atomic
def plan_row_update(*, row: PlanRow, data: dict, version: int | None) -> PlanRow:
    plan_touch(plan=row.plan, version=version)
    for field, value in data.items():
        setattr(row, field, value)
    row.save()
    plan_refresh_check(plan=row.plan)
    return row


ROW_TEXT_FIELDS = ("activity", "period", "responsible", "documents", "links", "results")


@transaction.atomic
def plan_row_delete(*, row: PlanRow, version: int | None) -> dict:
    """Delete a school row. Returns what `plan_row_restore` needs to put it back: its
    place, its texts and the remarks that were on it (they stay, on the plan)."""
    if row.fixed_item_id:
        raise ValueError("a fixed activity cannot be deleted")
    plan_touch(plan=row.plan, version=version)
    snapshot = {
        "plan": row.plan_id,
        "parent": row.parent_id,
        "anchor": row.anchor_id,
        "order": row.order,
        "texts": {name: getattr(row, name) for name in ROW_TEXT_FIELDS},
        "start_date": row.start_date.isoformat() if row.start_date else None,
        "end_date": row.end_date.isoformat() if row.end_date else None,
        "hours": None if row.hours is None else str(row.hours),
        "grades": list(row.grades or ()),
        "comments": list(PlanComment.objects.filter(row=row).values_list("pk", flat=True)),
        # Putting it back twice (a double click) makes one row, not two.
        "token": str(uuid.uuid4()),
    }
    row.delete()
    plan_refresh_check(plan=row.plan)
    return snapshot


@transaction.atomic
def plan_row_restore(*, plan: Plan, snapshot: dict, version: int | None) -> PlanRow:
    """Put back a row deleted by `plan_row_delete` (from its snapshot) at its place,
    with its remarks. If its place in the template is gone, RowRefused."""
    token = uuid.UUID(snapshot["token"])
    existing = PlanRow.objects.filter(plan=plan, client_token=token).first()
    if existing is not None:
        return existing
    if snapshot["plan"] != plan.pk:
        raise RowRefused("Эта строка была удалена из другого плана.")
    parent = TemplateItem.objects.filter(
        pk=snapshot["parent"], year=plan.year_id, accepts_rows=True
    ).first()
    if parent is None:
        raise RowRefused("Пункт плана, в котором была строка, больше не существует.")
    anchor = None
    if snapshot["anchor"] is not None:
        anchor = TemplateItem.objects.filter(pk=snapshot["anchor"], parent=parent).first()
        if anchor is None:  # the template changed: the row goes where new rows go
            anchor = add_slot_anchor(parent, list(parent.children.all()))
    plan_touch(plan=plan, version=version)
    order = snapshot["order"]
    PlanRow.objects.filter(
        plan=plan, parent=parent, anchor=anchor, fixed_item=None, order__gte=order
    ).update(order=F("order") + 1)
    dates = {
        name: datetime.date.fromisoformat(snapshot[name]) if snapshot[name] else None
        for name in ("start_date", "end_date")
    }
    row = PlanRow.objects.create(
        plan=plan,
        parent=parent,
        anchor=anchor,
        order=order,
        client_token=token,
        hours=None if snapshot["hours"] is None else Decimal(snapshot["hours"]),
        grades=tuple(snapshot["grades"]),
        **dates,
        **{name: snapshot["texts"][name] for name in ROW_TEXT_FIELDS},
    )
    PlanComment.objects.filter(plan=plan, pk__in=snapshot["comments"], row=None).update(row=row)
    plan_refresh_check(plan=plan)
    return row


@transaction.atomic
def plan_row_move(*, row: PlanRow, up: bool, version: int | None) -> PlanRow:
    """Move a school row one place up or down among its siblings, as in a document:
    past another row they swap; past a template heading the row joins the run on
    the other side of it. At either end nothing moves."""
    plan = row.plan
    plan_touch(plan=plan, version=version)
    siblings = [
        c
        for c in TemplateItem.objects.filter(parent=row.parent_id)
        .exclude(kind=ItemKind.ROW)
        .order_by("order")
    ]
    runs = [None, *siblings]  # run anchors in document order
    run = list(
        PlanRow.objects.filter(
            plan=plan, parent=row.parent_id, anchor=row.anchor_id, fixed_item=None
        ).order_by("order", "pk")
    )
    index = next(i for i, r in enumerate(run) if r.pk == row.pk)
    neighbour = index - 1 if up else index + 1
    if 0 <= neighbour < len(run):
        run[index], run[neighbour] = run[neighbour], run[index]
        for order, r in enumerate(run, start=1):
            r.order = order
        PlanRow.objects.bulk_update(run, ["order"])
        return row
    position = next(
        i for i, anchor in enumerate(runs) if (anchor.pk if anchor else None) == row.anchor_id
    )
    target = position - 1 if up else position + 1
    if not 0 <= target < len(runs):
        return row
    if up:
        row.anchor = runs[target]
        row.order = _end_of_run(plan, row.parent, row.anchor)
    else:
        row.anchor = runs[target]
        later = list(
            PlanRow.objects.filter(
                plan=plan, parent=row.parent_id, anchor=row.anchor, fixed_item=None
            ).order_by("order", "pk")
        )
        for order, r in enumerate(later, start=2):
            r.order = order
        PlanRow.objects.bulk_update(later, ["order"])
        row.order = 1
    row.save(update_fields=["anchor", "order", "updated_at"])
    return row


@transaction.atomic
def plan_row_place(*, row: PlanRow, after: str, version: int | None) -> PlanRow:
    """Put a school row right below the line `after` of the editor («row-<pk>» or
    «item-<pk>»: where it was dropped), as long as that keeps it in its own item of
    the plan: below the item itself, below one of its rows, or below the end of one of
    its template children. Anywhere else: RowRefused, nothing moves."""
    plan = row.plan
    lines = plan_lines(Plan.objects.for_editor().get(pk=plan.pk))
    kind, _, pk = after.partition("-")
    if kind == "row":
        index = next(
            (i for i, line in enumerate(lines) if line.row and str(line.row.pk) == pk), None
        )
    elif kind == "item":
        index = next(
            (i for i, line in enumerate(lines) if line.kind != "row" and str(line.item.pk) == pk),
            None,
        )
    else:
        index = None
    if index is None:
        raise RowRefused("Строка, под которую перемещается эта, не найдена: обновите страницу.")
    target = lines[index]
    anchor: TemplateItem | None
    if target.kind == "row" and target.item.pk == row.parent_id:
        if target.row.pk == row.pk:
            return row
        anchor, after_row = target.row.anchor, target.row
    elif target.kind != "row" and target.item.pk == row.parent_id:
        anchor, after_row = None, None
    else:
        # Below the last line of a template child of the row's item: the run after it.
        anchor = after_row = None
        start = next(
            (
                i
                for i in range(index, -1, -1)
                if lines[i].kind != "row" and lines[i].item.parent_id == row.parent_id
            ),
            None,
        )
        if start is not None:
            end = start
            while end + 1 < len(lines) and lines[end + 1].depth > lines[start].depth:
                end += 1
            if end == index:
                anchor = lines[start].item
        if anchor is None:
            raise RowRefused(
                "Строку можно перемещать только внутри её пункта плана. Чтобы перенести "
                "мероприятие в другой пункт, добавьте его там и удалите здесь."
            )
    plan_touch(plan=plan, version=version)
    run = [
        r
        for r in PlanRow.objects.filter(
            plan=plan, parent=row.parent_id, anchor=anchor, fixed_item=None
        ).order_by("order", "pk")
        if r.pk != row.pk
    ]
    place = (
        0 if after_row is None else next(i for i, r in enumerate(run) if r.pk == after_row.pk) + 1
    )
    row.anchor = anchor
    run.insert(place, row)
    for order, r in enumerate(run, start=1):
        r.order = order
    PlanRow.objects.bulk_update(run, ["anchor", "order"])
    return row


def activity_prefill(activity: ActivityTemplate) -> dict:
    """Initial values of a row picked from the catalogue."""
    return {
        "activity": activity.title,
        "period": activity.period,
        "responsible": activity.responsible,
        "documents": activity.documents,
        "links": activity.links,
        "results": activity.results,
        "hours": activity.typical_hours,
    }
