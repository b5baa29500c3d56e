"""Every admin page answers for a superuser: changelist, add and change of every model."""

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.roles import ensure_roles
from tests.factories import add_row

pytestmark = pytest.mark.django_db


def admin_models():
    return [(model._meta.app_label, model._meta.model_name) for model in admin.site._registry]


@pytest.mark.parametrize(("app_label", "model_name"), admin_models())
def test_changelist_and_add_answer(client, superuser, plan, app_label, model_name):
    client.force_login(superuser)
    assert client.get(reverse(f"admin:{app_label}_{model_name}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{app_label}_{model_name}_add")).status_code in (200, 403)


@pytest.mark.parametrize(("app_label", "model_name"), admin_models())
def test_change_page_answers(client, superuser, plan, app_label, model_name):
    ensure_roles()
    client.force_login(superuser)
    model = next(m for m in admin.site._registry if m._meta.model_name == model_name)
    obj = model._default_manager.order_by("pk").first()
    if obj is None:
        pytest.skip(f"no {model_name} in the test data")
    url = reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk])
    response = client.get(url)
    assert response.status_code == 200


def test_plan_change_page_lists_rows_in_document_order(client, superuser, plan):
    add_row(plan, "3.4.12.1.", activity="Урок «Шоу профессий»", hours=4, grades=(6,))
    client.force_login(superuser)
    page = client.get(reverse("admin:plans_plan_change", args=[plan.pk])).content.decode()
    assert "Урок «Шоу профессий»" in page
    assert (
        page.index(">1.1.<")
        < page.index(">3.2.7.<")
        < page.index(">3.4.12.1.1.<")
        < page.index(">5.1.<")
    )


def test_admin_is_in_russian(client, superuser):
    client.force_login(superuser)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Планы профориентации" in page
    assert "Пункты примерного плана (Таблица 1)" in page
