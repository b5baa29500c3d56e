"""The centre signs in to the admin, finds its own sign-in and a school's download in
the audit trail, narrows it by kind and takes it to Excel."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from accounts.roles import REGIONAL, ensure_roles
from audit.models import AuditKind
from audit.services import audit_record
from tests.factories import UserFactory
from tests.signin import sign_in_with_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_centre_reads_the_trail_and_downloads_it(reference, plan, school, live_server, page):
    reviewer = UserFactory(username="reviewer", is_staff=True)
    reviewer.set_password("profplan-demo")
    reviewer.save()
    reviewer.groups.add(ensure_roles()[REGIONAL])
    deputy = UserFactory(username="deputy", school=school)
    audit_record(
        kind=AuditKind.PLAN_DOCUMENT,
        user=deputy,
        plan=plan,
        detail="План_профориентации_2023-2024.pdf",
    )

    page.goto(f"{live_server.url}/admin/login/")
    sign_in_with_code(page, "reviewer")  # the password, then the code of its app
    page.get_by_role("link", name="Журнал событий").first.click()
    rows = page.locator("#result_list tbody tr")
    expect(rows.filter(has_text="вход")).not_to_have_count(0)
    expect(rows.filter(has_text="План_профориентации_2023-2024.pdf")).to_have_count(1)
    page.screenshot(path="/tmp/audit-admin-list.png", full_page=True)

    page.locator("#changelist-filter").get_by_role(
        "link", name="скачивание документа плана"
    ).click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(school.short_name)
    with page.expect_download() as caught:
        page.get_by_role("link", name="Выгрузить в Excel").click()
    download = caught.value
    assert download.suggested_filename.startswith("Журнал_событий_")
    sheet = load_workbook(io.BytesIO(open(download.path(), "rb").read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][7] == "План_профориентации_2023-2024.pdf"
