"""The second factor in a browser: a centre account sets up its authenticator app,
signs out, signs in with the password and the code, and uses a recovery code once."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.roles import REGIONAL, ensure_roles
from tests.browser.test_accessibility import AXE, violations
from tests.browser.test_defects import account
from tests.browser.test_layout import screenshot_dir
from tests.signin import app_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def password(page, live_server, username="reviewer"):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill("profplan-demo")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_load_state("networkidle")


def sign_out(page):
    page.get_by_role("button", name="Выйти").click()
    expect(page.get_by_role("heading", name="Вход в Профплан")).to_be_visible()


def test_a_centre_account_enrols_signs_in_with_the_code_and_uses_a_recovery_code_once(
    reference, live_server, page, tmp_path
):
    reviewer = account("reviewer", is_staff=True, region=reference.region)
    reviewer.groups.add(ensure_roles()[REGIONAL])
    shots = screenshot_dir(tmp_path)
    page.add_init_script(path=str(AXE))

    # The password alone leads to the enrolment: a QR code and the key as text.
    password(page, live_server)
    expect(page.get_by_role("heading", name="Двухфакторная защита")).to_be_visible()
    expect(page.get_by_role("img", name="QR-код для приложения-аутентификатора")).to_be_visible()
    page.screenshot(path=shots / "second-factor-enrolment.png", full_page=True)
    assert violations(page) == [], "enrolment"
    key = page.locator("#second-factor-key").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{4}", key), key
    # The phone: an authenticator app computes codes from the key it was given.
    phone = TOTP(b32decode(key.replace(" ", "")))
    page.get_by_label("Код из приложения").fill("000000" if phone.token() else "111111")
    page.get_by_role("button", name="Подтвердить и включить").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("Код не подошёл")
    page.wait_for_timeout(1100)  # django-otp makes the try after a wrong code wait a second
    page.get_by_label("Код из приложения").fill(f"{phone.token():06d}")
    page.get_by_role("button", name="Подтвердить и включить").click()

    # Ten recovery codes, shown once, with «Скачать» and «Напечатать».
    expect(page.get_by_role("heading", name="Коды восстановления")).to_be_visible()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{4}-[a-z2-7]{4}", c) for c in codes)
    expect(page.get_by_role("link", name="Скачать")).to_be_visible()
    expect(page.get_by_role("button", name="Напечатать")).to_be_visible()
    page.screenshot(path=shots / "second-factor-recovery-codes.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Скачать").click()
    assert all(code in open(download.value.path(), encoding="utf-8").read() for code in codes)
    page.get_by_role("button", name="Я сохранил коды, продолжить").click()
    expect(page.get_by_role("heading", name="Планы профориентации")).to_be_visible()
    sign_out(page)

    # Password, then the code from the app.
    password(page, live_server)
    expect(page.get_by_role("heading", name="Подтвердите вход")).to_be_visible()
    page.screenshot(path=shots / "second-factor-code.png", full_page=True)
    assert violations(page) == [], "code page"
    device = TOTPDevice.objects.get(user=reviewer)
    assert b32decode(key.replace(" ", "")) == device.bin_key
    # The code the phone shows now, or the next one if this one was spent on enrolment.
    page.get_by_label("Код").fill(app_code(device))
    page.get_by_role("button", name="Подтвердить").click()
    expect(page.get_by_role("heading", name="Планы профориентации")).to_be_visible()
    page.goto(f"{live_server.url}/monitoring/dashboard/")
    expect(page).to_have_url(f"{live_server.url}/monitoring/dashboard/")
    sign_out(page)

    # A recovery code instead of the phone: once.
    password(page, live_server)
    page.get_by_label("Код").fill(codes[0])
    page.get_by_role("button", name="Подтвердить").click()
    expect(page.get_by_text("Вы вошли по коду восстановления")).to_be_visible()
    expect(page.get_by_text("Осталось кодов: 9")).to_be_visible()
    sign_out(page)

    password(page, live_server)
    page.get_by_label("Код").fill(codes[0])
    page.get_by_role("button", name="Подтвердить").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("уже использован")
    page.screenshot(path=shots / "second-factor-code-refused.png", full_page=True)
    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", name="Подтвердите вход")).to_be_visible()


def test_a_school_turns_it_on_from_the_profile_menu_and_off_again(
    reference, school, sign_in, live_server, page, tmp_path
):
    account("deputy", school=school)
    sign_in("deputy")  # the password alone: a school is not asked for a code
    expect(page.get_by_role("heading", name="Планы профориентации")).to_be_visible()
    page.locator(".nav-link.dropdown-toggle").click()
    page.get_by_role("link", name="Двухфакторная защита").click()
    expect(page.get_by_text("Отключена")).to_be_visible()
    page.get_by_role("link", name="Включить").click()
    key = page.locator("#second-factor-key").inner_text()
    page.get_by_label("Код из приложения").fill(
        f"{TOTP(b32decode(key.replace(' ', ''))).token():06d}"
    )
    page.get_by_role("button", name="Подтвердить и включить").click()
    page.get_by_role("button", name="Я сохранил коды, продолжить").click()
    expect(page.get_by_text("Включена")).to_be_visible()
    expect(page.get_by_text("Неиспользованных кодов восстановления: 10 из 10.")).to_be_visible()
    page.screenshot(path=screenshot_dir(tmp_path) / "second-factor-settings.png", full_page=True)
    page.get_by_role("button", name="Отключить").click()
    expect(page.get_by_role("alert")).to_contain_text("Двухфакторная защита отключена")
