"""The plan's own Excel export, edited offline and uploaded back: what changed.

The workbook carries (plans/documents/formats/xlsx.py, `write_round_trip_keys`) each line's
key in a hidden column and, on a very hidden sheet, the plan, its version and each
line's texts as exported. Three texts of a line are compared: as exported (base),
as in the file (the school's offline edits), as in the plan now (edits made on the
site since). A line changed only in the file is a change; changed on both sides
differently, a conflict, shown and never applied; a school row missing from the
file is removed unless the plan changed it since (a conflict again). A line without
a key is added where it stands: under the heading above it, or after the row above
it. Headings and the fixed titles are the template's: edits of them are not taken.

Nothing typed is dropped without a word: every cell with text that the comparison
does not take is listed (`XlsxChanges.untaken`, with its place: sheet, row, column):
edits of a heading line, text beside the table (column J, right of the hidden keys),
hours or grades of a fixed activity, a line of only a number or hours, and text around
the table (titles, note, sections II and V) other than what the export writes there:
those are edited on the site.

A formula cell is read as its formula's text; numbers and dates as people write them.
"""

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.signing import BadSignature, Signer
from openpyxl.utils import get_column_letter

from plans.documents.formats.cells import clean_text
from plans.documents.formats.rows import (
    COLUMN_TITLES,
    INDICATOR_TITLES,
    LOAD_TITLES,
    NOTE_TITLE,
    SECTION_II_TITLE,
    SECTION_V_TITLE,
    plan_appendices,
    plan_note,
    table_rows,
)
from plans.documents.formats.xlsx import (
    KEY_COLUMN,
    KEY_FORMAT,
    KEY_SALT,
    KEY_SHEET,
    exported_texts,
    line_key,
)
from profplan import uploads
from profplan.office_files import check_no_macros

from ..fields import format_hours
from ..models import Plan, PlanStatus
from .placement import shown_untaken, split_number, title_key
from .values import clean_cell, parse_grades, parse_hours, parse_load, parse_period, split_links

MAX_ROWS = 5000
MAX_COLUMNS = 30  # read for text beside the table (A–I, the key in K); a plan has 9
# Columns B–I of the sheet, by the title each has there.
TEXT_TITLES = (*COLUMN_TITLES[1:], *LOAD_TITLES)
_KEY_INDEX = ord(KEY_COLUMN) - ord("A")


def _text(value) -> str:
    """A cell as text: a formula as its formula, a number or a date as people write them."""
    if value is None:
        return ""
    if isinstance(value, str):
        return clean_text(value).replace("\r\n", "\n").strip()
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, datetime | date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, int | float | Decimal):
        try:
            return format_hours(Decimal(str(value)))
        except InvalidOperation:
            return str(value)
    return clean_text(str(getattr(value, "text", value))).strip()  # ArrayFormula and the like


def _texts(values) -> tuple[str, ...]:
    """Columns B–I as compared: texts, hours as «4,5»."""
    values = list(values) + [None] * (8 - len(values))
    return tuple(_text(value) for value in values[:8])


@dataclass
class Change:
    """One line of the preview: what happens to a row, and what it says before and after."""

    kind: str  # "added", "changed", "removed", "conflict"
    line: int | None  # the sheet's row number
    row_id: int | None = None
    number: str = ""  # the row's number in the plan now
    parent_id: int | None = None  # added rows: where they go
    anchor_id: int | None = None
    fields: dict = field(default_factory=dict)  # changed and added rows: the values to write
    diff: list = field(default_factory=list)  # [column title, old, new]
    reason: str = ""
    notes: list = field(default_factory=list)


@dataclass
class XlsxChanges:
    plan_id: int
    plan_version: int  # the plan's version the comparison was made against
    export_version: int
    changes: list[Change] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)  # line, reason, original
    untaken: list[dict] = field(default_factory=list)  # place, text, reason: cells not taken
    untaken_total: int = 0  # how many: the list stops at MAX_UNTAKEN
    order: list[list] = field(default_factory=list)  # ["row", id] / ["new", index], file order

    def of(self, kind: str) -> list[Change]:
        return [change for change in self.changes if change.kind == kind]

    @property
    def applicable(self) -> bool:
        return any(change.kind != "conflict" for change in self.changes)

    def to_json(self) -> dict:
        data = asdict(self)
        for change in data["changes"]:
            change["fields"] = _json_fields(change["fields"])
        return data

    @classmethod
    def from_json(cls, data: dict) -> "XlsxChanges":
        result = cls(**{**data, "changes": []})
        for change in data["changes"]:
            change = dict(change)
            change["fields"] = _python_fields(change["fields"])
            result.changes.append(Change(**change))
        return result


