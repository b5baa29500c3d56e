"""Signing a test client in as the sign-in pages would leave it.

`log_in(client, user)` is `client.force_login(user)`, and for an account that must use
the second factor (accounts/access.py: the regional centre, superusers) the code passed
too: the account gets a confirmed authenticator app if it has none, and the session is
marked verified by it, as django_otp.login() does after the code page. Tests of what a
password alone may reach use `client.force_login` itself.
"""

import time

from django.contrib.auth import get_user_model
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import access


def log_in(client, user):
    client.force_login(user)
    if access.must_use_second_factor(user):
        pass_second_factor(client, user)
    return client


def pass_second_factor(client, user) -> TOTPDevice:
    """Mark the client's session as having passed the code with the user's app."""
    device = app_of(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def app_of(user) -> TOTPDevice:
    """The user's confirmed authenticator app, made if there is none (a test's phone)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Тесты", confirmed=True)
    return device


def app_code(device: TOTPDevice) -> str:
    """The code the app shows now, or, if this time step's code was already used (two
    sign-ins within 30 seconds), the next step's, which the server takes too (it allows
    one step of clock drift); past that, it waits for a new code, as a person would."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = time.time()
    target = max(totp.t(), device.last_t + 1)
    while target > totp.t() + device.drift + device.tolerance:
        time.sleep(1)
        totp.time = time.time()
    totp.time = device.t0 + target * device.step + 1
    return f"{totp.token():0{device.digits}d}"


# --- In the browser (Playwright) -------------------------------------------------


def pass_code_page(page, username: str):
    """After the password, for an account that must use the second factor: the code page,
    answered with the code of the account's app (given one here if it has none, as if it
    had been set up before). Any other account's page is left as it is."""
    page.wait_for_load_state("networkidle")
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not access.must_use_second_factor(user) or "/second-factor/" not in page.url:
        return page
    page.get_by_label("Код").fill(app_code(app_of(user)))
    page.get_by_role("button", name="Подтвердить").click()
    page.wait_for_load_state("networkidle")
    return page


def sign_in_with_code(page, username: str, password: str = "profplan-demo"):
    """Before the password: an account that must use the second factor gets its app, so
    that the sign-in leads to the code page, not to the enrolment."""
    user = get_user_model().objects.filter(username=username).first()
    if user is not None and access.must_use_second_factor(user):
        app_of(user)
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    return pass_code_page(page, username)
