"""No typed word is lost, and everything is found in a second: drafts that reopen in
their forms, the question before leaving, the catalogue search, «Вернуть», rows moved
by dragging and by keyboard."""

import pytest
from playwright.sync_api import expect

from plans import services
from plans.models import PlanRow
from tests.factories import UserFactory, make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "Экскурсия на завод «Телемеханика» для 8 классов"


@pytest.fixture
def deputy_account(reference, school):
    user = UserFactory(username="deputy", school=school)
    user.set_password("profplan-demo")
    user.save()
    return user


@pytest.fixture
def open_plan(deputy_account, school):
    plan = make_plan(school)
    rows = list(PlanRow.objects.filter(plan=plan, parent__code="3.2.").order_by("order"))
    for index, row in enumerate(rows):
        row.activity = f"Строка {index + 1}"
        row.save()
    return plan, rows


def start_typing(page, live_server, plan, row, text=TEXT):
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.get_by_role("button", name="Изменить строку 3.2.1.").click()
    form = page.locator(f"#row-{row.pk} form")
    expect(form).to_contain_text("Сохранено")
    form.locator("textarea[name=activity]").fill(text)
    expect(form).to_contain_text("Не сохранено")
    return form


def expect_reopened(page, row, text=TEXT):
    textarea = page.locator(f"#row-{row.pk} textarea[name=activity]")
    expect(textarea).to_have_value(text)
    expect(page.locator(f"#row-{row.pk} form")).to_contain_text("Не сохранено")
    expect(page.locator("#alerts")).to_contain_text("Открыт несохранённый текст (строка 3.2.1.)")


def test_leaving_by_a_link_asks_first_and_the_text_is_back_on_return(
    open_plan, sign_in, live_server
):
    plan, rows = open_plan
    page = sign_in("deputy")
    start_typing(page, live_server, plan, rows[0])

    questions = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.dismiss() if len(questions) == 1 else dialog.accept()

    page.on("dialog", answer)
    page.get_by_role("link", name="Планы").click()  # «no, stay»
    assert "несохранённый текст: строка 3.2.1." in questions[0]
    expect(page.locator(f"#row-{rows[0].pk} textarea[name=activity]")).to_have_value(TEXT)

    page.get_by_role("link", name="Планы").click()  # «yes, leave»
    page.wait_for_url(f"{live_server.url}/")
    assert len(questions) == 2  # one question, not the browser's second one

    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    expect_reopened(page, rows[0])
    # Saved now: the draft is gone, the row says so.
    page.locator(f"#row-{rows[0].pk}").get_by_role("button", name="Сохранить").click()
    expect(page.locator(f"#row-{rows[0].pk}")).to_contain_text("Сохранено")
    expect(page.locator(f"#row-{rows[0].pk} textarea")).to_have_count(0)
    page.reload()
    expect(page.locator(f"#row-{rows[0].pk}")).to_contain_text(TEXT)
    expect(page.locator("form[data-draft-key]")).to_have_count(0)


def test_a_reload_asks_and_the_text_is_back(open_plan, sign_in, live_server):
    plan, rows = open_plan
    page = sign_in("deputy")
    start_typing(page, live_server, plan, rows[0])
    kinds = []

    def answer(dialog):
        kinds.append(dialog.type)
        dialog.accept()

    page.on("dialog", answer)
    page.reload()
    assert kinds == ["beforeunload"]
    expect_reopened(page, rows[0])


