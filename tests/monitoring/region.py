"""A region of N schools with two submitted campaigns, built with bulk inserts: for the
dashboard's query-count tests and the benchmark."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.management import call_command

from monitoring.models import (
    Campaign,
    Indicator,
    PlanIndicator,
    Report,
    ReportStatus,
    ReportValue,
    SurveyCount,
)
from plans.models import Level, Municipality, Plan, PlanGrade, School, SchoolYear

FIXTURE = settings.BASE_DIR / "fixtures" / "monitoring_2023_2024.json"


def load_catalogue() -> None:
    if not Indicator.objects.exists():
        call_command("loaddata", str(FIXTURE), verbosity=0)


def make_region(
    schools: int, prefix: str = "Школа", campaigns: tuple[Campaign, Campaign] | None = None
) -> tuple[Campaign, Campaign]:
    """`schools` schools over the 13 municipalities, each with a plan (levels, targets)
    and a report with values in two campaigns (new ones, or `campaigns` to add schools
    to an existing region); every fifth report is not submitted. Returns (earlier, later)."""
    load_catalogue()
    from django.utils import timezone

    year = SchoolYear.objects.get(title="2023-2024")
    levels = list(Level.objects.filter(year=year).order_by("order"))
    municipalities = list(Municipality.objects.order_by("order"))
    indicators = list(Indicator.objects.filter(year=year).entered())
    new_schools = School.objects.bulk_create(
        School(
            full_name=f"{prefix} № {n}",
            short_name=f"{prefix} № {n}",
            municipality=municipalities[n % len(municipalities)],
        )
        for n in range(1, schools + 1)
    )
    plans = Plan.objects.bulk_create(Plan(school=school, year=year) for school in new_schools)
    PlanGrade.objects.bulk_create(
        PlanGrade(plan=plan, grade=grade, level=levels[(grade - 6) // 2])
        for plan in plans
        for grade in range(6, 12)
    )
    PlanIndicator.objects.bulk_create(
        PlanIndicator(plan=plan, indicator=indicator, baseline=Decimal(20), target=Decimal(60))
        for plan in plans
        for indicator in indicators
    )
    dates = [(date(2023, 12, 11), date(2023, 12, 25)), (date(2024, 5, 20), date(2024, 6, 14))]
    existing = campaigns
    campaigns = []
    for number, (opens, closes) in enumerate(dates):
        if existing:
            campaign = existing[number]
        else:
            campaign = Campaign.objects.create(
                year=year,
                name=f"{prefix}: кампания {number + 1}",
                period="период",
                opens=opens,
                closes=closes,
            )
            campaign.indicators.set(indicators)
        reports = Report.objects.bulk_create(
            Report(
                campaign=campaign,
                school=school,
                status=ReportStatus.SUBMITTED if n % 5 else ReportStatus.IN_PROGRESS,
                submitted_at=timezone.now() if n % 5 else None,
            )
            for n, school in enumerate(new_schools)
        )
        ReportValue.objects.bulk_create(
            ReportValue(
                report=report,
                indicator=indicator,
                value=Decimal((n * 7 + i * 13 + number * 10) % 100),
            )
            for n, report in enumerate(reports)
            for i, indicator in enumerate(indicators)
        )
        SurveyCount.objects.bulk_create(
            SurveyCount(
                report=report, grade=9, pupils=50, to_grade_10=20, to_college=25, undecided=5
            )
            for report in reports
        )
        campaigns.append(campaign)
    return campaigns[0], campaigns[1]
