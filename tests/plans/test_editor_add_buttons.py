"""A heading and its last sub-heading share the place of their «Добавить мероприятие»
buttons (the heading's rows go after the sub-heading's): the sub-heading's button
comes first, as its rows do, so each form opens where its row will stand."""

import re

import pytest

from plans.models import TemplateItem
from tests.factories import add_row

pytestmark = pytest.mark.django_db


def test_the_order_holds_with_rows_under_both(client, deputy, plan):
    add_row(plan, "3.1.3.", activity="Положение о профориентации")
    top = TemplateItem.objects.get(year=plan.year, code="3.1.")
    row = add_row(plan, "3.1.", activity="Приказ о профминимуме")
    assert row.anchor == top.children.exclude(kind="row").order_by("-order").first()
    client.force_login(deputy)
    page = client.get(plan.get_absolute_url()).content.decode()
    inner_pk = TemplateItem.objects.get(year=plan.year, code="3.1.3.").pk
    inner = page.index(f'data-add-under="{inner_pk}"')
    outer = page.index(f'data-add-under="{top.pk}"')
    # Each button closes its own rows: the sub-heading's, then the heading's.
    assert page.index("Положение о профориентации") < inner < page.index("Приказ о профминимуме")
    assert page.index("Приказ о профминимуме") < outer


def shared_places(page: str) -> list[list[int]]:
    """The ids of the items of «Добавить мероприятие» buttons that stand together (no
    line of the plan between them), per place."""
    places, current = [], []
    for match in re.finditer(r'<tr(?: class="([^"]*)")?(?: id="add-(\d+)")?', page):
        if match.group(2) and "add-row" in (match.group(1) or ""):
            current.append(int(match.group(2)))
            continue
        if len(current) > 1:
            places.append(current)
        current = []
    if len(current) > 1:
        places.append(current)
    return places


def test_every_shared_place_puts_the_deeper_heading_first(client, deputy, plan):
    """Wherever buttons stand together, each one is under the next."""
    client.force_login(deputy)
    page = client.get(plan.get_absolute_url()).content.decode()
    places = shared_places(page)
    items = TemplateItem.objects.filter(year=plan.year)
    codes = {item.pk: item.code for item in items}
    parents = {item.pk: item.parent_id for item in items}

    def under(inner, outer):
        while inner is not None:
            inner = parents[inner]
            if inner == outer:
                return True
        return False

    # Sections I and II end with their last heading: both buttons at the section's end.
    named = [[codes[pk] for pk in place] for place in places]
    assert ["1.4.", "I."] in named and ["2.2.", "II."] in named
    for place in places:
        assert all(under(a, b) for a, b in zip(place, place[1:], strict=False)), place
