"""Last year's plan from Word, in a real browser: upload, read the preview, apply, see the plan."""

import pytest
from playwright.sync_api import expect

from plans.models import Plan
from tests.factories import UserFactory
from tests.plans.imports.wordfiles import docx_bytes, seed_lines

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def deputy_account(reference, school):
    user = UserFactory(username="deputy", school=school)
    user.set_password("profplan-demo")
    user.save()
    return user


def test_upload_a_word_plan_read_the_preview_apply_and_see_the_plan(
    deputy_account, sign_in, school, tmp_path
):
    path = tmp_path / "план 2023-2024.docx"
    path.write_bytes(
        docx_bytes(
            seed_lines(
                fill={"3.2.1.": ["Экскурсия на хлебозавод", "октябрь", "Классные руководители"]},
                after={"III.": [["3.9.1.", "Строка, которой нет места"]]},
            )
        )
    )
    page = sign_in("deputy")
    page.get_by_role("link", name="Загрузить план из Word").click()
    page.get_by_label("План в Word (.docx)").set_input_files(str(path))
    page.get_by_role("button", name="Проверить файл").click()

    expect(page.get_by_role("heading", name="Проверка плана из Word")).to_be_visible()
    expect(page.locator("#import-preview-table")).to_contain_text("Экскурсия на хлебозавод")
    expect(page.locator("#import-problems")).to_contain_text("Строка, которой нет места")
    assert not Plan.objects.filter(school=school).exists()

    page.get_by_role("button", name="Создать черновик плана из файла").click()
    expect(page.get_by_role("heading", name="План деятельности по сопровождению")).to_be_visible()
    expect(page.locator("#plan-table")).to_contain_text("Экскурсия на хлебозавод")
    expect(page.locator(".alert-success")).to_contain_text("загружен из файла")
    assert Plan.objects.get(school=school).rows.filter(activity="Экскурсия на хлебозавод").exists()


def test_text_the_import_does_not_take_is_listed_and_the_title_of_3_2_lands(
    deputy_account, sign_in, school, tmp_path
):
    from tests.plans.imports.test_nothing_dropped import HEADING_32, school_file

    lines, _, row_31 = school_file()
    path = tmp_path / "план школы.docx"
    path.write_bytes(docx_bytes(lines))
    page = sign_in("deputy")
    page.get_by_role("link", name="Загрузить план из Word").click()
    page.get_by_label("План в Word (.docx)").set_input_files(str(path))
    page.get_by_role("button", name="Проверить файл").click()

    untaken = page.locator("#import-untaken")
    expect(untaken).to_contain_text("Текст, который не будет перенесён: 1.")
    expect(untaken).to_contain_text(f"Таблица 1, строка {row_31}, столбец 3")
    expect(untaken).to_contain_text("до 1 сентября")
    expect(page.locator("#import-preview-table")).to_contain_text(HEADING_32)

    page.get_by_role("button", name="Создать черновик плана из файла").click()
    expect(page.locator("#plan-table")).to_contain_text(HEADING_32)
