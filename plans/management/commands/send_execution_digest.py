"""Weekly reminders: to each school's deputy director, the rows of its approved plan
whose dates have passed without a mark; to each assignee, their own overdue rows and
the week's activities. A system timer runs it (README: «Исполнение планов»); the
mails go through the task queue, so a mail server that is down delays them only."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from plans.execution.digest import send_execution_digest


class Command(BaseCommand):
    help = (
        "Письма заместителям директоров (просроченные строки утверждённых планов) и "
        "исполнителям (их просроченные мероприятия и мероприятия недели)."
    )

    def handle(self, *args, **options):
        sent = send_execution_digest(today=timezone.localdate())
        self.stdout.write(f"Писем поставлено в очередь: {sent}.")
