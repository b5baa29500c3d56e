"""One walk of the level blocks gives both planned hours (the профминимум check) and
delivered hours (the execution and the figures stored for the region)."""

from decimal import Decimal

import pytest

import plans.hours
from plans.execution.reads import delivery_by_grade, executions_for
from plans.hours import GradeBlock, grade_blocks
from plans.models import Plan, PlanGrade, PlanStatus
from plans.profminimum import check_plan
from plans.services import row_execution_record
from tests.factories import add_row

pytestmark = pytest.mark.django_db


def fresh(plan):
    return Plan.objects.for_editor().get(pk=plan.pk)


@pytest.fixture
def filled(plan):
    add_row(plan, "3.4.13.1.", activity="Урок профессий", hours=Decimal(30), grades=(8, 9))
    add_row(plan, "3.4.13.2.", activity="Россия – мои горизонты", hours=Decimal(4), grades=(9,))
    add_row(plan, "3.4.12.1.", activity="Классный час", hours=Decimal(2), grades=(6,))
    return plan


def test_the_walk_gives_each_grade_its_levels_block_headings_and_rows(filled):
    walked = {block.grade: block for block in grade_blocks(fresh(filled))}
    assert sorted(walked) == [6, 7, 8, 9, 10, 11]
    main = walked[9]
    assert main.block.code == "3.4.13"
    assert [h.heading.code for h in main.headings] == [
        "3.4.13.1.",
        "3.4.13.2.",
        "3.4.13.3.",
        "3.4.13.4.",
        "3.4.13.5.",
    ]
    first, second = main.headings[:2]
    assert first.direction.name == "Урочная деятельность"
    assert [row.activity for row in first.rows] == ["Урок профессий"]
    assert [row.activity for row in second.serving(9)] == ["Россия – мои горизонты"]
    assert second.serving(8) == []
    # A grade of another level walks its own block, not this one.
    assert walked[6].block.code == "3.4.12."
    assert [row.activity for h in walked[6].headings for row in h.rows] == ["Классный час"]


def test_a_grade_without_a_level_walks_nothing(filled):
    PlanGrade.objects.filter(plan=filled, grade=11).update(level=None)
    walked = {block.grade: block for block in grade_blocks(fresh(filled))}
    assert walked[11].block is None and walked[11].headings == []


def test_planned_and_delivered_hours_come_from_the_same_walk(filled, deputy, monkeypatch):
    """Leave a heading out of the walk: both figures lose its rows, so neither walks
    the block on its own."""
    plan = filled
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED)
    plan.refresh_from_db()
    urok = plan.rows.select_related("plan").get(activity="Урок профессий")
    row_execution_record(row=urok, by=deputy, data={"status": "done"})

    def figures():
        bundle = fresh(plan)
        planned = {g.grade: g.planned_hours for g in check_plan(bundle).grades}
        delivered = {g.grade: g for g in delivery_by_grade(bundle, executions_for(bundle))}
        return planned, delivered

    planned, delivered = figures()
    assert planned[9] == delivered[9].planned == 34
    assert delivered[9].delivered == 30

    walk = plans.hours.grade_blocks

    def without_first_heading(plan):
        for block in walk(plan):
            yield GradeBlock(block.plan_grade, block.block, block.headings[1:])

    for module in ("plans.profminimum", "plans.execution.reads"):
        monkeypatch.setattr(f"{module}.grade_blocks", without_first_heading)
    planned, delivered = figures()
    assert planned[9] == delivered[9].planned == 4
    assert delivered[9].delivered == 0
