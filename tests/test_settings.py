import os
import subprocess
import sys
from pathlib import Path

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
