"""accounts/access.py, persona by persona: every predicate and every scope, then what
the pages show for them (the nav, the buttons) and what another school gets (404).

The personas: a deputy director of `school`, the deputy of `other_school` (same
municipality), an inactive deputy of `school`, the coordinator of that municipality,
a coordinator of another municipality, a member of the regional centre, a superuser
and an anonymous visitor.
"""

import re
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from accounts import access
from accounts.roles import REGIONAL, ensure_roles
from monitoring.models import Campaign, PlanIndicator, Recommendation, Report, ReportStatus
from plans.models import Municipality, Plan, PlanStatus
from tests.factories import SchoolFactory, UserFactory, make_plan, open_campaign
from tests.signin import log_in

pytestmark = pytest.mark.django_db

PERSONAS = [
    "deputy",
    "other_deputy",
    "inactive",
    "coordinator",
    "far_coordinator",
    "reviewer",
    "superuser",
    "anonymous",
]


@pytest.fixture
def far_school(db):
    return SchoolFactory(municipality=Municipality.objects.order_by("pk")[1])


@pytest.fixture
def far_plan(far_school):
    return make_plan(far_school)


@pytest.fixture
def people(deputy, other_deputy, coordinator, reviewer, superuser, school, far_school):
    return {
        "deputy": deputy,
        "other_deputy": other_deputy,
        "inactive": UserFactory(username="gone", school=school, is_active=False),
        "coordinator": coordinator,
        "far_coordinator": UserFactory(
            username="far_coordinator", municipality=far_school.municipality
        ),
        "reviewer": reviewer,
        "superuser": superuser,
        "anonymous": AnonymousUser(),
    }


@pytest.fixture
def campaign(year, school, other_school, far_school):
    """Open since October 2023, with a report for each of the three schools."""
    return open_campaign(year)


# --- Predicates about the user alone -----------------------------------------

# In the order of PERSONAS:
# deputy, other_deputy, inactive, coordinator, far_coordinator, reviewer, superuser, anonymous
Y, n = True, False
ROLE_PREDICATES = {
    "signed_in": [Y, Y, n, Y, Y, Y, Y, n],
    "sees_region": [n, n, n, n, n, Y, Y, n],
    "sees_municipality": [n, n, n, Y, Y, n, n, n],
    "is_school_user": [Y, Y, n, n, n, n, n, n],
    "may_review": [n, n, n, n, n, Y, Y, n],
    "may_use_admin": [n, n, n, n, n, Y, Y, n],
    "may_see_dashboard": [n, n, n, Y, Y, Y, Y, n],
    "may_export_consolidated": [n, n, n, Y, Y, Y, Y, n],
}


@pytest.mark.parametrize("predicate", sorted(ROLE_PREDICATES))
def test_role_predicates_for_every_persona(people, predicate):
    answers = {name: getattr(access, predicate)(people[name]) for name in PERSONAS}
    assert answers == dict(zip(PERSONAS, ROLE_PREDICATES[predicate], strict=True))


def test_template_access_object_answers_as_the_functions(people):
    for name in PERSONAS:
        seen = access.Access(people[name])
        for predicate in ROLE_PREDICATES:
            if predicate != "signed_in":
                assert getattr(seen, predicate) is getattr(access, predicate)(people[name])


def test_templates_ask_only_predicates_the_access_object_has():
    """A misspelt `access.sees_regoin` would be silently false in a template."""
    from django.conf import settings

    asked = set()
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        asked |= set(re.findall(r"\baccess\.(\w+)", path.read_text()))
    assert asked and asked <= set(access.Access.PREDICATES), asked - set(access.Access.PREDICATES)
    with pytest.raises(AttributeError):
        getattr(access.Access(AnonymousUser()), "sees_regoin")  # noqa: B009


def test_staff_without_superuser_flag_and_superuser_without_staff_flag_see_the_region(school):
    assert access.sees_region(UserFactory(username="staff", is_staff=True))
    assert access.sees_region(UserFactory(username="root", is_superuser=True))
    # A staff member linked to a school still sees the region; the school's text is
    # still changed only by the school's own people, which he is.
    staff_of_school = UserFactory(username="staff_school", is_staff=True, school=school)
    assert access.sees_region(staff_of_school) and not access.sees_municipality(staff_of_school)


# --- Predicates about a user and an object -----------------------------------


