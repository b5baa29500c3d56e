"""The deputy director's main flows in a real browser."""

import pytest
from playwright.sync_api import expect

from plans.models import Level, Plan, PlanRow, PlanStatus, TemplateItem
from tests.factories import UserFactory, make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def deputy_account(reference, school):
    user = UserFactory(username="deputy", school=school, first_name="Залина", last_name="Кармова")
    user.set_password("profplan-demo")
    user.save()
    return user


def item_pk(code):
    return TemplateItem.objects.get(year__title="2023-2024", code=code).pk


def add_from_catalogue(page, heading_code, activity_label, grade="6 класс"):
    page.locator(f'button[data-add-under="{item_pk(heading_code)}"]').click()
    new_row = page.locator("tr.new-row")
    expect(new_row).to_be_visible()
    # htmx wires up swapped-in content when it settles (it drops the htmx-added class
    # then); a click fired before that has no listener, so wait for it, as any person does.
    expect(page.locator(".htmx-added")).to_have_count(0)
    # The catalogue filters as you type: a few words of the title find it.
    new_row.get_by_role("searchbox").fill(" ".join(activity_label.split()[:2]))
    new_row.locator(".catalogue-item:visible", has_text=activity_label).first.click()
    expect(page.locator("tr.new-row textarea[name=activity]")).to_have_value(activity_label)
    page.locator("tr.new-row").get_by_label(grade).check()
    page.locator("tr.new-row").get_by_role("button", name="Добавить", exact=True).click()
    expect(page.locator("tr.new-row")).to_have_count(0)


def test_sign_in_set_levels_fill_from_catalogue_and_by_hand_then_submit(
    deputy_account, sign_in, live_server, school
):
    page = sign_in("deputy")
    page.get_by_role("button", name="Начать план").click()
    expect(page.get_by_role("heading", name="План деятельности по сопровождению")).to_be_visible()
    # The level selects post on change once htmx has wired them: under load the page
    # shows before its deferred scripts have run, and a change made then is lost.
    page.wait_for_load_state("networkidle")
    plan = Plan.objects.get(school=school)
    # Sections IV–V are the school's too; filled here to keep this test on the профминимум.
    PlanRow.objects.filter(plan=plan, fixed_item__isnull=False).update(
        period="май", responsible="Заместитель директора"
    )

    basic = Level.objects.get(year=plan.year, code="basic")
    expect(page.locator("#plan-table")).not_to_contain_text("3.4.12.")
    page.get_by_label("6 класс").select_option(str(basic.pk))
    expect(page.locator("#plan-table")).to_contain_text(
        "Реализация профориентационных мероприятий в рамках базового уровня"
    )
    expect(page.locator("#check-panel")).to_contain_text(
        "6 класс: запланировано 0 ч из 40 (базовый уровень)"
    )

    add_from_catalogue(
        page,
        "3.4.12.2.",
        "Курс внеурочной деятельности «Россия – мои горизонты» (34 занятия по четвергам, 6–11 классы)",
    )
    add_from_catalogue(page, "3.4.12.1.", "Открытые уроки «Шоу профессий»")
    add_from_catalogue(page, "3.4.12.3.", "Классные часы «Мир профессий»")
    add_from_catalogue(
        page,
        "3.4.12.4.",
        "Занятия в объединениях дополнительного образования (технопарк «Кванториум», центр «Точка роста»)",
    )
    expect(page.locator("#check-panel")).to_contain_text(
        "нет мероприятий по направлению «Взаимодействие с родителями (законными представителями)»"
    )

    # By hand, with a typo first: the message is Russian and the text stays.
    page.locator(f'button[data-add-under="{item_pk("3.4.12.5.")}"]').click()
    form = page.locator("tr.new-row")
    form.locator("textarea[name=activity]").fill("Родительское собрание «Профессии будущего»")
    form.locator("input[name=hours]").fill("-1")
    form.get_by_label("6 класс").check()
    form.get_by_role("button", name="Добавить", exact=True).click()
    expect(page.locator("tr.new-row")).to_contain_text(
        "Количество часов не может быть отрицательным."
    )
    expect(page.locator("tr.new-row textarea[name=activity]")).to_have_value(
        "Родительское собрание «Профессии будущего»"
    )
    page.locator("tr.new-row input[name=hours]").fill("1,5")
    page.locator("tr.new-row").get_by_role("button", name="Добавить", exact=True).click()
    expect(page.locator("#plan-table")).to_contain_text("3.4.12.5.1.")
    expect(page.locator("#plan-table")).to_contain_text(
        "Родительское собрание «Профессии будущего»"
    )

    expect(page.locator("#check-status")).to_have_text("готов к сдаче")
    expect(page.locator("#check-panel")).to_contain_text("49,5 из 40 ч")
    page.get_by_role("button", name="Сдать на рассмотрение").click()
    dialog = page.get_by_role("dialog", name="Сдать план на рассмотрение?")
    expect(dialog).to_contain_text("будет закрыт для изменений")
    dialog.get_by_role("button", name="Да, сдать план").click()
    notice = page.get_by_text("План сдан на рассмотрение в региональный центр")
    expect(notice).to_be_visible()
    expect(notice).to_have_count(1)  # one notice, not a message and a banner
    expect(page.locator("#plan-status")).to_have_text("на рассмотрении")
    expect(page.get_by_text("Добавить мероприятие")).to_have_count(0)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


