"""`manage.py prune_audit` deletes the events older than PROFPLAN_AUDIT_KEEP_DAYS and
nothing else."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import AuditEvent, AuditKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def ages():
    """Events 400, 366, 364 and 0 days old."""
    now = timezone.now()
    AuditEvent.objects.all().delete()
    for days in (400, 366, 364, 0):
        AuditEvent.objects.create(
            at=now - timedelta(days=days), kind=AuditKind.LOGIN, detail=f"{days} дн."
        )


def prune(*args) -> str:
    out = io.StringIO()
    call_command("prune_audit", *args, stdout=out)
    return out.getvalue()


def kept() -> list[str]:
    return sorted(AuditEvent.objects.values_list("detail", flat=True))


def test_a_year_is_kept_by_default(ages, settings):
    assert settings.PROFPLAN_AUDIT_KEEP_DAYS == 365
    assert prune() == "Удалено событий журнала: 2\n"
    assert kept() == ["0 дн.", "364 дн."]
    assert prune() == "Удалено событий журнала: 0\n"


def test_the_setting_and_the_option_say_how_long(ages, settings):
    settings.PROFPLAN_AUDIT_KEEP_DAYS = 380
    prune()
    assert kept() == ["0 дн.", "364 дн.", "366 дн."]
    prune("--days", "30")
    assert kept() == ["0 дн."]


def test_a_negative_number_of_days_is_refused(ages):
    with pytest.raises(CommandError, match="--days"):
        prune("--days", "-1")
    assert len(kept()) == 4


def test_the_environment_sets_the_days_and_the_proxy_header():
    import os
    import subprocess
    import sys

    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment |= {"DJANGO_AUDIT_KEEP_DAYS": "90", "DJANGO_AUDIT_IP_HEADER": "X-Real-IP"}
    environment["DJANGO_DEBUG"] = "1"  # a developer's settings: no secret key needed
    code = (
        "from profplan.settings import base; "
        "print(base.PROFPLAN_AUDIT_KEEP_DAYS, base.PROFPLAN_AUDIT_IP_HEADER)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["90", "X-Real-IP"], result.stderr
