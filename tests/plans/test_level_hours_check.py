"""A level's hours changed in the template: the plans' stored check (the reviewers'
filter «профминимум выполнен» in the admin) follows at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import REGIONAL, ensure_roles
from plans import services
from plans.models import Level, Plan
from tests.factories import make_plan
from tests.plans.test_editor import complete
from tests.signin import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(client, reviewer):
    reviewer.groups.add(ensure_roles()[REGIONAL])
    log_in(client, reviewer)
    return client


@pytest.fixture
def submitted(plan, deputy):
    complete(plan)
    services.plan_submit(plan=plan, by=deputy, version=None)
    plan.refresh_from_db()
    return plan


def listed(centre, query):
    return centre.get(reverse("admin:plans_plan_changelist") + "?" + query).content.decode()


def test_raising_a_levels_hours_fails_the_plans_below_it_in_the_admin_filter(
    centre, submitted, year
):
    name = f">{submitted.school.short_name}<"
    assert name in listed(centre, "check_passed__exact=1")
    basic = Level.objects.get(year=year, code="basic")
    hours = basic.min_hours
    response = centre.post(
        reverse("plans:template-levels", args=[year.pk]), {f"level-{basic.pk}": "400"}
    )
    assert response.status_code in (200, 302)
    assert Level.objects.get(pk=basic.pk).min_hours == 400
    assert name in listed(centre, "check_passed__exact=0")
    assert name not in listed(centre, "check_passed__exact=1")

    centre.post(
        reverse("plans:template-levels", args=[year.pk]),
        {f"level-{basic.pk}": str(hours)},
    )
    assert Plan.objects.get(pk=submitted.pk).check_passed


def test_only_plans_whose_grades_take_the_level_are_checked_again(submitted, year, levels):
    elsewhere = make_plan(levels={6: levels["main"].pk})
    Plan.objects.filter(pk=elsewhere.pk).update(check_passed=True)  # a stale answer stays put
    services.level_hours_set(level=levels["basic"], min_hours=500)
    assert not Plan.objects.get(pk=submitted.pk).check_passed
    assert Plan.objects.get(pk=elsewhere.pk).check_passed


def test_the_recheck_does_not_query_per_plan(submitted, levels):
    with CaptureQueriesContext(connection) as one:
        services.level_hours_set(level=levels["basic"], min_hours=300)
    for _ in range(6):
        make_plan(levels={6: levels["basic"].pk, 7: levels["basic"].pk})
    with CaptureQueriesContext(connection) as seven:
        services.level_hours_set(level=levels["basic"], min_hours=301)
    assert len(seven) == len(one)
