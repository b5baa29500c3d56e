"""Links in e-mails point at the configured site address (DJANGO_SITE_URL)."""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from accounts.roles import REGIONAL, ensure_roles
from plans import services
from profplan.site import check_site_url
from tests.plans.test_editor import complete
from tests.test_settings import run_check

pytestmark = pytest.mark.django_db

SITE = "https://profplan.example.ru"


@override_settings(SITE_URL=SITE)
def test_notice_links_point_at_the_configured_site(
    plan, deputy, reviewer, django_capture_on_commit_callbacks, run_worker
):
    reviewer.groups.add(ensure_roles()[REGIONAL])
    complete(plan)
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_submit(plan=plan, by=deputy, version=None)
    run_worker("mail")
    assert f"Открыть: {SITE}/admin/plans/plan/{plan.pk}/review/" in mail.outbox[-1].body
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_return(plan=plan, by=reviewer, comment="Дополните раздел 3.4")
    run_worker("mail")
    assert f"Открыть план: {SITE}{plan.get_absolute_url()}" in mail.outbox[-1].body


def test_production_without_a_site_address_is_warned_about(settings):
    settings.DEBUG, settings.SITE_URL = False, ""
    settings.ALLOWED_HOSTS = ["profplan.example.ru"]
    (warning,) = check_site_url(None)
    assert warning.id == "profplan.W001" and "DJANGO_SITE_URL" in warning.msg
    settings.SITE_URL = SITE
    assert check_site_url(None) == []
    settings.DEBUG, settings.SITE_URL = True, ""
    assert check_site_url(None) == []


def test_manage_check_warns_in_production_without_a_site_address():
    production = dict(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_ALLOWED_HOSTS="profplan.example.ru",
        DJANGO_SETTINGS_MODULE="profplan.settings.base",
    )
    result = run_check(**production)
    assert "profplan.W001" in result.stderr and "DJANGO_SITE_URL" in result.stderr
    result = run_check(**production, DJANGO_SITE_URL=SITE)
    assert "profplan.W001" not in result.stderr + result.stdout


@override_settings(DEBUG=True, SITE_URL="http://127.0.0.1:8123")
def test_demo_data_says_where_the_server_runs():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "Вход: http://127.0.0.1:8123/" in out.getvalue()
    assert "Сводка: http://127.0.0.1:8123/monitoring/dashboard/" in out.getvalue()
