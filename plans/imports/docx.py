"""Table 1 out of a school's Word file, as lines of seven texts.

Whatever the school did in Word: the table split into several tables, merged cells
(a cell spanning columns gives its text to the first of them; a cell merged down
gives its text to every row it covers in columns 3–7), manual line breaks and
several paragraphs in a cell (both become line breaks), the header and the
«1 2 3 4 5 6 7» row present, repeated or missing, text and other tables before
and after. Tables before Table 1 (an approval block laid out as a table) and the
tables after it (section II's indicators in our own export) are not read.

python-docx opens the file (after profplan/uploads.py's checks) and the table
XML is walked directly: `row.cells` of python-docx walks the whole table for each
row, which is quadratic in a 300-row plan.
"""

import io
import re
from dataclasses import dataclass, field

from docx.oxml.ns import qn

from profplan import uploads
from profplan.office_files import check_no_macros

COLUMNS = 7
MAX_LINES = 5000  # a real plan is a few hundred rows

_W_TBL, _W_TR, _W_TC, _W_P = qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:p")
_W_T, _W_TAB, _W_BR, _W_CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_W_TCPR, _W_GRIDSPAN, _W_VMERGE = qn("w:tcPr"), qn("w:gridSpan"), qn("w:vMerge")
_W_TRPR, _W_GRIDBEFORE, _W_VAL = qn("w:trPr"), qn("w:gridBefore"), qn("w:val")
_W_SDT, _W_SDTCONTENT = qn("w:sdt"), qn("w:sdtContent")


@dataclass
class SourceLine:
    """One row of Table 1 as the file has it: its place among the rows of the table (1 =
    the first, the header if any) and the seven texts, line breaks as "\\n". `table`
    and `row` are its place in the document as a reader finds it (the document's
    N-th table, its M-th row, both from 1); `merged` the columns whose text continues
    a cell merged down from the row above (not typed in this row)."""

    index: int
    cells: list[str]
    table: int = 0
    row: int = 0
    merged: tuple[int, ...] = ()

    @property
    def original(self) -> str:
        """The row as the report quotes it: its non-empty cells, « | » between them."""
        return " | ".join(cell.replace("\n", " ") for cell in self.cells if cell.strip())

    def place(self, column: int | None = None) -> str:
        """«Таблица 1, строка 14, столбец 3» (`column` from 0), in the report's words."""
        return place(self.table, self.row, None if column is None else column + 1)


def place(table: int, row: int | None = None, column: int | None = None) -> str:
    """Where a cell or a row is in the Word file, as a reader counts: from 1."""
    parts = [f"Таблица {table}"] if table else []
    if row:
        parts.append(f"строка {row}")
    if column:
        parts.append(f"столбец {column}")
    return ", ".join(parts)


@dataclass
class Unread:
    """Text of the file that the import does not read: a cell right of the seventh
    column, or a whole table that is not Table 1 (its cells with text counted)."""

    place: str
    text: str
    reason: str
    at: list[int] = field(default_factory=list)  # [table, row, column], to sort by


class Table1(list):
    """The lines of Table 1 (`SourceLine`), and what the file holds that was not read."""

    def __init__(self, lines=(), unread=()):
        super().__init__(lines)
        self.unread: list[Unread] = list(unread)


def read_docx(data: bytes, filename: str = "план.docx") -> Table1:
    """The lines of Table 1, and the text that is not read (`Table1.unread`).
    UploadRefused when the file is refused or has no table."""
    import docx

    uploads.check_size(len(data), what="плана")
    check_no_macros(data, name=filename)
    uploads.check_suffix(filename, uploads.DOCX)
    uploads.check_office_container(data, uploads.DOCX)
    uploads.check_no_dtd(data, uploads.DOCX)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # python-docx, lxml and zipfile raise many kinds
        raise uploads.UploadRefused(uploads.DOCX.unreadable) from None
    read = [_read_table(table) for table in _tables(document.element.body)]
    tables = [[cells for cells, _, _ in rows] for rows in read]
    if not tables:
        raise uploads.UploadRefused(
            "В документе нет таблиц: загрузите план, в котором Таблица 1 – таблица Word."
        )
    lines, used = _plan_lines(tables)
    if not lines:
        raise uploads.UploadRefused(
            "В документе не найдена Таблица 1 плана: ни одна таблица не похожа на неё (нет "
            "строк с номерами вида «I.», «1.1.», «3.4.12.»). Проверьте, тот ли файл выбран."
        )
    if len(lines) > MAX_LINES:
        raise uploads.UploadRefused(
            f"В Таблице 1 больше {MAX_LINES} строк: для плана это слишком много."
        )
    result = Table1()
    for index, cells, (table, row) in lines:
        _, merged, _ = read[table][row]
        result.append(SourceLine(index, cells, table + 1, row + 1, tuple(merged)))
    for table, rows in enumerate(read):
        if table not in used:
            result.unread += _unread_table(table, rows)
            continue
        for row, (_, _, overflow) in enumerate(rows):
            for column, text in overflow:
                result.unread.append(
                    Unread(
                        place(table + 1, row + 1, column + 1),
                        text,
                        "Столбец правее семи столбцов Таблицы 1: его текст не переносится.",
                        [table + 1, row + 1, column + 1],
                    )
                )
    return result


