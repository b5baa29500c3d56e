"""A school takes the template's new revision in one click, or leaves its plan as it is."""

import pytest
from django.urls import reverse

from plans import services
from plans.models import ItemKind, PlanEvent, PlanRow, PlanStatus, TemplateItem
from plans.numbering import plan_lines
from tests.factories import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(school, levels, year):
    """A plan started from revision 1; then the centre adds a fixed activity to IV,
    a heading with a blank row to III, renames 3.1 and publishes revision 2."""
    plan = make_plan(school, levels={6: levels["basic"].pk})
    section = TemplateItem.objects.get(year=year, code="IV.")
    last = section.children.order_by("-order").first()
    services.template_item_add(
        year=year, parent=section, after=last, kind=ItemKind.FIXED, title="Отчёт в центр"
    )
    services.template_item_rename(
        item=TemplateItem.objects.get(year=year, code="3.1."), title="НОРМАТИВНОЕ ОБЕСПЕЧЕНИЕ"
    )
    heading = services.template_item_add(
        year=year,
        parent=TemplateItem.objects.get(year=year, code="III."),
        kind=ItemKind.HEADING,
        title="ЦИФРОВЫЕ СЕРВИСЫ",
    )
    services.template_item_add(year=year, parent=heading, kind=ItemKind.ROW)
    services.template_publish(year=year, by=None)
    return plan


def line(plan, title):
    plan = type(plan).objects.for_editor().get(pk=plan.pk)
    return next(line for line in plan_lines(plan) if line.title == title)


def edit_page(client, plan) -> str:
    return client.get(reverse("plans:edit", args=[plan.pk])).content.decode()


def test_the_notice_offers_both_choices(client, deputy, started):
    client.force_login(deputy)
    page = edit_page(client, started)
    assert "добавлен пункт 4.5. «Отчёт в центр»" in page
    assert "переименован пункт 3.1. «НОРМАТИВНОЕ ОБЕСПЕЧЕНИЕ»" in page
    assert "Принять изменения" in page and "Оставить как есть" in page


def test_accepting_gives_the_new_fixed_activity_and_the_new_heading_their_rows(
    client, deputy, started
):
    fixed = line(started, "Отчёт в центр")
    assert fixed.number == "4.5." and fixed.row is None  # shown live, nothing to fill
    client.force_login(deputy)
    started.refresh_from_db()
    response = client.post(
        reverse("plans:template-accept", args=[started.pk]),
        {"version": started.version},
        follow=True,
    )
    page = response.content.decode()
    assert "Изменения примерного плана приняты: добавлено строк — 2." in page
    assert "изменил примерный план" not in page

    fixed = line(started, "Отчёт в центр")
    assert fixed.number == "4.5." and fixed.row is not None  # a row to fill, numbered
    heading = TemplateItem.objects.get(year=started.year, title="ЦИФРОВЫЕ СЕРВИСЫ")
    assert PlanRow.objects.filter(plan=started, parent=heading, fixed_item=None).count() == 1
    row = PlanRow.objects.get(plan=started, fixed_item__title="Отчёт в центр")
    edited = client.post(
        reverse("plans:row-edit", args=[started.pk, row.pk]),
        {"period": "май", "version": type(started).objects.get(pk=started.pk).version},
    )
    assert edited.status_code == 200
    row.refresh_from_db()
    assert row.period == "май"

    started.refresh_from_db()
    assert started.template_revision == started.year.template_revision == 2
    event = PlanEvent.objects.get(plan=started)
    assert event.by == deputy and not event.is_transition
    assert "Приняты изменения примерного плана (редакция 2)" in event.comment
    assert "добавлен пункт 4.5. «Отчёт в центр»" in event.comment
    assert started.history.filter(template_revision=2).exists()
    assert "Приняты изменения примерного плана" in edit_page(client, started)  # in «История»


def test_accepting_twice_adds_nothing_twice(deputy, started):
    services.plan_template_accept(plan=started, by=deputy, version=None)
    rows = PlanRow.objects.filter(plan=started).count()
    started.refresh_from_db()
    assert services.plan_template_accept(plan=started, by=deputy, version=None) == []
    assert PlanRow.objects.filter(plan=started).count() == rows


def test_a_plan_started_after_the_change_already_has_what_it_added(school, year, started):
    later = make_plan(school=None, year=year)
    later.template_revision = 1  # as if started before the publication
    later.save()
    rows = PlanRow.objects.filter(plan=later).count()
    assert services.plan_template_accept(plan=later, by=None, version=None) == []
    assert PlanRow.objects.filter(plan=later).count() == rows


def test_rows_the_school_wrote_under_a_renamed_heading_stay(deputy, started, year):
    heading = TemplateItem.objects.get(year=year, title="НОРМАТИВНОЕ ОБЕСПЕЧЕНИЕ")
    before = list(PlanRow.objects.filter(plan=started, parent=heading).values_list("pk", flat=True))
    services.plan_template_accept(plan=started, by=deputy, version=None)
    after = PlanRow.objects.filter(plan=started, parent=heading).values_list("pk", flat=True)
    assert list(after) == before


def test_leaving_records_the_choice_and_adds_nothing(client, deputy, started):
    rows = PlanRow.objects.filter(plan=started).count()
    client.force_login(deputy)
    page = client.post(reverse("plans:template-seen", args=[started.pk]), follow=True)
    page = page.content.decode()
    assert "План оставлен как есть" in page
    assert "изменил примерный план" not in page
    assert PlanRow.objects.filter(plan=started).count() == rows
    started.refresh_from_db()
    assert started.template_revision == 2
    event = PlanEvent.objects.get(plan=started)
    assert "не применены: план оставлен как есть" in event.comment
    assert "не применены" in edit_page(client, started)  # the history shows it at once


def test_a_submitted_plan_can_leave_but_not_accept(client, deputy, started):
    type(started).objects.filter(pk=started.pk).update(status=PlanStatus.SUBMITTED)
    client.force_login(deputy)
    page = edit_page(client, started)
    assert "Оставить как есть" in page
    assert reverse("plans:template-accept", args=[started.pk]) not in page
    assert "когда план открыт для изменений" in page
    rows = PlanRow.objects.filter(plan=started).count()
    response = client.post(
        reverse("plans:template-accept", args=[started.pk]), {"version": 1}, follow=True
    )
    assert "План сдан на рассмотрение или утверждён" in response.content.decode()
    assert PlanRow.objects.filter(plan=started).count() == rows


def test_a_stale_page_cannot_accept(client, deputy, started):
    client.force_login(deputy)
    response = client.post(
        reverse("plans:template-accept", args=[started.pk]), {"version": 0}, follow=True
    )
    assert "План изменился в другой вкладке" in response.content.decode()
    started.refresh_from_db()
    assert started.template_revision == 1


@pytest.mark.parametrize("name", ["plans:template-accept", "plans:template-seen"])
def test_another_school_cannot_take_or_leave_the_changes(client, other_deputy, started, name):
    client.force_login(other_deputy)
    assert client.post(reverse(name, args=[started.pk]), {"version": 1}).status_code == 404
    started.refresh_from_db()
    assert started.template_revision == 1
