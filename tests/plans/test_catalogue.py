"""The catalogue of typical activities: the centre writes it (add, edit, move, delete,
the names of levels and directions), schools pick from it grouped by direction and
level, the current block's level first."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import COORDINATOR, DEPUTY, ensure_roles
from plans import services
from plans.models import ActivityTemplate, Direction, Level, SchoolYear, TemplateItem
from plans.regional_template.services import template_unpublished_changes
from tests.signin import log_in

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def centre(client, reviewer):
    log_in(client, reviewer)
    return client


def direction(year, code):
    return Direction.objects.get(year=year, code=code)


def level(year, code):
    return Level.objects.get(year=year, code=code)


def revision(year) -> int:
    return SchoolYear.objects.get(pk=year.pk).reference_revision


def group_titles(page: str) -> list[str]:
    return re.findall(r'class="catalogue-group-title[^"]*">([^<]+)<', page)


def line_order(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr id="activity-(\d+)"', page)]


def catalogue_url(year):
    return reverse("plans:catalogue", args=[year.pk])


# --- the centre's pages ---------------------------------------------------------------


def test_the_catalogue_page_lists_activities_by_direction_and_level_with_hours(centre, year):
    advanced = level(year, "advanced")
    page = centre.get(catalogue_url(year)).content.decode()
    assert "Каталог типовых мероприятий на 2023-2024 учебный год" in page
    assert "В каталоге 16." in page
    parents = page.index("Взаимодействие с родителями (законными представителями)</h2>")
    meeting = ActivityTemplate.objects.get(year=year, title="Всероссийское родительское собрание")
    assert page.index(f'id="activity-{meeting.pk}"') > parents
    assert re.search(
        rf'id="activity-{meeting.pk}".*?<span class="badge[^"]*">2 ч</span>', page, re.S
    )
    # ПРОФОБУЧЕНИЕ belongs to the advanced block: its group says so.
    vocational = page[page.index("Профессиональное обучение</h2>") :]
    assert vocational.index(f"Продвинутый уровень (не менее {advanced.min_hours} ч в год)") < (
        vocational.index("</section>")
    )
    assert "Общие мероприятия (разделы I–III)</h2>" in page


def test_the_centre_adds_an_activity_last_in_its_group(centre, year):
    upbringing, basic = direction(year, "upbringing"), level(year, "basic")
    form = centre.get(
        reverse("plans:catalogue-new", args=[year.pk]),
        {"direction": upbringing.pk, "level": "abc"},
    ).content.decode()
    assert f'<option value="{upbringing.pk}" selected>' in form
    before = revision(year)
    response = centre.post(
        reverse("plans:catalogue-new", args=[year.pk]),
        {
            "title": "Встреча с выпускниками\vколледжей",
            "direction": upbringing.pk,
            "level": basic.pk,
            "typical_hours": "1,5",
            "period": "декабрь",
            "responsible": "Классные руководители",
            "links": "https://bvbinfo.ru/",
        },
        follow=True,
    )
    activity = ActivityTemplate.objects.get(year=year, title="Встреча с выпускниками\nколледжей")
    assert (activity.direction, activity.level, str(activity.typical_hours)) == (
        upbringing,
        basic,
        "1.5",
    )
    assert activity.order == ActivityTemplate.objects.filter(year=year).count()
    page = response.content.decode()
    assert "добавлено в каталог" in page
    assert "Базовый уровень (не менее 40 ч в год)" in page
    assert "1,5 ч" in page
    assert revision(year) > before  # the schools' editor pages show it at once


def test_a_refused_form_keeps_everything_typed(centre, year):
    long_title = "Экскурсия " * 800
    response = centre.post(
        reverse("plans:catalogue-new", args=[year.pk]),
        {
            "title": long_title,
            "typical_hours": "-2",
            "links": "bvbinfo.ru",
            "responsible": "Педагог-навигатор",
            "direction": "99999999999999999999",
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Введённый текст остался в форме" in page
    assert "Текст слишком длинный" in page
    assert "Количество часов не может быть отрицательным." in page
    assert "«bvbinfo.ru» – не ссылка на документ" in page
    assert "Выберите направление из списка." in page
    assert "Педагог-навигатор" in page and "bvbinfo.ru" in page
    assert long_title.strip() in page  # nothing typed is lost
    assert not ActivityTemplate.objects.filter(responsible="Педагог-навигатор", period="").exists()


def test_a_level_without_the_direction_in_its_block_is_refused(centre, year):
    activity = ActivityTemplate.objects.get(year=year, direction__code="vocational_training")
    url = reverse("plans:catalogue-activity", args=[year.pk, activity.pk])
    response = centre.post(
        url,
        {
            "title": activity.title,
            "direction": activity.direction_id,
            "level": level(year, "basic").pk,
        },
    )
    assert response.status_code == 422
    assert (
        "В блоке уровня «базовый» примерного плана нет направления «Профессиональное обучение»"
        in response.content.decode()
    )
    activity.refresh_from_db()
    assert activity.level.code == "advanced"


def test_the_centre_edits_every_field(centre, year):
    activity = ActivityTemplate.objects.get(year=year, title="Классные часы «Мир профессий»")
    url = reverse("plans:catalogue-activity", args=[year.pk, activity.pk])
    assert "Классные часы «Мир профессий»" in centre.get(url).content.decode()
    data = {
        "title": "Классные часы «Калейдоскоп профессий»",
        "direction": direction(year, "extracurricular").pk,
        "level": level(year, "main").pk,
        "typical_hours": "8",
        "period": "ежемесячно, по пятницам",
        "responsible": "Классные руководители 8–9 классов",
        "documents": "Рабочая программа воспитания",
        "links": "https://bvbinfo.ru/\nhttps://edu.gov.ru/",
        "results": "Проведено 8 классных часов",
    }
    response = centre.post(url, data)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#activity-{activity.pk}")
    activity.refresh_from_db()
    assert activity.title == data["title"]
    assert (activity.direction.code, activity.level.code, activity.typical_hours) == (
        "extracurricular",
        "main",
        8,
    )
    assert (activity.period, activity.responsible, activity.documents, activity.results) == (
        data["period"],
        data["responsible"],
        data["documents"],
        data["results"],
    )
    assert activity.links == data["links"]
    assert activity.history.filter(title=data["title"]).exists()  # in the history


def test_moves_follow_the_group_and_the_ends_say_so(centre, year):
    first, second = ActivityTemplate.objects.filter(year=year, direction__code="parents").order_by(
        "order"
    )
    action = "plans:catalogue-activity-action"
    centre.post(reverse(action, args=[year.pk, second.pk]), {"action": "up"})
    page = centre.get(catalogue_url(year)).content.decode()
    order = line_order(page)
    assert order.index(second.pk) < order.index(first.pk)
    # The first of its group cannot go up: the button is disabled, the service says why.
    assert re.search(rf'id="activity-{second.pk}".*?value="up"[^>]*disabled', page, re.S)
    refused = centre.post(reverse(action, args=[year.pk, second.pk]), {"action": "up"}, follow=True)
    assert "Мероприятие уже первое в своей группе." in refused.content.decode()
    centre.post(reverse(action, args=[year.pk, second.pk]), {"action": "down"})
    order = line_order(centre.get(catalogue_url(year)).content.decode())
    assert order.index(first.pk) < order.index(second.pk)
    unknown = centre.post(reverse(action, args=[year.pk, first.pk]), {"action": "x"}, follow=True)
    assert "Неизвестное действие." in unknown.content.decode()


def test_the_centre_deletes_an_activity(centre, year):
    activity = ActivityTemplate.objects.get(year=year, title="Классные часы «Мир профессий»")
    response = centre.post(
        reverse("plans:catalogue-activity-action", args=[year.pk, activity.pk]),
        {"action": "delete"},
        follow=True,
    )
    assert "Мероприятие «Классные часы «Мир профессий»» удалено из каталога." in (
        response.content.decode()
    )
    assert not ActivityTemplate.objects.filter(pk=activity.pk).exists()
    assert "В каталоге 15." in response.content.decode()


def test_searching_folds_case_and_yo_in_russian(centre, year):
    page = centre.get(catalogue_url(year), {"q": "РОДИТЕЛЬСКОЕ собрание"}).content.decode()
    assert "Найдено: 1 из 16." in page
    meeting = ActivityTemplate.objects.get(year=year, title="Всероссийское родительское собрание")
    shown = re.findall(r'<tr id="activity-(\d+)"[^>]*data-search="[^"]*"(?! hidden)>', page)
    assert shown == [str(meeting.pk)]
    # A level's name finds its groups; a search that finds nothing says what to do.
    assert (
        "Найдено: 2 из 16."
        in centre.get(catalogue_url(year), {"q": "продвинутый"}).content.decode()
    )
    nothing = centre.get(catalogue_url(year), {"q": "ёжик"}).content.decode()
    assert "Найдено: 0 из 16." in nothing
    assert re.search(r'<p class="catalogue-empty[^"]*">Ничего не найдено', nothing)


def test_the_template_page_links_to_the_catalogue(centre, year):
    page = centre.get(reverse("plans:template", args=[year.pk])).content.decode()
    assert f'href="{catalogue_url(year)}"' in page


def test_the_catalogue_page_costs_the_same_queries_for_300_activities(centre, year):
    url = catalogue_url(year)
    centre.get(url)
    with CaptureQueriesContext(connection) as few:
        assert centre.get(url).status_code == 200
    directions, levels = (
        list(Direction.objects.filter(year=year)),
        [None, *Level.objects.filter(year=year)],
    )
    ActivityTemplate.objects.bulk_create(
        ActivityTemplate(
            year=year,
            title=f"Мероприятие № {i}",
            direction=directions[i % len(directions)],
            level=levels[i % len(levels)],
            typical_hours=i % 7,
        )
        for i in range(300)
    )
    with CaptureQueriesContext(connection) as many:
        page = centre.get(url).content.decode()
    assert "В каталоге 316." in page
    # session, user, the device that passed the second factor, the year, its activities
    # with their directions and levels, its directions; the session's renewal
    # (savepoint, update, release)
    assert len(many) == len(few) == 9, "\n".join(q["sql"][:150] for q in many)


# --- names of levels and directions, on the template page -------------------------------


def test_the_centre_renames_a_level_and_a_direction(centre, year):
    basic, parents = level(year, "basic"), direction(year, "parents")
    url = reverse("plans:template-levels", args=[year.pk])
    response = centre.post(
        url,
        {
            f"name-{basic.pk}": "  начальный ",
            f"level-{basic.pk}": "42",
            f"direction-{parents.pk}": "Работа с родителями",
        },
        follow=True,
    )
    assert "Уровни и направления сохранены." in response.content.decode()
    basic.refresh_from_db()
    parents.refresh_from_db()
    assert (basic.name, basic.min_hours, parents.name) == ("начальный", 42, "Работа с родителями")
    assert basic.history.filter(name="начальный").exists()
    assert parents.history.filter(name="Работа с родителями").exists()
    page = centre.get(reverse("plans:template", args=[year.pk])).content.decode()
    assert 'value="начальный"' in page and 'value="Работа с родителями"' in page
    catalogue = centre.get(catalogue_url(year)).content.decode()
    assert "Работа с родителями</h2>" in catalogue


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name-basic", "   ", "Название уровня не может быть пустым."),
        ("name-basic", "Основной", "Уровень «Основной» в этом году уже есть"),
        ("name-basic", "б" * 101, "Название уровня слишком длинное: 101 знаков"),
        ("direction-parents", "", "Название направления не может быть пустым."),
        ("direction-parents", "урочная деятельность", "Направление «урочная деятельность» в этом"),
    ],
)
def test_a_bad_name_is_refused_and_nothing_is_saved(centre, year, field, value, message):
    basic, parents = level(year, "basic"), direction(year, "parents")
    name = f"name-{basic.pk}" if field == "name-basic" else f"direction-{parents.pk}"
    data = {f"level-{basic.pk}": "45", f"direction-{parents.pk}": parents.name, name: value}
    response = centre.post(reverse("plans:template-levels", args=[year.pk]), data, follow=True)
    assert message in response.content.decode()
    basic.refresh_from_db()
    parents.refresh_from_db()
    # All or nothing: the hours typed beside the bad name are not saved either.
    assert (basic.name, basic.min_hours) == ("базовый", 40)
    assert parents.name == "Взаимодействие с родителями (законными представителями)"


def test_the_services_strip_control_characters_from_names(year):
    renamed = services.direction_rename(direction=direction(year, "parents"), name="Семья\x00")
    assert renamed.name == "Семья"
    with pytest.raises(ValidationError, match="не может быть пустым"):
        services.level_rename(level=level(year, "main"), name="\x00 \v")


# --- schools and coordinators never come here ---------------------------------------------


@pytest.mark.parametrize("role", ["deputy", "coordinator"])
def test_schools_and_coordinators_are_refused(client, year, deputy, coordinator, role):
    groups = ensure_roles()
    deputy.groups.add(groups[DEPUTY])
    coordinator.groups.add(groups[COORDINATOR])
    client.force_login({"deputy": deputy, "coordinator": coordinator}[role])
    activity = ActivityTemplate.objects.filter(year=year).first()
    for url in (
        catalogue_url(year),
        reverse("plans:catalogue-new", args=[year.pk]),
        reverse("plans:catalogue-activity", args=[year.pk, activity.pk]),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"title": "Чужое"}).status_code == 403, url
    action = reverse("plans:catalogue-activity-action", args=[year.pk, activity.pk])
    assert client.post(action, {"action": "delete"}).status_code == 403
    basic = level(year, "basic")
    levels = reverse("plans:template-levels", args=[year.pk])
    assert client.post(levels, {f"name-{basic.pk}": "чужой"}).status_code == 403
    assert ActivityTemplate.objects.filter(pk=activity.pk).exists()
    assert not ActivityTemplate.objects.filter(title="Чужое").exists()
    assert level(year, "basic").name == "базовый"


def test_an_activity_of_another_year_is_not_found(centre, year):
    other = services.school_year_start_next(source=year)
    activity = ActivityTemplate.objects.filter(year=other).first()
    url = reverse("plans:catalogue-activity", args=[year.pk, activity.pk])
    assert centre.get(url).status_code == 404
    action = reverse("plans:catalogue-activity-action", args=[year.pk, activity.pk])
    assert centre.post(action, {"action": "delete"}).status_code == 404


# --- the year's copy and the admin ---------------------------------------------------------


def test_a_new_year_copies_each_activitys_level(year):
    other = services.school_year_start_next(source=year)
    copied = ActivityTemplate.objects.get(year=other, direction__code="vocational_training")
    assert copied.level == Level.objects.get(year=other, code="advanced")


def test_the_admin_refuses_a_level_of_another_year(client, superuser, year):
    other = services.school_year_start_next(source=year)
    activity = ActivityTemplate.objects.get(year=year, direction__code="vocational_training")
    log_in(client, superuser)
    url = reverse("admin:plans_activitytemplate_change", args=[activity.pk])
    assert "Уровень профминимума" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "year": year.pk,
            "title": activity.title,
            "direction": activity.direction_id,
            "level": Level.objects.get(year=other, code="advanced").pk,
            "order": activity.order,
        },
    )
    assert response.status_code == 200
    assert "Уровень другого учебного года" in response.content.decode()
    activity.refresh_from_db()
    assert activity.level.year == year


# --- the school's catalogue in the new-row form ---------------------------------------------


@pytest.fixture
def signed_in(client, deputy):
    client.force_login(deputy)
    return client


def new_row_form(client, plan, code):
    parent = TemplateItem.objects.get(year=plan.year, code=code)
    return client.get(
        reverse("plans:row-new", args=[plan.pk]), {"parent": parent.pk}, **HTMX
    ).content.decode()


def test_the_schools_catalogue_puts_the_blocks_level_first(signed_in, plan):
    year = plan.year
    upbringing, lessons = direction(year, "upbringing"), direction(year, "lessons")
    for code, where in (("basic", upbringing), ("advanced", upbringing), ("basic", lessons)):
        services.activity_add(
            year=year,
            data={
                "title": f"Мероприятие {code} {where.code}",
                "direction": where,
                "level": level(year, code),
                "typical_hours": 3,
            },
        )
    # Basic level, «воспитательная работа» (3.4.12.3): its direction at its level, then
    # for any level, then the block's other directions, the rest, other levels last.
    groups = group_titles(new_row_form(signed_in, plan, "3.4.12.3."))
    assert groups[:3] == [
        "Воспитательная работа · базовый уровень",
        "Воспитательная работа",
        "Урочная деятельность · базовый уровень",
    ]
    assert groups.index("Урочная деятельность") < groups.index("Общие мероприятия (разделы I–III)")
    other_levels = [g for g in groups if "продвинутый" in g]
    assert groups[-len(other_levels) :] == other_levels
    assert "Общие мероприятия (разделы I–III)" in groups
    # Advanced level, ПРОФОБУЧЕНИЕ (3.4.14.5): the advanced groups lead, basic ones trail.
    groups = group_titles(new_row_form(signed_in, plan, "3.4.14.5"))
    assert groups[0] == "Профессиональное обучение · продвинутый уровень"
    assert set(groups[-2:]) == {
        "Урочная деятельность · базовый уровень",
        "Воспитательная работа · базовый уровень",
    }
    # Outside the level blocks (3.2): the general activities first; hours still shown.
    page = new_row_form(signed_in, plan, "3.2.")
    assert group_titles(page)[0] == "Общие мероприятия (разделы I–III)"
    added = ActivityTemplate.objects.get(year=year, title="Мероприятие basic upbringing")
    assert re.search(
        rf'data-activity="{added.pk}"><span class="me-auto">[^<]+</span>'
        r'<span class="badge[^"]*">3 ч</span>',
        page,
    )


def test_a_catalogue_edit_reaches_the_schools_form_at_once(signed_in, plan):
    activity = ActivityTemplate.objects.get(year=plan.year, title="Классные часы «Мир профессий»")
    assert "Классные часы «Мир профессий»" in new_row_form(signed_in, plan, "3.4.12.3.")
    services.activity_update(activity=activity, data={"title": "Классные часы «Профессии»"})
    page = new_row_form(signed_in, plan, "3.4.12.3.")
    assert "Классные часы «Профессии»" in page and "Мир профессий" not in page


def test_every_catalogue_change_moves_the_years_reference_revision(plan):
    """The editor's cached pages are keyed by it (plans/signals.py); a move writes with
    bulk_update, which sends no signal."""
    year = plan.year
    first, second = ActivityTemplate.objects.filter(year=year, direction__code="parents")
    seen = [revision(year)]
    services.activity_move(activity=second, step=-1)
    seen.append(revision(year))
    services.activity_update(activity=first, data={"period": "май"})
    seen.append(revision(year))
    services.activity_delete(activity=first)
    seen.append(revision(year))
    services.level_rename(level=level(year, "main"), name="средний")
    seen.append(revision(year))
    services.direction_rename(direction=direction(year, "lessons"), name="Уроки")
    seen.append(revision(year))
    assert seen == sorted(set(seen)), seen
    # Not a change of Table 1: no new revision for the schools to take.
    assert year.template_revision == SchoolYear.objects.get(pk=year.pk).template_revision
    assert not template_unpublished_changes(year)


def test_the_schools_catalogue_of_300_activities_costs_the_same_queries(signed_in, plan):
    year = plan.year
    url = reverse("plans:row-new", args=[plan.pk])
    parent = {"parent": TemplateItem.objects.get(year=year, code="3.4.12.3.").pk}
    signed_in.get(url, parent, **HTMX)
    with CaptureQueriesContext(connection) as few:
        signed_in.get(url, parent, **HTMX)
    directions, levels = (
        list(Direction.objects.filter(year=year)),
        [None, *Level.objects.filter(year=year)],
    )
    ActivityTemplate.objects.bulk_create(
        ActivityTemplate(
            year=year,
            title=f"Мероприятие № {i}",
            direction=directions[i % len(directions)],
            level=levels[i % len(levels)],
        )
        for i in range(300)
    )
    with CaptureQueriesContext(connection) as many:
        page = signed_in.get(url, parent, **HTMX).content.decode()
    assert page.count('class="catalogue-item') == 316
    assert "В каталоге 316." in page
    assert 'type="search"' in page
    # Seven directions × (any level and three levels), plus the general activities.
    assert len(group_titles(page)) == 29
    assert len(many) == len(few)
