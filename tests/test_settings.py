import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_check(**env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_start_up_without_secret_key_fails_clearly_when_debug_is_off():
    result = run_check(DJANGO_DEBUG="0", DJANGO_SETTINGS_MODULE="profplan.settings.base")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_start_up_with_secret_key_works_when_debug_is_off():
    result = run_check(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_ALLOWED_HOSTS="profplan.example",
        DJANGO_SETTINGS_MODULE="profplan.settings.base",
    )
    assert result.returncode == 0, result.stderr


def test_sqlite_file_uses_wal_and_immediate_transactions(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    environment.update(
        SQLITE_PATH=str(tmp_path / "db.sqlite3"), DJANGO_SETTINGS_MODULE="profplan.settings.base"
    )
    script = (
        "from django.db import connection; c = connection.cursor(); c.execute('PRAGMA journal_mode'); "
        "print(c.fetchone()[0], connection.transaction_mode)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split()[-2:] == ["wal", "IMMEDIATE"], result.stderr


def test_russian_and_moscow_time():
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "ru-ru"
    assert settings.TIME_ZONE == "Europe/Moscow"


# --- safe by default ------------------------------------------------------------------


def run_python(script: str, **env):
    """`manage.py shell -c script` with only the given DJANGO_ variables."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(DJANGO_SETTINGS_MODULE="profplan.settings.base", **env)
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = dict(DJANGO_SECRET_KEY="x" * 60, DJANGO_ALLOWED_HOSTS="profplan.example.ru")


def test_without_django_debug_the_app_refuses_to_start_without_a_secret_key():
    result = run_check(DJANGO_SETTINGS_MODULE="profplan.settings.base")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
    assert "DJANGO_DEBUG off (the default)" in result.stderr
    assert "make run" in result.stderr


def test_without_django_debug_debug_is_off_and_mail_goes_by_smtp():
    result = run_python(
        "from django.conf import settings; print(settings.DEBUG, settings.EMAIL_BACKEND)",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["False", "django.core.mail.backends.smtp.EmailBackend"]


def test_django_debug_on_gives_the_console_mail_of_a_developer():
    result = run_python(
        "from django.conf import settings; print(settings.DEBUG, settings.EMAIL_BACKEND)",
        DJANGO_DEBUG="1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["True", "profplan.mail.ConsoleEmailBackend"]


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.mail.backends.console.EmailBackend",
        "profplan.mail.ConsoleEmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
    ],
)
def test_a_mail_backend_that_sends_nothing_is_refused_at_start_in_production(backend):
    result = run_check(DJANGO_DEBUG="0", DJANGO_EMAIL_BACKEND=backend, **PRODUCTION)
    assert result.returncode != 0
    assert f"DJANGO_EMAIL_BACKEND={backend} does not send mail" in result.stderr
    assert "DJANGO_EMAIL_HOST" in result.stderr


def test_hsts_preload_and_subdomains_only_when_asked_for():
    script = (
        "from django.conf import settings; print(settings.SECURE_HSTS_SECONDS, "
        "settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.SECURE_HSTS_PRELOAD)"
    )
    plain = run_python(script, DJANGO_DEBUG="0", **PRODUCTION)
    assert plain.stdout.split()[-3:] == ["31536000", "False", "False"], plain.stderr
    asked = run_python(
        script,
        DJANGO_DEBUG="0",
        DJANGO_HSTS_INCLUDE_SUBDOMAINS="1",
        DJANGO_HSTS_PRELOAD="1",
        **PRODUCTION,
    )
    assert asked.stdout.split()[-3:] == ["31536000", "True", "True"], asked.stderr


@pytest.mark.django_db
def test_hsts_header_carries_preload_and_subdomains_only_when_asked_for(settings):
    from django.test import Client

    # SecurityMiddleware reads its settings once: a new client for each.
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = settings.SECURE_HSTS_PRELOAD = False
    header = Client().get("/healthz", secure=True)["Strict-Transport-Security"]
    assert header == "max-age=3600"
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = settings.SECURE_HSTS_PRELOAD = True
    header = Client().get("/healthz", secure=True)["Strict-Transport-Security"]
    assert header == "max-age=3600; includeSubDomains; preload"


def make_env(**env) -> dict:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return environment


def test_make_run_and_demo_turn_debug_on_and_serve_keeps_it_off():
    # MANAGE and PY replaced by a command that prints the variable each step sees;
    # «#» makes the rest of each recipe line a shell comment.
    probe = ["MANAGE=printenv DJANGO_DEBUG #", "PY=printenv DJANGO_DEBUG #"]
    for target, expected in (("demo", "1"), ("run", "1"), ("serve", "0")):
        result = subprocess.run(
            ["make", "-s", target, *probe],
            cwd=ROOT,
            env=make_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        lines = [line for line in result.stdout.splitlines() if not line.startswith("Профплан")]
        assert lines and set(lines) == {expected}, (target, result.stdout, result.stderr)


def test_make_deploycheck_is_clean_even_where_a_developer_set_console_mail():
    result = subprocess.run(
        ["make", "-s", "deploycheck"],
        cwd=ROOT,
        env=make_env(DJANGO_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
