"""Table 1 as printed rows: the one source that every format draws from.

`table_rows(plan)` turns a plan fetched with `Plan.objects.for_editor()` into
`TableRow`s in document order with their numbers. It runs no queries of its own:
everything it reads is in the bundle. The editor screen, the review page, the PDF,
the plan's workbook and the consolidated workbook all print these rows, and the
words around them (column titles, the headings of the appendices) are defined
here once, so no format can word or format a row differently from another.
"""

from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist

from plans.fields import format_grades, format_hours
from plans.models import Plan, PlanRow, TemplateItem, split_links
from plans.numbering import Line, plan_lines

# The seed's own header words (Таблица 1), exactly.
COLUMN_TITLES = (
    "№ п/п",
    "Направления деятельности/ мероприятия",
    "Сроки",
    "Ответственные, исполнители",
    "Документы для ознакомления и учёта при планировании",
    "Ссылки на документ",
    "Результаты деятельности",
)

# The columns the workbooks add after Table 1: hours as numbers, and the grades.
LOAD_TITLES = ("Часов", "Классы")
# What the plan carries beside Table 1 (plan_appendices), headed the same on every
# screen and in every document.
SECTION_II_TITLE = "К разделу II. Показатели оценки системы работы и их целевые значения"
SECTION_V_TITLE = "К разделу V. Самоанализ профориентационной деятельности"
INDICATOR_TITLES = ("№", "Показатель", "Ед. изм.", "Исходное значение", "Целевое значение")
# The plan's own preamble, before «Таблица 1» (plan_note).
NOTE_TITLE = "Пояснительная записка"

# For templates, through {% document_titles as titles %} (plans/templatetags/plan_table.py).
# Shares of the table's width per column, as the Word document lays them out on an A4
# landscape page; "№ п/п" is wide enough for «3.4.14.7.12.». The editor's table and
# the DOCX use them (the PDF's colgroup, templates/plans/pdf/plan.html, is close).
COLUMN_SHARES = (8, 23, 11, 13, 16, 13, 16)

DOCUMENT_TITLES = {
    "columns": COLUMN_TITLES,
    "section_ii": SECTION_II_TITLE,
    "section_v": SECTION_V_TITLE,
    "indicators": INDICATOR_TITLES,
    "note": NOTE_TITLE,
}

SPANNING_KINDS = frozenset({"section", "heading"})


def format_period(period: str, start: date | None, end: date | None) -> str:
    """The school's words, then the dates if it gave them: «сентябрь (01.09.2023–30.09.2023)»."""
    if start and end:
        dates = f"{start:%d.%m.%Y}–{end:%d.%m.%Y}"
    elif start:
        dates = f"с {start:%d.%m.%Y}"
    elif end:
        dates = f"до {end:%d.%m.%Y}"
    else:
        return period.strip()
    period = period.strip()
    return f"{period} ({dates})" if period else dates


def format_hours_with_unit(hours: Decimal | None) -> str:
    """«12,5 ч»; empty when the row gives no hours."""
    return "" if hours is None else f"{format_hours(hours)} ч"


def format_load(hours: Decimal | None, grades) -> str:
    """«34 ч; 6, 7 кл.»: hours and grades of an activity, as every format prints them."""
    return "; ".join(
        text for text in (format_hours_with_unit(hours), format_grades(grades or ())) if text
    )


