"""Documents off the request path: the submit, stored downloads, long words, the
region archive, and the pages while a worker renders.

- `submit_ms_300_rows`: median time of the submit POST (the view through the test
  client: session, user, middleware, `plan_submit`, the redirect) for a 300-row
  plan that passes the профминимум check. The frozen PDF is only queued.
- `pdf_cached_ratio`: the second download of an unchanged plan's PDF
  (GET /plans/<pk>/export.pdf after `manage.py worker --batch` rendered it) ÷ a
  trivial signed-in view streaming a file of the same size with the same
  `file_response()`, both through the test client; medians, measured alternately.
- `pdf_long_word_scaling`: the PDF of a plan with one 20,000-character unbroken
  cell ÷ with a 5,000-character one (median CPU seconds of this process).
- `region_archive_s_30`, `region_archive_ratio`: the archive of 30 plans of 150
  rows (`document_render` of the archive Document a member of the region's centre
  asks for with `plans_document`, as the admin's «Все выбранные планы одним
  архивом» does; no single renders stored before), in seconds of wall time, and its CPU time ÷ the CPU time of the same 30
  plans' single renders, PDF and DOCX each, one by one through `document_render`.
  One process, so one worker. CPU time, because the machine is shared: another
  program's load lengthens wall time by chance, not by what the worker does.
  `region_plan_cpu_s` is the CPU cost of one plan in the archive (PDF + DOCX);
  `region_pdf_cpu_s` and `region_docx_cpu_s` the cost of one single render: the
  figures docs/scaling.md projects from.
- `page_p95_during_exports_ratio`: p95 of the plan page (GET of the editor of a
  300-row plan, 10 a second) from gunicorn as `make serve` runs it, while
  `manage.py worker` (under `nice -n 10`, as the worker's systemd unit should run
  it: Nice=10) renders archives ÷ p95 with the worker idle. These pages come from
  the editor's cache (the plan does not change, so every gunicorn process renders
  its table once and then serves the cached fragment). Quiet and busy windows
  alternate, so other load on the machine falls on both alike.
- `page_p95_uncached_during_exports_ratio`: the same, for pages that miss the
  cache: before each request the plan's version moves on (as a save does, outside
  the timed request), so every page renders the 300-row table afresh. Its baseline
  is the same uncached page, at the same rate, with the worker idle.
- `worker_cpu_share_busy` is how much of a core the worker had during the busy
  windows of both kinds: proof that it was rendering.

Files go to a scratch folder through FileSystemStorage, as in production (the
test settings keep files in memory, which the server and worker processes could
not share).
"""

import os
import shutil
import statistics
import subprocess
import tempfile
import time
from http.client import HTTPConnection
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.urls import include, path

from tests.signin import log_in

from .common import all_levels, size

ROWS = size(300, 250)  # fewer would not pass the профминимум check the submit runs
ARCHIVE_PLANS = size(30, 3)
ARCHIVE_ROWS = size(150, 10)  # the size of the consolidated bench's plans (bench_exports)
BUSY_PLANS = size(12, 2)  # plans in each archive the worker renders during a busy window
WINDOWS = size(3, 1)  # quiet and busy windows of each kind, alternating
WINDOW_SECONDS = size(15, 2)  # at most, per window
LONG_WORD = size((5_000, 20_000), (500, 2_000))  # the lengths pdf_long_word_* compare
# Page requests a second: about the rate of `make loadtest`'s 20 users of the
# submission week (11.4 requests/s), not a closed loop that would take a whole
# core by itself and leave the worker none.
PAGE_RATE = 10

FIGURES = (
    "submit_ms_300_rows",
    "pdf_cached_ms",
    "pdf_cached_ratio",
    "pdf_long_word_5000_cpu_s",
    "pdf_long_word_20000_cpu_s",
    "pdf_long_word_scaling",
    "region_archive_s_30",
    "region_archive_cpu_s_30",
    "region_singles_cpu_s_30",
    "region_plan_cpu_s",
    "region_pdf_cpu_s",
    "region_docx_cpu_s",
    "region_archive_ratio",
    "page_requests_per_window",
    "page_p95_quiet_ms",
    "page_p95_during_exports_ms",
    "page_p95_during_exports_ratio",
    "page_uncached_requests_per_window",
    "page_p95_uncached_quiet_ms",
    "page_p95_uncached_during_exports_ms",
    "page_p95_uncached_during_exports_ratio",
    "worker_cpu_share_busy",
)


@login_required
def same_size_file(request):
    """The baseline of `pdf_cached_ratio`: a signed-in user, a file, no lookups."""
    from plans.documents.formats import file_response

    return file_response(open(request.GET["path"], "rb"), "plan.pdf")


