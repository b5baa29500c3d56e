"""Defects found in use, each seen in a real browser before it was fixed."""

import pytest
from playwright.sync_api import expect

from accounts.roles import REGIONAL, ensure_roles
from plans import services
from plans.models import PlanStatus
from tests.factories import UserFactory
from tests.plans.test_editor import complete

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def account(username, **fields):
    user = UserFactory(username=username, **fields)
    user.set_password("profplan-demo")
    user.save()
    return user


@pytest.fixture
def returned_with_a_remark(reference, plan, school):
    deputy = account("deputy", school=school)
    reviewer = account("reviewer", is_staff=True)
    reviewer.groups.add(ensure_roles()[REGIONAL])
    complete(plan)
    services.plan_submit(plan=plan, by=deputy, version=None)
    row = plan.rows.filter(parent__code="3.4.12.1.").first()
    services.plan_comment_add(plan=plan, by=reviewer, text="Укажите темы уроков", row=row)
    services.plan_return(plan=plan, by=reviewer, comment="Дополните раздел 3.4.12")
    return plan, row


def test_answering_a_remark_then_saving_the_row_shows_the_remark_once(
    returned_with_a_remark, sign_in, live_server
):
    plan, row = returned_with_a_remark
    page = sign_in("deputy")
    page.goto(f"{live_server.url}{plan.get_absolute_url()}")
    thread = page.locator(f"#comments-{row.pk}")
    thread.get_by_label("Ответ на комментарий").fill("Темы: «Шоу профессий»")
    thread.get_by_role("button", name="Ответить").click()
    expect(thread).to_contain_text("Темы: «Шоу профессий»")

    page.locator(f"#row-{row.pk}").get_by_role("button", name="Изменить").click()
    form = page.locator(f"#row-{row.pk} form")
    form.get_by_label("Сроки").fill("октябрь")
    form.get_by_role("button", name="Сохранить").click()
    expect(page.locator(f"#row-{row.pk}")).to_contain_text("октябрь")
    expect(page.locator(f"#comments-{row.pk}")).to_have_count(1)
    expect(page.get_by_role("button", name="Отметить как исправленное")).to_have_count(1)
    # Once in the table (the list of open remarks above it quotes it once more).
    expect(page.locator("#plan-table").get_by_text("Укажите темы уроков")).to_have_count(1)

    # Opening the form and cancelling it does not copy the remarks either.
    page.locator(f"#row-{row.pk}").get_by_role("button", name="Изменить").click()
    page.locator(f"#row-{row.pk}").get_by_role("button", name="Отмена").click()
    expect(page.locator(f"#row-{row.pk}")).not_to_have_class("editing")
    expect(page.locator(f"#comments-{row.pk}")).to_have_count(1)


def test_submitting_asks_first_and_then_says_so_once(reference, plan, school, sign_in, live_server):
    account("deputy", school=school)
    complete(plan)
    page = sign_in("deputy")
    page.goto(f"{live_server.url}{plan.get_absolute_url()}")
    page.get_by_role("button", name="Сдать на рассмотрение").click()
    dialog = page.get_by_role("dialog", name="Сдать план на рассмотрение?")
    expect(dialog).to_contain_text("закрыт для изменений")
    dialog.get_by_role("button", name="Отмена").click()
    expect(dialog).to_be_hidden()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT

    page.get_by_role("button", name="Сдать на рассмотрение").click()
    dialog.get_by_role("button", name="Да, сдать план").click()
    expect(page.locator("#plan-status")).to_have_text("на рассмотрении")
    expect(page.get_by_role("alert").or_(page.get_by_role("status"))).to_have_count(1)
    expect(page.get_by_text("сдан на рассмотрение в региональный центр")).to_have_count(1)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


def test_the_open_remarks_list_follows_answers_without_a_reload(
    returned_with_a_remark, sign_in, live_server
):
    plan, row = returned_with_a_remark
    page = sign_in("deputy")
    page.goto(f"{live_server.url}{plan.get_absolute_url()}")
    remarks = page.locator("#open-comments")
    expect(remarks).to_contain_text("Укажите темы уроков")
    page.locator(f"#comments-{row.pk}").get_by_role(
        "button", name="Отметить как исправленное"
    ).click()
    expect(remarks).to_have_count(0)
    expect(page.locator("#open-comments-box")).to_have_count(1)
