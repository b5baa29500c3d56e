"""The regional template of a year, written by the centre: Table 1's items, the levels'
hours, the preamble; publishing; a new year from the last one.

Numbers follow positions, as in a school's plan (plans/numbering.py): after an item is
added, moved or removed, every item whose place changed gets the number of its new
place (`template_renumber`); the others keep the number they have, the seed's quirks
included (3.4.13 without the final dot). An item that a school's plan holds rows
under cannot be removed: the plan would lose them.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from plans.models import (
    BlockKind,
    ItemKind,
    Level,
    Plan,
    PlanEvent,
    PlanRow,
    SchoolYear,
    TemplateBlock,
    TemplateItem,
    TemplateRevision,
    TemplateStatus,
)
from plans.services.ordering import save_order
from plans.services.rows import plan_touch
from plans.services.workflow import plan_refresh_check, plans_refresh_check
from plans.services.years import school_year_copy, school_year_next_title, template_row_positions

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
NOT_PUBLISHED = (
    "Примерный план на {year} учебный год ещё не опубликован региональным центром: "
    "начать план по нему пока нельзя."
)


def template_numbers(items) -> dict[int, str]:
    """The number of each item by its place: sections I., II., …; the rest 3.4.12. …"""
    children: dict[int | None, list[TemplateItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    numbers: dict[int, str] = {}

    def walk(parent_id, prefix):
        siblings = sorted(children.get(parent_id, ()), key=lambda item: (item.order, item.pk))
        for position, item in enumerate(siblings, start=1):
            if parent_id is None:
                numbers[item.pk] = f"{ROMAN[position - 1] if position <= len(ROMAN) else position}."
                walk(item.pk, f"{position}.")
            else:
                numbers[item.pk] = f"{prefix}{position}."
                walk(item.pk, f"{prefix}{position}.")

    walk(None, "")
    return numbers


def template_renumber(year: SchoolYear) -> int:
    """Give every item whose place changed the number of its place; returns how many."""
    items = list(TemplateItem.objects.filter(year=year))
    numbers = template_numbers(items)
    changed = [item for item in items if item.code.rstrip(".") != numbers[item.pk].rstrip(".")]
    if not changed:
        return 0
    # Two steps: the unique (year, code) must hold after each statement.
    for item in changed:
        item.code = f"~{item.pk}"
    TemplateItem.objects.bulk_update(changed, ["code"])
    for item in changed:
        item.code = numbers[item.pk]
    bulk_update_with_history(changed, TemplateItem, ["code"])  # renumbering is in the history
    SchoolYear.objects.filter(pk=year.pk).reference_changed()
    return len(changed)


def _siblings(item_or_parent, year) -> list[TemplateItem]:
    return list(
        TemplateItem.objects.filter(year=year, parent=item_or_parent).order_by("order", "pk")
    )


@transaction.atomic
def template_item_add(
    *, year: SchoolYear, parent: TemplateItem | None, kind: str, title: str = "", after=None
) -> TemplateItem:
    """A new item under `parent` (None: a section), after the sibling `after` (None: last)."""
    if kind == ItemKind.SECTION and parent is not None:
        raise ValidationError("Раздел (I–V) не входит в другой пункт.")
    if kind != ItemKind.SECTION and parent is None:
        raise ValidationError("Пункт, кроме раздела, входит в раздел или подраздел.")
    if parent is not None and parent.kind in (ItemKind.ROW, ItemKind.FIXED):
        raise ValidationError("Под строкой для школы или мероприятием нельзя добавить пункт.")
    siblings = _siblings(parent, year)
    position = siblings.index(after) + 1 if after in siblings else len(siblings)
    item = TemplateItem(
        year=year,
        parent=parent,
        order=0,
        code=f"~new-{len(siblings)}",
        title=title.strip(),
        kind=kind,
        accepts_rows=kind in (ItemKind.SECTION, ItemKind.HEADING),
    )
    item.save()
    siblings.insert(position, item)
    _reorder(siblings)
    template_renumber(year)
    item.refresh_from_db()
    return item


def _reorder(siblings) -> None:
    save_order(siblings)


@transaction.atomic
def template_item_rename(*, item: TemplateItem, title: str) -> TemplateItem:
    item.title = title.strip()
    item.full_clean()
    item.save(update_fields=["title"])
    return item


@transaction.atomic
def template_item_move(*, item: TemplateItem, step: int) -> TemplateItem:
    """One place up (step −1) or down (+1) among its siblings; at the end it stays."""
    siblings = _siblings(item.parent, item.year)
    index = siblings.index(item)
    target = index + step
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
        _reorder(siblings)
        template_renumber(item.year)
    item.refresh_from_db()
    return item


def _subtree(item: TemplateItem) -> list[int]:
    items = list(TemplateItem.objects.filter(year_id=item.year_id).values_list("pk", "parent_id"))
    ids, frontier = [item.pk], [item.pk]
    while frontier:
        frontier = [pk for pk, parent in items if parent in frontier]
        ids += frontier
    return ids


@transaction.atomic
def template_item_delete(*, item: TemplateItem) -> None:
    ids = _subtree(item)
    if PlanRow.objects.filter(
        Q(parent_id__in=ids) | Q(anchor_id__in=ids) | Q(fixed_item_id__in=ids)
    ).exists():
        raise ValidationError(
            f"Пункт {item.code} не удалить: в планах школ уже есть строки под ним. "
            "Переименуйте его или оставьте."
        )
    year = item.year
    parent = item.parent
    TemplateItem.objects.filter(pk__in=ids).order_by("-pk").delete()
    _reorder(_siblings(parent, year))
    template_renumber(year)


@transaction.atomic
def level_hours_set(*, level: Level, min_hours: int) -> Level:
    if min_hours < 1 or min_hours > 1000:
        raise ValidationError("Часов в учебный год: от 1 до 1000.")
    level.min_hours = min_hours
    level.save(update_fields=["min_hours"])
    # The stored check (the reviewers' filter «профминимум выполнен») counts hours
    # against this minimum: the plans whose grades take the level are checked again.
    plans_refresh_check(plans=Plan.objects.filter(year_id=level.year_id, grades__level=level))
    return level


@transaction.atomic
def template_block_edit(*, block: TemplateBlock, text: str, bold: str = "") -> TemplateBlock:
    text = text.strip()
    if not text:
        raise ValidationError("Абзац не может быть пустым: удалите его или напишите текст.")
    block.text, block.bold = text, bold.strip()
    block.full_clean()
    block.save(update_fields=["text", "bold"])
    return block


# The parts a printed template cannot do without: they are reworded, never removed.
REQUIRED_BLOCKS = (BlockKind.TITLE, BlockKind.TABLE_LABEL, BlockKind.CAPTION)


def _blocks(year: SchoolYear) -> list[TemplateBlock]:
    return list(TemplateBlock.objects.filter(year=year).select_for_update().order_by("order", "pk"))


def _reorder_blocks(year: SchoolYear, blocks: list[TemplateBlock]) -> None:
    """Number the blocks 1, 2, … in this order. bulk_update sends no signal: the
    editor pages that print the preamble (documents) learn of it from the revision."""
    save_order(blocks)
    SchoolYear.objects.filter(pk=year.pk).reference_changed()


@transaction.atomic
def template_block_add(
    *, year: SchoolYear, kind: str, text: str, after: TemplateBlock | None = None
) -> TemplateBlock:
    """A new paragraph of the preamble (a letter in the list of documents, a step of
    the cycle, …) after `after`, or before «Таблица 1» when not given."""
    if kind not in BlockKind.values:
        raise ValidationError("Выберите вид абзаца из списка.")
    text = text.strip()
    if not text:
        raise ValidationError("Напишите текст нового абзаца.")
    blocks = _blocks(year)
    if after is not None and after in blocks:
        position = blocks.index(after) + 1
    else:
        labels = [i for i, block in enumerate(blocks) if block.kind == BlockKind.TABLE_LABEL]
        position = labels[0] if labels else len(blocks)
    block = TemplateBlock(year=year, order=len(blocks) + 1, kind=kind, text=text)
    block.full_clean()
    block.save()
    blocks.insert(position, block)
    _reorder_blocks(year, blocks)
    return block


@transaction.atomic
def template_block_move(*, block: TemplateBlock, step: int) -> TemplateBlock:
    """One place up (step −1) or down (+1) in the preamble."""
    blocks = _blocks(block.year)
    index = next(i for i, other in enumerate(blocks) if other.pk == block.pk)
    target = index + step
    if not 0 <= target < len(blocks):
        raise ValidationError(
            "Абзац уже первый в вводной части." if step < 0 else "Абзац уже последний."
        )
    blocks[index], blocks[target] = blocks[target], blocks[index]
    _reorder_blocks(block.year, blocks)
    block.order = target + 1
    return block


@transaction.atomic
def template_block_delete(*, block: TemplateBlock) -> None:
    if block.kind in REQUIRED_BLOCKS:
        raise ValidationError(
            f"«{block.get_kind_display()}» – обязательная часть документа: "
            "его можно изменить, но не удалить."
        )
    year = block.year
    block.delete()
    _reorder_blocks(year, _blocks(year))


def _snapshot(year: SchoolYear) -> dict[str, list]:
    return {
        str(pk): [code, title, parent]
        for pk, code, title, parent in TemplateItem.objects.filter(year=year).values_list(
            "pk", "code", "title", "parent_id"
        )
    }


def template_unpublished_changes(year: SchoolYear) -> bool:
    """Whether Table 1 differs from its last published revision."""
    last = year.revisions.order_by("-number").first()
    return last is None or last.items != _snapshot(year)


@transaction.atomic
def template_publish(*, year: SchoolYear, by) -> TemplateRevision | None:
    """Publish the year's template: schools may start plans from it. A change after
    the last publication makes a new revision, which the schools that started a
    plan are shown (`template_changes`). Nothing changed: nothing new (None)."""
    given, year = year, SchoolYear.objects.select_for_update().get(pk=year.pk)
    if year.is_published and not template_unpublished_changes(year):
        return None
    number = year.template_revision + 1
    revision = TemplateRevision.objects.create(
        year=year, number=number, published_by=by, items=_snapshot(year)
    )
    year.template_status = given.template_status = TemplateStatus.PUBLISHED
    year.template_revision = given.template_revision = number
    year.save()
    if number == 1:
        # Plans cannot exist yet; any made in a test or by hand start from this one.
        Plan.objects.filter(year=year).update(template_revision=number)
    return revision


def _revisions(plan: Plan) -> tuple[dict, dict] | None:
    """The items of the plan's revision and of the year's latest, if the plan is behind."""
    if plan.template_revision >= plan.year.template_revision:
        return None
    revisions = {
        revision.number: revision.items
        for revision in TemplateRevision.objects.filter(
            year_id=plan.year_id, number__in=[plan.template_revision, plan.year.template_revision]
        )
    }
    old, new = revisions.get(plan.template_revision), revisions.get(plan.year.template_revision)
    if old is None or new is None:
        return None
    return old, new


def _changes(old: dict, new: dict) -> list[tuple[str, str, str]]:
    changes = []
    for pk, (code, title, *_) in new.items():
        if pk not in old:
            changes.append(("добавлен", code, title))
        elif old[pk][1] != title:
            changes.append(("переименован", code, title))
    changes += [("удалён", code, title) for pk, (code, title, *_) in old.items() if pk not in new]
    return changes


def template_changes(plan: Plan) -> list[tuple[str, str, str]]:
    """What the template's latest revision changed since the plan's: («добавлен»,
    number, title), («переименован», number, new title), («удалён», number, title).
    No query unless the year has a revision the plan has not taken or left."""
    revisions = _revisions(plan)
    return _changes(*revisions) if revisions else []


def _changes_text(changes, limit: int = 30) -> str:
    lines = [
        f"{change} пункт {code}" + (f" «{title}»" if title else "")
        for change, code, title in changes
    ]
    if len(lines) > limit:
        lines = [*lines[:limit], f"и ещё {len(lines) - limit}"]
    return "\n".join(lines)


def _record(*, plan: Plan, by, text: str) -> None:
    """The plan's revision moves to the year's; the history says what the school did."""
    plan.template_revision = plan.year.template_revision
    plan.save(update_fields=["template_revision"])  # a historical record too
    PlanEvent.objects.create(
        plan=plan,
        at=timezone.now(),
        by=by,
        from_status=plan.status,
        to_status=plan.status,
        comment=text,
    )


@transaction.atomic
def plan_template_accept(*, plan: Plan, by, version: int | None) -> list[PlanRow]:
    """«Принять изменения»: what the template's latest revision added and the plan
    does not show live gets into the plan. Titles, numbers and places of items are
    live already (a renamed heading is renamed in every plan, rows under a moved item
    move with it; an item with rows in any plan is never removed). What needs rows:
    each fixed activity of the revision gets its row, to be numbered and filled; a
    blank line the revision added gets an empty school row where the plan has none
    in that place yet (a plan started after the change already has it). Only while
    the plan is editable (PlanNotEditable), from the page's version (PlanConflict).
    Returns the rows added."""
    plan.year.refresh_from_db(fields=["template_revision"])  # the latest, whatever was read
    revisions = _revisions(plan)
    plan_touch(plan=plan, version=version)
    old, new = revisions or ({}, None)
    items = list(TemplateItem.objects.filter(year_id=plan.year_id))
    published = {int(pk) for pk in new} if new is not None else {item.pk for item in items}
    added = {int(pk) for pk in (new or {}) if pk not in old}
    rows = PlanRow.objects.filter(plan=plan)
    have_fixed = set(rows.exclude(fixed_item=None).values_list("fixed_item_id", flat=True))
    filled_runs = set(rows.filter(fixed_item=None).values_list("parent_id", "anchor_id"))
    new_rows = [
        PlanRow(plan=plan, parent_id=item.parent_id, fixed_item=item)
        for item in items
        if item.kind == ItemKind.FIXED and item.pk in published and item.pk not in have_fixed
    ]
    for item, anchor, order in template_row_positions(items):
        run = (item.parent_id, anchor.pk if anchor else None)
        if item.pk in added and run not in filled_runs:
            new_rows.append(
                PlanRow(plan=plan, parent_id=item.parent_id, anchor=anchor, order=order)
            )
    PlanRow.objects.bulk_create(new_rows)
    changes = _changes(old, new) if new is not None else []
    text = f"Приняты изменения примерного плана (редакция {plan.year.template_revision})"
    _record(plan=plan, by=by, text=f"{text}:\n{_changes_text(changes)}" if changes else f"{text}.")
    plan_refresh_check(plan=plan)
    return new_rows


@transaction.atomic
def plan_template_keep(*, plan: Plan, by) -> Plan:
    """«Оставить как есть»: the school leaves the plan as it is; the notice goes, and
    the history says so. Any status: a submitted plan's school may read and leave."""
    plan.year.refresh_from_db(fields=["template_revision"])
    changes = template_changes(plan)
    # The history is part of the editor's cached page: its version must move.
    plan_touch(plan=plan, version=None, any_status=True)
    text = (
        f"Изменения примерного плана (редакция {plan.year.template_revision}) "
        "не применены: план оставлен как есть"
    )
    _record(plan=plan, by=by, text=f"{text}:\n{_changes_text(changes)}" if changes else f"{text}.")
    return plan


@transaction.atomic
def school_year_start_next(*, source: SchoolYear | None = None, region=None) -> SchoolYear:
    """Next year's template as a draft copy of `source`, else of the latest year of
    `region` (the default region when none is given). The copy is of the same region."""
    from plans.models import Region

    if source is None:
        region = region or Region.objects.default()
        source = SchoolYear.objects.filter(region=region).order_by("-start_date").first()
    if source is None:
        raise ValidationError("Нет учебного года, с которого можно скопировать примерный план.")
    try:
        title = school_year_next_title(source.title)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    return school_year_copy(
        source=source,
        title=title,
        start_date=_next(source.start_date),
        end_date=_next(source.end_date),
    )


def _next(day: date) -> date:
    from plans.services.years import shift_date

    return shift_date(day, 1)
