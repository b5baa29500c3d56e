"""The plan page printed from the browser (Ctrl+P) is the document, without buttons."""

import io

import pdfplumber
import pytest
from playwright.sync_api import expect

from plans.models import PlanRow
from tests.factories import UserFactory, add_row, make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def deputy_plan(reference, school):
    user = UserFactory(username="deputy", school=school)
    user.set_password("profplan-demo")
    user.save()
    plan = make_plan(school)
    PlanRow.objects.filter(plan=plan, fixed_item__isnull=False).update(
        period="в течение года", responsible="Заместитель директора по ВР"
    )
    add_row(plan, "3.2.", activity="Урок «Шоу профессий»", period="октябрь")
    return plan


def test_the_printed_plan_page_is_the_table_without_buttons_or_forms(
    deputy_plan, sign_in, live_server
):
    page = sign_in("deputy")
    page.goto(f"{live_server.url}/plans/{deputy_plan.pk}/")
    # On screen: the editor with its buttons, forms and check panel.
    expect(page.get_by_role("button", name="Сдать на рассмотрение")).to_be_visible()
    expect(page.locator("button[data-add-under]").first).to_be_visible()

    page.emulate_media(media="print")

    for hidden in ("nav.navbar", "#plan-actions", "#levels-form", "#check-panel", "aside"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator(".btn:visible, form:visible, input:visible, select:visible")).to_have_count(
        0
    )
    expect(page.locator(".table-plan tr.add-row:visible")).to_have_count(0)
    table = page.locator(".table-plan")
    expect(table).to_contain_text("Урок «Шоу профессий»")
    # The row buttons' column is gone and the seven columns take the page's width.
    expect(table.locator("thead tr").first.locator("th:visible")).to_have_count(7)
    body_width = page.evaluate("document.body.clientWidth")
    assert table.bounding_box()["width"] >= 0.97 * body_width

    data = page.pdf(prefer_css_page_size=True)
    with pdfplumber.open(io.BytesIO(data)) as document:
        first = document.pages[0]
        assert first.width > first.height  # A4 landscape, from the print CSS
        assert round(first.width) == 842
        texts = [" ".join((page.extract_text() or "").split()) for page in document.pages]
    printed = " ".join(texts)
    assert "План деятельности по сопровождению" in texts[0]
    assert "Урок «Шоу профессий»" in printed
    for words in ("Сдать на рассмотрение", "Добавить мероприятие", "Проверка профминимума"):
        assert words not in printed
    # Every page repeats the header of Table 1.
    assert all("Направления деятельности" in text for text in texts)
