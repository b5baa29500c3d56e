"""The ministry in the browser: the password, the code, then the region's plans list,
filtered to a municipality, a plan read-only, its execution with files counted; no
serious accessibility violation (axe-core) on the list."""

import os
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from playwright.sync_api import expect

from plans.models import Municipality, Plan, PlanComment, PlanStatus, Region
from plans.services import plan_touch, row_execution_record
from tests.browser.test_accessibility import AXE, violations
from tests.factories import SchoolFactory, UserFactory, add_row, make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where to leave screenshots to look at (unset: none are taken).
SHOTS = os.environ.get("PROFPLAN_SHOTS", "")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_the_ministry_reads_the_region_and_sees_no_names(
    reference, plan, school, sign_in, live_server, page
):
    region = Region.objects.default()
    ministry = UserFactory(username="ministry", is_ministry=True, region=region)
    ministry.set_password("profplan-demo")
    ministry.save()
    centre = UserFactory(username="metodist", first_name="Ирина", last_name="Тхагапсоева")
    centre.is_staff = True
    centre.region = region
    centre.save()
    deputy = UserFactory(username="deputy", first_name="Залина", last_name="Кармова", school=school)
    far = Municipality.objects.filter(region=region).exclude(pk=school.municipality_id).first()
    make_plan(SchoolFactory(short_name="МКОУ СОШ с. Дальнее", municipality=far))
    row = add_row(
        plan,
        "3.4.13.3.",
        activity="Экскурсия на предприятие «Терекалмаз»",
        hours=3,
        grades=(8, 9),
        start_date=date(2023, 10, 12),
        end_date=date(2023, 10, 12),
    )
    PlanComment.objects.create(plan=plan, row=row, author=centre, text="Уточните число классов")
    plan_touch(plan=plan, version=None, any_status=True)
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED)
    row.refresh_from_db()
    photo = SimpleUploadedFile("экскурсия.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    with TestCase.captureOnCommitCallbacks(execute=True):
        row_execution_record(
            row=row, by=deputy, data={"status": "done", "pupils": 27}, files=[photo]
        )

    page.add_init_script(path=str(AXE))  # axe-core, to check the pages' accessibility
    sign_in("ministry")  # the password, then the code of its app
    expect(page.get_by_role("heading", name="Планы профориентации")).to_be_visible()
    expect(page.get_by_role("link", name="Администрирование")).to_have_count(0)
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    assert violations(page) == [], "home"
    shot(page, "ministry-home")

    page.get_by_label("Муниципалитет").select_option(label=far.name)
    page.get_by_role("button", name="Показать").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("МКОУ СОШ с. Дальнее")

    page.goto(f"{live_server.url}{plan.get_absolute_url()}")
    expect(page.get_by_text("Уточните число классов", exact=True)).to_be_visible()
    expect(page.locator(f"#comments-{row.pk}")).to_contain_text("региональный центр")
    expect(page.locator("body")).not_to_contain_text("Тхагапсоева")
    expect(page.get_by_role("button", name="Сдать на рассмотрение")).to_have_count(0)
    shot(page, "ministry-plan")

    page.get_by_role("link", name="Исполнение плана").click()
    card = page.locator(f"#row-{row.pk}")
    expect(card).to_contain_text("файлов: 1")
    expect(card.get_by_role("link", name="экскурсия.jpg")).to_have_count(0)
    expect(card.get_by_role("link", name="Отметить")).to_have_count(0)
    shot(page, "ministry-execution")
    if SHOTS:
        card.screenshot(path=f"{SHOTS}/ministry-execution-row.png")

    page.get_by_role("link", name="Мониторинг региона").click()
    expect(page.get_by_role("heading", name="Мониторинг профминимума")).to_be_visible()
    expect(page.get_by_role("link", name="администрировании")).to_have_count(0)
    shot(page, "ministry-dashboard")
