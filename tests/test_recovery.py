"""Work that survives a dead worker and a queue that does not answer (profplan/outbox).

A worker killed mid-render (out of memory, a deploy, a reboot) leaves its render
claimed, leased and unfinished. Here the kill is a BaseException raised from inside
the render: the render's own error handling (which catches Exception) does not see
it, so what is left in the database is exactly what a SIGKILL leaves: the document
«формируется», its lease taken, no message, no file, and no heartbeat any more.

`tasks`: .ci/run runs these again with RQ on a real Redis."""

import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from plans import services
from plans.documents import queue as documents
from plans.models import Document, DocumentStatus, PlanSubmission
from profplan.outbox.models import Lease, LeaseState, OutboxTask
from profplan.outbox.work import heartbeat, leases_reap, outbox_flush
from tests.plans.test_documents import complete

pytestmark = [pytest.mark.django_db, pytest.mark.tasks]


class WorkerKilled(BaseException):
    """The worker's process ended in the middle of the render."""


@pytest.fixture
def kills(monkeypatch):
    """While `kills.on` is set, drawing a plan's file or a frozen PDF kills the worker.
    `kills.count` is how many renders were started and killed."""
    from plans.documents.formats import pdf

    class Kills:
        on = True
        count = 0

    state = Kills()
    real_plan, real_pdf = documents.render_plan_bytes, pdf.render_pdf

    def plan_bytes(plan, fmt):
        if state.on:
            state.count += 1
            raise WorkerKilled
        return real_plan(plan, fmt)

    def render_pdf(context):
        if state.on:
            state.count += 1
            raise WorkerKilled
        return real_pdf(context)

    monkeypatch.setattr(documents, "render_plan_bytes", plan_bytes)
    monkeypatch.setattr(pdf, "render_pdf", render_pdf)
    return state


def heartbeats_stop():
    """As much time passes as makes a silent lease stale."""
    Lease.objects.update(
        heartbeat_at=timezone.now() - timedelta(seconds=django_settings.RENDER_LEASE_SECONDS + 1)
    )


def status(client, document) -> str:
    return client.get(document.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()


# --- a plan's document ------------------------------------------------------------------


def test_a_render_cut_off_by_a_dead_worker_is_rendered_again_and_the_page_says_so(
    client, deputy, plan, run_worker, kills
):
    client.force_login(deputy)
    url = reverse("plans:export-xlsx", args=[plan.pk])
    assert client.get(url).status_code == 302
    run_worker()
    document = Document.objects.get(plan=plan)
    assert kills.count == 1
    assert document.status == DocumentStatus.RUNNING and not document.file
    # Its worker may still be alive: a fresh heartbeat is left alone.
    assert leases_reap() == (0, 0)

    heartbeats_stop()
    page = status(client, document)
    assert "Формирование прервалось: документ будет сформирован заново" in page
    assert 'hx-trigger="every 1s"' in page

    assert leases_reap() == (1, 0)
    document.refresh_from_db()
    assert document.status == DocumentStatus.QUEUED
    page = status(client, document)
    assert "Формирование прервалось, документ формируется заново (попытка 2 из 3)" in page

    kills.on = False
    run_worker()
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY
    assert not Lease.objects.exists()
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"PK")
    assert Document.objects.filter(plan=plan).count() == 1


def test_a_render_that_kills_its_worker_three_times_is_given_up_with_a_message(
    client, deputy, plan, run_worker, kills
):
    client.force_login(deputy)
    client.get(reverse("plans:export-xlsx", args=[plan.pk]))
    results = []
    for _ in range(3):
        run_worker()
        heartbeats_stop()
        results.append(leases_reap())
    assert results == [(1, 0), (1, 0), (0, 1)]
    run_worker()
    assert kills.count == 3  # never a fourth start

    document = Document.objects.get(plan=plan)
    assert document.status == DocumentStatus.FAILED and not document.file
    page = client.get(document.get_absolute_url()).content.decode()
    assert "Документ не удалось сформировать: план слишком велик для обработчика" in page
    assert "Сформировать заново" in page and "spinner" not in page

    # «Сформировать заново» starts afresh, and with the worker fit again it is drawn.
    kills.on = False
    response = client.post(reverse("plans:document-retry", args=[document.pk]))
    assert response.status_code == 302
    assert Document.objects.get(pk=document.pk).status == DocumentStatus.QUEUED
    run_worker()
    assert Document.objects.get(pk=document.pk).status == DocumentStatus.READY


