"""«Мои мероприятия»: what one person of a school has to carry out in the current
year's plan, and, for the deputy director, the same for the whole school by person.

One bundle (`my_activities`) in a fixed number of queries whatever the rows and the
assignees: the years of the region (1), the school's plans (2), the current plans'
rows with their marks and who made them (3), the year's template items (4), the
levels the plans' grades take (5), the assignments with their people (6) and, for the
deputy, the school's team (7). Numbers are the plan's own (plans/numbering.py) and
«overdue» is the execution page's rule (plans/execution/reads.py), not a second one.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts import access
from plans.execution.reads import markable_lines, overdue_lines
from plans.models import (
    ExecutionStatus,
    Plan,
    PlanRow,
    PlanStatus,
    RowAssignment,
    RowExecution,
    SchoolYear,
)
from plans.numbering import Line, number_lines, numbering_sources

# A row whose dates touch this week and that lasts at most this long is one of this
# week's activities («октябрь» every week of October); a longer one («в течение года»)
# only in the weeks it starts and ends, or it would crowd every week of the year.
WEEK_SPAN_DAYS = 31


@dataclass
class Item:
    """One activity as «Мои мероприятия» shows it."""

    line: Line
    plan: Plan
    execution: RowExecution | None
    assignees: list
    markable: bool  # the viewer may mark it now (an approved plan, their row)
    due: date | None = None  # set when overdue: the day that passed
    anchor: bool = True  # the first time the row is on the page (its `id`)

    @property
    def row(self) -> PlanRow:
        return self.line.row

    @property
    def marked(self) -> bool:
        """Carried out or not: nothing left to do (a move is still to be done)."""
        return self.execution is not None and self.execution.status != ExecutionStatus.MOVED

    @property
    def day(self) -> date | None:
        """The day it is planned for: the new date of a move, else the start (or end)."""
        if self.execution is not None and self.execution.status == ExecutionStatus.MOVED:
            return self.execution.moved_to
        return self.row.start_date or self.row.end_date

    @property
    def last_day(self) -> date | None:
        if self.execution is not None and self.execution.status == ExecutionStatus.MOVED:
            return self.execution.moved_to
        return self.row.end_date or self.row.start_date

    def in_week(self, first: date, last: date) -> bool:
        start, end = self.day, self.last_day
        if start is None:
            return False
        if first <= start <= last or first <= end <= last:
            return True
        return start < first and end > last and (end - start).days <= WEEK_SPAN_DAYS


@dataclass
class Group:
    """One person's activities (None: the rows nobody is assigned to), in sections."""

    person: object | None
    overdue: list[Item] = field(default_factory=list)
    this_week: list[Item] = field(default_factory=list)
    upcoming: list[Item] = field(default_factory=list)
    undated: list[Item] = field(default_factory=list)
    marked: list[Item] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(section) for section in self.sections())

    def sections(self):
        return (self.overdue, self.this_week, self.upcoming, self.undated, self.marked)

    @property
    def key(self) -> str:
        return f"person-{self.person.pk}" if self.person is not None else "unassigned"


@dataclass
class MyPage:
    today: date
    week: tuple[date, date]
    school: object
    year: SchoolYear | None
    plans: list[Plan]  # the current year's plans of the school
    all_plans: list[Plan]  # every plan of the school, for the links
    by_person: bool  # the deputy's view of the whole school
    groups: list[Group]

    @property
    def draft_plans(self) -> list[Plan]:
        return [plan for plan in self.plans if plan.status != PlanStatus.APPROVED]


