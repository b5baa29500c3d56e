"""A file in the storage always has its record, and a record its file: an evidence file
is written only once its record commits, a rendered document's record is saved right
after its file or the file goes (profplan/stored_files.py)."""

from datetime import date

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from plans.documents import queue as documents
from plans.execution import services as execution_services
from plans.models import Document, DocumentStatus, Evidence, Plan, PlanStatus, RowExecution
from plans.services import row_execution_record
from tests.factories import add_row
from tests.storage import empty_storage, stored_files  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_storage")]

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200


@pytest.fixture
def show_row(plan):
    row = add_row(
        plan,
        "3.4.12.1.",
        activity="Урок «Шоу профессий»",
        hours=4,
        grades=(6, 7),
        start_date=date(2023, 10, 5),
        end_date=date(2023, 10, 5),
    )
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED)
    row.refresh_from_db()
    return row


def record(row, by, *names):
    files = [SimpleUploadedFile(name, JPEG, content_type="image/jpeg") for name in names]
    return row_execution_record(row=row, by=by, data={"status": "done"}, files=files)


def test_an_evidence_file_is_stored_with_its_record(deputy, show_row):
    record(show_row, deputy, "фото.jpg")
    evidence = Evidence.objects.get()
    assert evidence.file.name.startswith(f"execution/{show_row.plan_id}/")
    assert stored_files("execution") == [evidence.file.name]
    with evidence.file.open("rb") as stored:
        assert stored.read() == JPEG


def test_a_failure_after_the_file_is_saved_leaves_no_file_and_no_record(
    deputy, show_row, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*, plan):
        raise RuntimeError("the hours of the plan could not be stored")

    # plan_delivery_store runs after the files, in the same transaction.
    monkeypatch.setattr(execution_services, "plan_delivery_store", broken)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        record(show_row, deputy, "фото.jpg", "второе фото.jpg")
    assert not Evidence.objects.exists() and not RowExecution.objects.exists()
    assert stored_files("execution") == []


def test_a_storage_that_refuses_the_file_refuses_the_mark_and_keeps_nothing(
    deputy, show_row, monkeypatch
):
    """The file is written inside the transaction (so that the page can say the store
    is down): a refusal rolls back the mark with its records."""

    def refusing(name, content, max_length=None):
        raise OSError("disk full")

    monkeypatch.setattr(default_storage, "save", refusing)
    with pytest.raises(OSError):
        record(show_row, deputy, "фото.jpg")
    assert not Evidence.objects.exists() and not RowExecution.objects.exists()
    assert stored_files("execution") == []


def test_a_render_whose_record_cannot_be_saved_leaves_no_file(plan, deputy, monkeypatch):
    document = documents.plan_document(plan=plan, fmt="docx", by=deputy)
    real_save = Document.save

    def failing_save(self, *args, **kwargs):
        if "file" in (kwargs.get("update_fields") or ()):
            raise RuntimeError("the database went away")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Document, "save", failing_save)
    assert documents.document_render(document_id=document.pk) is None
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED and not document.file
    assert stored_files("documents") == []

    monkeypatch.setattr(Document, "save", real_save)
    Document.objects.filter(pk=document.pk).update(status=DocumentStatus.QUEUED)
    assert documents.document_render(document_id=document.pk) is not None
    document.refresh_from_db()
    assert stored_files("documents") == [document.file.name]
