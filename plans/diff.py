"""What changed between two versions of a plan (two submissions, or a submission
and the plan as it is now). Rows are matched by identity, never by number."""

from dataclasses import dataclass, field

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
    fields: list[tuple[str, object, object]]  # (label, old, new)


@dataclass
class Diff:
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_snapshots(old: list[dict], new: list[dict]) -> Diff:
    """Rows added, removed and changed between two snapshots (plans.services.plan_snapshot)."""
    before = {line["row"]: line for line in old if line.get("row")}
    after = {line["row"]: line for line in new if line.get("row")}
    result = Diff()
    for row_id, line in after.items():
        if row_id not in before:
            result.added.append(line)
            continue
        previous = before[row_id]
        changes = [
            (label, previous.get(key), line.get(key))
            for key, label in FIELDS
            if (previous.get(key) or "") != (line.get(key) or "")
        ]
        # A row that only moved because others were added is not a change of its own.
        if changes and any(label != "№" for label, _, _ in changes):
            result.changed.append(Change(row_id, line["number"], changes))
    result.removed = [line for row_id, line in before.items() if row_id not in after]
    return result
