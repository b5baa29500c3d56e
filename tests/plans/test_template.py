import pytest

from plans.models import ItemKind, TemplateItem
from tests.seed import seed_items

pytestmark = pytest.mark.django_db


def test_seed_parser_reads_the_whole_table():
    numbers = [number for number, _ in seed_items()]
    assert numbers[0] == "I."
    assert numbers[-1] == "5.1."
    assert len(numbers) == 80


def test_template_has_every_seed_number_in_order_with_its_title(year):
    items = {item.pk: item for item in TemplateItem.objects.filter(year=year)}

    def depth_first(parent_id):
        for item in sorted(
            (i for i in items.values() if i.parent_id == parent_id), key=lambda i: i.order
        ):
            yield item
            yield from depth_first(item.pk)

    template = [(item.code, item.title) for item in depth_first(None)]
    assert template == seed_items()


def test_section_3_2_keeps_its_empty_title(year):
    item = TemplateItem.objects.get(year=year, code="3.2.")
    assert item.title == ""
    assert item.accepts_rows


@pytest.mark.parametrize(
    ("block", "level", "directions"),
    [
        (
            "3.4.12.",
            "basic",
            ["lessons", "extracurricular", "upbringing", "additional_education", "parents"],
        ),
        (
            "3.4.13",
            "main",
            ["lessons", "extracurricular", "upbringing", "additional_education", "parents"],
        ),
        (
            "3.4.14",
            "advanced",
            [
                "lessons",
                "extracurricular",
                "upbringing",
                "additional_education",
                "vocational_training",
                "parents",
                "profile_classes",
            ],
        ),
    ],
)
def test_level_blocks_hold_exactly_the_seed_directions(year, block, level, directions):
    item = TemplateItem.objects.get(year=year, code=block)
    assert item.level.code == level
    children = item.children.order_by("order")
    assert [c.direction.code for c in children if c.direction] == directions
    assert all(c.kind == ItemKind.HEADING and c.accepts_rows for c in children)


def test_basic_block_has_the_variative_heading_without_direction(year):
    item = TemplateItem.objects.get(year=year, code="3.4.12.6.")
    assert item.direction is None
    assert item.title.startswith("Профориентационные мероприятия по выбору")


def test_sections_four_and_five_are_fixed_activities(year):
    fixed = TemplateItem.objects.filter(year=year, kind=ItemKind.FIXED).order_by(
        "parent__order", "order"
    )
    assert [item.code for item in fixed] == ["4.1.", "4.2.", "4.3.", "4.4.", "5.1."]


def test_levels_carry_their_thresholds_as_data(levels):
    assert {code: level.min_hours for code, level in levels.items()} == {
        "basic": 40,
        "main": 60,
        "advanced": 80,
    }