def _json_fields(fields: dict) -> dict:
    data = dict(fields)
    for name in ("start_date", "end_date"):
        if data.get(name):
            data[name] = data[name].isoformat()
    if data.get("hours") is not None:
        data["hours"] = str(data["hours"])
    if "grades" in data:
        data["grades"] = list(data["grades"])
    return data


def _python_fields(data: dict) -> dict:
    fields = dict(data)
    for name in ("start_date", "end_date"):
        if fields.get(name):
            fields[name] = date.fromisoformat(fields[name])
    if fields.get("hours") is not None:
        fields["hours"] = Decimal(fields["hours"])
    if "grades" in fields:
        fields["grades"] = tuple(fields["grades"])
    return fields


@dataclass
class _Sheet:
    plan_id: int
    version: int
    base: dict[str, tuple[str, ...]]
    lines: list[tuple[int, str, tuple[str, ...], str]]  # sheet row, key, texts B–I, A
    title: str = "План"  # the sheet's name, for the places of cells
    beside: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # row → J, L…
    others: list[dict] = field(default_factory=list)  # other sheets with text


def read_workbook(data: bytes, filename: str) -> _Sheet:
    """The keys, the base and the lines of an uploaded workbook; UploadRefused otherwise."""
    uploads.check_size(len(data), what="плана")
    check_no_macros(data, name=filename)
    uploads.check_suffix(filename, uploads.XLSX)
    workbook = uploads.load_xlsx(data, data_only=False)
    try:
        try:
            keys = workbook[KEY_SHEET]
        except KeyError:
            raise uploads.UploadRefused(
                "Это не выгрузка плана из Профплана: в книге нет скрытых ключей строк. "
                "Скачайте план кнопкой «Excel» на странице плана, внесите изменения в эту книгу "
                "и загрузите её."
            ) from None
        rows = keys.iter_rows(max_row=MAX_ROWS + 1, max_col=9, values_only=True)
        head = next(rows, ())
        head = list(head) + [None] * (4 - len(head))
        try:
            plan_id, version = int(head[1]), int(head[2])
            valid = (
                head[0] == KEY_FORMAT
                and Signer(salt=KEY_SALT).unsign(str(head[3])) == f"{plan_id}:{version}"
            )
        except (TypeError, ValueError, BadSignature):
            valid = False
        if not valid:
            raise uploads.UploadRefused(
                "Скрытые ключи книги повреждены: сравнить её с планом нельзя. Скачайте план "
                "заново кнопкой «Excel» и перенесите в новую книгу свои изменения."
            )
        base = {}
        for values in rows:
            if values and values[0]:
                base[str(values[0])] = _texts(values[1:9])
        sheet = next((s for s in workbook.worksheets if s.title != KEY_SHEET), None)
        if sheet is None:
            raise uploads.UploadRefused("В книге нет листа с планом.")
        lines = []
        beside: dict[int, list[tuple[int, str]]] = {}
        try:
            for number, values in enumerate(
                sheet.iter_rows(max_row=MAX_ROWS + 50, max_col=MAX_COLUMNS, values_only=True),
                start=1,
            ):
                values = list(values) + [None] * (_KEY_INDEX + 1 - len(values))
                key = _text(values[_KEY_INDEX])
                lines.append((number, key, _texts(values[1:9]), _text(values[0])))
                extra = [
                    (column, _text(value))
                    for column, value in enumerate(values[9:], start=9)
                    if value is not None and column != _KEY_INDEX and _text(value)
                ]
                if extra:
                    beside[number] = extra
            others = [
                _other_sheet(other)
                for other in workbook.worksheets
                if other.title not in (KEY_SHEET, sheet.title)
            ]
            others = [found for found in others if found]
        except Exception as error:
            raise uploads.UploadRefused(
                uploads.unreadable_xml_message(error, uploads.XLSX)
            ) from None
    finally:
        workbook.close()
    if len(lines) > MAX_ROWS:
        raise uploads.UploadRefused(
            f"В книге больше {MAX_ROWS} строк: для плана это слишком много."
        )
    return _Sheet(plan_id, version, base, lines, sheet.title, beside, others)


