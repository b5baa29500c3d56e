"""The regional dashboard: its tables, built once, and both ways of showing them.

`dashboard_bundle()` runs a fixed number of queries whatever the number of
schools (the aggregates are computed in the database by the queryset methods of
monitoring/querysets.py); the page draws each table with a chart beside it, and
`monitoring.exports.dashboard_xlsx()` writes the very same rows to Excel, so the
two never disagree.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.safestring import SafeString

from accounts import access
from plans.models import Municipality, Plan, PlanStatus

from . import charts
from .models import (
    Campaign,
    Path,
    Report,
    ReportStatus,
    ReportValue,
    SurveyCount,
    SurveySectorCount,
    moscow_today,
)
from .querysets import delivery_by_municipality, grades_behind, levels_by_grade

# On the region-wide page the per-school table lists only schools below target, and
# not all of them: the page must stay readable and its cost must not grow with the
# region. Choosing a municipality (or the Excel download) shows every school.
SCHOOL_ROWS_ON_PAGE = 60

STATUSES = [
    ReportStatus.NOT_STARTED,
    ReportStatus.IN_PROGRESS,
    ReportStatus.SUBMITTED,
    ReportStatus.OVERDUE,
]


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    chart: SafeString | None = None
    note: str = ""


@dataclass(frozen=True)
class Link:
    """A cell that links to a page (the page draws an <a>, Excel writes the text)."""

    text: str
    url: str

    def __str__(self):
        return self.text


@dataclass
class Dashboard:
    campaign: Campaign | None
    previous: Campaign | None
    campaigns: list[Campaign]
    municipalities: list[Municipality]
    municipality: Municipality | None
    indicators: list
    indicator: object | None
    tables: list[Table] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)


def _pick(items, pk):
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return next((item for item in items if item.pk == pk), None)


def _percent(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _decimal(value) -> Decimal | None:
    """Database means come back as Decimal (PostgreSQL) or float (SQLite)."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"))


def dashboard_bundle(
    *,
    user,
    campaign_id=None,
    municipality_id=None,
    indicator_id=None,
    today: date | None = None,
    school_rows_limit: int | None = SCHOOL_ROWS_ON_PAGE,
    all_indicators: bool = False,
) -> Dashboard:
    """Everything the dashboard shows for `user` (the centre and the ministry: the
    region or one municipality; a coordinator: the own municipality). Queries, whatever the number of schools:
    campaigns (1), the campaign's indicators (2), municipalities (3), plans by status
    (4, 5: the years' deadlines, then the counts), reports by status (6), levels by
    grade (7), hours delivered by municipality and grade (8), grades behind their
    level's minimum (9), achievement by municipality (10), by school (11), change
    since the previous campaign (12, only when there is one), survey (13), survey by
    sector (14).

    The page shows the municipal and school tables for the chosen indicator only;
    the Excel download (`all_indicators`) has every indicator."""
    today = today or moscow_today()
    campaigns = list(Campaign.objects.for_user(user).select_related("year"))
    campaign = _pick(campaigns, campaign_id)
    if campaign is None:
        opened = [c for c in campaigns if c.opens <= today]
        campaign = (opened or campaigns or [None])[0]
    if access.reads_region(user):  # the centre and the ministry choose a municipality
        municipalities = list(Municipality.objects.for_user(user))
        municipality = _pick(municipalities, municipality_id)
    else:
        municipalities = list(Municipality.objects.filter(pk=user.municipality_id))
        municipality = municipalities[0] if municipalities else None
    if campaign is None:
        return Dashboard(None, None, campaigns, municipalities, municipality, [], None)

    # Campaigns are ordered newest first: the previous one is the next in the list.
    position = campaigns.index(campaign)
    previous = campaigns[position + 1] if position + 1 < len(campaigns) else None
    indicators = list(campaign.indicators.order_by("order", "pk"))
    indicator = _pick(indicators, indicator_id) or (indicators[0] if indicators else None)

    reports = Report.objects.for_user(user).filter(campaign=campaign)
    plans = Plan.objects.for_user(user).filter(year_id=campaign.year_id)
    values = ReportValue.objects.for_user(user).submitted()
    surveys = SurveyCount.objects.for_user(user).filter(
        report__campaign=campaign, report__status=ReportStatus.SUBMITTED
    )
    if municipality is not None:
        reports = reports.filter(school__municipality=municipality)
        plans = plans.filter(school__municipality=municipality)
        values = values.filter(report__school__municipality=municipality)
        surveys = surveys.filter(report__school__municipality=municipality)

    dashboard = Dashboard(
        campaign, previous, campaigns, municipalities, municipality, indicators, indicator
    )
    by_id = {i.pk: i for i in indicators}
    current = values.filter(report__campaign=campaign)
    if not all_indicators and indicator is not None:
        current = current.filter(indicator=indicator)
    dashboard.tables = [
        _plans_table(plans, today),
        _status_table(reports.status_by_municipality(today)),
        _levels_table(levels_by_grade(plans)),
        _delivery_table(delivery_by_municipality(plans), single=municipality is not None),
        _behind_table(
            grades_behind(plans),
            limit=None if municipality is not None else school_rows_limit,
        ),
        _municipal_table(current.achievement_by_municipality(), by_id, indicator),
        _school_table(
            current,
            by_id,
            limit=None if municipality is not None else school_rows_limit,
        ),
    ]
    if previous is not None:
        dashboard.tables.append(
            _change_table(
                values.filter(report__campaign__in=[previous, campaign]).mean_by_campaign(),
                indicators,
                previous,
                campaign,
            )
        )
    dashboard.tables.append(_survey_table(surveys.totals_by_grade()))
    dashboard.tables.append(_sector_table(surveys))
    return dashboard


