"""The plan as a Word document: read back with python-docx, and opened in LibreOffice."""

import io
import shutil
import subprocess
import zipfile
from datetime import datetime
from decimal import Decimal
from urllib.parse import quote

import docx
import pdfplumber
import pytest
from django.urls import reverse
from django.utils import timezone
from docx.oxml.ns import qn
from docx.shared import Mm
from pypdf import PdfReader

from accounts.roles import REGIONAL, ensure_roles
from monitoring.models import Indicator, PlanIndicator, SelfAnalysis
from plans.documents.formats.docx import plan_docx
from plans.documents.formats.rows import signature_name, table_rows
from plans.models import Municipality, Plan, PlanRow, PlanStatus
from tests.factories import UserFactory, add_row, make_plan
from tests.monitoring.region import load_catalogue
from tests.plans.export_data import fill_rows
from tests.plans.test_export_views import EXPORT_QUERIES
from tests.signin import log_in

pytestmark = pytest.mark.django_db

# Line 46 of the seed, word for word: no space before the slash in column 2.
SEED_HEADER = [
    "№ п/п",
    "Направления деятельности/ мероприятия",
    "Сроки",
    "Ответственные, исполнители",
    "Документы для ознакомления и учёта при планировании",
    "Ссылки на документ",
    "Результаты деятельности",
]
HOSTILE = "=1+1\x0b<script>alert(1)</script>\x01 & «ок»\nвторая строка"


def fresh(plan):
    return Plan.objects.for_editor().get(pk=plan.pk)


def read(data: bytes):
    return docx.Document(io.BytesIO(data))


def tr_cells(tr) -> list:
    return tr.findall(qn("w:tc"))


def tc_text(tc) -> str:
    """A cell's text as Word shows it: paragraphs and line breaks as new lines."""
    return "\n".join(docx.text.paragraph.Paragraph(p, None).text for p in tc.findall(qn("w:p")))


