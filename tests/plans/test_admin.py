"""Every admin page answers for a superuser: changelist, add and change of every model."""

import pytest
from axes.models import AccessFailureLog
from django.contrib import admin
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from plans.models import Evidence, Plan, PlanComment, RowExecution
from tests.factories import add_row
from tests.signin import log_in

pytestmark = pytest.mark.django_db


def admin_models():
    return [(model._meta.app_label, model._meta.model_name) for model in admin.site._registry]


@pytest.mark.parametrize(("app_label", "model_name"), admin_models())
def test_changelist_and_add_answer(client, superuser, plan, app_label, model_name):
    log_in(client, superuser)
    assert client.get(reverse(f"admin:{app_label}_{model_name}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{app_label}_{model_name}_add")).status_code in (200, 403)


@override_settings(DEBUG=True)
def test_change_page_of_every_model_answers(client, superuser):
    """With the demo data (a submitted plan, campaigns, surveys, recommendations…), a
    comment, a row's execution with a file and a refused sign-in, every registered
    model has an object to open."""
    call_command("load_demo")
    plan = Plan.objects.filter(status="submitted").first()
    PlanComment.objects.create(plan=plan, author=superuser, text="Уточните сроки")
    execution = RowExecution.objects.create(row=plan.rows.first(), status="done", pupils=25)
    Evidence.objects.create(
        execution=execution,
        key="k" * 32,
        extension="pdf",
        content_type="application/pdf",
        name="приказ.pdf",
        file="execution/приказ.pdf",
        size=100,
    )
    client.post(reverse("login"), {"username": "deputy", "password": "не тот"})  # django-axes
    AccessFailureLog.objects.create(
        username="deputy",
        ip_address="127.0.0.1",
        user_agent="test",
        http_accept="*/*",
        path_info="/",
    )
    log_in(client, superuser)
    for model in admin.site._registry:
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"no {model._meta.model_name} to open"
        url = reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk]
        )
        assert client.get(url).status_code == 200, url


def test_plan_change_page_lists_rows_in_document_order(client, superuser, plan):
    add_row(plan, "3.4.12.1.", activity="Урок «Шоу профессий»", hours=4, grades=(6,))
    log_in(client, superuser)
    page = client.get(reverse("admin:plans_plan_change", args=[plan.pk])).content.decode()
    assert "Урок «Шоу профессий»" in page
    assert (
        page.index(">1.1.<")
        < page.index(">3.2.7.<")
        < page.index(">3.4.12.1.1.<")
        < page.index(">5.1.<")
    )


def test_admin_is_in_russian(client, superuser):
    log_in(client, superuser)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Планы профориентации" in page
    assert "Пункты примерного плана (Таблица 1)" in page