def _other_sheet(sheet) -> dict | None:
    """A sheet besides the plan's, if it holds text: its name, how many cells, the first."""
    texts = [
        _text(value)
        for values in sheet.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS, values_only=True)
        for value in values
        if _text(value)
    ]
    if not texts:
        return None
    shown = " | ".join(text.replace("\n", " ") for text in texts[:4])
    return {
        "title": sheet.title,
        "count": len(texts),
        "text": shown + (" | …" if len(texts) > 4 else ""),
    }


def compare(plan: Plan, sheet: _Sheet) -> XlsxChanges:
    """The file against the plan now. `plan` comes from `Plan.objects.for_editor()`."""
    if sheet.plan_id != plan.pk:
        raise uploads.UploadRefused(
            "Эта книга выгружена из другого плана. Загрузите книгу, скачанную со страницы "
            "этого плана."
        )
    result = XlsxChanges(plan_id=plan.pk, plan_version=plan.version, export_version=sheet.version)
    now = {}
    info = {}
    for row in table_rows(plan):
        key = line_key(row)
        now[key] = _texts(exported_texts(row))
        info[key] = row
    rows_by_id = {row.pk: row for row in plan.rows.all()}

    keyed = [index for index, line in enumerate(sheet.lines) if line[1]]
    if not keyed:
        raise uploads.UploadRefused("В книге не осталось ни одной строки плана с ключом.")
    first, last = keyed[0], keyed[-1]
    untaken = _Untaken(result, sheet.title)
    frame = _frame_texts(plan)
    for number, _, texts, first_cell in sheet.lines[:first] + sheet.lines[last + 1 :]:
        # Titles, the note, sections II and V: the export's own, edited on the site.
        cells = [first_cell, *texts]
        untaken.add(
            number,
            [c for c, text in enumerate(cells) if text and text not in frame],
            cells,
            "Текст вне таблицы плана (заголовок, пояснительная записка, разделы II и V) "
            "из книги не переносится: его меняют на сайте.",
        )
    for number, extra in sheet.beside.items():
        cells = dict(extra)
        untaken.add(
            number,
            list(cells),
            cells,
            "Столбец вне таблицы плана (она занимает столбцы A–I): его текст не переносится.",
        )
    for other in sheet.others:
        result.untaken.append(
            {
                "place": f"Лист «{other['title']}»",
                "text": other["text"],
                "reason": "Лист книги, кроме листа плана, не читается (ячеек с текстом: "
                f"{other['count']}).",
                "at": [0, 0],
            }
        )
    seen: set[str] = set()
    above: str | None = None  # key of the nearest keyed line above
    for number, key, texts, first_cell in sheet.lines[first : last + 1]:
        cells = [first_cell, *texts]
        if key and key not in seen and key in sheet.base:
            seen.add(key)
            above = key
            if key.startswith("r"):
                result.order.append(["row", int(key[1:])])
                _compare_row(
                    result, key, number, texts, sheet.base[key], now, info, rows_by_id, plan.year
                )
                _, words = split_number(first_cell)
                untaken.add(
                    number,
                    [0] if words else [],
                    cells,
                    "Номер строки план выводит сам: текст в столбце номера не переносится.",
                )
                row = rows_by_id.get(int(key[1:]))
                if row is not None and row.fixed_item_id and texts[6:] != sheet.base[key][6:]:
                    untaken.add(
                        number,
                        [c for c in (7, 8) if cells[c] != sheet.base[key][c - 1] and cells[c]],
                        cells,
                        "У заданного мероприятия примерного плана нет часов и классов: "
                        "они не переносятся.",
                    )
            elif key in info:
                heading = info[key]
                _, words = split_number(first_cell)
                if not heading.activity.strip() and (words or any(texts[:6])):
                    # The school's own title of a heading the template leaves untitled
                    # (3.2): its first row under the heading, as the Word import does.
                    activity = "\n".join(text for text in (words, texts[0]) if text)
                    count = len(result.changes)
                    _add_row(
                        result, number, (activity, *texts[1:]), "", key, info, rows_by_id, plan
                    )
                    if len(result.changes) > count:
                        result.changes[-1].notes.append(
                            f"Текст строки пункта {heading.number} (в примерном плане у пункта "
                            "нет названия) будет добавлен строкой школы под этим пунктом."
                        )
                    continue
                changed = [0] if title_key(words) != title_key(heading.activity) else []
                untaken.add(
                    number,
                    changed + [c for c in range(1, 9) if cells[c]],
                    cells,
                    f"Строка пункта {heading.number} – заголовок примерного плана: его "
                    "изменения из книги не переносятся.",
                )
            continue
        if not any(texts[:6]):
            # An empty line, or a copy of a heading; a number or hours alone are not a row.
            untaken.add(
                number,
                [c for c in (0, 7, 8) if cells[c]],
                cells,
                "В строке без ключа нет мероприятия: номер, часы и классы без него не переносятся.",
            )
            continue
        _add_row(result, number, texts, first_cell, above, info, rows_by_id, plan)

    for key, base in sheet.base.items():
        if key in seen or not key.startswith("r"):
            continue
        row = rows_by_id.get(int(key[1:]))
        if row is None:
            continue  # deleted on the site as well
        if row.fixed_item_id:
            result.problems.append(
                {
                    "line": None,
                    "reason": f"Строка {info[key].number} – заданное мероприятие примерного плана: "
                    "её не удаляют, её удаление в файле не перенесено.",
                    "original": info[key].activity,
                }
            )
            continue
        if now.get(key) != base:
            result.changes.append(
                Change(
                    "conflict",
                    None,
                    row_id=row.pk,
                    number=info[key].number,
                    diff=_diff(base, now[key]),
                    reason="В файле строка удалена, а в плане после выгрузки изменена.",
                )
            )
            continue
        result.changes.append(
            Change(
                "removed",
                None,
                row_id=row.pk,
                number=info[key].number,
                diff=[[TEXT_TITLES[0], base[0], ""]],
            )
        )
    result.untaken_total = len(result.untaken)
    result.untaken = shown_untaken(
        sorted(result.untaken, key=lambda entry: entry["at"]),
        lambda count: {
            "place": "",
            "text": "",
            "reason": f"И ещё ячеек с текстом, который не переносится: {count}.",
            "at": [],
        },
    )
    return result


