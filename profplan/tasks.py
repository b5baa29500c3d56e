"""Background work: the one place that imports the Tasks API, and the e-mail task.

On Django 5.2 the Tasks API is the `django-tasks` backport; Django 6 ships it as
`django.tasks`. Every task module imports `task` from here, so moving to Django 6
changes this import and nothing else.

Queues (settings.TASK_QUEUES): «documents» for renders that take seconds to
minutes, «mail» for notifications, so a queue of archives never delays an e-mail
and a worker can be given to each.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone

try:  # Django 6
    from django.tasks import TaskResultStatus, default_task_backend, task  # type: ignore
except ImportError:  # Django 5.2: the backport
    from django_tasks import TaskResultStatus, default_task_backend, task

__all__ = [
    "TaskResultStatus",
    "default_task_backend",
    "enqueue_after_commit",
    "enqueue_mail",
    "send_mail_task",
    "task",
]

logger = logging.getLogger(__name__)

# A mail server that is down delays a notice, never loses it: a failed send is
# enqueued again later, waiting longer each time (1, 2, 4 … minutes, at most an
# hour), for three days; only then is it given up, with an error in the log.
MAIL_RETRY_MAX_DELAY = timedelta(hours=1)
MAIL_GIVE_UP_AFTER = timedelta(days=3)


def mail_retry_delay(attempt: int) -> timedelta:
    return min(timedelta(minutes=2 ** (attempt - 1)), MAIL_RETRY_MAX_DELAY)


@task(queue_name="mail")
def send_mail_task(
    subject: str, body: str, recipients: list[str], what: str, attempt: int = 1, first_try: str = ""
) -> int:
    """Send one message to each address; the ones that fail are tried again later.

    Returns how many were sent now. Addresses never reach the log (152-ФЗ)."""
    first_try = first_try or timezone.now().isoformat()
    failed: list[str] = []
    sent = 0
    try:
        connection = get_connection(fail_silently=False)
        connection.open()
    except Exception:
        logger.warning("mail %s: server unavailable (attempt %d)", what, attempt)
        failed = list(recipients)
    else:
        try:
            for address in recipients:
                message = EmailMessage(
                    subject, body, settings.DEFAULT_FROM_EMAIL, [address], connection=connection
                )
                try:
                    message.send()
                    sent += 1
                except Exception:
                    failed.append(address)
        finally:
            try:
                connection.close()
            except Exception:  # a server that dropped us: the messages went or will retry
                pass
    if failed:
        started = datetime.fromisoformat(first_try)
        if timezone.now() - started > MAIL_GIVE_UP_AFTER:
            logger.error(
                "mail %s: given up after %d attempts for %d recipient(s)",
                what,
                attempt,
                len(failed),
            )
        else:
            send_mail_task.using(run_after=timezone.now() + mail_retry_delay(attempt)).enqueue(
                subject, body, failed, what, attempt + 1, first_try
            )
            logger.warning(
                "mail %s: %d recipient(s) will be tried again (attempt %d)",
                what,
                len(failed),
                attempt,
            )
    return sent


def enqueue_mail(subject: str, body: str, recipients: list[str], what: str) -> None:
    """Queue a notice that goes out only if the current change commits."""
    if recipients:
        enqueue_after_commit(send_mail_task, subject, body, list(recipients), what)


def enqueue_after_commit(task_, *args) -> None:
    """Queue `task_` so that it runs only if the current transaction commits.

    The database backend writes the task in the same transaction (both or neither,
    and nothing to lose between commit and enqueue). For a backend outside the
    database (RQ) the task is recorded in the outbox in the same transaction and
    handed to the queue after the commit, so a worker never picks up a task for a
    row it cannot see yet, and a queue that does not answer at that moment delays
    the task instead of losing it (profplan/outbox)."""
    if type(task_.get_backend()).__name__ == "DatabaseBackend":
        task_.enqueue(*args)
    else:
        from profplan.outbox.work import outbox_record

        outbox_record(task_, *args)
