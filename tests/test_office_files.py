"""Office files that carry macros or embedded OLE objects are refused wherever they are
uploaded: as evidence on the execution page, as a plan (Word or Excel), as a list of
schools. The refusal is in Russian and names the file; nothing is kept. Old Word and
Excel files are told by their content: a real .doc and .xls are kept as evidence, a
text file or a program called «….doc» is not."""

import io
import zipfile
from datetime import date

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.onboarding import read_rows
from plans.documents.formats.xlsx import plan_xlsx
from plans.models import Evidence, Plan, PlanStatus, RowExecution, School, SchoolYear
from profplan.office_files import check_no_macros, legacy_office_kind
from profplan.uploads import UploadRefused
from tests import office_files as office
from tests.accounts.conftest import school_row, xlsx_bytes
from tests.factories import add_row
from tests.plans.imports.wordfiles import docx_bytes, seed_lines
from tests.signin import log_in
from tests.storage import empty_storage, stored_files  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_storage")]


def plain_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Приказ о проведении недели профориентации")
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def plain_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Класс", "Обучающихся"])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


HOSTILE = {
    "a Word 97 file with a VBA project": (lambda: office.word97(macros=True), "приказ.doc"),
    "an Excel 97 file with a VBA project": (lambda: office.excel97(macros=True), "отчёт.xls"),
    "an Excel 97 file with an Excel 4.0 macro sheet": (
        lambda: office.excel97(macro_sheet=True),
        "отчёт.xls",
    ),
    "a Word 97 file with an embedded program": (
        lambda: office.word97(embedded=True),
        "приказ.doc",
    ),
    "a macro document saved as .docx": (
        lambda: office.docm_as_docx(plain_docx()),
        "приказ.docx",
    ),
    "a .docx whose vbaProject.bin is renamed image1.png": (
        lambda: office.docx_with_renamed_macros(plain_docx()),
        "приказ.docx",
    ),
    "a macro workbook saved as .xlsx": (lambda: office.xlsm_as_xlsx(plain_xlsx()), "отчёт.xlsx"),
    "a .docx holding a macro workbook inside": (
        lambda: office.rezip(
            plain_docx(),
            add={
                "word/embeddings/Microsoft_Excel_Worksheet.xlsx": office.xlsm_as_xlsx(plain_xlsx())
            },
        ),
        "приказ.docx",
    ),
    "an OpenDocument text with a Basic library": (
        lambda: office.rezip(office.odt_bytes(), add={"Basic/Standard/Module1.xml": b"<module/>"}),
        "приказ.odt",
    ),
}


@pytest.mark.parametrize("label", HOSTILE)
def test_the_check_refuses_each_hostile_file_naming_it(label):
    make, name = HOSTILE[label]
    with pytest.raises(UploadRefused) as refused:
        check_no_macros(make(), name=f"папка/{name}")
    message = refused.value.message
    assert message.startswith(f"«{name}»: в файле есть ")
    assert "макрос" in message or "встроенный объект" in message
    assert "папка" not in message


@pytest.mark.parametrize(
    "data, kind",
    [
        (office.legacy("order.doc"), "doc"),
        (office.legacy("report.xls"), "xls"),
        (office.word97(), "doc"),
        (office.excel97(), "xls"),
        (office.compound_file({"Contents": b"x"}), None),  # OLE2, but neither Word nor Excel
        (office.vba_project(), None),
        (b"Just a text file that is called a .doc", None),
        (b"MZ\x90\x00" + b"\0" * 600, None),
    ],
    ids=["order.doc", "report.xls", "word97", "excel97", "ole-other", "vba", "text", "exe"],
)
def test_old_word_and_excel_are_told_by_their_streams(data, kind):
    assert legacy_office_kind(data) == kind


def test_plain_office_files_pass_the_check():
    for data in (
        plain_docx(),
        plain_xlsx(),
        office.legacy("order.doc"),
        office.legacy("report.xls"),
        office.odt_bytes(),
    ):
        check_no_macros(data, name="файл")


# --- Evidence on the execution page ------------------------------------------------------


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
    return row


def attach(client, row, data: bytes, name: str):
    upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return client.post(
        reverse("plans:execution-row", args=[row.plan_id, row.pk]),
        {"status": "done", "grades": ["6", "7"], "pupils": "48", "hours": "4", "files": [upload]},
    )


@pytest.mark.parametrize("label", HOSTILE)
def test_evidence_with_macros_is_refused_on_the_execution_page(
    client, deputy, show_row, label, django_capture_on_commit_callbacks
):
    make, name = HOSTILE[label]
    client.force_login(deputy)
    with django_capture_on_commit_callbacks(execute=True):
        response = attach(client, show_row, make(), name)
    assert response.status_code == 422
    page = response.content.decode()
    assert f"«{name}»: в файле есть " in page
    assert not Evidence.objects.exists() and not RowExecution.objects.exists()
    assert not [f for f in stored_files() if f.startswith("execution/")]


@pytest.mark.parametrize(
    "data, name",
    [
        (office.legacy("order.doc"), "приказ.doc"),
        (office.legacy("report.xls"), "отчёт.xls"),
    ],
    ids=["doc", "xls"],
)
def test_real_old_word_and_excel_files_are_kept(
    client, deputy, show_row, data, name, django_capture_on_commit_callbacks
):
    client.force_login(deputy)
    with django_capture_on_commit_callbacks(execute=True):
        assert attach(client, show_row, data, name).status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.name == name and evidence.extension == name.rsplit(".", 1)[1]
    with evidence.file.open("rb") as stored:
        assert stored.read() == data
    page = client.get(reverse("plans:execution", args=[show_row.plan_id])).content.decode()
    assert name in page


