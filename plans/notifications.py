"""E-mail to the other side of the workflow, sent after the change is committed.

A mail server that is down never blocks or undoes a status change: the notice is
queued for the worker (profplan/tasks.py), which tries again later until the
server answers; failures are logged without addresses or names (152-ФЗ).
"""

from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts import access
from profplan.site import site_url
from profplan.tasks import enqueue_mail


def _school_addresses(plan) -> list[str]:
    """The school's deputy director: the plan's workflow is theirs, not the team's."""
    return list(
        get_user_model()
        .objects.filter(school_id=plan.school_id, school_role="deputy", is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def _assignee_addresses(row_id) -> list[str]:
    if row_id is None:
        return []
    return list(
        get_user_model()
        .objects.filter(row_assignments__row_id=row_id, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def _regional_addresses(plan) -> list[str]:
    """The centre of the plan's region (its year's): another region's centre is not told."""
    reviewers = access.reviewers(region_id=plan.year.region_id)
    return list(reviewers.exclude(email="").values_list("email", flat=True).distinct())


def _send(subject: str, body: str, recipients: list[str], what: str) -> None:
    enqueue_mail(subject, body, recipients, what)


def plan_status_changed(*, plan, action: str, comment: str = "") -> None:
    school_url = site_url() + plan.get_absolute_url()
    if action == "submit":
        _send(
            f"Профплан: {plan.school.short_name} сдала план на {plan.year}",
            f"План {plan.school.full_name} на {plan.year} учебный год сдан на рассмотрение.\n\n"
            f"Открыть: {site_url()}{reverse('admin:plans_plan_review', args=[plan.pk])}\n",
            _regional_addresses(plan),
            "plan-submitted",
        )
    elif action in ("return", "reopen"):
        _send(
            f"Профплан: план на {plan.year} возвращён на доработку",
            f"Региональный центр вернул план на {plan.year} учебный год на доработку.\n\n"
            f"Что исправить:\n{comment}\n\nОткрыть план: {school_url}\n",
            _school_addresses(plan),
            "plan-returned",
        )
    elif action == "approve":
        _send(
            f"Профплан: план на {plan.year} утверждён",
            f"Региональный центр утвердил план на {plan.year} учебный год.\n"
            + (f"\nКомментарий: {comment}\n" if comment else "")
            + f"\nОткрыть план: {school_url}\n",
            _school_addresses(plan),
            "plan-approved",
        )


def comment_added(*, comment) -> None:
    plan = comment.plan
    where = f"к строке {comment.row_number}" if comment.row_number else "к плану"
    # An answer from the school (its deputy or a team member on their row) goes to the
    # centre; a remark of the centre to the school, and to the row's assignees.
    if comment.author and access.in_school(comment.author, plan.school_id):
        recipients = _regional_addresses(plan)
        link = site_url() + reverse("admin:plans_plan_review", args=[plan.pk])
    else:
        recipients = _school_addresses(plan) + _assignee_addresses(comment.row_id)
        link = site_url() + plan.get_absolute_url()
    _send(
        f"Профплан: новый комментарий {where} ({plan.school.short_name}, {plan.year})",
        f"Комментарий {where}:\n{comment.text}\n\nОткрыть: {link}\n",
        recipients,
        "comment-added",
    )
