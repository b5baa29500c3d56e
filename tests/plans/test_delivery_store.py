"""The hours per grade stored for the region's dashboard follow every mark, approval
and `manage.py recompute_delivery`."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from plans import services
from plans.models import PlanGrade, PlanStatus
from tests.factories import add_row
from tests.plans.test_editor import complete
from tests.signin import log_in

pytestmark = pytest.mark.django_db


def figures(plan) -> dict[int, tuple]:
    return {
        grade.grade: (grade.hours_planned, grade.hours_delivered)
        for grade in PlanGrade.objects.filter(plan=plan)
    }


def test_approval_stores_planned_hours_and_nothing_delivered(
    plan, deputy, reviewer, django_capture_on_commit_callbacks
):
    complete(plan)
    assert figures(plan)[9] == (None, None)  # a draft has no figures
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_submit(plan=plan, by=deputy, version=None)
    services.plan_approve(plan=plan, by=reviewer)
    planned, delivered = figures(plan)[9]
    assert planned >= 60 and delivered == 0


def test_each_mark_updates_the_hours_delivered(plan, deputy):
    add_row(plan, "3.4.13.1.", activity="Урок профессий", hours=30, grades=(8, 9))
    plan.status = PlanStatus.APPROVED
    plan.save()
    row = plan.rows.get(activity="Урок профессий")
    services.row_execution_record(
        row=row, by=deputy, data={"status": "done", "hours": Decimal(12), "grades": (9,)}
    )
    assert figures(plan)[9] == (Decimal(30), Decimal(12))
    assert figures(plan)[8] == (Decimal(30), Decimal(0))
    services.row_execution_record(row=row, by=deputy, data={"status": "not_done"})
    assert figures(plan)[9] == (Decimal(30), Decimal(0))


def test_recompute_fills_missing_figures_of_approved_plans_only(plan, other_plan, deputy):
    add_row(plan, "3.4.13.1.", activity="Урок профессий", hours=30, grades=(9,))
    plan.status = PlanStatus.APPROVED
    plan.save()
    services.row_execution_record(
        row=plan.rows.get(activity="Урок профессий"), by=deputy, data={"status": "done"}
    )
    PlanGrade.objects.update(hours_planned=None, hours_delivered=None)  # as after migrating
    call_command("recompute_delivery", stdout=StringIO())
    assert figures(plan)[9] == (Decimal(30), Decimal(30))
    assert figures(other_plan)[9] == (None, None)  # a draft


def test_recompute_with_nothing_missing_is_one_query(plan, django_assert_num_queries):
    plan.status = PlanStatus.APPROVED
    plan.save()
    services.plan_delivery_store(plan=plan)
    with django_assert_num_queries(1):
        call_command("recompute_delivery", stdout=StringIO())


def form_data(html: str) -> dict:
    """The values a browser would post from the admin's change form."""
    from html.parser import HTMLParser

    data: dict = {}

    class Form(HTMLParser):
        textarea = None
        select = None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            name = attrs.get("name")
            if tag == "input" and name and attrs.get("type") not in ("submit", "checkbox"):
                data[name] = attrs.get("value") or ""
            elif tag == "input" and name and "checked" in attrs:
                data.setdefault(name, []).append(attrs.get("value") or "on")
            elif tag == "textarea" and name:
                self.textarea = name
                data[name] = ""
            elif tag == "select" and name:
                self.select = name
                data.setdefault(name, [] if "multiple" in attrs else "")
            elif tag == "option" and self.select and "selected" in attrs:
                if isinstance(data[self.select], list):
                    data[self.select].append(attrs.get("value") or "")
                else:
                    data[self.select] = attrs.get("value") or ""

        def handle_endtag(self, tag):
            if tag == "textarea":
                self.textarea = None
            elif tag == "select":
                self.select = None

        def handle_data(self, text):
            if self.textarea:
                data[self.textarea] += text

    Form().feed(html)
    return data


def test_the_centres_edit_of_an_approved_plan_in_the_admin_updates_the_hours(
    client, superuser, plan, deputy
):
    row = add_row(plan, "3.4.13.1.", activity="Урок профессий", hours=30, grades=(9,))
    plan.status = PlanStatus.APPROVED
    plan.save()
    services.row_execution_record(row=row, by=deputy, data={"status": "done"})
    assert figures(plan)[9] == (Decimal(30), Decimal(30))
    log_in(client, superuser)
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    data = form_data(client.get(url).content.decode())
    prefix = next(
        key for key, value in data.items() if key.endswith("-id") and value == str(row.pk)
    )
    data[prefix.removesuffix("-id") + "-hours"] = "34"
    response = client.post(url, data)
    assert response.status_code == 302
    assert figures(plan)[9] == (Decimal(34), Decimal(34))  # done as planned: the plan's hours
