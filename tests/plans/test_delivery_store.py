"""The hours per grade stored for the region's dashboard follow every mark, approval
and `manage.py recompute_delivery`."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from plans import services
from plans.models import PlanGrade, PlanStatus
from tests.factories import add_row
from tests.plans.test_editor import complete

pytestmark = pytest.mark.django_db


def figures(plan) -> dict[int, tuple]:
    return {
        grade.grade: (grade.hours_planned, grade.hours_delivered)
        for grade in PlanGrade.objects.filter(plan=plan)
    }


def test_approval_stores_planned_hours_and_nothing_delivered(
    plan, deputy, reviewer, django_capture_on_commit_callbacks
):
    complete(plan)
    assert figures(plan)[9] == (None, None)  # a draft has no figures
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_submit(plan=plan, by=deputy, version=None)
    services.plan_approve(plan=plan, by=reviewer)
    planned, delivered = figures(plan)[9]
    assert planned >= 60 and delivered == 0


def test_each_mark_updates_the_hours_delivered(plan, deputy):
    add_row(plan, "3.4.13.1.", activity="Урок профессий", hours=30, grades=(8, 9))
    plan.status = PlanStatus.APPROVED
    plan.save()
    row = plan.rows.get(activity="Урок профессий")
    services.row_execution_record(
        row=row, by=deputy, data={"status": "done", "hours": Decimal(12), "grades": (9,)}
    )
    assert figures(plan)[9] == (Decimal(30), Decimal(12))
    assert figures(plan)[8] == (Decimal(30), Decimal(0))
    services.row_execution_record(row=row, by=deputy, data={"status": "not_done"})
    assert figures(plan)[9] == (Decimal(30), Decimal(0))


def test_recompute_fills_missing_figures_of_approved_plans_only(plan, other_plan, deputy):
    add_row(plan, "3.4.13.1.", activity="Урок профессий", hours=30, grades=(9,))
    plan.status = PlanStatus.APPROVED
    plan.save()
    services.row_execution_record(
        row=plan.rows.get(activity="Урок профессий"), by=deputy, data={"status": "done"}
    )
    PlanGrade.objects.update(hours_planned=None, hours_delivered=None)  # as after migrating
    call_command("recompute_delivery", stdout=StringIO())
    assert figures(plan)[9] == (Decimal(30), Decimal(30))
    assert figures(other_plan)[9] == (None, None)  # a draft


def test_recompute_with_nothing_missing_is_one_query(plan, django_assert_num_queries):
    plan.status = PlanStatus.APPROVED
    plan.save()
    services.plan_delivery_store(plan=plan)
    with django_assert_num_queries(1):
        call_command("recompute_delivery", stdout=StringIO())
