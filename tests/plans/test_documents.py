"""Documents off the request path: what a user sees when asking for a file, and
what the worker does with it (plans/documents/queue.py)."""

import io
import zipfile
from datetime import timedelta

import pdfplumber
import pytest
from django.urls import reverse
from django.utils import timezone

from plans import services
from plans.documents import queue
from plans.models import Document, DocumentStatus, Municipality, Plan, PlanStatus
from tests.factories import SchoolFactory, UserFactory, add_row, make_plan
from tests.plans.export_data import fill_rows

# `tasks`: .ci/run runs these once more against RQ on a real Redis.
pytestmark = [pytest.mark.django_db, pytest.mark.tasks]


def pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


@pytest.fixture
def renders(monkeypatch):
    """Counts the documents drawn, by format."""
    seen: list[str] = []
    real = queue.render_plan_bytes

    def counting(plan, fmt):
        seen.append(fmt)
        return real(plan, fmt)

    monkeypatch.setattr(queue, "render_plan_bytes", counting)
    return seen


def complete(plan):
    from tests.plans.test_workflow import complete as fill

    fill(plan)


# --- a plan's file -------------------------------------------------------------------


def test_first_download_shows_progress_then_the_file_and_the_second_renders_nothing(
    client, deputy, plan, run_worker, renders
):
    client.force_login(deputy)
    url = reverse("plans:export-pdf", args=[plan.pk])

    response = client.get(url)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Документ в очереди" in page and 'hx-trigger="every 1s"' in page
    assert renders == []  # nothing drawn in the request

    run_worker()
    status = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "Готово" in status and "data-autodownload" in status
    assert renders == ["pdf"]

    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    data = b"".join(first.streaming_content)
    assert data.startswith(b"%PDF")
    second = client.get(url)
    assert b"".join(second.streaming_content) == data
    assert renders == ["pdf"]  # the second download read the stored file


def test_an_edit_makes_a_new_version_and_the_old_file_is_pruned(
    client, deputy, plan, download, renders
):
    client.force_login(deputy)
    url = reverse("plans:export-xlsx", args=[plan.pk])
    download(url)
    old = Document.objects.get(plan=plan)
    add_row(plan, "3.2.", activity="Новая экскурсия")
    Plan.objects.filter(pk=plan.pk).update(version=plan.version + 1)

    download(url)
    assert renders == ["xlsx", "xlsx"]
    assert not Document.objects.filter(pk=old.pk).exists()
    assert Document.objects.get(plan=plan).plan_version == plan.version + 1


def test_downloads_mark_the_file_used_for_pruning_once_an_hour(client, deputy, plan, download):
    client.force_login(deputy)
    url = reverse("plans:export-xlsx", args=[plan.pk])
    download(url)
    document = Document.objects.get(plan=plan)
    marked = document.used_at
    assert marked is not None

    download(url)  # a second download reads the file and writes nothing
    assert Document.objects.get(pk=document.pk).used_at == marked

    Document.objects.filter(pk=document.pk).update(used_at=marked - timedelta(hours=2))
    download(url)
    assert Document.objects.get(pk=document.pk).used_at >= marked


def test_a_failed_render_says_so_in_russian_and_serves_no_file(
    client, deputy, plan, run_worker, monkeypatch
):
    def broken(plan, fmt):
        raise RuntimeError("layout exploded")

    real = queue.render_plan_bytes
    monkeypatch.setattr(queue, "render_plan_bytes", broken)
    client.force_login(deputy)
    url = reverse("plans:export-pdf", args=[plan.pk])
    progress = client.get(url)["Location"]
    run_worker()

    page = client.get(progress).content.decode()
    assert "Не удалось сформировать документ" in page
    assert "Сформировать заново" in page
    document = Document.objects.get(plan=plan)
    assert document.status == DocumentStatus.FAILED and not document.file
    download = client.get(reverse("plans:document-download", args=[document.pk]))
    assert download.status_code == 302  # back to the message, never a truncated file

    monkeypatch.setattr(queue, "render_plan_bytes", real)
    assert client.get(url).status_code == 302  # asking again queues it again
    run_worker()
    assert Document.objects.get(plan=plan).status == DocumentStatus.READY


def test_another_school_cannot_see_the_progress_or_the_file(
    client, deputy, other_deputy, plan, download
):
    client.force_login(deputy)
    download(reverse("plans:export-pdf", args=[plan.pk]))
    document = Document.objects.get(plan=plan)
    client.force_login(other_deputy)
    assert client.get(document.get_absolute_url()).status_code == 404
    assert client.get(reverse("plans:document-download", args=[document.pk])).status_code == 404


# Queries of drawing one plan's file in the worker, whatever the rows:
#  1-7 the claim and its lease in one transaction (profplan/outbox: savepoint, claim
#  the document, read its lease, savepoint, insert the lease, two releases),
#  8 read the document, 9 the plan with school, municipality, year and
#  self-analysis, 10 grades, 11 rows, 12 template items, 13 levels, 14 directions,
#  15 section II indicators, 16 store the result, 17 release the lease, 18 older
#  versions to prune.
RENDER_QUERIES = 18