# Not frozen: a frozen dataclass takes five times as long to build, and the editor
# builds one per line of a 300-row plan on every rendering (`make bench`).
@dataclass(slots=True)
class TableRow:
    """One printed line of Table 1, its texts formatted for print: every format and
    the editor screen take them as they are, none formats a row itself.

    Section and heading lines carry only their number and title (`activity`); the
    other five texts are empty. `period` is the school's words with the dates
    (`format_period`), `links` one link a line; `hours` and `grades` are the school's
    figures for an activity of a level block (none elsewhere), printed as `load_text`.
    """

    number: str
    kind: str
    depth: int
    activity: str
    period: str
    responsible: str
    documents: str
    links: str
    results: str
    hours: Decimal | None
    grades: tuple[int, ...]
    item_id: int
    item_code: str
    row_id: int | None

    def to_json(self) -> dict:
        """The row as JSON-safe data (a submission keeps its rows so)."""
        data = {field.name: getattr(self, field.name) for field in fields(self)}
        data["hours"] = None if self.hours is None else str(self.hours)
        data["grades"] = list(self.grades)
        return data

    @classmethod
    def from_json(cls, data: dict) -> "TableRow":
        known = {field.name for field in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        values["hours"] = None if values.get("hours") is None else Decimal(values["hours"])
        values["grades"] = tuple(values.get("grades") or ())
        return cls(**values)

    @property
    def spans(self) -> bool:
        return self.kind in SPANNING_KINDS

    @property
    def grades_text(self) -> str:
        """«6, 7 кл.»"""
        return format_grades(self.grades)

    @property
    def hours_text(self) -> str:
        """«12,5 ч»"""
        return format_hours_with_unit(self.hours)

    @property
    def load_text(self) -> str:
        """«34 ч; 6, 7 кл.»: how every format prints hours and grades under the activity."""
        return format_load(self.hours, self.grades)

    @property
    def activity_with_load(self) -> str:
        """The activity cell as one text: the activity, then its hours and grades on a
        line of their own (the PDF and the screen set that line apart in italics)."""
        load = self.load_text
        return f"{self.activity}\n{load}" if load else self.activity

    @property
    def link_list(self) -> list[str]:
        """The links one by one (`links` holds them a line each)."""
        return self.links.split("\n") if self.links else []

    @property
    def columns(self) -> tuple[str, str, str, str, str, str, str]:
        return (
            self.number,
            self.activity,
            self.period,
            self.responsible,
            self.documents,
            self.links,
            self.results,
        )


def table_rows(plan: Plan, lines: list[Line] | None = None) -> Iterator[TableRow]:
    """Every line of the plan in order. Pass `lines` when the caller already numbered
    them (the profминимум check wants the same list)."""
    if lines is None:
        lines = plan_lines(plan)
    for line in lines:
        item: TemplateItem = line.item
        row: PlanRow | None = line.row
        if line.kind in SPANNING_KINDS or row is None:
            yield TableRow(
                number=line.number,
                kind=line.kind,
                depth=line.depth,
                # A school's row not written yet prints blank: the template's own text
                # for it (the seed's «–» at 3.4.9) is the regional document's, not the plan's.
                activity="" if line.kind == "row" else item.title,
                period="",
                responsible="",
                documents="",
                links="",
                results="",
                hours=None,
                grades=(),
                item_id=item.pk,
                item_code=item.code,
                row_id=row.pk if row is not None else None,
            )
            continue
        yield TableRow(
            number=line.number,
            kind=line.kind,
            depth=line.depth,
            # A fixed activity: the template gives the title, the school the rest.
            activity=row.activity if line.kind == "row" else item.title,
            period=format_period(row.period, row.start_date, row.end_date),
            responsible=row.responsible,
            documents=row.documents,
            links="\n".join(split_links(row.links)),
            results=row.results,
            hours=row.hours,
            grades=tuple(row.grades or ()),
            item_id=item.pk,
            item_code=item.code,
            row_id=row.pk,
        )


def plan_note(plan: Plan) -> list[str]:
    """The plan's пояснительная записка as printed before Table 1, under NOTE_TITLE:
    its paragraphs (a line each in the school's text), blank lines dropped. Empty:
    nothing is printed, not even the title. The editor, the review page and every
    document print these; no queries."""
    return [" ".join(line.split()) for line in plan.explanatory_note.splitlines() if line.strip()]


@dataclass(frozen=True)
class Appendices:
    """What the plan carries beside Table 1, for both formats: section II's indicators
    with their baselines and targets, and section V's self-analysis."""

    indicators: list[tuple[str, str, str, str, str]]  # number, name, unit, baseline, target
    analysis: list[tuple[str, str]]  # heading, text

    def __bool__(self) -> bool:
        return bool(self.indicators or self.analysis)


def _value(value) -> str:
    return (
        "" if value is None else format_hours(value) if isinstance(value, Decimal) else str(value)
    )


# Sections II and V belong to the plan document, so their rows are made here; their
# data (monitoring's PlanIndicator and SelfAnalysis) is reached through the plan's
# reverse relations, and plans never imports monitoring, which depends on plans.


def self_analysis_rows(plan):
    """Section V of a plan for the exports: (heading, text) pairs, empty ones left out,
    then the indicators and campaigns the analysis rests on. No queries for a plan
    fetched with `Plan.objects.for_editor()`."""
    try:
        analysis = plan.self_analysis
    except ObjectDoesNotExist:
        return
    for field in ("results", "problems", "effectiveness", "next_steps"):
        text = getattr(analysis, field)
        if text:
            yield (analysis._meta.get_field(field).verbose_name.capitalize(), text)
    indicators = [indicator.name for indicator in analysis.indicators.all()]
    if indicators:
        yield ("Показатели", "\n".join(indicators))
    campaigns = [campaign.name for campaign in analysis.campaigns.all()]
    if campaigns:
        yield ("Кампании мониторинга", "\n".join(campaigns))


def plan_indicator_rows(plan):
    """Section II of a plan for the editor and both exports: one tuple per indicator,
    (number, indicator name, unit, baseline, target). Decimals are left as they are; the
    exports format them. No queries for a plan fetched with `Plan.objects.for_editor()`."""
    for number, row in enumerate(plan.indicators.all(), start=1):
        yield (
            f"2.{number}.",
            row.indicator.name,
            row.indicator.get_unit_display(),
            row.baseline,
            row.target,
        )


def plan_appendices(plan: Plan) -> Appendices:
    """Sections II and V: at most four queries, whatever the rows."""
    return Appendices(
        indicators=[
            (number, name, unit, _value(baseline), _value(target))
            for number, name, unit, baseline, target in plan_indicator_rows(plan)
        ],
        analysis=list(self_analysis_rows(plan)),
    )


# --- the approval block above the title (PDF and Word alike) ----------------------


def signature_name(full_name: str) -> str:
    """«Петрова Анна Ивановна» → «А.И. Петрова», as a signature line prints it
    (ГОСТ Р 7.0.97-2016). A name already given with initials keeps them."""
    surname, *given = full_name.split() or [""]
    initials = "".join(part if part.endswith(".") else f"{part[0]}." for part in given)
    return f"{initials} {surname}" if initials else surname


_MONTHS = (
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"
).split()


def approval_date_line(approved_on) -> str:
    """«"05" октября 2023 г.» once approved; the blank to fill by hand before."""
    if approved_on is None:
        return "«___» ____________ 20__ г."
    return f"«{approved_on:%d}» {_MONTHS[approved_on.month - 1]} {approved_on:%Y} г."
