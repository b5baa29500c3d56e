"""The pages work under the Content-Security-Policy that production sends."""

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory, make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_editor_adds_a_row_without_a_single_policy_violation(
    reference, school, sign_in, live_server, page
):
    user = UserFactory(username="deputy", school=school)
    user.set_password("profplan-demo")
    user.save()
    plan = make_plan(school)
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.on("pageerror", lambda error: messages.append(str(error)))

    sign_in("deputy")
    response = page.goto(f"{live_server.url}/plans/{plan.pk}/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator("button[data-add-under]").first.click()
    form = page.locator("tr.new-row")
    form.locator("textarea[name=activity]").fill("Экскурсия в колледж")
    form.get_by_role("button", name="Добавить", exact=True).click()
    expect(page.locator("#plan-table")).to_contain_text("Экскурсия в колледж")
    expect(page.locator("tr.new-row")).to_have_count(0)

    violations = [m for m in messages if "Content Security Policy" in m or "Refused to" in m]
    assert violations == []
