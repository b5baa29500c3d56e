"""`manage.py worker`: the background worker of whichever task backend is configured.

The database backend runs `db_worker` over every queue; RQ runs `rqworker` over
the same queues with django-tasks' job class. systemd (README, «Развёртывание»)
and `make run` start this one command, so neither needs to know the backend.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Запускает обработчик фоновых задач (документы, письма)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", action="store_true", help="выполнить то, что в очереди, и выйти"
        )
        parser.add_argument(
            "--queues",
            default=",".join(settings.TASK_QUEUES),
            help="очереди через запятую (по умолчанию все)",
        )

    def handle(self, *args, batch=False, queues="", **options):
        names = [name for name in queues.split(",") if name]
        if settings.TASKS_BACKEND == "rq":
            call_command(
                "rqworker",
                *names,
                job_class="django_tasks_rq.Job",
                burst=batch,
                with_scheduler=True,
                # RQ logs every job with its arguments at INFO: the addresses and
                # texts of notices (152-ФЗ). Warnings and errors carry none.
                verbosity=0,
            )
        else:
            call_command(
                "db_worker",
                queue_name=",".join(names),
                batch=batch,
                reload=False,
                startup_delay=not batch,
                verbosity=options["verbosity"],
            )
