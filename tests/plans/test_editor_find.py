"""Finding things in the editor, and what keeps typed text: the catalogue, the open
remarks, links from the check to its blocks, «Вернуть» after a delete, moving rows by
dragging, and the hooks the browser's drafts rely on."""

import re
import time
import uuid

import pytest
from django.core import signing
from django.urls import reverse

from plans import services
from plans.models import ActivityTemplate, Direction, Plan, PlanComment, PlanRow, TemplateItem
from plans.profminimum import check_plan

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def item(plan, code):
    return TemplateItem.objects.get(year=plan.year, code=code)


def version(plan):
    return Plan.objects.get(pk=plan.pk).version


def line(page: str, number: str) -> str:
    """The <tr> of the line numbered `number` in an editor page."""
    match = re.search(rf'<tr [^>]*data-number="{re.escape(number)}"[^>]*>.*?</tr>', page, re.S)
    assert match, f"no line {number}"
    return match.group(0)


@pytest.fixture
def signed_in(client, deputy):
    client.force_login(deputy)
    return client


# --- the catalogue -----------------------------------------------------------------


def test_catalogue_is_a_searchable_list_grouped_by_direction_with_hours(signed_in, plan):
    parent = item(plan, "3.4.12.3.")  # basic level, «воспитательная работа»
    page = signed_in.get(
        reverse("plans:row-new", args=[plan.pk]), {"parent": parent.pk}, **HTMX
    ).content.decode()
    assert 'type="search"' in page and "Начните вводить" in page
    assert "базовый уровень, не менее 40 ч в год" in page
    groups = re.findall(r'class="catalogue-group-title[^"]*">([^<]+)<', page)
    assert groups[0] == parent.direction.name  # the heading's own direction first
    assert "Общие мероприятия (разделы I–III)" in groups
    activity = ActivityTemplate.objects.filter(year=plan.year, typical_hours=34).first()
    assert re.search(
        rf'data-activity="{activity.pk}"><span class="me-auto">[^<]+</span>'
        r'<span class="badge[^"]*">34 ч</span>',
        page,
    )


def test_catalogue_of_300_activities_is_one_list(signed_in, plan):
    direction = Direction.objects.filter(year=plan.year).first()
    ActivityTemplate.objects.bulk_create(
        ActivityTemplate(year=plan.year, title=f"Мероприятие № {i}", direction=direction)
        for i in range(300)
    )
    page = signed_in.get(
        reverse("plans:row-new", args=[plan.pk]), {"parent": item(plan, "3.2.").pk}, **HTMX
    ).content.decode()
    total = ActivityTemplate.objects.filter(year=plan.year).count()
    assert page.count('class="catalogue-item') == total
    assert f"В каталоге {total}." in page


def test_picking_from_the_catalogue_marks_the_form_unsaved(signed_in, plan):
    activity = ActivityTemplate.objects.filter(year=plan.year).first()
    page = signed_in.get(
        reverse("plans:row-new", args=[plan.pk]),
        {"parent": item(plan, "3.2.").pk, "activity": activity.pk},
        **HTMX,
    ).content.decode()
    assert "data-unsaved" in page and "Не сохранено" in page


# --- remarks at the top, links from the check -----------------------------------------


def test_open_remarks_are_listed_at_the_top_with_a_jump_to_each_row(signed_in, plan, reviewer):
    first, second = plan.rows.filter(parent__code="3.2.").order_by("order")[:2]
    services.plan_comment_add(plan=plan, by=reviewer, text="Уточните сроки", row=first)
    fixed = services.plan_comment_add(plan=plan, by=reviewer, text="Уже исправлено", row=second)
    services.plan_comment_resolve(comment=fixed, by=reviewer)
    page = signed_in.get(plan.get_absolute_url()).content.decode()
    top = page[page.index('id="open-comments"') : page.index('id="plan-table"')]
    assert "Замечания регионального центра к строкам (1)" in top
    assert f'href="#row-{first.pk}">3.2.1.</a> Уточните сроки' in top
    assert "Уже исправлено" not in top
    assert f'id="row-{first.pk}"' in page  # where the link lands