def test_a_closed_tab_and_a_new_sign_in_lose_nothing(open_plan, sign_in, live_server, context):
    plan, rows = open_plan
    page = sign_in("deputy")
    start_typing(page, live_server, plan, rows[0])
    # A new row under 3.3 as well, typed but not added.
    page.locator("button[data-add-under]").first.click()
    new_row = page.locator("tr.new-row")
    expect(page.locator(".htmx-added")).to_have_count(0)
    new_row.locator("textarea[name=activity]").fill("Новое мероприятие, ещё не добавлено")
    page.close()  # the tab is closed (or the browser crashed): no question is possible

    context.clear_cookies()  # and the session is over by the time they return
    again = context.new_page()
    again.goto(f"{live_server.url}/accounts/login/")
    again.get_by_label("Имя пользователя").fill("deputy")
    again.get_by_label("Пароль").fill("profplan-demo")
    again.get_by_role("button", name="Войти").click()
    again.goto(f"{live_server.url}/plans/{plan.pk}/")
    expect(again.locator(f"#row-{rows[0].pk} textarea[name=activity]")).to_have_value(TEXT)
    expect(again.locator("tr.new-row textarea[name=activity]")).to_have_value(
        "Новое мероприятие, ещё не добавлено"
    )
    expect(again.locator("tr.new-row")).to_contain_text("Не сохранено")


def test_another_user_on_the_same_computer_sees_no_drafts(
    open_plan, sign_in, live_server, context, school
):
    plan, rows = open_plan
    page = sign_in("deputy")
    start_typing(page, live_server, plan, rows[0])
    page.close()
    context.clear_cookies()
    colleague = UserFactory(username="colleague", school=school)
    colleague.set_password("profplan-demo")
    colleague.save()
    other = context.new_page()
    other.goto(f"{live_server.url}/accounts/login/")
    other.get_by_label("Имя пользователя").fill("colleague")
    other.get_by_label("Пароль").fill("profplan-demo")
    other.get_by_role("button", name="Войти").click()
    other.goto(f"{live_server.url}/plans/{plan.pk}/")
    expect(other.locator("#plan-table")).to_contain_text("Строка 1")
    expect(other.locator("form[data-draft-key]")).to_have_count(0)
    expect(other.get_by_text(TEXT)).to_have_count(0)


def test_drafts_of_rows_saved_since_and_corrupt_drafts_are_cleaned_up(
    open_plan, sign_in, live_server, deputy_account
):
    plan, rows = open_plan
    page = sign_in("deputy")
    start_typing(page, live_server, plan, rows[0])
    # Meanwhile the row is saved elsewhere (another computer).
    services.plan_row_update(
        row=rows[0], data={"activity": "Сохранено в другом месте"}, version=None
    )
    page.evaluate(
        "(user) => localStorage.setItem(`profplan:draft:u${user}:plan-1:row-1`, '{not json')",
        deputy_account.pk,
    )
    page.on("dialog", lambda dialog: dialog.accept())
    page.reload()
    expect(page.locator(f"#row-{rows[0].pk}")).to_contain_text("Сохранено в другом месте")
    expect(page.locator("form[data-draft-key]")).to_have_count(0)
    keys = page.evaluate("() => Object.keys(localStorage)")
    assert [key for key in keys if key.startswith("profplan:draft:")] == []
    # The page works as ever.
    page.get_by_role("button", name="Изменить строку 3.2.2.").click()
    expect(page.locator(f"#row-{rows[1].pk} textarea[name=activity]")).to_have_value("Строка 2")


def test_the_catalogue_filters_as_you_type(open_plan, sign_in, live_server):
    plan, rows = open_plan
    page = sign_in("deputy")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.locator("button[data-add-under]").first.click()
    new_row = page.locator("tr.new-row")
    expect(new_row).to_be_visible()
    expect(page.locator(".htmx-added")).to_have_count(0)
    total = new_row.locator(".catalogue-item:visible").count()
    assert total > 10
    new_row.get_by_role("searchbox").fill("шоу профессий")
    found = new_row.locator(".catalogue-item:visible")
    expect(found.first).to_contain_text("Шоу профессий")
    assert 0 < found.count() < 5
    for text in found.all_inner_texts():
        assert "шоу профессий" in text.lower()
    expect(new_row).to_contain_text(f"Найдено: {found.count()} из")
    new_row.get_by_role("searchbox").fill("нет такого мероприятия")
    expect(new_row.locator(".catalogue-empty")).to_be_visible()
    new_row.get_by_role("searchbox").fill("шоу")
    new_row.get_by_role("searchbox").press("ArrowDown")  # into the list by keyboard
    first = page.evaluate("() => document.activeElement.querySelector('.me-auto').textContent")
    assert "Шоу профессий" in first
    page.keyboard.press("Enter")
    expect(page.locator("tr.new-row textarea[name=activity]")).to_have_value(first)


