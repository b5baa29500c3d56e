"""Nothing answers 500: every identifier from outside (a path, a query string, a
hidden field of a form, an admin action) that is malformed or unknown gets a Russian
404 or 400 page.

The first test walks the URL resolver, so a new URL is covered the day it is added;
the second feeds the same values to every query-string parameter and hidden field
the views read. PostgreSQL refuses a NUL character in a string parameter; the
`postgres_refuses_nul` fixture makes SQLite refuse it the same way, so these tests
fail here the way the site would fail there.
"""

import re
import uuid
from datetime import date
from urllib.parse import unquote

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.urls import Resolver404, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from accounts.roles import COORDINATOR, DEPUTY, REGIONAL, ensure_roles
from monitoring.models import Campaign, Indicator, Recommendation, Report
from plans import services
from plans.models import (
    ActivityTemplate,
    Plan,
    PlanComment,
    PlanRow,
    PlanSubmission,
    TemplateItem,
)
from plans.numbering import plan_lines
from tests.signin import log_in

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "deputy", "other_deputy", "coordinator", "reviewer", "superuser"]

# As they appear in a URL (the path is percent-decoded by the server: %00 is NUL)...
BAD_IN_PATH = ["abc", "-1", "99999999999999999999", "%00", "١٢"]
# ...and as a browser sends them in a query string or a form (the client encodes them).
BAD_VALUES = ["abc", "-1", "99999999999999999999", "\x00", "١٢", ""]


@pytest.fixture
def postgres_refuses_nul():
    """psycopg refuses a string parameter with \\x00 (DataError); SQLite stores it."""

    def refuse(execute, sql, params, many, context):
        rows = params if many else [params]
        for row in rows or []:
            values = row.values() if isinstance(row, dict) else (row or [])
            if any(isinstance(value, str) and "\x00" in value for value in values):
                raise ValueError("A string literal cannot contain NUL (0x00) characters.")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield


@pytest.fixture
def world(plan, deputy, other_deputy, coordinator, reviewer, superuser, year, other_school):
    from monitoring.services import campaign_open
    from tests.monitoring.region import load_catalogue

    groups = ensure_roles()
    deputy.groups.add(groups[DEPUTY])
    other_deputy.groups.add(groups[DEPUTY])
    coordinator.groups.add(groups[COORDINATOR])
    reviewer.groups.add(groups[REGIONAL])
    load_catalogue()
    campaign = Campaign.objects.create(
        year=year,
        name="Мониторинг",
        period="осень",
        opens=date(2023, 10, 1),
        closes=date(2099, 1, 1),
    )
    campaign.indicators.set(Indicator.objects.filter(year=year)[:2])
    campaign_open(campaign=campaign)
    comment = PlanComment.objects.create(plan=plan, author=reviewer, text="Уточните")
    # A submission of the plan as it is, so that the review's diff screen has one.
    PlanSubmission.objects.create(
        plan=plan,
        number=1,
        submitted_at=timezone.now(),
        submitted_by=deputy,
        snapshot=services.plan_snapshot(plan_lines(plan)),
    )
    return {
        "users": {
            "anonymous": None,
            "deputy": deputy,
            "other_deputy": other_deputy,
            "coordinator": coordinator,
            "reviewer": reviewer,
            "superuser": superuser,
        },
        "plan": plan,
        "row": plan.rows.filter(fixed_item=None).first(),
        "parent": TemplateItem.objects.get(year=plan.year, code="3.2."),
        "comment": comment,
        "report": Report.objects.get(school=plan.school),
        "recommendation": Recommendation.objects.create(
            school=plan.school, text="Проведите собрание", created_by=reviewer
        ),
        "campaign": campaign,
    }


def clients(world):
    """A test client per role that shows a server error as a 500, not as an exception."""
    for role in ROLES:
        client = Client(raise_request_exception=False)
        if world["users"][role] is not None:
            log_in(client, world["users"][role])
        yield role, client


# --- every URL pattern, with a malformed value in each of its parameters -------------

PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def url_patterns(resolver=None, prefix="", namespace=""):
    """(route with its parameters, name) for every pattern of the site and the admin."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if pattern.namespace else namespace
            yield from url_patterns(pattern, route, inner.lstrip(":"))
        else:
            yield route, f"{namespace}:{pattern.name}".lstrip(":")


def good_values(world, name):
    """A real value for each parameter, so that one parameter at a time is malformed."""
    plan = world["plan"]
    pk = {
        "monitoring:report": world["report"].pk,
        "monitoring:survey": world["report"].pk,
        "monitoring:recommendation-acknowledge": world["recommendation"].pk,
        "monitoring:recommendation-answer": world["recommendation"].pk,
    }.get(name, plan.pk)
    return {
        "pk": pk,
        "plan_id": plan.pk,
        "row_pk": world["row"].pk,
        "comment_pk": world["comment"].pk,
        "number": 1,
        "object_id": plan.pk,
        "content_type_id": ContentType.objects.get_for_model(Plan).pk,
        "app_label": "plans",
        "uidb64": "MQ",
        "token": "set-password",
        "url": "plans/",
    }


def fill(route, values):
    """The route with each parameter replaced by its value in `values`."""
    return "/" + PARAMETER.sub(lambda m: str(values[m.group(1) or m.group(2)]), route)


def malformed_urls(world):
    """Each URL with parameters, with one parameter at a time replaced by a bad value."""
    for route, name in url_patterns():
        parameters = [a or b for a, b in PARAMETER.findall(route)]
        good = {parameter: "1" for parameter in parameters} | good_values(world, name)
        for parameter in parameters:
            for bad in BAD_IN_PATH:
                yield fill(route, {**good, parameter: bad}), bad


def reaches_a_view(url):
    try:
        resolve(unquote(url))
    except Resolver404:
        return False
    return True


def test_the_walk_covers_the_site_and_the_review_screens(world):
    urls = {url for url, _ in malformed_urls(world)}
    plan = world["plan"]
    for expected in (
        f"/plans/{plan.pk}/rows/abc/edit/",
        "/plans/99999999999999999999/",
        "/monitoring/plans/%00/indicators/",
        "/admin/plans/plan/-1/review/",
        "/admin/plans/plan/abc/diff/",
        "/admin/plans/plan/99999999999999999999/change/",
        "/admin/accounts/user/%00/password/",
    ):
        assert expected in urls


@pytest.mark.parametrize("role", ROLES)
def test_no_url_answers_500_to_a_malformed_identifier(world, role, postgres_refuses_nul):
    client = dict(clients(world))[role]
    user = world["users"][role]
    failures = []
    for url, bad in malformed_urls(world):
        methods = [client.get, client.post]
        if url.startswith("/admin/") and not (user and user.is_staff):
            # The admin's door sends to sign in before any view reads the value:
            # one value and GET will do.
            methods = [client.get] if bad == BAD_IN_PATH[0] else []
        elif not reaches_a_view(url):
            methods = [client.get]  # no such route: the method changes nothing
        for method in methods:
            status = method(url).status_code
            if status >= 500:
                failures.append(f"{method.__name__.upper()} {url}: {status}")
    assert not failures, "\n".join(failures)


# --- query-string parameters and hidden fields the views read ------------------------


def editor_requests(world):
    """(method, url, good data, names of the identifiers in it) for each form of the site
    and the review screens."""
    plan, row, parent = world["plan"], world["row"], world["parent"]
    version = Plan.objects.get(pk=plan.pk).version
    levels = {f"grade_{grade}": "" for grade in range(6, 12)}
    row_text = {"activity": "Экскурсия", "period": "октябрь"}
    review = reverse("admin:plans_plan_review", args=[plan.pk])
    campaign = world["campaign"]
    dashboard = {
        "campaign": campaign.pk,
        "municipality": plan.school.municipality_id,
        "indicator": campaign.indicators.first().pk,
    }
    send = {**dashboard, "school": plan.school_id, "not_submitted": "on", "text": "Сделайте"}
    return [
        ("post", reverse("plans:start"), {"year": plan.year_id, "mode": "copy"}, ["year", "mode"]),
        ("get", reverse("plans:export-region"), {"year": plan.year_id}, ["year"]),
        ("get", reverse("plans:execution-region"), {"year": plan.year_id}, ["year"]),
        (
            "get",
            reverse("plans:row-new", args=[plan.pk]),
            {"parent": parent.pk, "activity": ""},
            ["parent", "activity"],
        ),
        (
            "post",
            reverse("plans:row-add", args=[plan.pk]),
            {"parent": parent.pk, "version": version, "client_token": uuid.uuid4(), **row_text},
            ["parent", "version", "client_token"],
        ),
        (
            "post",
            reverse("plans:row-edit", args=[plan.pk, row.pk]),
            {"version": version, **row_text},
            ["version"],
        ),
        ("post", reverse("plans:row-delete", args=[plan.pk, row.pk]), {}, ["version"]),
        (
            "post",
            reverse("plans:row-move", args=[plan.pk, row.pk]),
            {"version": version, "direction": "up"},
            ["version", "direction"],
        ),
        (
            "post",
            reverse("plans:levels", args=[plan.pk]),
            {"version": version, **levels},
            ["version", *levels],
        ),
        (
            "post",
            reverse("plans:note", args=[plan.pk]),
            {"version": version, "explanatory_note": "Записка"},
            ["version"],
        ),
        (
            "post",
            reverse("plans:template-accept", args=[plan.pk]),
            {"version": version},
            ["version"],
        ),
        ("post", reverse("plans:submit", args=[plan.pk]), {"version": version}, ["version"]),
        *catalogue_requests(world),
        ("get", reverse("monitoring:dashboard"), dashboard, list(dashboard)),
        (
            "get",
            reverse("monitoring:dashboard-xlsx"),
            {**dashboard, "table": "municipalities"},
            [*dashboard, "table"],
        ),
        ("get", reverse("monitoring:recommendation-send"), send, list(send)),
        ("post", reverse("monitoring:recommendation-send"), send, list(send)),
        (
            "post",
            reverse("monitoring:self-analysis", args=[plan.pk]),
            {"indicators": dashboard["indicator"], "campaigns": campaign.pk},
            ["indicators", "campaigns"],
        ),
        (
            "post",
            reverse("monitoring:survey", args=[world["report"].pk]),
            {"g9-pupils": 10, "g9-undecided": 10, "g11-pupils": ""},
            ["g9-pupils", "g9-undecided"],
        ),
        (
            "post",
            review,
            {"action": "comment", "row": row.pk, "reply_to": world["comment"].pk, "text": "Да"},
            ["action", "row", "reply_to"],
        ),
        ("post", review, {"action": "resolve", "comment_id": world["comment"].pk}, ["comment_id"]),
        ("post", review, {"action": "return", "version": version, "comment": "Нет"}, ["version"]),
        ("post", review, {"action": "approve", "version": version}, ["version"]),
        (
            "get",
            reverse("admin:plans_plan_diff", args=[plan.pk]),
            {"from": 1, "to": "current"},
            ["from", "to"],
        ),
        (
            "get",
            reverse("admin:plans_plan_changelist"),
            {"q": "СОШ", "year__id__exact": plan.year_id, "level": "basic", "overdue": "yes"},
            ["q", "year__id__exact", "level", "overdue", "p", "o", "_to_field"],
        ),
        *admin_actions(world),
    ]


def catalogue_requests(world):
    """The centre's catalogue and the names of levels and directions."""
    year = world["plan"].year
    activity = ActivityTemplate.objects.filter(year=year).first()
    direction, level = year.directions.first(), year.levels.first()
    fields = {"title": "Экскурсия", "direction": direction.pk, "level": "", "typical_hours": "2"}
    return [
        ("get", reverse("plans:catalogue", args=[year.pk]), {"q": "экскурсия"}, ["q"]),
        (
            "get",
            reverse("plans:catalogue-new", args=[year.pk]),
            {"direction": direction.pk, "level": level.pk},
            ["direction", "level"],
        ),
        (
            "post",
            reverse("plans:catalogue-new", args=[year.pk]),
            fields,
            ["direction", "level", "typical_hours"],
        ),
        (
            "post",
            reverse("plans:catalogue-activity", args=[year.pk, activity.pk]),
            fields,
            ["direction", "level", "typical_hours"],
        ),
        (
            "post",
            reverse("plans:catalogue-activity-action", args=[year.pk, activity.pk]),
            {"action": "down"},
            ["action"],
        ),
        (
            "post",
            reverse("plans:template-levels", args=[year.pk]),
            {f"name-{level.pk}": level.name, f"direction-{direction.pk}": direction.name},
            [f"name-{level.pk}", f"direction-{direction.pk}", f"level-{level.pk}"],
        ),
        (
            "post",
            reverse("plans:template-block-new", args=[year.pk]),
            {"kind": "document", "text": "письмо", "after": ""},
            ["kind", "after"],
        ),
    ]