def test_the_check_refresh_brings_the_open_remarks_list_up_to_date(signed_in, plan, reviewer):
    first, second = plan.rows.filter(parent__code="3.2.").order_by("order")[:2]
    kept = services.plan_comment_add(plan=plan, by=reviewer, text="Уточните сроки", row=first)
    fixed = services.plan_comment_add(plan=plan, by=reviewer, text="Добавьте классы", row=second)
    page = signed_in.get(reverse("plans:check", args=[plan.pk]), **HTMX).content.decode()
    assert '<div id="open-comments-box" hx-swap-oob="true">' in page
    assert "к строкам (2)" in page and "Добавьте классы" in page

    # The school marks one as fixed: the refresh after it (planChanged) drops it.
    signed_in.post(reverse("plans:comment-resolve", args=[plan.pk, fixed.pk]), **HTMX)
    page = signed_in.get(reverse("plans:check", args=[plan.pk]), **HTMX).content.decode()
    assert "к строкам (1)" in page and "Добавьте классы" not in page
    assert f'href="#row-{first.pk}">3.2.1.</a> Уточните сроки' in page

    # The last one fixed: the list goes, its box stays for the next refresh.
    signed_in.post(reverse("plans:comment-resolve", args=[plan.pk, kept.pk]), **HTMX)
    page = signed_in.get(reverse("plans:check", args=[plan.pk]), **HTMX).content.decode()
    assert '<div id="open-comments-box" hx-swap-oob="true">' in page
    assert 'id="open-comments"' not in page


def test_the_check_links_each_problem_to_its_block(signed_in, plan):
    page = signed_in.get(reverse("plans:check", args=[plan.pk])).content.decode()
    basic = item(plan, "3.4.12.")
    assert re.search(
        rf'<a class="link-danger" href="#item-{basic.pk}">6 класс: запланировано 0 ч из 40', page
    )
    fixed = plan.rows.get(fixed_item__code="4.1.")
    assert f'href="#row-{fixed.pk}">4.1.' in page
    # and the anchors are there on the editor page
    editor = signed_in.get(plan.get_absolute_url()).content.decode()
    assert f'id="item-{basic.pk}"' in editor and f'id="row-{fixed.pk}"' in editor


def test_the_refused_submit_links_to_the_blocks(signed_in, plan):
    signed_in.post(reverse("plans:submit", args=[plan.pk]), {"version": plan.version})
    page = signed_in.get(plan.get_absolute_url()).content.decode()
    refusal = page[page.index('id="submit-problems"') :]
    refusal = refusal[: refusal.index("</div>")]
    assert f'href="#item-{item(plan, "3.4.13").pk}">8 класс: запланировано 0 ч из 60' in refusal


def test_problems_stay_plain_text_for_everyone_else(plan):
    full = Plan.objects.for_editor().get(pk=plan.pk)
    problem = check_plan(full).problems[0]
    assert problem == str(problem) and problem.startswith("6 класс")
    assert problem.anchor == f"item-{item(plan, '3.4.12.').pk}"


# --- «Вернуть» after a delete ------------------------------------------------------------


def delete(client, plan, row, number="3.2.1."):
    return client.post(
        reverse("plans:row-delete", args=[plan.pk, row.pk]),
        {"version": version(plan), "number": number},
        **HTMX,
    )


