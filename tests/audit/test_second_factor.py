"""The second factor's events (accounts/signals.py) land in the audit trail: a code
passed, a code refused, a device set up and a device reset by a superuser."""

import pytest
from django.urls import reverse

from accounts.roles import REGIONAL, ensure_roles
from audit.models import AuditEvent, AuditKind
from tests.accounts.test_second_factor import (
    enter_code,
    first_code,
    password_sign_in,
    with_password,
)
from tests.factories import UserFactory
from tests.signin import app_code, app_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(year):
    user = with_password(UserFactory(username="metodist", is_staff=True, region=year.region))
    user.groups.add(ensure_roles()[REGIONAL])
    return user


def trail(kind):
    return list(AuditEvent.objects.filter(kind=kind).order_by("pk"))


def test_a_refused_code_is_recorded(client, centre):
    app_of(centre)
    password_sign_in(client, centre)
    enter_code(client, "123456")
    [refused] = trail(AuditKind.OTP_FAILED)
    assert refused.user == centre and refused.detail == "неверный код"
    assert trail(AuditKind.OTP_PASSED) == []


def test_a_passed_code_is_recorded(client, centre):
    app_of(centre)
    password_sign_in(client, centre)
    enter_code(client, app_code(app_of(centre)))
    [passed] = trail(AuditKind.OTP_PASSED)
    assert passed.user == centre and passed.detail == "код из приложения"
    assert passed.region == centre.region


def test_setting_up_the_app_is_a_device_change(client, centre):
    password_sign_in(client, centre)
    client.post(reverse("second_factor:enrol"), {"code": first_code(client)})
    [change] = trail(AuditKind.DEVICE_CHANGE)
    assert change.user == centre
    assert change.detail.startswith("приложение-аутентификатор подключено")