@pytest.fixture
def open_plan(deputy_account, school):
    plan = make_plan(school)
    row = PlanRow.objects.filter(plan=plan, parent__code="3.2.").order_by("order").first()
    return plan, row


def test_two_tabs_never_overwrite_each_other_silently(open_plan, sign_in, live_server, context):
    plan, row = open_plan
    first = sign_in("deputy")
    first.goto(f"{live_server.url}/plans/{plan.pk}/")
    second = context.new_page()
    second.goto(f"{live_server.url}/plans/{plan.pk}/")

    for page in (first, second):
        page.get_by_role("button", name="Изменить строку 3.2.1.").click()
    first.locator(f"#row-{row.pk} textarea[name=activity]").fill("Текст из первой вкладки")
    first.locator(f"#row-{row.pk}").get_by_role("button", name="Сохранить").click()
    expect(first.locator(f"#row-{row.pk}")).to_contain_text("Текст из первой вкладки")

    second.locator(f"#row-{row.pk} textarea[name=activity]").fill("Текст из второй вкладки")
    second.locator(f"#row-{row.pk}").get_by_role("button", name="Сохранить").click()
    expect(second.locator(f"#row-{row.pk}")).to_contain_text("План уже изменён в другой вкладке")
    expect(second.locator(f"#row-{row.pk} textarea[name=activity]")).to_have_value(
        "Текст из второй вкладки"
    )
    row.refresh_from_db()
    assert row.activity == "Текст из первой вкладки"

    # Having seen the conflict, the second tab saves its text deliberately.
    second.locator(f"#row-{row.pk}").get_by_role("button", name="Сохранить").click()
    expect(second.locator(f"#row-{row.pk} textarea")).to_have_count(0)
    expect(second.locator(f"#row-{row.pk}")).to_contain_text("Текст из второй вкладки")
    row.refresh_from_db()
    assert row.activity == "Текст из второй вкладки"


def test_expired_session_loses_nothing_typed(open_plan, sign_in, live_server, context):
    plan, row = open_plan
    page = sign_in("deputy")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.get_by_role("button", name="Изменить строку 3.2.1.").click()
    page.locator(f"#row-{row.pk} textarea[name=activity]").fill(
        "Час текста, который нельзя потерять"
    )

    context.clear_cookies(name="sessionid")  # the session expired while the deputy was typing
    page.locator(f"#row-{row.pk}").get_by_role("button", name="Сохранить").click()
    expect(page.locator("#alerts")).to_contain_text(
        "Сеанс работы истёк. Введённый текст не потерян"
    )
    expect(page.locator(f"#row-{row.pk} textarea[name=activity]")).to_have_value(
        "Час текста, который нельзя потерять"
    )

    # Signing in again in another tab, then saving in this one.
    other = context.new_page()
    other.goto(f"{live_server.url}/accounts/login/")
    other.get_by_label("Имя пользователя").fill("deputy")
    other.get_by_label("Пароль").fill("profplan-demo")
    other.get_by_role("button", name="Войти").click()
    other.wait_for_load_state("networkidle")
    page.bring_to_front()
    page.locator(f"#row-{row.pk}").get_by_role("button", name="Сохранить").click()
    expect(page.locator(f"#row-{row.pk} textarea")).to_have_count(0)
    expect(page.locator(f"#row-{row.pk}")).to_contain_text("Час текста, который нельзя потерять")
    row.refresh_from_db()
    assert row.activity == "Час текста, который нельзя потерять"
