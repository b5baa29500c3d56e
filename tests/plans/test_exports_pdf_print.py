"""The PDF prints like a clerk's best work: headings stay with their rows, rows do not
split unless they must, one «ПРОЕКТ» mark per page in the margin, section II in
sensible columns."""

import io
from datetime import datetime
from decimal import Decimal

import pdfplumber
import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from monitoring.models import Indicator, PlanIndicator
from plans.demo import DemoCalendar
from plans.documents.formats.layout import taller_than_page
from plans.documents.formats.pdf import plan_pdf
from plans.documents.formats.rows import table_rows
from plans.models import Plan, PlanStatus
from tests.factories import add_row
from tests.monitoring.region import load_catalogue
from tests.plans.export_data import fill_rows

pytestmark = pytest.mark.django_db

MM = 72 / 25.4


def fresh(plan):
    return Plan.objects.for_editor().get(pk=plan.pk)


def page_tables(data: bytes) -> list[list[list[str | None]]]:
    """Per page, the rows of Table 1 as pdfplumber reads the ruled cells back: a
    section or heading row is one merged cell, so its second cell reads as None."""
    with pdfplumber.open(io.BytesIO(data)) as document:
        return [
            [row for table in page.extract_tables() for row in table] for page in document.pages
        ]


def test_a_heading_never_ends_a_page_but_moves_on_with_its_first_row(plan):
    # Rows of varied height over every item: without the rule, several pages of
    # this plan end on a heading row (checked by removing `break-after: avoid`).
    fill_rows(plan, 45, results="Проведено.\n" * 3)
    fill_rows(plan, 25, documents="Методические рекомендации по реализации профминимума " * 3)

    pages = page_tables(plan_pdf(fresh(plan)))

    assert len(pages) > 5
    for number, rows in enumerate(pages[:-1], start=1):
        *_, last = rows
        assert last[1] is not None, f"стр. {number} кончается заголовком {last[0]!r}"
    # ...and a page may well start with one.
    assert any(rows[2][1] is None for rows in pages[1:])


def test_a_row_taller_than_a_page_splits_under_the_header_and_keeps_its_heading(plan):
    results = "Итоги мероприятия описаны подробно, с цифрами и выводами. " * 150
    tall = add_row(plan, "3.4.12.1.", activity="Очень подробное мероприятие", results=results)
    add_row(plan, "3.4.12.1.", activity="Следующее мероприятие")
    plan = fresh(plan)
    rows = list(table_rows(plan))
    index = next(i for i, row in enumerate(rows) if row.row_id == tall.pk)
    heading, tall_row, next_row = rows[index - 1 : index + 2]
    assert heading.kind == "heading" and taller_than_page(tall_row)
    assert not any(taller_than_page(row) for row in rows if row is not tall_row)

    with pdfplumber.open(io.BytesIO(plan_pdf(plan))) as document:
        texts = [" ".join((page.extract_text() or "").split()) for page in document.pages]

    # Every word of the tall row is printed: nothing clipped or lost.
    assert " ".join(texts).count("подробно, с цифрами и выводами.") == 150
    first = next(i for i, text in enumerate(texts) if tall_row.number in text)
    last = next(i for i, text in enumerate(texts) if next_row.number in text)
    assert last - first >= 2
    # The heading above it shares the page with the row's start...
    assert f"{heading.number} {heading.activity}" in texts[first]
    # ...and every page the row runs over repeats the header.
    for text in texts[first : last + 1]:
        assert "Направления деятельности" in text and "1 2 3 4 5 6 7" in text


def test_an_ordinary_long_row_is_not_split_between_pages(plan):
    fill_rows(plan, 40, results="Проведено. " * 40)

    pages = page_tables(plan_pdf(fresh(plan)))

    numbers = [row[0] for rows in pages for row in rows[2:] if row[1] is not None]
    assert len(numbers) == len(set(numbers)), "a row appears on two pages"


def draft_marks(data: bytes) -> list[list[tuple[str, float, float]]]:
    """Per page, each «ПРОЕКТ» word: its text and its top and bottom in mm."""
    with pdfplumber.open(io.BytesIO(data)) as document:
        return [
            [
                (word["text"], word["top"] / MM, word["bottom"] / MM)
                for word in page.extract_words()
                if "ПРОЕКТ" in word["text"]
            ]
            for page in document.pages
        ]