def parts_text(data: bytes) -> str:
    """Every XML part of the package, unzipped."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return "".join(package.read(name).decode() for name in package.namelist())


def plan_table(document):
    return document.tables[0]._tbl


def body_rows(document) -> list:
    return plan_table(document).findall(qn("w:tr"))[2:]


def has(element, path: str) -> bool:
    return (
        element.find(path, {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"})
        is not None
    )


def test_every_number_and_activity_in_order_as_table_rows_gives_them(plan):
    add_row(plan, "3.4.12.1.", activity="Урок «Шоу профессий»", hours=4, grades=(6, 7))
    add_row(plan, "3.4.14.7", activity="Профильный класс: инженерный", hours=34, grades=(10,))
    plan = fresh(plan)
    expected = list(table_rows(plan))

    document = read(plan_docx(plan))

    printed = []
    for tr in body_rows(document):
        cells = [tc_text(tc) for tc in tr_cells(tr)]
        printed.append(cells[0] if len(cells) == 1 else (cells[0], cells[1]))
    assert printed == [
        f"{row.number} {row.activity}".strip()
        if row.spans
        else (row.number, "\n".join(filter(None, (row.activity, row.load_text))))
        for row in expected
    ]
    assert ("3.4.12.1.1.", "Урок «Шоу профессий»\n4 ч; 6, 7 кл.") in printed
    lesson = next(tr for tr in body_rows(document) if tc_text(tr_cells(tr)[0]) == "3.4.12.1.1.")
    assert [tc_text(tc) for tc in tr_cells(lesson)][2:] == list(
        next(row for row in expected if row.number == "3.4.12.1.1.").columns[2:]
    )


def test_header_has_the_seeds_words_and_numbers_and_repeats_on_every_page(plan):
    document = read(plan_docx(fresh(plan)))

    header, numbers, first, *_ = plan_table(document).findall(qn("w:tr"))
    assert [tc_text(tc) for tc in tr_cells(header)] == SEED_HEADER
    assert [tc_text(tc) for tc in tr_cells(numbers)] == ["1", "2", "3", "4", "5", "6", "7"]
    assert has(header, "w:trPr/w:tblHeader") and has(numbers, "w:trPr/w:tblHeader")
    assert not has(first, "w:trPr/w:tblHeader")
    assert all(has(tc, "w:p/w:r/w:rPr/w:b") for tc in tr_cells(header))
    assert "Таблица 1" in [p.text for p in document.paragraphs]


def test_section_and_heading_rows_are_one_bold_cell_across_kept_with_the_next_row(plan):
    plan = fresh(plan)
    rows = list(table_rows(plan))
    document = read(plan_docx(plan))

    for row, tr in zip(rows, body_rows(document), strict=True):
        cells = tr_cells(tr)
        assert has(tr, "w:trPr/w:cantSplit")  # no row of the seed is taller than a page
        if row.spans:
            assert len(cells) == 1
            assert cells[0].find(qn("w:tcPr")).find(qn("w:gridSpan")).get(qn("w:val")) == "7"
            assert has(cells[0], "w:p/w:pPr/w:keepNext")
            assert has(cells[0], "w:p/w:r/w:rPr/w:b")
        else:
            assert len(cells) == 7
            assert not has(cells[0], "w:p/w:pPr/w:keepNext")
    assert sum(row.spans for row in rows) > 20


def test_a_row_taller_than_a_page_may_split_the_others_may_not(plan):
    add_row(plan, "I.", activity="Очень длинное описание мероприятия. " * 200)
    plan = fresh(plan)
    document = read(plan_docx(plan))

    tall = [tr for tr in body_rows(document) if not has(tr, "w:trPr/w:cantSplit")]
    assert len(tall) == 1 and tc_text(tr_cells(tall[0])[1]).startswith("Очень длинное")


def test_page_is_a4_landscape_with_fixed_column_widths_and_a_serif_font(plan):
    document = read(plan_docx(fresh(plan)))

    section = document.sections[0]
    assert section.orientation == docx.enum.section.WD_ORIENT.LANDSCAPE
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)
    table = plan_table(document)
    assert table.find(qn("w:tblPr")).find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    widths = [int(col.get(qn("w:w"))) for col in table.find(qn("w:tblGrid"))]
    body = section.page_width - section.left_margin - section.right_margin
    assert abs(sum(widths) * 635 - body) < Mm(1)  # 635 EMU to a twentieth of a point
    assert widths[1] == max(widths) and widths[0] == min(widths)
    assert document.styles["Normal"].font.name == "Times New Roman"
    defaults = document.styles.element.find(qn("w:docDefaults"))
    assert defaults.find(".//" + qn("w:rFonts")).get(qn("w:ascii")) == "Times New Roman"


def test_footer_numbers_the_pages_with_word_fields(plan):
    document = read(plan_docx(fresh(plan)))

    footer = document.sections[0].footer
    assert footer.paragraphs[0].text.startswith("стр. ")
    fields = [text.text.strip() for text in footer._element.iter(qn("w:instrText"))]
    assert fields == ["PAGE", "NUMPAGES"]


def test_approval_block_signs_with_initials_and_surname(plan):
    plan.school.director_name = "Петрова Анна Ивановна"
    plan.school.save()
    texts = [p.text for p in read(plan_docx(fresh(plan))).paragraphs]

    assert texts[0] == "УТВЕРЖДАЮ"
    assert texts[1] == f"Директор {plan.school.short_name}"
    assert texts[2].endswith(" А.И. Петрова") and texts[2].startswith("____")
    assert texts[3] == "«___» ____________ 20__ г."  # the PDF's blank, to the character
    assert plan.school.full_name in texts and "на 2023-2024 учебный год" in texts


def test_an_approved_plan_prints_its_date_of_approval(plan):
    from datetime import datetime

    from django.utils import timezone

    Plan.objects.filter(pk=plan.pk).update(
        status="approved", approved_at=timezone.make_aware(datetime(2023, 10, 5, 12))
    )
    texts = [p.text for p in read(plan_docx(fresh(plan))).paragraphs]
    assert texts[3] == "«05» октября 2023 г."


def test_without_a_director_name_the_signature_line_is_blank(plan):
    plan.school.director_name = ""
    plan.school.save()
    texts = [p.text for p in read(plan_docx(fresh(plan))).paragraphs]
    assert texts[2] == "_" * 16 + " " + "_" * 16


@pytest.mark.parametrize(
    ("full", "signed"),
    [
        ("Петрова Анна Ивановна", "А.И. Петрова"),
        ("Петрова А. И.", "А.И. Петрова"),
        ("Петрова А.И.", "А.И. Петрова"),
        ("  Петрова  Анна ", "А. Петрова"),
        ("Петрова", "Петрова"),
        ("", ""),
    ],
)
def test_signature_name(full, signed):
    assert signature_name(full) == signed


def all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [tc_text(tc) for table in document.tables for tc in table._tbl.iter(qn("w:tc"))]
    return "\n".join(parts)


def test_a_draft_carries_one_project_mark_in_the_header_margin(plan):
    document = read(plan_docx(fresh(plan)))

    header = document.sections[0].header
    assert [p.text for p in header.paragraphs] == ["ПРОЕКТ"]
    assert "ПРОЕКТ" not in all_text(document)
    section = document.sections[0]
    assert section.header_distance + Mm(10) <= section.top_margin  # room for the box


def test_an_approved_plan_carries_no_project_mark(plan):
    Plan.objects.filter(pk=plan.pk).update(
        status=PlanStatus.APPROVED, approved_at=timezone.make_aware(datetime(2023, 9, 1))
    )
    data = plan_docx(fresh(plan))

    assert "ПРОЕКТ" not in parts_text(data)  # not in any part, header included
    document = read(data)
    assert "ПРОЕКТ" not in all_text(document)
    assert not any(p.text for p in document.sections[0].header.paragraphs)


@pytest.fixture
def plan_with_appendices(plan):
    load_catalogue()
    indicator = Indicator.objects.filter(year=plan.year, source="entered").order_by("order").first()
    PlanIndicator.objects.create(
        plan=plan, indicator=indicator, baseline=Decimal("62.5"), target=Decimal(90)
    )
    SelfAnalysis.objects.create(
        plan=plan, results="Охват профминимумом – 100 % обучающихся\n6–11 классов"
    )
    return fresh(plan), indicator


def test_sections_two_and_five_follow_table_one(plan_with_appendices):
    plan, indicator = plan_with_appendices
    document = read(plan_docx(plan))

    texts = [p.text for p in document.paragraphs]
    assert "К разделу II. Показатели оценки системы работы и их целевые значения" in texts
    assert "К разделу V. Самоанализ профориентационной деятельности" in texts
    indicators = document.tables[1]
    assert [c.text for c in indicators.rows[0].cells] == [
        "№",
        "Показатель",
        "Ед. изм.",
        "Исходное значение",
        "Целевое значение",
    ]
    number, name, _, baseline, target = [c.text for c in indicators.rows[1].cells]
    assert (number, name, baseline, target) == ("2.1.", indicator.name, "62,5", "90")
    widths = [int(col.get(qn("w:w"))) for col in indicators._tbl.find(qn("w:tblGrid"))]
    assert widths[0] * 5 < widths[1]  # «№» narrow, «Показатель» wide
    analysis = next(p for p in document.paragraphs if "Охват профминимумом" in p.text)
    assert analysis.text.endswith("Охват профминимумом – 100 % обучающихся\n6–11 классов")
    assert analysis.runs[0].bold


def test_text_from_schools_stays_text_without_characters_xml_refuses(plan):
    add_row(plan, "I.", activity=HOSTILE, results="\tотступ")
    plan.school.full_name = '<b>Школа</b> =HYPERLINK("x")\x0c'
    plan.school.save()

    data = plan_docx(fresh(plan))

    xml = parts_text(data)
    assert "<script>" not in xml and "&lt;script&gt;" in xml
    document = read(data)
    row = next(tr_cells(tr) for tr in body_rows(document) if "script" in "".join(tr.itertext()))
    assert tc_text(row[1]) == "=1+1<script>alert(1)</script> & «ок»\nвторая строка"
    assert has(row[1], "w:p/w:r/w:br")  # a line break, not a new cell or paragraph
    assert tc_text(row[6]) == "\tотступ"
    assert '<b>Школа</b> =HYPERLINK("x")' in [p.text for p in document.paragraphs]


def test_docx_export_reads_nothing_but_the_bundle(plan, django_assert_num_queries):
    PlanRow.objects.filter(plan=plan).update(activity="Мероприятие")
    plan = fresh(plan)
    with django_assert_num_queries(0):
        plan_docx(plan)


# The view.


def url(plan):
    return reverse("plans:export-docx", args=[plan.pk])


def test_deputy_downloads_the_plan_as_word_with_a_russian_file_name(client, deputy, plan, download):
    client.force_login(deputy)
    response = download(url(plan))

    assert url(plan) == f"/plans/{plan.pk}/export.docx"
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    name = f"План_профориентации_МКОУ_СОШ_{plan.school.short_name.split()[-1]}_2023-2024.docx"
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"profplan.docx\"; filename*=utf-8''{quote(name)}"
    )
    assert read(response.content).tables[0].rows[0].cells[1].text == SEED_HEADER[1]


def test_another_school_gets_404_and_a_coordinator_sees_own_municipality_only(
    client, other_deputy, coordinator, plan, download
):
    client.force_login(other_deputy)
    assert client.get(url(plan)).status_code == 404

    client.force_login(coordinator)
    assert download(url(plan)).status_code == 200
    elsewhere = Municipality.objects.exclude(pk=plan.school.municipality_id).first()
    client.force_login(UserFactory(username="coordinator2", municipality=elsewhere))
    assert client.get(url(plan)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, plan):
    response = client.get(url(plan))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_docx_queries_do_not_grow_with_rows(
    client, plan, other_school, django_assert_num_queries, download
):
    big = make_plan(other_school)
    fill_rows(big, 300)
    log_in(client, UserFactory(username="reader", is_staff=True))
    for target in (plan, big):
        download(url(target))  # rendered once by the worker
        with django_assert_num_queries(EXPORT_QUERIES):
            assert client.get(url(target)).status_code == 200


def test_editor_and_review_pages_offer_the_word_download(client, deputy, reviewer, plan):
    link = f'href="{url(plan)}"'
    client.force_login(deputy)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert link in page and "Word (DOCX)" in page

    reviewer.groups.add(ensure_roles()[REGIONAL])
    log_in(client, reviewer)
    page = client.get(reverse("admin:plans_plan_review", args=[plan.pk])).content.decode()
    assert link in page


# Opened by an office suite: LibreOffice converts it to PDF, and the text reads back.


def soffice_pdf(data: bytes, tmp_path) -> bytes:
    source = tmp_path / "plan.docx"
    source.write_bytes(data)
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return (tmp_path / "plan.pdf").read_bytes()


@pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui",
)
def test_libreoffice_opens_it_and_prints_every_row_with_no_heading_left_at_a_page_bottom(
    plan, tmp_path
):
    fill_rows(plan, 200)
    for code in ("I.", "II.", "3.3.", "3.4."):  # rows of 10–15 lines, that could split
        add_row(plan, code, activity="Профессиональная проба на предприятии. " * 12)
    plan = fresh(plan)
    rows = list(table_rows(plan))

    pdf = soffice_pdf(plan_docx(plan), tmp_path)

    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    squeezed = "".join(text.split())
    for row in rows:
        assert row.number in text
        assert "".join(row.activity.split()) in squeezed
    assert len(reader.pages) > 3
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height
    assert f"стр. 2 из {len(reader.pages)}" in reader.pages[1].extract_text()
    fonts = {str(font["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}
    assert any("LiberationSerif" in font or "TimesNewRoman" in font for font in fonts), fonts

    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages[:-1], start=1):
            table_rows_on_page = [
                row for table in page.extract_tables() for row in table if any(row[:7])
            ]
            last = table_rows_on_page[-1]
            # A merged section or heading cell reads back with None in column 2.
            assert last[1] is not None, f"page {number} ends with the heading {last[0]!r}"
            # Under the repeated header, a page starts with a row of its own, not the
            # rest of a row split from the page before (that has no number).
            first = document.pages[number].extract_tables()[0][2]
            assert first[0], f"page {number + 1} starts with the end of a split row"