def _diff(old: tuple, new: tuple) -> list[list[str]]:
    return [[title, a, b] for title, a, b in zip(TEXT_TITLES, old, new, strict=True) if a != b]


def _compare_row(result, key, number, texts, base, now, info, rows_by_id, year) -> None:
    if texts == base:
        return
    row = rows_by_id.get(int(key[1:]))
    ours = now.get(key)
    if row is None or ours is None:
        result.changes.append(
            Change(
                "conflict",
                number,
                row_id=int(key[1:]),
                diff=_diff(base, texts),
                reason="Строка изменена в файле, а в плане после выгрузки удалена.",
            )
        )
        return
    if ours == texts:
        return  # the same edit made on both sides
    if ours != base:
        result.changes.append(
            Change(
                "conflict",
                number,
                row_id=row.pk,
                number=info[key].number,
                diff=[
                    [t, o, n] for t, o, n in zip(TEXT_TITLES, ours, texts, strict=True) if o != n
                ],
                reason="Строка изменена и в файле, и в плане после выгрузки: оставлена как в "
                "плане. Перенесите нужное вручную.",
            )
        )
        return
    fields, notes = _fields(texts, year, fixed=bool(row.fixed_item_id))
    if row.fixed_item_id and texts[0] != base[0]:
        notes.append(
            "Название заданного мероприятия задаёт примерный план: его изменение не перенесено."
        )
    result.changes.append(
        Change(
            "changed",
            number,
            row_id=row.pk,
            number=info[key].number,
            fields=fields,
            diff=_diff(base, texts),
            notes=notes,
        )
    )


