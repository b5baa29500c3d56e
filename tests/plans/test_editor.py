"""The deputy director's editor: what the page shows and what each action does."""

import re
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from plans import services
from plans.models import Plan, PlanRow, PlanStatus, TemplateItem
from tests.factories import SchoolFactory, add_row, make_plan
from tests.signin import log_in

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def item(plan, code):
    return TemplateItem.objects.get(year=plan.year, code=code)


def version(plan):
    return Plan.objects.get(pk=plan.pk).version


def add(client, plan, code, **fields):
    data = {
        "parent": item(plan, code).pk,
        "version": version(plan),
        "client_token": str(uuid.uuid4()),
        "activity": "Экскурсия на завод",
        "period": "октябрь",
        **fields,
    }
    return client.post(reverse("plans:row-add", args=[plan.pk]), data, **HTMX)


@pytest.fixture
def signed_in(client, deputy):
    client.force_login(deputy)
    return client


# --- who sees what -------------------------------------------------------------


def test_deputy_opens_the_plan_as_the_document(signed_in, plan):
    page = signed_in.get(plan.get_absolute_url()).content.decode()
    for text in (
        "№ п/п",
        "Направления деятельности/ мероприятия",  # the seed's header words, exactly
        "Сроки",
        "Ответственные, исполнители",
        "Документы для ознакомления и учёта при планировании",
        "Ссылки на документ",
        "Результаты деятельности",
    ):
        assert text in page
    assert (
        page.index(">1.1.<")
        < page.index(">3.4.12.<")
        < page.index(">3.4.14.7.<")
        < page.index(">5.1.<")
    )
    assert "Добавить мероприятие" in page
    assert "Проверка профминимума" in page
    assert "{#" not in page and "{%" not in page  # no template syntax leaks onto the page


@pytest.mark.parametrize("url_name", ["plans:edit", "plans:check"])
def test_another_school_gets_404(client, other_deputy, plan, url_name):
    client.force_login(other_deputy)
    assert client.get(reverse(url_name, args=[plan.pk])).status_code == 404


def test_another_school_cannot_touch_rows(client, other_deputy, plan):
    client.force_login(other_deputy)
    row = plan.rows.filter(fixed_item=None).first()
    for name in ("plans:row", "plans:row-edit"):
        assert client.get(reverse(name, args=[plan.pk, row.pk])).status_code == 404
    for name in ("plans:row-edit", "plans:row-delete", "plans:row-move"):
        assert (
            client.post(
                reverse(name, args=[plan.pk, row.pk]), {"version": plan.version}
            ).status_code
            == 404
        )
    assert (
        client.post(
            reverse("plans:row-add", args=[plan.pk]), {"parent": item(plan, "I.").pk}
        ).status_code
        == 404
    )
    assert client.post(reverse("plans:submit", args=[plan.pk])).status_code == 404
    assert PlanRow.objects.filter(pk=row.pk).exists()


def test_a_row_of_another_plan_through_my_plan_is_404(signed_in, plan, other_plan):
    foreign = other_plan.rows.filter(fixed_item=None).first()
    url = reverse("plans:row-edit", args=[plan.pk, foreign.pk])
    assert signed_in.post(url, {"activity": "чужая", "version": plan.version}).status_code == 404
    assert (
        signed_in.post(
            reverse("plans:row-delete", args=[plan.pk, foreign.pk]), {"version": plan.version}
        ).status_code
        == 404
    )
    foreign.refresh_from_db()
    assert foreign.activity == ""


def test_coordinator_reads_municipality_plans_without_edit_buttons(client, coordinator, plan):
    client.force_login(coordinator)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Добавить мероприятие" not in page and "Сдать на рассмотрение" not in page
    other_municipality = make_plan(
        SchoolFactory(
            municipality=plan.school.municipality.__class__.objects.exclude(
                pk=plan.school.municipality_id
            ).first()
        )
    )
    assert client.get(other_municipality.get_absolute_url()).status_code == 404
    row = plan.rows.filter(fixed_item=None).first()
    assert (
        client.post(
            reverse("plans:row-edit", args=[plan.pk, row.pk]), {"activity": "x"}
        ).status_code
        == 404
    )


