"""The year-end self-analysis (section V) drafted from what was done.

When the school opens an empty section V of an approved plan, its form is prefilled
with a draft made of the execution (rows done and not done per section and per
direction, with the titles of those not done), the hours delivered per grade against
the level's minimum, the indicators of section II against their targets, and the
regional centre's recommendations with what became of them. The school edits it and
saves it as it would have typed it.

`self_analysis_draft()` reads a fixed number of queries whatever the rows: the
editor's bundle, the executions, the school's submitted values of the year, its
recommendations of the year. `compose()` is pure Python.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from plans.execution.reads import GradeDelivery, delivery_by_grade, executions_for
from plans.fields import ANALYSIS_MAX_LENGTH
from plans.models import ExecutionStatus, Plan
from plans.numbering import plan_lines

from .charts import number
from .computed import executed_values, plan_computed_values
from .models import Recommendation, ReportValue

DRAFT_NOTICE = "Черновик составлен по отметкам об исполнении — проверьте и дополните."
ANALYSIS_TEXTS = ("results", "problems", "effectiveness", "next_steps")
LIST_LIMIT = 25  # titles listed per group; the rest is counted


@dataclass
class Tally:
    """Rows of a section or direction by what became of them."""

    total: int = 0
    by_status: Counter = field(default_factory=Counter)

    def add(self, status: str | None) -> None:
        self.total += 1
        self.by_status[status or "unmarked"] += 1

    def text(self) -> str:
        done, partly = self.by_status[ExecutionStatus.DONE], self.by_status[ExecutionStatus.PARTLY]
        parts = [f"выполнено {done} из {self.total}"]
        if partly:
            parts.append(f"частично {partly}")
        for status, label in (
            (ExecutionStatus.NOT_DONE, "не выполнено"),
            (ExecutionStatus.MOVED, "перенесено"),
            ("unmarked", "без отметки"),
        ):
            if self.by_status[status]:
                parts.append(f"{label} {self.by_status[status]}")
        return ", ".join(parts)


@dataclass
class Draft:
    texts: dict[str, str]  # results, problems, effectiveness, next_steps
    indicator_ids: list[int]
    campaign_ids: list[int]


def _bullets(items: list[str]) -> list[str]:
    shown = [f"– {item}" for item in items[:LIST_LIMIT]]
    if len(items) > LIST_LIMIT:
        shown.append(f"– и ещё {len(items) - LIST_LIMIT}")
    return shown


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _clamp(text: str) -> str:
    return text if len(text) <= ANALYSIS_MAX_LENGTH else text[: ANALYSIS_MAX_LENGTH - 1] + "…"


def _grade_line(grade: GradeDelivery) -> str:
    text = grade.summary()
    if grade.level is None:
        return text
    if grade.met:
        return f"{text} – минимум уровня выполнен"
    return f"{text} – до минимума не хватает {number(grade.min_hours - grade.delivered)} ч"


def compose(
    plan,
    executions: dict,
    reported: dict[int, tuple[Decimal, str]],
    recommendations: list,
    movement: dict[int, tuple[Decimal | None, Decimal | None]],
    today,
) -> dict[str, str]:
    """The four texts of section V. `plan` from `Plan.objects.for_editor()`;
    `reported`: {indicator id: (latest submitted value, campaign name)};
    `movement`: {recommendation id: (value in its campaign, latest value after)}."""
    items = {item.pk: item for item in plan.year.template_items.all()}
    directions = {d.pk: d for d in plan.year.directions.all()}

    def direction_of(item_id):
        while item_id is not None:
            if items[item_id].direction_id:
                return items[item_id].direction_id
            item_id = items[item_id].parent_id
        return None

    overall, sections, by_direction = Tally(), {}, defaultdict(Tally)
    not_done, moved = [], []
    section = None
    for line in plan_lines(plan):
        if line.kind == "section":
            section = f"{line.number} {_short(line.title, 90)}"
            continue
        if line.row is None or line.kind not in ("row", "fixed") or not line.title.strip():
            continue
        execution = executions.get(line.row.pk)
        status = execution.status if execution else None
        overall.add(status)
        sections.setdefault(section, Tally()).add(status)
        direction = direction_of(line.row.parent_id)
        if direction:
            by_direction[direction].add(status)
        title = f"{line.number} {_short(line.title)}"
        if status == ExecutionStatus.NOT_DONE:
            reason = f" ({_short(execution.result, 160)})" if execution.result else ""
            not_done.append(title + reason)
        elif status == ExecutionStatus.MOVED:
            moved.append(f"{title} – на {execution.moved_to:%d.%m.%Y}")

    delivery = delivery_by_grade(plan, executions)
    plan_indicators = list(plan.indicators.all())
    indicators = [item.indicator for item in plan_indicators]
    executed = executed_values(plan, executions, indicators)
    computed = plan_computed_values(plan, indicators)
    indicator_lines, below = [], []
    for item in plan_indicators:
        indicator = item.indicator
        if indicator.pk in reported:
            value, source = reported[indicator.pk][0], f"по отчёту «{reported[indicator.pk][1]}»"
        elif indicator.pk in executed:
            value, source = executed[indicator.pk], "по отметкам об исполнении"
        elif computed.get(indicator.pk) is not None:
            value, source = computed[indicator.pk], "по плану"
        else:
            value, source = None, ""
        unit = indicator.get_unit_display()
        target = (
            f"при цели {number(item.target)} {unit}"
            if item.target is not None
            else "цель не задана"
        )
        if value is None:
            indicator_lines.append(f"{indicator.name}: значение не известно, {target}")
            continue
        verdict = ""
        if item.target is not None:
            verdict = " – цель достигнута" if value >= item.target else " – цель не достигнута"
            if value < item.target:
                below.append(indicator.name)
        indicator_lines.append(
            f"{indicator.name}: {number(value)} {unit} ({source}) {target}{verdict}"
        )

    results = [
        # During the year: as of today; after it: for the year, as the report is read.
        (
            f"Исполнение плана на {today:%d.%m.%Y}"
            if today <= plan.year.end_date
            else f"Исполнение плана за {plan.year.title} учебный год"
        )
        + f": строк с мероприятиями – {overall.total}; "
        f"{overall.text()}."
    ]
    if sections:
        results += ["", "По разделам плана:"]
        results += [f"– {name}: {tally.text()}" for name, tally in sections.items()]
    if by_direction:
        results += ["", "По направлениям профминимума:"]
        results += [
            f"– {directions[pk].name}: {by_direction[pk].text()}"
            for pk in sorted(by_direction, key=lambda pk: (directions[pk].order, pk))
        ]
    if delivery:
        results += ["", "Часы профминимума, проведённые по классам:"]
        results += [f"– {_grade_line(grade)}" for grade in delivery]
    if indicator_lines:
        results += ["", "Показатели раздела II:"]
        results += [f"– {line}" for line in indicator_lines]

    problems = []
    if not_done:
        problems += [f"Не выполнено ({len(not_done)}):", *_bullets(not_done)]
    if moved:
        problems += ["", f"Перенесено ({len(moved)}):", *_bullets(moved)]
    if overall.by_status["unmarked"]:
        problems += ["", f"Без отметки об исполнении: строк – {overall.by_status['unmarked']}."]
    short = [grade for grade in delivery if grade.level and not grade.met]
    if short:
        problems += ["", "Минимум часов уровня не выполнен:"]
        problems += [f"– {_grade_line(grade)}" for grade in short]
    idle = [
        f"{grade.grade} класс: {', '.join(d.name for d in grade.idle_directions)}"
        for grade in delivery
        if grade.idle_directions
    ]
    if idle:
        problems += ["", "Направления, по которым ничего не проведено:", *_bullets(idle)]
    if below:
        problems += ["", "Показатели ниже цели:", *_bullets(below)]

    delivered = overall.by_status[ExecutionStatus.DONE] + overall.by_status[ExecutionStatus.PARTLY]
    with_level = [grade for grade in delivery if grade.level]
    effectiveness = [
        f"Проведено мероприятий (полностью или частично): {delivered} из {overall.total}."
    ]
    if with_level:
        met = sum(1 for grade in with_level if grade.met)
        effectiveness.append(
            f"Минимум часов профминимума выполнен в {met} из {len(with_level)} классов."
        )
    targeted = [item for item in plan_indicators if item.target is not None]
    if targeted:
        effectiveness.append(
            f"Целевые значения достигнуты по {len(targeted) - len(below)} из {len(targeted)} "
            "показателей раздела II."
        )

    next_steps = []
    if recommendations:
        next_steps.append("Адресные рекомендации регионального центра:")
        for recommendation in recommendations:
            next_steps.append(f"– {_recommendation_line(recommendation, movement)}")
    carry = [title for title in not_done] + [title.split(" – на ")[0] for title in moved]
    if carry:
        next_steps += [
            *([""] if next_steps else []),
            "Не выполненные и перенесённые мероприятия – учесть в плане следующего года:",
            *_bullets(carry),
        ]
    return {
        "results": _clamp("\n".join(results)),
        "problems": _clamp("\n".join(problems)),
        "effectiveness": _clamp(" ".join(effectiveness)),
        "next_steps": _clamp("\n".join(next_steps)),
    }


def _recommendation_line(recommendation, movement) -> str:
    text = (
        f"«{_short(recommendation.text, 300)}» "
        f"(от {timezone.localtime(recommendation.created_at):%d.%m.%Y})"
    )
    if recommendation.answered_at:
        text += f": ответ школы – {_short(recommendation.answer, 300)}"
    elif recommendation.acknowledged_at:
        text += ": прочитана, ответа ещё нет"
    else:
        text += ": не прочитана"
    before, after = movement.get(recommendation.pk, (None, None))
    if recommendation.indicator_id and before is not None:
        name = _short(recommendation.indicator.name, 100)
        if after is None:
            text += f"; показатель «{name}»: {number(before)}, позже не измерялся"
        else:
            change = "вырос" if after > before else "снизился" if after < before else "не изменился"
            text += f"; показатель «{name}» {change}: было {number(before)}, стало {number(after)}"
    return text


def self_analysis_draft(plan_pk: int, today=None) -> Draft:
    """The draft of section V for the plan: a fixed number of queries (the bundle, the
    executions, the submitted values of the school's year, its recommendations)."""
    plan = Plan.objects.for_editor().get(pk=plan_pk)
    executions = executions_for(plan, with_evidence=False)
    values = list(
        ReportValue.objects.submitted()
        .filter(report__school_id=plan.school_id, report__campaign__year_id=plan.year_id)
        .values(
            "indicator_id",
            "value",
            "report__campaign_id",
            "report__campaign__name",
            "report__campaign__closes",
        )
        .order_by("report__campaign__closes", "report__campaign_id")
    )
    reported = {
        row["indicator_id"]: (row["value"], row["report__campaign__name"]) for row in values
    }
    year = plan.year
    recommendations = list(
        Recommendation.objects.filter(school_id=plan.school_id)
        .filter(
            Q(campaign__year_id=year.pk)
            | Q(campaign__isnull=True, created_at__date__range=(year.start_date, year.end_date))
        )
        .select_related("indicator", "campaign")
        .order_by("created_at", "pk")
    )
    movement = {}
    for recommendation in recommendations:
        if not (recommendation.indicator_id and recommendation.campaign_id):
            continue
        seen = [row for row in values if row["indicator_id"] == recommendation.indicator_id]
        before = next(
            (r["value"] for r in seen if r["report__campaign_id"] == recommendation.campaign_id),
            None,
        )
        later = [
            r["value"]
            for r in seen
            if r["report__campaign__closes"] > recommendation.campaign.closes
        ]
        movement[recommendation.pk] = (before, later[-1] if later else None)
    texts = compose(
        plan,
        executions,
        reported,
        recommendations,
        movement,
        today or timezone.localdate(),
    )
    return Draft(
        texts=texts,
        indicator_ids=[item.indicator_id for item in plan.indicators.all()],
        campaign_ids=sorted({row["report__campaign_id"] for row in values}),
    )
