"""The regional centre reviews a plan in the admin; the school sees the outcome."""

import pytest
from playwright.sync_api import expect

from accounts.roles import REGIONAL, ensure_roles
from plans import services
from plans.models import PlanStatus
from tests.factories import UserFactory
from tests.plans.test_editor import complete
from tests.signin import sign_in_with_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def account(username, **fields):
    user = UserFactory(username=username, **fields)
    user.set_password("profplan-demo")
    user.save()
    return user


def test_reviewer_comments_on_a_row_and_returns_the_plan_then_the_school_answers(
    reference, plan, school, sign_in, live_server, page
):
    deputy = account("deputy", school=school)
    reviewer = account("reviewer", is_staff=True, first_name="Ирина", last_name="Тхагапсоева")
    reviewer.groups.add(ensure_roles()[REGIONAL])
    complete(plan)
    services.plan_submit(plan=plan, by=deputy, version=None)
    row = plan.rows.filter(parent__code="3.4.12.1.").first()

    page.goto(f"{live_server.url}/admin/login/")
    sign_in_with_code(page, "reviewer")
    page.goto(f"{live_server.url}/admin/plans/plan/?status__exact=submitted")
    page.get_by_role("link", name=school.short_name).click()
    expect(page.get_by_role("heading", name="Таблица 1")).to_be_visible()

    page.get_by_text("Комментарий к строке 3.4.12.1.1.").click()
    page.get_by_label("Комментарий к строке 3.4.12.1.1.").fill("Укажите темы открытых уроков")
    page.locator(f"#row-{row.pk} + tr.comments").get_by_role("button", name="Добавить").click()
    expect(page.get_by_text("Комментарий добавлен.")).to_be_visible()

    page.get_by_role("button", name="Вернуть на доработку").click()
    expect(page.get_by_text("Укажите, что нужно исправить")).to_be_visible()  # no comment: refused
    page.get_by_label("Комментарий (обязателен для возврата):").fill("Дополните раздел 3.4.12")
    page.get_by_role("button", name="Вернуть на доработку").click()
    expect(page.locator("#review-status")).to_have_text("возвращён на доработку")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED

    page.context.clear_cookies()
    sign_in("deputy")
    page.goto(f"{live_server.url}{plan.get_absolute_url()}")
    expect(page.locator("#plan-status")).to_have_text("возвращён на доработку")
    expect(page.locator("#timeline")).to_contain_text("Дополните раздел 3.4.12")
    comments = page.locator(f"#comments-{row.pk}")
    expect(comments).to_contain_text("Укажите темы открытых уроков")
    comments.get_by_label("Ответ на комментарий").fill("Темы: «Шоу профессий», «Инженер»")
    comments.get_by_role("button", name="Ответить").click()
    expect(page.locator(f"#comments-{row.pk}")).to_contain_text("Темы: «Шоу профессий», «Инженер»")
    page.locator(f"#comments-{row.pk}").get_by_role(
        "button", name="Отметить как исправленное"
    ).click()
    expect(page.locator(f"#comments-{row.pk}")).to_contain_text("снят")
