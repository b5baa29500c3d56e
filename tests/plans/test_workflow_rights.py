"""Every workflow service checks the actor's right itself (accounts/access.py), not
only the views that call it: a school cannot approve, another region's centre cannot
decide on this region's plans, nobody but the school submits its plan."""

import pytest

from plans import services
from plans.models import PlanEvent, PlanStatus, Region
from tests.factories import UserFactory
from tests.plans.test_editor import complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def far_reviewer(db):
    """The centre of another region: staff, with every model right a centre has."""
    far = Region.objects.create(name="Республика Адыгея", short_name="РА", code="ra", order=2)
    return UserFactory(username="far_reviewer", is_staff=True, region=far)


@pytest.fixture
def submitted(plan, deputy):
    complete(plan)
    services.plan_submit(plan=plan, by=deputy, version=None)
    return plan


def unchanged(plan, status):
    plan.refresh_from_db()
    return plan.status == status


DECISIONS = {
    "return": lambda plan, by: services.plan_return(plan=plan, by=by, comment="Исправьте 3.4"),
    "approve": lambda plan, by: services.plan_approve(plan=plan, by=by),
}


@pytest.mark.parametrize("decision", sorted(DECISIONS))
@pytest.mark.parametrize("actor", ["deputy", "other_deputy", "coordinator", "far_reviewer"])
def test_only_the_centre_of_the_plans_region_returns_or_approves(
    request, submitted, decision, actor
):
    events = PlanEvent.objects.count()
    with pytest.raises(services.TransitionRefused) as refused:
        DECISIONS[decision](submitted, request.getfixturevalue(actor))
    assert "только региональный центр региона этой школы" in refused.value.message
    assert unchanged(submitted, PlanStatus.SUBMITTED)
    assert PlanEvent.objects.count() == events


@pytest.mark.parametrize("decision", sorted(DECISIONS))
@pytest.mark.parametrize("actor", ["reviewer", "superuser"])
def test_the_centre_of_the_region_and_a_superuser_decide(request, submitted, decision, actor):
    DECISIONS[decision](submitted, request.getfixturevalue(actor))
    assert not unchanged(submitted, PlanStatus.SUBMITTED)


@pytest.mark.parametrize(
    "actor, message",
    [
        ("deputy", "Вернуть утверждённый план может только региональный центр."),
        ("coordinator", "Вернуть утверждённый план может только региональный центр."),
        ("far_reviewer", "только региональный центр региона этой школы"),
    ],
)
def test_only_the_centre_of_the_plans_region_reopens_an_approved_plan(
    request, submitted, reviewer, actor, message
):
    services.plan_approve(plan=submitted, by=reviewer)
    with pytest.raises(services.TransitionRefused) as refused:
        services.plan_reopen(
            plan=submitted, by=request.getfixturevalue(actor), reason="Ошибка в часах"
        )
    assert message in refused.value.message
    assert unchanged(submitted, PlanStatus.APPROVED)


@pytest.mark.parametrize("actor", ["other_deputy", "coordinator", "reviewer", "far_reviewer"])
def test_only_the_plans_own_school_submits_it(request, plan, actor):
    complete(plan)
    with pytest.raises(services.TransitionRefused) as refused:
        services.plan_submit(plan=plan, by=request.getfixturevalue(actor), version=None)
    assert refused.value.message == "Нельзя сдать: план сдаёт только его школа."
    assert unchanged(plan, PlanStatus.DRAFT)
    assert not plan.submissions.exists()
