"""Table 1 as printed rows: the one source that the PDF, Excel and screen draw from.

`table_rows(plan)` turns a plan fetched with `Plan.objects.for_editor()` into
`TableRow`s in document order with their numbers. It runs no queries of its own:
everything it reads is in the bundle.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..fields import format_grades, format_hours
from ..models import Plan, PlanRow, TemplateItem, split_links
from ..numbering import Line, plan_lines

COLUMN_TITLES = (
    "№ п/п",
    "Направления деятельности/ мероприятия",
    "Сроки",
    "Ответственные, исполнители",
    "Документы для ознакомления и учёта при планировании",
    "Ссылки на документ",
    "Результаты деятельности",
)

SPANNING_KINDS = frozenset({"section", "heading"})


@dataclass(frozen=True, slots=True)
class TableRow:
    """One printed line of Table 1.

    Section and heading lines carry only their number and title (`activity`); the
    other five texts are empty. `hours` and `grades` are the school's figures for
    an activity of a level block (none elsewhere).
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

    @property
    def spans(self) -> bool:
        return self.kind in SPANNING_KINDS

    @property
    def grades_text(self) -> str:
        return format_grades(self.grades)

    @property
    def load_text(self) -> str:
        """«34 ч; 6, 7 кл.»: how the PDF and the screen print hours and grades."""
        parts = []
        if self.hours is not None:
            parts.append(f"{format_hours(self.hours)} ч")
        if self.grades:
            parts.append(self.grades_text)
        return "; ".join(parts)

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


def _filled(line: Line, row: PlanRow | None, title: str) -> dict:
    if row is None:
        return dict.fromkeys(("period", "responsible", "documents", "links", "results"), "") | {
            "activity": title,
            "hours": None,
            "grades": (),
        }
    return {
        "activity": title,
        "period": format_period(row.period, row.start_date, row.end_date),
        "responsible": row.responsible,
        "documents": row.documents,
        "links": "\n".join(split_links(row.links)),
        "results": row.results,
        "hours": row.hours,
        "grades": tuple(row.grades or ()),
    }


def table_rows(plan: Plan, lines: list[Line] | None = None) -> Iterator[TableRow]:
    """Every line of the plan in order. Pass `lines` when the caller already numbered
    them (the profминимум check wants the same list)."""
    if lines is None:
        lines = plan_lines(plan)
    for line in lines:
        item: TemplateItem = line.item
        if line.kind in SPANNING_KINDS:
            fields = _filled(line, None, item.title)
        elif line.kind == "row":
            fields = _filled(line, line.row, line.row.activity)
        else:  # a fixed activity: the template gives the title, the school the rest
            fields = _filled(line, line.row, item.title)
        yield TableRow(
            number=line.number,
            kind=line.kind,
            depth=line.depth,
            item_id=item.pk,
            item_code=item.code,
            row_id=line.row.pk if line.row is not None else None,
            **fields,
        )


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


def plan_appendices(plan: Plan) -> Appendices:
    """Sections II and V from the monitoring app: at most four queries, whatever the rows."""
    from monitoring.querysets import plan_indicator_rows, self_analysis_rows

    return Appendices(
        indicators=[
            (number, name, unit, _value(baseline), _value(target))
            for number, name, unit, baseline, target in plan_indicator_rows(plan)
        ],
        analysis=list(self_analysis_rows(plan)),
    )
