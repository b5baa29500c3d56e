"""`manage.py worker`: the background worker of whichever task backend is configured.

The database backend runs `db_worker` over every queue; RQ runs `rqworker` over
the same queues with django-tasks' job class. systemd (README, «Развёртывание»)
and `make run` start this one command, so neither needs to know the backend.

Beside the backend's own loop a thread keeps the work that no backend keeps
(profplan/outbox): it hands the outbox's tasks to the queue and queues again the
renders whose worker was killed, every RENDER_LEASE_SECONDS / 2. `--batch` does
one such round before it runs the queue.

DJANGO_WORKER_MEMORY_MB caps the process's address space (RLIMIT_AS, inherited by
RQ's work horses): a render that would pass it fails with a MemoryError, which the
render records as «план слишком велик для обработчика», instead of the kernel's
OOM killer choosing a process of the machine.
"""

import logging
import resource
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections


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
        cap_memory(settings.WORKER_MEMORY_MB)
        if batch:
            upkeep_round()
        else:
            threading.Thread(target=upkeep_loop, name="upkeep", daemon=True).start()
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


logger = logging.getLogger(__name__)


def cap_memory(megabytes: int) -> None:
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def upkeep_round() -> None:
    from profplan.outbox.work import maintenance

    try:
        maintenance()
    except Exception:  # the database or the queue restarting: the next round tries again
        logger.warning("worker upkeep failed", exc_info=True)


def upkeep_loop() -> None:
    """In a thread of its own, with its own database connection."""
    while True:
        upkeep_round()
        close_old_connections()
        time.sleep(max(1, settings.RENDER_LEASE_SECONDS // 2))