def writers(people, predicate, *args) -> set[str]:
    return {name for name in PERSONAS if predicate(people[name], *args)}


def test_only_the_school_edits_its_plan_and_only_while_it_is_a_draft_or_returned(people, plan):
    assert writers(people, access.may_edit_plan, plan) == {"deputy"}
    for status, editable in [
        (PlanStatus.RETURNED, {"deputy"}),
        (PlanStatus.SUBMITTED, set()),
        (PlanStatus.APPROVED, set()),
    ]:
        plan.status = status
        assert writers(people, access.may_edit_plan, plan) == editable, status


@pytest.mark.parametrize("status", [PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.APPROVED])
def test_only_the_school_answers_remarks_and_writes_self_analysis_at_any_status(
    people, plan, status
):
    plan.status = status
    assert writers(people, access.may_answer_comments, plan) == {"deputy"}
    assert writers(people, access.may_write_self_analysis, plan) == {"deputy"}


def test_only_the_school_answers_a_recommendation(people, school, reviewer):
    recommendation = Recommendation.objects.create(
        school=school, text="Проведите собрание", created_by=reviewer
    )
    assert writers(people, access.may_answer_recommendation, recommendation) == {"deputy"}


def test_only_the_school_fills_its_report_once_opened_and_until_submitted(people, campaign, school):
    report = Report.objects.select_related("campaign").get(campaign=campaign, school=school)
    today = date(2024, 1, 15)
    assert writers(people, access.may_edit_report, report, today) == {"deputy"}
    assert writers(people, access.may_edit_report, report, date(2023, 9, 30)) == set()
    report.status = ReportStatus.SUBMITTED
    assert writers(people, access.may_edit_report, report, today) == set()


def test_belongs_to_needs_an_active_user_of_that_very_school(people, school, other_school):
    assert access.belongs_to(people["deputy"], school.pk)
    assert not access.belongs_to(people["deputy"], other_school.pk)
    assert not access.belongs_to(people["inactive"], school.pk)
    assert not access.belongs_to(people["coordinator"], school.pk)
    assert not access.belongs_to(people["anonymous"], school.pk)


# --- Scopes ------------------------------------------------------------------


@pytest.fixture
def plans(plan, other_plan, far_plan):
    return {"plan": plan, "other_plan": other_plan, "far_plan": far_plan}


ALL = {"plan", "other_plan", "far_plan"}
SEEN = {
    "deputy": {"plan"},
    "other_deputy": {"other_plan"},
    "inactive": set(),
    "coordinator": {"plan", "other_plan"},  # other_school is in the same municipality
    "far_coordinator": {"far_plan"},
    "reviewer": ALL,
    "superuser": ALL,
    "anonymous": set(),
}
CHANGED = {"deputy": {"plan"}, "other_deputy": {"other_plan"}}


def names(found, plans) -> set[str]:
    by_pk = {p.pk: name for name, p in plans.items()}
    return {by_pk[pk] for pk in found}


@pytest.mark.parametrize("persona", PERSONAS)
def test_plans_a_persona_sees_and_changes(people, plans, persona):
    user = people[persona]
    seen = Plan.objects.for_user(user).values_list("pk", flat=True)
    assert names(seen, plans) == SEEN[persona]
    assert (
        names(access.scope(Plan.objects.all(), user).values_list("pk", flat=True), plans)
        == (SEEN[persona])
    )
    changed = Plan.objects.editable_by(user).values_list("pk", flat=True)
    assert names(changed, plans) == CHANGED.get(persona, set())


@pytest.mark.parametrize("persona", PERSONAS)
def test_monitoring_data_follows_the_same_scope(people, plans, campaign, catalogue, persona):
    user = people[persona]
    schools = {plan.school_id: name for name, plan in plans.items()}
    reports = Report.objects.for_user(user).filter(campaign=campaign)
    assert {schools[r.school_id] for r in reports} == SEEN[persona]
    for name, plan in plans.items():
        PlanIndicator.objects.create(plan=plan, indicator=next(iter(catalogue.values())))
        Recommendation.objects.create(school=plan.school, text=f"Для {name}")
    indicators = PlanIndicator.objects.for_user(user).select_related("plan")
    assert {schools[i.plan.school_id] for i in indicators} == SEEN[persona]
    recommendations = Recommendation.objects.for_user(user)
    assert {schools[r.school_id] for r in recommendations} == SEEN[persona]


