"""Playwright drives Debian's Chromium (/usr/bin/chromium), headless; no browser download."""

import pytest

from tests.signin import sign_in_with_code

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "ru-RU", "timezone_id": "Europe/Moscow"}


@pytest.fixture
def sign_in(live_server, page):
    """Sign in through the real login form (and the code page, for the centre) and
    return the page."""

    def sign_in(username: str, password: str = "profplan-demo"):
        page.goto(f"{live_server.url}/accounts/login/")
        sign_in_with_code(page, username, password)
        page.wait_for_load_state("networkidle")
        return page

    return sign_in
