"""Campaigns open, reports are filled and submitted, late ones are overdue in Moscow time."""

from datetime import UTC, date, datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from monitoring import services
from monitoring.computed import plan_computed_values
from monitoring.models import (
    Campaign,
    Report,
    ReportStatus,
    ReportValue,
    SurveyCount,
    moscow_today,
)
from plans.models import Plan
from tests.factories import SchoolFactory, add_row
from tests.signin import log_in

pytestmark = pytest.mark.django_db


def test_campaign_open_gives_every_school_one_report(campaign, school, other_school):
    assert set(Report.objects.filter(campaign=campaign).values_list("school", flat=True)) == {
        school.pk,
        other_school.pk,
    }
    SchoolFactory()
    assert services.campaign_open(campaign=campaign) == 1
    assert services.campaign_open(campaign=campaign) == 0


def test_admin_action_opens_the_campaign_for_all_schools(client, superuser, campaign):
    SchoolFactory()
    log_in(client, superuser)
    response = client.post(
        reverse("admin:monitoring_campaign_changelist"),
        {"action": "open_for_all_schools", "_selected_action": [campaign.pk]},
        follow=True,
    )
    assert "создано отчётов школ – 1" in response.content.decode()


def test_submit_freezes_the_report(deputy, report, catalogue, plan):
    values = {
        catalogue["coverage_6_11"].pk: Decimal(95),
        catalogue["prof_trials"].pk: Decimal(20),
        catalogue["parents_reached"].pk: Decimal("60.5"),
    }
    services.report_save_values(report=report, values=values, by=deputy)
    services.report_submit(report=report, by=deputy)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_by == deputy
    # The computed indicator is taken from the plan and frozen with the report.
    hours = ReportValue.objects.get(report=report, indicator=catalogue["min_grade_hours"])
    assert hours.value == Decimal(0)
    with pytest.raises(ValidationError, match="уже сдан"):
        services.report_save_values(report=report, values=values, by=deputy)


def test_submitted_report_form_is_read_only(client, deputy, report, catalogue):
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.SUBMITTED, submitted_at=datetime(2024, 1, 1, tzinfo=UTC)
    )
    client.force_login(deputy)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Сдать отчёт" not in page
    assert client.post(report.get_absolute_url(), {"action": "save"}).status_code == 403


def test_report_cannot_be_filled_before_the_campaign_opens(deputy, report, catalogue):
    Campaign.objects.filter(pk=report.campaign_id).update(opens=date(2099, 1, 1))
    report.refresh_from_db()
    with pytest.raises(ValidationError, match="откроется 01.01.2099"):
        services.report_save_values(report=report, values={}, by=deputy)


def at_utc(*args):
    return mock.patch("django.utils.timezone.now", return_value=datetime(*args, tzinfo=UTC))


def test_overdue_starts_at_midnight_in_moscow(report):
    Campaign.objects.filter(pk=report.campaign_id).update(closes=date(2023, 12, 25))
    report.refresh_from_db()
    # 25 Dec 20:59 UTC is 23:59 in Moscow: still the closing day.
    with at_utc(2023, 12, 25, 20, 59):
        assert moscow_today() == date(2023, 12, 25)
        assert report.current_status() == ReportStatus.NOT_STARTED
    # 21:00 UTC is midnight in Moscow (UTC+3): the report is overdue, though in UTC
    # it is still the 25th.
    with at_utc(2023, 12, 25, 21, 0):
        assert moscow_today() == date(2023, 12, 26)
        assert report.current_status() == ReportStatus.OVERDUE
        annotated = Report.objects.with_current_status(moscow_today()).get(pk=report.pk)
        assert annotated.current_status == ReportStatus.OVERDUE


def test_a_submitted_report_is_never_overdue(report):
    Campaign.objects.filter(pk=report.campaign_id).update(closes=date(2023, 12, 25))
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.SUBMITTED, submitted_at=datetime(2023, 12, 20, tzinfo=UTC)
    )
    report.refresh_from_db()
    assert report.current_status(date(2024, 1, 10)) == ReportStatus.SUBMITTED


def test_overdue_is_never_stored(report):
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.filter(pk=report.pk).update(status=ReportStatus.OVERDUE)


def test_database_refuses_survey_counts_that_do_not_add_up(report):
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyCount.objects.create(report=report, grade=9, pupils=10, to_college=3)


def test_computed_indicators_follow_the_plan(plan, catalogue):
    add_row(plan, "3.4.12.1.", activity="Шоу профессий", hours=30, grades=(6, 7))
    add_row(plan, "3.4.12.2.", activity="Россия – мои горизонты", hours=34, grades=(6, 7))
    full = Plan.objects.for_editor().get(pk=plan.pk)
    values = plan_computed_values(
        full,
        [
            catalogue["min_grade_hours"],
            catalogue["share_basic"],
            catalogue["share_advanced"],
            catalogue["directions_covered"],
        ],
    )
    assert values[catalogue["min_grade_hours"].pk] == Decimal(0)  # grades 8–11 have none yet
    assert values[catalogue["share_basic"].pk] == Decimal("33.3")  # 6 and 7 of 6–11
    assert values[catalogue["share_advanced"].pk] == Decimal("33.3")
    assert Decimal(0) < values[catalogue["directions_covered"].pk] < Decimal(100)
