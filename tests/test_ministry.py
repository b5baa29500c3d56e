"""The ministry's own view: a read-only window on its region.

The ministry (`User.is_ministry`, with a region) reads what the centre reads – the
plans list, each plan's page and documents, the execution, the dashboard, the
consolidated workbook and the archive – and changes nothing: no review, no remarks, no
recommendations, no campaigns, no templates, no admin. It sees no personal data beyond
what the documents print: who wrote a remark or marked a row is «школа» or
«региональный центр», evidence files are counted, not downloaded. It signs in with the
second factor, as the centre does.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import access, second_factor
from accounts.demo import MINISTRY_TOTP_KEY
from accounts.models import User
from accounts.roles import REGIONAL, ensure_roles
from monitoring.models import Campaign, Recommendation, ReportValue, SelfAnalysis
from plans import services
from plans.models import (
    ActivityTemplate,
    CalendarFeed,
    Document,
    Evidence,
    Municipality,
    Plan,
    PlanComment,
    PlanEvent,
    PlanRow,
    PlanStatus,
    Region,
    RowAssignment,
    RowExecution,
    SchoolYear,
    TemplateItem,
)
from tests.accounts.test_second_factor import (
    CODE_PAGE,
    ENROL_PAGE,
    enter_code,
    every_url,
    password_sign_in,
    with_password,
)
from tests.conftest import is_make_document_page
from tests.factories import SchoolFactory, UserFactory, make_plan
from tests.signin import app_of, log_in
from tests.test_access import SITE, campaign, executed, world  # noqa: F401 (fixtures)
from tests.test_regions import region_b  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ministry(db):
    return UserFactory(
        username="ministry",
        first_name="Марина",
        last_name="Кодзокова",
        is_ministry=True,
        region=Region.objects.default(),
    )


@pytest.fixture
def centre(reviewer):
    reviewer.first_name, reviewer.last_name = "Ирина", "Тхагапсоева"
    reviewer.save()
    reviewer.groups.add(ensure_roles()[REGIONAL])
    return reviewer


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- The predicates -------------------------------------------------------------------


def test_the_ministry_reads_the_region_and_acts_on_nothing(ministry, centre, deputy):
    assert access.is_ministry(ministry) and access.reads_region(ministry)
    assert access.may_see_dashboard(ministry) and access.may_export_consolidated(ministry)
    assert access.must_use_second_factor(ministry)
    for acting in (
        access.sees_region,
        access.may_review,
        access.may_author_templates,
        access.may_use_admin,
        access.sees_people,
        access.may_download_evidence,
    ):
        assert not acting(ministry), acting.__name__
    # Everyone else who reads a plan sees who did what.
    assert access.sees_people(centre) and access.sees_people(deputy)


# --- What it reads --------------------------------------------------------------------


def test_the_home_page_lists_the_regions_plans_with_filters(
    client,
    ministry,
    plan,
    other_plan,
    region_b,  # noqa: F811
):
    far = (
        Municipality.objects.filter(region=plan.school.municipality.region)
        .exclude(pk=plan.school.municipality_id)
        .first()
    )
    far_plan = make_plan(SchoolFactory(short_name="МКОУ СОШ с. Дальнее", municipality=far))
    Plan.objects.filter(pk=other_plan.pk).update(status=PlanStatus.SUBMITTED)
    foreign = make_plan(region_b.school, year=region_b.year)
    log_in(client, ministry)

    text = page(client.get(reverse("plans:home")))
    for shown in (plan, other_plan, far_plan):
        assert shown.school.short_name in text
    assert foreign.school.short_name not in text
    assert 'id="plan-filters"' in text and "Муниципалитет" in text
    # The region's documents, and nothing that acts.
    assert "Сводная таблица (Excel)" in text and "Все планы одним архивом" in text
    assert "Исполнение планов" in text and "Мониторинг региона" in text
    for absent in ("Загрузить план из Word", "Начать план", "Администрирование", "Примерный план"):
        assert absent not in text, absent

    only_far = page(client.get(reverse("plans:home"), {"municipality": far.pk}))
    assert far_plan.school.short_name in only_far
    assert plan.school.short_name not in only_far
    submitted = page(client.get(reverse("plans:home"), {"status": "submitted"}))
    assert other_plan.school.short_name in submitted
    assert plan.school.short_name not in submitted
    found = page(client.get(reverse("plans:home"), {"q": "Дальнее"}))
    assert "Планов: 1" in found and far_plan.school.short_name in found
    chosen = page(client.get(reverse("plans:home"), {"year": plan.year_id}))
    assert f"?year={plan.year_id}" in chosen  # the workbook of the year chosen
    # A value that is not in the lists filters nothing and breaks nothing.
    assert plan.school.short_name in page(client.get(reverse("plans:home"), {"year": "x"}))


def test_a_coordinator_filters_the_municipality_list_without_choosing_one(
    client, coordinator, plan, other_plan
):
    Plan.objects.filter(pk=other_plan.pk).update(status=PlanStatus.APPROVED)
    client.force_login(coordinator)
    text = page(client.get(reverse("plans:home"), {"status": "approved"}))
    assert 'id="plan-filters"' in text and 'id="id_municipality"' not in text
    assert other_plan.school.short_name in text and plan.school.short_name not in text


def test_the_list_costs_the_same_for_two_plans_as_for_eight(client, ministry, plan):
    """The plans (1), the years (2) and municipalities (3) of the filters' lists, besides
    the session and the user."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    log_in(client, ministry)
    url = reverse("plans:home") + "?status=draft&q=МКОУ"

    def queries():
        with CaptureQueriesContext(connection) as seen:
            assert client.get(url).status_code == 200
        return len(seen)

    make_plan()
    few = queries()
    for _ in range(6):
        make_plan()
    assert queries() == few


