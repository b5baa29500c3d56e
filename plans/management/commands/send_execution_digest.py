"""Weekly reminder to each school: the rows of its approved plan whose dates have
passed without a mark. A system timer runs it (README: «Исполнение планов»); the
mails go through the task queue, so a mail server that is down delays them only."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from plans.execution.digest import send_execution_digest


class Command(BaseCommand):
    help = "Письма школам: строки утверждённых планов, сроки которых прошли без отметки."

    def handle(self, *args, **options):
        sent = send_execution_digest(today=timezone.localdate())
        self.stdout.write(f"Писем поставлено в очередь: {sent}.")
