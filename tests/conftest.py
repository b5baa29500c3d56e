import os

import pytest
from django.core.management import call_command
from django.http import HttpResponse

from plans.models import Level, Region, SchoolYear

from .factories import SchoolFactory, UserFactory, make_plan

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls
# from the live-server tests are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def load_reference():
    if not SchoolYear.objects.exists():
        call_command("load_reference", verbosity=0, stdout=open(os.devnull, "w"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Reference data (the template tree, levels, municipalities) is loaded once;
    each test's transaction is rolled back over it."""
    with django_db_blocker.unblock():
        load_reference()


@pytest.fixture
def reference(db):
    """For transactional tests, whose flush removes the reference data."""
    load_reference()
    return SchoolYear.objects.get(region=Region.objects.default(), title="2023-2024")


@pytest.fixture
def year(db):
    return SchoolYear.objects.get(region=Region.objects.default(), title="2023-2024")


@pytest.fixture
def levels(year):
    return {level.code: level for level in Level.objects.filter(year=year)}


@pytest.fixture
def school(db):
    return SchoolFactory()


@pytest.fixture
def other_school(db):
    return SchoolFactory()


@pytest.fixture
def plan(school, levels):
    return make_plan(
        school,
        levels={
            6: levels["basic"].pk,
            7: levels["basic"].pk,
            8: levels["main"].pk,
            9: levels["main"].pk,
            10: levels["advanced"].pk,
            11: levels["advanced"].pk,
        },
    )


@pytest.fixture
def other_plan(other_school):
    return make_plan(other_school)


@pytest.fixture
def deputy(school):
    return UserFactory(username="deputy", school=school)


@pytest.fixture
def other_deputy(other_school):
    return UserFactory(username="other_deputy", school=other_school)


@pytest.fixture
def reviewer(db):
    return UserFactory(username="reviewer", is_staff=True)


@pytest.fixture
def coordinator(school):
    return UserFactory(username="coordinator", municipality=school.municipality)


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: ids repeat across rolled-back tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def run_worker(db, monkeypatch, settings):
    """Run what is queued, as `manage.py worker --batch` does on a server: the
    database backend's worker, or with DJANGO_TASKS_BACKEND=rq an RQ worker against
    the Redis server .ci/run starts.

    The database worker closes "old" connections between tasks; inside a test's
    transaction that would close the test's own connection, so here it does not.
    The RQ worker is RQ's SimpleWorker: it runs jobs in this process (a forked
    child would not see the test's uncommitted rows)."""
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )

    def run(queues: str = ""):
        if settings.TASKS_BACKEND == "rq":
            import django_rq
            from rq import SimpleWorker

            names = queues.split(",") if queues else settings.TASK_QUEUES
            worker = django_rq.get_worker(
                *names, job_class="django_tasks_rq.Job", worker_class=SimpleWorker
            )
            worker.work(burst=True)
        else:
            call_command(
                "worker", batch=True, verbosity=0, **({"queues": queues} if queues else {})
            )

    return run


@pytest.fixture
def deferred_tasks(settings):
    """The tasks queued to run later (a retry), and a way to make them due now."""
    from django.utils import timezone

    class Deferred:
        def count(self) -> int:
            if settings.TASKS_BACKEND == "rq":
                import django_rq
                from rq.registry import ScheduledJobRegistry

                return sum(
                    len(ScheduledJobRegistry(queue=django_rq.get_queue(name)))
                    for name in settings.TASK_QUEUES
                )
            from django_tasks_db.models import DBTaskResult

            # The database backend writes 9999-01-01 for "whenever": not deferred.
            return DBTaskResult.objects.filter(
                status="READY", run_after__gt=timezone.now(), run_after__year__lt=9999
            ).count()

        def make_due(self) -> None:
            if settings.TASKS_BACKEND == "rq":
                import django_rq
                from rq.registry import ScheduledJobRegistry

                for name in settings.TASK_QUEUES:
                    queue = django_rq.get_queue(name)
                    registry = ScheduledJobRegistry(queue=queue)
                    for job_id in registry.get_job_ids():
                        registry.remove(job_id)
                        queue.enqueue_job(queue.fetch_job(job_id))
                return
            from django_tasks_db.models import DBTaskResult

            DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())

    return Deferred()


