"""The centre reads the trail in the admin: read only, filtered by person, school,
kind and date, searched, exported to Excel; a region's centre sees its region only."""

import io
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.roles import REGIONAL, ensure_roles
from audit.models import AuditEvent, AuditKind
from plans.models import Municipality, Region, School
from tests.factories import UserFactory
from tests.signin import log_in

pytestmark = pytest.mark.django_db

LIST = reverse("admin:audit_auditevent_changelist")
EXPORT = reverse("admin:audit_auditevent_export")


def at(day: int, hour: int = 10):
    return timezone.make_aware(datetime(2026, 11, day, hour, 0))


@pytest.fixture
def region_b(db):
    region = Region.objects.create(name="Республика Адыгея", short_name="РА", code="ra", order=2)
    municipality = Municipality.objects.create(
        region=region, name="Майкоп", kind=Municipality.Kind.URBAN, order=1
    )
    school = School.objects.create(
        full_name="Средняя школа № 1 г. Майкопа",
        short_name="МБОУ СШ № 1 г. Майкопа",
        municipality=municipality,
    )
    centre = UserFactory(username="centre_b", is_staff=True, region=region)
    centre.groups.add(ensure_roles()[REGIONAL])
    return region, school, centre


@pytest.fixture
def trail(deputy, other_deputy, reviewer, region_b):
    """Events of two KBR schools and one of region B, recorded on known days."""
    kbr = deputy.school.municipality.region
    region, school_b, centre_b = region_b
    AuditEvent.objects.all().delete()  # the fixtures' own account events
    rows = [
        (at(2), AuditKind.LOGIN, deputy, deputy.school, kbr, "на сайт"),
        (at(3), AuditKind.PLAN_DOCUMENT, reviewer, deputy.school, kbr, "План_СОШ_1.pdf"),
        (at(3, 11), AuditKind.EVIDENCE, other_deputy, other_deputy.school, kbr, "=HYPERLINK(1)"),
        (at(4), AuditKind.LOGIN_FAILED, None, None, kbr, "на сайт"),
        (at(4), AuditKind.REGION_ARCHIVE, centre_b, school_b, region, "Планы_РА.zip"),
    ]
    for moment, kind, user, school, in_region, detail in rows:
        AuditEvent.objects.create(
            at=moment,
            kind=kind,
            user=user,
            username=user.username if user else "hacker",
            address="10.0.0.7",
            school=school,
            region=in_region,
            detail=detail,
        )
    return rows


@pytest.fixture
def centre(client, reviewer):
    reviewer.groups.add(ensure_roles()[REGIONAL])
    log_in(client, reviewer)
    AuditEvent.objects.filter(kind=AuditKind.LOGIN, user=reviewer).delete()
    return client


