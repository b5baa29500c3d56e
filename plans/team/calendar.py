"""A plan's dated rows as an iCalendar feed (RFC 5545), built with the `icalendar`
package: pure Python, no queries. plans/team/calendar_reads.py fetches the bundle
(`feed_rows`), plans/team/calendar_views.py serves the bytes.

How a row becomes an event (what a teacher wants to see on the phone):

- A row dated to a day or to a span of up to a week (`SHORT_SPAN_DAYS`): one all-day
  event over the span (DTEND exclusive, as RFC 5545 wants for dates).
- A row dated by a month («октябрь»: 1–31 October) or a longer span: one all-day event
  on the period's first day, «срок: до 31.10» in its title, with a reminder at 9:00 that
  day (VALARM). A month-long event would lie as a banner over every day of the month,
  and a plan has dozens of such rows: the days would fill with banners nobody reads.
  On the first day the teacher sees what is due this month and by when; the weekly
  letter (plans/execution/digest.py) keeps reminding until the row is marked.
- A row without dates («в течение года») is not in the feed: an event every week
  would be noise, and one on 1 September would be forgotten. It stays on «Мои
  мероприятия» (/my/) and in the plan.
- A row moved (its mark «перенесено») shows on its new date; a row carried out
  (marked «выполнено» or «частично» with its dates) on the days it was carried out,
  with «✓ проведено» in the title and the description.
- No LOCATION: a plan row has no place of its own, and the school's name would be
  wrong for excursions and trips (a phone would offer a route to the school).

UID: `row-<pk>@<host>` for a school's row (an Excel re-import keeps the row and so
its UID), `plan-<plan>-item-<item>@<host>` for a fixed activity (a Word re-import
replaces the rows but keeps the fixed activities' UIDs). DTSTAMP, LAST-MODIFIED and
SEQUENCE come from the latest change of the row, its mark or its assignees, so a
calendar updates an event instead of adding a second one, and the same data always
gives the same bytes.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from icalendar import Alarm, Calendar, Event, vDuration

from plans.fields import format_grades, format_hours
from plans.models import ExecutionStatus, Plan, RowExecution
from plans.numbering import Line
from plans.team.assignments import position_of

SHORT_SPAN_DAYS = 7
ALARM_AT = timedelta(hours=9)  # after the start of an all-day event: 9:00 that day
REFRESH = timedelta(hours=1)
PRODID = "-//Профплан//Календарь мероприятий плана//RU"
# SEQUENCE: seconds since this moment of the latest change, so it only grows.
SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)

DONE_LABELS = {
    ExecutionStatus.DONE: "✓ проведено",
    ExecutionStatus.PARTLY: "✓ проведено частично",
    ExecutionStatus.NOT_DONE: "✗ не проведено",
}


@dataclass
class FeedRow:
    """A dated row of a plan with what its event tells: its line (number, title), the
    plan, the mark, the assignees and the section and heading it sits under."""

    line: Line
    plan: Plan
    execution: RowExecution | None
    assignees: list = field(default_factory=list)
    section: Line | None = None
    heading: Line | None = None

    @property
    def row(self):
        return self.line.row


@dataclass(frozen=True)
class Dates:
    first: date
    last: date
    long: bool  # a month or a longer span: one event on the first day


def plan_feed_rows(plan: Plan, lines: list[Line], executions: dict, assignments: dict):
    """The FeedRows of a plan's numbered lines (`number_lines`): its rows and fixed
    activities, each with its section (the line at depth 0) and heading (the line
    just above it). `executions` and `assignments` (lists of RowAssignment with their
    person) by row id. Every row, dated or not: `row_event` leaves out the undated."""
    trail: list[Line] = []
    for line in lines:
        if line.kind in ("row", "fixed") and line.row is not None:
            above = trail[: line.depth]
            yield FeedRow(
                line=line,
                plan=plan,
                execution=executions.get(line.row.pk),
                assignees=assignments.get(line.row.pk, []),
                section=above[0] if above else None,
                heading=above[-1] if len(above) > 1 else None,
            )
        if line.kind != "row":
            trail = [*trail[: line.depth], line]


def row_title(line: Line) -> str:
    """The first line of the activity, or the fixed activity's title."""
    row = line.row
    text = (row.activity if row is not None else "") or line.item.title or "мероприятие"
    return text.strip().splitlines()[0][:200] if text.strip() else "мероприятие"


def row_dates(row, execution: RowExecution | None) -> Dates | None:
    """The days of a row's event; None for a row without dates («в течение года»)."""
    if execution is not None:
        if execution.status == ExecutionStatus.MOVED and execution.moved_to:
            return Dates(execution.moved_to, execution.moved_to, False)
        if execution.status in (ExecutionStatus.DONE, ExecutionStatus.PARTLY):
            first = execution.start_date or execution.end_date
            if first is not None:
                return _dates(first, execution.end_date or first)
    first = row.start_date or row.end_date
    if first is None:
        return None
    return _dates(first, row.end_date or first)