def test_signed_out_user_goes_to_login(client, plan):
    response = client.get(plan.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_expired_session_on_htmx_gets_401_not_the_login_page(client, plan):
    row = plan.rows.filter(fixed_item=None).first()
    response = client.post(
        reverse("plans:row-edit", args=[plan.pk, row.pk]), {"activity": "x"}, **HTMX
    )
    assert response.status_code == 401


# --- adding, editing, deleting, moving --------------------------------------------


def test_add_row_renumbers_and_shows_it(signed_in, plan):
    response = add(signed_in, plan, "3.1.", activity="Приказ о профминимуме")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Приказ о профминимуме" in page
    row = PlanRow.objects.get(plan=plan, activity="Приказ о профминимуме")
    assert f'id="row-{row.pk}" class="line-row" data-number="3.1.5."' in page  # after 3.1.4
    assert response["HX-Retarget"] == "#plan-table"


def test_double_submitted_add_form_creates_one_row(signed_in, plan):
    data = {
        "parent": item(plan, "3.2.").pk,
        "version": plan.version,
        "client_token": str(uuid.uuid4()),
        "activity": "Одна строка",
    }
    url = reverse("plans:row-add", args=[plan.pk])
    assert signed_in.post(url, data, **HTMX).status_code == 200
    assert signed_in.post(url, data, **HTMX).status_code == 200  # the same form again, old version
    assert PlanRow.objects.filter(plan=plan, activity="Одна строка").count() == 1


def test_rows_in_a_level_block_ask_for_hours_and_grades(signed_in, plan):
    response = add(signed_in, plan, "3.4.13.5.", activity="Родительское собрание")
    assert response.status_code == 422
    page = response.content.decode()
    assert "Укажите, сколько часов занимает мероприятие в каждом классе." in page
    assert "Отметьте классы, для которых проводится мероприятие." in page
    assert "Родительское собрание" in page  # what was typed stays

    response = add(
        signed_in,
        plan,
        "3.4.13.5.",
        activity="Родительское собрание",
        hours="1,5",
        grades=["8", "9"],
    )
    assert response.status_code == 200
    row = PlanRow.objects.get(plan=plan, activity="Родительское собрание")
    assert row.hours == Decimal("1.5") and row.grades == (8, 9)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"hours": "-2", "grades": ["8"]}, "Количество часов не может быть отрицательным."),
        ({"hours": "2", "grades": ["12"]}, "Класс 12 вне диапазона 6–11."),
        ({"hours": "два", "grades": ["8"]}, "Введите число часов, например 34 или 1,5."),
        ({"hours": "2", "grades": ["8"], "links": "javascript:alert(1)"}, "не ссылка на документ"),
        (
            {"hours": "2", "grades": ["8"], "start_date": "2024-05-01", "end_date": "2023-10-01"},
            "Дата окончания раньше даты начала.",
        ),
        (
            {"hours": "2", "grades": ["8"], "start_date": "2025-01-10"},
            "Дата вне учебного года 2023-2024",
        ),
    ],
)
def test_bad_input_gets_a_russian_message_and_keeps_the_text(signed_in, plan, fields, message):
    response = add(
        signed_in,
        plan,
        "3.4.13.1.",
        activity="Урок-экскурсия «Профессии Кабардино-Балкарии»",
        **fields,
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page
    assert "Урок-экскурсия «Профессии Кабардино-Балкарии»" in page
    assert not PlanRow.objects.filter(plan=plan, activity__startswith="Урок-экскурсия").exists()


def test_catalogue_prefills_the_new_row_and_picks_the_heading_of_its_direction(signed_in, plan):
    from plans.models import ActivityTemplate

    course = ActivityTemplate.objects.get(
        year=plan.year, title__startswith="Курс внеурочной деятельности"
    )
    response = signed_in.get(
        reverse("plans:row-new", args=[plan.pk]),
        {"parent": item(plan, "3.4.13.1.").pk, "activity": course.pk},
        **HTMX,
    )
    page = response.content.decode()
    assert course.title in page
    assert 'value="34,0"' in page
    assert f'name="parent" value="{item(plan, "3.4.13.2.").pk}"' in page  # внеурочная деятельность


def test_edit_row_saves_and_returns_the_row(signed_in, plan):
    row = plan.rows.filter(fixed_item=None, parent__code="3.2.").order_by("order").first()
    response = signed_in.post(
        reverse("plans:row-edit", args=[plan.pk, row.pk]),
        {"activity": "Информирование родителей", "period": "сентябрь", "version": plan.version},
        **HTMX,
    )
    assert response.status_code == 200
    assert "Информирование родителей" in response.content.decode()
    assert '"planChanged"' in response["HX-Trigger"] and '"draftSaved"' in response["HX-Trigger"]
    row.refresh_from_db()
    assert row.activity == "Информирование родителей"
    assert version(plan) == plan.version + 1


def test_stale_version_is_a_conflict_that_keeps_my_text(signed_in, plan):
    row = plan.rows.filter(fixed_item=None).first()
    url = reverse("plans:row-edit", args=[plan.pk, row.pk])
    signed_in.post(url, {"activity": "Текст первой вкладки", "version": plan.version}, **HTMX)
    response = signed_in.post(
        url, {"activity": "Текст второй вкладки", "version": plan.version}, **HTMX
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "План уже изменён в другой вкладке или другим пользователем" in page
    assert "Текст второй вкладки" in page and "Текст первой вкладки" in page
    row.refresh_from_db()
    assert row.activity == "Текст первой вкладки"


def test_fixed_activity_takes_columns_3_to_7(signed_in, plan):
    fixed = plan.rows.get(fixed_item__code="4.1.")
    response = signed_in.post(
        reverse("plans:row-edit", args=[plan.pk, fixed.pk]),
        {
            "period": "декабрь, май",
            "responsible": "Заместитель директора",
            "activity": "подмена",
            "version": plan.version,
        },
        **HTMX,
    )
    assert response.status_code == 200
    fixed.refresh_from_db()
    assert (fixed.period, fixed.responsible, fixed.activity) == (
        "декабрь, май",
        "Заместитель директора",
        "",
    )


def test_delete_renumbers_following_rows(signed_in, plan):
    first = plan.rows.filter(parent__code="3.2.").order_by("order").first()
    response = signed_in.post(
        reverse("plans:row-delete", args=[plan.pk, first.pk]), {"version": plan.version}, **HTMX
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert ">3.2.6.<" in page and ">3.2.7.<" not in page
    assert not PlanRow.objects.filter(pk=first.pk).exists()


def test_fixed_activities_cannot_be_deleted(signed_in, plan):
    fixed = plan.rows.get(fixed_item__code="5.1.")
    assert (
        signed_in.post(
            reverse("plans:row-delete", args=[plan.pk, fixed.pk]), {"version": plan.version}
        ).status_code
        == 404
    )


def test_move_row_up_past_a_heading(signed_in, plan):
    row = plan.rows.get(parent__code="3.1.", anchor__code="3.1.3.")  # 3.1.4
    row.activity = "Переезжаю"
    row.save()
    response = signed_in.post(
        reverse("plans:row-move", args=[plan.pk, row.pk]),
        {"direction": "up", "version": plan.version},
        **HTMX,
    )
    assert response.status_code == 200
    # The row's number cell also holds the drag handle: the line is 3.1.3., then its text.
    assert re.search(
        r'data-number="3\.1\.3\."[^>]*><td class="line-number">(<i [^>]*></i>)?3\.1\.3\.</td>'
        r'<td class="preserve-lines">Переезжаю',
        response.content.decode(),
    )


def test_move_row_within_its_run(signed_in, plan):
    rows = list(plan.rows.filter(parent__code="3.2.").order_by("order"))
    rows[1].activity = "вторая"
    rows[1].save()
    signed_in.post(
        reverse("plans:row-move", args=[plan.pk, rows[1].pk]),
        {"direction": "up", "version": plan.version},
        **HTMX,
    )
    assert (
        list(
            plan.rows.filter(parent__code="3.2.")
            .order_by("order")
            .values_list("activity", flat=True)
        )[0]
        == "вторая"
    )


def test_levels_decide_which_blocks_are_shown(signed_in, plan, levels):
    data = {f"grade_{g}": levels["main"].pk for g in range(6, 12)} | {"version": plan.version}
    response = signed_in.post(reverse("plans:levels", args=[plan.pk]), data, **HTMX)
    page = response.content.decode()
    assert ">3.4.13.<" in page and ">3.4.12.<" not in page and ">3.4.14.<" not in page
    assert set(plan.grades.values_list("level__code", flat=True)) == {"main"}


def test_posted_school_status_and_plan_fields_are_ignored(signed_in, plan, other_plan):
    row = plan.rows.filter(fixed_item=None).first()
    signed_in.post(
        reverse("plans:row-edit", args=[plan.pk, row.pk]),
        {
            "activity": "x",
            "plan": other_plan.pk,
            "status": "approved",
            "school": other_plan.school_id,
            "version": plan.version,
        },
        **HTMX,
    )
    row.refresh_from_db()
    plan.refresh_from_db()
    assert (
        row.plan_id == plan.pk
        and plan.status == PlanStatus.DRAFT
        and plan.school_id != other_plan.school_id
    )


def test_script_in_a_row_stays_text(signed_in, plan):
    add_row(
        plan, "3.2.", activity="<script>alert('x')</script>", links="https://example.org/?q=<b>"
    )
    page = signed_in.get(plan.get_absolute_url()).content.decode()
    assert "<script>alert('x')</script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


# --- submitting -------------------------------------------------------------------


def complete(plan):
    """Fill a plan so that the профминимум check passes."""
    used_blocks = {"basic": "3.4.12.", "main": "3.4.13", "advanced": "3.4.14"}
    grades_by_level = {}
    for grade in plan.grades.select_related("level"):
        if grade.level:
            grades_by_level.setdefault(grade.level.code, []).append(grade.grade)
    for code, grades in grades_by_level.items():
        block = TemplateItem.objects.get(year=plan.year, code=used_blocks[code])
        for heading in block.children.exclude(direction=None):
            add_row(
                plan,
                heading.code,
                activity=f"Мероприятие: {heading.title}",
                hours=Decimal(12),
                grades=tuple(grades),
            )
    PlanRow.objects.filter(plan=plan, fixed_item__isnull=False).update(
        period="май", responsible="Заместитель директора"
    )


def test_submit_is_refused_with_every_problem(signed_in, plan):
    response = signed_in.post(
        reverse("plans:submit", args=[plan.pk]), {"version": plan.version}, follow=True
    )
    page = response.content.decode()
    assert "План не сдан." in page
    assert "6 класс: запланировано 0 ч из 40 (базовый уровень)" in page
    assert "не указаны сроки и ответственные" in page
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_submit_freezes_the_plan(signed_in, plan, run_worker):
    complete(plan)
    response = signed_in.post(
        reverse("plans:submit", args=[plan.pk]), {"version": version(plan)}, follow=True
    )
    page = response.content.decode()
    assert "План сдан на рассмотрение" in page
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED and plan.submitted_at
    submission = plan.submissions.get()
    assert not submission.pdf  # the worker draws it, not the submit
    run_worker()
    submission.refresh_from_db()
    assert submission.pdf.read().startswith(b"%PDF")
    assert any(line["number"] == "3.4.12.1.1." for line in submission.snapshot)
    assert "Добавить мероприятие" not in page
    # Read-only now: edits are refused with a message and change nothing.
    row = plan.rows.filter(fixed_item=None).first()
    response = signed_in.post(
        reverse("plans:row-edit", args=[plan.pk, row.pk]),
        {"activity": "после сдачи", "version": plan.version},
        **HTMX,
    )
    assert response.status_code == 409
    assert "План сдан на рассмотрение или утверждён" in response.content.decode()
    row.refresh_from_db()
    assert row.activity != "после сдачи"


def test_submit_with_a_stale_version_is_refused(signed_in, plan):
    complete(plan)
    signed_in.post(
        reverse("plans:submit", args=[plan.pk]), {"version": plan.version - 1}, follow=True
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


# --- starting a plan ----------------------------------------------------------------


def test_home_offers_to_start_this_years_plan(signed_in, school):
    page = signed_in.get(reverse("plans:home")).content.decode()
    assert "План на 2023-2024 учебный год ещё не начат" in page
    response = signed_in.post(
        reverse("plans:start"),
        {"year": Plan._meta.get_field("year").related_model.objects.get().pk, "mode": "empty"},
    )
    plan = Plan.objects.get(school=school)
    assert response["Location"] == plan.get_absolute_url()
    # Every blank row of the seed and every fixed activity, nothing else.
    assert (
        plan.rows.count()
        == TemplateItem.objects.filter(year=plan.year, kind__in=["row", "fixed"]).count()
        == 46
    )


def test_start_twice_opens_the_same_plan(signed_in, school, year):
    first = signed_in.post(reverse("plans:start"), {"year": year.pk, "mode": "empty"})
    second = signed_in.post(reverse("plans:start"), {"year": year.pk, "mode": "empty"})
    assert first["Location"] == second["Location"]
    assert Plan.objects.filter(school=school).count() == 1


def test_reviewer_cannot_start_a_plan(client, reviewer, year):
    log_in(client, reviewer)
    assert client.post(reverse("plans:start"), {"year": year.pk}).status_code == 403


# --- query counts ------------------------------------------------------------------


def big(plan, rows):
    parent = item(plan, "3.2.")
    PlanRow.objects.bulk_create(
        PlanRow(plan=plan, parent=parent, order=100 + i, activity=f"Мероприятие {i}")
        for i in range(rows)
    )


@pytest.mark.parametrize("rows", [10, 300])
def test_editor_queries_do_not_grow_with_rows(signed_in, plan, rows, django_assert_num_queries):
    big(plan, rows)
    # First opening: session, user, the plan with school, municipality and year (its
    # version and the year's reference revision make the cache key); then the bundle
    # (plan with school, municipality, year and self-analysis; grades; rows; template
    # items; levels; directions; section II indicators), the centre's comments,
    # submitted versions, status history; then the sliding session's save
    # (SESSION_SAVE_EVERY_REQUEST): savepoint, update, release.
    with django_assert_num_queries(16):
        assert signed_in.get(plan.get_absolute_url()).status_code == 200
    # Opened again, unchanged: the content comes from the cache.
    with django_assert_num_queries(6):
        assert signed_in.get(plan.get_absolute_url()).status_code == 200


def test_coordinator_sees_remarks_without_answer_buttons(client, coordinator, plan, reviewer):
    row = plan.rows.filter(parent__code="3.2.").first()
    services.plan_comment_add(plan=plan, by=reviewer, text="Замечание центра", row=row)
    client.force_login(coordinator)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert (
        "Замечание центра" in page
        and "Ответить" not in page
        and "Отметить как исправленное" not in page
    )


def test_a_300_row_plan_saves_in_the_admin(client, superuser, plan):
    """A reviewer's save posts every row: far more fields than Django's default limit."""
    big(plan, 300)
    log_in(client, superuser)
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name, field in management.fields.items():
            data[f"{management.prefix}-{name}"] = management.initial.get(name, field.initial)
        for form_ in formset.formset.forms:
            for name, field in form_.fields.items():
                value = form_.initial.get(name, field.initial)
                if isinstance(value, (list, tuple)):
                    data[f"{form_.prefix}-{name}"] = [str(v) for v in value]
                elif value is not None:
                    data[f"{form_.prefix}-{name}"] = value.pk if hasattr(value, "pk") else value
    assert not form.fields  # school, year and status are read-only on the reviewers' screen
    assert len(data) > 1000
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_each_submitted_version_can_be_downloaded_later(
    signed_in, plan, client, other_deputy, run_worker
):
    complete(plan)
    signed_in.post(reverse("plans:submit", args=[plan.pk]), {"version": version(plan)})
    waiting = signed_in.get(reverse("plans:submission-pdf", args=[plan.pk, 1]))
    assert "Документ формируется" in waiting.content.decode()
    run_worker()
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.RETURNED)  # the centre returned it
    add_row(plan, "3.2.", activity="Добавлено после возврата")
    page = signed_in.get(plan.get_absolute_url()).content.decode()
    assert "№ 1 от" in page
    response = signed_in.get(reverse("plans:submission-pdf", args=[plan.pk, 1]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    client.force_login(other_deputy)
    assert client.get(reverse("plans:submission-pdf", args=[plan.pk, 1])).status_code == 404


def test_csrf_failure_is_explained_in_russian(plan, deputy):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(deputy)
    row = plan.rows.filter(fixed_item=None).first()
    response = client.post(reverse("plans:row-edit", args=[plan.pk, row.pk]), {"activity": "x"})
    assert response.status_code == 403
    assert "Страница устарела" in response.content.decode()
    response = client.post(
        reverse("plans:row-edit", args=[plan.pk, row.pk]), {"activity": "x"}, **HTMX
    )
    assert "Введённый текст сохранён в браузере" in response.content.decode()
