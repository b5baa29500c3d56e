"""The centre prepares next year's template on its pages; a school starts its plan from it."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.roles import REGIONAL, ensure_roles
from plans import services
from plans.models import Level, Plan, SchoolYear
from tests.factories import SchoolFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RENAMED = "КАДРОВОЕ ОБЕСПЕЧЕНИЕ И НАСТАВНИЧЕСТВО"


def account(username, **fields):
    user = UserFactory(username=username, **fields)
    user.set_password("profplan-demo")
    user.save()
    return user


def screenshot(page, name: str) -> None:
    """Where PROFPLAN_SCREENSHOTS names a directory, keep a picture of the page to look at."""
    folder = os.environ.get("PROFPLAN_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=False)


def test_the_centre_publishes_next_year_and_a_school_starts_its_plan_from_it(
    reference, sign_in, live_server, page
):
    # Last year's rule for the basic level was another figure, so that the change to
    # 40 on the page is one the school can only have seen through the new template.
    services.level_hours_set(level=Level.objects.get(year=reference, code="basic"), min_hours=34)
    reviewer = account("reviewer", is_staff=True)
    reviewer.groups.add(ensure_roles()[REGIONAL])
    school = SchoolFactory()
    account("deputy", school=school)

    sign_in("reviewer")
    page.goto(f"{live_server.url}/templates/")
    page.get_by_role("button", name="Начать следующий учебный год").click()
    expect(
        page.get_by_role("heading", name="Примерный план на 2024-2025 учебный год")
    ).to_be_visible()
    expect(page.get_by_text("Черновик: школы не могут начать план")).to_be_visible()

    title = page.get_by_label("Наименование пункта 3.3.", exact=True)
    title.fill(RENAMED)
    title.locator("xpath=ancestor::form").get_by_role("button", name="Переименовать").click()
    expect(page.get_by_text("Пункт 3.3. переименован.")).to_be_visible()
    expect(page.get_by_label("Наименование пункта 3.3.", exact=True)).to_have_value(RENAMED)

    hours = page.get_by_label("Базовый, не менее часов в год")
    expect(hours).to_have_value("34")
    hours.fill("40")
    page.get_by_role("button", name="Сохранить уровни и направления").click()
    expect(page.get_by_text("Уровни и направления сохранены.")).to_be_visible()
    expect(page.get_by_label("Базовый, не менее часов в год")).to_have_value("40")

    page.get_by_role("button", name="Опубликовать").click()
    expect(page.get_by_text("опубликован (редакция 1)")).to_be_visible()
    expect(page.locator("[data-test=status]")).to_have_text("опубликован, редакция 1")
    screenshot(page, "template-2024-2025")

    page.context.clear_cookies()
    sign_in("deputy")
    expect(
        page.get_by_role("heading", name="План на 2024-2025 учебный год ещё не начат")
    ).to_be_visible()
    page.get_by_role("button", name="Начать план").click()
    expect(page.get_by_text("План на 2024-2025 учебный год создан.")).to_be_visible()
    # The level selects post on change once htmx has wired them: under load the page
    # shows before its deferred scripts have run, and a change made then is lost.
    page.wait_for_load_state("networkidle")
    plan = Plan.objects.get(school=school)
    assert plan.year == SchoolYear.objects.get(title="2024-2025")

    table = page.locator("#plan-table")
    expect(table.get_by_role("row", name=f"3.3. {RENAMED}")).to_be_visible()
    page.get_by_label("6 класс").select_option(label="базовый (40 ч)")
    expect(page.locator('.grade-check[data-grade="6"]')).to_contain_text("0 из 40 ч · базовый")

    # The plan's own note, drawn from the new year's preamble.
    page.locator("#plan-note summary").click()
    note = page.get_by_label("Пояснительная записка")
    expect(note).to_have_value(
        re.compile(
            rf"^План {re.escape(school.short_name)} на 2024-2025 учебный год .*не менее 40 часов",
            re.S,
        )
    )
    screenshot(page, "plan-2024-2025")
