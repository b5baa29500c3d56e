"""The editor's view model: the printed rows of Table 1 with what the screen adds.

The texts of a line (number, activity, period with dates, hours and grades, links)
are the `TableRow` that every document prints (plans/documents/formats/rows.py); an `Entry`
adds only what the editor needs beyond them: which plan, whether the row lies in a
level block (its form asks for hours and grades), the remarks under it, the
«Добавить мероприятие» buttons that follow it, whether «выше» and «ниже» would move
it, and when it was last saved (the browser drops drafts of rows saved since). The fast renderer in
plans/editor/row_html.py draws entries.
"""

from dataclasses import dataclass, field

from plans import services
from plans.documents.formats.rows import TableRow, table_rows
from plans.models import ItemKind, Plan, TemplateItem
from plans.numbering import Line


@dataclass(slots=True)
class Entry:
    """A line of the editor with what follows it: «Добавить мероприятие» buttons."""

    row: TableRow
    plan_id: int
    in_level_block: bool = False
    add_under: list[TemplateItem] = field(default_factory=list)
    comments: list = field(default_factory=list)
    stamp: int = 0  # the row's updated_at in microseconds: a draft older than it is stale
    can_move_up: bool = False
    can_move_down: bool = False


def open_comments(lines: list[Line], threads: dict) -> list[tuple[Line, object]]:
    """The centre's remarks on rows not yet marked as fixed, in the order of the plan,
    with the line they are on: the list at the top of the editor jumps to each row.
    No queries, and no row formatted: the check panel's refresh sends it too."""
    return [
        (line, comment)
        for line in lines
        if line.row is not None
        for comment in threads.get(line.row.pk, [])
        if not comment.resolved_at
    ]


def editor_entries(plan: Plan, lines: list[Line], threads: dict | None = None) -> list[Entry]:
    """The editor's lines of `plan` (from `Plan.objects.for_editor()`, numbered as
    `lines`), with the remarks of `threads` (`comment_threads()`). No queries."""
    items = list(plan.year.template_items.all())
    children: dict[int | None, list[TemplateItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    level_blocks = {item.pk for item in items if item.level_id}
    block_ids = {item.pk for item in items if item.parent_id in level_blocks}

    threads = threads or {}
    entries = [
        Entry(
            row,
            plan.pk,
            in_level_block=line.kind == "row" and line.item.pk in block_ids,
            comments=threads.get(row.row_id, []) if row.row_id is not None else [],
            stamp=_stamp(line.row),
        )
        for line, row in zip(lines, table_rows(plan, lines), strict=True)
    ]
    _mark_moves(entries, lines, children)
    shown = {line.item.pk: index for index, line in enumerate(lines) if line.kind != "row"}

    def subtree_end(index: int) -> int:
        depth = lines[index].depth
        end = index
        for later in range(index + 1, len(lines)):
            if lines[later].depth <= depth:
                break
            end = later
        return end

    last_in_run = {
        (line.item.pk, line.row.anchor_id): index
        for index, line in enumerate(lines)
        if line.kind == "row"
    }
    for item in items:
        if not item.accepts_rows or item.pk not in shown:
            continue
        anchor = services.add_slot_anchor(item, children.get(item.pk, []))
        position = last_in_run.get((item.pk, anchor.pk if anchor else None))
        if position is None:
            position = (
                subtree_end(shown[anchor.pk])
                if anchor is not None and anchor.pk in shown
                else shown[item.pk]
            )
        entries[position].add_under.append(item)
    # A heading whose rows go after its last sub-heading's (3.1 after 3.1.3) shares the
    # place with that sub-heading's button: the inner one comes first, as its rows do,
    # so each new row's form opens (before its button) where the row will stand.
    depth = {line.item.pk: line.depth for line in lines if line.kind != "row"}
    for entry in entries:
        if len(entry.add_under) > 1:
            entry.add_under.sort(key=lambda item: -depth[item.pk])
    return entries


def _stamp(row) -> int:
    if row is None or row.updated_at is None:
        return 0
    return int(row.updated_at.timestamp() * 1_000_000)


def _mark_moves(entries: list[Entry], lines: list[Line], children: dict) -> None:
    """Which school rows «Переместить выше/ниже» would move (services.plan_row_move):
    none moves up from the top of its item (the first run, first place) or down from
    the bottom (the run after the item's last template child, last place); those
    buttons are disabled instead of doing nothing."""
    runs: dict[tuple[int, int | None], list[int]] = {}
    for index, line in enumerate(lines):
        if line.kind == "row":
            runs.setdefault((line.item.pk, line.row.anchor_id), []).append(index)
    for (parent_id, anchor_id), run in runs.items():
        siblings = sorted(
            (c for c in children.get(parent_id, []) if c.kind != ItemKind.ROW),
            key=lambda item: item.order,
        )
        last_anchor = siblings[-1].pk if siblings else None
        for place, index in enumerate(run):
            entries[index].can_move_up = anchor_id is not None or place > 0
            entries[index].can_move_down = anchor_id != last_anchor or place < len(run) - 1