PLAN_STATUSES = [
    PlanStatus.DRAFT,
    PlanStatus.SUBMITTED,
    PlanStatus.RETURNED,
    PlanStatus.APPROVED,
]


def _plans_table(plans, today: date) -> Table:
    """Plans of the campaign's year by municipality and status, and how many are late.
    Two queries (the years' deadlines, then the counts), whatever the schools."""
    rows = (
        plans.with_deadline(today)
        .values("school__municipality__name", "school__municipality__order")
        .annotate(
            total=Count("pk"),
            overdue=Count("pk", filter=Q(is_overdue=True)),
            **{s.value: Count("pk", filter=Q(status=s)) for s in PLAN_STATUSES},
        )
        .order_by("school__municipality__order", "school__municipality__name")
    )
    table = Table(
        "plans",
        "Планы на учебный год по муниципалитетам",
        ["Муниципалитет", "Планов"]
        + [s.label.capitalize() for s in PLAN_STATUSES]
        + ["Просрочено", "Сдано и утверждено, %"],
    )
    totals = [0] * (len(PLAN_STATUSES) + 2)
    for row in rows:
        counts = [row["total"]] + [row[s.value] for s in PLAN_STATUSES] + [row["overdue"]]
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        # «Сдано и утверждено»: a plan under review is not done yet, only an approved one.
        done = row[PlanStatus.APPROVED]
        table.rows.append(
            [row["school__municipality__name"], *counts, _percent(done, row["total"])]
        )
    table.chart = charts.stacked_bars(
        table.title,
        [row[0] for row in table.rows],
        [
            (s.label, [row[2 + index] for row in table.rows])
            for index, s in enumerate(PLAN_STATUSES)
        ],
        # grey: draft, blue: submitted, orange: returned, green: approved
        colours=["#adb5bd", "#0d6efd", "#fd7e14", "#198754"],
    )
    if len(table.rows) > 1:
        done = totals[1 + PLAN_STATUSES.index(PlanStatus.APPROVED)]
        table.rows.append(["Итого", *totals, _percent(done, totals[0])])
    return table


def _status_table(rows) -> Table:
    table = Table(
        "status",
        "Сдача отчётов по муниципалитетам",
        ["Муниципалитет", "Школ"] + [s.label.capitalize() for s in STATUSES] + ["Сдано, %"],
    )
    totals = [0] * (len(STATUSES) + 1)
    for row in rows:
        counts = [row["total"]] + [row[s.value] for s in STATUSES]
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        table.rows.append(
            [row["school__municipality__name"], *counts, _percent(row["submitted"], row["total"])]
        )
    table.chart = charts.stacked_bars(
        table.title,
        [row[0] for row in table.rows],
        [
            (status.label, [row[2 + index] for row in table.rows])
            for index, status in enumerate(STATUSES)
        ],
        # grey: not started, blue: in progress, green: submitted, red: overdue
        colours=["#adb5bd", "#0d6efd", "#198754", "#dc3545"],
    )
    if len(table.rows) > 1:
        table.rows.append(["Итого", *totals, _percent(totals[3], totals[0])])
    return table


def _levels_table(rows) -> Table:
    rows = list(rows)
    levels = sorted(
        {(r["level__order"] or 99, r["level__name"] or "не выбран") for r in rows},
    )
    names = [name for _, name in levels]
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["grade"], {})[row["level__name"] or "не выбран"] = row["plans_count"]
    table = Table(
        "levels",
        "Уровни профминимума по классам (число планов школ)",
        ["Класс"] + [name.capitalize() for name in names] + ["Всего"],
    )
    for grade in sorted(counts):
        line = [counts[grade].get(name, 0) for name in names]
        table.rows.append([f"{grade} класс", *line, sum(line)])
    table.chart = charts.stacked_bars(
        table.title,
        [row[0] for row in table.rows],
        [(name, [row[1 + index] for row in table.rows]) for index, name in enumerate(names)],
    )
    return table


