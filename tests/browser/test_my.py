"""On a phone: the школьный педагог-навигатор opens «Мои мероприятия», taps «Проведено»
on this week's lesson, enters the pupils and attaches a photo; the deputy director then
sees the mark on the plan's execution page, signed with the navigator's name."""

import io
import os
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from accounts.models import SchoolRole, TeamPosition
from plans.models import Evidence, Plan, PlanStatus, RowAssignment, RowExecution, SchoolYear
from tests.browser.test_accessibility import AXE, violations
from tests.factories import UserFactory, add_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# Set to a folder to keep pictures of the pages as a phone shows them.
SCREENSHOTS = os.environ.get("PROFPLAN_SCREENSHOTS")


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}


def photo() -> bytes:
    """A small real PNG, as a phone's camera would give a (much larger) picture."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def person(username, school, **fields):
    user = UserFactory(username=username, school=school, **fields)
    user.set_password("profplan-demo")
    user.save()
    return user


def shot(page_or_element, name):
    if SCREENSHOTS:
        path = os.path.join(SCREENSHOTS, f"{name}.png")
        if hasattr(page_or_element, "goto"):
            page_or_element.screenshot(path=path, full_page=True)
        else:
            page_or_element.screenshot(path=path)


def test_navigator_marks_this_weeks_lesson_on_a_phone_and_the_deputy_sees_who(
    reference, plan, school, sign_in, live_server, page
):
    today = timezone.localdate()
    # The plan's year runs today, so that it is the school's current one.
    SchoolYear.objects.filter(pk=plan.year_id).update(
        start_date=today - timedelta(days=150), end_date=today + timedelta(days=200)
    )
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED)
    person("deputy", school, first_name="Марина", last_name="Заместителева")
    navigator = person(
        "navigator",
        school,
        first_name="Ирина",
        last_name="Навигаторова",
        school_role=SchoolRole.MEMBER,
        team_position=TeamPosition.NAVIGATOR,
    )
    lesson = add_row(
        plan,
        "3.4.13.3.",
        activity="Урок «Россия – мои горизонты»: профессии будущего",
        period="еженедельно",
        hours=1,
        grades=(8, 9),
        start_date=today,
        end_date=today,
    )
    late = add_row(
        plan,
        "3.4.13.3.",
        activity="Профессиональная проба «Оператор БПЛА»",
        hours=2,
        grades=(9,),
        start_date=today - timedelta(days=12),
        end_date=today - timedelta(days=12),
    )
    ahead = add_row(
        plan,
        "3.4.13.3.",
        activity="Экскурсия в Кабардино-Балкарский колледж «Строитель»",
        grades=(8,),
        start_date=today + timedelta(days=25),
        end_date=today + timedelta(days=25),
    )
    for row in (lesson, late, ahead):
        RowAssignment.objects.create(row=row, person=navigator)

    page.add_init_script(path=str(AXE))  # axe-core, for the accessibility check below
    sign_in("navigator")
    # A team member's home is «Мои мероприятия».
    expect(page).to_have_url(f"{live_server.url}/my/")
    expect(page.get_by_role("heading", name="Мои мероприятия", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "my-member")
    assert violations(page) == []
    card = page.locator(f"#row-{lesson.pk}")
    expect(page.locator(".my-week")).to_contain_text("профессии будущего")
    expect(page.locator(".my-overdue")).to_contain_text("Оператор БПЛА")

    card.get_by_role("link", name="Проведено").tap()
    expect(page.get_by_label("Выполнено", exact=True)).to_be_checked()
    page.get_by_label("Обучающихся приняли участие").fill("31")
    page.get_by_label("Файлы (приказ, фотоотчёт, программа)").set_input_files(
        {"name": "урок.png", "mimeType": "image/png", "buffer": photo()}
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "my-mark-form")
    page.get_by_role("button", name="Сохранить отметку").tap()

    expect(page.get_by_text("Отметка сохранена.")).to_be_visible()
    assert page.url.startswith(f"{live_server.url}/my/")
    card = page.locator(f"#row-{lesson.pk}")
    expect(card).to_contain_text("выполнено")
    expect(card).to_contain_text("обучающихся: 31")
    expect(card).to_contain_text("отметил(а) Ирина Навигаторова")
    expect(card.get_by_role("link", name="Проведено")).to_have_count(0)
    shot(page, "my-member-marked")

    execution = RowExecution.objects.get(row=lesson)
    assert execution.recorded_by == navigator and execution.pupils == 31
    assert Evidence.objects.get().content_type == "image/png"

    page.context.clear_cookies()
    sign_in("deputy")
    page.goto(f"{live_server.url}/plans/{plan.pk}/execution/")
    card = page.locator(f"#row-{lesson.pk}")
    expect(card).to_contain_text("выполнено")
    expect(card.locator(".js-pupils")).to_have_text("31")
    expect(card.locator(".js-recorded-by")).to_contain_text("Ирина Навигаторова, педагог-навигатор")
    expect(card.get_by_role("link", name="урок.png")).to_be_visible()
    shot(card, "execution-deputy-row")

    page.goto(f"{live_server.url}/my/")
    section = page.locator(f"#person-{navigator.pk}")
    expect(section).to_contain_text("Оператор БПЛА")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "my-deputy")
    assert violations(page) == []
