"""The editor page is cached under the plan's version and the year's reference revision:
whatever changes what the page shows, from whichever screen, the next page shows it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.roles import REGIONAL, ensure_roles
from monitoring.models import Indicator, Source
from plans import services
from plans.models import ItemKind, Plan, PlanComment, SchoolYear, TemplateItem
from tests.monitoring.region import load_catalogue
from tests.signin import log_in

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def signed_in(client, deputy):
    client.force_login(deputy)
    return client


@pytest.fixture
def admin_client(superuser):
    from django.test import Client

    client = Client()
    log_in(client, superuser)
    return client


def page(client, plan) -> str:
    response = client.get(plan.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def version(plan) -> int:
    return Plan.objects.get(pk=plan.pk).version


def admin_change(client, obj, **changes):
    """Post an object's admin change form as a reviewer would: its current values, changed."""
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        data[name] = (
            [v.pk for v in value] if isinstance(value, list) else getattr(value, "pk", value)
        )
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_renamed_template_item_shows_on_the_next_page(signed_in, admin_client, plan):
    assert "Профориентационная среда школы" not in page(signed_in, plan)
    heading = TemplateItem.objects.get(year=plan.year, code="3.2.")
    admin_change(admin_client, heading, title="Профориентационная среда школы")
    assert "Профориентационная среда школы" in page(signed_in, plan)


def test_level_hours_changed_in_the_admin_show_on_the_next_page(
    signed_in, admin_client, plan, levels
):
    assert "из 40 ч" in page(signed_in, plan)
    admin_change(admin_client, levels["basic"], min_hours=44)
    shown = page(signed_in, plan)
    assert "из 44 ч" in shown and "из 40 ч" not in shown


