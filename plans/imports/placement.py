"""Where each line of a school's Table 1 goes in the year's template: the preview of
a Word import. No writes; two queries (the year's items and levels).

A line is either a line of the template's own structure (a section I–V, a heading
such as 3.1 or 3.4.12.2, a fixed activity 4.1–5.1) or a school's row. Structure is
recognised by its title (the template's words; case, «ё», punctuation, the school
year in it and a dropped parenthesis do not matter), or by its number where only
structure can stand (3.2 under section III, 4.1 under section IV). Among the three
«УРОЧНАЯ ДЕЯТЕЛЬНОСТЬ» headings the one of the level block being read wins.

A school's row goes under the item its number continues: «3.4.12.1.2» under the
heading the file numbered «3.4.12.1» (the school's own numbers count, so a block
that moved along because of added rows is still found), failing that under the
template item with that number; a row without a number goes under the heading read
last. A numbered empty row is kept as an empty row (the template's blank rows are
such rows); an unnumbered empty row is a layout leftover and skipped. Every line
that cannot be placed is reported with the reason, its text and its place in the file.

Nothing typed is dropped without a word: a line of the template's structure carries
only its number and title, so text in its other columns, or a title other than the
template's, is listed as not taken (`Placement.untaken`, with the cell's place: table,
row, column), as is the text the reading left aside (tables that are not Table 1,
cells right of the seventh column). Text in the row of a heading the template prints
without a title (3.2 in the regional template: schools write their own there) becomes
the school's first row under that heading: it stays the school's own text, printed
and editable as any row, where a title of the heading for one plan would need a new
field in the plan and in every format.
"""

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date

from ..models import ItemKind, Level, SchoolYear, TemplateItem
from .docx import SourceLine, Unread
from .values import clean_cell, parse_load, parse_period, split_links

ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}
# Grades a level block is given when the file shows the block but no row names its
# grades: as the regional template pairs them (basic 6–7, main 8–9, advanced 10–11).
DEFAULT_GRADES = {"basic": (6, 7), "main": (8, 9), "advanced": (10, 11)}

_NUMBER = re.compile(
    r"^\s*(?P<number>[IVXІ]+\.?|\d+(?:\s*\.\s*\d+)*\.?)(?=\s|$|[А-ЯЁа-яёA-Za-z«\"(])\s*"
)
_YEARS = re.compile(r"\d{4}\s*[-–—/]\s*\d{4}")
_PARENTHESIS = re.compile(r"\([^()]*\)")
_WORDS = re.compile(r"[^0-9a-zа-я]+")

FIELDS = ("activity", "period", "responsible", "documents", "links", "results")


@dataclass
class PlacedRow:
    """A row the import will create: under `parent_id` after the template sibling
    `anchor_id` (None: before the first), or the filling of fixed activity `fixed_id`."""

    line: int
    parent_id: int
    anchor_id: int | None
    fixed_id: int | None = None
    activity: str = ""
    period: str = ""
    start_date: str | None = None  # ISO dates: the preview is kept as JSON
    end_date: str | None = None
    responsible: str = ""
    documents: str = ""
    links: str = ""
    results: str = ""
    hours: str | None = None
    grades: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def values(self) -> dict:
        """The row's fields as PlanRow takes them."""
        from decimal import Decimal

        return {
            **{name: getattr(self, name) for name in FIELDS},
            "start_date": date.fromisoformat(self.start_date) if self.start_date else None,
            "end_date": date.fromisoformat(self.end_date) if self.end_date else None,
            "hours": Decimal(self.hours) if self.hours is not None else None,
            "grades": tuple(self.grades),
        }


@dataclass
class Problem:
    """A line that was not understood: the reason in plain Russian and the line as written."""

    line: int
    reason: str
    original: str
    place: str = ""  # «Таблица 1, строка 14»


