"""A warning before the session ends; «Остаться в системе» keeps it; signing in
again brings the user back to the page."""

import time

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory, make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def deputy_account(reference, school):
    user = UserFactory(username="deputy", school=school)
    user.set_password("profplan-demo")
    user.save()
    return user


def test_warning_appears_and_staying_keeps_the_session(
    deputy_account, settings, sign_in, live_server
):
    settings.SESSION_COOKIE_AGE = 12
    settings.SESSION_WARNING_SECONDS = 8  # the script warns at most half the age ahead: 6 s
    page = sign_in("deputy")
    loaded = time.monotonic()
    warning = page.locator("#session-warning")
    expect(warning).to_be_visible(timeout=12_000)
    expect(warning).to_contain_text("Сеанс работы закончится через")
    warning.get_by_role("button", name="Остаться в системе").click()
    expect(warning).to_have_count(0)

    # Past the moment the session would have ended without the click.
    time.sleep(max(0, 13.5 - (time.monotonic() - loaded)))
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" not in page.url
    expect(page.get_by_role("heading", name="Планы профориентации")).to_be_visible()


def test_after_the_session_ends_signing_in_returns_to_the_plan(
    deputy_account, school, settings, sign_in, live_server
):
    settings.SESSION_COOKIE_AGE = 4
    plan = make_plan(school)
    page = sign_in("deputy")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    warning = page.locator("#session-warning")
    expect(warning).to_contain_text("Сеанс работы истёк", timeout=10_000)
    warning.get_by_role("link", name="Войти снова").click()
    page.get_by_label("Имя пользователя").fill("deputy")
    page.get_by_label("Пароль").fill("profplan-demo")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"{live_server.url}/plans/{plan.pk}/")
