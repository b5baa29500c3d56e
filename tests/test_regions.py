"""A second region joins by data alone, and neither region sees the other.

Kabardino-Balkaria (the reference data) and a region B added here row by row, as an
administrator would: its municipality, school, its own template for 2023-2024 (same
title as KBR's), its centre's member, its school's deputy and a plan. Then, through
the site and the admin, each side is shown only its own schools, plans, templates and
campaigns; another region's pages are not found (404).
"""

import io
from datetime import date
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from accounts import access
from accounts.roles import REGIONAL, ensure_roles
from monitoring.models import Campaign, Report
from monitoring.services import recommendation_send
from plans.documents.queue import document_plans
from plans.models import (
    ActivityTemplate,
    Document,
    Level,
    Municipality,
    Plan,
    Region,
    School,
    SchoolYear,
    TemplateItem,
)
from plans.services import plan_start
from tests.factories import UserFactory, make_plan, open_campaign
from tests.signin import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def region_b(db):
    """Region B, as data: nothing in the code names it."""
    region = Region.objects.create(name="Республика Адыгея", short_name="РА", code="ra", order=2)
    municipality = Municipality.objects.create(
        region=region, name="Майкоп", kind=Municipality.Kind.URBAN, order=1
    )
    school = School.objects.create(
        full_name="Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № 1»",
        short_name="МБОУ СШ № 1 г. Майкопа",
        municipality=municipality,
    )
    year = SchoolYear.objects.create(
        region=region,
        title="2023-2024",  # the same title as KBR's: titles are unique per region
        start_date=date(2023, 9, 1),
        end_date=date(2024, 8, 31),
        plan_title="План профориентационной работы школ Адыгеи",
        template_status="published",
        template_revision=1,
    )
    level = Level.objects.create(year=year, code="basic", name="базовый", min_hours=40, order=1)
    section = TemplateItem.objects.create(
        year=year,
        order=1,
        code="I.",
        title="Цели профориентации в Адыгее",
        kind="section",
        accepts_rows=True,
    )
    TemplateItem.objects.create(year=year, parent=section, order=1, code="1.1.", kind="row")
    ActivityTemplate.objects.create(year=year, title="Экскурсия на завод в Майкопе", order=1)
    centre = UserFactory(username="centre_b", is_staff=True, region=region)
    centre.groups.add(ensure_roles()[REGIONAL])
    deputy = UserFactory(username="deputy_b", school=school)
    return SimpleNamespace(
        region=region,
        municipality=municipality,
        school=school,
        year=year,
        level=level,
        section=section,
        centre=centre,
        deputy=deputy,
    )


@pytest.fixture
def plan_b(region_b):
    return make_plan(region_b.school, year=region_b.year)


@pytest.fixture
def centre_a(reviewer):
    reviewer.groups.add(ensure_roles()[REGIONAL])
    return reviewer


def test_the_reference_data_is_kabardino_balkarias_and_its_centre_belongs_to_it(
    year, reviewer, superuser
):
    kbr = Region.objects.get(code="kbr")
    assert kbr.name == "Кабардино-Балкарская Республика"
    assert year.region == kbr
    assert not Municipality.objects.exclude(region=kbr).exists()
    assert reviewer.region == kbr
    assert superuser.region is None and access.is_unconfined(superuser)


def test_the_same_year_title_may_exist_once_per_region(region_b, year):
    with pytest.raises(ValidationError):
        SchoolYear(
            region=region_b.region,
            title="2023-2024",
            start_date=date(2023, 9, 1),
            end_date=date(2024, 8, 31),
        ).full_clean()


def test_querysets_keep_each_region_to_itself(
    region_b, plan_b, plan, centre_a, superuser, coordinator
):
    assert set(Plan.objects.for_user(centre_a)) == {plan}
    assert set(Plan.objects.for_user(region_b.centre)) == {plan_b}
    assert set(Plan.objects.for_user(region_b.deputy)) == {plan_b}
    assert set(Plan.objects.for_user(superuser)) == {plan, plan_b}
    assert set(SchoolYear.objects.for_user(centre_a)) == {plan.year}
    assert set(SchoolYear.objects.for_user(region_b.centre)) == {region_b.year}
    assert set(SchoolYear.objects.for_user(region_b.deputy)) == {region_b.year}
    assert set(SchoolYear.objects.for_user(coordinator)) == {plan.year}
    assert set(Municipality.objects.for_user(region_b.centre)) == {region_b.municipality}
    assert region_b.school not in School.objects.for_user(centre_a)
    assert plan.school not in School.objects.for_user(region_b.centre)


