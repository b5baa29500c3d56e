"""The centre writes next year's template: items, levels, preamble, publishing, revisions."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans import services
from plans.models import ItemKind, Level, Plan, SchoolYear, TemplateItem
from tests.factories import make_plan
from tests.signin import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def next_year(year):
    return services.school_year_start_next(source=year)


def codes(year, under: str) -> list[str]:
    parent = TemplateItem.objects.get(year=year, code=under)
    return list(parent.children.order_by("order").values_list("code", flat=True))


def test_a_new_year_is_a_draft_copy_with_the_preamble(next_year):
    assert next_year.title == "2024-2025"
    assert not next_year.is_published
    assert next_year.template_items.count() == 80
    title = next_year.template_blocks.get(kind="title")
    assert "на 2024-2025 учебный год" in title.text


def test_adding_a_row_renumbers_what_follows_like_a_list(next_year):
    after = TemplateItem.objects.get(year=next_year, code="1.2.")
    added = services.template_item_add(
        year=next_year, parent=after.parent, after=after, kind=ItemKind.ROW
    )
    assert added.code == "1.3."
    assert codes(next_year, "I.") == ["1.1.", "1.2.", "1.3.", "1.4.", "1.5."]
    # 1.4 (was 1.3) and the heading 1.5 (was 1.4) with its children moved along.
    assert codes(next_year, "1.5.") == ["1.5.1.", "1.5.2.", "1.5.3."]


def test_moving_and_deleting_follow_positions_and_keep_untouched_quirks(next_year):
    heading = TemplateItem.objects.get(year=next_year, code="1.4.")
    services.template_item_move(item=heading, step=-1)
    assert codes(next_year, "I.") == ["1.1.", "1.2.", "1.3.", "1.4."]
    assert TemplateItem.objects.get(year=next_year, code="1.3.").kind == ItemKind.HEADING
    services.template_item_delete(item=TemplateItem.objects.get(year=next_year, code="3.4.1."))
    # 3.4.12 (basic level) is now 3.4.11; the main and advanced blocks follow.
    block = TemplateItem.objects.get(year=next_year, code="3.4.11.")
    assert block.level.code == "basic"
    assert TemplateItem.objects.get(year=next_year, code="3.4.12.").level.code == "main"
    assert TemplateItem.objects.get(year=next_year, code="3.4.13.5.").title == "ПРОФОБУЧЕНИЕ"


def test_an_item_with_school_rows_cannot_be_removed(plan):
    item = TemplateItem.objects.get(year=plan.year, code="1.4.")
    with pytest.raises(ValidationError, match="в планах школ уже есть строки"):
        services.template_item_delete(item=item)


def test_a_draft_template_cannot_be_used_by_schools(next_year, school, client, deputy):
    with pytest.raises(ValidationError, match="ещё не опубликован"):
        services.plan_start(school=school, year=next_year)
    client.force_login(deputy)
    response = client.post(reverse("plans:start"), {"year": next_year.pk}, follow=True)
    assert "ещё не опубликован" in response.content.decode()
    assert not Plan.objects.filter(year=next_year).exists()


def test_publishing_lets_schools_start(next_year, school):
    revision = services.template_publish(year=next_year, by=None)
    assert revision.number == 1
    plan = services.plan_start(school=school, year=next_year)
    assert plan.template_revision == 1
    assert services.template_publish(year=next_year, by=None) is None  # nothing changed


def test_a_revision_reaches_a_started_plan(client, deputy, school, levels, year):
    plan = make_plan(school, levels={6: levels["basic"].pk})
    assert plan.template_revision == year.template_revision == 1
    heading = TemplateItem.objects.get(year=year, code="3.1.")
    services.template_item_rename(item=heading, title="НОРМАТИВНОЕ ОБЕСПЕЧЕНИЕ")
    services.template_item_add(
        year=year, parent=heading.parent, after=heading, kind=ItemKind.HEADING, title="Новый"
    )
    services.template_item_delete(item=TemplateItem.objects.get(year=year, code="2.2.3."))
    revision = services.template_publish(year=year, by=None)
    assert revision.number == 2

    client.force_login(deputy)
    page = client.get(reverse("plans:edit", args=[plan.pk])).content.decode()
    assert "Региональный центр изменил примерный план" in page
    assert "переименован пункт 3.1. «НОРМАТИВНОЕ ОБЕСПЕЧЕНИЕ»" in page
    assert "добавлен пункт 3.2. «Новый»" in page
    assert "удалён пункт 2.2.3." in page
    client.post(reverse("plans:template-seen", args=[plan.pk]))
    assert (
        "изменил примерный план"
        not in client.get(reverse("plans:edit", args=[plan.pk])).content.decode()
    )


def test_the_centre_authors_through_the_pages(client, reviewer, year):
    log_in(client, reviewer)
    response = client.post(reverse("plans:template-new-year"), follow=True)
    new = SchoolYear.objects.get(title="2024-2025")
    assert "Создан черновик" in response.content.decode()
    heading = TemplateItem.objects.get(year=new, code="3.3.")
    client.post(
        reverse("plans:template-item", args=[new.pk, heading.pk]),
        {"action": "rename", "title": "КАДРЫ"},
    )
    basic = Level.objects.get(year=new, code="basic")
    client.post(reverse("plans:template-levels", args=[new.pk]), {f"level-{basic.pk}": "41"})
    bad = client.post(
        reverse("plans:template-levels", args=[new.pk]), {f"level-{basic.pk}": "сорок"}, follow=True
    )
    assert "целое число" in bad.content.decode()
    client.post(reverse("plans:template-publish", args=[new.pk]))
    heading.refresh_from_db()
    basic.refresh_from_db()
    new.refresh_from_db()
    assert (heading.title, basic.min_hours, new.is_published) == ("КАДРЫ", 41, True)
    assert heading.history.filter(title="КАДРЫ").exists()  # every change is in the history
    moved = TemplateItem.objects.get(year=new, code="3.2.")
    client.post(reverse("plans:template-item", args=[new.pk, moved.pk]), {"action": "up"})
    moved.refresh_from_db()
    # A move renumbers: the history has the item under its new number and place.
    assert moved.history.filter(code=moved.code, order=moved.order).exists()
    assert basic.history.filter(min_hours=41).exists()
    assert new.history.exists()


def test_the_authoring_page_costs_the_same_queries_for_more_items(client, reviewer, year):
    log_in(client, reviewer)
    url = reverse("plans:template", args=[year.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    parent = TemplateItem.objects.get(year=year, code="3.4.")
    for _ in range(20):
        services.template_item_add(year=year, parent=parent, kind=ItemKind.HEADING, title="Новый")
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert page.status_code == 200
    assert len(many) == len(few)


# --- the preamble: paragraphs added, moved, removed -----------------------------------


def preamble(year) -> list[tuple[str, str]]:
    from plans.models import TemplateBlock

    return list(
        TemplateBlock.objects.filter(year=year).order_by("order", "pk").values_list("kind", "text")
    )


def test_the_centre_adds_next_years_letter_to_the_list_of_documents(client, reviewer, next_year):
    from plans.documents.queue import render_template_bytes
    from plans.models import TemplateBlock
    from tests.plans.test_template_document import docx_document

    letters = TemplateBlock.objects.filter(year=next_year, kind="document").order_by("order")
    last = letters.last()
    log_in(client, reviewer)
    letter = "письмо Минпросвещения России от 01.08.2024 № АБ-1234/05 «О профминимуме»;"
    response = client.post(
        reverse("plans:template-block-new", args=[next_year.pk]),
        {"kind": "document", "after": last.pk, "text": letter},
        follow=True,
    )
    assert "Абзац добавлен." in response.content.decode()
    kinds_texts = preamble(next_year)
    at = kinds_texts.index(("document", last.text))
    assert kinds_texts[at + 1] == ("document", letter)
    # The printed template has it, in its place, a dash before it like the others.
    printed = [text for kind, text in docx_document(render_template_bytes(next_year, "docx"))]
    assert printed.index(f"– {letter}") == printed.index(f"– {last.text}") + 1


def test_a_refused_new_paragraph_keeps_what_was_typed(client, reviewer, next_year):
    log_in(client, reviewer)
    response = client.post(
        reverse("plans:template-block-new", args=[next_year.pk]),
        {"kind": "нет-такого", "after": "", "text": "Текст, набранный вручную"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Выберите вид абзаца из списка." in page
    assert "Текст, набранный вручную</textarea>" in page
    empty = client.post(
        reverse("plans:template-block-new", args=[next_year.pk]),
        {"kind": "paragraph", "after": "", "text": "   "},
    )
    assert "Напишите текст нового абзаца." in empty.content.decode()
    # The refused form comes back open, with the kind chosen.
    assert '<details class="card mb-3" open id="preamble-new">' in empty.content.decode()
    assert '<option value="paragraph" selected>' in empty.content.decode()
    # An unknown or malformed place is not found, never a server error.
    for after in ("999999", "abc", "-1"):
        response = client.post(
            reverse("plans:template-block-new", args=[next_year.pk]),
            {"kind": "paragraph", "after": after, "text": "x"},
        )
        assert response.status_code == 404


def test_a_paragraph_moves_and_goes_but_the_documents_frame_stays(client, reviewer, next_year):
    from plans.models import TemplateBlock

    log_in(client, reviewer)
    blocks = list(TemplateBlock.objects.filter(year=next_year).order_by("order", "pk"))
    second = blocks[1]
    url = reverse("plans:template-block", args=[next_year.pk, second.pk])
    client.post(url, {"action": "up"})
    assert preamble(next_year)[0] == (second.kind, second.text)
    refused = client.post(url, {"action": "up"}, follow=True)
    assert "Абзац уже первый в вводной части." in refused.content.decode()

    client.post(url, {"action": "delete"})
    assert (second.kind, second.text) not in preamble(next_year)
    orders = list(
        TemplateBlock.objects.filter(year=next_year)
        .order_by("order")
        .values_list("order", flat=True)
    )
    assert orders == list(range(1, len(orders) + 1))

    title = TemplateBlock.objects.get(year=next_year, kind="title")
    kept = client.post(
        reverse("plans:template-block", args=[next_year.pk, title.pk]),
        {"action": "delete"},
        follow=True,
    )
    assert "обязательная часть документа" in kept.content.decode()
    assert TemplateBlock.objects.filter(pk=title.pk).exists()
    # In the history like every change: the move and the removal.
    assert TemplateBlock.history.filter(id=second.pk, history_type="-").exists()
    assert TemplateBlock.history.filter(id=second.pk, history_type="~", order=1).exists()


def test_schools_cannot_add_to_the_preamble(client, deputy, next_year):
    client.force_login(deputy)
    response = client.post(
        reverse("plans:template-block-new", args=[next_year.pk]),
        {"kind": "paragraph", "text": "x"},
    )
    assert response.status_code == 403


def test_the_template_pages_blank_lines_are_table_rows_not_bootstrap_grid_rows(
    client, reviewer, year
):
    """`<tr class="row">` took Bootstrap's flex grid: each blank line's cells stacked
    in a narrow column at the left of the table."""
    log_in(client, reviewer)
    page = client.get(reverse("plans:template", args=[year.pk])).content.decode()
    assert '<tr class="template-row" data-code="1.1.">' in page
    assert '<tr class="row"' not in page


def test_a_new_paragraph_goes_before_table_1_unless_placed(client, reviewer, next_year):
    log_in(client, reviewer)
    client.post(
        reverse("plans:template-block-new", args=[next_year.pk]),
        {"kind": "paragraph", "after": "", "text": "Новый абзац о партнёрах"},
    )
    kinds_texts = preamble(next_year)
    at = kinds_texts.index(("paragraph", "Новый абзац о партнёрах"))
    assert kinds_texts[at + 1][0] == "table_label"
