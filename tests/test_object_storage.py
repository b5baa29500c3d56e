"""Files in an S3-compatible object store (settings DJANGO_S3_*): generated documents,
frozen PDFs of submissions and evidence files go through it and come back through
the site; another machine's storage reads what one wrote; a store that does not
answer gives a Russian 503 on download and refuses an upload, leaving nothing behind.

The store is moto's S3 server in this process (the `s3` fixture in tests/conftest.py):
pure pip, no service to start, so these run in the normal suite."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans import services
from plans.models import Document, Evidence, RowExecution
from profplan.storage import storage_check
from tests.factories import add_row
from tests.plans.test_documents import complete, pdf_text
from tests.plans.test_execution import JPEG, approve, mark

pytestmark = [pytest.mark.django_db, pytest.mark.tasks]


@pytest.fixture
def approved(plan):
    add_row(plan, "3.4.12.1.", activity="Урок «Шоу профессий»", hours=4, grades=(6, 7))
    return approve(plan)


@pytest.fixture
def show_row(approved):
    return approved.rows.get(activity="Урок «Шоу профессий»")


def test_a_plan_document_is_stored_in_the_bucket_and_served_from_it(
    client, deputy, plan, s3, download
):
    client.force_login(deputy)
    response = download(reverse("plans:export-xlsx", args=[plan.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"PK")
    document = Document.objects.get(plan=plan)
    assert s3.keys() == [document.file.name]
    assert document.file.name.startswith("documents/plan_xlsx/")
    # Served from the bucket: the bytes there are the bytes downloaded.
    stored = s3.client().get_object(Bucket=s3.bucket, Key=document.file.name)["Body"].read()
    assert stored == response.content


def test_a_download_from_the_bucket_streams_in_blocks_with_its_length(
    client, deputy, plan, s3, download, monkeypatch
):
    """Not django-storages' S3File, which would fetch the whole object into the web
    process before the first byte goes out."""
    from storages.backends import s3 as backend

    client.force_login(deputy)
    url = reverse("plans:export-xlsx", args=[plan.pk])
    data = download(url).content

    def whole_object(*args, **kwargs):
        raise AssertionError("a download read the whole object through S3File")

    monkeypatch.setattr(backend.S3File, "_get_file", whole_object)
    response = client.get(url)
    assert response.streaming and response.block_size < len(data)
    assert response["Content-Length"] == str(len(data))
    assert b"".join(response.streaming_content) == data


def test_a_frozen_pdf_of_a_submission_is_stored_in_the_bucket_and_served_from_it(
    client, plan, deputy, s3, run_worker
):
    complete(plan)
    submission = services.plan_submit(plan=plan, by=deputy, version=None)
    run_worker()
    submission.refresh_from_db()
    assert submission.pdf.name in s3.keys()

    client.force_login(deputy)
    response = client.get(reverse("plans:submission-pdf", args=[plan.pk, submission.number]))
    assert response.status_code == 200
    assert "ПРОЕКТ" in pdf_text(b"".join(response.streaming_content))


def test_an_evidence_file_is_stored_in_the_bucket_and_served_from_it(
    client,
    deputy,
    approved,
    show_row,
    s3,
):
    client.force_login(deputy)
    photo = SimpleUploadedFile("экскурсия.jpg", JPEG, content_type="image/jpeg")
    assert mark(client, approved, show_row, files=[photo]).status_code == 302
    evidence = Evidence.objects.get()
    assert s3.keys() == [evidence.file.name]

    response = client.get(reverse("plans:evidence", args=[approved.pk, evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == JPEG


def test_a_file_written_by_one_machine_is_read_and_deleted_by_another(s3):
    from storages.backends.s3 import S3Storage

    one, other = S3Storage(**s3.options(s3.bucket)), S3Storage(**s3.options(s3.bucket))
    name = one.save("documents/проба.txt", ContentFile("из первого узла".encode()))
    with other.open(name) as file:
        assert file.read().decode() == "из первого узла"
    # file_overwrite is off: the same name saved again is a new name, never a
    # silent replacement of what the other machine wrote.
    assert other.save("documents/проба.txt", ContentFile(b"x")) != name
    other.delete(name)
    assert not one.exists(name)


# --- the store does not answer --------------------------------------------------------------


def test_a_download_while_the_store_is_down_says_so_in_russian_and_works_once_it_is_back(
    client, deputy, plan, s3, download
):
    client.force_login(deputy)
    url = reverse("plans:export-xlsx", args=[plan.pk])
    first = download(url).content
    with s3.down():
        response = client.get(url)
        assert response.status_code == 503
        assert response["Retry-After"] == "60"
        assert "Хранилище файлов временно недоступно, попробуйте через минуту" in (
            response.content.decode()
        )
        assert storage_check() is not None
    assert storage_check() is None
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == first


def test_an_evidence_download_while_the_store_is_down_is_a_russian_503(
    client,
    deputy,
    approved,
    show_row,
    s3,
):
    client.force_login(deputy)
    mark(client, approved, show_row, files=[SimpleUploadedFile("фото.jpg", JPEG)])
    evidence = Evidence.objects.get()
    with s3.down():
        response = client.get(reverse("plans:evidence", args=[approved.pk, evidence.pk]))
    assert response.status_code == 503
    assert "Хранилище файлов временно недоступно" in response.content.decode()


def test_an_upload_while_the_store_is_down_is_refused_and_leaves_nothing_behind(
    client,
    deputy,
    approved,
    show_row,
    s3,
):
    client.force_login(deputy)
    photos = [SimpleUploadedFile(f"фото{n}.jpg", JPEG) for n in (1, 2)]
    with s3.down():
        response = mark(client, approved, show_row, result="Провели", files=photos)
    assert response.status_code == 503
    page = response.content.decode()
    assert "Хранилище файлов временно недоступно" in page
    assert "не сохран" in page
    # No record without its file, and no file without its record.
    assert not Evidence.objects.exists()
    assert not RowExecution.objects.filter(row=show_row).exists()
    assert s3.keys() == []

    # Once the store is back the same upload goes through.
    photos = [SimpleUploadedFile(f"фото{n}.jpg", JPEG) for n in (1, 2)]
    assert mark(client, approved, show_row, files=photos).status_code == 302
    assert len(s3.keys()) == Evidence.objects.count() == 2


def test_an_upload_cut_off_after_the_first_file_removes_the_first_file(
    client,
    deputy,
    approved,
    show_row,
    s3,
    monkeypatch,
):
    """The store going away between two files of one form: the first is already in
    the bucket when the second fails; it is deleted again with the rolled-back record."""
    from storages.backends.s3 import S3Storage

    real_save = S3Storage._save
    calls = []

    def save_then_fail(self, name, content):
        calls.append(name)
        if len(calls) == 2:
            from botocore.exceptions import EndpointConnectionError

            raise EndpointConnectionError(endpoint_url=s3.endpoint)
        return real_save(self, name, content)

    monkeypatch.setattr(S3Storage, "_save", save_then_fail)
    client.force_login(deputy)
    photos = [SimpleUploadedFile(f"фото{n}.jpg", JPEG) for n in (1, 2)]
    response = mark(client, approved, show_row, files=photos)
    assert response.status_code == 503
    assert len(calls) == 2
    assert not Evidence.objects.exists()
    assert s3.keys() == []


def test_a_render_while_the_store_is_down_is_tried_again_a_minute_later(
    client, deputy, plan, s3, run_worker, deferred_tasks
):
    client.force_login(deputy)
    progress = client.get(reverse("plans:export-xlsx", args=[plan.pk]))["Location"]
    with s3.down():
        run_worker()
    document = Document.objects.get(plan=plan)
    assert document.status == "queued" and not document.file
    page = client.get(progress, HTTP_HX_REQUEST="true").content.decode()
    assert (
        "Хранилище файлов временно недоступно: документ будет сформирован заново через минуту"
        " (попытка 2 из 3)" in page
    )
    assert deferred_tasks.count() == 1

    deferred_tasks.make_due()
    run_worker()
    document.refresh_from_db()
    assert document.status == "ready" and s3.keys() == [document.file.name]


def test_a_frozen_pdf_while_the_store_is_down_is_drawn_once_it_is_back(
    plan, deputy, s3, run_worker, deferred_tasks
):
    complete(plan)
    submission = services.plan_submit(plan=plan, by=deputy, version=None)
    with s3.down():
        run_worker()
    submission.refresh_from_db()
    assert not submission.pdf and not submission.render_error
    deferred_tasks.make_due()
    run_worker()
    submission.refresh_from_db()
    assert submission.pdf.name in s3.keys()


def test_a_render_that_finds_the_store_down_three_times_fails_with_its_reason(
    client, deputy, plan, s3, run_worker, deferred_tasks
):
    client.force_login(deputy)
    progress = client.get(reverse("plans:export-xlsx", args=[plan.pk]))["Location"]
    with s3.down():
        for _ in range(3):
            run_worker()
            deferred_tasks.make_due()
    document = Document.objects.get(plan=plan)
    assert document.status == "failed"
    page = client.get(progress).content.decode()
    assert "хранилище файлов недоступно" in page and "Сформировать заново" in page