@pytest.fixture
def catalogue(year):
    from monitoring.models import Indicator
    from tests.monitoring.region import load_catalogue

    load_catalogue()
    return {indicator.code: indicator for indicator in Indicator.objects.filter(year=year)}


def test_campaigns_are_public_to_those_who_sign_in_and_a_school_sees_its_own(
    people, campaign, year, school
):
    quiet = Campaign.objects.create(
        year=year, name="Без школы", period="весна", opens=date(2024, 3, 1), closes=date(2099, 1, 1)
    )
    # Only a newcomer school reports in `quiet`: the deputies' schools do not take part.
    Report.objects.create(campaign=quiet, school=SchoolFactory())
    for persona in PERSONAS:
        seen = set(Campaign.objects.for_user(people[persona]))
        if persona in ("inactive", "anonymous"):
            assert seen == set(), persona
        elif persona in ("deputy", "other_deputy"):
            assert seen == {campaign}, persona
        else:
            assert seen == {campaign, quiet}, persona
    staff_of_school = UserFactory(username="staff_school", is_staff=True, school=school)
    assert set(Campaign.objects.for_user(staff_of_school)) == {campaign, quiet}


def test_reviewers_are_the_active_staff_of_the_regional_centre_group(reviewer, superuser):
    groups = ensure_roles()
    reviewer.groups.add(groups[REGIONAL])
    gone = UserFactory(username="gone_reviewer", is_staff=True, is_active=False)
    gone.groups.add(groups[REGIONAL])
    not_staff = UserFactory(username="not_staff")
    not_staff.groups.add(groups[REGIONAL])
    assert list(access.reviewers()) == [reviewer]


# --- What the pages show -------------------------------------------------------


PLAN_PAGES = [
    lambda plan: reverse("plans:edit", args=[plan.pk]),
    lambda plan: reverse("plans:check", args=[plan.pk]),
    lambda plan: reverse("plans:export-pdf", args=[plan.pk]),
    lambda plan: reverse("plans:export-xlsx", args=[plan.pk]),
    lambda plan: reverse("plans:row", args=[plan.pk, plan.rows.first().pk]),
    lambda plan: reverse("monitoring:plan-indicators", args=[plan.pk]),
    lambda plan: reverse("monitoring:self-analysis", args=[plan.pk]),
]


@pytest.mark.parametrize("persona", ["other_deputy", "far_coordinator"])
def test_another_school_gets_404_on_every_plan_page(client, people, plan, persona):
    log_in(client, people[persona])
    for page in PLAN_PAGES:
        url = page(plan)
        assert client.get(url).status_code == 404, url


def test_the_own_school_opens_every_plan_page(client, people, plan, download):
    client.force_login(people["deputy"])
    for page in PLAN_PAGES:
        url = page(plan)
        # A file not rendered yet goes through its progress page (`download`).
        assert download(url, client).status_code == 200, url


NAV = {
    "Мониторинг и рекомендации": {"deputy"},
    "Мониторинг региона": {"coordinator", "reviewer", "superuser"},
    "Администрирование": {"reviewer", "superuser"},
}


@pytest.mark.parametrize("persona", ["deputy", "coordinator", "reviewer", "superuser"])
def test_the_menu_offers_what_the_role_may_open(client, people, persona):
    log_in(client, people[persona])
    page = client.get(reverse("plans:home")).content.decode()
    for link, offered_to in NAV.items():
        assert (link in page) is (persona in offered_to), link


@pytest.mark.parametrize(
    "persona, label",
    [
        ("deputy", None),
        ("coordinator", "Сводная таблица (Excel): "),
        ("reviewer", "Сводная таблица (Excel)</a>"),
    ],
)
def test_the_consolidated_workbook_button_names_its_scope(client, people, persona, label):
    log_in(client, people[persona])
    page = client.get(reverse("plans:home")).content.decode()
    if label is None:
        assert "Сводная таблица" not in page
    else:
        assert label in page
        if persona == "coordinator":
            assert f"{label}{people[persona].municipality}" in page


def test_only_the_centre_is_offered_to_send_recommendations(client, people, campaign):
    for persona, offered in [("deputy", False), ("coordinator", False), ("reviewer", True)]:
        log_in(client, people[persona])
        page = client.get(reverse("monitoring:recommendations")).content.decode()
        assert ("Направить рекомендацию" in page) is offered, persona
