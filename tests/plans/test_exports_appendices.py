"""Sections II (indicators with targets) and V (self-analysis) travel with the plan
into both exports."""

import io
from decimal import Decimal

import pdfplumber
import pytest
from openpyxl import load_workbook

from monitoring.models import Indicator, PlanIndicator, SelfAnalysis
from plans.documents.formats.pdf import plan_pdf
from plans.documents.formats.xlsx import plan_xlsx
from plans.models import Plan
from tests.monitoring.region import load_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan_with_appendices(plan):
    load_catalogue()
    indicator = Indicator.objects.filter(year=plan.year, source="entered").order_by("order").first()
    PlanIndicator.objects.create(
        plan=plan, indicator=indicator, baseline=Decimal("62.5"), target=Decimal(90)
    )
    analysis = SelfAnalysis.objects.create(
        plan=plan, results="Охват профминимумом – 100 % обучающихся 6–11 классов"
    )
    analysis.indicators.add(indicator)
    return Plan.objects.for_editor().get(pk=plan.pk), indicator


def test_pdf_carries_sections_two_and_five(plan_with_appendices):
    plan, indicator = plan_with_appendices
    with pdfplumber.open(io.BytesIO(plan_pdf(plan))) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    assert "К разделу II. Показатели оценки" in text
    assert "62,5" in text and "90" in text
    assert "К разделу V. Самоанализ" in text
    assert "Охват профминимумом – 100 % обучающихся 6–11 классов" in text.replace("\n", " ")


def test_excel_carries_sections_two_and_five(plan_with_appendices):
    plan, indicator = plan_with_appendices
    sheet = load_workbook(io.BytesIO(plan_xlsx(plan))).active
    values = [cell.value for row in sheet.iter_rows() for cell in row if cell.value]
    assert "К разделу II. Показатели оценки системы работы и их целевые значения" in values
    assert indicator.name in values and "62,5" in values
    assert "Охват профминимумом – 100 % обучающихся 6–11 классов" in values


def test_bundle_carries_the_appendices_without_further_queries(
    plan_with_appendices, django_assert_num_queries
):
    from plans.documents.formats.rows import plan_appendices

    plan, _ = plan_with_appendices
    with django_assert_num_queries(0):
        appendices = plan_appendices(plan)
    assert appendices.indicators[0][0] == "2.1." and appendices.analysis