def _dates(first: date, last: date) -> Dates:
    if last < first:
        last = first
    return Dates(first, last, (last - first).days + 1 > SHORT_SPAN_DAYS)


def last_change(feed_row: FeedRow) -> datetime:
    """The latest change of the row, its mark or its assignees."""
    stamps = [feed_row.row.updated_at]
    if feed_row.execution is not None:
        stamps.append(feed_row.execution.updated_at)
    stamps.extend(a.assigned_at for a in feed_row.assignees)
    return max(stamp for stamp in stamps if stamp is not None).astimezone(UTC)


def person_label(person) -> str:
    """«Анна Петрова (педагог-навигатор)»."""
    position = position_of(person)
    name = person.get_full_name() or person.username
    return f"{name} ({position})" if position else name


def row_uid(row, host: str) -> str:
    if row.fixed_item_id:
        return f"plan-{row.plan_id}-item-{row.fixed_item_id}@{host}"
    return f"row-{row.pk}@{host}"


def row_event(feed_row: FeedRow, *, host: str, link: str) -> Event | None:
    """The row's VEVENT, or None for a row without dates."""
    row, execution = feed_row.row, feed_row.execution
    dates = row_dates(row, execution)
    if dates is None:
        return None
    status = DONE_LABELS.get(execution.status) if execution is not None else None
    summary = f"{feed_row.line.number} {row_title(feed_row.line)}"
    if dates.long:
        summary += f" (срок: до {dates.last:%d.%m})"
    if status and status.startswith("✓"):
        summary = f"✓ {summary}"
    changed = last_change(feed_row)
    event = Event.new(
        uid=row_uid(row, host),
        summary=summary,
        start=dates.first,
        end=(dates.first if dates.long else dates.last) + timedelta(days=1),
        stamp=changed,
        last_modified=changed,
        sequence=int((changed - SEQUENCE_EPOCH).total_seconds()),
        description=_description(feed_row, dates, status, link),
        url=link,
    )
    # An all-day activity does not make the teacher busy the whole day.
    event.add("transp", "TRANSPARENT")
    if dates.long and execution is None:  # a marked row needs no reminder
        event.add_component(
            Alarm.new_display(
                description=f"{summary}: в этом периоде, срок до {dates.last:%d.%m.%Y}",
                trigger=ALARM_AT,
            )
        )
    return event


def _description(feed_row: FeedRow, dates: Dates, status: str | None, link: str) -> str:
    row, execution = feed_row.row, feed_row.execution
    lines = []
    if status:
        lines.append(status)
    if execution is not None and execution.status == ExecutionStatus.MOVED:
        planned = row.start_date or row.end_date
        moved = f"Перенесено на {execution.moved_to:%d.%m.%Y}"
        lines.append(f"{moved} (по плану {planned:%d.%m.%Y})" if planned else moved)
    if dates.first == dates.last:
        when = f"{dates.first:%d.%m.%Y}"
    else:
        when = f"{dates.first:%d.%m.%Y}–{dates.last:%d.%m.%Y}"
    if dates.long:
        when = f"до {dates.last:%d.%m.%Y} ({when})"
    lines.append(f"Сроки: {when}" + (f", по плану «{row.period}»" if row.period else ""))
    if row.grades:
        lines.append(f"Классы: {format_grades(row.grades)}")
    if row.hours is not None:
        lines.append(f"Часов: {format_hours(row.hours)}")
    if row.responsible.strip():
        lines.append(f"Ответственные: {' '.join(row.responsible.split())}")
    if feed_row.assignees:
        names = "; ".join(person_label(a.person) for a in feed_row.assignees)
        lines.append(f"Исполнители: {names}")
    if feed_row.section is not None:
        lines.append(f"Раздел: {feed_row.section.number} {feed_row.section.item.title}")
    if feed_row.heading is not None:
        lines.append(f"Пункт: {feed_row.heading.number} {feed_row.heading.item.title}")
    plan = feed_row.plan
    lines.append(f"План: {plan.school.short_name}, {plan.year.title} учебный год")
    lines.append(f"Открыть в Профплане: {link}")
    return "\n".join(lines)


def build_calendar(
    *,
    name: str,
    description: str,
    uid: str,
    rows: Iterable[FeedRow],
    host: str,
    link: Callable[[FeedRow], str],
) -> bytes:
    """The feed's bytes: one VEVENT per dated row (rows without dates are left out)."""
    calendar = Calendar.new(
        name=name,
        description=description,
        prodid=PRODID,
        uid=uid,
        refresh_interval=REFRESH,
        calscale="GREGORIAN",
        method="PUBLISH",
    )
    # RFC 7986 asks for VALUE=DURATION; icalendar leaves it out.
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"
    calendar.add("x-published-ttl", vDuration(REFRESH))
    calendar.add("x-wr-timezone", "Europe/Moscow")
    for feed_row in rows:
        event = row_event(feed_row, host=host, link=link(feed_row))
        if event is not None:
            calendar.add_component(event)
    return calendar.to_ical()
