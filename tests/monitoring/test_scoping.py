"""Schools see only their own reports and recommendations; coordinators their municipality."""

import pytest
from django.urls import reverse

from monitoring.models import Recommendation, Report
from monitoring.services import recommendation_send
from tests.signin import log_in

pytestmark = pytest.mark.django_db


def test_school_sees_its_own_report(client, deputy, report):
    client.force_login(deputy)
    assert client.get(report.get_absolute_url()).status_code == 200


def test_other_school_report_answers_404(client, other_deputy, report):
    client.force_login(other_deputy)
    assert client.get(report.get_absolute_url()).status_code == 404
    assert client.get(reverse("monitoring:survey", args=[report.pk])).status_code == 404
    assert client.post(report.get_absolute_url(), {"action": "save"}).status_code == 404


def test_school_lists_only_its_own_reports(client, deputy, report, other_report):
    client.force_login(deputy)
    assert list(Report.objects.for_user(deputy)) == [report]
    page = client.get(reverse("monitoring:home")).content.decode()
    assert report.get_absolute_url() in page
    assert other_report.get_absolute_url() not in page


def test_school_sees_only_its_own_recommendations(client, deputy, reviewer, school, other_school):
    recommendation_send(text="Для нашей школы", by=reviewer, school=school)
    recommendation_send(text="Для соседней школы", by=reviewer, school=other_school)
    client.force_login(deputy)
    page = client.get(reverse("monitoring:recommendations")).content.decode()
    assert "Для нашей школы" in page
    assert "Для соседней школы" not in page


def test_school_cannot_answer_another_schools_recommendation(
    client, deputy, reviewer, other_school
):
    [foreign] = recommendation_send(text="Чужая", by=reviewer, school=other_school)
    client.force_login(deputy)
    url = reverse("monitoring:recommendation-answer", args=[foreign.pk])
    assert client.post(url, {"answer": "Сделано"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.answer == ""


def test_coordinator_sees_only_the_municipality(client, coordinator, report, far_school, campaign):
    from monitoring.services import campaign_open

    campaign_open(campaign=campaign)
    far_report = Report.objects.get(campaign=campaign, school=far_school)
    client.force_login(coordinator)
    assert client.get(report.get_absolute_url()).status_code == 200
    assert client.get(far_report.get_absolute_url()).status_code == 404
    assert (
        far_school.municipality.name
        not in client.get(reverse("monitoring:dashboard"))
        .content.decode()
        .split("Сдача отчётов")[1]
    )


def test_coordinator_reads_but_cannot_edit_a_report(client, coordinator, report, catalogue):
    client.force_login(coordinator)
    response = client.post(
        report.get_absolute_url(),
        {f"indicator_{catalogue['prof_trials'].pk}": "5", "action": "save"},
    )
    assert response.status_code == 403


def test_deputy_gets_403_on_the_dashboard(client, deputy, campaign):
    client.force_login(deputy)
    assert client.get(reverse("monitoring:dashboard")).status_code == 403
    assert client.get(reverse("monitoring:dashboard-xlsx")).status_code == 403


def test_only_the_regional_centre_sends_recommendations(client, deputy, coordinator, reviewer):
    url = reverse("monitoring:recommendation-send")
    for user in (deputy, coordinator):
        log_in(client, user)
        assert client.get(url).status_code == 403
    log_in(client, reviewer)
    assert client.get(url).status_code == 200


def test_plan_indicators_page_follows_the_plan_scope(
    client, deputy, other_deputy, coordinator, reviewer, plan, targets
):
    url = reverse("monitoring:plan-indicators", args=[plan.pk])
    client.force_login(other_deputy)
    assert client.get(url).status_code == 404
    for reader in (coordinator, reviewer):
        log_in(client, reader)
        page = client.get(url)
        assert page.status_code == 200
        assert 'name="use_' not in page.content.decode()  # read-only for them
        assert client.post(url, {}).status_code == 403
    client.force_login(deputy)
    assert 'name="use_' in client.get(url).content.decode()


def test_self_analysis_is_written_by_the_school_only(client, deputy, other_deputy, reviewer, plan):
    url = reverse("monitoring:self-analysis", args=[plan.pk])
    client.force_login(other_deputy)
    assert client.get(url).status_code == 404
    log_in(client, reviewer)
    assert client.post(url, {"results": "Чужой текст"}).status_code == 403
    client.force_login(deputy)
    response = client.post(
        url,
        {"results": "Охват 100 %", "next_steps": "Продвинутый уровень", "version": plan.version},
    )
    assert response.status_code == 302
    assert plan.self_analysis.results == "Охват 100 %"


def test_recommendations_scope_by_queryset(deputy, coordinator, reviewer, school, far_school):
    recommendation_send(text="Близкой", by=reviewer, school=school)
    recommendation_send(text="Дальней", by=reviewer, school=far_school)
    assert [r.text for r in Recommendation.objects.for_user(coordinator)] == ["Близкой"]
    assert Recommendation.objects.for_user(reviewer).count() == 2
