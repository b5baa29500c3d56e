"""The demo's second factor: the demo accounts that must use it (the centre's
`reviewer`, the ministry's `ministry`) get an authenticator app with a FIXED key of
their own, published in README («Демо-учётные записи») beside the demo password, so
that a newcomer can sign in with any authenticator app, or with the code `load_demo`
prints. Only load_demo calls this, and it runs only with DEBUG on: a known key belongs
to demo accounts alone. The ministry's demo account is made here too."""

from binascii import unhexlify

from django.contrib.auth import get_user_model
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import access
from .roles import MINISTRY, ensure_roles
from .second_factor import demo_device, key_text

# b"profplan-demo-totp!!": in base32 OBZG 6ZTQ NRQW 4LLE MVWW 6LLU N52H AIJB.
DEMO_TOTP_KEY = "70726f66706c616e2d64656d6f2d746f74702121"
# b"profplan-ministry!!!": in base32 OBZG 6ZTQ NRQW 4LLN NFXG S43U OJ4S CIJB.
MINISTRY_TOTP_KEY = "70726f66706c616e2d6d696e6973747279212121"
# Each demo account of its own key: one phone may hold both, told apart by the key.
DEMO_KEYS = {"ministry": MINISTRY_TOTP_KEY}

MINISTRY_USERNAME = "ministry"


def demo_key_text(key_hex: str = DEMO_TOTP_KEY) -> str:
    """The key as an app takes it typed: base32 in groups of four."""
    return key_text(TOTPDevice(key=key_hex))


def demo_code(key_hex: str = DEMO_TOTP_KEY) -> str:
    """The one-time code of the demo key now (it changes every 30 seconds)."""
    return f"{TOTP(unhexlify(key_hex)).token():06d}"


def demo_second_factor(usernames) -> str:
    """Give the demo key (`DEMO_KEYS`, else `DEMO_TOTP_KEY`) to those of `usernames` who
    must use the second factor; returns the lines load_demo prints, one pair per
    account (empty if none must)."""
    users = [
        user
        for user in get_user_model().objects.filter(username__in=usernames).order_by("username")
        if access.must_use_second_factor(user)
    ]
    lines = []
    for user in users:
        key = DEMO_KEYS.get(user.username, DEMO_TOTP_KEY)
        demo_device(user=user, key_hex=key)
        lines.append(
            f"Второй фактор ({user.username}): ключ для приложения-аутентификатора "
            f"{demo_key_text(key)}\n"
            f"  код сейчас: {demo_code(key)} (меняется каждые 30 секунд; каждый код – один раз)"
        )
    return "\n".join(lines)


def demo_ministry(*, region, password: str):
    """The ministry's demo account: reads `region` (its plans, documents, execution,
    dashboard, workbook and archive), changes nothing. Made once; a second run
    changes nothing."""
    user, created = get_user_model().objects.get_or_create(
        username=MINISTRY_USERNAME,
        defaults={
            "first_name": "Фатимат",
            "last_name": "Теуважева",
            "position": "Главный специалист Министерства просвещения КБР",
            "email": "ministry@example.org",
            "is_ministry": True,
            "region": region,
        },
    )
    if created:
        user.set_password(password)
        user.save()
    user.groups.add(ensure_roles()[MINISTRY])
    return user