def test_a_render_out_of_the_workers_memory_fails_at_once_with_the_message(
    client, deputy, plan, run_worker, monkeypatch
):
    def too_big(plan, fmt):
        raise MemoryError

    monkeypatch.setattr(documents, "render_plan_bytes", too_big)
    client.force_login(deputy)
    client.get(reverse("plans:export-pdf", args=[plan.pk]))
    run_worker()
    document = Document.objects.get(plan=plan)
    assert document.status == DocumentStatus.FAILED
    assert "план слишком велик для обработчика" in document.error
    assert not Lease.objects.exists()


def test_the_worker_memory_cap_turns_an_oversized_allocation_into_a_memory_error():
    """DJANGO_WORKER_MEMORY_MB: RLIMIT_AS of the worker process (here a child
    process, so that the cap does not stay on the test run)."""
    code = (
        "from plans.management.commands.worker import cap_memory\n"
        "cap_memory(400)\n"
        "try:\n"
        "    block = bytearray(600 * 1024 * 1024)\n"
        "except MemoryError:\n"
        "    print('MemoryError')\n"
        "else:\n"
        "    print('allocated')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "MemoryError"


# --- the frozen PDF of a submission ------------------------------------------------------


def test_a_frozen_pdf_cut_off_by_a_dead_worker_is_drawn_again(
    client, plan, deputy, run_worker, kills
):
    complete(plan)
    submission = services.plan_submit(plan=plan, by=deputy, version=None)
    run_worker()
    assert kills.count == 1
    url = reverse("plans:submission-pdf", args=[plan.pk, submission.number])
    client.force_login(deputy)
    heartbeats_stop()
    assert leases_reap() == (1, 0)
    page = client.get(url).content.decode()
    assert "Формирование прервалось, документ формируется заново (попытка 2 из 3)" in page

    kills.on = False
    run_worker()
    submission.refresh_from_db()
    assert submission.pdf and not submission.render_error
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_frozen_pdf_that_kills_its_worker_three_times_fails_and_can_be_drawn_again(
    client, plan, deputy, run_worker, kills
):
    complete(plan)
    submission = services.plan_submit(plan=plan, by=deputy, version=None)
    for _ in range(3):
        run_worker()
        heartbeats_stop()
        leases_reap()
    run_worker()
    assert kills.count == 3
    submission.refresh_from_db()
    assert not submission.pdf
    assert "план слишком велик для обработчика" in submission.render_error

    url = reverse("plans:submission-pdf", args=[plan.pk, submission.number])
    client.force_login(deputy)
    page = client.get(url).content.decode()
    assert "Документ не удалось сформировать" in page and "Сформировать заново" in page

    kills.on = False
    assert client.post(url).status_code == 302
    run_worker()
    submission.refresh_from_db()
    assert submission.pdf and not submission.render_error


def test_running_a_render_twice_keeps_one_file_under_one_name(plan, deputy, run_worker, s3):
    """Idempotent: a second render of the same key (a worker that died after storing
    the file but before recording it) replaces the file, never adds a second one,
    even on a store that never overwrites (S3 with file_overwrite off)."""
    document = documents.plan_document(plan=plan, fmt="xlsx", by=deputy)
    run_worker()
    document.refresh_from_db()
    first = document.file.name
    Document.objects.filter(pk=document.pk).update(status=DocumentStatus.QUEUED)
    documents.document_render(document_id=document.pk)
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY and document.file.name == first
    assert s3.keys() == [first]
    assert Document.objects.filter(plan=plan).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_live_render_keeps_its_lease_fresh_so_the_reaper_leaves_it(settings):
    settings.RENDER_HEARTBEAT_SECONDS = 1
    long_ago = timezone.now() - timedelta(seconds=settings.RENDER_LEASE_SECONDS + 30)
    Lease.objects.create(
        key="document:1",
        task="plans.tasks.render_document",
        args=[1],
        recover="plans.documents.queue.document_recover",
        attempts=1,
        started_at=long_ago,
        heartbeat_at=long_ago,
    )
    with heartbeat("document:1"):
        time.sleep(1.8)
    lease = Lease.objects.get()
    assert lease.heartbeat_at > timezone.now() - timedelta(seconds=5)
    assert lease.state == LeaseState.RUNNING
    assert leases_reap() == (0, 0)


# --- the queue does not answer: the outbox --------------------------------------------------


def test_a_submit_while_the_queue_is_down_succeeds_and_its_work_waits_in_the_outbox(
    client, plan, deputy, reviewer, run_worker, queue_down, django_capture_on_commit_callbacks
):
    complete(plan)
    client.force_login(deputy)
    with queue_down():
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("plans:submit", args=[plan.pk]), {"version": plan.version}, follow=True
            )
        assert response.status_code == 200
        assert "сдан" in response.content.decode().lower()
        plan.refresh_from_db()
        assert plan.status == "submitted"
        waiting = list(OutboxTask.objects.values_list("task", flat=True))
        assert "plans.tasks.render_submission" in waiting
        # The attempt right after the commit was made, and refused.
        assert OutboxTask.objects.get(task="plans.tasks.render_submission").attempts == 1
        assert outbox_flush() == 0
        with pytest.raises(Exception, match="Очередь задач недоступна"):
            call_command("outbox_flush", stdout=open("/dev/null", "w"))

    # The queue answers again: the work is handed over and done.
    assert outbox_flush() == len(waiting)
    assert not OutboxTask.objects.exists()
    run_worker()
    submission = PlanSubmission.objects.get(plan=plan)
    assert submission.pdf


