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


def test_settings_from_plain_environment_variables(monkeypatch):
    import importlib

    from profplan.settings import base

    monkeypatch.setenv("DJANGO_S3_BUCKET", "profplan-files")
    monkeypatch.setenv("DJANGO_S3_ENDPOINT_URL", "https://s3.example.ru")
    monkeypatch.setenv("DJANGO_S3_ACCESS_KEY", "ключ")
    monkeypatch.setenv("DJANGO_S3_SECRET_KEY", "секрет")
    try:
        importlib.reload(base)
        storage = base.STORAGES["default"]
        assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
        options = storage["OPTIONS"]
        assert options["bucket_name"] == "profplan-files"
        assert options["endpoint_url"] == "https://s3.example.ru"
        assert options["region_name"] == "us-east-1"
        assert options["file_overwrite"] is False
        assert options["client_config"].s3 == {"addressing_style": "path"}
    finally:
        monkeypatch.delenv("DJANGO_S3_BUCKET")
        importlib.reload(base)
    # Without a bucket: the file system, as for one machine.
    assert base.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


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
