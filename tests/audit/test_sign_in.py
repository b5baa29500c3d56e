"""Sign-ins, failed sign-ins, sign-outs and passwords are in the trail: who, when,
from which address. django-axes still locks out as before."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.services import password_set_url
from audit.models import AuditKind
from audit.services import audit_receiver
from tests.factories import UserFactory
from tests.signin import log_in

from .conftest import PASSWORD, SCHOOL_ADDRESS, events, kinds, sign_in, with_password

pytestmark = pytest.mark.django_db

LOCKED = "Слишком много неудачных попыток входа"


@pytest.fixture
def teacher(deputy):
    return with_password(deputy)


def test_a_sign_in_is_recorded_with_the_person_the_address_and_the_school(client, teacher):
    response = sign_in(client, "deputy")
    assert response.status_code == 302
    [event] = events()
    assert event.kind == AuditKind.LOGIN
    assert event.user == teacher and event.username == "deputy"
    assert event.address == SCHOOL_ADDRESS
    assert event.school == teacher.school
    assert event.region_id == teacher.school.municipality.region_id
    assert event.detail == "на сайт"


def test_a_failed_sign_in_records_the_login_typed(client, teacher):
    response = sign_in(client, "deputy", "неверный")
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    sign_in(client, "nobody-here", "неверный")
    known, unknown = events()
    assert known.kind == unknown.kind == AuditKind.LOGIN_FAILED
    assert known.username == "deputy" and known.user == teacher and known.school == teacher.school
    assert unknown.username == "nobody-here" and unknown.user is None
    assert unknown.address == SCHOOL_ADDRESS
    # The password typed is nowhere in the trail.
    assert all("неверный" not in event.detail for event in events())


def test_axes_still_locks_out_and_the_lockout_is_in_the_trail(client, teacher):
    for _ in range(5):
        sign_in(client, "deputy", "неверный")
    response = sign_in(client, "deputy", PASSWORD)  # the right password, too late
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    trail = events()
    assert [event.kind for event in trail] == [AuditKind.LOGIN_FAILED] * 6
    assert "заблокирован" not in trail[3].detail
    assert "вход заблокирован" in trail[4].detail and "вход заблокирован" in trail[5].detail


def test_a_sign_in_after_failures_is_recorded_and_axes_forgets_them(client, teacher):
    for _ in range(4):
        sign_in(client, "deputy", "неверный")
    assert sign_in(client, "deputy").status_code == 302
    assert kinds() == [AuditKind.LOGIN_FAILED] * 4 + [AuditKind.LOGIN]


def test_an_admin_sign_in_says_so(client, superuser):
    with_password(superuser)
    response = client.post(
        reverse("admin:login"), {"username": "admin", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 302
    [event] = events(kind=AuditKind.LOGIN)
    assert event.detail == "в админку"
    assert event.region is None  # a superuser without a region: every region's


def test_a_sign_out_is_recorded(client, teacher):
    sign_in(client, "deputy")
    response = client.post(reverse("logout"), REMOTE_ADDR=SCHOOL_ADDRESS)
    assert response.status_code == 302
    assert kinds() == [AuditKind.LOGIN, AuditKind.LOGOUT]
    assert events()[-1].user == teacher


def test_a_password_change_on_the_site_is_recorded(client, teacher):
    sign_in(client, "deputy")
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Новый-длинный-пароль-7",
            "new_password2": "Новый-длинный-пароль-7",
        },
        REMOTE_ADDR=SCHOOL_ADDRESS,
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    change = events(kind=AuditKind.PASSWORD_CHANGE)
    assert len(change) == 1
    assert change[0].user == teacher and change[0].detail == ""
    assert change[0].address == SCHOOL_ADDRESS and change[0].school == teacher.school


def test_a_password_set_through_the_link_of_the_mail_is_recorded(client, teacher):
    link = password_set_url(teacher, site_url="http://testserver")
    form = client.get(link, follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Новый-длинный-пароль-7", "new_password2": "Новый-длинный-пароль-7"},
        REMOTE_ADDR="10.9.9.9",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    [event] = events(kind=AuditKind.PASSWORD_RESET)
    assert event.user == teacher and event.address == "10.9.9.9"
    assert not events(kind=AuditKind.PASSWORD_CHANGE)
    assert mail.outbox == []


def test_a_password_set_by_an_administrator_names_whose(client, superuser, teacher):
    log_in(client, superuser)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[teacher.pk]),
        {
            "password1": "Новый-длинный-пароль-7",
            "password2": "Новый-длинный-пароль-7",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    [event] = events(kind=AuditKind.PASSWORD_CHANGE)
    assert event.user == superuser
    assert event.detail == "учётная запись «deputy»"
    assert event.school == teacher.school  # the account's, for the school's filter


def test_saving_a_password_outside_a_request_is_recorded_as_a_command(teacher):
    teacher.set_password("Новый-длинный-пароль-7")
    teacher.save()
    [event] = events(kind=AuditKind.PASSWORD_CHANGE)
    assert event.user is None and event.address is None
    assert event.detail == "учётная запись «deputy»: командой на сервере"


def test_the_proxy_header_is_believed_only_when_configured(client, teacher, settings):
    forwarded = {"HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9"}
    sign_in(client, "deputy", "неверный", address="127.0.0.1", **forwarded)
    settings.PROFPLAN_AUDIT_IP_HEADER = "X-Forwarded-For"
    sign_in(client, "deputy", "неверный", address="127.0.0.1", **forwarded)
    # The client's own claim (1.2.3.4) is never taken, nor a header that is not an address.
    sign_in(client, "deputy", "неверный", address="127.0.0.1", HTTP_X_FORWARDED_FOR="<script>")
    assert [event.address for event in events()] == ["127.0.0.1", "203.0.113.9", "127.0.0.1"]


def test_a_failure_to_write_never_costs_the_sign_in(client, teacher, monkeypatch, caplog):
    from django.db import DatabaseError

    from audit.models import AuditEvent

    def broken(self, *args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(AuditEvent, "save", broken)
    response = sign_in(client, "deputy")
    assert response.status_code == 302 and "_auth_user_id" in client.session
    assert "audit event login not recorded" in caplog.text


def test_a_signal_of_the_second_factor_is_recorded_by_one_line(rf, teacher, superuser):
    """What the two-factor helpers connect: `audit_receiver(kind)` on their signals."""
    from django.dispatch import Signal

    passed, device_reset = Signal(), Signal()
    passed.connect(audit_receiver(AuditKind.OTP_PASSED), weak=False)
    device_reset.connect(audit_receiver(AuditKind.DEVICE_CHANGE, "сброшено"), weak=False)

    request = rf.post("/accounts/otp/", REMOTE_ADDR=SCHOOL_ADDRESS)
    request.user = teacher
    passed.send("otp", request=request, user=teacher)
    request = rf.post("/admin/", REMOTE_ADDR="10.2.2.2")
    request.user = superuser
    device_reset.send("otp", request=request, user=teacher, device="Телефон")

    first, second = events(kind__in=[AuditKind.OTP_PASSED, AuditKind.DEVICE_CHANGE])
    assert (first.kind, first.user, first.address) == (
        AuditKind.OTP_PASSED,
        teacher,
        SCHOOL_ADDRESS,
    )
    assert (second.kind, second.user) == (AuditKind.DEVICE_CHANGE, superuser)
    assert second.detail == "учётная запись «deputy»: сброшено устройство «Телефон»"
    assert second.school == teacher.school


def test_an_unknown_persons_failure_belongs_to_no_region(client, db):
    UserFactory(username="someone")
    sign_in(client, "nobody", "x")
    [event] = events()
    assert event.region is None and event.school is None
