"""The workflow of a plan: submit, return, approve, reopen; the stored result of the
профминимум check; the snapshot frozen with each submission.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts import access
from profplan.tasks import enqueue_after_commit

from .. import notifications
from ..models import Plan, PlanEvent, PlanStatus, PlanSubmission
from ..numbering import plan_lines
from ..profminimum import check_plan
from .errors import PlanConflict, PlanNotEditable, SubmitRefused, TransitionRefused


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def plan_snapshot(lines) -> list[dict]:
    """The rows of the table as submitted: what a later diff compares."""
    return [
        {
            "number": line.number,
            "kind": line.kind,
            "item": line.item.pk,
            "row": line.row.pk if line.row else None,
            "title": line.title or "",
            **(
                {
                    "period": line.row.period,
                    "start_date": _iso(line.row.start_date),
                    "end_date": _iso(line.row.end_date),
                    "responsible": line.row.responsible,
                    "documents": line.row.documents,
                    "links": line.row.links,
                    "results": line.row.results,
                    "hours": str(line.row.hours) if line.row.hours is not None else None,
                    "grades": list(line.row.grades or ()),
                }
                if line.row
                else {}
            ),
        }
        for line in lines
    ]


# action: (statuses it starts from, status it leads to, what it is called in messages)
TRANSITIONS = {
    "submit": ({PlanStatus.DRAFT, PlanStatus.RETURNED}, PlanStatus.SUBMITTED, "сдать"),
    "return": ({PlanStatus.SUBMITTED}, PlanStatus.RETURNED, "вернуть на доработку"),
    "approve": ({PlanStatus.SUBMITTED}, PlanStatus.APPROVED, "утвердить"),
    "reopen": (
        {PlanStatus.APPROVED},
        PlanStatus.RETURNED,
        "вернуть утверждённый план на доработку",
    ),
}


def plan_refresh_check(*, plan: Plan) -> bool:
    """Recompute the stored result of the профминимум check (the reviewers' filter)."""

    passed = check_plan(Plan.objects.for_editor().get(pk=plan.pk)).passed
    Plan.objects.filter(pk=plan.pk).update(check_passed=passed)
    return passed


def _transition(*, plan: Plan, by, action: str, version: int | None, comment: str = "") -> Plan:
    """Move a locked plan along the workflow, or refuse with a message.

    `version` is the plan's version as the acting page saw it: a form replayed
    after the plan moved on (another reviewer, another tab) is refused.
    """
    starts, target, verb = TRANSITIONS[action]
    locked = Plan.objects.select_for_update().select_related("school", "year").get(pk=plan.pk)
    if locked.status not in starts:
        raise TransitionRefused(f"Нельзя {verb}: план сейчас «{locked.get_status_display()}».")
    if version is not None and locked.version != version:
        raise TransitionRefused(
            "План изменился с тех пор, как страница была открыта. Обновите страницу и повторите."
        )
    now = timezone.now()
    changes = {"status": target, "version": F("version") + 1, "updated_at": now}
    if target == PlanStatus.SUBMITTED:
        changes["submitted_at"] = now
    if target == PlanStatus.APPROVED:
        changes["approved_at"] = now
    Plan.objects.filter(pk=plan.pk).update(**changes)
    PlanEvent.objects.create(
        plan=locked, at=now, by=by, from_status=locked.status, to_status=target, comment=comment
    )
    locked.refresh_from_db()
    plan.__dict__.update(
        {
            k: getattr(locked, k)
            for k in ("status", "version", "submitted_at", "approved_at", "updated_at")
        }
    )

    # Queued in this transaction (profplan/tasks.py: the database queue, or the
    # outbox in front of RQ): sent only if the change commits, and never lost to a
    # queue that does not answer at that moment.
    notifications.plan_status_changed(plan=locked, action=action, comment=comment)
    return locked


@transaction.atomic
def plan_submit(*, plan: Plan, by, version: int | None) -> PlanSubmission:
    """Submit a draft or returned plan for review.

    Refused (SubmitRefused with every problem) while the профминимум check fails;
    PlanConflict if the page's version is stale. Freezes what was submitted, dated,
    as a PlanSubmission: the table rows (for the diff) and what the document shows.
    The worker draws the PDF from that record after the commit, so the submit
    answers at once and holds no lock while a PDF is drawn.
    """
    from plans.documents.formats.pdf import context_to_json, plan_print_context

    from ..tasks import render_submission

    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    if not locked.is_editable:
        raise PlanNotEditable()
    if version is not None and locked.version != version:
        raise PlanConflict()
    full = Plan.objects.for_editor().get(pk=plan.pk)
    lines = plan_lines(full)
    check = check_plan(full, lines)
    if not check.passed:
        raise SubmitRefused(check.problems)

    submitted = _transition(plan=full, by=by, action="submit", version=None)
    Plan.objects.filter(pk=plan.pk).update(check_passed=True)
    submission = PlanSubmission(
        plan=full,
        number=full.submissions.count() + 1,
        submitted_at=submitted.submitted_at,
        submitted_by=by,
        snapshot=plan_snapshot(lines),
    )
    full.status, full.approved_at = submitted.status, submitted.approved_at
    submission.document = context_to_json(plan_print_context(full, lines))
    submission.save()
    enqueue_after_commit(render_submission, submission.pk)
    plan.refresh_from_db()
    return submission


@transaction.atomic
def plan_return(*, plan: Plan, by, comment: str, version: int | None = None) -> Plan:
    """The regional centre returns a submitted plan; the school is told what to fix."""
    if not comment.strip():
        raise TransitionRefused(
            "Укажите, что нужно исправить: без комментария план не возвращается."
        )
    return _transition(plan=plan, by=by, action="return", version=version, comment=comment.strip())


@transaction.atomic
def plan_approve(*, plan: Plan, by, comment: str = "", version: int | None = None) -> Plan:
    """Approve a submitted plan; the approved copy (the last submission, without
    «ПРОЕКТ», with the date of approval) is drawn by the worker and kept beside it."""
    from plans.execution.services import plan_delivery_store

    from ..tasks import render_submission

    approved = _transition(
        plan=plan, by=by, action="approve", version=version, comment=comment.strip()
    )
    # The region's dashboard adds up the hours stored on the grades of approved plans.
    plan_delivery_store(plan=approved)
    last = approved.submissions.order_by("-number").first()
    if last is not None:
        PlanSubmission.objects.filter(pk=last.pk).update(approved_at=approved.approved_at)
        enqueue_after_commit(render_submission, last.pk, True)
    return approved


@transaction.atomic
def plan_reopen(*, plan: Plan, by, reason: str, version: int | None = None) -> Plan:
    """An approved plan goes back to the school: only the regional centre, with a reason."""
    if not access.may_review(by):
        raise TransitionRefused("Вернуть утверждённый план может только региональный центр.")
    if not reason.strip():
        raise TransitionRefused("Укажите причину, по которой утверждённый план возвращается.")
    return _transition(plan=plan, by=by, action="reopen", version=version, comment=reason.strip())
