"""Sign-in protection (django-axes), exercised through the real login form.

Locks are per username and address: a whole school sits behind one address, so
one person's typos must not lock out the colleagues. The test client's login()
cannot be used with axes (it needs a request), so every attempt is a POST.
"""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "верный-пароль-42"
SCHOOL_ADDRESS = "10.0.0.7"
LOCKED = "Слишком много неудачных попыток входа"


@pytest.fixture
def teacher(db):
    user = UserFactory(username="zam_sosh1")
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def colleague(db):
    user = UserFactory(username="zam_sosh2")
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client, username, password, address=SCHOOL_ADDRESS):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail(client, username, times=5, address=SCHOOL_ADDRESS):
    """Wrong passwords; the first four get the ordinary form error (axes answers the
    fifth failure itself with the lockout page)."""
    for attempt in range(1, times + 1):
        response = sign_in(client, username, "неверный", address)
        if attempt < 5:
            assert response.status_code == 200
            assert LOCKED not in response.content.decode()


def without_csrf_token(response) -> str:
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", response.content.decode())


def signed_in(response) -> bool:
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


def test_five_failures_lock_the_sixth_attempt_even_with_the_right_password(client, teacher):
    fail(client, teacher.username)
    response = sign_in(client, teacher.username, PASSWORD)
    assert not signed_in(response)
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_failures_do_not_lock(client, teacher):
    fail(client, teacher.username, times=4)
    assert signed_in(sign_in(client, teacher.username, PASSWORD))


def test_a_colleague_behind_the_same_address_still_signs_in(client, teacher, colleague):
    fail(client, teacher.username)
    assert signed_in(sign_in(client, colleague.username, PASSWORD))


def test_the_same_username_from_another_address_still_signs_in(client, teacher):
    fail(client, teacher.username)
    assert signed_in(sign_in(client, teacher.username, PASSWORD, address="10.0.0.8"))


def test_a_locked_unknown_username_gets_the_same_answer_as_a_known_one(client, teacher):
    fail(client, teacher.username)
    fail(client, "nobody_here")
    known = sign_in(client, teacher.username, "неверный")
    unknown = sign_in(client, "nobody_here", "неверный")
    assert known.status_code == unknown.status_code
    assert LOCKED in unknown.content.decode()
    # The page names no one: neither the username nor whether it exists.
    assert without_csrf_token(known) == without_csrf_token(unknown)
    assert teacher.username not in known.content.decode()


def test_the_failed_login_message_does_not_tell_a_wrong_password_from_an_unknown_user(
    client, teacher
):
    wrong_password = sign_in(client, teacher.username, "неверный").context["form"].errors
    unknown_user = sign_in(client, "nobody_here", "неверный").context["form"].errors
    assert wrong_password == unknown_user


def wait(minutes):
    """Time passes: the recorded attempts are moved back rather than the clock forward."""
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=minutes)
        attempt.save()


def test_the_lock_holds_for_fourteen_minutes(client, teacher):
    fail(client, teacher.username)
    wait(14)
    assert LOCKED in sign_in(client, teacher.username, PASSWORD).content.decode()


def test_after_fifteen_minutes_the_right_password_works_again(client, teacher):
    fail(client, teacher.username)
    wait(16)
    assert signed_in(sign_in(client, teacher.username, PASSWORD))


def test_an_attempt_during_the_lock_starts_the_fifteen_minutes_again(client, teacher):
    """axes counts the cool-off from the last attempt: whoever keeps guessing stays
    locked out (the lockout page asks to wait 15 minutes)."""
    fail(client, teacher.username)
    wait(10)
    assert LOCKED in sign_in(client, teacher.username, PASSWORD).content.decode()
    wait(10)
    assert LOCKED in sign_in(client, teacher.username, PASSWORD).content.decode()
    wait(16)
    assert signed_in(sign_in(client, teacher.username, PASSWORD))


def test_a_lock_can_be_lifted_by_hand(client, teacher):
    """The regional centre can unlock a user at once (axes_reset_username)."""
    from django.core.management import call_command

    fail(client, teacher.username)
    call_command("axes_reset_username", teacher.username, verbosity=0)
    assert signed_in(sign_in(client, teacher.username, PASSWORD))
