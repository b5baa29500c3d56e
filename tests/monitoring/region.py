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
from plans.models import (
    ExecutionStatus,
    Level,
    Municipality,
    Plan,
    PlanGrade,
    PlanRow,
    PlanStatus,
    RowExecution,
    School,
    SchoolYear,
    TemplateItem,
)

FIXTURE = settings.BASE_DIR / "fixtures" / "monitoring_2023_2024.json"


def load_catalogue() -> None:
    if not Indicator.objects.exists():
        call_command("loaddata", str(FIXTURE), verbosity=0)


def make_region(
    schools: int,
    prefix: str = "Школа",
    campaigns: tuple[Campaign, Campaign] | None = None,
    executed: bool = False,
) -> tuple[Campaign, Campaign]:
    """`schools` schools over the 13 municipalities, each with a plan (levels, targets)
    and a report with values in two campaigns (new ones, or `campaigns` to add schools
    to an existing region); every fifth report is not submitted. `executed`: the plans
    are approved, with a marked row per level block (`execute_plans`). Returns
    (earlier, later)."""
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
    if executed:
        execute_plans(plans)
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


def execute_plans(plans: list[Plan]) -> None:
    """Approve `plans` and mark, in each, one row per level block done with hours that
    differ from school to school (some meet the level's minimum, some do not); then
    store the hours per grade as the services do."""
    from plans.services import plans_delivery_store

    year = SchoolYear.objects.get(title="2023-2024")
    grades_of = {"basic": (6, 7), "main": (8, 9), "advanced": (10, 11)}
    headings = []
    for block in TemplateItem.objects.filter(year=year, level__isnull=False).select_related(
        "level"
    ):
        heading = block.children.filter(accepts_rows=True).order_by("order").first()
        headings.append((heading, grades_of[block.level.code]))
    ids = [plan.pk for plan in plans]
    Plan.objects.filter(pk__in=ids).update(status=PlanStatus.APPROVED)
    rows = PlanRow.objects.bulk_create(
        PlanRow(
            plan=plan,
            parent=heading,
            order=1,
            activity="Профессиональная проба",
            hours=Decimal(40),
            grades=grades,
        )
        for plan in plans
        for heading, grades in headings
    )
    RowExecution.objects.bulk_create(
        RowExecution(row=row, status=ExecutionStatus.DONE, hours=Decimal(n * 7 % 100))
        for n, row in enumerate(rows)
    )
    plans_delivery_store(Plan.objects.filter(pk__in=ids))