def admin_actions(world):
    """Each action of each admin list, with malformed ids in `_selected_action`."""
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for action in model_admin.get_actions(_AdminRequest(world["users"]["superuser"])):
            yield (
                "post",
                url,
                {"action": action, "_selected_action": world["plan"].pk, "index": 0},
                ["_selected_action"],
            )


class _AdminRequest:
    """Just enough of a request for ModelAdmin.get_actions()."""

    GET: dict = {}

    def __init__(self, user):
        self.user = user


@pytest.mark.parametrize("role", ROLES)
def test_no_form_or_query_answers_500_to_a_malformed_identifier(world, role, postgres_refuses_nul):
    client = dict(clients(world))[role]
    failures = []
    for method, url, good, names in editor_requests(world):
        for name in names:
            for bad in BAD_VALUES:
                response = getattr(client, method)(url, {**good, name: bad})
                if response.status_code >= 500:
                    failures.append(
                        f"{method.upper()} {url} {name}={bad!r}: {response.status_code}"
                    )
    assert not failures, "\n".join(failures)


# --- the pages that say so ---------------------------------------------------------


def test_a_forged_admin_selection_gets_the_russian_400_page(client, world):
    log_in(client, world["users"]["reviewer"])
    response = client.post(
        reverse("admin:plans_plan_changelist"),
        {"action": "approve_selected", "_selected_action": "1 OR 1=1", "index": 0},
    )
    assert response.status_code == 400
    assert "Неверный запрос" in response.content.decode()
    assert Plan.objects.get(pk=world["plan"].pk).status == world["plan"].status