def listed(client, query="") -> str:
    response = client.get(LIST + query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_centre_reads_its_regions_trail(centre, trail):
    page = listed(centre)
    assert "План_СОШ_1.pdf" in page and "=HYPERLINK(1)" in page and "hacker" in page
    assert "Планы_РА.zip" not in page  # region B's
    assert "Выгрузить в Excel" in page


def test_another_regions_centre_sees_only_its_own(client, trail, region_b, deputy):
    _, school_b, centre_b = region_b
    log_in(client, centre_b)
    page = listed(client)
    assert "Планы_РА.zip" in page
    assert "План_СОШ_1.pdf" not in page and "hacker" not in page
    # Nor do the filters name KBR's people or schools.
    assert deputy.school.short_name not in page and ">deputy<" not in page
    event = AuditEvent.objects.get(detail="План_СОШ_1.pdf")
    assert client.get(reverse("admin:audit_auditevent_change", args=[event.pk])).status_code == 404
    workbook = client.get(EXPORT)
    texts = sheet_texts(workbook)
    assert "Планы_РА.zip" in texts and "План_СОШ_1.pdf" not in texts


def test_nobody_adds_changes_or_deletes_an_event(client, superuser, trail):
    log_in(client, superuser)
    event = AuditEvent.objects.get(detail="План_СОШ_1.pdf")
    page = listed(client)
    assert reverse("admin:audit_auditevent_add") not in page
    assert 'name="action"' not in page  # no «delete selected»
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    change = reverse("admin:audit_auditevent_change", args=[event.pk])
    view = client.get(change)
    assert view.status_code == 200 and 'name="_save"' not in view.content.decode()
    client.post(change, {"detail": "подменено"})
    delete = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.detail == "План_СОШ_1.pdf"


def test_filters_by_kind_person_school_and_date(centre, trail, deputy, other_deputy):
    by_kind = listed(centre, f"?kind__exact={AuditKind.PLAN_DOCUMENT}")
    assert "План_СОШ_1.pdf" in by_kind and "=HYPERLINK(1)" not in by_kind

    by_person = listed(centre, f"?user__id__exact={other_deputy.pk}")
    assert "=HYPERLINK(1)" in by_person and "План_СОШ_1.pdf" not in by_person

    by_school = listed(centre, f"?school__id__exact={deputy.school.pk}")
    assert "План_СОШ_1.pdf" in by_school and "=HYPERLINK(1)" not in by_school

    by_day = listed(centre, "?at__day=4&at__month=11&at__year=2026")
    assert "hacker" in by_day and "План_СОШ_1.pdf" not in by_day

    found = listed(centre, "?q=hacker")
    assert "hacker" in found and "План_СОШ_1.pdf" not in found


def test_the_filters_offer_the_people_and_schools_of_the_trail(centre, trail, deputy):
    page = listed(centre)
    assert f"?user__id__exact={deputy.pk}" in page
    assert f"?school__id__exact={deputy.school.pk}" in page


def sheet_texts(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return "\n".join(str(cell.value) for row in sheet.iter_rows() for cell in row)


def test_excel_export_follows_the_filters_and_keeps_formulas_as_text(centre, trail, deputy):
    response = centre.get(EXPORT + f"?school__id__exact={deputy.school.pk}")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Когда", "Логин", "Кто", "Адрес", "Событие", "Школа", "Регион", "Что")
    assert [row[7] for row in rows[1:]] == ["План_СОШ_1.pdf", "на сайт"]  # newest first
    assert rows[1][0] == datetime(2026, 11, 3, 10, 0)  # Moscow time, as the admin shows it
    assert rows[1][4] == "скачивание документа плана"
    assert rows[1][5] == deputy.school.short_name

    everything = load_workbook(io.BytesIO(centre.get(EXPORT).content)).active
    formula = next(
        cell for row in everything.iter_rows() for cell in row if cell.value == "=HYPERLINK(1)"
    )
    assert formula.data_type == "s"  # text, not a formula


def test_the_list_links_to_the_export_with_its_filters(centre, trail):
    page = listed(centre, f"?kind__exact={AuditKind.EVIDENCE}")
    assert f'href="{EXPORT}?kind__exact={AuditKind.EVIDENCE}"' in page


def test_too_many_events_for_one_file_are_refused_with_a_message(centre, trail, monkeypatch):
    monkeypatch.setattr("audit.admin.EXPORT_LIMIT", 2)
    response = centre.get(EXPORT, follow=True)
    page = response.content.decode()
    assert "В выборке 4 события, в файл выгружается не больше 2" in page
    narrowed = centre.get(EXPORT + "?at__day=2&at__month=11&at__year=2026")
    assert "на сайт" in sheet_texts(narrowed)


def test_a_bad_filter_is_not_a_server_error(centre, trail):
    response = centre.get(EXPORT + "?at__year=тысяча")
    assert response.status_code == 302


def test_schools_and_coordinators_do_not_reach_the_trail(client, deputy, coordinator):
    for user in (deputy, coordinator):
        log_in(client, user)
        for url in (LIST, EXPORT):
            response = client.get(url)
            assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_staff_member_without_the_role_gets_403(client):
    log_in(client, UserFactory(username="plain_staff", is_staff=True))
    assert client.get(LIST).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_the_list_shows_the_latest_first_with_russian_words(centre, trail):
    page = listed(centre)
    assert page.index("hacker") < page.index("=HYPERLINK(1)") < page.index("План_СОШ_1.pdf")
    assert "неудачный вход" in page and "Журнал событий" in page
