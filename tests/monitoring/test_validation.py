"""Values are checked where they are typed: a bad one gets a Russian message, the others stay."""

from decimal import Decimal

import pytest
from django.urls import reverse

from monitoring.models import PlanIndicator, ReportStatus, ReportValue, SurveyCount

pytestmark = pytest.mark.django_db


def post_values(client, report, catalogue, **values):
    data = {f"indicator_{catalogue[code].pk}": value for code, value in values.items()}
    return client.post(report.get_absolute_url(), {**data, "action": "save"})


def test_decimal_comma_is_accepted(client, deputy, report, catalogue):
    client.force_login(deputy)
    response = post_values(client, report, catalogue, coverage_6_11="97,5", prof_trials="12")
    assert response.status_code == 302
    value = ReportValue.objects.get(report=report, indicator=catalogue["coverage_6_11"])
    assert value.value == Decimal("97.5")
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_PROGRESS


def test_percent_above_100_is_refused_and_other_values_stay(client, deputy, report, catalogue):
    client.force_login(deputy)
    response = post_values(
        client, report, catalogue, coverage_6_11="120", prof_trials="17", parents_reached="55,5"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Процент – число от 0 до 100." in page
    assert 'value="17"' in page
    assert 'value="55,5"' in page
    assert not ReportValue.objects.filter(report=report).exists()


def test_negative_count_and_text_are_refused_in_russian(client, deputy, report, catalogue):
    client.force_login(deputy)
    page = post_values(
        client, report, catalogue, prof_trials="-3", parents_reached="много"
    ).content.decode()
    assert "Значение не может быть отрицательным." in page
    assert "Введите число, например 12,5." in page


def test_submit_needs_every_entered_value(client, deputy, report, catalogue):
    client.force_login(deputy)
    response = client.post(
        report.get_absolute_url(),
        {f"indicator_{catalogue['coverage_6_11'].pk}": "90", "action": "submit"},
        follow=True,
    )
    assert "Не заполнены показатели:" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_PROGRESS


def survey_data(grade, **counts):
    return {f"g{grade}-{name}": value for name, value in counts.items()}


def test_survey_counts_must_add_up_to_the_grade(client, deputy, report, sectors):
    client.force_login(deputy)
    response = client.post(
        reverse("monitoring:survey", args=[report.pk]),
        survey_data(9, pupils=50, to_grade_10=20, to_college=20, undecided=5),
    )
    page = response.content.decode()
    assert "сумма по вариантам (45) не равна числу обучающихся (50)" in page
    assert 'value="20"' in page
    assert not SurveyCount.objects.exists()


def test_survey_count_above_pupils_is_refused(client, deputy, report, sectors):
    client.force_login(deputy)
    data = survey_data(11, pupils=20, to_university=25)
    data[f"g11-sector_{sectors[0].pk}"] = 21
    page = client.post(reverse("monitoring:survey", args=[report.pk]), data).content.decode()
    assert "Не больше числа обучающихся в 11 классах (20)." in page
    assert not SurveyCount.objects.exists()


def test_survey_that_adds_up_is_saved_as_counts_only(client, deputy, report, sectors):
    client.force_login(deputy)
    data = survey_data(9, pupils=50, to_grade_10=20, to_college=25, to_work=1, undecided=4)
    data[f"g9-sector_{sectors[0].pk}"] = 10
    data[f"g9-sector_{sectors[1].pk}"] = 5
    response = client.post(reverse("monitoring:survey", args=[report.pk]), data)
    assert response.status_code == 302
    survey = SurveyCount.objects.get(report=report)
    assert (survey.grade, survey.pupils, survey.to_college, survey.undecided) == (9, 50, 25, 4)
    assert sorted(survey.sectors.values_list("count", flat=True)) == [5, 10]
    # Grade 11 left blank is simply not reported.
    assert not SurveyCount.objects.filter(grade=11).exists()


def test_plan_indicator_percent_above_100_is_refused(client, deputy, plan, catalogue):
    client.force_login(deputy)
    coverage, trials = catalogue["coverage_6_11"], catalogue["prof_trials"]
    url = reverse("monitoring:plan-indicators", args=[plan.pk])
    data = {
        f"use_{coverage.pk}": "on",
        f"baseline_{coverage.pk}": "80",
        f"target_{coverage.pk}": "101",
        f"use_{trials.pk}": "on",
        f"target_{trials.pk}": "25,5",
        "version": plan.version,  # the form carries the plan's version, as the editor's do
    }
    page = client.post(url, data).content.decode()
    assert "Процент – число от 0 до 100." in page
    assert 'value="25,5"' in page
    data[f"target_{coverage.pk}"] = "100"
    assert client.post(url, data).status_code == 302
    assert list(
        PlanIndicator.objects.filter(plan=plan).values_list("indicator__code", "target")
    ) == [("coverage_6_11", Decimal(100)), ("prof_trials", Decimal("25.5"))]
