from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_prune


class Command(BaseCommand):
    help = (
        "Удаляет события журнала старше DJANGO_AUDIT_KEEP_DAYS дней (по умолчанию 365); "
        "запускать ежедневно."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"сколько дней хранить (по умолчанию {settings.PROFPLAN_AUDIT_KEEP_DAYS})",
        )

    def handle(self, *args, days=None, **options):
        if days is not None and days < 0:
            raise CommandError("--days: число дней, 0 или больше.")
        count = audit_prune(keep_days=days)
        self.stdout.write(f"Удалено событий журнала: {count}")
