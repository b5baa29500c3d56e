"""Writes that change state. Called alike from views, admin actions and commands.

Every function is keyword-only, named <entity>_<action>, and runs in one
transaction. The callers find the objects through the `for_user()` querysets;
each service checks again that `by` may act (accounts/access.py: the school fills
its reports and answers, the centre recommends) and refuses with a ValidationError
like any other refusal here, so an admin action or a command cannot do what the
person may not. `by=None` is no person but a management command (the demo loaders).
The rules of the workflow (a submitted report is frozen, values keep their bounds)
are checked here too.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import access
from plans.models import Plan, School
from plans.services import plan_touch

from .computed import plan_computed_values
from .models import (
    Campaign,
    Indicator,
    PlanIndicator,
    Recommendation,
    Report,
    ReportStatus,
    ReportValue,
    SelfAnalysis,
    SurveyCount,
    SurveySectorCount,
    moscow_today,
)


@transaction.atomic
def campaign_open(*, campaign: Campaign, schools=None) -> int:
    """Give every school of the campaign's region (or the given ones) a report to fill;
    idempotent. Returns how many reports were created."""
    if schools is None:
        schools = School.objects.filter(municipality__region__years=campaign.year_id)
    have = set(Report.objects.filter(campaign=campaign).values_list("school_id", flat=True))
    new = [
        Report(campaign=campaign, school_id=pk)
        for pk in schools.values_list("pk", flat=True)
        if pk not in have
    ]
    Report.objects.bulk_create(new)
    return len(new)


def _school_only(by, school_id, what: str) -> None:
    """Refuse anyone but the school's own people (a command, `by=None`, may)."""
    if by is not None and not access.belongs_to(by, school_id):
        raise ValidationError(f"{what} только сама школа.")


def _editable(report: Report) -> None:
    if report.is_submitted:
        raise ValidationError("Отчёт уже сдан и не изменяется.")
    if not report.campaign.has_opened(moscow_today()):
        raise ValidationError(
            f"Приём отчётов откроется {report.campaign.opens:%d.%m.%Y}: пока отчёт не заполняется."
        )


def _school_plan(report: Report):
    return (
        Plan.objects.for_editor()
        .filter(school_id=report.school_id, year_id=report.campaign.year_id)
        .first()
    )


def _store_values(report: Report, values: dict[int, Decimal | None]) -> None:
    existing = {value.indicator_id: value for value in report.values.all()}
    changed, new = [], []
    for indicator_id, value in values.items():
        if indicator_id in existing:
            existing[indicator_id].value = value
            changed.append(existing[indicator_id])
        else:
            new.append(ReportValue(report=report, indicator_id=indicator_id, value=value))
    ReportValue.objects.bulk_update(changed, ["value"])
    ReportValue.objects.bulk_create(new)


@transaction.atomic
def report_save_values(*, report: Report, values: dict[int, Decimal | None], by) -> Report:
    """Save the values a school typed (indicator id → value, None: not yet known) and the
    values computed from its plan. The report becomes «заполняется»."""
    report = Report.objects.select_for_update().select_related("campaign").get(pk=report.pk)
    _school_only(by, report.school_id, "Отчёт заполняет")
    _editable(report)
    indicators = {i.pk: i for i in report.campaign.indicators.all()}
    errors = {}
    for indicator_id, value in values.items():
        indicator = indicators.get(indicator_id)
        if indicator is None or indicator.is_computed:
            raise ValidationError("Показатель не входит в кампанию или вычисляется по плану.")
        try:
            indicator.check_value(value)
        except ValidationError as error:
            errors[f"indicator_{indicator_id}"] = error.messages
    if errors:
        raise ValidationError(errors)
    computed = plan_computed_values(_school_plan(report), indicators.values())
    _store_values(report, {**values, **computed})
    if report.status == ReportStatus.NOT_STARTED:
        report.status = ReportStatus.IN_PROGRESS
    report.save()
    return report


@transaction.atomic
def report_submit(*, report: Report, by) -> Report:
    """Submit the report: every indicator the school enters must have a value. Values
    computed from the plan are taken as the plan stands now and frozen with the report."""
    report = Report.objects.select_for_update().select_related("campaign").get(pk=report.pk)
    _school_only(by, report.school_id, "Отчёт сдаёт")
    _editable(report)
    indicators = list(report.campaign.indicators.all())
    filled = {
        v.indicator_id for v in ReportValue.objects.filter(report=report, value__isnull=False)
    }
    missing = [i for i in indicators if not i.is_computed and i.pk not in filled]
    if missing:
        raise ValidationError(
            ["Не заполнены показатели:"] + [f"– {indicator.name}" for indicator in missing]
        )
    _store_values(report, plan_computed_values(_school_plan(report), indicators))
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = by
    report.save()
    return report


