"""The admin counts plans in Russian: «3 плана», «5 планов», never «3 планы»."""

import pytest
from django.urls import reverse

from accounts.roles import REGIONAL, ensure_roles
from plans import services
from plans.plurals import ru_plural
from tests.factories import SchoolFactory, UserFactory, make_plan
from tests.plans.test_editor import complete
from tests.signin import log_in

pytestmark = pytest.mark.django_db

PLAN = ("план", "плана", "планов")


@pytest.mark.parametrize(
    "count,word",
    [(0, "планов"), (1, "план"), (2, "плана"), (4, "плана"), (5, "планов"), (11, "планов"),
     (12, "планов"), (14, "планов"), (21, "план"), (22, "плана"), (111, "планов"),
     (122, "плана")],
)  # fmt: skip
def test_russian_plural_forms(count, word):
    assert ru_plural(count, *PLAN) == word


@pytest.fixture
def centre(client, reviewer):
    reviewer.groups.add(ensure_roles()[REGIONAL])
    log_in(client, reviewer)
    return client


@pytest.fixture
def three_submitted(levels):
    plans = []
    for _ in range(3):
        school = SchoolFactory()
        plan = make_plan(school, levels={grade: levels["basic"].pk for grade in range(6, 12)})
        complete(plan)
        services.plan_submit(plan=plan, by=UserFactory(school=school), version=None)
        plans.append(plan)
    return plans


def test_changelist_counts_plans_in_russian(centre, three_submitted):
    page = centre.get(reverse("admin:plans_plan_changelist")).content.decode()
    assert "3 плана" in page and "3 планы" not in page


def test_bulk_actions_say_how_many_plans_in_russian(centre, three_submitted):
    url = reverse("admin:plans_plan_changelist")
    selected = [plan.pk for plan in three_submitted]
    page = centre.post(
        url,
        {"action": "return_selected", "_selected_action": selected, "apply": "1",
         "comment": "Дополните раздел 3.4"},
        follow=True,
    ).content.decode()  # fmt: skip
    assert "Возвращено на доработку 3 плана." in page
    for plan in three_submitted:
        services.plan_submit(plan=plan, by=UserFactory(school=plan.school), version=None)
    page = centre.post(
        url, {"action": "approve_selected", "_selected_action": selected}, follow=True
    ).content.decode()
    assert "Утверждено 3 плана." in page and "планы." not in page
