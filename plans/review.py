"""The regional centre's screens of one plan in the admin.

Review: the plan as the document it will print (Table 1 from `table_rows()`, the
same rows the PDF and Excel print), with the remarks under each row, the check,
the history and the decisions (approve, return, reopen). Diff: what changed
between two submissions, or since the last one. `PlanAdmin.get_urls()`
(plans/admin.py) wires both views, passing itself as `model_admin` for the admin's
permissions and page context.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from plans.documents.formats.rows import plan_appendices, plan_note, table_rows
from profplan.forms import normalise_text
from profplan.ids import id_or_404, parse_id

from . import services
from .diff import diff_snapshots
from .models import Plan, PlanComment, PlanRow, PlanStatus
from .numbering import plan_lines
from .profminimum import check_plan
from .querysets import comment_threads


def _plan_or_404(model_admin, request, object_id) -> Plan:
    """The plan with the editor's bundle, if the reviewer may see it; else 403 or 404."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    return get_object_or_404(Plan.objects.for_user(request.user).for_editor(), pk=object_id)


def review_view(model_admin, request, object_id):
    """The plan as a document with remarks under its rows; a POST takes a decision or
    a remark (`_review_post`) and comes back to the row it concerned."""
    plan = _plan_or_404(model_admin, request, object_id)
    if request.method == "POST":
        if not model_admin.has_change_permission(request, plan):
            raise PermissionDenied
        _review_post(model_admin, request, plan)
        return redirect(
            request.path
            + (f"#row-{parse_id(request.POST['row'])}" if parse_id(request.POST.get("row")) else "")
        )
    threads = comment_threads(plan)
    rows = [(row, threads.get(row.row_id, []) if row.row_id else []) for row in table_rows(plan)]
    orphans = threads.get(None, [])
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"{plan.school.short_name}: план на {plan.year}",
        "opts": model_admin.opts,
        "plan": plan,
        "rows": rows,
        "plan_comments": orphans,
        "check": check_plan(plan),
        "events": plan.events.select_related("by").order_by("at", "pk"),
        "submissions": plan.submissions.order_by("-number"),
        "can_change": model_admin.has_change_permission(request, plan),
        "plan_indicators": plan.indicators.all(),
        "appendices": plan_appendices(plan),
        "note": plan_note(plan),
    }
    if plan.status == PlanStatus.APPROVED:
        from plans.execution.reads import executions_for
        from plans.execution.views import execution_context

        context["execution"] = execution_context(
            plan, plan_lines(plan), executions_for(plan, with_evidence=False), timezone.localdate()
        )
    return TemplateResponse(request, "admin/plans/plan/review.html", context)


def _review_post(model_admin, request, plan) -> None:
    action = request.POST.get("action")
    # Missing: no check; malformed: a version no plan has (a conflict, as in the editor).
    version = parse_id(request.POST["version"]) or -1 if request.POST.get("version") else None
    decisions = {
        "approve": (
            services.plan_approve,
            "comment",
            "План утверждён. Школа получит уведомление.",
        ),
        "return": (
            services.plan_return,
            "comment",
            "План возвращён на доработку. Школа получит уведомление.",
        ),
        "reopen": (services.plan_reopen, "reason", "Утверждённый план возвращён на доработку."),
    }
    try:
        if action in decisions:
            decide, field, done = decisions[action]
            decide(
                plan=plan,
                by=request.user,
                version=version,
                **{field: normalise_text(request.POST.get("comment", ""))},
            )
            model_admin.message_user(request, done, messages.SUCCESS)
        elif action == "comment":
            row = reply_to = None
            if request.POST.get("row"):
                row = get_object_or_404(PlanRow, pk=id_or_404(request.POST["row"]), plan=plan)
            if request.POST.get("reply_to"):
                reply_to = get_object_or_404(
                    PlanComment, pk=id_or_404(request.POST["reply_to"]), plan=plan
                )
            services.plan_comment_add(
                plan=plan,
                by=request.user,
                text=normalise_text(request.POST.get("text", "")),
                row=row,
                reply_to=reply_to,
            )
            model_admin.message_user(
                request, "Комментарий добавлен. Школа увидит его в редакторе.", messages.SUCCESS
            )
        elif action == "resolve":
            comment = get_object_or_404(
                PlanComment, pk=id_or_404(request.POST.get("comment_id")), plan=plan
            )
            services.plan_comment_resolve(comment=comment, by=request.user)
    except services.TransitionRefused as error:
        model_admin.message_user(request, error.message, messages.ERROR)


def diff_view(model_admin, request, object_id):
    """Rows added, removed and changed: between two submissions, or between the
    last submission and the plan as it is now."""
    plan = _plan_or_404(model_admin, request, object_id)
    submissions = list(plan.submissions.order_by("number"))
    if not submissions:
        raise Http404("План ещё не сдавался.")
    by_number = {s.number: s for s in submissions}
    try:
        old = by_number[
            int(
                request.GET.get("from")
                or (submissions[-2].number if len(submissions) > 1 else submissions[-1].number)
            )
        ]
    except (KeyError, ValueError):
        raise Http404 from None
    target = request.GET.get(
        "to", "current" if len(submissions) == 1 else str(submissions[-1].number)
    )
    if target == "current":
        new_snapshot, new_label = services.plan_snapshot(plan_lines(plan)), "план сейчас"
    else:
        try:
            new = by_number[int(target)]
        except (KeyError, ValueError):
            raise Http404 from None
        new_snapshot, new_label = (
            new.snapshot,
            f"сдача № {new.number} от {timezone.localtime(new.submitted_at):%d.%m.%Y}",
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"{plan.school.short_name}: что изменилось",
        "opts": model_admin.opts,
        "plan": plan,
        "diff": diff_snapshots(old.snapshot, new_snapshot),
        "old_label": f"сдача № {old.number} от {timezone.localtime(old.submitted_at):%d.%m.%Y}",
        "new_label": new_label,
        "submissions": submissions,
    }
    return TemplateResponse(request, "admin/plans/plan/diff.html", context)
