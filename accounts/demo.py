"""The demo's second factor: the demo accounts that must use it (the centre's
`reviewer`) get an authenticator app with a FIXED key, published in README
(«Демо-учётные записи») beside the demo password, so that a newcomer can sign in with
any authenticator app, or with the code `load_demo` prints. Only load_demo calls this,
and it runs only with DEBUG on: a known key belongs to demo accounts alone."""

from binascii import unhexlify

from django.contrib.auth import get_user_model
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import access
from .second_factor import demo_device, key_text

# b"profplan-demo-totp!!": in base32 OBZG 6ZTQ NRQW 4LLE MVWW 6LLU N52H AIJB.
DEMO_TOTP_KEY = "70726f66706c616e2d64656d6f2d746f74702121"


def demo_key_text() -> str:
    """The key as an app takes it typed: base32 in groups of four."""
    return key_text(TOTPDevice(key=DEMO_TOTP_KEY))


def demo_code() -> str:
    """The one-time code of the demo key now (it changes every 30 seconds)."""
    return f"{TOTP(unhexlify(DEMO_TOTP_KEY)).token():06d}"


def demo_second_factor(usernames) -> str:
    """Give the demo key to those of `usernames` who must use the second factor; returns
    the lines load_demo prints (empty if none must)."""
    users = [
        user
        for user in get_user_model().objects.filter(username__in=usernames).order_by("username")
        if access.must_use_second_factor(user)
    ]
    for user in users:
        demo_device(user=user, key_hex=DEMO_TOTP_KEY)
    if not users:
        return ""
    names = ", ".join(user.username for user in users)
    return (
        f"Второй фактор ({names}): ключ для приложения-аутентификатора {demo_key_text()}\n"
        f"  код сейчас: {demo_code()} (меняется каждые 30 секунд; каждый код – один раз)"
    )