@pytest.mark.parametrize(
    "data, name",
    [
        (b"Just a text file that is called a .doc\n" * 20, "приказ.doc"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 600, "отчёт.xls"),  # a program
        (office.compound_file({"Contents": b"x"}), "приказ.doc"),  # OLE2, not Word
        (office.legacy("report.xls"), "приказ.doc"),  # Excel called .doc
    ],
    ids=["text", "program", "ole-other", "excel-as-doc"],
)
def test_a_file_called_doc_or_xls_that_is_not_one_is_refused(client, deputy, show_row, data, name):
    client.force_login(deputy)
    response = attach(client, show_row, data, name)
    assert response.status_code == 422
    assert f"«{name}»: можно прикрепить только файлы PDF" in response.content.decode()
    assert not Evidence.objects.exists()


# --- The plan imports: Word and Excel ---------------------------------------------------


WORD_PLAN = {
    "a Word 97 plan with a VBA project": (lambda: office.word97(macros=True), "план.doc"),
    "a macro plan saved as .docx": (
        lambda: office.docm_as_docx(docx_bytes(seed_lines())),
        "план.docx",
    ),
    "a .docx plan with a renamed vbaProject.bin": (
        lambda: office.docx_with_renamed_macros(docx_bytes(seed_lines())),
        "план.docx",
    ),
}


@pytest.mark.parametrize("label", WORD_PLAN)
def test_a_word_plan_with_macros_is_refused_on_the_import_page(client, deputy, label):
    make, name = WORD_PLAN[label]
    client.force_login(deputy)
    year = SchoolYear.objects.get(title="2023-2024")
    response = client.post(
        reverse("plans:import-docx"),
        {"file": SimpleUploadedFile(name, make()), "year": year.pk},
    )
    assert response.status_code == 200
    assert f"«{name}»: в файле есть " in response.content.decode()
    assert not Plan.objects.exists()


def test_the_admin_word_import_refuses_macros_too(client, reviewer, school):
    from accounts.roles import REGIONAL, ensure_roles

    reviewer.groups.add(ensure_roles()[REGIONAL])
    log_in(client, reviewer)
    url = reverse("admin:plans_plan_import")
    year = SchoolYear.objects.get(title="2023-2024")
    data = office.docx_with_renamed_macros(docx_bytes(seed_lines()))
    response = client.post(
        url,
        {"file": SimpleUploadedFile("план.docx", data), "year": year.pk, "school": school.pk},
    )
    assert "«план.docx»: в файле есть встроенный объект OLE" in response.content.decode()
    assert not Plan.objects.exists()


def test_an_excel_plan_with_macros_is_refused_on_its_import_page(client, deputy, plan):
    client.force_login(deputy)
    data = office.xlsm_as_xlsx(plan_xlsx(Plan.objects.for_editor().get(pk=plan.pk)))
    version = plan.version
    response = client.post(
        reverse("plans:import-xlsx", args=[plan.pk]),
        {"file": SimpleUploadedFile("план.xlsx", data)},
    )
    assert response.status_code == 200
    assert "«план.xlsx»: в файле есть макросы" in response.content.decode()
    plan.refresh_from_db()
    assert plan.version == version


# --- The list of schools ---------------------------------------------------------------


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: office.xlsm_as_xlsx(xlsx_bytes([school_row(1)])), "schools.xlsx"),
        (lambda: office.excel97(macros=True), "schools.xls"),
        (
            lambda: office.rezip(
                xlsx_bytes([school_row(1)]), add={"xl/media/a.png": office.vba_project()}
            ),
            "schools.xlsx",
        ),
    ],
)
def test_a_list_of_schools_with_macros_is_refused_on_the_import_page(client, superuser, make, name):
    log_in(client, superuser)
    response = client.post(
        reverse("admin:accounts_user_import"), {"file": SimpleUploadedFile(name, make())}
    )
    assert f"«{name}»: в файле есть " in response.content.decode()
    assert not School.objects.filter(short_name="МКОУ СОШ № 1", inn=school_row(1)[3]).exists()


def test_the_schools_command_refuses_macros_as_well():
    with pytest.raises(UploadRefused, match="«schools.xlsx»: в файле есть макросы"):
        read_rows(office.xlsm_as_xlsx(xlsx_bytes([school_row(1)])), "schools.xlsx")


def stored_zip(size: int) -> bytes:
    """A ZIP holding `size` zero bytes unpacked: it packs to almost nothing inside another."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("zeros.bin", b"\0" * size)
    return output.getvalue()


def test_nested_files_are_unpacked_within_one_budget(monkeypatch):
    """Each workbook inside a document is unpacked to be checked; a file of many, each
    small when packed, would otherwise make the check unpack gigabytes."""
    import profplan.office_files as office_check

    monkeypatch.setattr(office_check, "MAX_NESTED_TOTAL", 1024 * 1024)
    inner = stored_zip(400 * 1024)
    two = office.rezip(plain_docx(), add={f"word/embeddings/{n}.xlsx": inner for n in range(2)})
    check_no_macros(two, name="два.docx")  # 800 KB: within the budget
    three = office.rezip(plain_docx(), add={f"word/embeddings/{n}.xlsx": inner for n in range(3)})
    assert len(three) < 100 * 1024
    with pytest.raises(UploadRefused, match="«три.docx»: в файле есть встроенный объект"):
        check_no_macros(three, name="три.docx")
