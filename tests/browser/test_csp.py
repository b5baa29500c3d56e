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


# Chromium reports a blocked inline script, handler, eval or style on the console
# («Refused to …») and fires `securitypolicyviolation` on the document; both are
# collected from before the first script of each page runs.
CATCH_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', (event) => {
  window.__violations = window.__violations || [];
  window.__violations.push(event.violatedDirective + ' ' + (event.blockedURI || 'inline'));
});
"""


def test_the_centres_pages_and_the_admin_run_without_a_policy_violation(
    reference, plan, school, sign_in, live_server, page
):
    from accounts.roles import REGIONAL, ensure_roles
    from plans import services

    from .test_review import account, complete

    deputy = account("deputy", school=school)
    reviewer = account("reviewer", is_staff=True)
    reviewer.groups.add(ensure_roles()[REGIONAL])
    complete(plan)
    services.plan_submit(plan=plan, by=deputy, version=None)
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.on("pageerror", lambda error: messages.append(str(error)))
    page.add_init_script(CATCH_VIOLATIONS)

    sign_in("reviewer")
    seen = {}
    for path in (
        "/monitoring/dashboard/",
        f"/plans/{plan.pk}/",
        "/admin/",
        "/admin/plans/plan/",
        f"/admin/plans/plan/{plan.pk}/change/",
        f"/admin/plans/plan/{plan.pk}/review/",
        "/admin/plans/rowexecution/",
        "/admin/plans/plan/?status__exact=submitted",
    ):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        seen[path] = page.evaluate("window.__violations || []")
    # The review screen's own controls still work under the policy.
    page.goto(f"{live_server.url}/admin/plans/plan/{plan.pk}/review/")
    page.get_by_role("button", name="Вернуть на доработку").click()
    expect(page.get_by_text("Укажите, что нужно исправить")).to_be_visible()
    seen["review, after a refused return"] = page.evaluate("window.__violations || []")

    assert {path: found for path, found in seen.items() if found} == {}
    violations = [m for m in messages if "Content Security Policy" in m or "Refused to" in m]
    assert violations == []
