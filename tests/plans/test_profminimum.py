from decimal import Decimal

import pytest

from plans.models import Plan, PlanGrade, PlanRow
from plans.profminimum import check_plan
from tests.factories import add_row, make_plan

pytestmark = pytest.mark.django_db

DIRECTIONS_MAIN = ["3.4.13.1.", "3.4.13.2.", "3.4.13.3.", "3.4.13.4.", "3.4.13.5."]


def fresh(plan):
    return Plan.objects.for_editor().get(pk=plan.pk)


def fill_fixed(plan):
    PlanRow.objects.filter(plan=plan, fixed_item__isnull=False).update(
        period="май", responsible="Заместитель директора"
    )


@pytest.fixture
def main_plan(school, levels):
    plan = make_plan(school, levels={8: levels["main"].pk, 9: levels["main"].pk})
    fill_fixed(plan)
    return plan


def test_new_plan_lists_every_gap(main_plan):
    check = check_plan(fresh(main_plan))
    assert not check.passed
    assert check.problems[0].startswith(
        "8 класс: запланировано 0 ч из 60 (основной уровень); нет мероприятий по направлению «Урочная деятельность»"
    )


def test_hours_and_directions_are_counted_per_grade(main_plan):
    for code in DIRECTIONS_MAIN:
        add_row(main_plan, code, activity="Мероприятие", hours=Decimal(10), grades=(8, 9))
    add_row(
        main_plan, "3.4.13.2.", activity="Россия – мои горизонты", hours=Decimal(2), grades=(8,)
    )
    check = check_plan(fresh(main_plan))
    by_grade = {g.grade: g for g in check.grades}
    assert by_grade[8].planned_hours == 52 and by_grade[9].planned_hours == 50
    assert by_grade[8].problems() == ["8 класс: запланировано 52 ч из 60 (основной уровень)"]
    assert by_grade[8].percent == 86


def test_a_grade_meeting_its_minimum_and_every_direction_passes(main_plan):
    for code in DIRECTIONS_MAIN:
        add_row(main_plan, code, activity="Мероприятие", hours=Decimal(12), grades=(8, 9))
    check = check_plan(fresh(main_plan))
    assert check.passed, check.problems


def test_missing_direction_is_named_in_plain_words(main_plan):
    for code in DIRECTIONS_MAIN[:-1]:
        add_row(main_plan, code, activity="Мероприятие", hours=Decimal(20), grades=(8, 9))
    problems = check_plan(fresh(main_plan)).problems
    assert problems == [
        "8 класс: нет мероприятий по направлению «Взаимодействие с родителями (законными представителями)»",
        "9 класс: нет мероприятий по направлению «Взаимодействие с родителями (законными представителями)»",
    ]


def test_rows_in_another_levels_block_do_not_count(main_plan):
    add_row(main_plan, "3.4.12.1.", activity="Урок", hours=Decimal(60), grades=(8,))
    grade8 = next(g for g in check_plan(fresh(main_plan)).grades if g.grade == 8)
    assert grade8.planned_hours == 0


def test_fixed_activities_need_period_and_responsible(school, levels):
    plan = make_plan(school, levels={6: levels["basic"].pk})
    problems = check_plan(fresh(plan)).problems
    assert (
        "4.1. «Проведение мониторинга по сопровождению профессионального…»: не указаны сроки и ответственные."
        in problems
    )
    assert sum("не указаны" in p for p in problems) == 5


def test_a_plan_without_any_level_is_not_ready(school):
    plan = make_plan(school)
    fill_fixed(plan)
    assert check_plan(fresh(plan)).problems == [
        "Не выбран уровень профминимума ни для одного класса (6–11)."
    ]


def test_grade_without_level_is_not_checked(main_plan):
    PlanGrade.objects.filter(plan=main_plan, grade=9).update(level=None)
    assert [g.grade for g in check_plan(fresh(main_plan)).grades if g.problems()] == [8]


def test_check_runs_no_queries_of_its_own(main_plan, django_assert_num_queries):
    plan = fresh(main_plan)
    with django_assert_num_queries(0):
        check_plan(plan)
