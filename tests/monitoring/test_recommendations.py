"""Адресные рекомендации: to the schools that match a filter, read and answered by them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from monitoring import services
from monitoring.models import PlanIndicator, Recommendation, Report, ReportStatus, ReportValue
from monitoring.querysets import schools_matching
from tests.signin import log_in

pytestmark = pytest.mark.django_db


def submit(report, values):
    ReportValue.objects.bulk_create(
        ReportValue(report=report, indicator=indicator, value=Decimal(value))
        for indicator, value in values.items()
    )
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = report.updated_at
    report.save()


@pytest.fixture
def lagging_and_leading(campaign, catalogue, plan, other_plan, report, other_report):
    """Both schools target 100 % coverage; only `school` stays below it."""
    coverage = catalogue["coverage_6_11"]
    for p in (plan, other_plan):
        PlanIndicator.objects.create(plan=p, indicator=coverage, target=100)
    submit(report, {coverage: 80})
    submit(other_report, {coverage: 100})
    return coverage


def test_matching_schools_are_those_below_target(reviewer, campaign, school, lagging_and_leading):
    matching = schools_matching(
        campaign=campaign, user=reviewer, indicator=lagging_and_leading, below_target=True
    )
    assert list(matching) == [school]


def test_send_page_sends_to_matching_schools_only(
    client, reviewer, campaign, school, other_school, lagging_and_leading
):
    log_in(client, reviewer)
    response = client.post(
        reverse("monitoring:recommendation-send"),
        {
            "campaign": campaign.pk,
            "indicator": lagging_and_leading.pk,
            "below_target": "on",
            "text": "Доведите охват до 100 %.",
            "action": "send",
        },
        follow=True,
    )
    assert "Рекомендация направлена школам: 1." in response.content.decode()
    [sent] = Recommendation.objects.all()
    assert (sent.school, sent.indicator, sent.campaign, sent.created_by) == (
        school,
        lagging_and_leading,
        campaign,
        reviewer,
    )


def test_not_submitted_filter(reviewer, campaign, school, other_school, report, other_report):
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.SUBMITTED, submitted_at=report.updated_at
    )
    assert list(schools_matching(campaign=campaign, user=reviewer, not_submitted=True)) == [
        other_school
    ]


def test_school_acknowledges_and_answers(client, deputy, reviewer, school):
    [recommendation] = services.recommendation_send(
        text="Проведите родительское собрание", by=reviewer, school=school
    )
    client.force_login(deputy)
    assert "новая" in client.get(reverse("monitoring:recommendations")).content.decode()
    client.post(reverse("monitoring:recommendation-acknowledge", args=[recommendation.pk]))
    recommendation.refresh_from_db()
    assert recommendation.acknowledged_at is not None
    client.post(
        reverse("monitoring:recommendation-answer", args=[recommendation.pk]),
        {"answer": "Собрание проведено 12 марта"},
    )
    recommendation.refresh_from_db()
    assert recommendation.answer == "Собрание проведено 12 марта"
    assert recommendation.answered_at is not None


def test_empty_answer_is_refused(client, deputy, reviewer, school):
    [recommendation] = services.recommendation_send(text="Текст", by=reviewer, school=school)
    client.force_login(deputy)
    response = client.post(
        reverse("monitoring:recommendation-answer", args=[recommendation.pk]),
        {"answer": ""},
        follow=True,
    )
    assert "Напишите, что сделано по рекомендации." in response.content.decode()
    recommendation.refresh_from_db()
    assert recommendation.answered_at is None


def test_the_next_campaign_shows_whether_the_indicator_moved(
    client, deputy, reviewer, school, campaign, report, lagging_and_leading, year
):
    from datetime import date

    from monitoring.models import Campaign

    services.recommendation_send(
        text="Охват ниже цели",
        by=reviewer,
        school=school,
        indicator=lagging_and_leading,
        campaign=campaign,
    )
    later = Campaign.objects.create(
        year=year, name="Итоги года", period="год", opens=date(2024, 5, 1), closes=date(2100, 1, 1)
    )
    services.campaign_open(campaign=later)
    submit(Report.objects.get(campaign=later, school=school), {lagging_and_leading: 95})
    client.force_login(deputy)
    page = client.get(reverse("monitoring:recommendations")).content.decode()
    assert "Было: 80 %" in page
    assert "Стало: 95 % (Итоги года)" in page


def test_text_is_escaped(client, deputy, reviewer, school):
    services.recommendation_send(text="<script>alert(1)</script>", by=reviewer, school=school)
    client.force_login(deputy)
    page = client.get(reverse("monitoring:recommendations")).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;" in page
