"""The second factor: a one-time code from an authenticator app (TOTP, django-otp)
and ten single-use recovery codes.

Who must use it is accounts/access.py's rule (`must_use_second_factor`); a school or
a coordinator may turn it on for itself. accounts/middleware.py sends a session that
is signed in with the password alone to the code page (or, without a device yet, to
the enrolment page) before any other page; the views are accounts/views.py. Every
change and every check is announced by the signals of accounts/signals.py.

A user has at most one TOTPDevice (the app) and one StaticDevice (the recovery codes;
django-otp's `manage.py addstatictoken` may add another). The app being set up is
written only when its first code confirms it; until then its key is in the session.
"""

import re
import time
from base64 import b32encode

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.dispatch import receiver
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from profplan import qr

from . import access
from .signals import device_changed, otp_failed, otp_verified

RECOVERY_CODES = 10
APP_DEVICE_NAME = "Приложение-аутентификатор"
RECOVERY_DEVICE_NAME = "Коды восстановления"
# Whether a school's or a coordinator's account has turned the second factor on, kept
# in the session at sign-in so that their pages ask no query for it.
SESSION_FLAG = "second_factor_on"
# The key of the app being set up, between the enrolment page and its first code.
SESSION_PENDING_KEY = "second_factor_pending_key"
# Recovery codes just issued: shown (and downloadable) until the user confirms that
# they are saved, never again.
SESSION_NEW_CODES = "second_factor_new_codes"

TOTP_FORMAT = re.compile(r"^\d{6}$")
RECOVERY_FORMAT = re.compile(r"^[a-z2-7]{8}$")


class SecondFactorError(Exception):
    """A code refused, with the words for the user."""

    def __init__(self, message: str, reason: str = "wrong"):
        super().__init__(message)
        self.message = message
        self.reason = reason


# --- Reads -------------------------------------------------------------------------


def app_device(user):
    """The user's authenticator app (a TOTPDevice), or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def is_on(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_required(request) -> bool:
    """This session must pass the second factor before it sees any page: the account
    must use it (access.py), or has turned it on. The second is read from the session
    (SESSION_FLAG, set at sign-in), once from the database for a session older than it."""
    user = request.user
    if not user.is_authenticated:
        return False
    if access.must_use_second_factor(user):
        return True
    flag = request.session.get(SESSION_FLAG)
    if flag is None:
        flag = request.session[SESSION_FLAG] = is_on(user)
    return flag


@receiver(user_logged_in, dispatch_uid="accounts.second_factor.remember")
def _remember_on_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_FLAG] = not access.must_use_second_factor(user) and is_on(user)


def normalise(code: str) -> str:
    """What the user typed, as stored: no spaces or hyphens, lower case (recovery codes
    are shown as «abcd-efgh»)."""
    return re.sub(r"[\s\-]", "", code or "").lower()


def key_text(device) -> str:
    """The key as the apps take it when typed: base32, in groups of four."""
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(device) -> str:
    """The device's otpauth:// address as an inline SVG QR code (made from the key
    alone)."""
    return qr.qr_svg(
        device.config_url,
        css_class="second-factor-qr",
        label="QR-код для приложения-аутентификатора",
    )


def show_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


# --- Changes ---------------------------------------------------------------------------


def device_new(*, user, key: str = "") -> TOTPDevice:
    """The app being set up, unsaved: nothing is written before its first code. `key` is
    the one already on the enrolment page (the view keeps it in the session, so that a
    reload does not change what the app has scanned); a new random key without it."""
    device = TOTPDevice(user=user, name=APP_DEVICE_NAME, confirmed=False)
    if key:
        device.key = key
    return device


def device_confirm(*, request, user, key: str, token: str) -> tuple[TOTPDevice, list[str]]:
    """The first code from the app set up with `key` turns the second factor on; returns
    the device and the ten new recovery codes (shown once). Raises SecondFactorError for
    a wrong code. A device already on stays: a password alone must not replace it."""
    token = normalise(token)
    if not TOTP_FORMAT.match(token):
        _refuse(request, user, None, "enrolment", "Введите 6 цифр, которые показывает приложение.")
    device = device_new(user=user, key=key)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if not totp.verify(int(token), device.tolerance):
        # No throttling here: whoever enrols knows the key; there is nothing to guess.
        _refuse(
            request,
            user,
            None,
            "enrolment",
            "Код не подошёл. Проверьте, что ключ введён без ошибок, а время на телефоне "
            "установлено верно, и введите код, который приложение показывает сейчас.",
        )
    with transaction.atomic():
        # One enrolment at a time per account (two tabs): the account's row is the lock.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if is_on(user):
            raise SecondFactorError(
                "Приложение-аутентификатор для этой учётной записи уже настроено."
            )
        # The code just typed is spent: it does not pass the next sign-in too.
        device.last_t, device.drift, device.confirmed = totp.t(), totp.drift, True
        TOTPDevice.objects.filter(user=user).delete()
        device.save()
        codes = _recovery_codes_replace(user)
        device_changed.send(
            sender=get_user_model(), request=request, user=user, by=user, action="enrolled"
        )
    return device, codes


@transaction.atomic
def recovery_codes_issue(*, request, user) -> list[str]:
    """A new set of ten recovery codes; the old ones stop working."""
    codes = _recovery_codes_replace(user)
    device_changed.send(
        sender=get_user_model(), request=request, user=user, by=user, action="recovery_codes"
    )
    return codes


def _recovery_codes_replace(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = set()
    while len(codes) < RECOVERY_CODES:
        codes.add(StaticToken.random_token())
    codes = sorted(codes)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def second_factor_verify(*, request, user, token: str):
    """A code from the app or an unspent recovery code; returns the device that took it
    (a recovery code is spent). Raises SecondFactorError with the words for the user."""
    token = normalise(token)
    if TOTP_FORMAT.match(token):
        model, method = TOTPDevice, "totp"
    elif RECOVERY_FORMAT.match(token):
        model, method = StaticDevice, "recovery"
    else:
        _refuse(
            request,
            user,
            None,
            "wrong",
            "Введите 6 цифр из приложения-аутентификатора или код восстановления "
            "(8 букв и цифр, например abcd-efgh).",
        )
    with transaction.atomic():
        devices = model.objects.select_for_update().filter(user=user, confirmed=True)
        if method == "recovery":
            # The device that holds the code first: besides the ten codes of the
            # enrolment there may be one made by django-otp's `manage.py addstatictoken`
            # (a superuser who lost both the phone and the codes).
            holds = Exists(StaticToken.objects.filter(device=OuterRef("pk"), token=token))
            devices = devices.order_by(~holds, "pk")
        else:
            devices = devices.order_by("pk")
        device = devices.first()
        refused = "wrong" if device is None else _attempt(device, token)
        if refused is None:
            remaining = recovery_codes_left(user) if method == "recovery" else None
            otp_verified.send(
                sender=get_user_model(),
                request=request,
                user=user,
                method=method,
                remaining=remaining,
            )
            return device
    if method == "recovery":
        wrong = (
            "Такого кода восстановления нет или он уже использован: каждый код действует один раз."
        )
    elif device is not None and refused == "wrong" and _was_used(device, token):
        refused, wrong = (
            "replayed",
            (
                "Этот код уже использован. Дождитесь следующего кода в приложении "
                "(он меняется каждые 30 секунд) и введите его."
            ),
        )
    else:
        wrong = (
            "Неверный код. Проверьте, что время на телефоне установлено верно, и введите "
            "код, который приложение показывает сейчас."
        )
    _refuse(request, user, device, refused, wrong)


def _attempt(device, token) -> str | None:
    """Check `token` on `device` (locked by the caller): None when it is taken, else why
    not. django-otp counts the failures and makes the n-th wait 2^(n-1) seconds."""
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return "throttled"
    return None if device.verify_token(token) else "wrong"


def _was_used(device, token) -> bool:
    """The code is right, but for a time step already spent (device.last_t): a replay."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return device.last_t >= 0 and totp.verify(int(token), device.tolerance, 0)


