"""Section V writes itself: the school opens an empty self-analysis of an approved plan
prefilled with a draft from the execution, edits it and saves it; the saved text then
prints in the plan's PDF, Word and Excel and goes into the region archive."""

import html
import io
import re
import zipfile
from datetime import date

import docx
import pdfplumber
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from monitoring.models import PlanIndicator, Recommendation, Report, ReportValue, SelfAnalysis
from plans.models import Document, Plan, PlanStatus
from plans.services import row_execution_record
from tests.factories import add_row
from tests.signin import log_in

pytestmark = pytest.mark.django_db

NOTICE = "Черновик составлен по отметкам об исполнении — проверьте и дополните"


def approve(plan):
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED)
    plan.refresh_from_db()
    return plan


def mark(plan, activity, by, **data):
    row = plan.rows.get(activity=activity)
    return row_execution_record(row=row, by=by, data=data)


@pytest.fixture
def approved(plan, deputy, catalogue):
    add_row(plan, "3.4.", activity="Экскурсия на завод", grades=(9,))
    add_row(plan, "3.4.", activity="Экскурсия в музей", grades=(7,))
    add_row(plan, "3.4.", activity="Родительское собрание", grades=(9,))
    add_row(plan, "3.4.13.1.", activity="Урок профессий", hours=30, grades=(8, 9))
    add_row(plan, "3.4.13.2.", activity="Россия – мои горизонты", hours=34, grades=(8, 9))
    plan = approve(plan)
    mark(plan, "Экскурсия на завод", deputy, status="done", pupils=25)
    mark(plan, "Экскурсия в музей", deputy, status="not_done", result="Не выделен автобус")
    mark(plan, "Родительское собрание", deputy, status="moved", moved_to=date(2024, 5, 20))
    mark(plan, "Урок профессий", deputy, status="done", hours=12, grades=(9,))
    PlanIndicator.objects.create(plan=plan, indicator=catalogue["excursions"], target=3)
    return plan


@pytest.fixture
def recommendations(approved, campaign, reviewer):
    """One answered, one the school has not opened yet."""
    return [
        Recommendation.objects.create(
            school=approved.school,
            campaign=campaign,
            text="Провести профпробы для 8 классов",
            created_by=reviewer,
            acknowledged_at=timezone.now(),
            answer="Проведены две профпробы в колледже",
            answered_at=timezone.now(),
        ),
        Recommendation.objects.create(
            school=approved.school,
            campaign=campaign,
            text="Пригласить родителей на экскурсии",
            created_by=reviewer,
        ),
    ]