def test_render_queries_do_not_grow_with_rows(
    plan, other_school, deputy, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr("plans.documents.formats.pdf.render_pdf", lambda context: b"%PDF-1.7 stub")
    big = make_plan(other_school)
    fill_rows(big, 300)
    for target in (plan, big):
        document = queue.plan_document(plan=target, fmt="pdf", by=deputy)
        with django_assert_num_queries(RENDER_QUERIES):
            queue.document_render(document_id=document.pk)


# --- the submission and the approved copy ------------------------------------------------


def test_submit_answers_without_drawing_and_the_frozen_pdf_shows_what_was_submitted(
    plan, deputy, reviewer, run_worker, monkeypatch
):
    complete(plan)
    from plans.documents.formats import pdf

    drawn = []
    real = pdf.render_pdf
    monkeypatch.setattr(pdf, "render_pdf", lambda *a: drawn.append(1) or b"")
    submission = services.plan_submit(plan=plan, by=deputy, version=None)
    assert drawn == [] and not submission.pdf
    monkeypatch.setattr(pdf, "render_pdf", real)

    # The centre returns it and the school edits before the worker gets to it.
    services.plan_return(plan=plan, by=reviewer, comment="Исправьте сроки")
    add_row(plan, "3.2.", activity="Строка после возврата")
    run_worker()

    submission.refresh_from_db()
    text = pdf_text(submission.pdf.read())
    assert "ПРОЕКТ" in text
    assert "Строка после возврата" not in text


def test_approval_keeps_an_approved_copy_without_the_draft_mark(
    client, plan, deputy, reviewer, run_worker
):
    complete(plan)
    services.plan_submit(plan=plan, by=deputy, version=None)
    services.plan_approve(plan=plan, by=reviewer)
    run_worker()
    plan.refresh_from_db()
    submission = plan.submissions.get()
    assert submission.approved_at == plan.approved_at

    client.force_login(deputy)
    response = client.get(reverse("plans:approved-pdf", args=[plan.pk, submission.number]))
    assert response.status_code == 200
    text = pdf_text(b"".join(response.streaming_content))
    assert "ПРОЕКТ" not in text
    day = timezone.localtime(plan.approved_at)
    assert f"«{day:%d}»" in text and f"{day:%Y} г." in text
    assert (
        "утверждён" in response["Content-Disposition"]
        or "%D1%83%D1%82" in (response["Content-Disposition"])
    )


# --- many plans: the archive and the consolidated workbook --------------------------------


@pytest.fixture
def region(plan, other_plan):
    """Two plans in one municipality and one in another."""
    far = Municipality.objects.exclude(pk=plan.school.municipality_id).first()
    third = make_plan(SchoolFactory(short_name="МКОУ СОШ № 9", municipality=far))
    Plan.objects.filter(pk=other_plan.pk).update(status=PlanStatus.SUBMITTED)
    return [plan, other_plan, third]


def test_centre_gets_every_plan_of_the_year_in_one_archive(client, reviewer, region, run_worker):
    client.force_login(reviewer)
    year = region[0].year
    response = client.post(reverse("plans:archive"), {"year": year.pk})
    assert response.status_code == 302
    progress = response["Location"]
    assert "Документ в очереди" in client.get(progress).content.decode()
    run_worker()
    document = Document.objects.get(kind="archive")
    assert document.done == document.total == 3

    download = client.get(reverse("plans:document-download", args=[document.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = archive.namelist()
    assert len(names) == 6
    for plan in region:
        folder = queue._safe(plan.school.municipality.name)
        stem = queue._safe(plan.school.short_name)
        assert {f"{folder}/{stem}.pdf", f"{folder}/{stem}.docx"} <= set(names), names
        assert archive.read(f"{folder}/{stem}.pdf").startswith(b"%PDF")
        assert archive.read(f"{folder}/{stem}.docx").startswith(b"PK\x03\x04")


def test_the_same_archive_asked_twice_is_rendered_once(client, reviewer, region):
    client.force_login(reviewer)
    first = client.post(reverse("plans:archive"))["Location"]
    second = client.post(reverse("plans:archive"))["Location"]
    assert first == second and Document.objects.filter(kind="archive").count() == 1


def test_coordinator_archive_holds_only_the_municipality(client, coordinator, region, run_worker):
    client.force_login(coordinator)
    client.post(reverse("plans:archive"))
    run_worker()
    document = Document.objects.get(kind="archive")
    data = b"".join(
        client.get(reverse("plans:document-download", args=[document.pk])).streaming_content
    )
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert len(names) == 4  # two schools of the municipality, PDF and DOCX each

    far = UserFactory(username="far", municipality=region[2].school.municipality)
    client.force_login(far)
    assert client.get(document.get_absolute_url()).status_code == 404


def test_schools_cannot_ask_for_an_archive(client, deputy, region):
    client.force_login(deputy)
    assert client.post(reverse("plans:archive")).status_code == 403