urlpatterns = [
    path("bench/file/", same_size_file),
    path("", include("profplan.urls")),
]


def _school(name: str):
    from plans.models import Municipality, School

    return School.objects.create(
        full_name=f"Муниципальное казённое общеобразовательное учреждение «{name}»",
        short_name=name,
        municipality=Municipality.objects.order_by("pk").first(),
        director_name="Иванова Мария Петровна",
    )


def _plan(name: str, rows: int):
    """A plan with every level in use and `rows` school rows spread over every item
    that takes rows; its fixed activities have periods and the responsible."""
    from plans.models import Level, PlanRow, SchoolYear
    from plans.services import plan_create
    from tests.plans.export_data import fill_rows

    year = SchoolYear.objects.get(title="2023-2024")
    levels = {level.code: level.pk for level in Level.objects.filter(year=year)}
    plan = plan_create(school=_school(name), year=year, levels=all_levels(levels))
    fill_rows(plan, rows - plan.rows.filter(fixed_item=None).count())
    PlanRow.objects.filter(plan=plan, fixed_item__isnull=False).update(
        period="май", responsible="Заместитель директора"
    )
    return plan


def _timed(function, clock=time.perf_counter) -> float:
    started = clock()
    function()
    return clock() - started


def _cpu(function) -> float:
    """CPU seconds of this process (every thread) spent in `function`."""
    return _timed(function, time.process_time)


def _alternate_medians(first, second, repeat: int) -> tuple[float, float]:
    """Medians of `first` and `second` measured in turn, so a change of load on the
    machine falls on both."""
    first(), second()
    a, b = [], []
    for _ in range(repeat):
        a.append(_timed(first))
        b.append(_timed(second))
    return statistics.median(a), statistics.median(b)


def _consume(response) -> int:
    assert response.status_code == 200, response.status_code
    return sum(len(block) for block in response.streaming_content)


def _clear_queue() -> None:
    """Tasks this bench queued and ran itself (or does not need) leave the queue, so
    the worker of a later part does not spend its time on them."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(status="READY").delete()


def submit_and_download(client, user, plan):
    from django.core.management import call_command
    from django.urls import reverse

    from plans.models import Document, Plan, PlanStatus

    submit_url = reverse("plans:submit", args=[plan.pk])
    timings = []
    for attempt in range(size(8, 2)):
        Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.DRAFT)
        version = Plan.objects.values_list("version", flat=True).get(pk=plan.pk)
        started = time.perf_counter()
        response = client.post(submit_url, {"version": version})
        elapsed = time.perf_counter() - started
        assert response.status_code == 302, response.status_code
        status = Plan.objects.values_list("status", flat=True).get(pk=plan.pk)
        assert status == PlanStatus.SUBMITTED, f"the plan was not submitted ({status})"
        if attempt:  # the first is the warm-up
            timings.append(elapsed)
    yield "submit_ms_300_rows", round(statistics.median(timings) * 1000, 1)
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.DRAFT)
    _clear_queue()  # the frozen PDFs of the submits above

    export_url = reverse("plans:export-pdf", args=[plan.pk])
    assert client.post(export_url).status_code == 302  # «Сформировать»: the progress page
    call_command("worker", batch=True, queues="documents", verbosity=0)
    document = Document.objects.get(plan=plan, kind="plan_pdf")
    assert _consume(client.get(export_url)) == document.size  # the first download
    copy = Path(tempfile.mkdtemp(prefix="profplan-bench-file-")) / "same-size.pdf"
    with document.file.open("rb") as stored:
        copy.write_bytes(stored.read())
    baseline_url = f"/bench/file/?path={copy}"
    assert _consume(client.get(baseline_url)) == document.size
    ours, baseline = _alternate_medians(
        lambda: _consume(client.get(export_url)),
        lambda: _consume(client.get(baseline_url)),
        repeat=size(31, 1),
    )
    yield "pdf_cached_ms", round(ours * 1000, 2)
    yield "pdf_cached_ratio", round(ours / baseline, 2)


def long_word_scaling():
    from plans.documents.formats.pdf import plan_pdf
    from plans.models import Plan, PlanRow
    from tests.plans.export_data import fill_rows

    plan = _plan("Школа длинного слова", 0)
    word = "Профориентационнаяработаобучающихся" * 600  # no space anywhere
    (row,) = fill_rows(plan, 1)

    def render(length: int) -> float:
        PlanRow.objects.filter(pk=row.pk).update(activity=word[:length])
        fetched = Plan.objects.for_editor().get(pk=plan.pk)
        return statistics.median(_cpu(lambda: plan_pdf(fetched)) for _ in range(size(3, 1)))

    shorter, longer = LONG_WORD
    render(shorter)  # fonts and templates loaded
    short, long = render(shorter), render(longer)
    yield "pdf_long_word_5000_cpu_s", round(short, 2)
    yield "pdf_long_word_20000_cpu_s", round(long, 2)
    yield "pdf_long_word_scaling", round(long / short, 2)


def region_archive(centre) -> list[int]:
    """`centre`, a member of the region's centre, asks for the singles and the archive."""
    from plans.documents.queue import (
        document_delete,
        document_render,
        plan_document,
        plans_document,
    )
    from plans.models import Document, DocumentKind, Plan

    plans = [_plan(f"МКОУ СОШ № {n} (архив)", ARCHIVE_ROWS) for n in range(1, ARCHIVE_PLANS + 1)]
    ids = [plan.pk for plan in plans]

    def single(plan, fmt) -> float:
        document = plan_document(plan=plan, fmt=fmt, by=centre)
        elapsed = _cpu(lambda: document_render(document_id=document.pk))
        assert Document.objects.get(pk=document.pk).status == "ready"
        return elapsed

    # Fonts, templates and libraries loaded before either is measured.
    for fmt in ("pdf", "docx"):
        single(plans[0], fmt)
    for document in Document.objects.filter(plan_id__in=ids):
        document_delete(document=document)

    by_format = {fmt: sum(single(plan, fmt) for plan in plans) for fmt in ("pdf", "docx")}
    singles = sum(by_format.values())
    for document in Document.objects.filter(plan_id__in=ids):
        document_delete(document=document)

    archive = plans_document(
        DocumentKind.ARCHIVE, plans=Plan.objects.filter(pk__in=ids), by=centre, selected=True
    )
    wall, cpu = time.perf_counter(), time.process_time()
    document_render(document_id=archive.pk)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    archive.refresh_from_db()
    assert archive.status == "ready" and archive.done == ARCHIVE_PLANS
    yield "region_archive_s_30", round(wall, 1)
    yield "region_archive_cpu_s_30", round(cpu, 1)
    yield "region_singles_cpu_s_30", round(singles, 1)
    yield "region_plan_cpu_s", round(cpu / ARCHIVE_PLANS, 2)
    yield "region_pdf_cpu_s", round(by_format["pdf"] / ARCHIVE_PLANS, 2)
    yield "region_docx_cpu_s", round(by_format["docx"] / ARCHIVE_PLANS, 3)
    yield "region_archive_ratio", round(cpu / singles, 2)
    _clear_queue()
    return ids


