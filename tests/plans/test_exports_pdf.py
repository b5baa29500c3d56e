import io
from datetime import datetime

import pdfplumber
import pytest
import weasyprint
from django.conf import settings
from django.utils import timezone
from pypdf import PdfReader

from plans.documents.formats import pdf as pdf_module
from plans.documents.formats.pdf import FetchRefused, StaticOnlyFetcher, plan_pdf
from plans.documents.formats.rows import COLUMN_TITLES, table_rows
from plans.models import Plan, PlanRow, PlanStatus
from tests.factories import add_row

pytestmark = pytest.mark.django_db

STATIC = settings.STATICFILES_DIRS[0]


def fresh(plan):
    return Plan.objects.for_editor().get(pk=plan.pk)


def pages_text(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as document:
        return [page.extract_text() or "" for page in document.pages]


def squeeze(text: str) -> str:
    """Text without whitespace: a cell wraps its text anywhere."""
    return "".join(text.split())


@pytest.fixture
def recorded_fetches(monkeypatch):
    """Every URL WeasyPrint asks our fetcher for, and whether it was served."""
    calls = []
    original = StaticOnlyFetcher.fetch

    def fetch(self, url, headers=None):
        try:
            response = original(self, url, headers)
        except FetchRefused:
            calls.append((url, "refused"))
            raise
        calls.append((url, "served"))
        return response

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", fetch)
    return calls


def printed_tables(data: bytes) -> list[list[list[str]]]:
    """Per page, the plan table's rows as pdfplumber reads the ruled cells back."""
    with pdfplumber.open(io.BytesIO(data)) as document:
        pages = []
        for page in document.pages:
            rows = [row for table in page.extract_tables() for row in table]
            # The ПРОЕКТ box in the page margin reads as a stray eighth column.
            pages.append([row[:7] for row in rows if any(row[:7])])
        return pages


def test_pdf_prints_every_number_and_activity_in_order_with_the_header_on_every_page(plan):
    add_row(plan, "3.4.12.1.", activity="Урок «Шоу профессий»", hours=4, grades=(6, 7))
    add_row(plan, "3.4.14.7", activity="Профильный класс: инженерный", hours=34, grades=(10,))
    plan = fresh(plan)
    expected = []
    for row in table_rows(plan):
        if row.spans:
            expected.append(squeeze(f"{row.number} {row.activity}"))
        else:
            expected.append((row.number, squeeze(row.activity + row.load_text)))

    data = plan_pdf(plan)

    pages = printed_tables(data)
    assert len(pages) >= 2
    printed = []
    for rows in pages:
        header, numbers, *body = rows
        assert [squeeze(cell) for cell in header] == [squeeze(title) for title in COLUMN_TITLES]
        assert numbers == ["1", "2", "3", "4", "5", "6", "7"]
        for number, activity, *_ in body:
            # A spanning row is one merged cell: the others read back as None.
            printed.append(squeeze(number) if activity is None else (number, squeeze(activity)))
    assert printed == expected
    assert ("3.4.12.1.1.", squeeze("Урок «Шоу профессий»4 ч; 6, 7 кл.")) in printed
    text = pages_text(data)
    assert "стр. 1 из" in text[0] and f"стр. 2 из {len(text)}" in text[1]


def test_pdf_is_an_official_document_with_a_serif_cyrillic_font(plan, recorded_fetches):
    plan.school.director_name = "Петрова Анна Ивановна"
    plan.school.save()
    data = plan_pdf(fresh(plan))

    first = pages_text(data)[0]
    assert "УТВЕРЖДАЮ" in first
    assert "Директор " + plan.school.short_name in first
    assert "А.И. Петрова" in first  # the signature line, as the Word file prints it
    assert "«___»" in first and "20__ г." in first
    assert squeeze(plan.school.full_name) in squeeze(first)
    assert "на 2023-2024 учебный год" in first
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape
    assert round(float(page.mediabox.width)) == 842  # A4: 297 mm
    fonts = {str(font["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}
    assert any(
        font.replace("-", "").split("+")[-1].startswith(("LiberationSerif", "PTSerif"))
        for font in fonts
    ), fonts
    assert recorded_fetches == [(f"file://{STATIC}/css/pdf.css", "served")]


def test_a_draft_is_marked_as_project_on_every_page(plan):
    pages = pages_text(plan_pdf(fresh(plan)))
    assert all("ПРОЕКТ" in page for page in pages)


def test_an_approved_plan_carries_no_project_mark(plan):
    Plan.objects.filter(pk=plan.pk).update(
        status=PlanStatus.APPROVED, approved_at=timezone.make_aware(datetime(2023, 9, 1))
    )
    pages = pages_text(plan_pdf(fresh(plan)))
    assert not any("ПРОЕКТ" in page for page in pages)


INJECTIONS = (
    '<img src="file:///etc/passwd">',
    '<img src="http://127.0.0.1:9/x">',
    '<div style="background: url(http://127.0.0.1:9/css)">x</div>',
    "<style>@import url(ftp://127.0.0.1/x.css);</style>",
    '<link rel="attachment" href="file:///etc/hostname">',
)
PAYLOAD = " ".join(INJECTIONS)


def test_text_that_looks_like_html_is_printed_literally_and_fetches_nothing(plan, recorded_fetches):
    plan.school.full_name = PAYLOAD
    short = " ".join(INJECTIONS[:2])  # these fields hold 200 characters
    plan.school.short_name = plan.school.director_position = plan.school.director_name = short
    plan.school.save()
    plan.year.plan_title = PAYLOAD
    plan.year.save()
    text_fields = ("activity", "period", "responsible", "documents", "links", "results")
    # A school row and a fixed activity are enough: every row prints the same way.
    school_row = PlanRow.objects.filter(plan=plan, fixed_item=None).first()
    fixed_row = PlanRow.objects.filter(plan=plan, fixed_item__isnull=False).first()
    PlanRow.objects.filter(pk__in=[school_row.pk, fixed_row.pk]).update(
        **dict.fromkeys(text_fields, PAYLOAD)
    )

    data = plan_pdf(fresh(plan))

    assert recorded_fetches == [(f"file://{STATIC}/css/pdf.css", "served")]
    assert b"root:x:0:0" not in data
    text = squeeze("\n".join(pages_text(data)))
    for injection in INJECTIONS:
        assert squeeze(injection) in text


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "https://example.org/x.css",
        "ftp://127.0.0.1/x.css",
        "data:text/css,body{color:red}",
        "file:///etc/passwd",
        f"file://{STATIC}/../manage.py",
        f"file://{STATIC}/%2e%2e/manage.py",
        f"file://evil.example{STATIC}/css/pdf.css",
        f"file://{STATIC}/css/missing.css",
    ],
)
def test_the_fetcher_refuses_anything_but_our_static_files(url):
    with pytest.raises(FetchRefused):
        StaticOnlyFetcher().fetch(url)


def test_the_fetcher_serves_our_print_css():
    response = StaticOnlyFetcher().fetch(f"file://{STATIC}/css/pdf.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


def test_weasyprint_asks_our_fetcher_and_gets_refused_for_raw_html(recorded_fetches):
    """If a template ever printed user text unescaped, the fetcher still holds."""
    html = weasyprint.HTML(
        string="<p>x</p>" + "".join(INJECTIONS),
        base_url=f"file://{STATIC}/",
        url_fetcher=StaticOnlyFetcher(),
    )
    data = html.write_pdf()
    assert recorded_fetches
    assert all(result == "refused" for _, result in recorded_fetches)
    assert b"root:x:0:0" not in data


def test_pdf_module_reads_nothing_but_the_bundle(plan, django_assert_num_queries):
    plan = fresh(plan)
    with django_assert_num_queries(0):
        pdf_module.plan_html(plan)
