"""The workflow of a plan: submit, return, approve, reopen; the stored result of the
профминимум check; the snapshot frozen with each submission.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts import access
from plans import notifications
from plans.models import Plan, PlanEvent, PlanStatus, PlanSubmission
from plans.numbering import plan_lines
from plans.profminimum import check_plan
from plans.services.errors import PlanConflict, PlanNotEditable, SubmitRefused, TransitionRefused
from profplan.tasks import enqueue_after_commit


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


def plans_refresh_check(*, plans, chunk: int = 100) -> int:
    """`plan_refresh_check` for every plan of queryset `plans`, `chunk` at a time: the
    editor's bundle of a chunk and two updates (passed, not passed) per chunk, not a
    bundle per plan. Returns how many plans were checked."""
    ids = list(plans.order_by("pk").values_list("pk", flat=True).distinct())
    for start in range(0, len(ids), chunk):
        bundles = Plan.objects.for_editor().filter(pk__in=ids[start : start + chunk])
        passed, failed = [], []
        for bundle in bundles:
            (passed if check_plan(bundle).passed else failed).append(bundle.pk)
        Plan.objects.filter(pk__in=passed).update(check_passed=True)
        Plan.objects.filter(pk__in=failed).update(check_passed=False)
    return len(ids)


def _check_right(*, plan: Plan, by, action: str) -> None:
    """Refuse `by` unless the action is theirs: the plan's school submits, the centre of
    the plan's region decides. Checked here, not only by the views' querysets, so an
    admin action, a command or a future view cannot do what the person may not.
    `by=None` is no person but a management command (load_demo), run by whoever
    holds the server and its database already. `plan.school.municipality` is read."""
    if by is None:
        return
    verb = TRANSITIONS[action][2]
    if action == "submit":
        if not access.may_submit_plan(by, plan):
            raise TransitionRefused(f"Нельзя {verb}: план сдаёт только его школа.")
    elif not access.may_review_plan(by, plan):
        raise TransitionRefused(
            f"Нельзя {verb}: это решает только региональный центр региона этой школы."
        )


def _transition(*, plan: Plan, by, action: str, version: int | None, comment: str = "") -> Plan:
    """Move a locked plan along the workflow, or refuse with a message.

    `version` is the plan's version as the acting page saw it: a form replayed
    after the plan moved on (another reviewer, another tab) is refused.
    """
    starts, target, verb = TRANSITIONS[action]
    locked = (
        # Only the plan's row is locked; its school and municipality are read.
        Plan.objects.select_for_update(of=("self",))
        .select_related("school__municipality", "year")
        .get(pk=plan.pk)
    )
    _check_right(plan=locked, by=by, action=action)
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
    from plans.tasks import render_submission

    locked = Plan.objects.select_for_update(of=("self",)).select_related("school").get(pk=plan.pk)
    _check_right(plan=locked, by=by, action="submit")
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
    from plans.tasks import render_submission

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
    if by is not None and not access.may_review(by):
        raise TransitionRefused("Вернуть утверждённый план может только региональный центр.")
    if not reason.strip():
        raise TransitionRefused("Укажите причину, по которой утверждённый план возвращается.")
    return _transition(plan=plan, by=by, action="reopen", version=version, comment=reason.strip())
