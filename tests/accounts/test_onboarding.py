"""Onboarding: schools and their deputy directors' accounts from an .xlsx or .csv list."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.onboarding import ImportFileError, ImportRejected, read_rows
from accounts.roles import DEPUTY
from accounts.services import schools_import
from plans.models import School
from tests.factories import SchoolFactory, UserFactory
from tests.signin import log_in

from .conftest import HEADER, csv_bytes, make_inn, school_row, xlsx_bytes

pytestmark = pytest.mark.django_db
User = get_user_model()
NEW_PASSWORD = "Шогенова-2024-план"


def run_import(rows_or_bytes, filename="schools.csv", capture=None, **kwargs):
    data = rows_or_bytes if isinstance(rows_or_bytes, bytes) else csv_bytes(rows_or_bytes)
    rows = read_rows(data, filename)
    if capture is None:
        return schools_import(rows=rows, by=None, **kwargs)
    with capture(execute=True):
        return schools_import(rows=rows, by=None, **kwargs)


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body)[0]


def test_a_good_csv_creates_schools_and_deputies_in_the_deputy_group(
    good_rows, django_capture_on_commit_callbacks
):
    result = run_import(good_rows, capture=django_capture_on_commit_callbacks)

    assert len(result.schools_created) == 2
    first = School.objects.get(inn=make_inn(1))
    assert first.short_name == "МКОУ СОШ № 1"
    assert first.municipality.name == "Нальчик"
    assert first.director_position == "Директор"
    second = School.objects.get(inn=make_inn(2))
    assert second.municipality.name == "Баксанский"
    assert second.director_position == "Исполняющий обязанности директора"

    deputy = User.objects.get(username="sosh1")
    assert (deputy.last_name, deputy.first_name) == ("Шогенова", "Мадина Хасановна")
    assert deputy.school == first
    assert deputy.email == "zam1@school.example.org"
    assert not deputy.has_usable_password()
    assert list(deputy.groups.values_list("name", flat=True)) == [DEPUTY]
    # No login in the file: surname and initials in Latin letters.
    assert User.objects.get(school=second).username == "ivanova.mp"

    assert sorted(m.to[0] for m in mail.outbox) == [
        "zam1@school.example.org",
        "zam2@school.example.org",
    ]
    assert len(result.invitations_sent) == 2


def test_the_link_in_the_e_mail_sets_a_password_that_signs_in(
    client, good_rows, django_capture_on_commit_callbacks
):
    run_import(good_rows[:1], capture=django_capture_on_commit_callbacks)
    message = mail.outbox[0]
    assert "Логин: sosh1" in message.body
    link = link_in(message)
    assert "/accounts/reset/" in link

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert "new_password1" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert done.url == reverse("password_reset_complete")

    signed_in = client.post(reverse("login"), {"username": "sosh1", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    assert signed_in.wsgi_request.user.username == "sosh1"
    # The link is single-use.
    client.logout()
    assert "new_password1" not in client.get(link, follow=True).content.decode()


def test_a_good_xlsx_is_imported_by_the_command(
    tmp_path, good_rows, django_capture_on_commit_callbacks
):
    path = tmp_path / "schools.xlsx"
    path.write_bytes(xlsx_bytes(good_rows))
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "import_schools", str(path), "--site-url", "https://profplan.example.ru", stdout=out
        )
    assert "Школ создано: 2" in out.getvalue()
    assert User.objects.filter(school__inn__in=[make_inn(1), make_inn(2)]).count() == 2
    assert all(
        link_in(m).startswith("https://profplan.example.ru/accounts/reset/") for m in mail.outbox
    )


def test_dry_run_writes_nothing(tmp_path, good_rows):
    path = tmp_path / "schools.xlsx"
    path.write_bytes(xlsx_bytes(good_rows))
    out = StringIO()
    call_command("import_schools", str(path), "--dry-run", stdout=out)
    assert "ничего не записано" in out.getvalue()
    assert not School.objects.filter(inn=make_inn(1)).exists()
    assert not mail.outbox


def test_cp1251_csv_with_commas_is_read(good_rows):
    data = csv_bytes(good_rows, delimiter=",", encoding="cp1251")
    run_import(data)
    assert School.objects.get(inn=make_inn(1)).full_name.endswith("школа № 1»")


def test_an_inn_that_lost_its_leading_zero_in_excel_is_restored(good_rows):
    inn = make_inn(1)
    row = school_row(1, **{"ИНН": int(inn)})  # as Excel keeps a number
    run_import(xlsx_bytes([row]), filename="schools.xlsx")
    assert School.objects.filter(inn=inn).exists()


def test_importing_the_same_list_again_updates_names_and_creates_nobody(
    good_rows, django_capture_on_commit_callbacks
):
    run_import(good_rows, capture=django_capture_on_commit_callbacks)
    mail.outbox.clear()
    renamed = [
        school_row(1, **{"краткое наименование": "МКОУ «СОШ № 1» г.о. Нальчик"}),
        good_rows[1],
    ]

    result = run_import(renamed, capture=django_capture_on_commit_callbacks)

    assert (len(result.schools_created), len(result.schools_updated)) == (0, 2)
    assert (len(result.users_created), len(result.users_existing)) == (0, 2)
    assert School.objects.get(inn=make_inn(1)).short_name == "МКОУ «СОШ № 1» г.о. Нальчик"
    assert School.objects.filter(inn__in=[make_inn(1), make_inn(2)]).count() == 2
    assert User.objects.filter(school__inn__in=[make_inn(1), make_inn(2)]).count() == 2
    assert not mail.outbox


def test_a_derived_login_taken_by_someone_else_gets_a_number(good_rows):
    UserFactory(username="ivanova.mp", email="other@example.org")
    run_import(good_rows)
    assert User.objects.get(school__inn=make_inn(2)).username == "ivanova.mp2"


def test_bad_rows_are_reported_one_by_one_and_nothing_is_imported(good_rows):
    UserFactory(username="taken", email="taken@example.org")
    bad = [
        good_rows[0],  # line 2: good
        school_row(3, **{"муниципалитет": "Нальчикк"}),  # line 3
        school_row(4, **{"ИНН": "0712345678"}),  # line 4: wrong checksum
        school_row(5, **{"e-mail заместителя": "не-почта", "логин": "taken"}),  # line 5
        school_row(1, **{"логин": "sosh1b", "e-mail заместителя": "z@example.org"}),  # line 6
        school_row(7, **{"ФИО заместителя": "", "краткое наименование": ""}),  # line 7
    ]
    with pytest.raises(ImportRejected) as rejected:
        run_import(bad)
    errors = rejected.value.errors
    assert errors == [
        "Строка 3: муниципалитет «Нальчикк» не найден (возможно, «Нальчик»?).",
        "Строка 4: ИНН «0712345678» неверен: у организации 10 цифр, последняя – контрольная.",
        "Строка 5: e-mail «не-почта» неверен; логин «taken» уже занят другим пользователем.",
        f"Строка 6: ИНН {make_inn(1)} уже встречался в строке 2.",
        "Строка 7: не заполнено «краткое наименование»; не заполнено «ФИО заместителя».",
    ]
    assert not School.objects.filter(inn=make_inn(1)).exists()
    assert not User.objects.filter(username="sosh1").exists()
    assert not mail.outbox


def test_an_e_mail_of_another_account_is_refused(good_rows):
    UserFactory(username="someone", email="ZAM1@school.example.org")
    with pytest.raises(ImportRejected) as rejected:
        run_import(good_rows)
    assert rejected.value.errors == [
        "Строка 2: e-mail zam1@school.example.org уже указан у другой учётной записи."
    ]


def test_a_missing_column_is_named(good_rows):
    header = [h for h in HEADER if h != "ИНН"]
    rows = [[v for h, v in zip(HEADER, row, strict=True) if h != "ИНН"] for row in good_rows]
    with pytest.raises(ImportFileError, match="Не найдены столбцы: «ИНН»"):
        read_rows(csv_bytes(rows, header=header), "schools.csv")


def test_an_existing_school_keeps_its_plans_and_staff(good_rows):
    school = SchoolFactory(inn=make_inn(1))
    run_import(good_rows[:1])
    school.refresh_from_db()
    assert school.short_name == "МКОУ СОШ № 1"
    assert User.objects.get(username="sosh1").school == school


# The admin page ----------------------------------------------------------------


def upload(client, data, name="schools.xlsx", dry_run=False):
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = {"file": SimpleUploadedFile(name, data)}
    if dry_run:
        form["dry_run"] = "on"
    return client.post(reverse("admin:accounts_user_import"), form)


def test_the_user_list_has_an_import_button(client, superuser):
    log_in(client, superuser)
    page = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert reverse("admin:accounts_user_import") in page
    assert client.get(reverse("admin:accounts_user_import")).status_code == 200


def test_admin_upload_checks_then_imports(
    client, superuser, good_rows, django_capture_on_commit_callbacks
):
    log_in(client, superuser)
    checked = upload(client, xlsx_bytes(good_rows), dry_run=True).content.decode()
    assert "Проверка прошла, ничего не записано" in checked
    assert "ivanova.mp" in checked
    assert not School.objects.filter(inn=make_inn(1)).exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = upload(client, xlsx_bytes(good_rows)).content.decode()
    assert "Школ создано: 2" in done
    # (Under the test's outer transaction the mail goes out when the block above
    # ends, after the page is drawn; in a real request it goes before.)
    assert len(mail.outbox) == 2
    assert link_in(mail.outbox[0]).startswith("http://testserver/accounts/reset/")


def test_admin_upload_shows_the_row_report(client, superuser, good_rows):
    log_in(client, superuser)
    page = upload(
        client, xlsx_bytes([good_rows[0], school_row(3, **{"муниципалитет": "Нальчикк"})])
    )
    text = page.content.decode()
    assert "Ничего не загружено" in text
    assert "Строка 3: муниципалитет «Нальчикк» не найден" in text
    assert not School.objects.filter(inn=make_inn(1)).exists()


def test_admin_upload_shows_why_a_file_is_refused(client, superuser):
    log_in(client, superuser)
    page = upload(client, b"MZ\x90\x00" + b"\x00" * 2000, name="schools.xlsx")
    assert "Файл не является книгой Excel (.xlsx)" in page.content.decode()


def test_staff_without_the_right_to_add_users_cannot_import(client, reviewer):
    log_in(client, reviewer)  # staff, but in no role group
    assert client.get(reverse("admin:accounts_user_import")).status_code == 403


def test_the_regional_centre_onboards_schools(client, reviewer):
    from accounts.roles import REGIONAL, ensure_roles

    reviewer.groups.add(ensure_roles()[REGIONAL])
    log_in(client, reviewer)
    assert client.get(reverse("admin:accounts_user_import")).status_code == 200


def test_the_password_link_can_be_sent_again(client, superuser, good_rows):
    run_import(good_rows[:1])
    mail.outbox.clear()
    deputy = User.objects.get(username="sosh1")
    log_in(client, superuser)
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "send_password_link", "_selected_action": [deputy.pk]},
    )
    assert [m.to for m in mail.outbox] == [["zam1@school.example.org"]]


def test_a_mail_server_that_is_down_does_not_undo_the_import(
    good_rows, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "tests.accounts.test_onboarding.BrokenBackend"
    result = run_import(good_rows, capture=django_capture_on_commit_callbacks)
    assert User.objects.filter(username="sosh1").exists()
    assert len(result.invitations_failed) == 2
    assert "Не отправлено: 2" in result.summary()


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down")


def test_command_reports_rows_and_fails(tmp_path, good_rows):
    path = tmp_path / "schools.csv"
    path.write_bytes(csv_bytes([school_row(3, **{"муниципалитет": "Нальчикк"})]))
    err = StringIO()
    with pytest.raises(CommandError, match="Ничего не загружено"):
        call_command("import_schools", str(path), stderr=err, stdout=StringIO())
    assert "Строка 2: муниципалитет «Нальчикк» не найден" in err.getvalue()
