"""The second factor: who must use it, the code page before any page, enrolment,
recovery codes, a superuser's reset, and schools and coordinators who turn it on.

Sign-ins here go through the real login form (a POST, as django-axes needs), so that
a session holds the password alone until the code page is passed.
"""

import io
import re
from base64 import b32decode

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts import access, second_factor
from accounts.demo import DEMO_TOTP_KEY
from accounts.models import User
from accounts.roles import REGIONAL, ensure_roles
from accounts.signals import device_changed, otp_failed, otp_verified
from tests.factories import UserFactory
from tests.signin import app_code, app_of, log_in

pytestmark = pytest.mark.django_db

PASSWORD = "верный-пароль-42"
CODE_PAGE = reverse("second_factor:verify")
ENROL_PAGE = reverse("second_factor:enrol")


def with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def centre(year):
    user = with_password(UserFactory(username="metodist", is_staff=True, region=year.region))
    user.groups.add(ensure_roles()[REGIONAL])
    return user


@pytest.fixture
def centre_with_app(centre):
    app_of(centre)
    return centre


def password_sign_in(client, user, next_url=""):
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post(reverse("login"), data)
    assert response.status_code == 302, "the password was refused"
    return response


def enter_code(client, code, next_url=""):
    return client.post(CODE_PAGE, {"code": code, "next": next_url})


def page_text(response) -> str:
    return response.content.decode()


def first_code(client) -> str:
    """The enrolment page's key, read as a phone reads it, and the code it makes now."""
    page = page_text(client.get(ENROL_PAGE))
    key = re.search(r'id="second-factor-key">([A-Z2-7 ]+)<', page).group(1)
    return f"{TOTP(b32decode(key.replace(' ', ''))).token():06d}"


def enrol(user) -> list[str]:
    """An app and ten recovery codes for `user`, set up through the service; the codes."""
    key = random_hex(20)
    code = f"{TOTP(bytes.fromhex(key)).token():06d}"
    return second_factor.device_confirm(request=None, user=user, key=key, token=code)[1]


@pytest.fixture
def events():
    """What the signals of accounts/signals.py announced during the test."""
    seen = []

    def record(signal_name):
        def receiver(sender, **kwargs):
            seen.append((signal_name, {"sender": sender, **kwargs}))

        return receiver

    receivers = {
        otp_verified: record("verified"),
        otp_failed: record("failed"),
        device_changed: record("changed"),
    }
    for signal, receiver in receivers.items():
        signal.connect(receiver)
    yield seen
    for signal, receiver in receivers.items():
        signal.disconnect(receiver)


# --- The rule -------------------------------------------------------------------------


def test_the_centre_and_superusers_must_use_the_second_factor_schools_and_coordinators_may(
    centre, school
):
    assert access.must_use_second_factor(centre)
    assert access.must_use_second_factor(UserFactory(username="root", is_superuser=True))
    # Staff not yet given a region sees nothing today, but opens the admin: it too.
    assert access.must_use_second_factor(UserFactory(username="new_staff", is_staff=True))
    deputy = UserFactory(username="zam", school=school)
    coordinator = UserFactory(username="coord", municipality=school.municipality)
    for user in (deputy, coordinator):
        assert not access.must_use_second_factor(user)
        assert access.may_turn_off_second_factor(user)
    assert not access.may_turn_off_second_factor(centre)


def test_an_inactive_account_is_not_asked_anything(centre):
    centre.is_active = False
    assert not access.must_use_second_factor(centre)


# --- Without a device: enrolment ----------------------------------------------------------


def test_a_centre_account_without_a_device_is_sent_to_the_enrolment_after_the_password(
    client, centre
):
    response = client.get(password_sign_in(client, centre)["Location"], follow=True)
    assert response.redirect_chain[-1][0].startswith(ENROL_PAGE)
    page = page_text(response)
    assert "Приложение-аутентификатор" in page or "приложение-аутентификатор" in page
    assert '<svg class="second-factor-qr" role="img"' in page
    assert not TOTPDevice.objects.filter(user=centre).exists()  # nothing before the first code
    # The key as text, in groups of four, is the one the QR code carries.
    key = re.search(r'id="second-factor-key">([A-Z2-7 ]+)<', page).group(1)
    assert all(len(group) == 4 for group in key.split()) and len(key.replace(" ", "")) == 32
    pending = second_factor.device_new(user=centre, key=client.session["second_factor_pending_key"])
    assert key == second_factor.key_text(pending)
    assert f"secret={key.replace(' ', '')}" in pending.config_url


