"""On a phone: a deputy director marks an excursion done on the bus back, with a photo
and the number of pupils."""

from datetime import date

import pytest
from playwright.sync_api import expect

from plans.models import Evidence, Plan, PlanStatus, RowExecution
from tests.factories import UserFactory, add_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 500


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}


def test_deputy_marks_an_excursion_done_with_a_photo_on_a_phone(
    reference, plan, school, sign_in, live_server, page
):
    deputy = UserFactory(username="deputy", school=school)
    deputy.set_password("profplan-demo")
    deputy.save()
    row = add_row(
        plan,
        "3.4.13.3.",
        activity="Экскурсия на предприятие «Терекалмаз»",
        hours=3,
        grades=(8, 9),
        start_date=date(2023, 10, 12),
        end_date=date(2023, 10, 12),
    )
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED)
    version = Plan.objects.get(pk=plan.pk).version

    sign_in("deputy")
    page.goto(f"{live_server.url}{plan.get_absolute_url()}")
    page.get_by_role("link", name="Отметить исполнение").click()
    card = page.locator(f"#row-{row.pk}")
    expect(card).to_contain_text("не отмечено")
    card.get_by_role("link", name="Отметить").click()

    page.get_by_label("Выполнено", exact=True).check()
    page.get_by_label("Обучающихся приняли участие").fill("27")
    page.get_by_label("Результат").fill("Побывали в цехах, встретились с инженерами")
    page.get_by_label("Файлы (приказ, фотоотчёт, программа)").set_input_files(
        {"name": "экскурсия.jpg", "mimeType": "image/jpeg", "buffer": JPEG}
    )
    # The form fits the phone's width: nothing to scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Сохранить отметку").click()

    expect(page.get_by_text("Отметка сохранена.")).to_be_visible()
    card = page.locator(f"#row-{row.pk}")
    expect(card).to_contain_text("выполнено")
    expect(card.locator(".js-pupils")).to_have_text("27")
    expect(card.get_by_role("link", name="экскурсия.jpg")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    execution = RowExecution.objects.get(row=row)
    assert execution.pupils == 27 and execution.status == "done"
    assert execution.grades == (8, 9) and execution.hours == 3  # prefilled from the plan
    assert Evidence.objects.get().content_type == "image/jpeg"
    assert Plan.objects.get(pk=plan.pk).version == version


def test_a_macro_document_saved_as_docx_is_refused_with_its_name(
    reference, plan, school, sign_in, live_server, page
):
    from tests.office_files import docm_as_docx
    from tests.test_office_files import plain_docx

    deputy = UserFactory(username="deputy", school=school)
    deputy.set_password("profplan-demo")
    deputy.save()
    row = add_row(plan, "3.4.13.3.", activity="Классный час", hours=1, grades=(8,))
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED)

    sign_in("deputy")
    page.goto(f"{live_server.url}/plans/{plan.pk}/execution/")
    page.locator(f"#row-{row.pk}").get_by_role("link", name="Отметить").click()
    page.get_by_label("Выполнено", exact=True).check()
    page.get_by_label("Файлы (приказ, фотоотчёт, программа)").set_input_files(
        {
            "name": "приказ.docx",
            "mimeType": "application/octet-stream",
            "buffer": docm_as_docx(plain_docx()),
        }
    )
    page.get_by_role("button", name="Сохранить отметку").click()

    expect(page.get_by_text("«приказ.docx»: в файле есть макросы.")).to_be_visible()
    assert not Evidence.objects.exists() and not RowExecution.objects.exists()