def test_staff_without_a_region_see_no_region(plan, plan_b):
    stray = UserFactory(username="stray", is_staff=True, region=None)
    assert access.sees_region(stray)
    assert not Plan.objects.for_user(stray).exists()
    assert not SchoolYear.objects.for_user(stray).exists()


# --- The site -------------------------------------------------------------------


def test_each_centre_opens_only_its_own_regions_plans(client, region_b, plan_b, plan, centre_a):
    log_in(client, centre_a)
    assert client.get(plan.get_absolute_url()).status_code == 200
    assert client.get(plan_b.get_absolute_url()).status_code == 404
    log_in(client, region_b.centre)
    assert client.get(plan_b.get_absolute_url()).status_code == 200
    assert client.get(plan.get_absolute_url()).status_code == 404


def test_each_centre_lists_and_opens_only_its_own_regions_templates(
    client, region_b, year, centre_a
):
    own_a, own_b = (
        reverse("plans:template", args=[year.pk]),
        reverse("plans:template", args=[region_b.year.pk]),
    )
    log_in(client, centre_a)
    page = client.get(reverse("plans:templates")).content.decode()
    assert own_a in page and own_b not in page
    assert client.get(own_b).status_code == 404
    assert (
        client.get(reverse("plans:template-export-docx", args=[region_b.year.pk])).status_code
        == 404
    )

    log_in(client, region_b.centre)
    page = client.get(reverse("plans:templates")).content.decode()
    assert own_b in page and own_a not in page
    assert client.get(own_a).status_code == 404
    detail = client.get(own_b).content.decode()
    assert "Цели профориентации в Адыгее" in detail


def test_a_centre_cannot_change_another_regions_template(client, region_b, year, centre_a):
    item = TemplateItem.objects.get(year=year, code="I.")
    log_in(client, region_b.centre)
    url = reverse("plans:template-item", args=[year.pk, item.pk])
    assert client.post(url, {"action": "rename", "title": "Чужое"}).status_code == 404
    item.refresh_from_db()
    assert item.title.startswith("Постановка целей")


def test_a_new_year_is_copied_from_the_own_regions_template(client, region_b, year, centre_a):
    log_in(client, region_b.centre)
    client.post(reverse("plans:template-new-year"))
    new = SchoolYear.objects.get(title="2024-2025")
    assert new.region == region_b.region
    assert list(new.template_items.values_list("code", flat=True).order_by("pk")) == [
        "I.",
        "1.1.",
    ]
    assert not SchoolYear.objects.filter(region=year.region, title="2024-2025").exists()


def test_the_school_of_region_b_starts_its_plan_only_from_region_bs_template(
    client, region_b, year
):
    client.force_login(region_b.deputy)
    home = client.get(reverse("plans:home"))
    assert home.context["current_year"] == region_b.year
    assert home.context["can_start"]

    # KBR's template of the same year is not found for this school.
    assert client.post(reverse("plans:start"), {"year": year.pk}).status_code == 404
    assert not Plan.objects.filter(school=region_b.school).exists()

    response = client.post(reverse("plans:start"), {"year": region_b.year.pk})
    plan = Plan.objects.get(school=region_b.school)
    assert response.status_code == 302 and plan.year == region_b.year
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Цели профориентации в Адыгее" in page
    assert "Постановка целей" not in page


def test_the_service_refuses_a_plan_from_another_regions_template(region_b, year):
    with pytest.raises(ValidationError, match="другого региона"):
        plan_start(school=region_b.school, year=year)


def test_a_kbr_school_still_starts_from_kbr_template(client, deputy, year, region_b):
    client.force_login(deputy)
    assert client.get(reverse("plans:home")).context["current_year"] == year


def test_campaigns_and_reports_stay_within_their_region(
    client, region_b, plan_b, plan, year, centre_a
):
    campaign_a = open_campaign(year, name="Мониторинг КБР")
    campaign_b = open_campaign(region_b.year, name="Мониторинг Адыгеи")
    # Opening a campaign gives a report to the schools of its own region only.
    assert set(Report.objects.filter(campaign=campaign_b).values_list("school", flat=True)) == {
        region_b.school.pk
    }
    assert not Report.objects.filter(campaign=campaign_a, school=region_b.school).exists()

    assert set(Campaign.objects.for_user(centre_a)) == {campaign_a}
    assert set(Campaign.objects.for_user(region_b.centre)) == {campaign_b}
    assert set(Campaign.objects.for_user(region_b.deputy)) == {campaign_b}

    report_a = Report.objects.get(campaign=campaign_a, school=plan.school)
    report_b = Report.objects.get(campaign=campaign_b)
    log_in(client, region_b.centre)
    assert client.get(reverse("monitoring:report", args=[report_b.pk])).status_code == 200
    assert client.get(reverse("monitoring:report", args=[report_a.pk])).status_code == 404


