"""The centre asks for every plan of the region in one archive, watches the
progress line while the worker renders it, and the download starts by itself."""

import io
import zipfile

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.roles import REGIONAL, ensure_roles
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.tasks, pytest.mark.django_db(transaction=True)]


def test_region_archive_progress_then_download(
    reference, plan, other_plan, sign_in, page, settings
):
    reviewer = UserFactory(username="reviewer", is_staff=True)
    reviewer.set_password("profplan-demo")
    reviewer.save()
    reviewer.groups.add(ensure_roles()[REGIONAL])

    sign_in("reviewer")
    page.get_by_role("button", name="Все планы одним архивом").click()
    status = page.locator("#document-status")
    expect(status).to_contain_text("Документ в очереди")
    expect(page.get_by_role("progressbar")).to_be_visible()
    page.screenshot(path="/tmp/shots/archive-queued.png")

    with page.expect_download(timeout=60_000) as download_info:
        # The worker runs (here, in the test's process); the page polls and starts
        # the download by itself.
        if settings.TASKS_BACKEND == "rq":
            import django_rq
            from rq import SimpleWorker

            django_rq.get_worker(
                *settings.TASK_QUEUES, job_class="django_tasks_rq.Job", worker_class=SimpleWorker
            ).work(burst=True)
        else:
            call_command("worker", batch=True, verbosity=0)
        expect(status).to_contain_text("Готово", timeout=30_000)
    page.screenshot(path="/tmp/shots/archive-ready.png")
    download = download_info.value
    assert download.suggested_filename.endswith(".zip")
    names = zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read())).namelist()
    assert len(names) == 4  # one PDF and one DOCX per plan
