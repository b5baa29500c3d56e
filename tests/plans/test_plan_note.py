"""The plan's пояснительная записка: drawn from the template when the plan is started,
edited by the school, shown to the centre, printed before Table 1 in every format."""

import io

import docx
import pdfplumber
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import REGIONAL, ensure_roles
from plans import services
from plans.fields import EXPLANATORY_NOTE_MAX_LENGTH
from plans.models import Plan, PlanStatus
from tests.signin import log_in

pytestmark = pytest.mark.django_db

NOTE = "Школа реализует базовый уровень профминимума в 6–7 классах.\nПартнёр — колледж № 2."


@pytest.fixture
def started(school, year):
    return services.plan_start(school=school, year=year)


def save_note(client, plan, text, version=None):
    version = Plan.objects.get(pk=plan.pk).version if version is None else version
    return client.post(
        reverse("plans:note", args=[plan.pk]), {"explanatory_note": text, "version": version}
    )


def words(text: str) -> str:
    return " ".join(text.split())


def test_a_started_plan_has_a_short_note_from_the_template(started):
    note = started.explanatory_note
    assert note.startswith(f"План {started.school.short_name} на 2023-2024 учебный год")
    # The purpose and the three levels with their hours, about the school's plan.
    assert "Реализация плана осуществляется с целью повышения эффективности" in note
    assert "базового (не менее 40 часов в учебный год)" in note
    assert "примерного плана осуществляется" not in note
    assert "¹" not in note
    # Not the centre's letters, footnote, cycle or contacts.
    for centre_only in (
        "АБ-2324/05",
        "ТВ-1290/03",
        "Контактная информация",
        "единый универсальный",
    ):
        assert centre_only not in note
    assert len(note) < 1500


def test_a_plan_copied_from_last_year_keeps_its_note_about_the_new_year(school, year):
    last = services.plan_start(school=school, year=year)
    Plan.objects.filter(pk=last.pk).update(explanatory_note="Наш план на 2023-2024 учебный год.")
    new_year = services.school_year_start_next(source=year)
    services.template_publish(year=new_year, by=None)
    plan = services.plan_start(school=school, year=new_year, copy_last_year=True)
    assert plan.explanatory_note == "Наш план на 2024-2025 учебный год."


def test_the_school_edits_the_note_and_sees_it(client, deputy, started):
    client.force_login(deputy)
    version = Plan.objects.get(pk=started.pk).version
    response = save_note(client, started, NOTE)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Пояснительная записка сохранена." in page
    assert "Школа реализует базовый уровень профминимума в 6–7 классах." in page
    started.refresh_from_db()
    assert started.explanatory_note == NOTE
    assert started.version == version + 1  # the editor's page and documents are drawn anew
    assert started.history.filter(explanatory_note=NOTE).exists()


def test_too_long_a_note_is_refused_in_russian_and_kept(client, deputy, started):
    client.force_login(deputy)
    text = "слово " * (EXPLANATORY_NOTE_MAX_LENGTH // 5)
    response = save_note(client, started, text)
    assert response.status_code == 422
    page = response.content.decode()
    assert "Текст слишком длинный" in page
    assert text.strip() in page  # nothing typed is lost
    assert Plan.objects.get(pk=started.pk).explanatory_note != text.strip()


def test_a_stale_page_keeps_the_text_and_says_why(client, deputy, started):
    client.force_login(deputy)
    response = save_note(client, started, NOTE, version=0)
    assert response.status_code == 409
    page = response.content.decode()
    assert "План уже изменён в другой вкладке" in page
    assert "Партнёр — колледж № 2." in page


def test_a_submitted_plan_shows_the_note_without_a_form(client, deputy, started):
    Plan.objects.filter(pk=started.pk).update(status=PlanStatus.SUBMITTED, explanatory_note=NOTE)
    client.force_login(deputy)
    page = client.get(reverse("plans:edit", args=[started.pk])).content.decode()
    assert "Партнёр — колледж № 2." in page
    assert reverse("plans:note", args=[started.pk]) not in page
    response = save_note(client, started, "Другое")
    assert response.status_code == 409
    assert "План сдан на рассмотрение" in response.content.decode()
    assert Plan.objects.get(pk=started.pk).explanatory_note == NOTE


def test_another_school_cannot_see_or_change_the_note(client, other_deputy, started):
    client.force_login(other_deputy)
    assert client.get(reverse("plans:edit", args=[started.pk])).status_code == 404
    assert save_note(client, started, "чужое", version=1).status_code == 404
    assert "чужое" not in Plan.objects.get(pk=started.pk).explanatory_note


def test_the_review_page_shows_the_note_before_table_1(client, reviewer, started):
    Plan.objects.filter(pk=started.pk).update(explanatory_note=NOTE)
    reviewer.groups.add(ensure_roles()[REGIONAL])
    log_in(client, reviewer)
    page = client.get(reverse("admin:plans_plan_review", args=[started.pk])).content.decode()
    note = page.index("Школа реализует базовый уровень")
    assert page.index("Пояснительная записка") < note < page.index("<h2>Таблица 1</h2>")


@pytest.fixture
def with_note(client, deputy, started):
    Plan.objects.filter(pk=started.pk).update(explanatory_note=NOTE)
    client.force_login(deputy)
    return started


def test_the_pdf_prints_the_note_before_table_1(client, with_note, download):
    data = download(reverse("plans:export-pdf", args=[with_note.pk])).content
    with pdfplumber.open(io.BytesIO(data)) as document:
        text = words(document.pages[0].extract_text())
    title = text.index("Пояснительная записка")
    assert title < text.index("Школа реализует базовый уровень") < text.index("Таблица 1")
    assert text.index("Партнёр — колледж № 2.") < text.index("№ п/п")


def test_the_docx_prints_the_note_before_table_1(client, with_note, download):
    data = download(reverse("plans:export-docx", args=[with_note.pk])).content
    paragraphs = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    title = paragraphs.index("Пояснительная записка")
    assert paragraphs[title + 1 : title + 4] == [
        "Школа реализует базовый уровень профминимума в 6–7 классах.",
        "Партнёр — колледж № 2.",
        "Таблица 1",
    ]


def test_the_workbook_prints_the_note_before_the_table(client, with_note, download):
    data = download(reverse("plans:export-xlsx", args=[with_note.pk])).content
    sheet = load_workbook(io.BytesIO(data)).active
    firsts = [values[0] for values in sheet.iter_rows(values_only=True)]
    title = firsts.index("Пояснительная записка")
    assert firsts[title + 1 : title + 3] == [
        "Школа реализует базовый уровень профминимума в 6–7 классах.",
        "Партнёр — колледж № 2.",
    ]
    header = firsts.index("№ п/п")
    assert title < header
    # The header still repeats on every printed page and stays in view.
    assert sheet.print_title_rows == f"${header + 1}:${header + 2}"
    assert sheet.freeze_panes == f"A{header + 3}"


@pytest.mark.parametrize("fmt", ["pdf", "docx", "xlsx"])
def test_another_school_cannot_download_the_note(client, other_deputy, with_note, fmt):
    client.force_login(other_deputy)
    assert client.get(reverse(f"plans:export-{fmt}", args=[with_note.pk])).status_code == 404
