"""The weekly digest of overdue rows, one e-mail per school (queued, never sent inline)."""

from collections import defaultdict
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from plans.execution.reads import overdue_rows_by_plan, row_due
from plans.models import Plan, PlanStatus, SchoolYear
from profplan.site import site_url
from profplan.tasks import enqueue_mail

DIGEST_LIMIT = 50  # rows listed in one letter; the page has the rest


def _title(row) -> str:
    text = row.activity or (row.fixed_item.title if row.fixed_item else "") or "мероприятие"
    return text.splitlines()[0][:150]


@transaction.atomic
def send_execution_digest(*, today: date) -> int:
    """Queue one letter per school with overdue rows; returns how many were queued.
    Each region in its own current year. Six queries whatever the number of schools
    and regions: years, plans, rows (three: `overdue_rows_by_plan`), addresses."""
    years = SchoolYear.objects.current_by_region(today).values()
    if not years:
        return 0
    plans = {
        plan.pk: plan
        for plan in Plan.objects.filter(
            year__in=list(years), status=PlanStatus.APPROVED
        ).select_related("school", "year")
    }
    overdue = overdue_rows_by_plan(list(plans), today)
    if not overdue:
        return 0
    school_ids = {plans[plan_id].school_id for plan_id in overdue}
    addresses = defaultdict(list)
    for school_id, email in (
        get_user_model()
        .objects.filter(school_id__in=school_ids, is_active=True)
        .exclude(email="")
        .values_list("school_id", "email")
    ):
        addresses[school_id].append(email)
    queued = 0
    for plan_id, rows in overdue.items():
        plan = plans[plan_id]
        recipients = addresses.get(plan.school_id)
        if not recipients:
            continue
        lines = [f"– {_title(row)} (срок {row_due(row):%d.%m.%Y})" for row in rows[:DIGEST_LIMIT]]
        if len(rows) > DIGEST_LIMIT:
            lines.append(f"… и ещё {len(rows) - DIGEST_LIMIT}")
        url = site_url() + reverse("plans:execution", args=[plan.pk])
        body = (
            f"Сроки этих мероприятий плана на {plan.year} учебный год прошли, "
            f"а отметки об исполнении нет ({len(rows)}):\n\n"
            + "\n".join(lines)
            + f"\n\nОтметить исполнение: {url}\n"
        )
        enqueue_mail(
            f"Профплан: {len(rows)} мероприятий ждут отметки об исполнении",
            body,
            recipients,
            "execution-digest",
        )
        queued += 1
    return queued
