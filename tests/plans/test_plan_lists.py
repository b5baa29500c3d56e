"""The «Изменён» column of the plan lists (the school's, the coordinator's, the admin's)
moves with every change of a plan: rows, submission, return, approval."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.roles import REGIONAL, ensure_roles
from plans import services
from plans.models import Plan
from tests.plans.test_editor import complete
from tests.signin import log_in

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.make_aware(datetime(2020, 1, 2, 3, 4))


def shown(moment) -> str:
    return date_format(timezone.localtime(moment), "d.m.Y H:i")


@pytest.fixture
def regional(reviewer):
    reviewer.groups.add(ensure_roles()[REGIONAL])
    return reviewer


def test_every_change_moves_the_changed_column_of_every_list(
    client, plan, deputy, coordinator, regional
):
    lists = [
        (deputy, reverse("plans:home")),
        (coordinator, reverse("plans:home")),
        (regional, reverse("admin:plans_plan_changelist")),
    ]
    complete(plan)
    row = plan.rows.filter(fixed_item=None).first()
    changes = [
        lambda: services.plan_row_update(row=row, data={"period": "октябрь"}, version=None),
        lambda: services.plan_submit(plan=plan, by=deputy, version=None),
        lambda: services.plan_return(plan=plan, by=regional, comment="Дополните раздел 3.4"),
        lambda: services.plan_submit(plan=plan, by=deputy, version=None),
        lambda: services.plan_approve(plan=plan, by=regional),
    ]
    for change in changes:
        Plan.objects.filter(pk=plan.pk).update(updated_at=LONG_AGO)
        change()
        updated_at = Plan.objects.get(pk=plan.pk).updated_at
        assert updated_at > LONG_AGO
        for user, url in lists:
            log_in(client, user)
            page = client.get(url).content.decode()
            assert shown(updated_at) in page and shown(LONG_AGO) not in page, url