def test_an_approval_and_its_notice_while_the_queue_is_down_are_not_lost(
    plan, deputy, reviewer, run_worker, queue_down, mailoutbox
):
    complete(plan)
    services.plan_submit(plan=plan, by=deputy, version=None)
    run_worker()
    deputy.email = "deputy@school.example"
    deputy.save()
    mailoutbox.clear()
    with queue_down():
        services.plan_approve(plan=plan, by=reviewer)
        waiting = sorted(OutboxTask.objects.values_list("task", flat=True))
        assert waiting == ["plans.tasks.render_submission", "profplan.tasks.send_mail_task"]

    call_command("outbox_flush", stdout=open("/dev/null", "w"))
    assert not OutboxTask.objects.exists()
    run_worker()
    assert PlanSubmission.objects.get(plan=plan).approved_pdf
    assert [message.subject for message in mailoutbox] == [
        f"Профплан: план на {plan.year} утверждён"
    ]


def test_one_lease_that_cannot_be_recovered_does_not_stop_the_others(
    client, deputy, plan, run_worker, kills
):
    client.force_login(deputy)
    client.get(reverse("plans:export-xlsx", args=[plan.pk]))
    run_worker()
    long_ago = timezone.now() - timedelta(minutes=5)
    Lease.objects.create(
        key="document:0",
        task="plans.tasks.render_document",
        args=[0],
        recover="plans.nowhere.recover",
        attempts=1,
        started_at=long_ago,
        heartbeat_at=long_ago,
    )
    heartbeats_stop()
    assert leases_reap() == (1, 0)  # the real one, despite the broken one
    # A lease nobody takes any more is forgotten after a day.
    Lease.objects.update(heartbeat_at=timezone.now() - timedelta(days=2))
    leases_reap()
    assert not Lease.objects.exists()


def test_another_school_cannot_ask_for_a_failed_document_again(
    client, deputy, other_deputy, plan, run_worker, monkeypatch
):
    monkeypatch.setattr(documents, "render_plan_bytes", lambda plan, fmt: 1 / 0)
    client.force_login(deputy)
    client.get(reverse("plans:export-xlsx", args=[plan.pk]))
    run_worker()
    document = Document.objects.get(plan=plan)
    assert document.status == DocumentStatus.FAILED
    client.force_login(other_deputy)
    assert client.post(reverse("plans:document-retry", args=[document.pk])).status_code == 404
    assert Document.objects.get(pk=document.pk).status == DocumentStatus.FAILED
