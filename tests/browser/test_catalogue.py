"""The centre's catalogue page in a browser: found as you type, a delete asked first,
nothing serious for axe-core."""

import pytest
from playwright.sync_api import expect

from accounts.roles import REGIONAL, ensure_roles
from plans.models import ActivityTemplate
from tests.browser.test_accessibility import AXE, violations
from tests.browser.test_defects import account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_centre_finds_edits_and_deletes_in_the_catalogue(reference, live_server, page, sign_in):
    reviewer = account("reviewer", is_staff=True)
    reviewer.groups.add(ensure_roles()[REGIONAL])
    page.add_init_script(path=str(AXE))
    sign_in("reviewer")
    page.goto(f"{live_server.url}/templates/{reference.pk}/")
    page.get_by_role("link", name="Каталог мероприятий").click()
    expect(page.locator("#catalogue-found")).to_have_text("В каталоге 16.")
    assert violations(page) == [], "catalogue"

    page.get_by_label("Поиск в каталоге").fill("родител")
    expect(page.locator("#catalogue-found")).to_have_text("Найдено: 2 из 16.")
    expect(page.locator("tr.catalogue-line:visible")).to_have_count(2)
    page.get_by_label("Поиск в каталоге").fill("ёжик")
    expect(page.locator(".catalogue-empty")).to_be_visible()
    page.get_by_label("Поиск в каталоге").fill("")
    expect(page.locator("tr.catalogue-line:visible")).to_have_count(16)

    meeting = ActivityTemplate.objects.get(title="Всероссийское родительское собрание")
    line = page.locator(f"#activity-{meeting.pk}")
    line.get_by_role("link", name="Изменить").click()
    assert violations(page) == [], "activity form"
    page.get_by_label("Типичное число часов").fill("3,5")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator(f"#activity-{meeting.pk}")).to_contain_text("3,5 ч")

    # Declining the question keeps the activity; accepting deletes it.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator(f"#activity-{meeting.pk}").get_by_role("button", name="Удалить").click()
    expect(page.locator(f"#activity-{meeting.pk}")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#activity-{meeting.pk}").get_by_role("button", name="Удалить").click()
    expect(page.locator(".alert-success")).to_contain_text("удалено из каталога")
    assert not ActivityTemplate.objects.filter(pk=meeting.pk).exists()
