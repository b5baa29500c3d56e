"""The plan's workbook prints readably from LibreOffice Calc: rows as tall as their
wrapped text, the table at the width of A4 landscape, the print at full scale."""

import io
import shutil
import subprocess

import pdfplumber
import pytest
from openpyxl import load_workbook

from plans.documents.formats.layout import text_lines
from plans.documents.formats.xlsx import WIDTHS, plan_xlsx
from plans.models import Plan
from tests.plans.export_data import fill_rows

pytestmark = pytest.mark.django_db

SOFFICE = shutil.which("soffice")
LONG_RESULT = "Проведено мероприятие, итоги обсуждены на педагогическом совете школы. " * 3


def workbook_of(plan, rows: int):
    fill_rows(plan, rows, results=LONG_RESULT, documents="Письмо\nМинпросвещения\nРоссии")
    return plan_xlsx(Plan.objects.for_editor().get(pk=plan.pk))


def test_every_row_is_as_tall_as_its_wrapped_text(plan):
    sheet = load_workbook(io.BytesIO(workbook_of(plan, 20))).active

    heights = {}
    for row in sheet.iter_rows():
        first = row[0]
        if isinstance(first.value, str) and first.value.startswith("3.") and row[6].value:
            heights[first.value] = sheet.row_dimensions[first.row].height
    assert heights
    # The result column wraps onto several lines, the documents have three of their own.
    lines = max(text_lines(LONG_RESULT.strip(), WIDTHS[6] * 5 / 5.2), 3)
    assert all(height >= lines * 10 * 1.2 for height in heights.values()), heights
    # The table fits A4 landscape less the margins: 784 pt at 5 pt a width.
    assert sum(WIDTHS) * 5 <= 784


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_prints_a_300_row_plan_on_many_readable_pages(plan, tmp_path):
    (tmp_path / "plan.xlsx").write_bytes(workbook_of(plan, 300))

    subprocess.run(
        [
            SOFFICE,
            # A profile of its own: another soffice running on the machine cannot lock it.
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "plan.xlsx"),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )

    with pdfplumber.open(tmp_path / "plan.pdf") as document:
        pages = document.pages
        text = " ".join(" ".join((page.extract_text() or "").split()) for page in pages)
        sizes = [char["size"] for page in pages for char in page.chars]
        assert len(pages) >= 20, "the plan shrank onto a few pages of tiny print"
        # Printed at 80 % or more of its 10 pt.
        assert min(sizes) >= 8
        # The header repeats on every page.
        assert all("Направления деятельности" in (page.extract_text() or "") for page in pages)
    for number in (1, 150, 300):
        assert f"Мероприятие № {number}: экскурсия на предприятие" in text
    # No wrapped cell runs into the row below (Calc clips it there): every word of
    # each is printed.
    assert text.count("педагогическом") == 3 * 300