def test_a_nul_in_the_query_string_gets_the_russian_400_page(client, world):
    log_in(client, world["users"]["reviewer"])
    response = client.get(reverse("admin:plans_plan_changelist"), {"q": "СОШ\x00"})
    assert response.status_code == 400
    assert "Неверный запрос" in response.content.decode()


def test_a_suspicious_admin_request_gets_the_russian_400_page(client, world):
    log_in(client, world["users"]["reviewer"])
    response = client.get(reverse("admin:plans_plan_changelist"), {"_to_field": "school__inn"})
    assert response.status_code == 400
    assert "Неверный запрос" in response.content.decode()


def test_an_unknown_row_in_the_review_form_is_404_in_russian(client, world):
    log_in(client, world["users"]["reviewer"])
    review = reverse("admin:plans_plan_review", args=[world["plan"].pk])
    response = client.post(review, {"action": "comment", "row": "abc", "text": "Да"})
    assert response.status_code == 404
    assert "Страница не найдена" in response.content.decode()
    assert not PlanComment.objects.filter(text="Да").exists()


# --- requests too large to accept ---------------------------------------------------


@pytest.fixture
def row_edit(client, world):
    client.force_login(world["users"]["deputy"])
    return reverse("plans:row-edit", args=[world["plan"].pk, world["row"].pk])


