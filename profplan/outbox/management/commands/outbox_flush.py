"""`manage.py outbox_flush`: hand the tasks recorded while the queue was down to it
now (the worker's loop does the same every half minute), and queue again the
renders whose worker stopped. Prints how many; exits 1 if tasks are still waiting
because the queue still does not answer."""

from django.core.management.base import BaseCommand, CommandError

from profplan.outbox.models import OutboxTask
from profplan.outbox.work import leases_reap, outbox_flush


class Command(BaseCommand):
    help = "Передаёт в очередь задачи, записанные, пока очередь была недоступна."

    def handle(self, *args, **options):
        handed = outbox_flush()
        queued, given_up = leases_reap()
        waiting = OutboxTask.objects.count()
        self.stdout.write(
            f"передано в очередь: {handed}; ждут очереди: {waiting}; "
            f"прерванных работ снова в очереди: {queued}; оставлено после трёх попыток: {given_up}"
        )
        if waiting:
            raise CommandError("Очередь задач недоступна: задачи ждут в базе и не потеряны.")
