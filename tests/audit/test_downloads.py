"""Every download of a school's document is in the trail: a plan's file (PDF, Word,
Excel, a submitted or approved copy), an evidence file, the region's archive and
workbook. One INSERT more than without the trail, and never an error for the user."""

from datetime import date

import pytest
import weasyprint
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent, AuditKind
from plans import services
from plans.models import Document, Evidence, Plan, PlanStatus
from tests.conftest import is_make_document_page
from tests.factories import add_row
from tests.plans.test_editor import complete
from tests.signin import log_in

from .conftest import SCHOOL_ADDRESS, events

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200


@pytest.fixture(autouse=True)
def fast_pdf(monkeypatch):
    """WeasyPrint's layout is not what these tests are about."""
    monkeypatch.setattr(weasyprint.HTML, "write_pdf", lambda self, *a, **k: b"%PDF-1.7 stub")


def downloads(**filters):
    return events(kind__in=[AuditKind.PLAN_DOCUMENT, AuditKind.EVIDENCE,
                            AuditKind.REGION_ARCHIVE, AuditKind.CONSOLIDATED], **filters)  # fmt: skip


def test_a_plans_pdf_downloaded_by_the_centre_names_the_school_and_the_file(
    client, reviewer, plan, download
):
    log_in(client, reviewer)
    response = download(reverse("plans:export-pdf", args=[plan.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    [event] = downloads()
    assert event.kind == AuditKind.PLAN_DOCUMENT
    assert event.user == reviewer and event.username == "reviewer"
    assert event.school == plan.school and event.region == plan.year.region
    assert event.detail == "План_профориентации_{}_2023-2024.pdf".format(
        plan.school.short_name.replace(" № ", "_").replace(" ", "_")
    )


def test_waiting_for_a_file_records_nothing_until_it_is_served(client, deputy, plan, run_worker):
    client.force_login(deputy)
    url = reverse("plans:export-xlsx", args=[plan.pk])
    assert is_make_document_page(client.get(url))  # «Сформировать»: nothing served yet
    assert downloads() == []
    progress = client.post(url)
    assert progress.status_code == 302
    assert client.get(progress["Location"]).status_code == 200  # the progress page
    assert downloads() == []
    run_worker()
    assert client.get(url).status_code == 200
    [event] = downloads()
    assert event.detail.endswith(".xlsx") and event.user == deputy


def test_a_submitted_and_an_approved_copy_are_recorded(client, deputy, reviewer, plan, run_worker):
    complete(plan)
    services.plan_submit(plan=plan, by=deputy, version=None)
    services.plan_approve(plan=plan, by=reviewer)
    run_worker()
    log_in(client, reviewer)
    for name in ("plans:submission-pdf", "plans:approved-pdf"):
        response = client.get(reverse(name, args=[plan.pk, 1]), REMOTE_ADDR="10.5.5.5")
        assert response.status_code == 200 and response.streaming
    submitted, approved = downloads()
    assert submitted.detail == "PDF сданной версии № 1"
    assert approved.detail == "PDF утверждённой версии № 1"
    assert {submitted.school, approved.school} == {plan.school}
    assert approved.address == "10.5.5.5" and approved.user == reviewer


@pytest.fixture
def evidence(client, deputy, plan, django_capture_on_commit_callbacks):
    add_row(
        plan,
        "3.4.12.1.",
        activity="Урок «Шоу профессий»",
        hours=4,
        grades=(6, 7),
        start_date=date(2023, 10, 5),
        end_date=date(2023, 10, 5),
    )
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED)
    row = plan.rows.get(activity="Урок «Шоу профессий»")
    client.force_login(deputy)
    photo = SimpleUploadedFile("экскурсия.jpg", JPEG, content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):  # the file is stored on commit
        response = client.post(
            reverse("plans:execution-row", args=[plan.pk, row.pk]),
            {
                "status": "done",
                "grades": ["6", "7"],
                "pupils": "48",
                "hours": "4",
                "files": [photo],
            },
        )
    assert response.status_code == 302
    client.logout()
    return Evidence.objects.get()


def test_an_evidence_file_downloaded_by_the_coordinator(client, coordinator, plan, evidence):
    client.force_login(coordinator)
    url = reverse("plans:evidence", args=[plan.pk, evidence.pk])
    response = client.get(url, REMOTE_ADDR=SCHOOL_ADDRESS)
    assert response.status_code == 200 and b"".join(response.streaming_content) == JPEG
    [event] = downloads()
    assert event.kind == AuditKind.EVIDENCE and event.user == coordinator
    assert event.detail == "«экскурсия.jpg», мероприятие: Урок «Шоу профессий»"
    assert event.school == plan.school and event.region == plan.year.region


def test_another_schools_refused_download_records_nothing(client, other_deputy, plan, evidence):
    client.force_login(other_deputy)
    assert client.get(reverse("plans:evidence", args=[plan.pk, evidence.pk])).status_code == 404
    assert client.get(reverse("plans:export-pdf", args=[plan.pk])).status_code == 404
    assert downloads() == []


def test_the_region_archive_and_the_workbook(client, reviewer, plan, other_plan, run_worker):
    log_in(client, reviewer)
    assert client.post(reverse("plans:archive")).status_code == 302
    run_worker()
    archive = Document.objects.get(kind="archive")
    response = client.get(reverse("plans:document-download", args=[archive.pk]))
    assert response.status_code == 200
    assert is_make_document_page(client.get(reverse("plans:export-region")))
    assert client.post(reverse("plans:export-region")).status_code == 302  # queued
    run_worker()
    assert client.get(reverse("plans:export-region")).status_code == 200
    first, second = downloads()
    assert first.kind == AuditKind.REGION_ARCHIVE and first.detail == archive.filename
    assert first.detail.startswith("Планы_профориентации_КБР_2023-2024")
    assert second.kind == AuditKind.CONSOLIDATED and second.detail.endswith(".xlsx")
    assert first.region == second.region == plan.year.region
    assert first.school is None and first.user == reviewer


def test_a_failure_to_write_never_costs_the_download(
    client, deputy, plan, download, monkeypatch, caplog
):
    def broken(self, *args, **kwargs):
        raise DatabaseError("disk full")

    client.force_login(deputy)
    monkeypatch.setattr(AuditEvent, "save", broken)
    response = download(reverse("plans:export-pdf", args=[plan.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "audit event plan_document not recorded" in caplog.text


# --- what it costs -----------------------------------------------------------------------


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200
        b"".join(response.streaming_content)
    return len(captured)


def counted_with_and_without_trail(client, url, monkeypatch, hook):
    """The queries of one download without the trail and with it (after a first
    download, so both see the same: the file stored, its use marked)."""
    queries(client, url)
    with monkeypatch.context() as patched:
        patched.setattr(hook, lambda **kwargs: None)
        without = queries(client, url)
    count = AuditEvent.objects.count()
    with_trail = queries(client, url)
    assert AuditEvent.objects.count() == count + 1
    return without, with_trail


def test_a_download_costs_one_query_more_with_the_trail(
    client, reviewer, plan, download, run_worker, evidence, monkeypatch
):
    log_in(client, reviewer)
    url = reverse("plans:export-pdf", args=[plan.pk])
    download(url)
    without, with_trail = counted_with_and_without_trail(
        client, url, monkeypatch, "plans.documents.views.audit_document_download"
    )
    assert with_trail == without + 1

    document = Document.objects.get(kind="plan_pdf")
    url = reverse("plans:document-download", args=[document.pk])
    without, with_trail = counted_with_and_without_trail(
        client, url, monkeypatch, "plans.documents.views.audit_document_download"
    )
    assert with_trail == without + 1

    url = reverse("plans:evidence", args=[plan.pk, evidence.pk])
    without, with_trail = counted_with_and_without_trail(
        client, url, monkeypatch, "plans.execution.views.audit_evidence_download"
    )
    assert with_trail == without + 1


def test_a_submitted_copy_costs_one_query_more_with_the_trail(
    client, deputy, reviewer, plan, run_worker, monkeypatch
):
    complete(plan)
    services.plan_submit(plan=plan, by=deputy, version=None)
    run_worker()
    log_in(client, reviewer)
    url = reverse("plans:submission-pdf", args=[plan.pk, 1])
    without, with_trail = counted_with_and_without_trail(
        client, url, monkeypatch, "plans.documents.views.audit_record"
    )
    assert with_trail == without + 1