def _add_row(result, number, texts, first_cell, above, info, rows_by_id, plan) -> None:
    original = " | ".join(text.replace("\n", " ") for text in (first_cell, *texts) if text)
    if above is None:
        result.problems.append(
            {
                "line": number,
                "reason": "Строка стоит выше первой строки плана.",
                "original": original,
            }
        )
        return
    if above.startswith("r"):
        row = rows_by_id.get(int(above[1:]))
        if row is None or row.fixed_item_id:
            where = info[above].number if above in info else ""
            result.problems.append(
                {
                    "line": number,
                    "reason": f"Строку нельзя добавить после строки {where}: "
                    + (
                        "её уже нет в плане."
                        if row is None
                        else "в этом разделе только заданные мероприятия."
                    ),
                    "original": original,
                }
            )
            return
        parent_id, anchor_id = row.parent_id, row.anchor_id
    else:
        item = info.get(above)
        if item is None:
            result.problems.append(
                {
                    "line": number,
                    "reason": "Строку нельзя добавить: пункта над ней больше нет в плане.",
                    "original": original,
                }
            )
            return
        parent = next((i for i in plan.year.template_items.all() if i.pk == item.item_id), None)
        if parent is None or not parent.accepts_rows:
            result.problems.append(
                {
                    "line": number,
                    "reason": f"Под пунктом {item.number} школа не добавляет строк: поставьте "
                    "строку под подраздел или направление.",
                    "original": original,
                }
            )
            return
        parent_id, anchor_id = parent.pk, None
    fields, notes = _fields(texts, plan.year, fixed=False)
    index = len(result.changes)
    result.order.append(["new", index])
    result.changes.append(
        Change(
            "added",
            number,
            parent_id=parent_id,
            anchor_id=anchor_id,
            fields=fields,
            diff=[[t, "", v] for t, v in zip(TEXT_TITLES, texts, strict=True) if v],
            notes=notes,
        )
    )


def _fields(texts, year, *, fixed: bool) -> tuple[dict, list[str]]:
    activity, period_text, responsible, documents, links_text, results, hours, grades = texts
    notes: list[str] = []
    load = parse_load(clean_cell(activity))
    period = parse_period(period_text, year)
    notes += period.notes
    links, other = split_links(links_text)
    documents = clean_cell(documents)
    if other:
        documents = f"{documents}\n{other}".strip()
        notes.append("Текст из столбца «Ссылки на документ» перенесён в «Документы …».")
    fields = {
        "period": period.text,
        "start_date": period.start,
        "end_date": period.end,
        "responsible": clean_cell(responsible),
        "documents": documents,
        "links": links,
        "results": clean_cell(results),
    }
    if not fixed:
        value = parse_hours(hours) if hours else load.hours
        if hours and value is None:
            notes.append(f"Часы «{hours}» не перенесены: нужно число от 0 до 9999.")
        fields["activity"] = (
            load.activity if load.hours is not None or load.grades else clean_cell(activity)
        )
        fields["hours"] = value
        fields["grades"] = parse_grades(grades, notes) if grades else load.grades
        notes += load.notes
    return fields, notes


class _Untaken:
    """Collects the cells of a sheet row that the comparison does not take."""

    def __init__(self, result: XlsxChanges, title: str):
        self.result, self.title = result, title

    def add(self, number: int, columns, cells, reason: str) -> None:
        for column in columns:
            text = cells[column]
            if text:
                self.result.untaken.append(
                    {
                        "place": f"Лист «{self.title}», строка {number}, столбец "
                        f"{get_column_letter(column + 1)}",
                        "text": text,
                        "reason": reason,
                        "at": [number, column],
                    }
                )


def _frame_texts(plan: Plan) -> set[str]:
    """What the export writes around the table for `plan` now: its titles, the note,
    the column titles and numbers, sections II and V."""
    year, school = plan.year, plan.school
    texts = {year.plan_title, school.full_name, f"на {year.title} учебный год"}
    texts |= {f"ПРОЕКТ (статус плана: {label})" for _, label in PlanStatus.choices}
    texts |= {NOTE_TITLE, SECTION_II_TITLE, SECTION_V_TITLE, *plan_note(plan)}
    texts |= {*COLUMN_TITLES, *LOAD_TITLES, *INDICATOR_TITLES}
    texts |= {str(n) for n in range(1, len(COLUMN_TITLES) + 1)}
    appendices = plan_appendices(plan)
    texts |= {value for values in appendices.indicators for value in values}
    texts |= {text for pair in appendices.analysis for text in pair}
    return {_text(text) for text in texts if text is not None}


def xlsx_changes(data: bytes, filename: str, plan: Plan) -> XlsxChanges:
    """An uploaded workbook compared with `plan` (from `Plan.objects.for_editor()`)."""
    return compare(plan, read_workbook(data, filename))
