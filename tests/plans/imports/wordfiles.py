"""Word files built in code from the seed's Table 1 (tests/seed.py), as schools type them.

A line is a list of up to seven cell texts, or `Span(text)`: one cell merged across
the table (a section, or a heading with its number and title in one cell). A "\\n"
in a text is a manual line break (Shift+Enter), a "\\n\\n" a new paragraph.
"""

import io
from dataclasses import dataclass

import docx
from docx.enum.section import WD_ORIENT

from plans.documents.formats.rows import COLUMN_TITLES
from tests.seed import seed_items

SECTION_NUMBERS = ("I.", "II.", "III.", "IV.", "V.")


@dataclass
class Span:
    text: str


@dataclass
class Down:
    """A cell merged down over `rows` rows (the first holds the text)."""

    text: str
    rows: int


def seed_lines(
    fill: dict[str, list[str]] | None = None,
    after: dict[str, list[list[str]]] | None = None,
    spans: bool = True,
) -> list:
    """The seed's Table 1 line by line: sections (and, with `spans`, headings given as
    one cell) merged across, the blank numbered rows as they are unless `fill` gives
    the texts of columns 2–7 for that number; `after` adds lines after a number."""
    fill, after = fill or {}, after or {}
    lines = []
    for number, title in seed_items():
        if number in SECTION_NUMBERS:
            lines.append(Span(f"{number} {title}"))
        elif title and spans and len(number.rstrip(".").split(".")) == 3:
            lines.append(Span(f"{number} {title}"))  # «3.4.14 Реализация …» as in the seed
        elif title:
            lines.append([number, title])
        else:
            lines.append([number, *fill.get(number, [])])
        lines.extend(after.get(number, []))
    return lines


def docx_bytes(
    lines: list,
    *,
    header: bool = True,
    numbers_row: bool = True,
    before: tuple[str, ...] = ("Таблица 1",),
    after: tuple[str, ...] = (),
    split_every: int | None = None,
    table_after: list[list[str]] | None = None,
) -> bytes:
    """A .docx with the lines as Table 1 (split into several tables every
    `split_every` lines, as the seed's document is), paragraphs around it."""
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    for text in before:
        document.add_paragraph(text)
    chunks = [lines]
    if split_every:
        chunks = [lines[i : i + split_every] for i in range(0, len(lines), split_every)]
    for index, chunk in enumerate(chunks):
        head = []
        if index == 0 and header:
            head.append(list(COLUMN_TITLES))
        if index == 0 and numbers_row:
            head.append([str(n) for n in range(1, 8)])
        _table(document, head + chunk)
        if index < len(chunks) - 1:
            document.add_paragraph("")
    for text in after:
        document.add_paragraph(text)
    if table_after:
        _table(document, table_after)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _table(document, lines) -> None:
    table = document.add_table(rows=len(lines), cols=7)
    rows = table.rows
    downs = []
    for index, (line, row) in enumerate(zip(lines, rows, strict=True)):
        cells = row.cells
        if isinstance(line, Span):
            merged = cells[0].merge(cells[6])
            _write(merged, line.text)
            continue
        for column, text in enumerate(line[:7]):
            if isinstance(text, Down):
                downs.append((index, column, text))
                _write(cells[column], text.text)
            else:
                _write(cells[column], text)
    for index, column, down in downs:
        top = table.cell(index, column)
        bottom = table.cell(index + down.rows - 1, column)
        top.merge(bottom)


def _write(cell, text: str) -> None:
    paragraphs = text.split("\n\n")
    first = cell.paragraphs[0]
    for position, paragraph_text in enumerate(paragraphs):
        paragraph = first if position == 0 else cell.add_paragraph()
        for line_index, line in enumerate(paragraph_text.split("\n")):
            run = paragraph.add_run(line)
            if line_index < len(paragraph_text.split("\n")) - 1:
                run.add_break()
