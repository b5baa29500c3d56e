"""A deputy fills the monitoring report in a real browser: comma decimals, a Russian
message for a bad value, the other typed values kept."""

from datetime import date

import pytest

from monitoring.models import Campaign, Indicator, ReportValue
from monitoring.services import campaign_open
from tests.factories import UserFactory
from tests.monitoring.region import load_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_deputy_fixes_a_bad_value_and_keeps_the_others(reference, sign_in, live_server, school):
    load_catalogue()
    user = UserFactory(username="deputy", school=school)
    user.set_password("profplan-demo")
    user.save()
    campaign = Campaign.objects.create(
        year=reference,
        name="Мониторинг",
        period="год",
        opens=date(2023, 1, 1),
        closes=date(2099, 1, 1),
    )
    coverage = Indicator.objects.get(code="coverage_6_11")
    trials = Indicator.objects.get(code="prof_trials")
    campaign.indicators.set([coverage, trials])
    campaign_open(campaign=campaign)
    report = campaign.reports.get(school=school)

    page = sign_in("deputy")
    page.goto(f"{live_server.url}{report.get_absolute_url()}")
    page.locator(f"[name=indicator_{coverage.pk}]").fill("120")
    page.locator(f"[name=indicator_{trials.pk}]").fill("12,5")
    page.get_by_role("button", name="Сохранить").click()
    assert page.get_by_text("Процент – число от 0 до 100.").is_visible()
    assert page.locator(f"[name=indicator_{trials.pk}]").input_value() == "12,5"

    page.locator(f"[name=indicator_{coverage.pk}]").fill("97,5")
    page.get_by_role("button", name="Сохранить").click()
    assert page.get_by_text("Значения сохранены.").is_visible()
    assert sorted(
        str(v) for v in ReportValue.objects.filter(report=report).values_list("value", flat=True)
    ) == ["12.50", "97.50"]