def test_the_enrolment_page_keeps_its_key_on_reload(client, centre):
    password_sign_in(client, centre)
    first = re.search(r'id="second-factor-key">([^<]+)<', page_text(client.get(ENROL_PAGE)))
    again = re.search(r'id="second-factor-key">([^<]+)<', page_text(client.get(ENROL_PAGE)))
    assert first.group(1) == again.group(1)


def test_a_wrong_first_code_keeps_the_device_off_with_a_russian_message(client, centre, events):
    password_sign_in(client, centre)
    right = first_code(client)
    response = client.post(ENROL_PAGE, {"code": "000000" if right != "000000" else "111111"})
    assert response.status_code == 200
    assert "Код не подошёл" in page_text(response)
    assert not TOTPDevice.objects.filter(user=centre).exists()
    assert [name for name, _ in events] == ["failed"]
    assert events[0][1]["reason"] == "enrolment"


def test_the_first_code_turns_it_on_and_shows_ten_recovery_codes_once(client, centre, events):
    password_sign_in(client, centre)
    code = first_code(client)
    response = client.post(ENROL_PAGE, {"code": code, "next": "/monitoring/dashboard/"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("second_factor:recovery-codes"))
    assert TOTPDevice.objects.get(user=centre).confirmed
    codes_page = page_text(client.get(response["Location"]))
    shown = re.findall(r"<li>([a-z2-7]{4}-[a-z2-7]{4})</li>", codes_page)
    assert len(shown) == 10
    assert sorted(code.replace("-", "") for code in shown) == sorted(
        StaticToken.objects.filter(device__user=centre).values_list("token", flat=True)
    )
    assert "Скачать" in codes_page and "Напечатать" in codes_page
    download = client.get(reverse("second_factor:recovery-codes-download"))
    assert download["Content-Disposition"].startswith("attachment;")
    assert all(code in download.content.decode() for code in shown)
    # «Я сохранил коды»: on to the page that was asked for, and the codes are not shown again.
    done = client.post(reverse("second_factor:recovery-codes"), {"next": "/monitoring/dashboard/"})
    assert done["Location"] == "/monitoring/dashboard/"
    assert client.get(done["Location"]).status_code == 200  # the session passed the code
    again = page_text(client.get(reverse("second_factor:recovery-codes")))
    assert not any(code in again for code in shown)
    assert "показываются один раз" in again
    assert client.get(reverse("second_factor:recovery-codes-download")).status_code == 302
    assert [(name, kwargs.get("action")) for name, kwargs in events] == [("changed", "enrolled")]


def test_a_password_alone_cannot_replace_an_existing_device(client, centre_with_app):
    device = app_of(centre_with_app)
    password_sign_in(client, centre_with_app)
    response = client.get(ENROL_PAGE)
    assert response.status_code == 302 and response["Location"].startswith(CODE_PAGE)
    key = random_hex(20)
    response = client.post(ENROL_PAGE, {"code": f"{TOTP(bytes.fromhex(key)).token():06d}"})
    assert response.status_code == 302 and response["Location"].startswith(CODE_PAGE)
    assert list(TOTPDevice.objects.filter(user=centre_with_app)) == [device]
    # The service says no too, whoever calls it.
    with pytest.raises(second_factor.SecondFactorError, match="уже настроено"):
        second_factor.device_confirm(
            request=None,
            user=centre_with_app,
            key=key,
            token=f"{TOTP(bytes.fromhex(key)).token():06d}",
        )
    assert TOTPDevice.objects.get(user=centre_with_app).key == device.key


# --- With a device: the code page before any page ----------------------------------------

CENTRE_PAGES = [
    "admin:index",
    "admin:plans_plan_changelist",
    "admin:accounts_user_changelist",
    "monitoring:dashboard",
    "monitoring:recommendations",
    "plans:home",
    "plans:templates",
    "plans:execution-region",
    "plans:export-region",
    "plans:archive",
    "second_factor:settings",
    "password_change",
]


@pytest.mark.parametrize("debug", [False, True])
def test_a_password_alone_opens_neither_the_admin_nor_the_centres_pages(
    client, centre_with_app, year, settings, debug
):
    settings.DEBUG = debug
    password_sign_in(client, centre_with_app)
    urls = [reverse(name) for name in CENTRE_PAGES] + [
        reverse("plans:template", args=[year.pk]),
        reverse("plans:catalogue", args=[year.pk]),
        reverse("monitoring:dashboard-xlsx"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{CODE_PAGE}?next={url.replace('/', '%2F')}", url
    # A state change by POST goes nowhere either.
    response = client.post(reverse("plans:template-new-year"))
    assert response.status_code == 302 and response["Location"] == CODE_PAGE


def test_the_code_page_has_no_menu_into_the_site(client, centre_with_app):
    password_sign_in(client, centre_with_app)
    page = page_text(client.get(CODE_PAGE))
    assert "Подтвердите вход" in page
    assert reverse("admin:index") not in page and reverse("monitoring:dashboard") not in page
    assert "Выйти" in page


def test_an_htmx_request_without_the_code_gets_401_with_words(client, centre_with_app):
    password_sign_in(client, centre_with_app)
    response = client.get(reverse("monitoring:dashboard"), HTTP_HX_REQUEST="true")
    assert response.status_code == 401
    assert "одноразовым кодом" in page_text(response)


def test_the_right_code_opens_the_page_that_was_asked_for(client, centre_with_app, events):
    password_sign_in(client, centre_with_app)
    session_before = client.session.session_key
    response = enter_code(client, app_code(app_of(centre_with_app)), "/admin/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get(reverse("monitoring:dashboard")).status_code == 200
    # A new session key once the code is passed.
    assert client.session.session_key != session_before
    assert events == [
        ("verified", {"sender": User, "signal": otp_verified, "request": events[0][1]["request"],
                      "user": centre_with_app, "method": "totp", "remaining": None})
    ]  # fmt: skip


def test_a_foreign_next_address_is_not_followed(client, centre_with_app):
    password_sign_in(client, centre_with_app)
    response = enter_code(client, app_code(app_of(centre_with_app)), "https://evil.example/")
    assert response["Location"] == reverse("plans:home")


def test_a_wrong_code_gets_a_russian_message(client, centre_with_app, events):
    password_sign_in(client, centre_with_app)
    response = enter_code(client, "123456")
    assert response.status_code == 200
    assert "Неверный код" in page_text(response)
    assert client.get(reverse("monitoring:dashboard")).status_code == 302
    assert [(name, kwargs["reason"]) for name, kwargs in events] == [("failed", "wrong")]


@pytest.mark.parametrize("typed", ["", "12345", "какой-то код", "1234567"])
def test_malformed_codes_get_a_russian_message(client, centre_with_app, typed):
    password_sign_in(client, centre_with_app)
    page = page_text(enter_code(client, typed))
    assert "Введите код." in page or "Введите 6 цифр из приложения-аутентификатора" in page


def test_a_wrong_code_makes_the_next_try_wait(client, centre_with_app, events, settings):
    """django-otp's throttling: after a failure the next try is refused unchecked for a
    while (a second by default; a minute here, so that a slow machine still sees it),
    with words saying how long to wait."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    password_sign_in(client, centre_with_app)
    enter_code(client, "123456")
    page = page_text(enter_code(client, app_code(app_of(centre_with_app))))
    assert "Слишком много неверных кодов подряд. Попробуйте снова через" in page
    assert events[-1][1]["reason"] == "throttled"


def test_a_code_already_used_is_refused(client, centre_with_app, events):
    device = app_of(centre_with_app)
    code = app_code(device)
    password_sign_in(client, centre_with_app)
    assert enter_code(client, code).status_code == 302
    client.post(reverse("logout"))
    password_sign_in(client, centre_with_app)
    response = enter_code(client, code)
    assert response.status_code == 200
    assert "Этот код уже использован" in page_text(response)
    assert client.get(reverse("admin:index")).status_code == 302
    assert events[-1][1]["reason"] == "replayed"


def test_a_recovery_code_works_once(client, centre, events):
    password_sign_in(client, centre)
    codes = enrol(centre)
    client.post(reverse("logout"))
    events.clear()

    password_sign_in(client, centre)
    typed = second_factor.show_code(codes[3]).upper()  # as printed, in capitals
    response = enter_code(client, typed, "/admin/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    page = page_text(client.get("/admin/", follow=True))
    assert "Осталось кодов: 9" in page
    assert events[-1][1]["method"] == "recovery" and events[-1][1]["remaining"] == 9
    client.post(reverse("logout"))

    password_sign_in(client, centre)
    response = enter_code(client, typed)
    assert response.status_code == 200
    assert "уже использован" in page_text(response)
    assert client.get("/admin/").status_code == 302
    assert events[-1][0] == "failed"


def test_new_recovery_codes_replace_the_old_ones(client, centre):
    password_sign_in(client, centre)
    old = enrol(centre)
    log_in(client, centre)
    response = client.post(reverse("second_factor:recovery-codes-new"))
    assert response["Location"].startswith(reverse("second_factor:recovery-codes"))
    shown = re.findall(r"<li>([a-z2-7-]{9})</li>", page_text(client.get(response["Location"])))
    assert len(shown) == 10
    stored = set(StaticToken.objects.filter(device__user=centre).values_list("token", flat=True))
    assert stored == {code.replace("-", "") for code in shown}
    assert not stored & set(old)


# --- The superuser's reset ---------------------------------------------------------------


def test_a_superuser_resets_a_colleagues_device_and_it_is_recorded(
    client, superuser, centre, events
):
    password_sign_in(client, centre)
    enrol(centre)
    events.clear()
    admin = client.__class__()
    log_in(admin, superuser)
    response = admin.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [centre.pk]},
        follow=True,
    )
    assert "Двухфакторная защита сброшена: 1" in page_text(response)
    assert not TOTPDevice.objects.filter(user=centre).exists()
    assert not StaticDevice.objects.filter(user=centre).exists()
    entry = LogEntry.objects.get(object_id=str(centre.pk))
    assert entry.user == superuser and "Сброшена двухфакторная защита" in entry.get_change_message()
    assert [(name, kwargs["action"], kwargs["by"]) for name, kwargs in events if name == "changed"] == [
        ("changed", "reset", superuser)
    ]  # fmt: skip
    # The colleague's next page: the enrolment of a new phone.
    response = client.get(reverse("monitoring:dashboard"), follow=True)
    assert response.redirect_chain[-1][0].startswith(ENROL_PAGE)


def test_only_a_superuser_is_offered_the_reset(client, centre_with_app, year):
    colleague = UserFactory(username="colleague", is_staff=True, region=year.region)
    app_of(colleague)
    log_in(client, centre_with_app)
    page = page_text(client.get(reverse("admin:accounts_user_changelist")))
    assert colleague.username in page  # the list is the centre's to read…
    assert "reset_second_factor" not in page  # …but not to reset
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [colleague.pk]},
    )
    assert TOTPDevice.objects.filter(user=colleague).exists()


def test_the_user_list_shows_who_has_the_second_factor(client, superuser, centre_with_app, school):
    UserFactory(username="zam_bez_koda", school=school)
    log_in(client, superuser)
    page = page_text(client.get(reverse("admin:accounts_user_changelist")))
    assert "Вход с кодом" in page

    def row(username):
        return re.search(rf">{username}</a>.*?</tr>", page, re.S).group(0)

    assert "icon-yes" in row("metodist") and "icon-no" in row("zam_bez_koda")


# --- Schools and coordinators --------------------------------------------------------------


@pytest.fixture
def deputy_with_password(school):
    return with_password(UserFactory(username="zam_sosh1", school=school))


def test_a_school_account_signs_in_with_the_password_alone(client, deputy_with_password):
    response = client.get(password_sign_in(client, deputy_with_password)["Location"])
    assert response.status_code == 200
    assert not TOTPDevice.objects.exists()
    assert client.get(reverse("second_factor:settings")).status_code == 200


def test_the_profile_menu_offers_the_second_factor_page(client, deputy_with_password):
    password_sign_in(client, deputy_with_password)
    page = page_text(client.get(reverse("plans:home")))
    assert "Двухфакторная защита" in page and reverse("second_factor:settings") in page
    settings_page = page_text(client.get(reverse("second_factor:settings")))
    assert "Отключена" in settings_page and "Включить" in settings_page


def test_a_school_account_turns_it_on_is_then_asked_for_the_code_and_may_turn_it_off(
    client, deputy_with_password, events
):
    deputy = deputy_with_password
    password_sign_in(client, deputy)
    response = client.post(ENROL_PAGE, {"code": first_code(client), "next": "/"})
    assert response["Location"].startswith(reverse("second_factor:recovery-codes"))
    assert "Включена" in page_text(client.get(reverse("second_factor:settings")))
    client.post(reverse("logout"))

    password_sign_in(client, deputy)
    response = client.get(reverse("plans:home"))
    assert response.status_code == 302 and response["Location"].startswith(CODE_PAGE)
    assert enter_code(client, app_code(app_of(deputy))).status_code == 302
    assert client.get(reverse("plans:home")).status_code == 200

    response = client.post(reverse("second_factor:off"), follow=True)
    assert "Двухфакторная защита отключена" in page_text(response)
    assert not TOTPDevice.objects.filter(user=deputy).exists()
    client.post(reverse("logout"))
    password_sign_in(client, deputy)
    assert client.get(reverse("plans:home")).status_code == 200
    assert [kwargs["action"] for name, kwargs in events if name == "changed"] == [
        "enrolled",
        "disabled",
    ]


def test_a_coordinator_may_turn_it_on_too(client, school):
    coordinator = with_password(UserFactory(username="coord", municipality=school.municipality))
    password_sign_in(client, coordinator)
    client.post(ENROL_PAGE, {"code": first_code(client)})
    assert TOTPDevice.objects.get(user=coordinator).confirmed


def test_the_centre_cannot_turn_it_off(client, centre_with_app):
    log_in(client, centre_with_app)
    page = page_text(client.get(reverse("second_factor:settings")))
    assert "обязательна" in page and "Отключить" not in page
    assert client.post(reverse("second_factor:off")).status_code == 403
    assert TOTPDevice.objects.filter(user=centre_with_app).exists()


def test_a_school_account_whose_device_was_reset_signs_in_with_the_password_again(
    client, deputy_with_password, superuser
):
    deputy = deputy_with_password
    app_of(deputy)
    password_sign_in(client, deputy)
    assert client.get(reverse("plans:home")).status_code == 302
    second_factor.device_reset(user=deputy, by=superuser)
    response = client.get(reverse("plans:home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("plans:home")
    assert response.status_code == 200


# --- The demo ------------------------------------------------------------------------------


@override_settings(DEBUG=True)
def test_the_demo_centre_signs_in_with_the_published_key_or_the_printed_code(client):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=out)  # idempotent: still one app, the same key
    reviewer = User.objects.get(username="reviewer")
    device = TOTPDevice.objects.get(user=reviewer)
    assert device.confirmed and device.key == DEMO_TOTP_KEY
    printed = out.getvalue()
    # The key README publishes, as the enrolment page would show it.
    assert "OBZG 6ZTQ NRQW 4LLE MVWW 6LLU N52H AIJB" in printed
    assert second_factor.key_text(device) == "OBZG 6ZTQ NRQW 4LLE MVWW 6LLU N52H AIJB"
    # deputy, coordinator: none; the ministry has its own key (tests/test_ministry.py)
    assert not TOTPDevice.objects.exclude(user__username__in=["reviewer", "ministry"]).exists()
    code = re.findall(r"код сейчас: (\d{6})", printed)[-1]

    client.post(reverse("login"), {"username": "reviewer", "password": "profplan-demo"})
    response = enter_code(client, code, "/admin/")  # printed seconds ago: within its 30 s
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


# --- Every page of the site and the admin ----------------------------------------------------


def every_url():
    """(view name, a URL of it) for every named pattern of the project, with sample values
    for its parameters: a URL that resolves is enough, the object need not exist (the
    middleware answers before the view looks)."""
    from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, inner)
            elif isinstance(entry, URLPattern) and entry.name:
                yield f"{namespace}{entry.name}", entry.pattern.regex.groupindex

    seen = set()
    for name, groups in walk(get_resolver().url_patterns, ""):
        if name in seen:
            continue
        seen.add(name)
        for sample in ("1", "plans", "MQ"):
            try:
                yield name, reverse(name, kwargs=dict.fromkeys(groups, sample))
                break
            except NoReverseMatch:
                continue
        else:
            raise AssertionError(f"no sample URL for {name}")


def test_every_page_but_the_code_pages_sends_a_password_only_centre_session_to_the_code(
    client, centre_with_app
):
    from accounts.middleware import EXEMPT_VIEWS

    password_sign_in(client, centre_with_app)
    urls = dict(every_url())
    assert "admin:plans_plan_changelist" in urls and "monitoring:dashboard" in urls
    assert len(urls) > 100
    for name, url in urls.items():
        if name in EXEMPT_VIEWS:
            continue
        response = client.get(url)
        assert response.status_code == 302, (name, url, response.status_code)
        assert response["Location"].startswith(CODE_PAGE), (name, url)
    # What stays open says nothing of the region: the code pages, signing out, the
    # password reset, the health check, the session's own requests, and a calendar
    # feed, which a secret link opens with or without a session (a school's people
    # have feeds, never the centre: tests/plans/test_calendar.py).
    assert EXEMPT_VIEWS == {
        "second_factor:verify",
        "second_factor:enrol",
        "login",
        "logout",
        "admin:logout",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "healthz",
        "session-status",
        "session-keepalive",
        "plans:calendar-feed",
    }


def test_a_code_made_by_addstatictoken_lets_a_superuser_in_who_lost_phone_and_codes(client):
    """django-otp's `manage.py addstatictoken LOGIN` (README): a way back in for the
    superuser, whom no colleague can reset."""
    root = with_password(UserFactory(username="root", is_staff=True, is_superuser=True))
    app_of(root)
    second_factor.recovery_codes_issue(request=None, user=root)  # the lost ten
    out = io.StringIO()
    call_command("addstatictoken", "root", stdout=out)
    password_sign_in(client, root)
    response = enter_code(client, out.getvalue().strip(), "/admin/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
