"""The regional template as a document: the preamble and Table 1, as the seed has them."""

import io
import re

import docx
import pytest
from django.core.management import call_command
from django.urls import reverse
from docx.table import Table
from docx.text.paragraph import Paragraph

from plans.documents.queue import render_template_bytes, template_document
from plans.models import Document, DocumentKind, DocumentStatus, TemplateBlock, TemplateItem
from tests.seed import seed_document
from tests.signin import log_in

pytestmark = pytest.mark.django_db


def docx_document(data: bytes) -> list[tuple[str, str]]:
    """The body of a DOCX in order: ("p", paragraph text) and ("row", the texts of a
    row's cells joined by a space; a merged cell counted once). Empty paragraphs and
    rows without a number in column 1 are left out, as the seed's reader does."""
    document = docx.Document(io.BytesIO(data))
    out = []
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(element, document).text
            if text.strip():
                out.append(("p", text))
        elif tag == "tbl":
            for row in Table(element, document).rows:
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        cells.append(cell.text.strip())
                if cells[0]:
                    out.append(("row", " ".join(cell for cell in cells if cell)))
    return out


def squeeze(text: str) -> str:
    """Only whitespace may differ."""
    return re.sub(r"\s+", "", text)


def test_the_template_docx_reads_as_the_seed_paragraph_by_paragraph_and_row_by_row(year):
    seed = seed_document()
    generated = docx_document(render_template_bytes(year, "docx"))

    assert [(kind, squeeze(text)) for kind, text in generated] == [
        (kind, squeeze(text)) for kind, text in seed
    ]
    # What the comparison walks: the whole preamble and all 80 numbered lines.
    assert sum(kind == "row" for kind, _ in seed) == 2 + 80
    assert ("p", "Таблица 1") in seed
    assert any(text.startswith("¹ Профориентационный минимум") for _, text in seed)


def test_the_template_keeps_the_seeds_quirks(year):
    generated = dict(
        (text.split(" ", 1)[0], text)
        for kind, text in docx_document(render_template_bytes(year, "docx"))
        if kind == "row"
    )
    assert generated["3.2."] == "3.2."  # the empty title of 3.2
    assert generated["3.4.9."] == "3.4.9. –"
    assert generated["3.4.13"].startswith("3.4.13 Реализация")  # no final dot
    assert generated["3.4.14.5"] == "3.4.14.5 ПРОФОБУЧЕНИЕ"


def test_the_footnote_term_is_bold_and_the_steps_are_a_bulleted_list(year):
    document = docx.Document(io.BytesIO(render_template_bytes(year, "docx")))
    footnote = next(p for p in document.paragraphs if p.text.startswith("¹"))
    assert [run.text for run in footnote.runs if run.bold] == ["Профориентационный минимум"]
    steps = [p for p in document.paragraphs if p.style.name == "Шаг управленческого цикла"]
    assert len(steps) == 7
    assert steps[0].style.base_style.name == "List Bullet"


def test_the_preamble_is_data_of_the_year(year):
    kinds = list(TemplateBlock.objects.filter(year=year).values_list("kind", flat=True))
    assert kinds.count("document") == 4
    assert kinds.count("cycle_step") == 7
    assert kinds.count("footnote") == 1
    assert kinds[-2:] == ["table_label", "caption"]


def test_the_template_pdf_prints_the_preamble_and_every_line(year):
    import pdfplumber

    data = render_template_bytes(year, "pdf")
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = squeeze("".join(page.extract_text() or "" for page in pdf.pages))
    for kind, line in seed_document():
        if kind == "p":
            assert squeeze(line)[:60] in text, line
    for item in TemplateItem.objects.filter(year=year):
        assert squeeze(f"{item.code}") in text


def test_export_template_command_writes_the_same_docx(year, tmp_path):
    output = tmp_path / "template.docx"
    call_command("export_template", year="2023-2024", format="docx", output=str(output))
    assert docx_document(output.read_bytes()) == docx_document(render_template_bytes(year, "docx"))


def test_export_template_command_refuses_an_unknown_year(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Учебного года «2099-2100» нет"):
        call_command("export_template", year="2099-2100", format="pdf", output=str(tmp_path / "x"))


def test_the_centre_downloads_the_template_through_the_worker(client, reviewer, year):
    from plans.documents.queue import document_render

    log_in(client, reviewer)
    url = reverse("plans:template-export-docx", args=[year.pk])
    offer = client.get(url).content.decode()  # the button; nothing queued by a GET
    assert "Примерный план (Word)" in offer and "Сформировать</button>" in offer
    assert not Document.objects.filter(kind=DocumentKind.TEMPLATE_DOCX).exists()
    response = client.post(url)
    document = Document.objects.get(kind=DocumentKind.TEMPLATE_DOCX, year=year)
    assert response.status_code == 302 and response["Location"] == document.get_absolute_url()
    document_render(document_id=document.pk)
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY
    download = client.get(reverse("plans:template-export-docx", args=[year.pk]))
    assert download.status_code == 200
    assert "filename*=utf-8''%D0%9F%D1%80%D0%B8%D0%BC" in download["Content-Disposition"]
    data = b"".join(download.streaming_content)
    assert docx_document(data) == docx_document(render_template_bytes(year, "docx"))


def test_an_edit_of_the_template_is_a_new_document(reviewer, year):
    first = template_document(year=year, fmt="pdf", by=reviewer)
    block = TemplateBlock.objects.filter(year=year, kind="paragraph").first()
    block.text += " Дополнено."
    block.save()
    year.refresh_from_db()
    assert template_document(year=year, fmt="pdf", by=reviewer).key != first.key


@pytest.mark.parametrize("role", ["deputy", "coordinator"])
def test_schools_and_coordinators_cannot_download_the_template(client, request, role, year):
    log_in(client, request.getfixturevalue(role))
    assert client.get(reverse("plans:template-export-pdf", args=[year.pk])).status_code == 403
