"""Accessible: axe-core (vendored for the tests, tests/browser/vendor/) finds no serious
or critical violation on the pages each user works on; the deputy adds a row and
submits the plan with the keyboard alone."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from plans.models import Plan, PlanStatus
from tests.browser.test_layout import demo_plan  # noqa: F401  (a fixture)
from tests.signin import sign_in_with_code

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
    sign_in_with_code(page, username)
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
    # Approved, with nothing delivered yet: the dashboard lists the school as behind.
    from plans.services import plan_delivery_store

    Plan.objects.filter(pk=submitted.pk).update(status=PlanStatus.APPROVED)
    plan_delivery_store(plan=submitted)
    page.goto(f"{live_server.url}/monitoring/dashboard/")
    assert page.locator("#behind a").count() > 0
    assert violations(page) == [], "dashboard"


def tab_to(page, selector: str, limit: int = 800, back: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the element matching `selector` has the focus."""
    for _ in range(limit):
        if page.evaluate("s => !!document.activeElement?.matches(s)", selector):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    raise AssertionError(f"{selector} cannot be reached with Tab")


def test_add_a_row_and_submit_with_the_keyboard_alone(reference, plan, school, live_server, page):
    from tests.browser.test_defects import account
    from tests.plans.test_editor import complete

    account("deputy", school=school)
    complete(plan)
    heading = plan.year.template_items.get(code="3.4.12.5.")

    page.goto(f"{live_server.url}/accounts/login/")
    tab_to(page, "input[name=username]")
    page.keyboard.type("deputy")
    page.keyboard.press("Tab")
    page.keyboard.type("profplan-demo")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")

    tab_to(page, f'a[href="{plan.get_absolute_url()}"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}{plan.get_absolute_url()}")
    page.wait_for_load_state("networkidle")

    tab_to(page, f'button[data-add-under="{heading.pk}"]')
    page.keyboard.press("Enter")
    expect(page.locator("tr.new-row")).to_be_visible()
    expect(page.locator(".htmx-added")).to_have_count(0)
    tab_to(page, "tr.new-row textarea[name=activity]")
    page.keyboard.type("Родительское собрание «Профессии будущего»")
    tab_to(page, "tr.new-row input[name=hours]")
    page.keyboard.type("1,5")
    tab_to(page, "tr.new-row input[name=grades][value='6']")
    page.keyboard.press("Space")
    tab_to(page, "tr.new-row [name=period]")
    page.keyboard.type("сентябрь")
    tab_to(page, "tr.new-row [name=responsible]")
    page.keyboard.type("Классные руководители")
    tab_to(page, "tr.new-row button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("tr.new-row")).to_have_count(0)
    expect(page.locator("#plan-table")).to_contain_text(
        "Родительское собрание «Профессии будущего»"
    )

    tab_to(page, "#plan-actions button[data-bs-target='#submit-confirm']", back=True)
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Сдать план на рассмотрение?")
    expect(dialog).to_be_visible()
    tab_to(page, "#submit-confirm button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#plan-status")).to_have_text("на рассмотрении")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    row = plan.rows.get(activity="Родительское собрание «Профессии будущего»")
    assert list(row.grades) == [6]