def _mean(total, count) -> Decimal | None:
    return _decimal(Decimal(str(total)) / count) if count and total is not None else None


def _delivery_table(rows, *, single: bool) -> Table:
    """Approved plans' grades by municipality: how many met the level's minimum by hours
    delivered, and the means of hours delivered, of the minimum and of the plan."""
    table = Table(
        "delivery",
        "Проведённые часы профминимума по классам (утверждённые планы)",
        [
            "Муниципалитет",
            "Класс",
            "Школ (классов с уровнем)",
            "Достигли минимума уровня",
            "Достигли, %",
            "Проведено в среднем, ч",
            "Минимум уровня, ч",
            "Запланировано в среднем, ч",
        ],
        note="Часы, проведённые по отметкам исполнения, против минимума уровня "
        "профминимума (40, 60 или 80 ч); минимум – среднее, если у школ разные уровни.",
    )
    keys = ("grades", "met", "delivered", "minimum", "planned")
    by_grade: dict[int, dict[str, Decimal]] = {}
    for row in rows:
        sums = by_grade.setdefault(row["grade"], dict.fromkeys(keys, Decimal(0)))
        for key in keys:
            sums[key] += Decimal(str(row[key] or 0))
        table.rows.append(_delivery_line(row["plan__school__municipality__name"], row))
    if not single and len({row[0] for row in table.rows}) > 1:
        for grade, sums in sorted(by_grade.items()):
            table.rows.append(_delivery_line("Вся республика", {"grade": grade, **sums}))
    table.chart = charts.stacked_bars(
        "Классы, достигшие минимума уровня по проведённым часам",
        [f"{grade} класс" for grade in sorted(by_grade)],
        [
            ("Достигли минимума", [int(by_grade[g]["met"]) for g in sorted(by_grade)]),
            (
                "Ещё нет",
                [int(by_grade[g]["grades"] - by_grade[g]["met"]) for g in sorted(by_grade)],
            ),
        ],
        colours=["#198754", "#dc3545"],
    )
    return table


def _delivery_line(name: str, row) -> list:
    count = int(row["grades"])
    return [
        name,
        f"{row['grade']} класс",
        count,
        int(row["met"]),
        _percent(row["met"], count),
        _mean(row["delivered"], count),
        _mean(row["minimum"], count),
        _mean(row["planned"], count),
    ]


def _behind_table(rows, *, limit) -> Table:
    """Grades of approved plans below their level's minimum, each linking to the plan's
    execution; region-wide only the first `limit` (choosing a municipality shows all)."""
    table = Table(
        "behind",
        "Школы, отстающие от минимума часов профминимума",
        [
            "Муниципалитет",
            "Школа",
            "Класс",
            "Уровень",
            "Минимум, ч",
            "Проведено, ч",
            "Запланировано, ч",
            "Не хватает, ч",
        ],
    )
    if limit is not None:
        rows = list(rows[: limit + 1])
        if len(rows) > limit:
            rows = rows[:limit]
            table.note = _cut_note(limit)
    for row in rows:
        delivered = _decimal(row["hours_delivered"])
        table.rows.append(
            [
                row["plan__school__municipality__name"],
                Link(
                    row["plan__school__short_name"],
                    reverse("plans:execution", args=[row["plan_id"]]),
                ),
                f"{row['grade']} класс",
                row["level__name"],
                row["level__min_hours"],
                delivered,
                _decimal(row["hours_planned"]),
                Decimal(row["level__min_hours"]) - delivered,
            ]
        )
    return table


def _municipal_table(rows, indicators, chosen) -> Table:
    table = Table(
        "municipal",
        "Достижение показателей по муниципалитетам (сданные отчёты)",
        [
            "Муниципалитет",
            "Показатель",
            "Ед.",
            "Цель (среднее)",
            "Факт (среднее)",
            "Школ сдали значение",
            "Из них достигли цели",
        ],
    )
    chart_rows = []
    for row in rows:
        indicator = indicators.get(row["indicator_id"])
        if indicator is None:
            continue
        target, actual = _decimal(row["target_mean"]), _decimal(row["actual"])
        table.rows.append(
            [
                row["report__school__municipality__name"],
                indicator.name,
                indicator.get_unit_display(),
                target,
                actual,
                row["reported"],
                row["met"],
            ]
        )
        if chosen is not None and indicator.pk == chosen.pk:
            chart_rows.append((row["report__school__municipality__name"], target, actual))
    if chosen is not None:
        table.chart = charts.grouped_bars(
            f"{chosen.name}: цель и факт по муниципалитетам",
            [name for name, _, _ in chart_rows],
            [("Цель", [t for _, t, _ in chart_rows]), ("Факт", [a for _, _, a in chart_rows])],
            maximum=100 if chosen.is_percent else None,
            suffix=" %" if chosen.is_percent else "",
        )
    return table


