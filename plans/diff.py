"""What changed between two versions of a plan (two submissions, or a submission
and the plan as it is now). Rows are matched by identity, never by number.

A snapshot keeps a row's raw values (plans.services.plan_snapshot); the diff shows
them as the documents print them (plans/documents/formats/rows.py): «12,5 ч», «6, 7 кл.»,
the period with its dates.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from plans.documents.formats.rows import format_hours_with_unit, format_period

from .fields import format_grades

FIELDS = [
    ("number", "№"),
    ("title", "мероприятие"),
    ("period", "сроки"),
    ("responsible", "ответственные"),
    ("documents", "документы"),
    ("links", "ссылки"),
    ("results", "результаты"),
    ("hours", "часы"),
    ("grades", "классы"),
]


@dataclass
class Change:
    row: int
    number: str
    fields: list[tuple[str, str, str]]  # (label, old, new) as printed


@dataclass
class Diff:
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def printed(line: dict, with_dates: bool = True) -> dict:
    """A snapshot line with its values as the documents print them. Snapshots taken
    before they kept the dates have no "start_date": compare them without dates
    (`with_dates=False`), or every dated row would look changed."""
    hours = line.get("hours")
    return {
        **line,
        "title": line.get("title") or "",
        "period": format_period(
            line.get("period") or "",
            _day(line.get("start_date")) if with_dates else None,
            _day(line.get("end_date")) if with_dates else None,
        ),
        "hours": format_hours_with_unit(None if hours in (None, "") else Decimal(hours)),
        "grades": format_grades(line.get("grades") or ()),
    }


def diff_snapshots(old: list[dict], new: list[dict]) -> Diff:
    """Rows added, removed and changed between two snapshots (plans.services.plan_snapshot)."""
    before = {line["row"]: line for line in old if line.get("row")}
    after = {line["row"]: line for line in new if line.get("row")}
    result = Diff()
    for row_id, line in after.items():
        if row_id not in before:
            result.added.append(printed(line))
            continue
        with_dates = "start_date" in before[row_id] and "start_date" in line
        previous, current = printed(before[row_id], with_dates), printed(line, with_dates)
        changes = [
            (label, previous.get(key) or "", current.get(key) or "")
            for key, label in FIELDS
            if (previous.get(key) or "") != (current.get(key) or "")
        ]
        # A row that only moved because others were added is not a change of its own.
        if changes and any(label != "№" for label, _, _ in changes):
            result.changed.append(Change(row_id, line["number"], changes))
    result.removed = [printed(line) for row_id, line in before.items() if row_id not in after]
    return result
