"""One row, one wording: the editor, the review page, the PDF and the workbook print a
row of Table 1 with the same texts (plans/documents/formats/rows.py), under the same column
titles and the same section II heading; the diff page prints hours the same way."""

import html
import io
import re
from datetime import date
from decimal import Decimal

import pdfplumber
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import REGIONAL, ensure_roles
from monitoring.models import Indicator, PlanIndicator
from plans import services
from plans.models import PlanRow
from tests.factories import add_row
from tests.monitoring.region import load_catalogue
from tests.plans.test_editor import complete
from tests.signin import log_in

pytestmark = pytest.mark.django_db

# Written out here, not taken from the code: this is the format the issue settled on.
COLUMN_TITLES = [
    "№ п/п",
    "Направления деятельности/ мероприятия",  # the seed's words, space and all
    "Сроки",
    "Ответственные, исполнители",
    "Документы для ознакомления и учёта при планировании",
    "Ссылки на документ",
    "Результаты деятельности",
]
SECTION_II = "К разделу II. Показатели оценки системы работы и их целевые значения"
NUMBER = "3.4.12.1.1."
ACTIVITY = "Урок «Шоу профессий»"
PERIOD = "в течение года (01.09.2023–31.05.2024)"
LOAD = "12,5 ч; 6, 7 кл."
RESPONSIBLE = "Классные руководители 6–7 классов"


@pytest.fixture
def row(plan):
    load_catalogue()
    indicator = Indicator.objects.filter(year=plan.year, source="entered").order_by("order").first()
    PlanIndicator.objects.create(plan=plan, indicator=indicator, target=Decimal(90))
    return add_row(
        plan,
        "3.4.12.1.",
        activity=ACTIVITY,
        period="в течение года",
        start_date=date(2023, 9, 1),
        end_date=date(2024, 5, 31),
        hours=Decimal("12.5"),
        grades=(6, 7),
        responsible=RESPONSIBLE,
    )


@pytest.fixture
def centre(client, reviewer):
    reviewer.groups.add(ensure_roles()[REGIONAL])
    log_in(client, reviewer)
    return client


def words(text: str) -> str:
    return " ".join(text.split())


def squeeze(text: str) -> str:
    """A PDF cell wraps its text anywhere: compare without whitespace."""
    return "".join(text.split())


def row_text(page: str, row: PlanRow) -> str:
    """The visible text of the row's <tr>, tags dropped."""
    match = re.search(rf'<tr id="row-{row.pk}"[^>]*>(.*?)</tr>', page, re.S)
    assert match, f"row {row.pk} not on the page"
    return words(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))))


def header_titles(page: str) -> list[str]:
    """The titles of the first header row of Table 1 on an HTML page."""
    head = re.search(r"<thead[^>]*>\s*<tr>(.*?)</tr>", page, re.S).group(1)
    titles = [words(html.unescape(t)) for t in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)]
    return [t for t in titles if t != "Действия"]


def test_the_editor_prints_the_row_as_the_documents_do(client, deputy, plan, row):
    client.force_login(deputy)
    page = client.get(plan.get_absolute_url()).content.decode()

    assert header_titles(page[page.index('id="plan-table"') :]) == COLUMN_TITLES
    assert SECTION_II in page
    text = row_text(page, row)
    assert text.startswith(f"{NUMBER} {ACTIVITY} {LOAD} {PERIOD} {RESPONSIBLE}")
    assert "01.09.2023 – 31.05.2024" not in page  # the screen's own format, before
    assert "12,5 ч · 6, 7 кл." not in page


def test_the_review_page_prints_the_row_as_the_documents_do(centre, plan, row):
    page = centre.get(reverse("admin:plans_plan_review", args=[plan.pk])).content.decode()

    assert header_titles(page[page.index('class="plan-doc"') :]) == COLUMN_TITLES
    assert SECTION_II in page
    assert row_text(page, row).startswith(f"{NUMBER} {ACTIVITY} {LOAD} {PERIOD} {RESPONSIBLE}")


def test_the_pdf_prints_the_same_texts(client, deputy, plan, row, settings, download):
    client.force_login(deputy)
    data = download(reverse("plans:export-pdf", args=[plan.pk])).content

    with pdfplumber.open(io.BytesIO(data)) as document:
        text = words(" ".join(page.extract_text() or "" for page in document.pages))
        cells = [
            cells[:7]
            for page in document.pages
            for table in page.extract_tables()
            for cells in table
        ]
    assert [words(title) for title in cells[0]] == COLUMN_TITLES
    printed = next(cells for cells in cells if cells[0] == NUMBER)
    assert [squeeze(cell) for cell in printed[1:4]] == [
        squeeze(f"{ACTIVITY} {LOAD}"),
        squeeze(PERIOD),
        squeeze(RESPONSIBLE),
    ]
    assert SECTION_II in text


def test_the_workbook_prints_the_same_texts(client, deputy, plan, row, download):
    client.force_login(deputy)
    data = download(reverse("plans:export-xlsx", args=[plan.pk])).content

    values = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    header = next(v for v in values if v[0] == COLUMN_TITLES[0])
    assert list(header[:7]) == COLUMN_TITLES
    printed = next(v for v in values if v[0] == NUMBER)
    assert printed[1:4] == (f"{ACTIVITY}\n{LOAD}", PERIOD, RESPONSIBLE)
    assert printed[7:9] == (12.5, "6, 7 кл.")  # and the hours as a number, for sums
    assert (SECTION_II,) == next(v[:1] for v in values if v[0] == SECTION_II)


def test_the_diff_page_prints_hours_grades_and_dates_as_the_documents_do(
    centre, plan, row, deputy, reviewer
):
    complete(plan)
    services.plan_submit(plan=plan, by=deputy, version=None)
    services.plan_return(plan=plan, by=reviewer, comment="уточните часы")
    PlanRow.objects.filter(pk=row.pk).update(
        hours=Decimal(14), grades=(6, 7, 8), end_date=date(2024, 4, 30)
    )

    page = centre.get(reverse("admin:plans_plan_diff", args=[plan.pk])).content.decode()

    changes = [
        words(html.unescape(re.sub(r"<[^>]+>", " ", tr)))
        for tr in re.findall(r"<tr>(.*?)</tr>", page, re.S)
        if NUMBER in tr
    ]
    assert changes == [
        f"{NUMBER} сроки {PERIOD} в течение года (01.09.2023–30.04.2024)",
        f"{NUMBER} часы 12,5 ч 14 ч",
        f"{NUMBER} классы 6, 7 кл. 6, 7, 8 кл.",
    ]
    assert "12.5" not in page and "[6, 7]" not in page


def test_a_submission_without_dates_is_compared_without_them():
    """Snapshots taken before they kept the dates do not make every dated row look changed."""
    from plans.diff import diff_snapshots

    old = [{"row": 1, "number": "1.1.", "title": "Приказ", "period": "сентябрь", "hours": "12.50"}]
    new = [{**old[0], "start_date": "2023-09-01", "end_date": "2023-09-30", "hours": "12.5"}]
    assert diff_snapshots(old, new).empty
    newer = [{**new[0], "end_date": "2023-09-15"}]
    (change,) = diff_snapshots(new, newer).changed
    assert change.fields == [
        ("сроки", "сентябрь (01.09.2023–30.09.2023)", "сентябрь (01.09.2023–15.09.2023)")
    ]