def test_template_item_added_then_deleted_in_bulk_leaves_the_page(signed_in, admin_client, plan):
    section = TemplateItem.objects.get(year=plan.year, code="III.")
    page(signed_in, plan)
    item = TemplateItem.objects.create(
        year=plan.year,
        parent=section,
        code="3.9.",
        title="Новый подраздел центра",
        kind=ItemKind.HEADING,
        order=99,
    )
    assert "Новый подраздел центра" in page(signed_in, plan)
    response = admin_client.post(
        reverse("admin:plans_templateitem_changelist"),
        {"action": "delete_selected", "_selected_action": [item.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not TemplateItem.objects.filter(pk=item.pk).exists()
    assert "Новый подраздел центра" not in page(signed_in, plan)


def test_bulk_writes_that_send_no_signals_move_the_revision_when_told(signed_in, plan):
    page(signed_in, plan)
    TemplateItem.objects.filter(year=plan.year, code="3.2.").update(title="Тихо изменённый")
    SchoolYear.objects.filter(pk=plan.year_id).reference_changed()
    assert "Тихо изменённый" in page(signed_in, plan)


def test_a_stale_year_form_cannot_turn_the_revision_back(plan, admin_client):
    stale = SchoolYear.objects.get(pk=plan.year_id)
    TemplateItem.objects.filter(year=plan.year).first().save()
    moved = SchoolYear.objects.get(pk=plan.year_id).reference_revision
    assert moved > stale.reference_revision
    stale.submission_closes = stale.end_date
    stale.save()
    assert SchoolYear.objects.get(pk=plan.year_id).reference_revision > moved
    admin_change(admin_client, stale, title=stale.title)
    assert SchoolYear.objects.get(pk=plan.year_id).reference_revision > moved


def test_remarks_answers_and_resolving_show_on_the_next_page(
    client, signed_in, reviewer, plan, deputy
):
    from django.test import Client

    reviewer.groups.add(ensure_roles()[REGIONAL])
    centre = Client()
    log_in(centre, reviewer)
    row = plan.rows.filter(parent__code="3.2.").first()
    page(signed_in, plan)
    response = centre.post(
        reverse("admin:plans_plan_review", args=[plan.pk]),
        {"action": "comment", "row": row.pk, "text": "Уточните сроки"},
    )
    assert response.status_code == 302
    assert "Уточните сроки" in page(signed_in, plan)

    comment = PlanComment.objects.get(plan=plan)
    before = version(plan)
    response = signed_in.post(
        reverse("plans:comment-reply", args=[plan.pk, comment.pk]),
        {"text": "Сроки уточнены"},
        **HTMX,
    )
    # The answer moves the version on and tells the page, so that its forms stay current.
    assert version(plan) == before + 1
    assert f'"version": {before + 1}' in response["HX-Trigger"]
    assert "Сроки уточнены" in page(signed_in, plan)

    signed_in.post(reverse("plans:comment-resolve", args=[plan.pk, comment.pk]), **HTMX)
    assert "снят" in page(signed_in, plan)


def test_row_edits_show_on_the_next_page(signed_in, plan):
    row = plan.rows.filter(parent__code="3.2.").first()
    page(signed_in, plan)
    signed_in.post(
        reverse("plans:row-edit", args=[plan.pk, row.pk]),
        {"activity": "Новая строка", "version": version(plan)},
        **HTMX,
    )
    assert "Новая строка" in page(signed_in, plan)
    signed_in.post(
        reverse("plans:row-delete", args=[plan.pk, row.pk]), {"version": version(plan)}, **HTMX
    )
    assert "Новая строка" not in page(signed_in, plan)


def test_section_ii_edits_show_on_the_next_page(signed_in, plan):
    load_catalogue()
    indicator = Indicator.objects.filter(year=plan.year).exclude(source=Source.COMPUTED).first()
    url = reverse("monitoring:plan-indicators", args=[plan.pk])
    assert indicator.name not in page(signed_in, plan)
    response = signed_in.post(
        url,
        {f"use_{indicator.pk}": "on", f"target_{indicator.pk}": "7", "version": version(plan)},
    )
    assert response.status_code == 302
    assert indicator.name in page(signed_in, plan)


def test_indicator_renamed_in_the_admin_shows_in_section_ii(signed_in, admin_client, plan):
    load_catalogue()
    indicator = Indicator.objects.filter(year=plan.year).first()
    from monitoring.services import plan_indicators_save

    plan_indicators_save(plan=plan, rows=[(indicator, None, Decimal(5))], by=None)
    assert indicator.name in page(signed_in, plan)
    admin_change(admin_client, indicator, name="Показатель в новой редакции")
    assert "Показатель в новой редакции" in page(signed_in, plan)


def test_a_stale_section_ii_form_is_refused_and_keeps_what_was_typed(signed_in, plan):
    load_catalogue()
    indicator = Indicator.objects.filter(year=plan.year).exclude(source=Source.COMPUTED).first()
    url = reverse("monitoring:plan-indicators", args=[plan.pk])
    stale = version(plan)
    services.plan_set_levels(plan=plan, levels={}, version=None)  # another tab saved meanwhile
    data = {f"use_{indicator.pk}": "on", f"target_{indicator.pk}": "7", "version": stale}
    response = signed_in.post(url, data)
    shown = response.content.decode()
    assert response.status_code == 200
    assert "План уже изменён в другой вкладке" in shown
    assert 'value="7"' in shown and f'name="version" value="{version(plan)}"' in shown
    assert not plan.indicators.exists()
    assert signed_in.post(url, {**data, "version": version(plan)}).status_code == 302
    assert plan.indicators.count() == 1


def test_self_analysis_moves_the_version_the_editor_page_carries(signed_in, plan):
    """Section V is not on the editor page, but it is part of the plan: saving it moves
    the version on, so the next editor page carries the new one, and a form from a page
    opened before is refused instead of silently winning."""
    url = reverse("monitoring:self-analysis", args=[plan.pk])
    editor_version = version(plan)
    assert f'id="plan-version" name="version" value="{editor_version}"' in page(signed_in, plan)
    response = signed_in.post(url, {"results": "Охват 100 %", "version": editor_version})
    assert response.status_code == 302
    assert f'id="plan-version" name="version" value="{editor_version + 1}"' in page(signed_in, plan)
    stale = signed_in.post(url, {"results": "Из старой вкладки", "version": editor_version})
    assert "План уже изменён в другой вкладке" in stale.content.decode()
    assert "Из старой вкладки" in stale.content.decode()
    plan.refresh_from_db()
    assert plan.self_analysis.results == "Охват 100 %"


def test_self_analysis_of_an_approved_plan_is_still_written(signed_in, plan):
    Plan.objects.filter(pk=plan.pk).update(status="approved")
    url = reverse("monitoring:self-analysis", args=[plan.pk])
    response = signed_in.post(url, {"results": "Итоги года", "version": version(plan)})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.self_analysis.results == "Итоги года"


def test_admin_edits_of_a_plans_parts_move_its_version(admin_client, signed_in, plan, reviewer):
    comment = services.plan_comment_add(plan=plan, by=reviewer, text="Было так")
    assert "Было так" in page(signed_in, plan)
    admin_change(admin_client, comment, text="Стало иначе")
    assert "Стало иначе" in page(signed_in, plan)
    before = version(plan)
    response = admin_client.post(
        reverse("admin:plans_plancomment_changelist"),
        {"action": "delete_selected", "_selected_action": [comment.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert version(plan) == before + 1
    assert "Стало иначе" not in page(signed_in, plan)
