import io
from urllib.parse import quote

import pytest
import weasyprint
from django.urls import reverse
from openpyxl import load_workbook

from plans.models import Municipality
from tests.factories import UserFactory, make_plan
from tests.plans.export_data import fill_rows
from tests.signin import log_in

pytestmark = pytest.mark.django_db

FILENAME = "План_профориентации_МКОУ_СОШ_{}_2023-2024"


def url(name, plan):
    return reverse(f"plans:export-{name}", args=[plan.pk])


@pytest.fixture
def fast_pdf(monkeypatch):
    """Skip WeasyPrint's layout where a test is about access or queries, not the PDF."""
    monkeypatch.setattr(weasyprint.HTML, "write_pdf", lambda self, *a, **k: b"%PDF-1.7 stub")


def test_urls():
    assert reverse("plans:export-pdf", args=[7]) == "/plans/7/export.pdf"
    assert reverse("plans:export-xlsx", args=[7]) == "/plans/7/export.xlsx"


def test_deputy_downloads_the_plan_as_pdf_with_a_russian_file_name(client, deputy, plan, download):
    client.force_login(deputy)
    response = download(url("pdf", plan))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    number = plan.school.short_name.split()[-1]
    name = FILENAME.format(number) + ".pdf"
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"profplan.pdf\"; filename*=utf-8''{quote(name)}"
    )


def test_deputy_downloads_the_plan_as_excel(client, deputy, plan, download):
    client.force_login(deputy)
    response = download(url("xlsx", plan))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].endswith(quote("_2023-2024.xlsx"))
    assert load_workbook(io.BytesIO(response.content)).active.title == "План"


@pytest.mark.parametrize("name", ["pdf", "xlsx"])
def test_another_school_gets_404(client, other_deputy, plan, name, fast_pdf):
    client.force_login(other_deputy)
    assert client.get(url(name, plan)).status_code == 404


@pytest.mark.parametrize("name", ["pdf", "xlsx"])
def test_coordinator_sees_own_municipality_only(
    client, coordinator, plan, name, fast_pdf, download
):
    client.force_login(coordinator)
    assert download(url(name, plan)).status_code == 200

    elsewhere = Municipality.objects.exclude(pk=plan.school.municipality_id).first()
    stranger = UserFactory(username="coordinator2", municipality=elsewhere)
    log_in(client, stranger)
    assert client.get(url(name, plan)).status_code == 404


@pytest.mark.parametrize("name", ["pdf", "xlsx"])
def test_anonymous_is_sent_to_sign_in(client, plan, name):
    response = client.get(url(name, plan))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# Queries of asking for a plan's file, whatever the rows (the worker reads the
# plan; tests/plans/test_documents.py pins the render's own queries):
#  1 session, 2 user, 3 the device that passed the second factor (django-otp: the
#  reader is the centre's), 4 plan with school and year (scoped to the user),
#  5 the stored document by key, 6 the audit trail's event (one INSERT: audit/),
#  7–9 savepoint, session update, release (SESSION_SAVE_EVERY_REQUEST). Its last
#  use was marked by the first download (within the hour nothing more is written).
EXPORT_QUERIES = 9


@pytest.mark.parametrize("name", ["pdf", "xlsx"])
def test_export_queries_do_not_grow_with_rows(
    client, plan, other_school, name, fast_pdf, django_assert_num_queries, download
):
    big = make_plan(other_school)
    fill_rows(big, 300)
    small = plan
    assert small.rows.count() < 100 and big.rows.count() > 300
    log_in(client, UserFactory(username="reader", is_staff=True))

    for target in (small, big):
        download(url(name, target))  # rendered once by the worker
        with django_assert_num_queries(EXPORT_QUERIES):
            assert client.get(url(name, target)).status_code == 200


def test_coordinator_downloads_the_municipality_consolidated_table(
    client, coordinator, plan, other_plan, download
):
    from io import BytesIO

    from openpyxl import load_workbook

    from plans.models import Municipality

    other_plan.school.municipality = Municipality.objects.exclude(
        pk=plan.school.municipality_id
    ).first()
    other_plan.school.save()
    client.force_login(coordinator)
    download(reverse("plans:export-region"))  # the worker renders it
    response = client.get(reverse("plans:export-region"))
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert response.streaming  # from storage, block by block
    data = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(data)
    summary = load_workbook(BytesIO(data)).worksheets[0]
    schools = {cell.value for row in summary.iter_rows() for cell in row}
    assert plan.school.short_name in schools and other_plan.school.short_name not in schools