def textarea(page: str, name: str) -> str:
    match = re.search(rf'<textarea name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    return html.unescape(match.group(1)).strip()


def open_page(client, user, plan) -> str:
    log_in(client, user)
    response = client.get(reverse("monitoring:self-analysis", args=[plan.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_school_opens_section_five_prefilled_with_a_draft(
    client, deputy, approved, recommendations
):
    page = open_page(client, deputy, approved)
    assert NOTICE in page
    results = textarea(page, "results")
    # Five rows of the school and the five fixed activities of sections IV and V.
    assert "строк с мероприятиями – 10; выполнено 2 из 10" in results
    # The year is over: the draft speaks of the year, not of a day after it.
    assert results.startswith("Исполнение плана за 2023-2024 учебный год:")
    assert "не выполнено 1, перенесено 1, без отметки 6" in results
    assert "– III. МЕРОПРИЯТИЯ" in results.upper()
    assert "– Урочная деятельность: выполнено 1 из 1" in results
    assert "– Внеурочная деятельность: выполнено 0 из 1, без отметки 1" in results
    assert (
        "9 класс: проведено 12 ч из 60 (основной уровень), по плану 64 ч"
        " – до минимума не хватает 48 ч" in results
    )
    assert (
        "Количество экскурсий" in results and "1 мероприятий (по отметкам об исполнении)" in results
    )
    assert "при цели 3 мероприятий – цель не достигнута" in results

    problems = textarea(page, "problems")
    assert "Не выполнено (1):" in problems
    assert "Экскурсия в музей (Не выделен автобус)" in problems
    assert "Перенесено (1):" in problems and "Родительское собрание – на 20.05.2024" in problems
    assert "Без отметки об исполнении: строк – 6." in problems

    assert "Минимум часов профминимума выполнен в 0 из 6 классов." in textarea(
        page, "effectiveness"
    )
    steps = textarea(page, "next_steps")
    assert "«Провести профпробы для 8 классов»" in steps
    assert "ответ школы – Проведены две профпробы в колледже" in steps
    assert "«Пригласить родителей на экскурсии»" in steps and ": не прочитана" in steps


def test_during_the_year_the_draft_counts_as_of_today(approved):
    from datetime import date

    from monitoring.draft import self_analysis_draft

    draft = self_analysis_draft(approved.pk, today=date(2024, 3, 1))
    assert "Исполнение плана на 01.03.2024:" in str(vars(draft))


def test_the_draft_says_whether_a_recommended_indicator_moved(
    client, deputy, approved, campaign, catalogue, reviewer
):
    from monitoring.models import Campaign
    from monitoring.services import campaign_open

    earlier = Campaign.objects.create(
        year=approved.year,
        name="Мониторинг: сентябрь",
        period="сентябрь",
        opens=date(2023, 9, 1),
        closes=date(2023, 9, 30),
    )
    campaign_open(campaign=earlier)
    excursions = catalogue["excursions"]
    for which, value in ((earlier, 1), (campaign, 4)):
        report = Report.objects.get(campaign=which, school=approved.school)
        Report.objects.filter(pk=report.pk).update(status="submitted", submitted_at=timezone.now())
        ReportValue.objects.create(report=report, indicator=excursions, value=value)
    Recommendation.objects.create(
        school=approved.school,
        campaign=earlier,
        indicator=excursions,
        text="Чаще выезжать на предприятия",
        created_by=reviewer,
        acknowledged_at=timezone.now(),
    )
    page = open_page(client, deputy, approved)
    steps = textarea(page, "next_steps")
    assert "«Чаще выезжать на предприятия»" in steps and "прочитана, ответа ещё нет" in steps
    assert "вырос: было 1, стало 4" in steps
    # The submitted value stands for the indicator, before the count of the marks.
    results = textarea(page, "results")
    assert "4 мероприятий (по отчёту «Мониторинг: I полугодие») при цели 3" in results
    assert "цель достигнута" in results


def test_the_draft_cites_the_indicators_of_section_two(client, deputy, approved, catalogue):
    page = open_page(client, deputy, approved)
    assert re.search(rf'value="{catalogue["excursions"].pk}"[^>]*checked', page), (
        "the section II indicator is ticked"
    )


def test_a_written_analysis_is_not_replaced_by_a_draft(client, deputy, approved):
    SelfAnalysis.objects.create(plan=approved, results="Наш собственный анализ")
    page = open_page(client, deputy, approved)
    assert NOTICE not in page and textarea(page, "results") == "Наш собственный анализ"


def test_no_draft_before_approval(client, deputy, plan):
    page = open_page(client, deputy, plan)
    assert NOTICE not in page and textarea(page, "results") == ""


def test_the_centre_reads_the_school_s_text_not_a_draft(client, coordinator, approved):
    page = open_page(client, coordinator, approved)
    assert NOTICE not in page


def test_another_school_finds_no_self_analysis(client, other_deputy, approved):
    client.force_login(other_deputy)
    url = reverse("monitoring:self-analysis", args=[approved.pk])
    assert client.get(url).status_code == 404


def test_the_draft_costs_the_same_queries_for_few_and_many_rows(client, deputy, approved):
    client.force_login(deputy)
    url = reverse("monitoring:self-analysis", args=[approved.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(20):
        row = add_row(approved, "3.4.", activity=f"Мастер-класс № {n}")
        row_execution_record(row=row, by=deputy, data={"status": "not_done"})
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert len(many) == len(few)
    assert "Не выполнено (21):" in textarea(page, "problems")


# --- saved, the draft prints with the plan -------------------------------------------


@pytest.fixture
def saved(client, deputy, approved):
    """The school saves the draft as it opened, adding a line of its own."""
    page = open_page(client, deputy, approved)
    data = {name: textarea(page, name) for name in ("results", "problems", "effectiveness")}
    data["next_steps"] = textarea(page, "next_steps") + "\nЗаключить договор с колледжем."
    data["version"] = approved.version
    response = client.post(reverse("monitoring:self-analysis", args=[approved.pk]), data)
    assert response.status_code == 302
    assert "Не выполнено (1):" in SelfAnalysis.objects.get(plan=approved).problems
    return Plan.objects.get(pk=approved.pk)


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return flat("\n".join(page.extract_text() or "" for page in pdf.pages))


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    return flat("\n".join(p.text for p in document.paragraphs))


def test_the_saved_analysis_prints_in_pdf_word_and_excel(download, deputy, saved):
    pdf = download(reverse("plans:export-pdf", args=[saved.pk])).content
    assert "Не выполнено (1):" in pdf_text(pdf)
    assert "Заключить договор с колледжем." in pdf_text(pdf)

    word = download(reverse("plans:export-docx", args=[saved.pk])).content
    assert "Экскурсия в музей (Не выделен автобус)" in docx_text(word)
    assert "Заключить договор с колледжем." in docx_text(word)

    excel = download(reverse("plans:export-xlsx", args=[saved.pk])).content
    sheet = load_workbook(io.BytesIO(excel)).active
    cells = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert "Не выполнено (1):" in cells and "Заключить договор с колледжем." in cells


def test_the_region_archive_holds_the_plan_with_its_analysis(client, reviewer, saved, run_worker):
    log_in(client, reviewer)
    client.post(reverse("plans:archive"), {"year": saved.year_id})
    run_worker()
    document = Document.objects.get(kind="archive")
    response = client.get(reverse("plans:document-download", args=[document.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    school = [name for name in archive.namelist() if saved.school.short_name[:4] in name]
    pdf = next(name for name in archive.namelist() if name.endswith(".pdf") and name in school)
    word = next(name for name in archive.namelist() if name.endswith(".docx") and name in school)
    assert "Заключить договор с колледжем." in pdf_text(archive.read(pdf))
    assert "Заключить договор с колледжем." in docx_text(archive.read(word))