def test_a_centre_sends_recommendations_only_to_its_own_regions_schools(region_b, school):
    with pytest.raises(ValidationError, match="своего региона"):
        recommendation_send(text="Проведите собрание", by=region_b.centre, school=school)
    sent = recommendation_send(
        text="Проведите собрание", by=region_b.centre, school=region_b.school
    )
    assert [r.school for r in sent] == [region_b.school]


def test_the_consolidated_export_of_a_centre_holds_only_its_region(
    client, region_b, plan_b, plan, centre_a
):
    log_in(client, region_b.centre)
    client.post(reverse("plans:export-region"))
    made = Document.objects.get(requested_by=region_b.centre)
    assert made.year == region_b.year
    assert "РА" in made.filename and "КБР" not in made.filename
    assert list(document_plans(made)) == [plan_b]
    log_in(client, centre_a)
    assert client.get(reverse("plans:document", args=[made.pk])).status_code == 404


# --- The admin ------------------------------------------------------------------


def _admin_pages(model, obj):
    meta = model._meta
    return (
        reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"),
        reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]),
    )


@pytest.mark.parametrize(
    "what", ["plan", "school", "municipality", "schoolyear", "templateitem", "campaign"]
)
def test_neither_centre_sees_the_other_regions_rows_in_the_admin(
    client, what, region_b, plan_b, plan, year, centre_a
):
    campaign_a = open_campaign(year)
    campaign_b = open_campaign(region_b.year)
    rows = {
        "plan": (plan, plan_b),
        "school": (plan.school, region_b.school),
        "municipality": (plan.school.municipality, region_b.municipality),
        "schoolyear": (year, region_b.year),
        "templateitem": (
            TemplateItem.objects.get(year=year, code="I."),
            region_b.section,
        ),
        "campaign": (campaign_a, campaign_b),
    }[what]
    for user, own, other in [
        (centre_a, rows[0], rows[1]),
        (region_b.centre, rows[1], rows[0]),
    ]:
        log_in(client, user)
        changelist, own_page = _admin_pages(type(own), own)
        _, other_page = _admin_pages(type(other), other)
        listing = client.get(changelist + "?all=").content.decode()
        assert own_page in listing
        assert other_page not in listing
        assert client.get(own_page).status_code == 200
        assert client.get(other_page).status_code == 404


def test_the_admins_review_page_of_another_regions_plan_is_not_found(
    client, region_b, plan_b, centre_a
):
    log_in(client, centre_a)
    review = reverse("admin:plans_plan_review", args=[plan_b.pk])
    assert client.get(review).status_code == 404


def test_the_admin_filters_offer_only_the_own_regions_municipalities(
    client, region_b, plan_b, plan, centre_a
):
    log_in(client, region_b.centre)
    page = client.get(reverse("admin:plans_plan_changelist")).content.decode()
    assert "Майкоп" in page
    assert "Нальчик" not in page and "Баксанский" not in page


def test_the_execution_marks_admin_offers_only_the_own_regions_years_and_municipalities(
    client, region_b, plan_b, plan, year, centre_a
):
    next_year = SchoolYear.objects.create(
        region=year.region,
        title="2024-2025",
        start_date=date(2024, 9, 1),
        end_date=date(2025, 8, 31),
        plan_title=year.plan_title,
    )
    log_in(client, centre_a)
    page = client.get(reverse("admin:plans_rowexecution_changelist")).content.decode()
    assert f"row__plan__year__id__exact={year.pk}" in page
    assert f"row__plan__year__id__exact={next_year.pk}" in page
    assert f"row__plan__year__id__exact={region_b.year.pk}" not in page
    assert plan.school.municipality.name in page
    assert "Майкоп" not in page
    assert f"row__plan__school__municipality__id__exact={region_b.municipality.pk}" not in page


def test_only_a_superuser_sets_a_staff_members_region(client, region_b, centre_a, superuser):
    url = reverse("admin:accounts_user_change", args=[region_b.centre.pk])
    log_in(client, superuser)
    assert 'name="region"' in client.get(url).content.decode()
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    # A centre's member lists the accounts of the own region only.
    centre_a.user_permissions.add(*ensure_roles()[REGIONAL].permissions.all())
    log_in(client, centre_a)
    listing = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "deputy_b" not in listing and "centre_b" not in listing
    assert client.get(url).status_code == 404


def test_the_superuser_without_a_region_sees_both(client, region_b, plan_b, plan, superuser):
    log_in(client, superuser)
    listing = client.get(reverse("admin:plans_plan_changelist")).content.decode()
    for one in (plan, plan_b):
        assert reverse("admin:plans_plan_change", args=[one.pk]) in listing


