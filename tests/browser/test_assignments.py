"""The deputy director hands the plan's rows out to the team: ticks every row with
«выбрать все», chooses the педагог-навигатор, «Назначить»; then one row from the
execution page, on a phone."""

import os
from datetime import date

import pytest
from playwright.sync_api import expect

from plans.models import Plan, PlanStatus, RowAssignment
from tests.factories import UserFactory, add_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("PROFPLAN_SCREENSHOTS")  # a folder: save pictures of the pages


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def team(reference, plan, school):
    deputy = UserFactory(username="deputy", school=school)
    deputy.set_password("profplan-demo")
    deputy.save()
    navigator = UserFactory(
        username="navigator",
        school=school,
        school_role="member",
        team_position="navigator",
        first_name="Анна Петровна",
        last_name="Иванова",
    )
    return deputy, navigator


def test_deputy_assigns_every_row_to_the_navigator(team, plan, sign_in, live_server, page):
    deputy, navigator = team
    rows = [add_row(plan, "3.2.", activity=f"Профпроба {n}", period="октябрь") for n in range(3)]
    sign_in("deputy")
    page.goto(f"{live_server.url}{plan.get_absolute_url()}")
    page.locator("#assign-link").click()
    expect(page.get_by_role("heading", name="Исполнители мероприятий")).to_be_visible()
    page.get_by_label("Выбрать все строки").check()
    page.get_by_label("Кого").select_option(label="Иванова А. П., педагог-навигатор")
    shot(page, "assign-before")
    page.get_by_role("button", name="Назначить").click()
    markable = len(page.locator(".js-row-check").all())
    expect(page.get_by_text(f"назначено строк – {markable}.")).to_be_visible()
    expect(page.locator(f"#row-{rows[0].pk} .assignees")).to_contain_text("Иванова А. П.")
    shot(page, "assign-after")
    assert RowAssignment.objects.filter(person=navigator).count() == markable


def test_deputy_assigns_a_row_from_the_execution_page_on_a_phone(
    team, plan, sign_in, live_server, page
):
    page.set_viewport_size({"width": 390, "height": 844})
    deputy, navigator = team
    row = add_row(plan, "3.2.", activity="Экскурсия на завод", start_date=date(2023, 10, 5))
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED)
    sign_in("deputy")
    page.goto(f"{live_server.url}/plans/{plan.pk}/execution/")
    page.locator(f"#row-{row.pk} .row-assignees-link").click()
    page.get_by_label("Иванова А. П., педагог-навигатор").check()
    shot(page, "row-assignees")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Исполнители назначены")).to_be_visible()
    expect(page.locator(f"#row-{row.pk} .row-assignees")).to_contain_text(
        "Иванова А. П., педагог-навигатор"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    if SHOTS:
        page.locator(f"#row-{row.pk}").screenshot(path=os.path.join(SHOTS, "execution-row.png"))


def test_a_word_plan_offers_its_names_to_the_team(reference, school, sign_in, tmp_path):
    from plans.models import Plan
    from tests.plans.imports.wordfiles import docx_bytes, seed_lines

    deputy = UserFactory(username="deputy", school=school)
    deputy.set_password("profplan-demo")
    deputy.save()
    navigator = UserFactory(
        username="navigator",
        school=school,
        school_role="member",
        team_position="navigator",
        first_name="Анна Петровна",
        last_name="Иванова",
    )
    path = tmp_path / "план.docx"
    path.write_bytes(
        docx_bytes(
            seed_lines(
                fill={
                    "3.2.1.": ["Экскурсия на хлебозавод", "октябрь", "зам. директора Иванова"],
                    "3.2.2.": ["Встреча с выпускниками", "декабрь", "Иванова А.П."],
                }
            )
        )
    )
    page = sign_in("deputy")
    page.get_by_role("link", name="Загрузить план из Word").click()
    page.get_by_label("План в Word (.docx)").set_input_files(str(path))
    page.get_by_role("button", name="Проверить файл").click()
    offers = page.locator("#import-team-offers")
    expect(offers).to_contain_text("Иванова А. П., педагог-навигатор")
    if SHOTS:
        offers.screenshot(path=os.path.join(SHOTS, "import-offers.png"))
    offers.get_by_label("Встреча с выпускниками", exact=False).uncheck()
    page.get_by_role("button", name="Создать черновик плана из файла").click()
    expect(page.locator(".alert-success")).to_contain_text("Назначено исполнителей из команды: 1.")
    plan = Plan.objects.get(school=school)
    assert list(plan.rows.get(activity="Экскурсия на хлебозавод").assignees.all()) == [navigator]
    assert not plan.rows.get(activity="Встреча с выпускниками").assignees.exists()
