"""Remarks of the regional centre on a plan or a row, and the school's answers."""

from django.db import transaction
from django.utils import timezone

from .. import notifications
from ..models import Plan, PlanComment, PlanRow
from ..numbering import plan_lines
from .errors import TransitionRefused
from .rows import plan_touch


@transaction.atomic
def plan_comment_add(*, plan: Plan, by, text: str, row: PlanRow | None = None, reply_to=None):
    """A remark on the plan or on a row (or an answer to one). The other side is told by e-mail."""
    text = text.strip()
    if not text:
        raise TransitionRefused("Комментарий пуст.")
    if row is not None and row.plan_id != plan.pk:
        raise TransitionRefused("Строка не из этого плана.")
    if reply_to is not None:
        if reply_to.plan_id != plan.pk:
            raise TransitionRefused("Комментарий не из этого плана.")
        reply_to = reply_to.reply_to or reply_to  # answers stay one level deep
        row = reply_to.row
    # A remark shows on the editor page: the plan's version (its cache key) moves on,
    # in any status (the centre comments a submitted plan, the school answers).
    plan_touch(plan=plan, version=None, any_status=True)
    number = ""
    if row is not None:
        number = next(
            (
                line.number
                for line in plan_lines(Plan.objects.for_editor().get(pk=plan.pk))
                if line.row is not None and line.row.pk == row.pk
            ),
            "",
        )
    comment = PlanComment.objects.create(
        plan=plan, row=row, row_number=number, reply_to=reply_to, author=by, text=text
    )

    # Queued in this transaction, as the workflow's notices (services/workflow.py).
    notifications.comment_added(comment=comment)
    return comment


@transaction.atomic
def plan_comment_resolve(*, comment, by):
    """Mark a remark as dealt with (the school or the reviewer)."""
    root = comment.reply_to or comment
    resolved = PlanComment.objects.filter(pk=root.pk, resolved_at=None).update(
        resolved_at=timezone.now(), resolved_by=by
    )
    if resolved:
        plan_touch(plan=Plan(pk=root.plan_id), version=None, any_status=True)
    root.refresh_from_db()
    return root