def _cut_note(limit: int) -> str:
    """Said under a region-wide list only when it was cut."""
    return (
        f"Показаны первые {limit} строк. Выберите муниципалитет или скачайте Excel, "
        "чтобы увидеть все школы."
    )


def _school_table(values, indicators, *, limit) -> Table:
    if limit is None:
        rows = values.achievement_by_school()
        title = "Показатели по школам: цель и факт"
        note = ""
    else:
        rows = list(values.below_target().achievement_by_school()[: limit + 1])
        title = "Школы, не достигшие целевых значений"
        note = _cut_note(limit) if len(rows) > limit else ""
        rows = rows[:limit]
    table = Table(
        "schools",
        title,
        ["Муниципалитет", "Школа", "Показатель", "Ед.", "Цель", "Факт", "Цель достигнута"],
        note=note,
    )
    for row in rows:
        indicator = indicators.get(row["indicator_id"])
        if indicator is None:
            continue
        target, value = row["target"], row["value"]
        met = "—" if target is None else ("да" if value >= target else "нет")
        table.rows.append(
            [
                row["report__school__municipality__name"],
                row["report__school__short_name"],
                indicator.name,
                indicator.get_unit_display(),
                _decimal(target),
                _decimal(value),
                met,
            ]
        )
    return table


def _change_table(rows, indicators, previous, campaign) -> Table:
    means: dict[tuple[str, int], Decimal | None] = {}
    for row in rows:
        means[(row["indicator__code"], row["report__campaign_id"])] = _decimal(row["actual"])
    table = Table(
        "change",
        "Динамика: от предыдущей кампании к текущей (среднее по сданным отчётам)",
        ["Показатель", "Ед.", previous.name, campaign.name, "Изменение"],
    )
    for indicator in indicators:
        before = means.get((indicator.code, previous.pk))
        now = means.get((indicator.code, campaign.pk))
        change = now - before if now is not None and before is not None else None
        table.rows.append([indicator.name, indicator.get_unit_display(), before, now, change])
    table.chart = charts.grouped_bars(
        table.title,
        [row[0] for row in table.rows],
        [(previous.name, [r[2] for r in table.rows]), (campaign.name, [r[3] for r in table.rows])],
        scale_per_category=True,
    )
    table.note = "Каждый показатель – в своём масштабе: единицы измерения разные."
    return table


def _survey_table(rows) -> Table:
    paths = list(Path)
    table = Table(
        "survey",
        "Планы обучающихся 9 и 11 классов (опрос 4.2, сданные отчёты)",
        ["Класс", "Школ", "Обучающихся"] + [p.label for p in paths],
    )
    for row in rows:
        table.rows.append(
            [
                f"{row['grade']} класс",
                row["schools"],
                row["pupils_sum"],
                *[row[f"{p.value}_sum"] for p in paths],
            ]
        )
    table.chart = charts.stacked_bars(
        table.title,
        [row[0] for row in table.rows],
        [(p.label, [row[3 + index] for row in table.rows]) for index, p in enumerate(paths)],
    )
    return table


def _sector_table(surveys) -> Table:
    """The 4.2 survey by sector of the regional labour market, per grade. One query."""
    rows = (
        SurveySectorCount.objects.filter(survey__in=surveys)
        .values("sector__name", "sector__order", "survey__grade")
        .annotate(pupils=Sum("count"))
        .order_by("sector__order", "sector__name")
    )
    by_sector: dict[str, dict[int, int]] = {}
    for row in rows:
        by_sector.setdefault(row["sector__name"], {})[row["survey__grade"]] = row["pupils"]
    table = Table(
        "sectors",
        "Отрасли, которые выбирают обучающиеся 9 и 11 классов (опрос 4.2)",
        ["Отрасль", "9 класс", "11 класс", "Всего"],
    )
    for name, grades in by_sector.items():
        nine, eleven = grades.get(9, 0), grades.get(11, 0)
        table.rows.append([name, nine, eleven, nine + eleven])
    table.chart = charts.stacked_bars(
        table.title,
        [row[0] for row in table.rows],
        [("9 класс", [row[1] for row in table.rows]), ("11 класс", [row[2] for row in table.rows])],
    )
    return table
