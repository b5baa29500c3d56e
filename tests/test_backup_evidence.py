"""`make backup` / `make restore` (scripts/backup.py) bring back what cannot be made
again: a plan deleted by mistake comes back with the evidence files the school had
uploaded, from the file system or from the S3 bucket; generated documents are left
out of the backup and drawn again."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from plans.models import Evidence, Plan
from tests.factories import add_row
from tests.plans.test_execution import JPEG, PDF, approve, mark


@pytest.fixture
def school(reference):
    """After the reference data: a transactional test's flush removed it."""
    from tests.factories import SchoolFactory

    return SchoolFactory()


@pytest.fixture(params=["files", "s3"])
def storage(request, settings, tmp_path):
    """The evidence's storage: the file system (one machine) or the S3 bucket."""
    if request.param == "s3":
        return request.getfixturevalue("s3")
    settings.MEDIA_ROOT = tmp_path / "media"
    return None


@pytest.mark.django_db(transaction=True)
def test_a_deleted_plan_comes_back_with_its_evidence_files(client, deputy, plan, storage, tmp_path):
    from scripts.backup import backup, restore

    add_row(plan, "3.4.12.1.", activity="Урок «Шоу профессий»", hours=4, grades=(6, 7))
    approve(plan)
    row = plan.rows.get(activity="Урок «Шоу профессий»")
    client.force_login(deputy)
    photo = SimpleUploadedFile("экскурсия.jpg", JPEG, content_type="image/jpeg")
    order = SimpleUploadedFile("приказ.pdf", PDF, content_type="application/pdf")
    assert mark(client, plan, row, files=[photo, order]).status_code == 302
    files = {e.pk: (e.name, e.file.name) for e in Evidence.objects.all()}
    assert len(files) == 2

    db = dict(connection.settings_dict)
    dump, archive, missing = backup(db, tmp_path / "backups")
    assert archive.exists() and missing == []

    Plan.objects.filter(pk=plan.pk).delete()  # the mistake: the files go with it
    assert not any(default_storage.exists(name) for _, name in files.values())
    assert client.get(reverse("plans:edit", args=[plan.pk])).status_code == 404

    report = restore(db, dump)
    assert "файлы подтверждений: возвращено 2, уже были на месте 0" in report

    client.force_login(deputy)  # the session was in the restored database too
    page = client.get(reverse("plans:execution", args=[plan.pk]))
    assert page.status_code == 200
    assert "экскурсия.jpg" in page.content.decode() and "приказ.pdf" in page.content.decode()
    for pk, (_, name) in files.items():
        response = client.get(reverse("plans:evidence", args=[plan.pk, pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == (JPEG if name.endswith(".jpg") else PDF)


@pytest.mark.django_db(transaction=True)
def test_generated_documents_are_left_out_and_drawn_again(
    reference, client, deputy, plan, settings, tmp_path, download
):
    from plans.models import Document
    from scripts.backup import backup, restore

    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(deputy)
    url = reverse("plans:export-xlsx", args=[plan.pk])
    first = download(url)
    assert first.status_code == 200
    document = Document.objects.get(plan=plan)

    db = dict(connection.settings_dict)
    dump, archive, _ = backup(db, tmp_path / "backups")
    import zipfile

    assert zipfile.ZipFile(archive).namelist() == []  # no evidence, and no document

    default_storage.delete(document.file.name)  # the media folder of a new machine
    report = restore(db, dump)
    assert any("документов без файла забыто: 1" in line for line in report)
    assert not Document.objects.filter(pk=document.pk).exists()
    client.force_login(deputy)
    again = download(url)
    assert again.status_code == 200 and again.content.startswith(b"PK")
