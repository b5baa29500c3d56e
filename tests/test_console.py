"""`make run`'s console is readable: no WeasyPrint progress lines, one line per e-mail."""

import io
import os
import subprocess
import sys

from django.core.mail import EmailMessage

from profplan.mail import ConsoleEmailBackend
from tests.test_settings import ROOT


def development_shell(script: str, tmp_path) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(
        DJANGO_SETTINGS_MODULE="profplan.settings.base",
        # What `make run` sets: DEBUG is off unless asked for.
        DJANGO_DEBUG="1",
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
    )
    environment.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_weasyprint_says_nothing_at_info(tmp_path):
    result = development_shell("import plans.documents.formats.pdf", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "weasyprint" not in result.stderr


def test_development_mail_is_one_line_per_message(tmp_path):
    result = development_shell(
        "from django.core.mail import send_mail; "
        "send_mail('Профплан: план на 2023-2024 утверждён', "
        "'Региональный центр утвердил план.\\n\\nОткрыть план: http://127.0.0.1:8000/plans/1/', "
        "'noreply@example.org', ['deputy@example.org'])",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("Письмо")]
    assert lines == [
        "Письмо: deputy@example.org — Профплан: план на 2023-2024 утверждён "
        "(http://127.0.0.1:8000/plans/1/)"
    ]
    assert "Content-Type" not in result.stdout and "MIME" not in result.stdout


def test_console_backend_writes_one_line_per_message():
    stream = io.StringIO()
    backend = ConsoleEmailBackend(stream=stream)
    sent = backend.send_messages(
        [
            EmailMessage("Тема 1", "Текст", "a@example.org", ["b@example.org", "c@example.org"]),
            EmailMessage(
                "Тема 2", "Ссылка: https://x.example/p/2/\n", "a@example.org", ["d@example.org"]
            ),
        ]
    )
    assert sent == 2
    assert stream.getvalue().splitlines() == [
        "Письмо: b@example.org, c@example.org — Тема 1",
        "Письмо: d@example.org — Тема 2 (https://x.example/p/2/)",
    ]
