"""A new school year is a copy of last year's reference data; last year stays as it was."""

from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from plans.models import ActivityTemplate, Direction, Level, PlanRow, SchoolYear, TemplateItem
from plans.services import school_year_copy, year_title_substitute
from tests.factories import add_row
from tests.signin import log_in

pytestmark = pytest.mark.django_db


def copy(year, title="2024-2025"):
    return school_year_copy(
        source=year, title=title, start_date=date(2024, 9, 1), end_date=date(2025, 8, 31)
    )


def tree(year):
    """Each item as (code, parent's code, order, kind, title, level code, direction code)."""
    return sorted(
        (
            item.code,
            item.parent.code if item.parent else None,
            item.order,
            item.kind,
            item.accepts_rows,
            item.level.code if item.level else None,
            item.direction.code if item.direction else None,
        )
        for item in TemplateItem.objects.filter(year=year).select_related(
            "parent", "level", "direction"
        )
    )


def test_every_item_is_copied_with_the_same_codes_order_and_tree_shape(year):
    new = copy(year)
    assert TemplateItem.objects.filter(year=new).count() == 80
    assert tree(new) == tree(year)
    # Parents are the new year's items, never last year's.
    assert (
        not TemplateItem.objects.filter(year=new)
        .exclude(parent=None)
        .exclude(parent__year=new)
        .exists()
    )


def test_level_blocks_and_directions_point_at_the_new_years_copies(year):
    new = copy(year)
    assert sorted(Level.objects.filter(year=new).values_list("code", "min_hours")) == sorted(
        Level.objects.filter(year=year).values_list("code", "min_hours")
    )
    assert Direction.objects.filter(year=new).count() == 7
    blocks = TemplateItem.objects.filter(year=new).exclude(level=None)
    old_blocks = TemplateItem.objects.filter(year=year).exclude(level=None)
    assert {(b.code, b.level.code) for b in blocks} == {(b.code, b.level.code) for b in old_blocks}
    assert {b.level.code for b in blocks} == {"basic", "main", "advanced"}
    assert all(b.level.year_id == new.pk for b in blocks)
    with_direction = TemplateItem.objects.filter(year=new).exclude(direction=None)
    assert (
        with_direction.count()
        == TemplateItem.objects.filter(year=year).exclude(direction=None).count()
        > 0
    )
    assert all(item.direction.year_id == new.pk for item in with_direction)


def test_catalogue_is_copied_with_directions_of_the_new_year(year):
    new = copy(year)
    old_titles = sorted(ActivityTemplate.objects.filter(year=year).values_list("title", flat=True))
    new_activities = ActivityTemplate.objects.filter(year=new).select_related("direction")
    assert sorted(a.title for a in new_activities) == old_titles
    assert all(a.direction is None or a.direction.year_id == new.pk for a in new_activities)
    # The date of the ministry's letter names a document: it is not a school year.
    assert any("01.06.2023" in a.documents for a in new_activities)


def test_texts_that_name_the_old_year_get_the_new_one(year):
    new = copy(year)
    section = TemplateItem.objects.get(year=new, code="I.")
    analysis = TemplateItem.objects.get(year=new, code="4.4.")
    assert section.title.endswith("на 2024-2025 учебный год")
    assert analysis.title.endswith("в 2024-2025 уч.г.")
    assert not TemplateItem.objects.filter(year=new, title__contains="2023-2024").exists()
    assert TemplateItem.objects.get(year=year, code="I.").title.endswith("на 2023-2024 учебный год")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("на 2023-2024 учебный год", "на 2024-2025 учебный год"),
        ("в 2023–2024 уч.г.", "в 2024–2025 уч.г."),
        ("2023/2024", "2024/2025"),
        ("Письмо от 01.06.2023 № АБ-2324/05", "Письмо от 01.06.2023 № АБ-2324/05"),
        ("12023-20245", "12023-20245"),
    ],
)
def test_year_substitution_touches_only_the_school_year(text, expected):
    assert year_title_substitute(text, "2023-2024", "2024-2025") == expected


def test_last_years_plans_are_untouched(year, plan):
    add_row(plan, "3.4.12.1.", activity="Урок «Шоу профессий»", hours=4, grades=(6,))
    before = list(
        PlanRow.objects.filter(plan=plan)
        .order_by("pk")
        .values_list("pk", "parent_id", "anchor_id", "fixed_item_id", "activity")
    )
    items_before = list(TemplateItem.objects.filter(year=year).values().order_by("pk"))
    copy(year)
    plan.refresh_from_db()
    assert plan.year_id == year.pk
    assert (
        list(
            PlanRow.objects.filter(plan=plan)
            .order_by("pk")
            .values_list("pk", "parent_id", "anchor_id", "fixed_item_id", "activity")
        )
        == before
    )
    assert list(TemplateItem.objects.filter(year=year).values().order_by("pk")) == items_before


def test_copying_twice_to_the_same_title_is_refused(year):
    copy(year)
    with pytest.raises(ValidationError, match="Учебный год «2024-2025» уже есть"):
        copy(year)
    assert SchoolYear.objects.filter(title="2024-2025").count() == 1
    assert TemplateItem.objects.filter(year__title="2024-2025").count() == 80


def test_the_submission_window_moves_with_the_year(year):
    new = copy(year)
    assert new.submission_opens == date(2024, 8, 21)
    assert new.submission_closes == date(2024, 9, 29)


def test_admin_action_creates_the_next_year(client, superuser, year):
    log_in(client, superuser)
    response = client.post(
        reverse("admin:plans_schoolyear_changelist"),
        {"action": "copy_to_next_year", "_selected_action": [year.pk]},
        follow=True,
    )
    assert "Создан учебный год 2024-2025" in response.content.decode()
    new = SchoolYear.objects.get(title="2024-2025")
    assert (new.start_date, new.end_date) == (date(2024, 9, 1), date(2025, 8, 31))
    assert tree(new) == tree(year)

    again = client.post(
        reverse("admin:plans_schoolyear_changelist"),
        {"action": "copy_to_next_year", "_selected_action": [year.pk]},
        follow=True,
    )
    assert "Учебный год «2024-2025» уже есть" in again.content.decode()
    assert SchoolYear.objects.filter(title="2024-2025").count() == 1


def test_management_command_copies_and_refuses_a_second_time(year):
    out = StringIO()
    call_command("copy_school_year", "2023-2024", "2024-2025", stdout=out)
    assert "Создан учебный год 2024-2025 (01.09.2024–31.08.2025)" in out.getvalue()
    assert "пунктов примерного плана: 80" in out.getvalue()
    with pytest.raises(CommandError, match="уже есть"):
        call_command("copy_school_year", "2023-2024", "2024-2025", stdout=StringIO())
    with pytest.raises(CommandError, match="Учебного года «1999-2000» нет"):
        call_command("copy_school_year", "1999-2000", "2000-2001", stdout=StringIO())