def _cpu_seconds(pid: int) -> float:
    """CPU seconds a process has used so far (Linux: /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _paced(until: float = float("inf"), count: int | None = None):
    """Yields 0, 1, 2 … PAGE_RATE times a second (at once when behind), until the
    monotonic clock reaches `until` or `count` have been yielded."""
    next_at = time.monotonic()
    index = 0
    while time.monotonic() < until and (count is None or index < count):
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        yield index
        index += 1
        next_at += 1 / PAGE_RATE


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class _Browser:
    """Sequential GETs over one keep-alive connection, as a browser tab makes them."""

    def __init__(self, base: str, cookie: str):
        self.host, self.port = base.removeprefix("http://").split(":")
        self.cookie = cookie
        self.connection = None

    def get(self, url: str) -> float:
        started = time.perf_counter()
        for attempt in range(2):
            if self.connection is None:
                self.connection = HTTPConnection(self.host, int(self.port), timeout=60)
            try:
                self.connection.request("GET", url, headers={"Cookie": self.cookie})
                response = self.connection.getresponse()
                response.read()
                break
            except (ConnectionError, OSError):  # the server closed an idle connection
                self.connection.close()
                self.connection = None
                if attempt:
                    raise
        assert response.status == 200, response.status
        return time.perf_counter() - started


def pages_during_exports(client, user, centre, page_plan, archive_ids: list[int], workdir: Path):
    from django.conf import settings

    from plans.documents.queue import plans_document
    from plans.models import Document, DocumentKind, Plan
    from tests.load.server import PYTHON, ROOT, gunicorn, manage, production_env

    env = production_env(
        # The bench's own database (tests/bench/__main__.py).
        database_url=os.environ.get("DATABASE_URL"),
        sqlite_path=os.environ.get("SQLITE_PATH"),
        DJANGO_SECRET_KEY=settings.SECRET_KEY,  # the sessions signed here are valid there
        DJANGO_MEDIA_ROOT=str(workdir / "media"),
        DJANGO_STATIC_ROOT=str(workdir / "static"),
        PYTHONPATH=str(ROOT),
    )
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    log_in(client, user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    url = page_plan.get_absolute_url()
    worker_log = open(workdir / "worker.log", "w")
    # The worker runs at a lower priority than the web server, as its systemd unit
    # should (Nice=10): a render may take its time, a page may not.
    worker = subprocess.Popen(
        ["nice", "-n", "10", PYTHON, "manage.py", "worker", "--queues", "documents"],
        cwd=ROOT,
        env=env,
        stdout=worker_log,
        stderr=subprocess.STDOUT,
    )
    quiet: dict[str, list[float]] = {"cached": [], "uncached": []}
    busy: dict[str, list[float]] = {"cached": [], "uncached": []}
    busy_seconds = busy_cpu = 0.0
    try:
        with gunicorn(env, log_path=str(workdir / "gunicorn.log")) as base:
            browser = _Browser(base, cookie)

            def uncached() -> float:
                # As a save does: the editor's cache key holds the plan's version.
                # The write is not timed; the page that follows renders afresh.
                Plan.objects.filter(pk=page_plan.pk).update(version=F("version") + 1)
                return browser.get(url)

            pages = {"cached": lambda: browser.get(url), "uncached": uncached}
            for _ in range(size(30, 3)):  # every gunicorn process has the page in its cache
                browser.get(url)
            for kind, page in pages.items():
                for _ in range(WINDOWS):
                    # Busy: an archive of plans whose versions just changed, so every
                    # PDF and DOCX in it is rendered, not read from storage.
                    chosen = archive_ids[:BUSY_PLANS]
                    archive_ids = archive_ids[BUSY_PLANS:] + chosen
                    Plan.objects.filter(pk__in=chosen).update(version=F("version") + 1)
                    archive = plans_document(
                        DocumentKind.ARCHIVE,
                        plans=Plan.objects.filter(pk__in=chosen),
                        by=centre,
                        selected=True,
                    )
                    deadline = time.monotonic() + 60
                    while Document.objects.get(pk=archive.pk).status == "queued":
                        assert time.monotonic() < deadline, "the worker did not take the archive"
                        time.sleep(0.05)
                    window: list[float] = []
                    started, worker_cpu = time.monotonic(), _cpu_seconds(worker.pid)
                    for at in _paced(started + WINDOW_SECONDS):
                        # Once a second, from the second second: the archive still renders.
                        if at and at % PAGE_RATE == 0:
                            if Document.objects.get(pk=archive.pk).status != "running":
                                break
                        window.append(page())
                    busy_seconds += time.monotonic() - started
                    busy_cpu += _cpu_seconds(worker.pid) - worker_cpu
                    busy[kind] += window
                    # Quiet: as many requests, the worker idle (it finishes the archive first).
                    deadline = time.monotonic() + 300
                    while Document.objects.get(pk=archive.pk).status == "running":
                        assert time.monotonic() < deadline, "the archive did not finish"
                        time.sleep(0.2)
                    assert Document.objects.get(pk=archive.pk).status == "ready"
                    quiet[kind] += [page() for _ in _paced(count=len(window))]
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        worker_log.close()
    for kind, prefix in (("cached", "page"), ("uncached", "page_uncached")):
        quiet_p95, busy_p95 = _percentile(quiet[kind], 0.95), _percentile(busy[kind], 0.95)
        infix = "_uncached" if kind == "uncached" else ""
        yield f"{prefix}_requests_per_window", round(len(busy[kind]) / WINDOWS)
        yield f"page_p95{infix}_quiet_ms", round(quiet_p95 * 1000, 1)
        yield f"page_p95{infix}_during_exports_ms", round(busy_p95 * 1000, 1)
        yield f"page_p95{infix}_during_exports_ratio", round(busy_p95 / quiet_p95, 2)
    yield "worker_cpu_share_busy", round(busy_cpu / busy_seconds, 2)


def run():
    from django.test import Client, override_settings

    from accounts.models import User

    workdir = Path(tempfile.mkdtemp(prefix="profplan-bench-documents-"))
    media = workdir / "media"
    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    try:
        with override_settings(ROOT_URLCONF=__name__, STORAGES=storages, MEDIA_ROOT=str(media)):
            plan = _plan("Школа для замера сдачи", ROWS)
            user = User.objects.create(username="bench-documents", school=plan.school)
            # Archives are the centre's: staff of the region the plans are in.
            centre = User.objects.create(
                username="bench-documents-centre", is_staff=True, region=plan.year.region
            )
            client = Client(HTTP_HOST="127.0.0.1")
            log_in(client, user)
            yield from submit_and_download(client, user, plan)
            yield from long_word_scaling()
            archive_ids = yield from region_archive(centre)
            yield from pages_during_exports(client, user, centre, plan, archive_ids, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
