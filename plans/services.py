"""Writes that change state. Called alike from views, admin actions and commands.

Every function is keyword-only, named <entity>_<action>, and runs in one
transaction: a save interrupted midway leaves all of it or none.
"""

import calendar
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from profplan.tasks import enqueue_after_commit

from . import notifications
from .fields import GRADES
from .models import (
    ActivityTemplate,
    Direction,
    ItemKind,
    Level,
    Plan,
    PlanComment,
    PlanEvent,
    PlanGrade,
    PlanRow,
    PlanStatus,
    PlanSubmission,
    School,
    SchoolYear,
    TemplateItem,
)
from .numbering import plan_lines
from .profminimum import check_plan


class PlanConflict(Exception):
    """The plan changed since the page was loaded (another tab or another person)."""

    message = (
        "План уже изменён в другой вкладке или другим пользователем. Ваш текст не потерян: "
        "он остался в форме. Проверьте актуальный вариант и сохраните ещё раз."
    )


class SubmitRefused(Exception):
    """The plan is not ready: `problems` lists every reason in plain words."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class PlanNotEditable(Exception):
    message = "План сдан на рассмотрение или утверждён: изменить его можно, только когда региональный центр вернёт его на доработку."


def plan_touch(*, plan: Plan, version: int | None) -> Plan:
    """Check the page's version against the plan's and move it on, atomically.

    A compare-and-swap in one UPDATE: two tabs that loaded version 7 cannot both
    write; the second one gets PlanConflict. `version=None` skips the comparison
    (the reviewer's admin, commands).
    """
    editable = [PlanStatus.DRAFT, PlanStatus.RETURNED]
    updated = Plan.objects.filter(pk=plan.pk, status__in=editable)
    if version is not None:
        updated = updated.filter(version=version)
    if not updated.update(version=F("version") + 1):
        plan.refresh_from_db(fields=["version", "status"])
        if not plan.is_editable:
            raise PlanNotEditable()
        raise PlanConflict()
    plan.version = Plan.objects.values_list("version", flat=True).get(pk=plan.pk)
    return plan


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
    the template tree of Table 1 and the catalogue of typical activities.

    Links between the copies are remapped (a level block points at the new year's
    level); texts that name the source year get the new one. Plans stay with their
    own year: nothing of the source year changes. The submission window moves by as
    many whole years as the start does; the regional centre edits it afterwards.
    A title that already exists is refused (ValidationError, in Russian).
    Query cost: a constant number of inserts (one per tree depth), not one per item.
    """
    title = title.strip()
    if SchoolYear.objects.filter(title=title).exists():
        raise ValidationError(
            f"Учебный год «{title}» уже есть: второй раз его не создать. "
            "Выберите другое название или отредактируйте существующий год."
        )

    def text(value: str) -> str:
        return year_title_substitute(value, source.title, title)

    years = start_date.year - source.start_date.year

    year = SchoolYear(
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
    plan = Plan.objects.create(school=source.school, year=year)
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


def plan_start(*, school: School, year: SchoolYear, copy_last_year: bool = False) -> Plan:
    """The school's plan for `year`: a copy of its latest earlier plan, or a new one."""
    if copy_last_year:
        source = (
            Plan.objects.filter(school=school, year__start_date__lt=year.start_date)
            .order_by("-year__start_date")
            .first()
        )
        if source is not None:
            return plan_copy(source=source, year=year)
    return plan_create(school=school, year=year)


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


@transaction.atomic
def plan_row_delete(*, row: PlanRow, version: int | None) -> None:
    if row.fixed_item_id:
        raise ValueError("a fixed activity cannot be deleted")
    plan_touch(plan=row.plan, version=version)
    row.delete()
    plan_refresh_check(plan=row.plan)


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


def plan_snapshot(lines) -> list[dict]:
    """The rows of the table as submitted: what a later diff compares."""
    return [
        {
            "number": line.number,
            "kind": line.kind,
            "item": line.item.pk,
            "row": line.row.pk if line.row else None,
            "title": line.title or "",
            **(
                {
                    "period": line.row.period,
                    "responsible": line.row.responsible,
                    "documents": line.row.documents,
                    "links": line.row.links,
                    "results": line.row.results,
                    "hours": str(line.row.hours) if line.row.hours is not None else None,
                    "grades": list(line.row.grades or ()),
                }
                if line.row
                else {}
            ),
        }
        for line in lines
    ]


class TransitionRefused(Exception):
    """A status change that the workflow does not allow; nothing was changed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# action: (statuses it starts from, status it leads to, what it is called in messages)
TRANSITIONS = {
    "submit": ({PlanStatus.DRAFT, PlanStatus.RETURNED}, PlanStatus.SUBMITTED, "сдать"),
    "return": ({PlanStatus.SUBMITTED}, PlanStatus.RETURNED, "вернуть на доработку"),
    "approve": ({PlanStatus.SUBMITTED}, PlanStatus.APPROVED, "утвердить"),
    "reopen": (
        {PlanStatus.APPROVED},
        PlanStatus.RETURNED,
        "вернуть утверждённый план на доработку",
    ),
}


def plan_refresh_check(*, plan: Plan) -> bool:
    """Recompute the stored result of the профминимум check (the reviewers' filter)."""

    passed = check_plan(Plan.objects.for_editor().get(pk=plan.pk)).passed
    Plan.objects.filter(pk=plan.pk).update(check_passed=passed)
    return passed


def _transition(*, plan: Plan, by, action: str, version: int | None, comment: str = "") -> Plan:
    """Move a locked plan along the workflow, or refuse with a message.

    `version` is the plan's version as the acting page saw it: a form replayed
    after the plan moved on (another reviewer, another tab) is refused.
    """
    starts, target, verb = TRANSITIONS[action]
    locked = Plan.objects.select_for_update().select_related("school", "year").get(pk=plan.pk)
    if locked.status not in starts:
        raise TransitionRefused(f"Нельзя {verb}: план сейчас «{locked.get_status_display()}».")
    if version is not None and locked.version != version:
        raise TransitionRefused(
            "План изменился с тех пор, как страница была открыта. Обновите страницу и повторите."
        )
    now = timezone.now()
    changes = {"status": target, "version": F("version") + 1}
    if target == PlanStatus.SUBMITTED:
        changes["submitted_at"] = now
    if target == PlanStatus.APPROVED:
        changes["approved_at"] = now
    Plan.objects.filter(pk=plan.pk).update(**changes)
    PlanEvent.objects.create(
        plan=locked, at=now, by=by, from_status=locked.status, to_status=target, comment=comment
    )
    locked.refresh_from_db()
    plan.__dict__.update(
        {k: getattr(locked, k) for k in ("status", "version", "submitted_at", "approved_at")}
    )

    transaction.on_commit(
        lambda: notifications.plan_status_changed(plan=locked, action=action, comment=comment)
    )
    return locked


@transaction.atomic
def plan_submit(*, plan: Plan, by, version: int | None) -> PlanSubmission:
    """Submit a draft or returned plan for review.

    Refused (SubmitRefused with every problem) while the профминимум check fails;
    PlanConflict if the page's version is stale. Freezes what was submitted: the
    table rows and the PDF, dated, as a PlanSubmission.
    """
    # The submission records what the document shows (cheap); the worker draws the
    # PDF from that record after the commit, so the submit answers at once and
    # holds no lock while a PDF is drawn.
    from .exports.pdf import context_to_json, plan_print_context
    from .tasks import render_submission

    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    if not locked.is_editable:
        raise PlanNotEditable()
    if version is not None and locked.version != version:
        raise PlanConflict()
    full = Plan.objects.for_editor().get(pk=plan.pk)
    lines = plan_lines(full)
    check = check_plan(full, lines)
    if not check.passed:
        raise SubmitRefused(check.problems)

    submitted = _transition(plan=full, by=by, action="submit", version=None)
    Plan.objects.filter(pk=plan.pk).update(check_passed=True)
    submission = PlanSubmission(
        plan=full,
        number=full.submissions.count() + 1,
        submitted_at=submitted.submitted_at,
        submitted_by=by,
        snapshot=plan_snapshot(lines),
    )
    full.status, full.approved_at = submitted.status, submitted.approved_at
    submission.document = context_to_json(plan_print_context(full, lines))
    submission.save()
    enqueue_after_commit(render_submission, submission.pk)
    plan.refresh_from_db()
    return submission


@transaction.atomic
def plan_return(*, plan: Plan, by, comment: str, version: int | None = None) -> Plan:
    """The regional centre returns a submitted plan; the school is told what to fix."""
    if not comment.strip():
        raise TransitionRefused(
            "Укажите, что нужно исправить: без комментария план не возвращается."
        )
    return _transition(plan=plan, by=by, action="return", version=version, comment=comment.strip())


@transaction.atomic
def plan_approve(*, plan: Plan, by, comment: str = "", version: int | None = None) -> Plan:
    """Approve a submitted plan; the approved copy (the last submission, without
    «ПРОЕКТ», with the date of approval) is drawn by the worker and kept beside it."""
    from .tasks import render_submission

    approved = _transition(
        plan=plan, by=by, action="approve", version=version, comment=comment.strip()
    )
    last = approved.submissions.order_by("-number").first()
    if last is not None:
        PlanSubmission.objects.filter(pk=last.pk).update(approved_at=approved.approved_at)
        enqueue_after_commit(render_submission, last.pk, True)
    return approved


@transaction.atomic
def plan_reopen(*, plan: Plan, by, reason: str, version: int | None = None) -> Plan:
    """An approved plan goes back to the school: only the regional centre, with a reason."""
    if not (by.is_staff or by.is_superuser):
        raise TransitionRefused("Вернуть утверждённый план может только региональный центр.")
    if not reason.strip():
        raise TransitionRefused("Укажите причину, по которой утверждённый план возвращается.")
    return _transition(plan=plan, by=by, action="reopen", version=version, comment=reason.strip())


@transaction.atomic
def plan_comment_add(*, plan: Plan, by, text: str, row: PlanRow | None = None, reply_to=None):
    """A remark on the plan or on a row (or an answer to one). The other side is told by e-mail."""
    text = text.strip()
    if not text:
        raise TransitionRefused("Комментарий пуст.")
    if row is not None and row.plan_id != plan.pk:
        raise TransitionRefused("Строка не из этого плана.")
    if reply_to is not None:
        if reply_to.plan_id != plan.pk:
            raise TransitionRefused("Комментарий не из этого плана.")
        reply_to = reply_to.reply_to or reply_to  # answers stay one level deep
        row = reply_to.row
    number = ""
    if row is not None:
        number = next(
            (
                line.number
                for line in plan_lines(Plan.objects.for_editor().get(pk=plan.pk))
                if line.row is not None and line.row.pk == row.pk
            ),
            "",
        )
    comment = PlanComment.objects.create(
        plan=plan, row=row, row_number=number, reply_to=reply_to, author=by, text=text
    )

    transaction.on_commit(lambda: notifications.comment_added(comment=comment))
    return comment


@transaction.atomic
def plan_comment_resolve(*, comment, by):
    """Mark a remark as dealt with (the school or the reviewer)."""
    root = comment.reply_to or comment
    PlanComment.objects.filter(pk=root.pk, resolved_at=None).update(
        resolved_at=timezone.now(), resolved_by=by
    )
    root.refresh_from_db()
    return root
