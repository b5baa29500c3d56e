"""Production behaviour: health check, error pages, CSP, sessions, logs without
personal data, the PDF cap, transactions and backups."""

import io
import logging
import os
import sqlite3
import subprocess

import pytest
from django.db import IntegrityError, OperationalError, connection
from django.template.loader import render_to_string
from django.test import Client

from plans.models import Plan, PlanGrade, PlanRow, SchoolYear
from plans.services import plan_create
from tests.factories import UserFactory, add_row, make_plan
from tests.signin import log_in

pytestmark = pytest.mark.django_db


# --- /healthz --------------------------------------------------------------------


def test_healthz_answers_ok_without_a_session(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "sessionid" not in response.cookies
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_down(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    assert client.get("/healthz").status_code == 503


def test_healthz_is_not_redirected_to_https(settings, client):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


# --- Content-Security-Policy -----------------------------------------------------


def test_pages_carry_a_policy_that_forbids_inline_scripts(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"


def test_no_template_has_an_inline_script():
    from pathlib import Path

    from django.conf import settings

    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for part in text.split("<script")[1:]:
            assert part.split(">", 1)[0].strip().startswith("src="), template
        assert " onclick=" not in text and " onchange=" not in text, template


# --- error pages -----------------------------------------------------------------


def test_unknown_address_gets_a_russian_404_that_reveals_nothing(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "Страница не найдена" in text
    assert "/no/such/page/" not in text and "urlpatterns" not in text


def test_forbidden_action_gets_a_russian_403(client):
    log_in(client, UserFactory(username="no_school"))
    response = client.post("/plans/start/")
    assert response.status_code == 403
    assert "Доступ закрыт" in response.content.decode()


def test_server_error_gets_a_russian_500_without_details(deputy, plan, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr("plans.editor.views.check_plan", boom)
    client = Client(raise_request_exception=False)
    client.force_login(deputy)
    response = client.get(f"/plans/{plan.pk}/check/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "Ошибка на сервере" in text and "secret detail" not in text


@pytest.mark.django_db(databases=[])
def test_error_pages_render_without_a_request_or_the_database():
    # Any database query here fails the test: the database may be what broke.
    for name in ("403.html", "404.html", "500.html", "503.html"):
        assert "Профплан" in render_to_string(name)


def test_lost_database_gives_503_try_again(deputy, plan, monkeypatch):
    def lost(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr("plans.editor.views.check_plan", lost)
    client = Client(raise_request_exception=False)
    client.force_login(deputy)
    response = client.get(f"/plans/{plan.pk}/check/")
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "попробуйте ещё раз" in response.content.decode()


# --- sessions --------------------------------------------------------------------


def test_keepalive_answers_204_to_a_signed_in_user(client, deputy):
    client.force_login(deputy)
    response = client.post("/session/keepalive/")
    assert response.status_code == 204
    assert "sessionid" in response.cookies  # the session slid forward


def test_keepalive_sends_a_signed_out_user_to_sign_in(client):
    response = client.post("/session/keepalive/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_session_page_reads_the_session_and_does_not_write_it(client, deputy):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(deputy)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/session/")
    assert response.status_code == 200
    assert response.content.decode().strip() == f"Вы вошли как {deputy.username}."
    # The session and the user are read; nothing is written, no cookie is re-sent.
    statements = [query["sql"].split()[0].upper() for query in queries]
    assert statements == ["SELECT", "SELECT"], [query["sql"] for query in queries]
    assert "sessionid" not in response.cookies


def test_session_page_sends_a_signed_out_user_to_sign_in(client):
    response = client.get("/session/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_other_pages_still_slide_the_session(client, deputy):
    client.force_login(deputy)
    assert "sessionid" in client.get("/").cookies


def test_signed_in_pages_tell_the_script_the_session_age(client, deputy, settings):
    settings.SESSION_COOKIE_AGE = 3600
    client.force_login(deputy)
    text = client.get("/").content.decode()
    assert 'data-session-age="3600"' in text
    assert "js/session.js" in text


def test_signing_in_again_returns_to_the_page(client, deputy, plan):
    deputy.set_password("profplan-demo")
    deputy.save()
    page = f"/plans/{plan.pk}/"
    response = client.get(page)
    assert response["Location"] == f"/accounts/login/?next={page}"
    response = client.post(
        "/accounts/login/", {"username": "deputy", "password": "profplan-demo", "next": page}
    )
    assert response.status_code == 302 and response["Location"] == page


# --- logs without personal data ----------------------------------------------------


@pytest.fixture
def console_log():
    """What the configured console handler writes (the formatter of the settings)."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_an_error_of_a_signed_in_user_is_logged_without_personal_data(
    console_log, school, plan, monkeypatch
):
    user = UserFactory(
        username="karmova.z",
        email="zalina.karmova@school1.ru",
        school=school,
        first_name="Залина",
        last_name="Кармова",
    )
    user.set_password("profplan-demo")
    user.save()

    def duplicate(*args, **kwargs):
        raise IntegrityError(
            'duplicate key value violates unique constraint "accounts_user_email"\n'
            "DETAIL:  Key (email, username)=(zalina.karmova@school1.ru, karmova.z) already exists. "
            "Телефон +7 (866) 242-12-34"
        )

    monkeypatch.setattr("plans.editor.views.check_plan", duplicate)
    client = Client(raise_request_exception=False)
    assert (
        client.post(
            "/accounts/login/", {"username": "karmova.z", "password": "profplan-demo"}
        ).status_code
        == 302
    )
    assert client.get(f"/plans/{plan.pk}/check/").status_code == 500

    output = console_log.getvalue()
    assert "Internal Server Error" in output  # the error itself is logged
    for personal in ("karmova", "zalina", "Залина", "Кармова", "242-12-34"):
        assert personal not in output


def test_lockout_warning_does_not_name_the_account(console_log, client, deputy):
    for _ in range(6):
        client.post("/accounts/login/", {"username": "deputy", "password": "wrong"})
    output = console_log.getvalue()
    assert "Locking out" in output
    assert "deputy" not in output


# --- transactions ------------------------------------------------------------------


def test_plan_create_that_fails_midway_leaves_nothing(school, monkeypatch):
    plans, grades, rows = Plan.objects.count(), PlanGrade.objects.count(), PlanRow.objects.count()

    def disk_full(*args, **kwargs):
        raise OperationalError("disk full")

    # The plan and its grades are written before the rows.
    monkeypatch.setattr(PlanRow.objects, "bulk_create", disk_full)
    with pytest.raises(OperationalError):
        plan_create(school=school, year=SchoolYear.objects.get(title="2023-2024"))
    assert (Plan.objects.count(), PlanGrade.objects.count(), PlanRow.objects.count()) == (
        plans,
        grades,
        rows,
    )


# --- backups -----------------------------------------------------------------------


def _counts(query):
    return {
        table: query(f"SELECT id FROM {table} ORDER BY id")
        for table in (
            "plans_plan",
            "plans_planrow",
            "plans_historicalplan",
            "plans_historicalplanrow",
        )
    }


@pytest.mark.django_db(transaction=True)
def test_backup_restores_every_plan_row_and_history_entry(reference, tmp_path):
    from scripts.backup import backup_database, is_postgres, restore_database

    for _ in range(2):
        plan = make_plan()
        row = add_row(plan, "3.4.1.", activity="Экскурсия в колледж")
        row.activity = "Экскурсия в колледж и на завод"
        row.save()  # a second history entry

    def source_query(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return [r[0] for r in cursor.fetchall()]

    expected = _counts(source_query)
    assert expected["plans_historicalplanrow"]

    db = dict(connection.settings_dict)
    dump = backup_database(db, tmp_path)
    assert dump.stat().st_size > 0

    if is_postgres(db):
        import psycopg

        fresh = db["NAME"] + "_restore"
        admin = psycopg.connect(
            autocommit=True,
            dbname="postgres",
            user=db["USER"],
            password=db["PASSWORD"],
            host=db["HOST"],
            port=db["PORT"],
        )
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
            cursor.execute(f'CREATE DATABASE "{fresh}"')
        try:
            restore_database(db | {"NAME": fresh}, dump)
            restored = psycopg.connect(
                autocommit=True,
                dbname=fresh,
                user=db["USER"],
                password=db["PASSWORD"],
                host=db["HOST"],
                port=db["PORT"],
            )
            try:
                with restored.cursor() as cursor:

                    def fresh_query(sql):
                        cursor.execute(sql)
                        return [r[0] for r in cursor.fetchall()]

                    assert _counts(fresh_query) == expected
            finally:
                restored.close()
        finally:
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
            admin.close()
    else:
        fresh = tmp_path / "fresh.sqlite3"
        restore_database({"ENGINE": db["ENGINE"], "NAME": str(fresh)}, dump)
        restored = sqlite3.connect(fresh)
        try:
            assert _counts(lambda sql: [r[0] for r in restored.execute(sql)]) == expected
        finally:
            restored.close()


def test_make_restore_refuses_without_a_file():
    result = subprocess.run(["make", "-s", "restore"], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "usage: make restore FILE=" in result.stdout


def test_session_lost_with_the_database_at_the_end_is_try_again_too(deputy, plan, monkeypatch):
    from django.contrib.sessions.models import Session

    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    client = Client(raise_request_exception=False)
    client.force_login(deputy)
    # The page was made; saving the session on the way out finds the database gone.
    # Django turns that into SessionInterrupted, a 400, unless told otherwise.
    monkeypatch.setattr(Session, "save", lost)
    response = client.get(f"/plans/{plan.pk}/")
    assert response.status_code == 503
    assert "попробуйте ещё раз" in response.content.decode()


# --- several app servers: cache and file storage from the environment ----------------


def _settings_in_subprocess(expression: str, **env) -> str:
    import os
    import sys

    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    # A developer's settings (DEBUG on: no secret key needed), then the variables under test.
    environment.update(DJANGO_SETTINGS_MODULE="profplan.settings.base", DJANGO_DEBUG="1", **env)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", f"print({expression})"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


# .ci/run starts Redis and sets this; elsewhere the test runs if a Redis answers here.
TEST_REDIS_URL = os.environ.get("PROFPLAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


def test_cache_is_redis_when_a_cache_url_is_given():
    import redis

    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2).ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {TEST_REDIS_URL} (PROFPLAN_TEST_REDIS_URL)")
    expression = (
        "__import__('django.core.cache').core.cache.caches['default'].__class__.__name__, "
        "__import__('django.core.cache').core.cache.cache.set('profplan-probe', 1, 5), "
        "__import__('django.core.cache').core.cache.cache.get('profplan-probe')"
    )
    output = _settings_in_subprocess(expression, DJANGO_CACHE_URL=TEST_REDIS_URL)
    assert output == "RedisCache None 1"


def test_cache_is_local_memory_by_default():
    expression = "__import__('django.core.cache').core.cache.caches['default'].__class__.__name__"
    assert _settings_in_subprocess(expression) == "LocMemCache"


def test_file_storage_comes_from_the_environment(tmp_path):
    """One machine: the folder DJANGO_MEDIA_ROOT. Several: an S3 bucket from plain
    variables (the JSON blob DJANGO_STORAGE_OPTIONS it replaced is refused by name)."""
    storage = "__import__('django.core.files.storage').core.files.storage.default_storage"
    output = _settings_in_subprocess(
        f"{storage}.__class__.__name__, {storage}.location", DJANGO_MEDIA_ROOT=str(tmp_path)
    )
    assert output == f"FileSystemStorage {tmp_path}"

    output = _settings_in_subprocess(
        f"{storage}.__class__.__name__, {storage}.bucket_name, {storage}.endpoint_url, "
        f"{storage}.region_name, {storage}.file_overwrite, "
        f"{storage}.client_config.s3['addressing_style']",
        DJANGO_S3_BUCKET="profplan-files",
        DJANGO_S3_ENDPOINT_URL="https://s3.example.ru",
        DJANGO_S3_ACCESS_KEY="key",
        DJANGO_S3_SECRET_KEY="secret",
    )
    assert output == "S3Storage profplan-files https://s3.example.ru us-east-1 False path"


def test_the_old_json_storage_setting_is_refused_with_what_replaced_it():
    import subprocess
    import sys

    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(
        DJANGO_SETTINGS_MODULE="profplan.settings.base",
        DJANGO_STORAGE_OPTIONS='{"bucket_name": "profplan"}',
        DJANGO_DEBUG="1",  # a developer's settings: the refusal, not the missing key
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_S3_BUCKET" in result.stderr


# --- the first regional administrator ---------------------------------------------------


def test_ensure_roles_makes_a_regional_administrator(db):
    from django.core.management import call_command

    from accounts.roles import REGIONAL

    user = UserFactory(username="metodist")
    call_command("ensure_roles", regional=["metodist"], stdout=io.StringIO())
    user.refresh_from_db()
    assert user.is_staff
    assert user.groups.filter(name=REGIONAL).exists()


# --- CI cannot pass while a check did not run ------------------------------------------


def _run(args: list[str], **env) -> subprocess.CompletedProcess:
    import sys

    environment = {k: v for k, v in os.environ.items() if k not in ("CI", "DATABASE_URL")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, *args], env=environment, capture_output=True, text=True, timeout=300
    )


_REDIS_TEST = "test_cache_is_redis_when_a_cache_url_is_given"


def test_a_test_that_skips_fails_under_ci():
    # No Redis answers on port 1: the shared-cache test skips on a laptop, fails in CI.
    args = ["-m", "pytest", "-q", "-p", "no:cacheprovider", f"{__file__}::{_REDIS_TEST}"]
    laptop = _run(args, PROFPLAN_TEST_REDIS_URL="redis://127.0.0.1:1/9")
    assert laptop.returncode == 0 and "1 skipped" in laptop.stdout
    ci = _run(args, PROFPLAN_TEST_REDIS_URL="redis://127.0.0.1:1/9", CI="true")
    assert ci.returncode == 1 and "skipped under CI=true" in ci.stdout


def test_faultcheck_fails_when_it_cannot_restart_postgresql():
    result = _run(["-m", "tests.faults"], DATABASE_URL="sqlite:///nothing.sqlite3")
    assert result.returncode != 0
    assert "FAILED" in result.stdout and "skipped" not in result.stdout
