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


def test_a_plan_pdf_is_made_only_when_the_button_is_pressed(
    reference, plan, school, sign_in, live_server, page, settings
):
    from plans.models import Document

    deputy = UserFactory(username="deputy", school=school)
    deputy.set_password("profplan-demo")
    deputy.save()

    sign_in("deputy")
    page.goto(f"{live_server.url}{plan.get_absolute_url()}")
    page.get_by_role("link", name="PDF").click()
    expect(page.get_by_role("heading", name="План (PDF)")).to_be_visible()
    status = page.locator("#document-status")
    expect(status).to_contain_text("Документ ещё не сформирован")
    page.screenshot(path="/tmp/shots/document-offer.png")
    assert not Document.objects.exists()  # opening the link asked for nothing

    page.get_by_role("button", name="Сформировать").click()
    expect(status).to_contain_text("Документ в очереди")
    with page.expect_download(timeout=60_000) as download_info:
        if settings.TASKS_BACKEND == "rq":
            import django_rq
            from rq import SimpleWorker

            django_rq.get_worker(
                *settings.TASK_QUEUES, job_class="django_tasks_rq.Job", worker_class=SimpleWorker
            ).work(burst=True)
        else:
            call_command("worker", batch=True, verbosity=0)
        expect(status).to_contain_text("Готово", timeout=30_000)
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert open(download.path(), "rb").read().startswith(b"%PDF")
