"""Execution of an approved plan: the school marks rows and attaches evidence; the
centre and the coordinator read; another school finds nothing; the plan itself is
never changed by it."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from plans.execution.evidence import MAX_EVIDENCE_BYTES
from plans.models import Evidence, Plan, PlanStatus, RowExecution
from tests.factories import add_row
from tests.signin import log_in

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def approve(plan: Plan) -> Plan:
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED)
    plan.refresh_from_db()
    return plan


@pytest.fixture
def approved(plan):
    add_row(
        plan,
        "3.4.12.1.",
        activity="Урок «Шоу профессий»",
        hours=4,
        grades=(6, 7),
        start_date=date(2023, 10, 5),
        end_date=date(2023, 10, 5),
    )
    return approve(plan)


@pytest.fixture
def show_row(approved):
    return approved.rows.get(activity="Урок «Шоу профессий»")


def mark_url(plan, row):
    return reverse("plans:execution-row", args=[plan.pk, row.pk])


def mark(client, plan, row, **fields):
    data = {"status": "done", "grades": ["6", "7"], "pupils": "48", "hours": "4"} | fields
    # Files reach the storage when the mark commits: in a test's transaction the
    # commit's callbacks are run here, as a real request's commit runs them.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(mark_url(plan, row), data)


def test_school_marks_a_row_done_with_a_photo_and_the_pupils(client, deputy, approved, show_row):
    version = approved.version
    client.force_login(deputy)
    photo = SimpleUploadedFile("экскурсия.jpg", JPEG, content_type="image/jpeg")
    response = mark(client, approved, show_row, result="Провели 2 урока", files=[photo])
    assert response.status_code == 302
    page = client.get(reverse("plans:execution", args=[approved.pk])).content.decode()
    assert "выполнено" in page and "48" in page and "экскурсия.jpg" in page
    execution = RowExecution.objects.get(row=show_row)
    assert execution.pupils == 48 and execution.hours == Decimal(4)
    assert execution.grades == (6, 7) and execution.recorded_by == deputy
    # The plan stays as approved: neither its version nor its rows move.
    approved.refresh_from_db()
    assert approved.version == version and approved.status == PlanStatus.APPROVED
    assert execution.history.count() == 1


def test_marking_again_keeps_one_execution_with_its_history(client, deputy, approved, show_row):
    client.force_login(deputy)
    mark(client, approved, show_row, status="partly", hours="2")
    mark(client, approved, show_row, status="done", hours="4")
    execution = RowExecution.objects.get(row=show_row)
    assert execution.status == "done"
    assert [h.status for h in execution.history.order_by("history_date")] == ["partly", "done"]


def test_a_moved_row_needs_its_new_date(client, deputy, approved, show_row):
    client.force_login(deputy)
    response = mark(client, approved, show_row, status="moved")
    assert response.status_code == 422
    assert "Укажите, на какую дату перенесено мероприятие." in response.content.decode()
    response = mark(client, approved, show_row, status="moved", moved_to="2023-11-20")
    assert response.status_code == 302
    assert RowExecution.objects.get(row=show_row).moved_to == date(2023, 11, 20)


def test_bad_numbers_get_russian_messages(client, deputy, approved, show_row):
    client.force_login(deputy)
    response = mark(client, approved, show_row, pupils="-3", hours="abc")
    text = response.content.decode()
    assert response.status_code == 422
    assert "Число обучающихся не может быть отрицательным." in text
    assert "Введите число часов, например 2 или 1,5." in text
    assert not RowExecution.objects.exists()


def test_hours_with_a_comma(client, deputy, approved, show_row):
    client.force_login(deputy)
    assert mark(client, approved, show_row, hours="1,5").status_code == 302
    assert RowExecution.objects.get(row=show_row).hours == Decimal("1.5")


@pytest.mark.parametrize(
    "name, content",
    [
        ("отчёт.pdf", b"<html><script>alert(1)</script></html>"),  # a page named .pdf
        ("фото.jpg", PDF),  # content and name disagree
        ("страница.html", b"<html></html>"),
        ("скрипт.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>"),
        ("архив.zip", b"PK\x03\x04" + b"\x00" * 30),
    ],
)
def test_files_are_checked_by_their_content(client, deputy, approved, show_row, name, content):
    client.force_login(deputy)
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = mark(client, approved, show_row, files=[upload])
    assert response.status_code == 422
    assert "можно прикрепить только файлы PDF, JPEG" in response.content.decode()
    assert not Evidence.objects.exists() and not RowExecution.objects.exists()


def test_a_file_over_10_mb_is_refused(client, deputy, approved, show_row):
    client.force_login(deputy)
    big = SimpleUploadedFile("скан.pdf", PDF + b"0" * MAX_EVIDENCE_BYTES)
    response = mark(client, approved, show_row, files=[big])
    assert response.status_code == 422
    assert "больше 10 МБ" in response.content.decode()


def test_office_documents_and_pdfs_are_kept_under_generated_names(
    client, deputy, approved, show_row
):
    client.force_login(deputy)
    files = [
        SimpleUploadedFile("../../приказ №5.docx", docx_bytes()),
        SimpleUploadedFile("программа.pdf", PDF),
    ]
    assert mark(client, approved, show_row, files=files).status_code == 302
    stored = {e.name: e for e in Evidence.objects.all()}
    assert set(stored) == {"приказ №5.docx", "программа.pdf"}
    for evidence in stored.values():
        assert evidence.file.name == (
            f"execution/{approved.pk}/{evidence.key}.{evidence.extension}"
        )
        assert "приказ" not in evidence.file.name


def test_evidence_is_served_as_an_attachment_with_nosniff(
    client, deputy, coordinator, reviewer, approved, show_row
):
    client.force_login(deputy)
    mark(client, approved, show_row, files=[SimpleUploadedFile("фото.jpg", JPEG)])
    evidence = Evidence.objects.get()
    url = reverse("plans:evidence", args=[approved.pk, evidence.pk])
    for user in (deputy, coordinator, reviewer):
        log_in(client, user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == JPEG


def test_another_school_finds_nothing(client, deputy, other_deputy, approved, show_row):
    client.force_login(deputy)
    mark(client, approved, show_row, files=[SimpleUploadedFile("фото.jpg", JPEG)])
    evidence = Evidence.objects.get()
    client.force_login(other_deputy)
    urls = [
        reverse("plans:execution", args=[approved.pk]),
        mark_url(approved, show_row),
        reverse("plans:evidence", args=[approved.pk, evidence.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert mark(client, approved, show_row, pupils="1").status_code == 404
    delete = reverse("plans:evidence-delete", args=[approved.pk, evidence.pk])
    assert client.post(delete).status_code == 404
    assert RowExecution.objects.get().pupils == 48 and Evidence.objects.count() == 1


def test_evidence_of_another_plan_is_not_found_through_this_one(
    client, deputy, other_deputy, approved, show_row, other_plan
):
    client.force_login(deputy)
    mark(client, approved, show_row, files=[SimpleUploadedFile("фото.jpg", JPEG)])
    evidence = Evidence.objects.get()
    client.force_login(other_deputy)
    url = reverse("plans:evidence", args=[other_plan.pk, evidence.pk])
    assert client.get(url).status_code == 404


def test_centre_and_coordinator_read_but_do_not_mark(
    client, deputy, coordinator, reviewer, approved, show_row
):
    client.force_login(deputy)
    mark(client, approved, show_row)
    for user in (coordinator, reviewer):
        log_in(client, user)
        page = client.get(reverse("plans:execution", args=[approved.pk]))
        assert page.status_code == 200
        text = page.content.decode()
        assert "Только для чтения" in text and "Отметить</a>" not in text
        assert client.get(mark_url(approved, show_row)).status_code == 404
        assert mark(client, approved, show_row, pupils="1").status_code == 404
    assert RowExecution.objects.get().pupils == 48


def test_only_an_approved_plan_is_marked(client, deputy, plan):
    row = add_row(plan, "3.4.12.1.", activity="Экскурсия", hours=2, grades=(6,))
    client.force_login(deputy)
    page = client.get(reverse("plans:execution", args=[plan.pk]))
    assert "после того, как региональный центр утвердит план" in page.content.decode()
    response = mark(client, plan, row)
    assert response.status_code == 302
    assert not RowExecution.objects.exists()


def test_school_deletes_a_file(
    client, deputy, approved, show_row, django_capture_on_commit_callbacks
):
    client.force_login(deputy)
    mark(client, approved, show_row, files=[SimpleUploadedFile("фото.jpg", JPEG)])
    evidence = Evidence.objects.get()
    name = evidence.file.name
    storage = evidence.file.storage
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("plans:evidence-delete", args=[approved.pk, evidence.pk]))
    assert response.status_code == 302
    assert not Evidence.objects.exists()
    assert not storage.exists(name)


def test_editor_of_an_approved_plan_links_to_the_execution(client, deputy, approved):
    client.force_login(deputy)
    page = client.get(reverse("plans:edit", args=[approved.pk])).content.decode()
    assert "Отметить исполнение" in page
    assert reverse("plans:execution", args=[approved.pk]) in page


def test_execution_page_queries_do_not_grow_with_rows(client, deputy, approved, show_row):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(deputy)
    mark(client, approved, show_row, files=[SimpleUploadedFile("фото.jpg", JPEG)])
    url = reverse("plans:execution", args=[approved.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(30):
        row = add_row(approved, "3.4.13.2.", activity=f"Занятие {n}", hours=1, grades=(8, 9))
        mark(client, approved, row, grades=["8"], files=[SimpleUploadedFile("ф.jpg", JPEG)])
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


# --- Evidence files leave the storage with their records -----------------------------


def stored_photo(client, deputy, plan, row):
    client.force_login(deputy)
    mark(client, plan, row, files=[SimpleUploadedFile("фото.jpg", JPEG)])
    evidence = Evidence.objects.get(execution__row=row)
    assert evidence.file.storage.exists(evidence.file.name)
    return evidence.file.storage, evidence.file.name


def test_deleting_a_marked_row_deletes_its_files(
    client, deputy, approved, show_row, django_capture_on_commit_callbacks
):
    storage, name = stored_photo(client, deputy, approved, show_row)
    # The centre returned the approved plan; the school deletes the row in the editor.
    Plan.objects.filter(pk=approved.pk).update(status=PlanStatus.RETURNED)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("plans:row-delete", args=[approved.pk, show_row.pk]),
            {"version": Plan.objects.get(pk=approved.pk).version},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200
    assert not RowExecution.objects.exists() and not Evidence.objects.exists()
    assert not storage.exists(name)


def test_deleting_a_plan_deletes_its_files(
    client, deputy, superuser, approved, show_row, django_capture_on_commit_callbacks
):
    storage, name = stored_photo(client, deputy, approved, show_row)
    log_in(client, superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:plans_plan_delete", args=[approved.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert not Plan.objects.filter(pk=approved.pk).exists()
    assert not storage.exists(name)


def test_a_delete_rolled_back_keeps_the_file(client, deputy, approved, show_row):
    from django.db import transaction

    storage, name = stored_photo(client, deputy, approved, show_row)
    with pytest.raises(RuntimeError), transaction.atomic():
        show_row.delete()
        raise RuntimeError("the transaction fails after the delete")
    assert Evidence.objects.exists() and storage.exists(name)


def test_centre_reads_executions_in_the_admin_and_files_through_the_scoped_view(
    client, deputy, reviewer, approved, show_row
):
    from accounts.roles import REGIONAL, ensure_roles

    stored_photo(client, deputy, approved, show_row)
    evidence = Evidence.objects.get()
    reviewer.groups.add(ensure_roles()[REGIONAL])
    log_in(client, reviewer)
    listing = client.get(reverse("admin:plans_rowexecution_changelist")).content.decode()
    assert approved.school.short_name in listing and "выполнено" in listing
    execution = RowExecution.objects.get()
    page = client.get(reverse("admin:plans_rowexecution_change", args=[execution.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("plans:evidence", args=[approved.pk, evidence.pk]) in html
    assert evidence.file.url not in html  # never the storage's own address
    assert 'name="status"' not in html  # read-only
    assert (
        client.post(reverse("admin:plans_rowexecution_delete", args=[execution.pk])).status_code
        == 403
    )
