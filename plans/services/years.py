"""New plans and new school years: a plan started from the template or copied from
last year's, a school year copied with its reference data.
"""

import calendar
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from ..fields import GRADES
from ..models import (
    ActivityTemplate,
    Direction,
    ItemKind,
    Level,
    Plan,
    PlanGrade,
    PlanRow,
    School,
    SchoolYear,
    TemplateBlock,
    TemplateItem,
)


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
    plan = Plan.objects.create(school=school, year=year, template_revision=year.template_revision)
    levels = levels or {}
    PlanGrade.objects.bulk_create(
        PlanGrade(plan=plan, grade=grade, level_id=levels.get(grade)) for grade in GRADES
    )
    items = list(TemplateItem.objects.filter(year=year))
    rows = [
        PlanRow(plan=plan, parent_id=item.parent_id, anchor=anchor, order=order)
        for item, anchor, order in template_row_positions(items)
    ]
    PlanRow.objects.bulk_create(rows + fixed_rows(plan, items))
    return plan


def fixed_rows(plan: Plan, items) -> list[PlanRow]:
    """One empty row per fixed activity (4.1–4.4, 5.1) of the year's template."""
    return [
        PlanRow(plan=plan, parent_id=item.parent_id, fixed_item=item)
        for item in items
        if item.kind == ItemKind.FIXED
    ]


def year_title_substitute(text: str, source_title: str, new_title: str) -> str:
    """Replace mentions of the source school year in a template text with the new one.

    «2023-2024», «2023–2024», «2023/2024» and «2023 – 2024» all become the new
    year, keeping the separator the text used. Other numbers, such as the date of
    a ministry letter «от 01.06.2023», stay as they are: they name a document.
    """
    import re

    source = re.fullmatch(r"(\d{4})-(\d{4})", source_title)
    new = re.fullmatch(r"(\d{4})-(\d{4})", new_title)
    if not (source and new):
        return text.replace(source_title, new_title) if source_title else text
    pattern = re.compile(rf"(?<!\d){source[1]}(\s*[-–—/]\s*){source[2]}(?!\d)")
    return pattern.sub(lambda m: f"{new[1]}{m[1]}{new[2]}", text)


def school_year_next_title(title: str) -> str:
    """«2023-2024» → «2024-2025». ValueError for a title of another shape."""
    first, _, second = title.partition("-")
    if not (len(first) == len(second) == 4 and first.isdigit() and second.isdigit()):
        raise ValueError(f"Название учебного года «{title}» не вида «2023-2024».")
    return f"{int(first) + 1}-{int(second) + 1}"