def test_a_deleted_row_comes_back_with_vernut(open_plan, sign_in, live_server):
    plan, rows = open_plan
    page = sign_in("deputy")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Удалить строку 3.2.2.").click()
    expect(page.locator(f"#row-{rows[1].pk}")).to_have_count(0)
    expect(page.locator("#alerts")).to_contain_text("Строка 3.2.2. удалена: «Строка 2»")
    page.get_by_role("button", name="Вернуть").click()
    expect(page.locator('tr[data-number="3.2.2."]')).to_contain_text("Строка 2")
    expect(page.get_by_role("button", name="Вернуть")).to_have_count(0)


def press(page, key):
    """A key on the focused move button, once htmx has wired the redrawn table (a
    person is never faster than its 20 ms)."""
    expect(page.locator(".htmx-added, .htmx-request, .htmx-settling")).to_have_count(0)
    expect(page.locator("button.js-move:focus")).to_have_count(1)
    page.keyboard.press(key)


def test_rows_move_by_dragging_and_by_keyboard(open_plan, sign_in, live_server):
    plan, rows = open_plan
    page = sign_in("deputy")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    first = page.get_by_role("button", name="Переместить строку 3.2.1. выше")
    expect(first).to_be_disabled()  # never a silent no-op

    # Drag 3.2.3 by its handle up over 3.2.2: it lands between 3.2.1 and 3.2.2.
    expect(page.locator("#plan-table tbody[data-sortable]")).to_have_count(1)
    page.locator(f"#row-{rows[2].pk} .drag-handle").hover()
    page.mouse.down()
    over = page.locator(f"#row-{rows[1].pk}").bounding_box()
    page.mouse.move(over["x"] + 40, over["y"] + over["height"] / 2, steps=10)
    page.wait_for_timeout(300)  # Sortable's animation
    with page.expect_response(lambda response: "/move/" in response.url):
        page.mouse.up()
    expect(page.locator(".htmx-request")).to_have_count(0)
    expect(page.locator(".htmx-added")).to_have_count(0)
    # Where it lands depends on how far the hand went; the table and the plan agree.
    expect(page.locator('tr[data-number="3.2.3."]')).not_to_contain_text("Строка 3")
    shown = page.locator(f'tr[data-parent="{rows[0].parent_id}"] td:nth-child(2)').all_inner_texts()
    saved = list(
        PlanRow.objects.filter(plan=plan, parent=rows[0].parent, anchor=None)
        .order_by("order", "pk")
        .values_list("activity", flat=True)
    )
    assert shown == saved and shown.index("Строка 3") < 2

    # Keyboard: ↑ ↓ on a row's move buttons move it and keep the focus with it.
    number = f"3.2.{shown.index('Строка 3') + 1}."
    page.get_by_role("button", name=f"Переместить строку {number} ниже").focus()
    if number == "3.2.2.":
        press(page, "ArrowUp")
    expect(page.locator('tr[data-number="3.2.1."]')).to_contain_text("Строка 3")
    press(page, "ArrowDown")
    expect(page.locator('tr[data-number="3.2.2."]')).to_contain_text("Строка 3")
    press(page, "ArrowDown")
    expect(page.locator('tr[data-number="3.2.3."]')).to_contain_text("Строка 3")
    # The focus follows the row once htmx has settled the redrawn table.
    page.wait_for_function(
        "() => document.activeElement?.closest('tr')?.dataset.number === '3.2.3.'",
        timeout=10_000,
    )
    assert PlanRow.objects.get(pk=rows[2].pk).order == 3