@transaction.atomic
def report_save_survey(
    *,
    report: Report,
    grade: int,
    pupils: int,
    paths: dict[str, int],
    sectors: dict[int, int],
    by,
) -> SurveyCount:
    """Section 4.2 for one grade: numbers of pupils by intended path and by sector."""
    report = Report.objects.select_for_update().select_related("campaign").get(pk=report.pk)
    _school_only(by, report.school_id, "Отчёт заполняет")
    _editable(report)
    if sum(paths.values()) != pupils:
        raise ValidationError(
            f"Сумма по вариантам ({sum(paths.values())}) не равна числу обучающихся "
            f"{grade} класса ({pupils})."
        )
    if sum(sectors.values()) > pupils:
        raise ValidationError(
            f"Выбравших отрасль ({sum(sectors.values())}) больше, чем обучающихся "
            f"{grade} класса ({pupils})."
        )
    survey, _ = SurveyCount.objects.update_or_create(
        report=report, grade=grade, defaults={"pupils": pupils, **paths}
    )
    survey.full_clean()
    survey.sectors.all().delete()
    SurveySectorCount.objects.bulk_create(
        SurveySectorCount(survey=survey, sector_id=sector_id, count=count)
        for sector_id, count in sectors.items()
        if count
    )
    if report.status == ReportStatus.NOT_STARTED:
        report.status = ReportStatus.IN_PROGRESS
        report.save()
    return survey


@transaction.atomic
def recommendation_send(
    *,
    text: str,
    by,
    school: School | None = None,
    schools=None,
    indicator: Indicator | None = None,
    campaign: Campaign | None = None,
) -> list[Recommendation]:
    """Send a recommendation to one school or to each of `schools` (e.g. the result of
    `querysets.schools_matching()`). Returns the recommendations created. Only to the
    schools `by` sees (a centre: its region's): another's are refused."""
    if by is not None and not access.may_review(by):
        raise ValidationError("Рекомендации направляет только региональный центр.")
    text = text.strip()
    if not text:
        raise ValidationError("Напишите текст рекомендации.")
    targets = [school] if school is not None else list(schools or [])
    if not targets:
        raise ValidationError("Нет ни одной школы, которой направить рекомендацию.")
    if by is not None:
        wanted = {target.pk for target in targets}
        seen = set(School.objects.for_user(by).filter(pk__in=wanted).values_list("pk", flat=True))
        if wanted - seen:
            raise ValidationError("Рекомендация направляется только школам своего региона.")
    return Recommendation.objects.bulk_create(
        Recommendation(
            school=target, text=text, indicator=indicator, campaign=campaign, created_by=by
        )
        for target in targets
    )


@transaction.atomic
def recommendation_acknowledge(*, recommendation: Recommendation, by) -> Recommendation:
    _school_only(by, recommendation.school_id, "Отметить рекомендацию прочитанной может")
    if recommendation.acknowledged_at is None:
        recommendation.acknowledged_at = timezone.now()
        recommendation.save(update_fields=["acknowledged_at"])
    return recommendation


@transaction.atomic
def recommendation_answer(*, recommendation: Recommendation, answer: str, by) -> Recommendation:
    """The school's answer: what it did. Answering also acknowledges."""
    _school_only(by, recommendation.school_id, "На рекомендацию отвечает")
    answer = answer.strip()
    if not answer:
        raise ValidationError("Напишите, что сделано по рекомендации.")
    now = timezone.now()
    recommendation.acknowledged_at = recommendation.acknowledged_at or now
    recommendation.answer = answer
    recommendation.answered_at = now
    recommendation.save(update_fields=["acknowledged_at", "answer", "answered_at"])
    return recommendation


@transaction.atomic
def plan_indicators_save(
    *,
    plan: Plan,
    rows: list[tuple[Indicator, Decimal | None, Decimal | None]],
    by,
    version: int | None = None,
) -> list[PlanIndicator]:
    """Section II of a plan: replace its indicators with `rows` (indicator, baseline,
    target), in that order. Only a plan the school may still edit changes. Like a row
    edit, it moves the plan's version on (PlanConflict if the form's `version` is
    stale, PlanNotEditable if the plan was submitted meanwhile)."""
    _school_only(by, plan.school_id, "Раздел II плана заполняет")
    if not plan.is_editable:
        raise ValidationError("План сдан или утверждён: раздел II не изменяется.")
    errors = []
    for indicator, baseline, target in rows:
        if indicator.year_id != plan.year_id:
            errors.append(f"«{indicator.name}»: показатель другого учебного года.")
        for value in (baseline, target):
            try:
                indicator.check_value(value)
            except ValidationError as error:
                errors.append(f"«{indicator.name}»: {' '.join(error.messages)}")
    if errors:
        raise ValidationError(errors)
    plan_touch(plan=plan, version=version)
    PlanIndicator.objects.filter(plan=plan).delete()
    return PlanIndicator.objects.bulk_create(
        PlanIndicator(plan=plan, indicator=indicator, baseline=baseline, target=target, order=n)
        for n, (indicator, baseline, target) in enumerate(rows, start=1)
    )


@transaction.atomic
def self_analysis_save(
    *, plan: Plan, by, version: int | None = None, indicators=(), campaigns=(), **texts: str
) -> SelfAnalysis:
    """Section V of a plan: the texts (results, problems, effectiveness, next_steps) and
    the indicators and campaigns they rest on. Written in any status of the plan (the
    analysis comes at the end of the year, after approval); it moves the plan's version
    on, and refuses a stale form's `version` with PlanConflict."""
    _school_only(by, plan.school_id, "Самоанализ пишет")
    allowed = {"results", "problems", "effectiveness", "next_steps"}
    if set(texts) - allowed:
        raise TypeError(f"unknown fields: {sorted(set(texts) - allowed)}")
    plan_touch(plan=plan, version=version, any_status=True)
    analysis, _ = SelfAnalysis.objects.update_or_create(
        plan=plan, defaults={**{k: v.strip() for k, v in texts.items()}, "updated_by": by}
    )
    analysis.indicators.set(indicators)
    analysis.campaigns.set(campaigns)
    return analysis
