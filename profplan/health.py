"""/readyz: can this node do its work? The database, the task queue and the file
store, each asked once and named in the answer, so an operator sees which is down.

/healthz (profplan/views.py) stays the load balancer's cheap probe: the database
only. /readyz costs a Redis PING and an S3 HEAD on top: for monitoring and for a
deploy script waiting for a node, not for every second of a balancer.
"""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .storage import storage_check


def _database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return type(error).__name__
    return None


def _queue() -> str | None:
    """The database backend's queue is a table of the database: its table is read.
    RQ's is Redis: one PING, with its own short timeouts (a Redis that does not
    answer must not hold the probe for long)."""
    backend = settings.TASKS["default"]["BACKEND"]
    try:
        if backend == "django_tasks_rq.RQBackend":
            import redis

            url = next(iter(settings.RQ_QUEUES.values()))["URL"]
            client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
            try:
                client.ping()
            finally:
                client.close()
        else:
            from django_tasks_db.models import DBTaskResult

            DBTaskResult.objects.only("pk").first()
    except Exception as error:
        return type(error).__name__
    return None


@never_cache
@require_GET
def readyz(request):
    """200 with {"database": "ok", "queue": "ok", "storage": "ok"} when all answer;
    503 with the one that does not as «unavailable: <error>». Also how many tasks wait
    in the outbox for the queue (a number that should fall back to 0)."""
    checks = {"database": _database(), "queue": _queue(), "storage": storage_check()}
    body = {
        name: "ok" if error is None else f"unavailable: {error}" for name, error in checks.items()
    }
    if checks["database"] is None:
        from profplan.outbox.models import OutboxTask

        body["outbox_waiting"] = OutboxTask.objects.count()
    ready = all(error is None for error in checks.values())
    return JsonResponse(
        body, status=200 if ready else 503, json_dumps_params={"ensure_ascii": False}
    )
