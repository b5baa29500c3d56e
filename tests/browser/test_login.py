import pytest

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_deputy_signs_in_and_sees_the_home_page(reference, sign_in, school):
    user = UserFactory(username="deputy", school=school)
    user.set_password("profplan-demo")
    user.save()
    page = sign_in("deputy")
    assert page.get_by_role("heading", name="Планы профориентации").is_visible()


def test_wrong_password_gets_a_russian_message(reference, sign_in, school):
    UserFactory(username="deputy", school=school)
    page = sign_in("deputy", "не тот пароль")
    assert page.get_by_text("Пожалуйста, введите правильные имя пользователя и пароль").is_visible()