def test_a_draft_carries_one_project_mark_per_page_in_the_top_margin(plan):
    fill_rows(plan, 40)

    data = plan_pdf(fresh(plan))

    marks = draft_marks(data)
    assert len(marks) > 1
    for page in marks:
        assert len(page) == 1
        _, top, bottom = page[0]
        # Inside the 20 mm top margin, clear of the page edge and of the table.
        assert 4 < top and bottom < 16
    with pdfplumber.open(io.BytesIO(data)) as document:
        for page in document.pages:
            text = " ".join((page.extract_text() or "").split())
            assert "ПРОЕКТ план не утверждён, статус: черновик" in text
            table_top = min(table.bbox[1] for table in page.find_tables()) / MM
            assert table_top >= 20


def test_an_approved_plan_has_no_project_mark_and_prints_its_approval_date(plan):
    fill_rows(plan, 40)
    Plan.objects.filter(pk=plan.pk).update(
        status=PlanStatus.APPROVED, approved_at=timezone.make_aware(datetime(2023, 9, 1, 10))
    )

    data = plan_pdf(fresh(plan))

    assert all(page == [] for page in draft_marks(data))
    with pdfplumber.open(io.BytesIO(data)) as document:
        first = document.pages[0].extract_text()
        assert "не утверждён" not in " ".join(p.extract_text() for p in document.pages)
    assert "«01» сентября 2023 г." in first
    assert "«___»" not in first


def test_section_two_indicators_have_a_narrow_number_and_a_wide_name(plan):
    load_catalogue()
    for indicator in Indicator.objects.filter(year=plan.year, source="entered"):
        PlanIndicator.objects.create(
            plan=plan, indicator=indicator, baseline=Decimal(10), target=Decimal(20)
        )

    with pdfplumber.open(io.BytesIO(plan_pdf(fresh(plan)))) as document:
        for page in document.pages:
            for table in page.find_tables():
                header = table.extract()[0]
                if header[:2] == ["№", "Показатель"]:
                    widths = [cell[2] - cell[0] for cell in table.rows[0].cells]
                    break
            else:
                continue
            break
    number, name, *values = widths
    assert number < 25 * MM
    assert name > 2 * max(values) and name > 120 * MM


@override_settings(DEBUG=True)
def test_the_demo_plan_never_leaves_a_heading_at_the_foot_of_a_page():
    """The demo plan's title and пояснительная записка leave room on page 1 for the
    table's header and section I's row, not for its first row: section I stood alone
    there. Now the table starts on page 2, «Таблица 1» with it."""
    call_command("load_demo", stdout=io.StringIO())
    demo = fresh(
        Plan.objects.get(school__short_name="МКОУ СОШ № 1", year__title=DemoCalendar.now().title)
    )
    data = plan_pdf(demo)
    pages = page_tables(data)

    assert len(pages) > 3
    for number, rows in enumerate(pages[:-1], start=1):
        if rows:
            *_, last = rows
            assert last[1] is not None, f"стр. {number} кончается заголовком {last[0]!r}"
    with pdfplumber.open(io.BytesIO(data)) as document:
        texts = [page.extract_text() or "" for page in document.pages]
    start = next(i for i, text in enumerate(texts) if "I. Постановка целей" in text)
    assert "Таблица 1" in texts[start] and "1.1." in texts[start]


def test_row_groups_keep_headings_with_the_row_below():
    from types import SimpleNamespace as Row

    from plans.documents.formats.pdf import row_groups

    rows = [Row(kind=kind) for kind in ("section", "row", "heading", "heading", "row", "row")]
    groups = row_groups(rows)
    assert [(name, [row.kind for row in group]) for name, group in groups] == [
        ("lead", ["section", "row"]),
        ("", ["heading", "heading", "row"]),
        ("", ["row"]),
    ]
    # A first row taller than a page splits anyway: no lead then.
    assert row_groups(rows, may_split=lambda row: True)[0][0] == ""
