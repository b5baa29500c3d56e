"""The weekly letters (queued, never sent inline): to each school's deputy director,
the school's overdue rows; to each person the rows are assigned to, their own overdue
rows and the week's activities. Everyone turns theirs off on «Календарь и
напоминания» (`User.wants_digest`)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import groupby

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse

from plans.execution.reads import overdue_rows_by_plan, row_due
from plans.models import (
    ExecutionStatus,
    Plan,
    PlanRow,
    PlanStatus,
    RowAssignment,
    SchoolYear,
)
from plans.numbering import number_lines, numbering_sources
from profplan.site import site_url
from profplan.tasks import enqueue_mail

DIGEST_LIMIT = 50  # rows listed in one letter; the page has the rest
# «The week»: the seven days from the day the letter goes, today included. The timer
# runs on Monday mornings (README), so that is this Monday to Sunday; run on another
# day, the letter still covers the seven days ahead and never skips one.
WEEK = timedelta(days=7)


def _title(row) -> str:
    text = row.activity or (row.fixed_item.title if row.fixed_item else "") or "мероприятие"
    return text.splitlines()[0][:150]


def _greeting(name: str) -> str:
    return f"Здравствуйте, {name}!\n\n" if name else "Здравствуйте!\n\n"


@transaction.atomic
def send_execution_digest(*, today: date) -> int:
    """Queue the week's letters; returns how many were queued. Each region in its own
    current year, approved plans only:
    - one letter to each school's deputy director with the school's overdue rows;
    - one letter to each person with their own overdue rows and the rows of the week
      (`WEEK` from `today`); nothing to tell, no letter.
    Only active accounts with an address and `wants_digest` on. Ten queries whatever
    the number of schools, people and rows: years, plans, the school's overdue rows
    (three: `overdue_rows_by_plan`), the deputies, the assignments of overdue and
    coming rows with their people and marks, and to number those rows as their plans
    show them: the plans' rows, the levels their grades take, the template items."""
    years = SchoolYear.objects.current_by_region(today).values()
    if not years:
        return 0
    plans = {
        plan.pk: plan
        for plan in Plan.objects.filter(
            year__in=list(years), status=PlanStatus.APPROVED
        ).select_related("school", "year")
    }
    if not plans:
        return 0
    return _school_letters(plans, today) + _person_letters(plans, today)


def _school_letters(plans: dict, today: date) -> int:
    overdue = overdue_rows_by_plan(list(plans), today)
    if not overdue:
        return 0
    school_ids = {plans[plan_id].school_id for plan_id in overdue}
    deputies = defaultdict(list)
    for school_id, email, first_name, last_name in (
        get_user_model()
        .objects.filter(
            school_id__in=school_ids, is_active=True, school_role="deputy", wants_digest=True
        )
        .exclude(email="")
        .values_list("school_id", "email", "first_name", "last_name")
    ):
        deputies[school_id].append((email, f"{first_name} {last_name}".strip()))
    queued = 0
    for plan_id, rows in overdue.items():
        plan = plans[plan_id]
        lines = [f"– {_title(row)} (срок {row_due(row):%d.%m.%Y})" for row in rows[:DIGEST_LIMIT]]
        if len(rows) > DIGEST_LIMIT:
            lines.append(f"… и ещё {len(rows) - DIGEST_LIMIT}")
        url = site_url() + reverse("plans:execution", args=[plan.pk])
        body = (
            f"Сроки этих мероприятий плана на {plan.year} учебный год прошли, "
            f"а отметки об исполнении нет ({len(rows)}):\n\n"
            + "\n".join(lines)
            + f"\n\nОтметить исполнение: {url}\n"
            + _switch_off()
        )
        for email, name in deputies.get(plan.school_id, ()):
            enqueue_mail(
                f"Профплан: {len(rows)} мероприятий ждут отметки об исполнении",
                _greeting(name) + body,
                [email],
                "execution-digest",
            )
            queued += 1
    return queued


@dataclass
class _Letter:
    email: str
    name: str
    overdue: list = field(default_factory=list)  # (row, due)
    coming: list = field(default_factory=list)  # (row, first day, last day)