def my_activities(user, today: date | None = None) -> MyPage:
    """The page of `user`, a school's person (`access.is_school_user`): their own rows,
    or the whole school by person for the deputy. Seven queries at most, whatever the
    rows and assignees (see the module's docstring)."""
    today = today or timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    week = (monday, monday + timedelta(days=6))
    by_person = access.is_school_deputy(user)
    year = SchoolYear.objects.for_user(user).current(today)
    all_plans = list(
        Plan.objects.for_user(user)
        .select_related("year", "school")
        .order_by("-year__start_date", "pk")
    )
    school = all_plans[0].school if all_plans else user.school  # a query only without a plan
    plans = [plan for plan in all_plans if year is not None and plan.year_id == year.pk]
    page = MyPage(today, week, school, year, plans, all_plans, by_person, [])
    if not plans:
        if by_person:
            page.groups = _groups([], _team(user), today, week)
        else:
            page.groups = [Group(user)]
        return page

    lines, executions, assignees = _read(plans, year)
    plan_by_id = {plan.pk: plan for plan in plans}
    overdue = {item.line.row.pk: item.due for item in overdue_lines(lines, executions, today)}
    items = []
    for line in markable_lines(lines):
        row = line.row
        people = assignees.get(row.pk, [])
        if not (line.title or "").strip() and not people:
            continue  # an empty line of the plan: nothing to carry out
        plan = plan_by_id[row.plan_id]
        item = Item(
            line,
            plan,
            executions.get(row.pk),
            people,
            markable=access.may_mark_row(user, plan, [person.pk for person in people]),
            due=overdue.get(row.pk),
        )
        items.append(item)
    if by_person:
        page.groups = _groups(items, _team(user), today, week)
    else:
        group = Group(user)
        _fill(group, [item for item in items if user in item.assignees], today, week)
        page.groups = [group]
    return page


def _read(plans: list[Plan], year: SchoolYear):
    """The current plans' numbered lines, marks by row id and assignees by row id:
    four queries."""
    rows = list(PlanRow.objects.filter(plan__in=plans).select_related("execution__recorded_by"))
    used, items = numbering_sources([plan.pk for plan in plans], [year.pk])
    rows_by_plan: dict[int, list[PlanRow]] = defaultdict(list)
    executions = {}
    for row in rows:
        rows_by_plan[row.plan_id].append(row)
        try:
            executions[row.pk] = row.execution
        except RowExecution.DoesNotExist:
            pass
    lines = []
    for plan in plans:
        lines += number_lines(items[year.pk], rows_by_plan[plan.pk], used[plan.pk])
    assignees: dict[int, list] = defaultdict(list)
    for assignment in (
        RowAssignment.objects.filter(row__plan__in=plans)
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "pk")
    ):
        assignees[assignment.row_id].append(assignment.person)
    return lines, executions, assignees


def _team(user) -> list:
    """The school's active people, the deputy first, then the team by name: one query."""
    people = get_user_model().objects.filter(school_id=user.school_id, is_active=True)
    return sorted(
        people,
        key=lambda person: (person.pk != user.pk, person.last_name, person.first_name, person.pk),
    )


def _groups(items: list[Item], team: list, today: date, week) -> list[Group]:
    """The deputy's page: each of the school's people (the deputy first), then
    «Не назначено». A row with two assignees is under both; its `id` on the first."""
    groups = {person.pk: Group(person) for person in team}
    by_person: dict[int | None, list[Item]] = defaultdict(list)
    for item in items:
        if not item.assignees:
            by_person[None].append(item)
        for person in item.assignees:
            if person.pk not in groups:  # assigned, but no longer in the school's team
                groups[person.pk] = Group(person)
            by_person[person.pk].append(item)
    result = [*groups.values(), Group(None)]
    seen: set[int] = set()
    for group in result:
        own = []
        for item in by_person.get(group.person.pk if group.person else None, []):
            if item.row.pk in seen:
                item = replace(item, anchor=False)
            seen.add(item.row.pk)
            own.append(item)
        _fill(group, own, today, week)
    return result


def _fill(group: Group, items: list[Item], today: date, week) -> None:
    """Sort a person's items into the page's sections: overdue (the longest overdue
    first), this week's, upcoming (soonest first), undated, and marked (latest first)."""
    far = date.max
    for item in items:
        if item.due is not None:
            group.overdue.append(item)
        elif item.in_week(*week):
            group.this_week.append(item)
        elif item.marked:
            group.marked.append(item)
        elif item.day is None:
            group.undated.append(item)
        else:
            group.upcoming.append(item)
    group.overdue.sort(key=lambda item: (item.due, item.line.number))
    group.this_week.sort(key=lambda item: (item.day or far, item.last_day or far))
    group.upcoming.sort(key=lambda item: (item.day, item.last_day))
    group.marked.sort(key=lambda item: item.day or date.min, reverse=True)
