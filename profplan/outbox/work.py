"""The outbox and the leases (see the package's docstring for why).

Arguments of recorded tasks are JSON (ids, flags, texts), as task arguments are
anyway: a task may run on another machine, later.
"""

import logging
import threading
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Lease, LeaseState, OutboxTask

logger = logging.getLogger(__name__)

# A render that stopped its worker this many times is given up: the fourth would
# stop it again (a plan too large for the machine's memory).
MAX_ATTEMPTS = 3


# --- the outbox ---------------------------------------------------------------------


def outbox_record(task_, *args) -> OutboxTask:
    """Record `task_(*args)` in the current transaction; hand it to the queue right
    after the commit. Should the queue not answer then, the row waits for the worker
    loop or `manage.py outbox_flush`: the change that asked for it has committed
    and the user sees it succeed either way."""
    row = OutboxTask.objects.create(
        task=task_.module_path, args=list(args), run_after=task_.run_after
    )
    transaction.on_commit(lambda: outbox_flush(pks=[row.pk]), robust=True)
    return row


def outbox_flush(*, pks=None, limit: int = 500) -> int:
    """Hand recorded tasks to the queue, oldest first; returns how many went.

    Each is taken under a row lock (skipped by another flusher) and deleted in the
    same transaction as it is enqueued, so two flushers never hand one task twice.
    The first refusal stops the round: the queue is down and the rest would fail
    the same way (each after a connection timeout)."""
    rows = OutboxTask.objects.order_by("pk")
    if pks is not None:
        rows = rows.filter(pk__in=pks)
    handed = 0
    for pk in list(rows.values_list("pk", flat=True)[:limit]):
        try:
            with transaction.atomic():
                row = OutboxTask.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
                if row is None:
                    continue
                task_ = import_string(row.task)
                if row.run_after is not None:
                    task_ = task_.using(run_after=row.run_after)
                task_.enqueue(*row.args)
                row.delete()
        except Exception as error:
            OutboxTask.objects.filter(pk=pk).update(
                attempts=F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:300]
            )
            logger.warning("outbox: the queue refused %s (%s)", pk, type(error).__name__)
            break
        handed += 1
    return handed


# --- leases -------------------------------------------------------------------------


def lease_claim(*, key: str, task_, args, recover: str, free: bool = True) -> int | None:
    """Start the work `key` and return which start this is (1, 2, 3), or None when
    another worker holds it (a live RUNNING lease). Call it inside the transaction
    that claims the work itself, so a worker killed right after the claim still
    leaves a lease behind for the reaper.

    `free=False` says the caller already knows the work is its own (a claim by a
    conditional update): the lease is taken over whatever its state."""
    now = timezone.now()
    fields = {
        "task": task_.module_path,
        "args": list(args),
        "recover": recover,
        "state": LeaseState.RUNNING,
        "started_at": now,
        "heartbeat_at": now,
        "reason": "",
    }
    existing = Lease.objects.select_for_update().filter(key=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                Lease.objects.create(key=key, attempts=1, **fields)
        except IntegrityError:  # another worker took it a moment earlier
            return None
        return 1
    if free and existing.state == LeaseState.RUNNING:
        return None
    Lease.objects.filter(pk=existing.pk).update(attempts=F("attempts") + 1, **fields)
    return existing.attempts + 1


# The file store did not answer when a render was to be stored: tried again this
# much later, within the same three starts (about three minutes of outage).
STORAGE_RETRY_DELAY = timedelta(minutes=1)


def lease_retry_later(key: str) -> bool:
    """The render could not be stored (the file store is down): queue it again a
    minute later, unless this was its last start. Returns whether it was queued."""
    from profplan.tasks import enqueue_after_commit

    lease = Lease.objects.filter(key=key).first()
    if lease is None or lease.attempts >= MAX_ATTEMPTS:
        lease_release(key)
        return False
    Lease.objects.filter(pk=lease.pk).update(
        state=LeaseState.REQUEUED, heartbeat_at=timezone.now(), reason="storage"
    )
    later = import_string(lease.task).using(run_after=timezone.now() + STORAGE_RETRY_DELAY)
    enqueue_after_commit(later, *lease.args)
    return True


def lease_release(key: str) -> None:
    """The work is over (done, or failed with its own message): nothing to recover."""
    Lease.objects.filter(key=key).delete()


def lease_of(key: str) -> Lease | None:
    return Lease.objects.filter(key=key).first()


@contextmanager
def heartbeat(key: str):
    """While the body runs, a thread marks the lease alive every
    RENDER_HEARTBEAT_SECONDS. The render itself is a long call into WeasyPrint or
    openpyxl that cannot stop to beat; the thread can, and dies with the process,
    which is the point."""
    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(settings.RENDER_HEARTBEAT_SECONDS):
                try:
                    Lease.objects.filter(key=key, state=LeaseState.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:
                    logger.warning("lease %s: heartbeat not written", key, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"heartbeat {key}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def leases_reap(*, now=None) -> tuple[int, int]:
    """Queue again the work whose worker stopped beating; give up after
    MAX_ATTEMPTS starts. Returns (queued again, given up).

    Run by the worker loop every RENDER_LEASE_SECONDS / 2 (plans' `manage.py
    worker`), so a cut-off render is queued again at most 1.5 × RENDER_LEASE_SECONDS
    after its last heartbeat, by any worker that is running."""
    from profplan.tasks import enqueue_after_commit

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.RENDER_LEASE_SECONDS)
    queued = given_up = 0
    # A lease queued again whose work has gone since (a document pruned, a plan
    # deleted) is never taken again: forgotten after a day.
    Lease.objects.filter(heartbeat_at__lt=now - timedelta(days=1)).delete()
    stale = Lease.objects.filter(state=LeaseState.RUNNING, heartbeat_at__lt=cutoff)
    for pk in list(stale.values_list("pk", flat=True)):
        try:
            outcome = _reap(pk, cutoff, now, enqueue_after_commit)
        except Exception:  # one broken lease must not stop the others
            logger.exception("lease %s: could not be recovered", pk)
            continue
        queued += outcome == "queued"
        given_up += outcome == "given up"
    return queued, given_up


def _reap(pk, cutoff, now, enqueue_after_commit) -> str:
    """Recover one stale lease: "queued" again, "given up", or "" (taken meanwhile)."""
    with transaction.atomic():
        lease = (
            Lease.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, state=LeaseState.RUNNING, heartbeat_at__lt=cutoff)
            .first()
        )
        if lease is None:
            return ""
        give_up = lease.attempts >= MAX_ATTEMPTS
        import_string(lease.recover)(*lease.args, give_up=give_up)
        if give_up:
            lease.delete()
            logger.error(
                "lease %s: given up after %d starts that stopped the worker",
                lease.key,
                lease.attempts,
            )
            return "given up"
        Lease.objects.filter(pk=pk).update(state=LeaseState.REQUEUED, heartbeat_at=now, reason="")
        enqueue_after_commit(import_string(lease.task), *lease.args)
        logger.warning(
            "lease %s: the worker stopped during start %d; queued again",
            lease.key,
            lease.attempts,
        )
        return "queued"


def maintenance() -> None:
    """One round of the worker loop's upkeep: the outbox, then the leases."""
    outbox_flush()
    leases_reap()