def test_a_plan_page_is_read_only_with_its_documents(client, ministry, plan):
    log_in(client, ministry)
    text = page(client.get(reverse("plans:edit", args=[plan.pk])))
    assert plan.school.full_name in text
    for url in ("export-pdf", "export-xlsx", "export-docx"):
        assert reverse(f"plans:{url}", args=[plan.pk]) in text
    assert "Сдать на рассмотрение" not in text and "Загрузить из Excel" not in text
    assert "hx-post" not in text  # no row form, move, delete, level or answer
    assert 'id="levels-form"' not in text


def test_the_ministry_asks_for_a_plans_documents_and_gets_them(client, ministry, plan, download):
    log_in(client, ministry)
    status = plan.status, plan.version
    assert download(reverse("plans:export-pdf", args=[plan.pk])).content.startswith(b"%PDF")
    assert download(reverse("plans:export-docx", args=[plan.pk])).content.startswith(b"PK")
    assert download(reverse("plans:export-xlsx", args=[plan.pk])).content.startswith(b"PK")
    plan.refresh_from_db()
    assert (plan.status, plan.version) == status  # asking for a file is not a change


def test_the_frozen_submission_pdf(client, ministry, deputy, plan, run_worker):
    from tests.plans.test_documents import complete

    complete(plan)
    submission = services.plan_submit(plan=plan, by=deputy, version=None)
    run_worker()
    log_in(client, ministry)
    response = client.get(reverse("plans:submission-pdf", args=[plan.pk, submission.number]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    history = page(client.get(reverse("plans:edit", args=[plan.pk])))
    assert reverse("plans:submission-pdf", args=[plan.pk, submission.number]) in history


def test_the_region_workbook_and_archive(client, ministry, plan, other_plan, run_worker, download):
    log_in(client, ministry)
    workbook = download(reverse("plans:export-region"))
    assert workbook.status_code == 200 and workbook.content.startswith(b"PK")
    response = client.post(reverse("plans:archive"), {"year": plan.year_id})
    assert response.status_code == 302 and response["Location"].startswith("/documents/")
    run_worker()
    archive = Document.objects.get(kind="archive")
    assert archive.total == 2 and archive.requested_by == ministry
    got = client.get(reverse("plans:document-download", args=[archive.pk]))
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"PK")


def test_the_execution_pages_and_the_dashboard(client, ministry, world):  # noqa: F811
    executed(world)
    plan = world["plan"]
    log_in(client, ministry)
    execution = page(client.get(reverse("plans:execution", args=[plan.pk])))
    assert "Исполнение плана" in execution and "Только для чтения" in execution
    assert "Отметить" not in execution
    region = page(client.get(reverse("plans:execution-region")))
    assert plan.school.short_name in region
    dashboard = page(client.get(reverse("monitoring:dashboard")))
    assert "Мониторинг профминимума" in dashboard
    assert 'id="f-municipality"' in dashboard and "Вся республика" in dashboard
    assert "Направить рекомендацию" not in dashboard
    one = page(
        client.get(reverse("monitoring:dashboard"), {"municipality": plan.school.municipality_id})
    )
    assert f"Мониторинг профминимума: {plan.school.municipality.name}" in one
    xlsx = client.get(reverse("monitoring:dashboard-xlsx"))
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert "Направить рекомендацию" not in page(client.get(reverse("monitoring:recommendations")))


def test_another_regions_plan_is_not_found(client, ministry, region_b):  # noqa: F811
    foreign = make_plan(region_b.school, year=region_b.year)
    log_in(client, ministry)
    for name in ("edit", "check", "execution", "export-pdf", "export-xlsx", "export-docx"):
        assert client.get(reverse(f"plans:{name}", args=[foreign.pk])).status_code == 404, name
        assert client.post(reverse(f"plans:{name}", args=[foreign.pk])).status_code in (404, 405)
    for name in ("plan-indicators", "self-analysis"):
        assert client.get(reverse(f"monitoring:{name}", args=[foreign.pk])).status_code == 404
    assert not Document.objects.filter(plan=foreign).exists()


# --- No personal data -------------------------------------------------------------------


def test_remarks_and_history_are_signed_by_side_not_by_name(client, ministry, centre, deputy, plan):
    row = plan.rows.filter(fixed_item=None).first()
    remark = PlanComment.objects.create(plan=plan, row=row, author=centre, text="Уточните сроки")
    PlanComment.objects.create(plan=plan, row=row, author=deputy, text="Уточнили", reply_to=remark)
    PlanComment.objects.create(plan=plan, author=centre, text="Добавьте записку")
    PlanEvent.objects.create(
        plan=plan,
        at=timezone.now(),
        from_status="submitted",
        to_status="returned",
        by=centre,
        comment="Доработать",
    )
    services.plan_touch(plan=plan, version=None, any_status=True)
    deputy_name = str(deputy)

    log_in(client, centre)  # the centre sees who wrote
    seen_by_centre = page(client.get(reverse("plans:edit", args=[plan.pk])))
    assert "Ирина Тхагапсоева" in seen_by_centre and deputy_name in seen_by_centre

    client.logout()
    log_in(client, ministry)
    for url in (
        reverse("plans:edit", args=[plan.pk]),
        reverse("plans:row", args=[plan.pk, row.pk]),
    ):
        text = page(client.get(url))
        assert "Уточните сроки" in text and "Уточнили" in text  # the remarks themselves
        assert "региональный центр, " in text and "школа, " in text
        for name in ("Тхагапсоева", deputy_name, deputy.email, centre.username):
            assert name not in text, (url, name)
        assert "Отметить как исправленное" not in text and "Ответить" not in text


def test_evidence_is_counted_not_downloaded(client, ministry, world):  # noqa: F811
    executed(world)
    plan, evidence = world["plan"], world["evidence"]
    url = reverse("plans:evidence", args=[plan.pk, evidence.pk])
    log_in(client, ministry)
    text = page(client.get(reverse("plans:execution", args=[plan.pk])))
    assert "файлов: 1" in text
    assert evidence.name not in text and url not in text
    assert client.get(url).status_code == 404
    # The centre still downloads it.
    centre = Client()
    log_in(centre, world["users"]["reviewer"])
    assert centre.get(url).status_code == 200


def test_the_execution_page_does_not_name_who_marked_for_the_ministry(
    client,
    ministry,
    world,  # noqa: F811
):
    executed(world)
    plan, deputy = world["plan"], world["users"]["deputy"]
    name = deputy.get_full_name()
    execution = reverse("plans:execution", args=[plan.pk])
    centre = Client()
    log_in(centre, world["users"]["reviewer"])
    assert "Отметил(а)" in page(centre.get(execution)) and name in page(centre.get(execution))
    log_in(client, ministry)
    text = page(client.get(execution))
    assert "выполнено" in text
    assert "Отметил(а)" not in text and name not in text


# --- What it may not do ----------------------------------------------------------------

# Pages the ministry reads (GET), with what they answer in test_access's world: 200, a
# redirect (302), «Сформировать» (D), or not found where the world has no such object.
D = "document"
READS = {
    "plans:home": 200,
    "plans:edit": 200,
    "plans:check": 200,
    "plans:row": 200,
    "plans:export-pdf": D,
    "plans:export-docx": D,
    "plans:export-xlsx": D,
    "plans:document": 200,
    "plans:document-download": D,
    "plans:execution": 200,
    "plans:execution-region": 200,
    "plans:export-region": D,
    "plans:submission-pdf": 404,  # the world's plan was never submitted
    "plans:approved-pdf": 404,
    "monitoring:home": 302,  # to the dashboard
    "monitoring:report": 200,
    "monitoring:survey": 200,
    "monitoring:recommendations": 200,
    "monitoring:plan-indicators": 200,
    "monitoring:self-analysis": 200,
    "monitoring:dashboard": 200,
    "monitoring:dashboard-xlsx": 200,
}
# POSTs that change no state: asking for a document («Сформировать»), «Сформировать
# заново», and the reading pages that answer any method alike.
HARMLESS_POSTS = {
    "plans:export-pdf",
    "plans:export-docx",
    "plans:export-xlsx",
    "plans:export-region",
    "plans:archive",
    "plans:document-retry",
    "plans:home",
    "plans:edit",
    "plans:check",
    "plans:row",
    "plans:document",
    "plans:document-download",
    "plans:execution",
    "plans:execution-region",
    "monitoring:home",
    "monitoring:recommendations",
    "monitoring:dashboard",
    "monitoring:dashboard-xlsx",
}
REFUSED = {403, 404, 405}
# URLs that answer a secret link alone, whoever holds it (a calendar feed): not a page
# of the ministry's session to refuse. None yet.
BY_SECRET_LINK: set[str] = {"plans:calendar-feed"}  # opens for its token alone
# The ministry's own account pages (password, second factor) and the site's plumbing.
OWN_PAGES = {
    "healthz",
    "readyz",
    "session-status",
    "session-keepalive",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}


def state():
    """Everything a POST could change, counted, and the plan's own fields."""
    models = (
        PlanRow,
        PlanComment,
        PlanEvent,
        SchoolYear,
        TemplateItem,
        ActivityTemplate,
        RowExecution,
        Evidence,
        RowAssignment,
        CalendarFeed,
        Recommendation,
        ReportValue,
        SelfAnalysis,
        Campaign,
        User,
    )
    plans = list(Plan.objects.order_by("pk").values_list("pk", "status", "version", "updated_at"))
    titles = list(TemplateItem.objects.order_by("pk").values_list("title", flat=True))
    return [model.objects.count() for model in models] + [plans, titles]


def test_every_page_of_the_site_reads_or_refuses_and_no_post_changes_anything(
    client,
    ministry,
    world,  # noqa: F811
):
    executed(world)
    log_in(client, ministry)
    data = {
        "activity": "строка министерства",
        "parent": world["parent"].pk,
        "text": "замечание министерства",
        "title": "чужое",
        "action": "send",
        "status": "done",
        "answer": "ответ",
    }
    # Every URL first: making some of them makes their object (a team member) once.
    urls = {name: SITE[name][0](world) for name in sorted(set(SITE) - BY_SECRET_LINK)}
    before = state()
    for name, url in urls.items():
        response = client.get(url)
        got = response.status_code
        if got == 302 and response["Location"].startswith("/documents/"):
            got = D
        elif is_make_document_page(response):
            got = D
        if name in READS:
            assert got == READS[name], (name, url, got)
        else:
            assert got in REFUSED, (name, url, got)
        response = client.post(url, data)
        if name not in HARMLESS_POSTS:
            assert response.status_code in REFUSED, (name, url, response.status_code)
        assert state() == before, f"a ministry's POST to {url} changed something"

    # Pages of other apps (a person's own pages, the team, calendars): none is the
    # ministry's but its own account's.
    for name, url in every_url():
        if name.split(":")[0] in ("admin", "plans", "monitoring", "second_factor"):
            continue
        if name in OWN_PAGES or name in BY_SECRET_LINK:
            continue
        assert client.get(url).status_code in REFUSED, (name, url)
        assert client.post(url, data).status_code in REFUSED, (name, url)
    assert state() == before


def test_the_admin_refuses_the_ministry(client, ministry, world):  # noqa: F811
    log_in(client, ministry)
    for url in (
        reverse("admin:index"),
        reverse("admin:plans_plan_changelist"),
        reverse("admin:plans_plan_review", args=[world["plan"].pk]),
        reverse("admin:accounts_user_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url
    assert "Администрирование" not in page(client.get(reverse("plans:home")))


# --- Signing in ---------------------------------------------------------------------------


def test_a_password_alone_opens_no_page_for_the_ministry(client, ministry):
    from accounts.middleware import EXEMPT_VIEWS

    with_password(ministry)
    app_of(ministry)
    password_sign_in(client, ministry)
    for name, url in every_url():
        if name in EXEMPT_VIEWS:
            continue
        response = client.get(url)
        assert response.status_code == 302, (name, url, response.status_code)
        assert response["Location"].startswith(CODE_PAGE), (name, url)


def test_a_ministry_without_an_app_is_sent_to_set_one_up(client, ministry):
    with_password(ministry)
    response = client.get(password_sign_in(client, ministry)["Location"], follow=True)
    assert response.redirect_chain[-1][0].startswith(ENROL_PAGE)
    assert '<svg class="second-factor-qr" role="img"' in page(response)


# --- The demo -----------------------------------------------------------------------------


@override_settings(DEBUG=True)
def test_the_demo_ministry_signs_in_with_its_own_key(client):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=out)  # idempotent: one account, one app, the same key
    ministry = User.objects.get(username="ministry")
    assert ministry.is_ministry and not ministry.is_staff
    assert ministry.region == Region.objects.default()
    device = TOTPDevice.objects.get(user=ministry)
    assert device.confirmed and device.key == MINISTRY_TOTP_KEY
    reviewer = TOTPDevice.objects.get(user__username="reviewer")
    assert reviewer.key != device.key  # each its own
    printed = out.getvalue()
    assert "ministry    / profplan-demo" in printed
    key = "OBZG 6ZTQ NRQW 4LLN NFXG S43U OJ4S CIJB"
    assert second_factor.key_text(device) == key
    assert f"Второй фактор (ministry): ключ для приложения-аутентификатора {key}" in printed
    code = re.findall(r"Второй фактор \(ministry\)[^\n]*\n  код сейчас: (\d{6})", printed)[-1]

    client.post(reverse("login"), {"username": "ministry", "password": "profplan-demo"})
    assert client.get(reverse("plans:home"))["Location"].startswith(CODE_PAGE)
    response = enter_code(client, code, reverse("plans:home"))
    assert response.status_code == 302 and response["Location"] == reverse("plans:home")
    home = page(client.get(reverse("plans:home")))
    assert "МКОУ СОШ № 1" in home and 'id="plan-filters"' in home
    assert client.get(reverse("admin:index")).status_code == 302


# --- The user admin -----------------------------------------------------------------------


def test_only_a_superuser_makes_an_account_ministry(client, superuser, centre, ministry):
    log_in(client, superuser)
    listing = page(client.get(reverse("admin:accounts_user_changelist"), {"is_ministry__exact": 1}))
    assert "ministry" in listing and "министерство" in listing
    form = page(client.get(reverse("admin:accounts_user_change", args=[ministry.pk])))
    assert 'name="is_ministry"' in form

    # A centre's member reads the accounts of its region (and imports schools), but
    # changes none: nobody becomes ministry or staff by its hand.
    staff = log_in(Client(), centre)
    assert staff.get(reverse("admin:accounts_user_add")).status_code == 403
    shown = page(staff.get(reverse("admin:accounts_user_change", args=[ministry.pk])))
    assert "Министерство" in shown and 'name="is_ministry"' not in shown
    staff.post(
        reverse("admin:accounts_user_change", args=[ministry.pk]),
        {"username": "ministry", "is_ministry": "", "is_staff": "on"},
    )
    ministry.refresh_from_db()
    assert ministry.is_ministry and not ministry.is_staff
