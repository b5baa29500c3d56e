"""The Word import as people use it: upload, read the preview, apply; on the home page
for the school, in the admin for a chosen school. Hostile and wrong files get a
Russian message; another school finds nothing."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans.models import Plan, PlanStatus
from profplan.uploads import OLE2_SIGNATURE
from tests.signin import log_in

from .wordfiles import Span, docx_bytes, seed_lines

pytestmark = pytest.mark.django_db


def upload(data: bytes, name: str = "план.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def word():
    return docx_bytes(
        seed_lines(
            fill={
                "3.2.1.": ["Экскурсия на завод <script>alert(1)</script>", "октябрь", "Директор"],
            },
            after={"III.": [["3.8.1.", "Строка без места"]]},
        )
    )


def post_file(client, data, name="план.docx", year=None):
    from plans.models import SchoolYear

    year = year or SchoolYear.objects.get(title="2023-2024")
    return client.post(reverse("plans:import-docx"), {"file": upload(data, name), "year": year.pk})


def test_upload_preview_apply(client, deputy, word):
    client.force_login(deputy)
    home = client.get(reverse("plans:home")).content.decode()
    assert reverse("plans:import-docx") in home

    response = post_file(client, word)
    assert response.status_code == 302
    preview = client.get(response["Location"])
    page = preview.content.decode()
    assert "Что будет создано" in page
    # Text from the file is escaped, never HTML.
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert "Строка без места" in page and "пункта 3.8. нет" in page
    assert not Plan.objects.filter(school=deputy.school).exists()

    applied = client.post(response["Location"])
    plan = Plan.objects.get(school=deputy.school)
    assert applied.status_code == 302 and applied["Location"] == plan.get_absolute_url()
    assert plan.status == PlanStatus.DRAFT
    assert plan.rows.filter(activity__startswith="Экскурсия на завод").exists()
    editor = client.get(plan.get_absolute_url()).content.decode()
    assert "Экскурсия на завод" in editor
    # The preview is gone once applied.
    assert client.get(response["Location"]).status_code == 404


def test_an_existing_draft_is_replaced_only_after_the_warning(client, deputy, plan, word):
    client.force_login(deputy)
    preview_url = post_file(client, word)["Location"]
    page = client.get(preview_url).content.decode()
    assert "уже есть план" in page and "будут удалены" in page

    response = client.post(preview_url, {"version": plan.version}, follow=True)
    assert "отметьте «Заменить строки черновика»" in response.content.decode()
    assert not plan.rows.filter(activity__startswith="Экскурсия на завод").exists()

    client.post(preview_url, {"version": plan.version, "replace": "1"})
    assert plan.rows.filter(activity__startswith="Экскурсия на завод").exists()


def test_another_school_finds_nothing(client, deputy, other_deputy, coordinator, word):
    client.force_login(deputy)
    preview_url = post_file(client, word)["Location"]
    for user in (other_deputy, coordinator):
        log_in(client, user)
        assert client.get(preview_url).status_code == 404
        assert client.post(preview_url, {"replace": "1"}).status_code == 404
    assert not Plan.objects.exists()
    client.force_login(coordinator)
    assert client.get(reverse("plans:import-docx")).status_code == 403


def zip_with(data: bytes, add: dict[str, bytes] | None = None, replace: dict | None = None):
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = (replace or {}).get(entry.filename, source.read(entry))
            target.writestr(entry, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return output.getvalue()


def bomb(data: bytes) -> bytes:
    output = io.BytesIO(zip_with(data))
    with zipfile.ZipFile(output, "a", zipfile.ZIP_DEFLATED) as target:
        target.writestr("word/media/zeros.bin", b"\0" * (30 * 1024 * 1024))
    return output.getvalue()


def xlsx_file() -> bytes:
    import openpyxl

    output = io.BytesIO()
    openpyxl.Workbook().save(output)
    return output.getvalue()


def entity(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        document = source.read("word/document.xml").decode()
    laughs = '<!DOCTYPE d [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
    document = document.replace("?>", "?>" + laughs, 1)
    return zip_with(data, replace={"word/document.xml": document.encode()})


def encrypted(data: bytes) -> bytes:
    raw = bytearray(data)
    # Set the "encrypted" flag (bit 0) in every central directory entry.
    start = raw.find(b"PK\x01\x02")
    while start != -1:
        raw[start + 8] |= 0x1
        start = raw.find(b"PK\x01\x02", start + 4)
    return bytes(raw)


@pytest.mark.parametrize(
    "make, name, words",
    [
        (lambda w: xlsx_file(), "план.docx", "Похоже, это книга Excel"),
        (lambda w: b"just text, not a zip", "план.docx", "с изменённым расширением"),
        (lambda w: OLE2_SIGNATURE + b"\0" * 4096, "план.docx", "защищён паролем"),
        (lambda w: w, "план.doc", "Старый формат Word (.doc)"),
        (lambda w: w, "план.docm", "с макросами"),
        (lambda w: zip_with(w, add={"word/vbaProject.bin": b"\0" * 64}), "план.docx", "макросы"),
        (entity, "план.docx", "недопустимые конструкции XML"),
        (encrypted, "план.docx", "зашифрован"),
        (bomb, "план.docx", "сжат подозрительно сильно"),
        (lambda w: w + b"\0" * (11 * 1024 * 1024), "план.docx", "Файл больше 10 МБ"),
    ],
)
def test_refused_files_get_a_russian_message(client, deputy, word, make, name, words):
    client.force_login(deputy)
    response = post_file(client, make(word), name)
    assert response.status_code == 200
    assert words in response.content.decode()
    assert not Plan.objects.exists()


def test_a_document_without_table_1(client, deputy):
    import docx

    document = docx.Document()
    document.add_paragraph("Пояснительная записка")
    output = io.BytesIO()
    document.save(output)
    client.force_login(deputy)
    response = post_file(client, output.getvalue())
    assert "В документе нет таблиц" in response.content.decode()


def test_the_regional_centre_imports_for_a_chosen_school_in_the_admin(
    client, reviewer, school, word
):
    from accounts.roles import REGIONAL, ensure_roles
    from plans.models import SchoolYear

    reviewer.groups.add(ensure_roles()[REGIONAL])
    log_in(client, reviewer)
    changelist = client.get(reverse("admin:plans_plan_changelist")).content.decode()
    assert reverse("admin:plans_plan_import") in changelist
    assert client.get(reverse("admin:plans_plan_import")).status_code == 200
    response = client.post(
        reverse("admin:plans_plan_import"),
        {
            "school": school.pk,
            "year": SchoolYear.objects.get(title="2023-2024").pk,
            "file": upload(word),
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Строка без места" in page and school.short_name in page
    applied = client.post(response["Location"])
    plan = Plan.objects.get(school=school)
    assert applied["Location"] == reverse("admin:plans_plan_change", args=[plan.pk])


def test_the_school_cannot_use_the_admin_import(client, deputy):
    client.force_login(deputy)
    response = client.get(reverse("admin:plans_plan_import"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_bare_seed_section_list(client, deputy):
    client.force_login(deputy)
    response = post_file(client, docx_bytes([Span("I. Постановка целей"), ["1.1.", "Цель"]]))
    assert response.status_code == 302
