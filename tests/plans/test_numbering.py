import pytest

from plans.models import Plan, PlanRow, TemplateItem
from plans.numbering import number_lines, roman
from tests.factories import add_row, make_plan
from tests.seed import normalise, seed_items

pytestmark = pytest.mark.django_db


def numbers(plan):
    plan = Plan.objects.for_editor().get(pk=plan.pk)
    used = {grade.level_id for grade in plan.grades.all() if grade.level_id}
    return [
        line.number for line in number_lines(plan.year.template_items.all(), plan.rows.all(), used)
    ]


def test_roman_numerals():
    assert [roman(n) for n in (1, 2, 3, 4, 5, 9, 14)] == ["I", "II", "III", "IV", "V", "IX", "XIV"]


def test_new_plan_with_all_levels_prints_exactly_the_seed_numbers(plan):
    assert numbers(plan) == [normalise(number) for number, _ in seed_items()]


def test_adding_a_row_renumbers_what_follows_like_a_document(plan):
    add_row(plan, "I.", activity="Ещё одна цель")  # after heading 1.4 and its rows: becomes 1.5.
    printed = numbers(plan)
    assert "1.5." in printed
    assert printed.index("1.5.") == printed.index("1.4.3.") + 1

    # A row inserted before the heading 1.4 pushes it to 1.5.
    first_run = PlanRow.objects.filter(plan=plan, parent__code="I.", anchor=None)
    PlanRow.objects.create(plan=plan, parent=first_run[0].parent, anchor=None, order=4)
    printed = numbers(plan)
    assert printed[:9] == [
        "I.",
        "1.1.",
        "1.2.",
        "1.3.",
        "1.4.",
        "1.5.",
        "1.5.1.",
        "1.5.2.",
        "1.5.3.",
    ]
    assert "1.6." in printed


def test_deleting_rows_renumbers_siblings_and_their_children(plan):
    PlanRow.objects.filter(plan=plan, parent__code="3.1.", anchor=None).delete()  # 3.1.1, 3.1.2
    printed = numbers(plan)
    start = printed.index("3.1.")
    # 3.1.3 heading becomes 3.1.1 with its rows 3.1.1.1–3; 3.1.4 becomes 3.1.2.
    assert printed[start : start + 6] == [
        "3.1.",
        "3.1.1.",
        "3.1.1.1.",
        "3.1.1.2.",
        "3.1.1.3.",
        "3.1.2.",
    ]
    assert printed[start + 6] == "3.2."


def test_moving_a_row_changes_only_the_numbers_it_passes(plan):
    rows = list(PlanRow.objects.filter(plan=plan, parent__code="3.2.").order_by("order"))
    rows[0].activity, rows[6].activity = "первая", "седьмая"
    rows[0].order, rows[6].order = 7, 1
    PlanRow.objects.bulk_update([rows[0], rows[6]], ["order", "activity"])
    plan = Plan.objects.for_editor().get(pk=plan.pk)
    used = {g.level_id for g in plan.grades.all() if g.level_id}
    lines = number_lines(plan.year.template_items.all(), plan.rows.all(), used)
    by_text = {line.row.activity: line.number for line in lines if line.row and line.row.activity}
    assert by_text == {"седьмая": "3.2.1.", "первая": "3.2.7."}


def test_rows_under_a_direction_are_numbered_one_level_deeper(plan):
    add_row(plan, "3.4.12.1.", activity="Урок «Шоу профессий»", hours=4, grades=(6, 7))
    add_row(plan, "3.4.12.1.", activity="Открытый урок", hours=2, grades=(6,))
    printed = numbers(plan)
    position = printed.index("3.4.12.1.")
    assert printed[position : position + 4] == [
        "3.4.12.1.",
        "3.4.12.1.1.",
        "3.4.12.1.2.",
        "3.4.12.2.",
    ]


def test_hiding_a_level_block_renumbers_nothing_before_it(school, levels):
    only_main = make_plan(school, levels={grade: levels["main"].pk for grade in range(6, 12)})
    printed = numbers(only_main)
    assert "3.4.12." not in printed
    assert "3.4.13." in printed and "3.4.14." not in printed
    seed = [normalise(number) for number, _ in seed_items()]
    assert printed[: printed.index("3.4.13.")] == seed[: seed.index("3.4.12.")]
    assert printed[printed.index("IV.") :] == seed[seed.index("IV.") :]


def test_advanced_only_keeps_3_4_14(school, levels):
    plan = make_plan(school, levels={10: levels["advanced"].pk, 11: levels["advanced"].pk})
    printed = numbers(plan)
    assert "3.4.14." in printed and "3.4.12." not in printed and "3.4.13." not in printed
    assert printed[printed.index("3.4.14.") - 1] == "3.4.11."


def test_level_blocks_move_along_when_rows_reach_their_number(school, levels):
    plan = make_plan(school, levels={6: levels["basic"].pk, 8: levels["main"].pk})
    parent = TemplateItem.objects.get(year=plan.year, code="3.4.")
    for order in range(12, 15):  # 14 rows directly under 3.4 before the blocks
        PlanRow.objects.create(plan=plan, parent=parent, order=order)
    printed = numbers(plan)
    assert "3.4.14." in printed  # the 14th row
    assert printed[printed.index("3.4.14.") + 1] == "3.4.15."  # basic moves along
    assert "3.4.16." in printed  # main: max(16, 13)
    assert len(printed) == len(set(printed)), "two lines never share a number"


def test_no_levels_hides_all_blocks_but_keeps_sections(school):
    printed = numbers(make_plan(school))
    assert not any(number.startswith("3.4.1") and number.count(".") > 3 for number in printed)
    assert ["IV.", "4.1.", "4.2.", "4.3.", "4.4.", "V.", "5.1."] == printed[-7:]