@transaction.atomic
def school_year_copy(*, source: SchoolYear, title: str, start_date, end_date) -> SchoolYear:
    """Create a school year as a copy of `source`'s reference data: levels, directions,
    the template tree of Table 1, the catalogue of typical activities and the
    preamble of the template.

    Links between the copies are remapped (a level block points at the new year's
    level); texts that name the source year get the new one. Plans stay with their
    own year: nothing of the source year changes. The submission window moves by as
    many whole years as the start does; the regional centre edits it afterwards.
    The copy belongs to `source`'s region; a title that the region already has is
    refused (ValidationError, in Russian).
    Query cost: a constant number of inserts (one per tree depth), not one per item.
    """
    title = title.strip()
    if SchoolYear.objects.filter(region_id=source.region_id, title=title).exists():
        raise ValidationError(
            f"Учебный год «{title}» уже есть: второй раз его не создать. "
            "Выберите другое название или отредактируйте существующий год."
        )

    def text(value: str) -> str:
        return year_title_substitute(value, source.title, title)

    years = start_date.year - source.start_date.year

    year = SchoolYear(
        region_id=source.region_id,
        title=title,
        start_date=start_date,
        end_date=end_date,
        plan_title=text(source.plan_title),
        submission_opens=shift_date(source.submission_opens, years),
        submission_closes=shift_date(source.submission_closes, years),
    )
    year.full_clean()
    year.save()

    old_levels = list(Level.objects.filter(year=source))
    new_levels = Level.objects.bulk_create(
        Level(
            year=year,
            code=level.code,
            name=text(level.name),
            min_hours=level.min_hours,
            order=level.order,
        )
        for level in old_levels
    )
    level_map = {old.pk: new.pk for old, new in zip(old_levels, new_levels, strict=True)}

    old_directions = list(Direction.objects.filter(year=source))
    new_directions = Direction.objects.bulk_create(
        Direction(year=year, code=direction.code, name=text(direction.name), order=direction.order)
        for direction in old_directions
    )
    direction_map = {
        old.pk: new.pk for old, new in zip(old_directions, new_directions, strict=True)
    }

    # The tree is copied one depth at a time, so that every parent has its new
    # primary key before its children are inserted.
    items = list(TemplateItem.objects.filter(year=source).order_by("pk"))
    children: dict[int | None, list[TemplateItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    item_map: dict[int | None, int | None] = {None: None}
    layer = children.get(None, [])
    while layer:
        copies = TemplateItem.objects.bulk_create(
            TemplateItem(
                year=year,
                parent_id=item_map[item.parent_id],
                order=item.order,
                code=item.code,
                title=text(item.title),
                kind=item.kind,
                level_id=level_map.get(item.level_id),
                direction_id=direction_map.get(item.direction_id),
                accepts_rows=item.accepts_rows,
            )
            for item in layer
        )
        item_map.update({old.pk: new.pk for old, new in zip(layer, copies, strict=True)})
        layer = [child for item in layer for child in children.get(item.pk, [])]

    ActivityTemplate.objects.bulk_create(
        ActivityTemplate(
            year=year,
            title=text(activity.title),
            direction_id=direction_map.get(activity.direction_id),
            level_id=level_map.get(activity.level_id),
            typical_hours=activity.typical_hours,
            period=text(activity.period),
            responsible=text(activity.responsible),
            documents=text(activity.documents),
            links=activity.links,
            results=text(activity.results),
            order=activity.order,
        )
        for activity in ActivityTemplate.objects.filter(year=source)
    )
    TemplateBlock.objects.bulk_create(
        TemplateBlock(
            year=year, order=block.order, kind=block.kind, text=text(block.text), bold=block.bold
        )
        for block in TemplateBlock.objects.filter(year=source)
    )
    return year


def shift_date(day: date | None, years: int) -> date | None:
    """The same day `years` later; 29 February becomes 28 February."""
    if day is None:
        return None
    target = day.year + years
    return day.replace(year=target, day=min(day.day, calendar.monthrange(target, day.month)[1]))


@transaction.atomic
def plan_copy(*, source: Plan, year: SchoolYear) -> Plan:
    """Start `year`'s plan from last year's: rows carried over under the items with
    the same numbers, dates shifted into the new year, levels by their codes, status
    back to draft. Items that the new template no longer has lose their rows; the
    fixed activities are filled again as the year goes."""
    plan = Plan.objects.create(
        school=source.school,
        year=year,
        template_revision=year.template_revision,
        # Last year's note, about this year; a plan without one gets the template's.
        explanatory_note=year_title_substitute(
            source.explanatory_note, source.year.title, year.title
        ),
    )
    new_levels = {level.code: level for level in Level.objects.filter(year=year)}
    old_levels = {level.pk: level.code for level in Level.objects.filter(year=source.year)}
    PlanGrade.objects.bulk_create(
        PlanGrade(plan=plan, grade=g.grade, level=new_levels.get(old_levels.get(g.level_id)))
        for g in source.grades.all()
    )
    items = list(TemplateItem.objects.filter(year=year))
    by_code = {item.code: item for item in items}
    old_items = {item.pk: item for item in TemplateItem.objects.filter(year=source.year)}
    years = year.start_date.year - source.year.start_date.year
    copied = []
    for row in source.rows.all():
        if row.fixed_item_id:
            continue
        parent = by_code.get(old_items[row.parent_id].code)
        if parent is None:
            continue
        anchor = by_code.get(old_items[row.anchor_id].code) if row.anchor_id else None
        copied.append(
            PlanRow(
                plan=plan,
                parent=parent,
                anchor=anchor,
                order=row.order,
                activity=row.activity,
                period=row.period,
                start_date=shift_date(row.start_date, years),
                end_date=shift_date(row.end_date, years),
                responsible=row.responsible,
                documents=row.documents,
                links=row.links,
                results=row.results,
                hours=row.hours,
                grades=row.grades,
            )
        )
    PlanRow.objects.bulk_create(copied + fixed_rows(plan, items))
    return plan


@transaction.atomic
def plan_start(*, school: School, year: SchoolYear, copy_last_year: bool = False) -> Plan:
    """The school's plan for `year`: a copy of its latest earlier plan, or a new one,
    with its пояснительная записка (last year's, else drawn from the template's
    preamble: services/note.py). Only from a published template of the school's own
    region: a draft or another region's template is refused (ValidationError, in
    Russian)."""
    if year.region_id != school.municipality.region_id:
        raise ValidationError(
            f"Примерный план на {year.title} учебный год – другого региона: "
            "план школы начинается только с примерного плана своего региона."
        )
    if not year.is_published:
        from plans.regional_template.services import NOT_PUBLISHED

        raise ValidationError(NOT_PUBLISHED.format(year=year.title))
    plan = None
    if copy_last_year:
        source = (
            Plan.objects.filter(school=school, year__start_date__lt=year.start_date)
            .order_by("-year__start_date")
            .first()
        )
        if source is not None:
            plan = plan_copy(source=source, year=year)
    if plan is None:
        plan = plan_create(school=school, year=year)
    if not plan.explanatory_note:
        from .note import note_from_template

        plan.explanatory_note = note_from_template(year=year, school_name=school.short_name)
        if plan.explanatory_note:
            plan.save(update_fields=["explanatory_note"])
    return plan