def restore_token(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def test_a_deleted_row_comes_back_at_its_place_with_its_remarks(signed_in, plan, reviewer):
    row = plan.rows.filter(parent__code="3.2.").order_by("order").first()
    row.activity, row.hours, row.grades = "Встреча с выпускниками", 2, (6, 7)
    row.save()
    services.plan_comment_add(plan=plan, by=reviewer, text="Добавьте дату", row=row)
    response = delete(signed_in, plan, row)
    page = response.content.decode()
    assert "Строка 3.2.1. удалена: «Встреча с выпускниками»" in page
    assert "Вернуть" in page and 'hx-swap-oob="beforeend"' in page
    assert not PlanRow.objects.filter(pk=row.pk).exists()

    token = restore_token(response)
    restore = reverse("plans:row-restore", args=[plan.pk])
    response = signed_in.post(restore, {"token": token, "version": version(plan)}, **HTMX)
    assert response.status_code == 200
    back = plan.rows.filter(parent__code="3.2.").order_by("order", "pk").first()
    assert (back.activity, back.hours, back.grades) == ("Встреча с выпускниками", 2, (6, 7))
    assert 'data-number="3.2.1."' in line(response.content.decode(), "3.2.1.")
    assert "Встреча с выпускниками" in line(response.content.decode(), "3.2.1.")
    assert PlanComment.objects.get(text="Добавьте дату").row == back
    assert 'hx-swap-oob="delete"' in response.content.decode()  # the offer goes away

    # A second click makes no second row.
    count = plan.rows.count()
    signed_in.post(restore, {"token": token, "version": version(plan)}, **HTMX)
    assert plan.rows.count() == count


def test_undo_moves_the_plan_version_like_every_write(signed_in, plan):
    row = plan.rows.filter(parent__code="3.2.").first()
    token = restore_token(delete(signed_in, plan, row))
    before = version(plan)
    response = signed_in.post(
        reverse("plans:row-restore", args=[plan.pk]), {"token": token, "version": before}, **HTMX
    )
    assert version(plan) == before + 1
    assert f'"version": {before + 1}' in response["HX-Trigger"]


@pytest.mark.parametrize(
    "token, message",
    [
        ("", "Вернуть строку нельзя: ссылка повреждена."),
        ("abc:def", "Вернуть строку нельзя: ссылка повреждена."),
        ("%00" * 10, "Вернуть строку нельзя: ссылка повреждена."),
    ],
)
def test_a_bad_undo_token_gets_a_russian_message(signed_in, plan, token, message):
    response = signed_in.post(
        reverse("plans:row-restore", args=[plan.pk]),
        {"token": token, "version": version(plan)},
        **HTMX,
    )
    assert response.status_code == 422
    assert message in response.content.decode()


def test_undo_is_offered_for_a_while_only(signed_in, plan, monkeypatch):
    row = plan.rows.filter(parent__code="3.2.").first()
    token = restore_token(delete(signed_in, plan, row))
    later = time.time() + 16 * 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = signed_in.post(
        reverse("plans:row-restore", args=[plan.pk]),
        {"token": token, "version": version(plan)},
        **HTMX,
    )
    assert response.status_code == 422
    assert "Вернуть строку уже нельзя: прошло больше 15 минут." in response.content.decode()


def test_a_token_of_another_plan_puts_nothing_back(client, plan, other_plan, deputy, other_deputy):
    client.force_login(other_deputy)
    row = other_plan.rows.filter(parent__code="3.2.").first()
    token = restore_token(delete(client, other_plan, row))
    client.force_login(deputy)
    count = plan.rows.count()
    response = client.post(
        reverse("plans:row-restore", args=[plan.pk]),
        {"token": token, "version": version(plan)},
        **HTMX,
    )
    assert response.status_code == 422
    assert "Эта строка была удалена из другого плана." in response.content.decode()
    assert plan.rows.count() == count


# --- moving rows: buttons, dragging ----------------------------------------------------


def test_move_up_is_disabled_on_the_first_row_of_an_item(signed_in, plan):
    page = signed_in.get(plan.get_absolute_url()).content.decode()
    first = line(page, "3.2.1.")
    assert re.search(r'data-direction="up" disabled title="Строка 3\.2\.1\. – первая', first)
    assert 'data-direction="down" title="Переместить ниже' in first
    second = line(page, "3.2.2.")
    assert 'data-direction="up" title="Переместить выше' in second
    last = line(page, "3.2.7.")
    assert re.search(r'data-direction="down" disabled', last)


def place(client, plan, row, after):
    return client.post(
        reverse("plans:row-move", args=[plan.pk, row.pk]),
        {"after": after, "version": version(plan)},
        **HTMX,
    )


def activities(plan, code):
    return list(
        PlanRow.objects.filter(plan=plan, parent__code=code)
        .order_by("anchor_id", "order", "pk")
        .values_list("activity", flat=True)
    )


def test_a_dragged_row_lands_below_the_row_it_was_dropped_under(signed_in, plan):
    rows = list(plan.rows.filter(parent__code="3.2.").order_by("order"))
    for index, row in enumerate(rows):
        row.activity = f"строка {index + 1}"
        row.save()
    response = place(signed_in, plan, rows[0], f"row-{rows[3].pk}")
    assert response.status_code == 200
    assert activities(plan, "3.2.")[:5] == [
        "строка 2",
        "строка 3",
        "строка 4",
        "строка 1",
        "строка 5",
    ]
    assert "строка 1" in line(response.content.decode(), "3.2.4.")
    # dropped right under the item's own heading: first
    place(signed_in, plan, rows[0], f"item-{item(plan, '3.2.').pk}")
    assert activities(plan, "3.2.")[0] == "строка 1"


def test_a_row_dragged_below_a_heading_of_its_item_joins_the_run_after_it(signed_in, plan):
    row = plan.rows.get(parent__code="3.1.", anchor__code="3.1.3.")  # 3.1.4, after 3.1.3
    row.activity = "Переезжаю"
    row.save()
    # 3.1.2 is a row before 3.1.3's subtree: put it there, then under 3.1.3's last line.
    before = plan.rows.filter(parent__code="3.1.", anchor=None).order_by("order").first()
    place(signed_in, plan, row, f"row-{before.pk}")
    row.refresh_from_db()
    assert row.anchor_id is None
    last_of_313 = plan.rows.filter(parent__code="3.1.3.").order_by("-order").first()
    place(signed_in, plan, row, f"row-{last_of_313.pk}")
    row.refresh_from_db()
    assert row.anchor == item(plan, "3.1.3.") and row.order == 1


@pytest.mark.parametrize(
    "after", ["item-{other}", "row-{foreign}", "row-abc", "zzz", "", "item-99999999999"]
)
def test_a_row_cannot_be_dragged_out_of_its_item(signed_in, plan, after):
    row = plan.rows.filter(parent__code="3.2.").first()
    foreign = (
        plan.rows.filter(parent__code="3.3.").first()
        or plan.rows.exclude(parent__code="3.2.").filter(fixed_item=None).first()
    )
    before = version(plan)
    response = place(
        signed_in, plan, row, after.format(other=item(plan, "3.4.").pk, foreign=foreign.pk)
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Строку можно перемещать только внутри её пункта плана" in page or (
        "не найдена: обновите страницу" in page
    )
    assert version(plan) == before  # nothing was written


# --- hooks of the browser's drafts ------------------------------------------------------


def test_drafts_are_keyed_by_user_and_know_when_the_row_was_saved(signed_in, plan, deputy):
    row = plan.rows.filter(parent__code="3.2.").first()
    page = signed_in.get(plan.get_absolute_url()).content.decode()
    assert f'data-plan="{plan.pk}" data-user="{deputy.pk}" data-editable' in page
    stamp = re.search(r'data-stamp="(\d+)"', line(page, "3.2.1.")).group(1)
    assert int(stamp) == int(row.updated_at.timestamp() * 1_000_000)
    form = signed_in.get(reverse("plans:row-edit", args=[plan.pk, row.pk]), **HTMX).content.decode()
    assert f'data-row-stamp="{stamp}"' in form
    assert "Сохранено" in form and "data-unsaved" not in form


def test_a_form_sent_back_with_errors_is_marked_unsaved(signed_in, plan):
    row = (
        plan.rows.filter(parent__code="3.4.12.1.").first()
        or plan.rows.filter(parent__code="3.2.").first()
    )
    response = signed_in.post(
        reverse("plans:row-edit", args=[plan.pk, row.pk]),
        {"activity": "Текст", "links": "не ссылка", "version": version(plan)},
        **HTMX,
    )
    assert response.status_code == 422
    assert "data-unsaved" in response.content.decode()
    assert "Не сохранено" in response.content.decode()


def test_a_new_row_form_keeps_its_client_token_for_a_reopened_draft(signed_in, plan):
    parent = item(plan, "3.2.")
    token = str(uuid.uuid4())
    data = {
        "parent": parent.pk,
        "client_token": token,
        "activity": "Один раз",
        "version": version(plan),
    }
    signed_in.post(reverse("plans:row-add", args=[plan.pk]), data, **HTMX)
    data["version"] = version(plan)
    signed_in.post(reverse("plans:row-add", args=[plan.pk]), data, **HTMX)
    assert plan.rows.filter(activity="Один раз").count() == 1
