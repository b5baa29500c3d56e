"""The monitoring admin answers with data in it, and the demo command is idempotent."""

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from monitoring import services
from monitoring.models import (
    Campaign,
    PlanIndicator,
    Recommendation,
    Report,
    ReportValue,
    SurveyCount,
)
from tests.signin import log_in

pytestmark = pytest.mark.django_db

MODELS = [
    "indicator",
    "sector",
    "campaign",
    "report",
    "reportvalue",
    "surveycount",
    "surveysectorcount",
    "planindicator",
    "recommendation",
    "selfanalysis",
]


@pytest.fixture
def filled(deputy, reviewer, school, plan, report, targets, catalogue, sectors):
    services.report_save_values(report=report, values={catalogue["prof_trials"].pk: 3}, by=deputy)
    services.report_save_survey(
        report=report,
        grade=9,
        pupils=10,
        paths={"to_grade_10": 5, "to_college": 5},
        sectors={sectors[0].pk: 4},
        by=deputy,
    )
    services.recommendation_send(text="Текст", by=reviewer, school=school)
    services.self_analysis_save(plan=plan, by=deputy, results="Итоги")


@pytest.mark.parametrize("model", MODELS)
def test_admin_pages_answer(client, superuser, filled, model):
    log_in(client, superuser)
    assert client.get(reverse(f"admin:monitoring_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:monitoring_{model}_add")).status_code == 200
    from django.apps import apps

    obj = apps.get_model("monitoring", model).objects.order_by("pk").first()
    assert client.get(reverse(f"admin:monitoring_{model}_change", args=[obj.pk])).status_code == 200


def snapshot():
    return (
        sorted(Campaign.objects.values_list("name", flat=True)),
        sorted(Report.objects.values_list("school__inn", "campaign__name", "status")),
        sorted(ReportValue.objects.values_list("report__school__inn", "indicator__code", "value")),
        SurveyCount.objects.count(),
        Recommendation.objects.count(),
        PlanIndicator.objects.count(),
    )


@override_settings(DEBUG=True)
def test_demo_monitoring_is_idempotent_and_fills_the_dashboard(client):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    call_command("load_demo_monitoring", stdout=open("/dev/null", "w"))
    first = snapshot()
    call_command("load_demo_monitoring", stdout=open("/dev/null", "w"))
    assert snapshot() == first
    assert len(first[0]) == 2
    statuses = {status for _, _, status in first[1]}
    assert statuses == {"submitted", "in_progress", "not_started"}
    from accounts.models import User

    log_in(client, User.objects.get(username="reviewer"))
    bundle = client.get(reverse("monitoring:dashboard")).context["dashboard"]
    assert bundle.previous is not None
    assert bundle.table("change").rows and bundle.table("survey").rows


@override_settings(DEBUG=False)
def test_demo_monitoring_refuses_production():
    with pytest.raises(CommandError, match="рабочей системе"):
        call_command("load_demo_monitoring")