def test_too_many_fields_get_a_page_that_says_what_to_do(client, row_edit, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    data = {f"field{n}": "x" for n in range(60)} | {"activity": "Экскурсия"}
    response = client.post(row_edit, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Слишком много данных в одном запросе" in page
    assert "сохраните по частям" in page


def test_too_big_a_body_gets_a_page_that_says_what_to_do(client, row_edit, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = client.post(row_edit, {"activity": "Экскурсия " * 2_000})
    assert response.status_code == 400
    assert "Слишком много данных в одном запросе" in response.content.decode()
    assert PlanRow.objects.get(pk=world["row"].pk).activity != "Экскурсия " * 2_000


def test_the_editor_gets_one_plain_line_for_its_alert(client, row_edit, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = client.post(row_edit, {"activity": "Экскурсия " * 2_000}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().startswith("Слишком много данных в одном запросе")


def test_too_many_files_get_a_page_that_says_what_to_do(client, world, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    log_in(client, world["users"]["superuser"])
    files = [SimpleUploadedFile(f"школы{n}.csv", b"x") for n in range(5)]
    response = client.post(reverse("admin:accounts_user_import"), {"file": files})
    assert response.status_code == 400
    assert "Слишком много данных в одном запросе" in response.content.decode()


# --- what people type or paste ------------------------------------------------------


def save_row(client, world, **fields):
    client.force_login(world["users"]["deputy"])
    plan, row = world["plan"], world["row"]
    data = {"version": Plan.objects.get(pk=plan.pk).version, "activity": "Экскурсия", **fields}
    return client.post(reverse("plans:row-edit", args=[plan.pk, row.pk]), data)


def test_line_breaks_pasted_from_word_stay_line_breaks(client, world, download):
    response = save_row(
        client,
        world,
        activity="строка\x0bвторая",
        responsible="директор\u2028завуч",
        results="абзац\u2029следующий\r\nещё\x0cи ещё",
    )
    assert response.status_code == 200
    row = PlanRow.objects.get(pk=world["row"].pk)
    assert row.activity == "строка\nвторая"
    assert row.responsible == "директор\nзавуч"
    assert row.results == "абзац\nследующий\nещё\nи ещё"
    # The editor shows each line on its own line (the cell keeps line breaks: pre-line).
    page = client.get(world["plan"].get_absolute_url()).content.decode()
    assert '<td class="preserve-lines">строка\nвторая' in page
    assert "\x0b" not in page and "\u2028" not in page
    # And Excel takes the text (openpyxl refuses \x0b).
    export = download(reverse("plans:export-xlsx", args=[world["plan"].pk]))
    assert export.status_code == 200 and export.content.startswith(b"PK")


def test_a_nul_byte_in_a_row_is_dropped_not_a_server_error(world, postgres_refuses_nul):
    client = Client(raise_request_exception=False)
    response = save_row(client, world, activity="Экс\x00курсия", period="\x00октябрь\x01")
    assert response.status_code == 200
    row = PlanRow.objects.get(pk=world["row"].pk)
    assert (row.activity, row.period) == ("Экскурсия", "октябрь")


def test_a_nul_byte_in_a_comment_answer_is_dropped(world, postgres_refuses_nul):
    client = Client(raise_request_exception=False)
    client.force_login(world["users"]["deputy"])
    plan, comment = world["plan"], world["comment"]
    url = reverse("plans:comment-reply", args=[plan.pk, comment.pk])
    assert client.post(url, {"text": "Испр\x00авили"}).status_code < 500
    assert PlanComment.objects.filter(reply_to=comment, text="Исправили").exists()


def test_a_nul_byte_in_the_review_forms_is_dropped(world, postgres_refuses_nul):
    client = Client(raise_request_exception=False)
    log_in(client, world["users"]["reviewer"])
    review = reverse("admin:plans_plan_review", args=[world["plan"].pk])
    response = client.post(review, {"action": "comment", "text": "Уточ\x00ните\x0bсроки"})
    assert response.status_code == 302
    assert PlanComment.objects.filter(text="Уточните\nсроки").exists()


def test_every_text_field_of_the_plan_forms_cleans_its_text():
    from django import forms

    import monitoring.forms
    import plans.admin
    import plans.forms
    from profplan.forms import KeysMultipleChoiceField, PlainTextField

    checked = 0
    for module in (plans.forms, monitoring.forms, plans.admin):
        for form in vars(module).values():
            if not (isinstance(form, type) and issubclass(form, forms.BaseForm)):
                continue
            for name, field in form.base_fields.items():
                if isinstance(field, forms.CharField):
                    assert isinstance(field, PlainTextField), f"{form.__name__}.{name}"
                    checked += 1
                if isinstance(field, forms.ModelMultipleChoiceField):
                    assert isinstance(field, KeysMultipleChoiceField), f"{form.__name__}.{name}"
    assert checked >= 15


def test_numbers_too_big_for_the_database_are_a_form_error(client, world):
    client.force_login(world["users"]["deputy"])
    huge = "99999999999999999999"
    response = client.post(
        reverse("monitoring:survey", args=[world["report"].pk]),
        {"g9-pupils": huge, "g9-undecided": huge},
    )
    assert response.status_code == 200
    assert "Слишком большое число" in response.content.decode()