def _refuse(request, user, device, reason: str, message: str):
    """Announce the refusal (signals.otp_failed) and raise it with the user's words."""
    if reason == "throttled":
        _, details = device.verify_is_allowed()
        until = (details or {}).get("locked_until")
        wait = max(1, int((until - timezone.now()).total_seconds()) + 1) if until else 1
        message = f"Слишком много неверных кодов подряд. Попробуйте снова через {wait} с."
    otp_failed.send(sender=get_user_model(), request=request, user=user, reason=reason)
    raise SecondFactorError(message, reason=reason)


def session_verified(request, device) -> None:
    """The session has passed the second factor with `device`; a new session key, as at
    sign-in, so that a key seen before the code is worth nothing after it."""
    request.session.cycle_key()
    otp_login(request, device)
    if not access.must_use_second_factor(request.user):
        request.session[SESSION_FLAG] = True


@transaction.atomic
def device_reset(*, user, by, request=None) -> bool:
    """A superuser removes `user`'s app and recovery codes (a lost phone): the next
    sign-in sets up a new device if the account must have one. Returns whether there
    was anything to remove. The user's sessions that passed the code lose it (the
    middleware finds no device behind them)."""
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    if removed:
        device_changed.send(
            sender=get_user_model(), request=request, user=user, by=by, action="reset"
        )
    return removed > 0


@transaction.atomic
def device_disable(*, request, user) -> None:
    """A school or a coordinator turns the second factor off for itself."""
    if not access.may_turn_off_second_factor(user):
        raise PermissionError("the second factor is required for this account")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session[SESSION_FLAG] = False
    device_changed.send(
        sender=get_user_model(), request=request, user=user, by=user, action="disabled"
    )


def demo_device(*, user, key_hex: str) -> TOTPDevice:
    """The demo centre's device with a known key (accounts/demo.py)."""
    device = app_device(user)
    if device is None:
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice(user=user, name=APP_DEVICE_NAME, confirmed=True)
    device.key = key_hex
    device.save()
    return device
