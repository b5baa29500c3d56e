from datetime import date
from decimal import Decimal

import pytest

from monitoring.models import Campaign, Indicator, PlanIndicator, Report, Sector
from monitoring.services import campaign_open
from plans.models import Municipality
from tests.factories import SchoolFactory, UserFactory

from .region import load_catalogue


@pytest.fixture
def catalogue(year):
    """The indicator catalogue and the sectors of fixtures/monitoring_2023_2024.json."""
    load_catalogue()
    return {indicator.code: indicator for indicator in Indicator.objects.filter(year=year)}


@pytest.fixture
def sectors(catalogue):
    return list(Sector.objects.all())


@pytest.fixture
def campaign(year, catalogue, school, other_school):
    """An open campaign (opened long ago, closes far ahead) with a report per school."""
    campaign = Campaign.objects.create(
        year=year,
        name="Мониторинг: I полугодие",
        period="сентябрь – декабрь",
        opens=date(2023, 12, 1),
        closes=date(2099, 12, 25),
    )
    campaign.indicators.set(
        [
            catalogue["coverage_6_11"],
            catalogue["prof_trials"],
            catalogue["parents_reached"],
            catalogue["min_grade_hours"],
        ]
    )
    campaign_open(campaign=campaign)
    return campaign


@pytest.fixture
def report(campaign, school):
    return Report.objects.get(campaign=campaign, school=school)


@pytest.fixture
def other_report(campaign, other_school):
    return Report.objects.get(campaign=campaign, school=other_school)


@pytest.fixture
def targets(plan, catalogue):
    """Section II of `plan`: coverage 100 %, 30 professional trials."""
    return [
        PlanIndicator.objects.create(
            plan=plan, indicator=catalogue["coverage_6_11"], baseline=80, target=Decimal(100)
        ),
        PlanIndicator.objects.create(
            plan=plan, indicator=catalogue["prof_trials"], baseline=10, target=Decimal(30)
        ),
    ]


@pytest.fixture
def far_school(db):
    """A school in another municipality than `school` (the factory's first one)."""
    return SchoolFactory(municipality=Municipality.objects.order_by("pk")[1])


@pytest.fixture
def far_deputy(far_school):
    return UserFactory(username="far_deputy", school=far_school)