def _person_letters(plans: dict, today: date) -> int:
    week_end = today + WEEK - timedelta(days=1)
    unmarked = Q(row__execution__isnull=True)
    moved = Q(row__execution__status=ExecutionStatus.MOVED)
    due = (unmarked & Q(last__lt=today)) | (moved & Q(row__execution__moved_to__lt=today))
    coming = (unmarked & Q(first__lte=week_end, last__gte=today)) | (
        moved & Q(row__execution__moved_to__range=(today, week_end))
    )
    assignments = (
        RowAssignment.objects.filter(
            row__plan_id__in=list(plans),
            person__is_active=True,
            person__wants_digest=True,
            # Someone who has left for another school is not told about this one's rows.
            person__school_id=F("row__plan__school_id"),
        )
        .exclude(person__email="")
        .annotate(
            first=Coalesce("row__start_date", "row__end_date"),
            last=Coalesce("row__end_date", "row__start_date"),
        )
        .filter(due | coming)
        .select_related("person", "row__execution", "row__fixed_item")
        .order_by("person_id", "first", "row_id")
    )
    letters: dict[int, _Letter] = {}
    for assignment in assignments:
        row, person = assignment.row, assignment.person
        letter = letters.setdefault(
            person.pk, _Letter(person.email, person.get_full_name() or person.username)
        )
        execution = getattr(row, "execution", None)  # unmarked, or moved (the filter)
        if execution is not None:
            day = execution.moved_to
            if day < today:
                letter.overdue.append((row, day))
            else:
                letter.coming.append((row, day, day))
        elif assignment.last < today:
            letter.overdue.append((row, assignment.last))
        else:
            letter.coming.append((row, assignment.first, assignment.last))
    if not letters:
        return 0
    numbers = _numbers(
        {row.plan_id for letter in letters.values() for row, *_ in letter.overdue + letter.coming},
        plans,
    )
    my = site_url() + reverse("plans:my")
    queued = 0
    for letter in letters.values():
        overdue = [(row, day) for row, day in letter.overdue if row.pk in numbers]
        week = [(row, a, b) for row, a, b in letter.coming if row.pk in numbers]
        if not overdue and not week:
            continue  # only rows the plan hides (a level block no grade takes)
        parts = [_greeting(letter.name)]
        if overdue:
            parts.append(f"Сроки прошли, а отметки об исполнении нет ({len(overdue)}):\n")
            parts += [
                f"– {numbers[row.pk]} {_title(row)} (срок {day:%d.%m.%Y})\n"
                for row, day in overdue[:DIGEST_LIMIT]
            ]
            parts.append(_more(overdue) + "\n")
        if week:
            parts.append(f"На неделе {today:%d.%m}–{week_end:%d.%m.%Y} ({len(week)}):\n")
            parts += [
                f"– {numbers[row.pk]} {_title(row)} ({_when(first, last)})\n"
                for row, first, last in week[:DIGEST_LIMIT]
            ]
            parts.append(_more(week) + "\n")
        parts.append(f"Ваши мероприятия и отметка «Проведено»: {my}\n")
        parts.append(_switch_off())
        subject = "Профплан: ваши мероприятия"
        if overdue:
            subject += f" – {len(overdue)} ждут отметки"
        if week:
            subject += f"{',' if overdue else ' –'} {len(week)} на этой неделе"
        enqueue_mail(subject, "".join(parts), [letter.email], "execution-digest-person")
        queued += 1
    return queued


def _when(first: date, last: date) -> str:
    if first == last:
        return f"{first:%d.%m.%Y}"
    return f"{first:%d.%m}–{last:%d.%m.%Y}"


def _more(listed: list) -> str:
    return f"… и ещё {len(listed) - DIGEST_LIMIT}\n" if len(listed) > DIGEST_LIMIT else ""


def _switch_off() -> str:
    return f"\nОтключить эти письма: {site_url()}{reverse('plans:my-calendar')}\n"


def _numbers(plan_ids: set[int], plans: dict) -> dict[int, str]:
    """The numbers of these plans' rows as the plans show them (`number_lines`), by
    row id; a row the plan hides has none. Three queries: the rows (only what the
    numbering reads, plan by plan), the levels the grades take, the template items."""
    used, items = numbering_sources(plan_ids, {plans[pk].year_id for pk in plan_ids})
    rows = (
        PlanRow.objects.filter(plan_id__in=plan_ids)
        .only("pk", "plan_id", "parent_id", "anchor_id", "order", "fixed_item_id")
        .order_by("plan_id")
    )
    numbers = {}
    for plan_id, plan_rows in groupby(rows.iterator(chunk_size=2000), key=lambda r: r.plan_id):
        lines = number_lines(items[plans[plan_id].year_id], list(plan_rows), used[plan_id])
        for line in lines:
            if line.row is not None and line.kind in ("row", "fixed"):
                numbers[line.row.pk] = line.number
    return numbers
