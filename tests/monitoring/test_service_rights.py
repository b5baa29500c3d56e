"""monitoring/services.py checks the actor itself: the school fills its reports, answers
its recommendations and writes its plan's sections II and V; only the centre
recommends. A caller that skipped the views' scoping still gets a refusal."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from monitoring import services
from monitoring.models import Recommendation, ReportStatus

pytestmark = pytest.mark.django_db


def refused(call, message):
    with pytest.raises(ValidationError) as error:
        call()
    assert message in " ".join(error.value.messages)


@pytest.mark.parametrize("actor", ["other_deputy", "coordinator", "reviewer"])
def test_only_the_school_fills_and_submits_its_report(request, report, catalogue, actor):
    by = request.getfixturevalue(actor)
    values = {catalogue["prof_trials"].pk: Decimal(3)}
    refused(
        lambda: services.report_save_values(report=report, values=values, by=by),
        "Отчёт заполняет только сама школа.",
    )
    refused(
        lambda: services.report_save_survey(
            report=report, grade=9, pupils=0, paths={}, sectors={}, by=by
        ),
        "Отчёт заполняет только сама школа.",
    )
    refused(lambda: services.report_submit(report=report, by=by), "Отчёт сдаёт только сама школа.")
    report.refresh_from_db()
    assert report.status == ReportStatus.NOT_STARTED and not report.values.exists()


def test_the_school_fills_its_own_report(report, catalogue, deputy):
    values = {catalogue["prof_trials"].pk: Decimal(3)}
    services.report_save_values(report=report, values=values, by=deputy)
    assert report.values.get(indicator=catalogue["prof_trials"]).value == 3


@pytest.mark.parametrize("actor", ["deputy", "coordinator"])
def test_only_the_centre_sends_recommendations(request, school, actor):
    refused(
        lambda: services.recommendation_send(
            text="Проведите собрание", by=request.getfixturevalue(actor), school=school
        ),
        "Рекомендации направляет только региональный центр.",
    )
    assert not Recommendation.objects.exists()


@pytest.mark.parametrize("actor", ["other_deputy", "coordinator", "reviewer"])
def test_only_the_school_reads_and_answers_its_recommendation(request, school, reviewer, actor):
    (recommendation,) = services.recommendation_send(
        text="Проведите собрание", by=reviewer, school=school
    )
    by = request.getfixturevalue(actor)
    refused(
        lambda: services.recommendation_acknowledge(recommendation=recommendation, by=by),
        "Отметить рекомендацию прочитанной может только сама школа.",
    )
    refused(
        lambda: services.recommendation_answer(
            recommendation=recommendation, answer="Провели", by=by
        ),
        "На рекомендацию отвечает только сама школа.",
    )
    recommendation.refresh_from_db()
    assert recommendation.acknowledged_at is None and recommendation.answer == ""


@pytest.mark.parametrize("actor", ["other_deputy", "coordinator", "reviewer"])
def test_only_the_school_writes_sections_ii_and_v_of_its_plan(request, plan, catalogue, actor):
    by = request.getfixturevalue(actor)
    version = plan.version
    refused(
        lambda: services.plan_indicators_save(
            plan=plan, rows=[(catalogue["prof_trials"], None, Decimal(5))], by=by
        ),
        "Раздел II плана заполняет только сама школа.",
    )
    refused(
        lambda: services.self_analysis_save(plan=plan, by=by, results="Чужой текст"),
        "Самоанализ пишет только сама школа.",
    )
    plan.refresh_from_db()
    assert plan.version == version and not plan.indicators.exists()