# --- Commands -------------------------------------------------------------------


def test_commands_name_a_year_in_a_region_by_its_code(region_b, year, tmp_path):
    call_command("copy_school_year", "2023-2024", "2024-2025", region="ra", verbosity=0)
    assert SchoolYear.objects.get(title="2024-2025").region == region_b.region
    # Without --region: the default region, Kabardino-Balkaria, as before.
    call_command("copy_school_year", "2023-2024", "2024-2025", verbosity=0)
    assert SchoolYear.objects.get(region=year.region, title="2024-2025")


def test_a_submission_is_told_to_the_centre_of_its_own_region(region_b, centre_a):
    assert list(access.reviewers(region_id=region_b.region.pk)) == [region_b.centre]
    assert list(access.reviewers(region_id=centre_a.region_id)) == [centre_a]


def test_ensure_roles_gives_a_centre_member_a_region(region_b):
    member = UserFactory(username="metodist_b")
    call_command("ensure_roles", regional=["metodist_b"], region="ra", stdout=io.StringIO())
    member.refresh_from_db()
    assert member.is_staff and member.region == region_b.region
    kbr_member = UserFactory(username="metodist_a")
    call_command("ensure_roles", regional=["metodist_a"], stdout=io.StringIO())
    kbr_member.refresh_from_db()
    assert kbr_member.region == Region.objects.get(code="kbr")


def test_an_account_added_by_a_regions_administrator_belongs_to_that_region(client, region_b):
    """Adding an account by hand takes the right to change accounts: a superuser's. One
    given a region administers that region only, and its new accounts stay in it."""
    admin_b = UserFactory(
        username="admin_b", is_staff=True, is_superuser=True, region=region_b.region
    )
    assert not access.is_unconfined(admin_b)
    log_in(client, admin_b)
    add = reverse("admin:accounts_user_add")
    assert client.get(add).status_code == 200
    response = client.post(
        add,
        {
            "username": "new_b",
            "password1": "Длинный-пароль-2024",
            "password2": "Длинный-пароль-2024",
            "usable_password": "true",
            "position": "методист",
            "school_role": "deputy",  # the form's default, as the browser sends it
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = type(region_b.centre).objects.get(username="new_b")
    assert created.region == region_b.region
    listing = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert reverse("admin:accounts_user_change", args=[created.pk]) in listing


def test_the_weekly_digest_reaches_the_schools_of_every_region(
    region_b, plan_b, plan, deputy, run_worker
):
    """Each region's schools are reminded in their own current year (the same title here,
    two different templates): the digest does not stop at the first region's."""
    from django.core import mail

    from plans.execution.digest import send_execution_digest
    from plans.models import PlanStatus
    from tests.factories import add_row

    region_b.deputy.email = "deputy_b@example.org"
    region_b.deputy.save()
    add_row(plan, "3.2.", activity="Экскурсия в Нальчике", start_date=date(2023, 10, 10))
    add_row(plan_b, "I.", activity="Экскурсия в Майкопе", start_date=date(2023, 10, 10))
    Plan.objects.filter(pk__in=[plan.pk, plan_b.pk]).update(status=PlanStatus.APPROVED)

    assert send_execution_digest(today=date(2023, 12, 1)) == 2
    run_worker()
    letters = {tuple(letter.to): letter.body for letter in mail.outbox}
    assert "Экскурсия в Нальчике" in letters[(deputy.email,)]
    assert "Экскурсия в Майкопе" in letters[("deputy_b@example.org",)]


def test_each_centres_dashboard_and_execution_list_keep_to_its_region(
    client, region_b, plan_b, plan, year, centre_a
):
    from plans.models import PlanStatus

    open_campaign(year, name="Мониторинг КБР")
    open_campaign(region_b.year, name="Мониторинг Адыгеи")
    Plan.objects.filter(pk__in=[plan.pk, plan_b.pk]).update(status=PlanStatus.APPROVED)

    log_in(client, region_b.centre)
    dashboard = client.get(reverse("monitoring:dashboard")).content.decode()
    assert "Майкоп" in dashboard and plan.school.municipality.name not in dashboard
    execution = client.get(reverse("plans:execution-region")).content.decode()
    assert region_b.school.short_name in execution and plan.school.short_name not in execution
    # Another region's year asked for by id is not found.
    assert client.get(reverse("plans:execution-region"), {"year": year.pk}).status_code == 404

    log_in(client, centre_a)
    dashboard = client.get(reverse("monitoring:dashboard")).content.decode()
    assert "Майкоп" not in dashboard and plan.school.municipality.name in dashboard
    execution = client.get(reverse("plans:execution-region")).content.decode()
    assert plan.school.short_name in execution and region_b.school.short_name not in execution
