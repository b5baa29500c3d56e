"""Reads of the calendar feeds: the link by its token, and the bundle of rows a feed
shows, in a fixed number of queries whatever the rows and assignees."""

import re
from collections import defaultdict
from datetime import date

from django.db.models import Prefetch

from plans.models import (
    CalendarFeed,
    Plan,
    PlanRow,
    RowAssignment,
    SchoolYear,
)
from plans.numbering import number_lines, numbering_sources
from plans.querysets import _current
from plans.team.calendar import FeedRow, plan_feed_rows

# `new_feed_token` makes 43 URL-safe characters; anything else is not a link of ours
# and is refused before the database is asked (a NUL, a megabyte of text).
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,64}")


def feed_by_token(token: str) -> CalendarFeed | None:
    """The link with this token, with its person's or school's region (one query;
    none for a malformed token). The unique index finds it: nothing is compared
    character by character in Python, and an unknown token looks like a malformed one."""
    if not TOKEN_RE.fullmatch(token or ""):
        return None
    return (
        CalendarFeed.objects.select_related("person__school__municipality", "school__municipality")
        .filter(token=token)
        .first()
    )


def feed_years(region_id, today: date) -> list[SchoolYear]:
    """The region's current school year and the next one (one query): in spring a
    school already plans the next year, and its dates belong in the calendar too."""
    years = list(SchoolYear.objects.filter(region_id=region_id).order_by("start_date"))
    current = _current(years, today)  # the rule of `SchoolYear.objects.current()`
    if current is None:
        return []
    later = [year for year in years if year.start_date > current.start_date]
    return [current, *later[:1]]


def feed_rows(*, school, today: date, person=None) -> list[FeedRow]:
    """The rows of the school's plans of the current and the next year (the plans
    there are, whatever their status), numbered as the plan shows them; only the
    rows assigned to `person` when given. Rows under a level block no grade takes
    are hidden, as in the plan. Six queries: years, plans, the levels their grades
    take, the years' template items, the rows with their marks, the assignments
    with their people (active accounts only)."""
    years = feed_years(school.municipality.region_id, today)
    if not years:
        return []
    plans = list(
        Plan.objects.filter(school=school, year__in=years)
        .select_related("school", "year")
        .order_by("year__start_date")
    )
    if not plans:
        return []
    used, items = numbering_sources([plan.pk for plan in plans], {plan.year_id for plan in plans})
    rows_by_plan: dict[int, list[PlanRow]] = defaultdict(list)
    executions, assignments = {}, {}
    people = RowAssignment.objects.filter(person__is_active=True).select_related("person")
    rows = (
        PlanRow.objects.filter(plan__in=plans)
        .select_related("execution", "fixed_item")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=people.order_by("person__last_name", "person__first_name", "pk"),
            )
        )
    )
    for row in rows:
        rows_by_plan[row.plan_id].append(row)
        execution = getattr(row, "execution", None)  # None: not marked (select_related)
        if execution is not None:
            executions[row.pk] = execution
        assignments[row.pk] = list(row.assignments.all())
    result = []
    for plan in plans:
        lines = number_lines(items[plan.year_id], rows_by_plan[plan.pk], used[plan.pk])
        for feed_row in plan_feed_rows(plan, lines, executions, assignments):
            if person is None or any(a.person_id == person.pk for a in feed_row.assignees):
                result.append(feed_row)
    return result