@dataclass
class Placement:
    year_id: int
    rows: list[PlacedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    levels: dict[int, int] = field(default_factory=dict)  # grade → level id
    blank_lines: int = 0
    untaken: list[Unread] = field(default_factory=list)  # text not taken, cell by cell
    untaken_total: int = 0  # how many cells and tables: the list stops at MAX_UNTAKEN

    def to_json(self) -> dict:
        data = asdict(self)
        data["levels"] = {str(grade): level for grade, level in self.levels.items()}
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Placement":
        return cls(
            year_id=data["year_id"],
            rows=[PlacedRow(**row) for row in data["rows"]],
            problems=[Problem(**problem) for problem in data["problems"]],
            levels={int(grade): level for grade, level in data["levels"].items()},
            blank_lines=data.get("blank_lines", 0),
            untaken=[Unread(**entry) for entry in data.get("untaken", [])],
            untaken_total=data.get("untaken_total", len(data.get("untaken", []))),
        )


def title_key(text: str) -> str:
    """A title for comparison: no school year, no case, no punctuation, «е» for «ё»."""
    text = _YEARS.sub(" ", text.lower().replace("ё", "е"))
    return _WORDS.sub(" ", text).strip()


def code_key(code: str) -> tuple[int, ...] | None:
    parts = [part for part in re.sub(r"\s+", "", code).split(".") if part]
    if not parts or not all(part.isdigit() for part in parts):
        return None
    return tuple(int(part) for part in parts)


def split_number(text: str) -> tuple[str, str]:
    """«3.4.14 Реализация …» → («3.4.14», «Реализация …»); no number → ("", text)."""
    match = _NUMBER.match(text)
    if not match:
        return "", text
    return match["number"].strip(), text[match.end() :].strip()


class _Template:
    """The year's template, indexed for placing lines."""

    def __init__(self, year: SchoolYear):
        self.items = {
            item.pk: item
            for item in TemplateItem.objects.filter(year=year).exclude(kind=ItemKind.ROW)
        }
        self.order = {}  # item id → place in document order
        children = defaultdict(list)
        for item in self.items.values():
            children[item.parent_id].append(item)
        for siblings in children.values():
            siblings.sort(key=lambda item: item.order)

        def walk(parent_id):
            for item in children.get(parent_id, ()):
                self.order[item.pk] = len(self.order)
                walk(item.pk)

        walk(None)
        self.by_code = {code_key(i.code): i for i in self.items.values() if code_key(i.code)}
        self.sections = {
            position: item
            for position, item in enumerate(
                sorted(children[None], key=lambda item: item.order), start=1
            )
        }
        # Headings of other years' templates: a line with one of them is an item this
        # year's template no longer has, not a school's row.
        self.other_titles = {
            title_key(title)
            for title in TemplateItem.objects.exclude(year=year)
            .exclude(kind=ItemKind.ROW)
            .exclude(title="")
            .values_list("title", flat=True)
        } - set(self.by_title_keys())
        # Section I continues as «1.1.», section III as «3.1.».
        self.by_code.update({(position,): item for position, item in self.sections.items()})
        self.by_title = defaultdict(list)
        for item in self.items.values():
            if item.title.strip():
                self.by_title[title_key(item.title)].append(item)
                short = title_key(_PARENTHESIS.sub(" ", item.title))
                if short and short != title_key(item.title):
                    self.by_title[short].append(item)

    def by_title_keys(self):
        return (title_key(item.title) for item in self.items.values() if item.title.strip())

    def chain(self, item: TemplateItem) -> list[TemplateItem]:
        chain = [item]
        while chain[0].parent_id is not None:
            chain.insert(0, self.items[chain[0].parent_id])
        return chain

    def in_level_block(self, item: TemplateItem) -> TemplateItem | None:
        for ancestor in self.chain(item):
            if ancestor.level_id:
                return ancestor
        return None

    def titled(self, title: str) -> list[TemplateItem]:
        key = title_key(title)
        if not key:
            return []
        found = list(self.by_title.get(key, ()))
        if not found:
            found = self.by_title.get(title_key(_PARENTHESIS.sub(" ", title)), [])
        return found


def place_lines(lines: list[SourceLine], year: SchoolYear) -> Placement:
    template = _Template(year)
    result = Placement(year_id=year.pk)
    stack: list[tuple[TemplateItem, tuple | None]] = []  # open items, with the file's numbers
    last_child: dict[int, TemplateItem] = {}  # parent id → last structure child read
    fixed_seen: set[int] = set()
    used_blocks: set[int] = set()  # level ids of the blocks the file shows
    vanished = ""  # the heading read last, if this year's template no longer has it

    def enter(item: TemplateItem, number: tuple | None) -> None:
        nonlocal vanished
        vanished = ""
        numbers = {entry.pk: n for entry, n in stack}
        chain = template.chain(item)
        stack[:] = [(entry, numbers.get(entry.pk)) for entry in chain[:-1]] + [(item, number)]
        if item.parent_id is not None:
            last_child[item.parent_id] = item
        block = template.in_level_block(item)
        if block is not None:
            used_blocks.add(block.level_id)

    def problem(line: SourceLine, reason: str) -> None:
        result.problems.append(Problem(line.index, reason, line.original, line.place()))

    def not_taken(line: SourceLine, columns, texts, reason: str) -> None:
        for column in columns:
            text = texts[column]
            if text and column not in line.merged:
                result.untaken.append(
                    Unread(
                        line.place(column),
                        text,
                        reason,
                        [line.table, line.row, column + 1],
                    )
                )

    for line in lines:
        cells = [clean_cell(cell) for cell in line.cells]
        number_text, rest = split_number(cells[0])
        rest_column = 0
        if not cells[0] and cells[1]:
            # The number typed into the merged cell of a heading: «3.4.14 Реализация …».
            inner, inner_rest = split_number(cells[1])
            if _is_table_number(inner):
                number_text, rest, cells[1] = inner, inner_rest, ""
                rest_column = 1
        # «3.4.9. –» in one cell: the dash after the number is as empty as a lone one.
        rest = clean_cell(rest)
        # The texts of the line by column, as the report quotes them (the number apart).
        typed = [rest if c == rest_column else cells[c] for c in range(len(cells))]
        if rest_column == 1:
            typed[0] = ""
        title = "\n".join(text for text in (rest, cells[1]) if text)
        roman = ROMAN.get(number_text.rstrip(".").replace("І", "I")) if number_text else None
        number = code_key(number_text) if number_text and roman is None else None
        if number is not None and len(number) == 1:
            number = None  # «1», «2»: the school's own counting, not Table 1's numbers
        if not any(cells) and not number_text:
            result.blank_lines += 1
            continue

        titles = [text for text in (rest, cells[1], title) if text]
        item = _structure(template, stack, roman, number, titles, cells)
        if item is not None:
            shown = f"{item.code} «{_short(item.title)}»" if item.title.strip() else item.code
            if item.title.strip() and title and not _titled(template, item, [title]):
                # Each cell whose text is not the item's title (the title may also be
                # split over the number's cell and the next one: then nothing is lost).
                not_taken(
                    line,
                    [c for c in (0, 1) if not _titled(template, item, [typed[c]])],
                    typed,
                    f"Название пункта {shown} задаёт примерный план: другое название в "
                    "файле не переносится.",
                )
            if item.kind == ItemKind.FIXED:
                if item.pk in fixed_seen:
                    problem(
                        line,
                        f"Мероприятие {item.code} «{_short(item.title)}» уже встретилось выше.",
                    )
                    continue
                fixed_seen.add(item.pk)
                enter(item, number)
                row = PlacedRow(
                    line=line.index, parent_id=item.parent_id, anchor_id=None, fixed_id=item.pk
                )
                _fill(row, cells, year, in_block=False)
                row.activity = ""
                if any(getattr(row, name) for name in FIELDS[1:]) or row.start_date or row.end_date:
                    result.rows.append(row)
                continue
            if item.parent_id is None:
                number = (next(p for p, s in template.sections.items() if s.pk == item.pk),)
            enter(item, number)
            if not item.title.strip() and (title or any(cells[2:])) and item.accepts_rows:
                # The school's own title of a heading the template leaves untitled (3.2).
                row = PlacedRow(line=line.index, parent_id=item.pk, anchor_id=None)
                in_block = template.in_level_block(item) is not None
                _fill(row, [cells[0], title, *cells[2:]], year, in_block=in_block)
                row.notes.append(
                    f"Текст строки пункта {item.code} (в примерном плане у пункта нет "
                    "названия) перенесён первой строкой школы под этим пунктом."
                )
                result.rows.append(row)
                continue
            not_taken(
                line,
                range(0 if not item.title.strip() else 2, len(typed)),
                typed,
                f"Строка пункта {shown} – заголовок примерного плана, в плане у него только "
                "номер и название: текст этого столбца не переносится. Перенесите его в "
                "строку под заголовком.",
            )
            continue
        if roman is not None:
            problem(line, f"Раздела {number_text.rstrip('.')}. нет в примерном плане {year.title}.")
            continue
        if not any(cells[2:]) and any(title_key(t) in template.other_titles for t in titles):
            shown = f"{number_text} «{_short(title)}»" if number_text else f"«{_short(title)}»"
            problem(
                line,
                f"Пункта {shown} нет в примерном плане {year.title}: строки под ним тоже "
                "не будут перенесены.",
            )
            vanished = shown
            continue

        empty = not any(cells[2:]) and not title
        if vanished and number is None:
            if not empty:
                problem(
                    line,
                    f"Строка стоит под пунктом {vanished}, которого нет в примерном плане {year.title}.",
                )
            continue
        parent, reason = _parent(template, stack, number, number_text)
        if parent is None:
            if not empty:
                problem(line, reason)
            elif number is None:
                result.blank_lines += 1
            continue
        if not parent.accepts_rows:
            if not empty:
                problem(line, _no_rows_reason(parent, year))
            continue
        if number is None and empty:
            result.blank_lines += 1  # an unnumbered empty row: a layout leftover
            continue
        if stack[-1][0].pk != parent.pk:
            enter(parent, number[:-1] if number else None)
        anchor = last_child.get(parent.pk)
        row = PlacedRow(
            line=line.index, parent_id=parent.pk, anchor_id=anchor.pk if anchor else None
        )
        _fill(
            row,
            [cells[0], title, *cells[2:]],
            year,
            in_block=template.in_level_block(parent) is not None,
        )
        result.rows.append(row)

    result.levels = _grade_levels(template, result.rows, used_blocks, year)
    untaken = list(getattr(lines, "unread", ())) + result.untaken
    result.untaken_total = len(untaken)
    result.untaken = shown_untaken(
        sorted(untaken, key=lambda entry: entry.at),
        lambda count: Unread("", "", f"И ещё ячеек с текстом, который не переносится: {count}."),
    )
    return result


MAX_UNTAKEN = 300  # listed one by one; a file with more is summed up after them


def shown_untaken(entries: list, rest) -> list:
    """At most MAX_UNTAKEN entries, then `rest(count)` for the others: the list is kept
    in the session and shown on a page, whatever a file holds."""
    if len(entries) <= MAX_UNTAKEN:
        return entries
    return entries[:MAX_UNTAKEN] + [rest(len(entries) - MAX_UNTAKEN)]


def _titled(template, item: TemplateItem, titles) -> bool:
    """Whether one of the line's titles is `item`'s (in the template's words or close)."""
    return any(item in template.titled(title) for title in titles)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_table_number(text: str) -> bool:
    key = text.rstrip(".").replace("І", "I")
    return key in ROMAN or len(code_key(text) or ()) > 1


def _structure(template, stack, roman, number, titles, cells) -> TemplateItem | None:
    """The template's own line this is, if it is one."""
    if roman is not None:
        return template.sections.get(roman)
    candidates = []
    for title in titles:
        candidates = template.titled(title)
        if candidates:
            break
    if number is not None:
        candidates = [c for c in candidates if len(code_key(c.code) or ()) == len(number)]
    if candidates:
        return _closest(template, stack, candidates, number)
    if number is None:
        return None
    item = template.by_code.get(number)
    if item is None:
        return None
    parent = template.items.get(item.parent_id)
    # By its number alone only where a school's row cannot stand, or where the line
    # is empty but for it (a heading whose words the school removed).
    if (
        item.kind == ItemKind.FIXED
        or not item.title.strip()
        or (parent is not None and not parent.accepts_rows)
        or not any(cells[1:])
    ):
        return item
    return None


def _closest(template, stack, candidates, number) -> TemplateItem:
    open_ids = [entry.pk for entry, _ in stack]
    for open_id in reversed(open_ids):
        for candidate in candidates:
            if candidate.parent_id == open_id:
                return candidate
    for candidate in candidates:
        if number is not None and code_key(candidate.code) == number:
            return candidate
    here = template.order.get(stack[-1][0].pk, -1) if stack else -1
    later = [c for c in candidates if template.order[c.pk] > here]
    return min(later or candidates, key=lambda c: template.order[c.pk])


def _parent(template, stack, number, number_text) -> tuple[TemplateItem | None, str]:
    if number is None:
        if not stack:
            return (
                None,
                "Строка стоит до первого раздела Таблицы 1 и без номера: непонятно, к какому пункту она относится.",
            )
        top = stack[-1][0]
        if top.kind == ItemKind.FIXED:
            top = template.items[top.parent_id]
        return top, ""
    prefix = number[:-1]
    for entry, file_number in reversed(stack):
        if file_number == prefix:
            return entry, ""
    item = template.by_code.get(prefix)
    if item is not None:
        return item, ""
    shown = ".".join(str(part) for part in prefix) + "."
    return None, (
        f"Номер {number_text.rstrip('.')}. не продолжает ни один пункт Таблицы 1: пункта {shown} "
        "нет ни в файле, ни в примерном плане."
    )


def _no_rows_reason(parent: TemplateItem, year) -> str:
    name = f"{parent.code} «{_short(parent.title)}»" if parent.title else parent.code
    if parent.level_id:
        return (
            f"Строка стоит прямо в блоке уровня {name}, а не под одним из его направлений "
            "(урочная, внеурочная деятельность и т. д.): непонятно, к какому направлению она относится."
        )
    if parent.kind == ItemKind.SECTION and parent.parent_id is None and not parent.accepts_rows:
        return (
            f"В разделе {name} примерного плана {year.title} школа не добавляет своих строк: "
            "в нём только заданные пункты."
        )
    return f"Под пунктом {name} примерного плана {year.title} школа не добавляет строк."


def _fill(row: PlacedRow, cells: list[str], year, *, in_block: bool) -> None:
    activity = cells[1]
    if in_block and activity:
        load = parse_load(activity)
        row.activity = load.activity
        row.hours = None if load.hours is None else str(load.hours)
        row.grades = list(load.grades)
        row.notes += load.notes
    else:
        row.activity = activity
    period = parse_period(cells[2], year)
    row.period = period.text
    row.start_date = period.start.isoformat() if period.start else None
    row.end_date = period.end.isoformat() if period.end else None
    row.notes += period.notes
    row.responsible = cells[3]
    row.documents = cells[4]
    links, other = split_links(cells[5])
    row.links = links
    if other:
        row.documents = f"{row.documents}\n{other}".strip()
        row.notes.append(
            "Текст из столбца «Ссылки на документ» перенесён в «Документы …»: в столбце ссылок "
            "остаются только адреса http:// и https://."
        )
    row.results = cells[6]


def _grade_levels(template, rows, used_blocks: set[int], year) -> dict[int, int]:
    """Which level each grade runs in, from the level blocks the file shows: the grades
    its rows name, else the template's usual pairing (basic 6–7, main 8–9, advanced 10–11)."""
    levels = list(Level.objects.filter(year=year).order_by("order"))
    named: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        block = template.in_level_block(template.items[row.parent_id])
        if block is not None:
            used_blocks.add(block.level_id)
            named[block.level_id].update(row.grades)
    assigned: dict[int, int] = {}
    for level in levels:
        if level.pk in used_blocks:
            for grade in sorted(named[level.pk]):
                assigned.setdefault(grade, level.pk)
    for level in levels:
        if level.pk in used_blocks and level.pk not in assigned.values():
            for grade in DEFAULT_GRADES.get(level.code, ()):
                assigned.setdefault(grade, level.pk)
    return assigned


def docx_placement(data: bytes, filename: str, year: SchoolYear) -> Placement:
    """A Word file read and placed against `year`'s template. UploadRefused when the
    file is refused."""
    from .docx import read_docx

    return place_lines(read_docx(data, filename), year)
