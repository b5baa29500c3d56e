"""What the preview pages show, and how a preview is kept between requests.

A preview is kept in the user's own session (server side: sessions live in the
database) under a random token; the pages name only the token, so nothing the
browser sends is ever used as a path or trusted as data, and another user's token
finds nothing (404). At most KEEP previews per user are kept.
"""

import secrets
import time
from dataclasses import dataclass

from plans.documents.formats.rows import TableRow, table_rows

from ..models import Level, SchoolYear, TemplateItem
from ..numbering import number_lines
from .placement import Placement
from .services import placement_rows

SESSION_KEY = "plan_imports"
KEEP = 3


def preview_store(request, data: dict) -> str:
    """Keep `data` (JSON-safe) in the session; returns its token."""
    kept = dict(request.session.get(SESSION_KEY) or {})
    while len(kept) >= KEEP:
        kept.pop(min(kept, key=lambda token: kept[token]["at"]))
    token = secrets.token_urlsafe(16)
    kept[token] = {"at": time.time(), **data}
    request.session[SESSION_KEY] = kept
    return token


def preview_load(request, token: str) -> dict | None:
    return (request.session.get(SESSION_KEY) or {}).get(token)


def preview_drop(request, token: str) -> None:
    kept = dict(request.session.get(SESSION_KEY) or {})
    if kept.pop(token, None) is not None:
        request.session[SESSION_KEY] = kept


@dataclass
class PreviewLine:
    """A line of the preview table: the printed row and the notes on how it was read."""

    row: TableRow
    line: int | None  # the file's row it came from
    notes: list[str]


def placement_table(placement: Placement, year: SchoolYear) -> list[PreviewLine]:
    """The plan the import would make, numbered and worded as every format prints it."""
    items = list(TemplateItem.objects.filter(year=year).order_by("parent_id", "order"))
    rows = placement_rows(placement, plan=None)
    for index, row in enumerate(rows, start=1):
        row.pk = -index  # a stable order among unsaved rows; never saved
    placed = {row.pk: p for row, p in zip(rows, placement.rows, strict=True)}
    used = set(placement.levels.values())
    lines = number_lines(items, rows, used)
    result = []
    for line, printed in zip(lines, table_rows(None, lines), strict=True):
        source = placed.get(line.row.pk) if line.row is not None else None
        result.append(
            PreviewLine(printed, source.line if source else None, source.notes if source else [])
        )
    return result


def grade_levels_text(placement: Placement, year: SchoolYear) -> list[tuple[int, str]]:
    names = {level.pk: level.name for level in Level.objects.filter(year=year)}
    return [(grade, names.get(level, "")) for grade, level in sorted(placement.levels.items())]


def placement_summary(placement: Placement) -> str:
    rows = sum(1 for row in placement.rows if not row.fixed_id)
    filled = sum(1 for row in placement.rows if not row.fixed_id and row.values()["activity"])
    fixed = sum(1 for row in placement.rows if row.fixed_id)
    text = (
        f"Строк школы: {rows} (с текстом мероприятия: {filled}); заполненных заданных "
        f"мероприятий разделов IV–V: {fixed}. Не понято строк: {len(placement.problems)}. "
        f"Текст не перенесён (ячеек и таблиц): {placement.untaken_total}."
    )
    if placement.blank_lines:
        text += f" Пустых строк без номера пропущено: {placement.blank_lines}."
    return text


def placement_report(placement: Placement, year: SchoolYear) -> list[str]:
    """The preview as plain lines, for `manage.py import_plan`: the summary, the rows
    in Table 1's order with their notes, every line not understood."""
    lines = [placement_summary(placement)]
    levels = ", ".join(f"{grade} – {name}" for grade, name in grade_levels_text(placement, year))
    if levels:
        lines.append(f"Уровни профминимума по классам: {levels}.")
    lines.append("")
    lines.append("Будет создано (в порядке Таблицы 1):")
    for entry in placement_table(placement, year):
        row = entry.row
        text = row.activity.replace("\n", " ")
        if row.kind == "row" or (row.kind == "fixed" and entry.line):
            details = "; ".join(
                part.replace("\n", " ")
                for part in (row.load_text, row.period, row.responsible)
                if part
            )
            text = f"{text} [{details}]" if details else text
        source = f" (строка {entry.line} файла)" if entry.line else ""
        lines.append(f"  {row.number} {text}{source}".rstrip())
        lines.extend(f"      ! {note}" for note in entry.notes)
    if placement.problems:
        lines.append("")
        lines.append("Не понято и не будет перенесено:")
        for problem in placement.problems:
            where = f" ({problem.place})" if problem.place else ""
            lines.append(f"  Строка {problem.line} файла{where}: {problem.reason}")
            lines.append(f"      Текст: {problem.original}")
    if placement.untaken:
        lines.append("")
        lines.append("Текст, который не будет перенесён (ячейки, которые импорт не читает):")
        for entry in placement.untaken:
            if not entry.place:  # the count of those beyond the list
                lines.append(f"  {entry.reason}")
                continue
            lines.append(f"  {entry.place}: {entry.reason}")
            lines.append(f"      Текст: {entry.text.replace(chr(10), ' ')}")
    return lines