@pytest.fixture(autouse=True)
def rq_queues(settings, monkeypatch):
    """With RQ, each test starts with empty queues (the database ones roll back by
    themselves), and a task is handed to Redis at once: a test's transaction never
    commits, and the worker shares the test's connection anyway."""
    if settings.TASKS_BACKEND == "rq":
        import django_rq

        # The tests' Redis database (DJANGO_TASKS_REDIS_URL in .ci/run) holds nothing else.
        django_rq.get_connection(settings.TASK_QUEUES[0]).flushdb()
        monkeypatch.setattr("django.db.transaction.on_commit", lambda callback, *a, **k: callback())


@pytest.fixture
def download(client, run_worker):
    """GET a download as a browser would: a file not rendered yet redirects to its
    progress page; the worker runs; the same URL then serves the stored file.
    Returns a plain response with the file's bytes in `content`."""

    def get(url, as_client=None):
        browser = as_client or client
        response = browser.get(url)
        if response.status_code == 302 and "/documents/" in response.url:
            run_worker()
            response = browser.get(url)
        if response.streaming:
            response = HttpResponse(
                b"".join(response.streaming_content),
                status=response.status_code,
                headers=dict(response.headers),
            )
        return response

    return get


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a skipped test fails: CI must not pass while a check did not run
    (no Redis, no browser). A developer's machine may still skip."""
    report = yield
    if _in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where every test must run: {reason}"
    return report


# --- a local S3 (moto, in this process) -------------------------------------------------


class LocalS3:
    """moto's S3 server in a thread of the test process, on a free port.

    moto keeps buckets in this process's memory, so stopping the server and starting
    it again on the same port (`down()`) is an outage that loses nothing, like an
    object store restarted or cut off for a while."""

    def __init__(self):
        from moto.server import ThreadedMotoServer

        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        self.port = self.server.get_host_and_port()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"

    def options(self, bucket: str) -> dict:
        from profplan.settings.base import _s3_client_config

        return {
            "bucket_name": bucket,
            "endpoint_url": self.endpoint,
            "access_key": "profplan-test",
            "secret_key": "profplan-test-secret",
            "region_name": "us-east-1",
            "file_overwrite": False,
            "querystring_auth": True,
            "client_config": _s3_client_config(),
        }

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id="profplan-test",
            aws_secret_access_key="profplan-test-secret",
            region_name="us-east-1",
        )

    def stop(self):
        self.server.stop()

    def start(self):
        from moto.server import ThreadedMotoServer

        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()


@pytest.fixture(scope="session")
def local_s3():
    server = LocalS3()
    yield server
    server.stop()


@pytest.fixture
def s3(settings, local_s3):
    """STORAGES["default"] is a fresh bucket of the local S3 for this test; returns the
    server, with `bucket`, `keys()` (what the bucket holds) and `down()` (a context in
    which the store does not answer)."""
    import contextlib
    import uuid

    bucket = f"profplan-{uuid.uuid4().hex[:12]}"
    local_s3.client().create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": local_s3.options(bucket),
        },
    }

    @contextlib.contextmanager
    def down():
        local_s3.stop()
        try:
            yield
        finally:
            local_s3.start()

    def keys() -> list[str]:
        listing = local_s3.client().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    local_s3.bucket, local_s3.keys, local_s3.down = bucket, keys, down
    return local_s3


# --- a task queue that does not answer ---------------------------------------------------


def closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def queue_down(settings):
    """A context in which the task queue is RQ on a Redis that does not answer (a
    closed port); after it, the queue of the run (the database, or RQ on .ci/run's
    Redis) answers again."""

    import contextlib

    @contextlib.contextmanager
    def down():
        saved_tasks = settings.TASKS
        saved_queues = getattr(settings, "RQ_QUEUES", None)
        url = f"redis://127.0.0.1:{closed_port()}/0"
        settings.RQ_QUEUES = {name: {"URL": url} for name in settings.TASK_QUEUES}
        settings.TASKS = {
            "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": settings.TASK_QUEUES}
        }
        try:
            yield
        finally:
            settings.TASKS = saved_tasks
            if saved_queues is None:
                del settings.RQ_QUEUES
            else:
                settings.RQ_QUEUES = saved_queues

    return down