def _unread_table(table: int, rows) -> list[Unread]:
    texts = [cell for cells, merged, overflow in rows for cell in cells if cell.strip()]
    texts += [text for _, _, overflow in rows for _, text in overflow]
    if not texts:
        return []
    shown = " | ".join(text.replace("\n", " ") for text in texts[:4])
    if len(texts) > 4:
        shown += " | …"
    return [
        Unread(
            place(table + 1),
            shown,
            f"Таблица не похожа на Таблицу 1 плана и не переносится (ячеек с текстом: "
            f"{len(texts)}).",
            [table + 1, 0, 0],
        )
    ]


def _tables(body):
    """The body's tables in order, also those inside content controls."""
    for child in body.iterchildren():
        if child.tag == _W_TBL:
            yield child
        elif child.tag == _W_SDT:
            content = child.find(_W_SDTCONTENT)
            if content is not None:
                yield from _tables(content)


def _read_table(tbl) -> list[tuple[list[str], list[int], list[tuple[int, str]]]]:
    """Each row: its seven texts, the columns continuing a cell merged down, and the
    texts right of the seventh column (grid column, text), which are not read."""
    rows = []
    above: dict[int, str] = {}  # grid column → text of the cell a merge down started in
    for tr in tbl.iterchildren(_W_TR):
        cells = [""] * COLUMNS
        merged: list[int] = []
        overflow: list[tuple[int, str]] = []
        column = _grid_before(tr)
        for tc in tr.iterchildren(_W_TC):
            span, merge = _tc_layout(tc)
            if column < COLUMNS:
                if merge == "continue":
                    # Columns 3–7 of a cell merged down belong to every row it covers;
                    # a number or an activity is not repeated.
                    cells[column] = above.get(column, "") if column >= 2 else ""
                    merged.append(column)
                else:
                    cells[column] = _cell_text(tc)
                    if merge == "restart":
                        above[column] = cells[column]
                    else:
                        above.pop(column, None)
            elif merge != "continue":
                text = _cell_text(tc)
                if text.strip():
                    overflow.append((column, text))
            column += span
        rows.append((cells, merged, overflow))
    return rows


def _grid_before(tr) -> int:
    properties = tr.find(_W_TRPR)
    if properties is None:
        return 0
    before = properties.find(_W_GRIDBEFORE)
    return int(before.get(_W_VAL, "0")) if before is not None else 0


def _tc_layout(tc) -> tuple[int, str | None]:
    properties = tc.find(_W_TCPR)
    if properties is None:
        return 1, None
    span = properties.find(_W_GRIDSPAN)
    merge = properties.find(_W_VMERGE)
    width = int(span.get(_W_VAL, "1")) if span is not None else 1
    state = None if merge is None else merge.get(_W_VAL, "continue")
    return max(1, width), state


def _cell_text(tc) -> str:
    """Paragraphs and manual breaks as line breaks, tabs as spaces; deleted text
    (tracked changes) is w:delText and not read."""
    paragraphs = []
    for p in tc.iter(_W_P):
        parts = []
        for element in p.iter(_W_T, _W_TAB, _W_BR, _W_CR):
            if element.tag == _W_T:
                parts.append(element.text or "")
            elif element.tag == _W_TAB:
                parts.append(" ")
            else:
                parts.append("\n")
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs)


_NUMBERED = re.compile(r"^\s*(?:[IVX]+\.|\d+(?:\s*\.\s*\d+)+\.?)(?:\s|$)")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace("ё", "е")).strip()


def is_header(cells: list[str]) -> bool:
    """The row of column titles (in the seed's words or close to them)."""
    texts = [_squash(cell) for cell in cells]
    return any("сроки" in t for t in texts) and any("ответственн" in t for t in texts)


def is_numbers_row(cells: list[str]) -> bool:
    """The «1 2 3 4 5 6 7» row under the header."""
    texts = [cell.strip().rstrip(".") for cell in cells]
    filled = [t for t in texts if t]
    return len(filled) >= 5 and all(t == str(n) for n, t in enumerate(texts, 1) if t)


def _is_other_table(rows: list[list[str]]) -> bool:
    """A table of another kind: section II's indicators, a signature block."""
    head = " ".join(_squash(cell) for row in rows[:2] for cell in row)
    return "показатель" in head and "целевое значение" in head


def _looks_like_plan(rows: list[list[str]]) -> bool:
    return any(_NUMBERED.match(row[0]) for row in rows)


def _plan_lines(tables: list[list[list[str]]]):
    """Rows of Table 1 from the tables that hold it: from the first with its header
    (or, without a header anywhere, the first with numbered rows) until a table of
    another kind; the header and number rows are left out. Each row comes with its
    place among the rows of those tables (1 = the first, the header if there is one),
    the number a report names it by, and with (table, row) in the document, from 0.
    Returns the rows and the set of the tables read."""
    has_header = any(is_header(row) for rows in tables for row in rows[:3])
    lines: list[tuple[int, list[str], tuple[int, int]]] = []
    used: set[int] = set()
    position = 0
    started = False
    for table, rows in enumerate(tables):
        if _is_other_table(rows):
            if started:
                break
            continue
        if not started:
            if has_header:
                started = any(is_header(row) for row in rows[:3])
            else:
                started = _looks_like_plan(rows)
            if not started:
                continue
        elif not (_looks_like_plan(rows) or any(is_header(row) for row in rows[:3])):
            break  # a table after Table 1: a signature block, notes
        used.add(table)
        for number, row in enumerate(rows):
            position += 1
            if not (is_header(row) or is_numbers_row(row)):
                lines.append((position, row, (table, number)))
    return lines, used
