"""The execution of an approved plan: the school's deputy marks any row, a team member
the rows assigned to them (`access.may_mark_row`); everyone who sees the plan reads the
marks and downloads the evidence (the ministry counts the files: it does not see
people, accounts/access.py). Another school finds nothing (404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from accounts import access
from audit.services import audit_evidence_download
from plans import services
from plans.execution.reads import delivery_by_grade, executions_for, markable_lines, overdue_lines
from plans.forms import RowExecutionForm
from plans.models import (
    Evidence,
    ExecutionStatus,
    Plan,
    PlanRow,
    PlanStatus,
    RowAssignment,
    RowExecution,
)
from plans.numbering import plan_lines
from plans.team.assignments import assignees_by_row
from profplan import storage
from profplan.site import safe_next

STORAGE_DOWN = (
    "Хранилище файлов временно недоступно: отметка и файлы не сохранены. Попробуйте через минуту."
)
NOT_APPROVED = "Исполнение отмечается после того, как региональный центр утвердит план."


@login_required
def execution(request, pk):
    """The approved plan's rows with their marks: a fixed number of queries whatever
    the rows (the editor's bundle, the executions, their files)."""
    plan = get_object_or_404(Plan.objects.for_user(request.user).for_editor(), pk=pk)
    context = {"plan": plan, "approved": plan.status == PlanStatus.APPROVED}
    if context["approved"]:
        executions = executions_for(plan)
        lines = plan_lines(plan)
        assignees = assignees_by_row(plan)  # one query, whatever the rows and people
        for line in lines:
            if line.row is not None:
                line.row.assigned_people = assignees.get(line.row.pk, [])
                # Its «Отметить»: the deputy, or the team member it is assigned to.
                line.row.can_mark = access.may_mark_row(
                    request.user, plan, [person.pk for person in line.row.assigned_people]
                )
        context.update(execution_context(plan, lines, executions, timezone.localdate()))
        # The deputy, or a team member allowed to mark any row (no query: no assignees).
        context["can_record"] = access.may_mark_row(request.user, plan, ())
        context["entries"] = [
            (line, executions.get(line.row.pk) if line.row else None)
            for line in lines
            if line.row is not None or line.kind in ("section", "heading")
        ]
    return render(request, "plans/execution.html", context)


def execution_context(plan, lines, executions, today) -> dict:
    """What the execution page, the editor and the review page show of the execution.
    `bundle` and `executions` are for what other apps add (monitoring's indicators of
    section II counted from the execution, at `{% fragments "plans.execution.summary" %}`)."""
    markable = markable_lines(lines)
    return {
        "bundle": plan,
        "executions": executions,
        "delivery": delivery_by_grade(plan, executions),
        "overdue": overdue_lines(lines, executions, today),
        "marked_count": sum(1 for line in markable if line.row.pk in executions),
        "markable_count": len(markable),
    }


def _recordable_row(request, pk, row_pk) -> tuple[Plan, PlanRow, list[int]]:
    """A row of a plan of the user's own school, with its assignees' ids (for
    `access.may_mark_row`). Another school, a coordinator, the centre: 404."""
    plan = get_object_or_404(
        Plan.objects.for_user(request.user).select_related("school", "year"), pk=pk
    )
    if not access.in_school(request.user, plan.school_id):
        raise Http404
    row = get_object_or_404(PlanRow, pk=row_pk, plan=plan)
    return plan, row, list(row.assignments.values_list("person_id", flat=True))


NOT_YOUR_ROW = (
    "Это мероприятие назначено не вам. Отметить его может исполнитель, которому оно "
    "назначено, или заместитель директора."
)


@login_required
def execution_row(request, pk, row_pk):
    """The compact form that marks one row: status, dates, grades, pupils, hours, result,
    links and files. The deputy marks any row; a team member the rows assigned to them
    (any row with `marks_any_row`), and is told so on another (403). `?next=` brings the
    form back to where it was opened from; `?status=done` opens it with «выполнено»
    chosen («Проведено» on «Мои мероприятия»)."""
    plan, row, assignee_ids = _recordable_row(request, pk, row_pk)
    if not access.row_is_theirs(request.user, plan, assignee_ids):
        context = {"plan": plan, "row": row, "message": NOT_YOUR_ROW}
        return render(request, "plans/execution_row_refused.html", context, status=403)
    if not access.may_mark_row(request.user, plan, assignee_ids):  # not approved
        messages.error(request, NOT_APPROVED)
        return redirect("plans:execution", plan.pk)
    back = safe_next(request)
    current = RowExecution.objects.filter(row=row).first()
    if request.method == "POST":
        form = RowExecutionForm(request.POST, request.FILES, instance=current)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in RowExecutionForm.Meta.fields}
            try:
                services.row_execution_record(
                    row=row, by=request.user, data=data, files=form.cleaned_data["files"]
                )
            except services.TransitionRefused as error:
                form.add_error(None, error.message)
            except Exception as error:
                if not storage.is_unavailable(error):
                    raise
                form.add_error(None, STORAGE_DOWN)
            else:
                messages.success(request, "Отметка сохранена.")
                return redirect(f"{back or _execution_url(plan)}#row-{row.pk}")
        status = 503 if STORAGE_DOWN in form.non_field_errors() else 422
    else:
        initial = {}
        if current is None:
            # What the plan says, as a start: most rows are done as planned.
            initial = {
                "start_date": row.start_date,
                "end_date": row.end_date,
                "grades": list(row.grades or ()),
                "hours": row.hours,
            }
        if request.GET.get("status") in ExecutionStatus.values:
            initial["status"] = request.GET["status"]
        form = RowExecutionForm(instance=current, initial=initial)
        status = 200
    context = {
        "plan": plan,
        "row": row,
        "form": form,
        "evidence": list(current.evidence.all()) if current else [],
        "number": _row_number(plan, row),
        "next": back,
    }
    return render(request, "plans/execution_row.html", context, status=status)


def _execution_url(plan) -> str:
    return reverse("plans:execution", args=[plan.pk])


def _row_number(plan, row) -> str:
    bundle = Plan.objects.for_editor().get(pk=plan.pk)
    return next(
        (line.number for line in plan_lines(bundle) if line.row and line.row.pk == row.pk), ""
    )


def _visible_evidence(request, pk, evidence_pk) -> Evidence:
    plan = get_object_or_404(Plan.objects.for_user(request.user), pk=pk)
    return get_object_or_404(
        Evidence.objects.select_related("execution__row__plan"),
        pk=evidence_pk,
        execution__row__plan=plan,
    )


@login_required
def evidence_download(request, pk, evidence_pk):
    """An evidence file, always as an attachment with its checked type and `nosniff`:
    nothing a school uploads is ever shown by the browser as a page of the site. Not
    for the ministry (photos may show pupils): it reads how many files there are."""
    if not access.may_download_evidence(request.user):
        raise Http404
    evidence = _visible_evidence(request, pk, evidence_pk)
    try:
        handle = storage.open_stored(evidence.file)
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.name,
        content_type=evidence.content_type,
    )
    if "Content-Length" not in response and getattr(handle, "size", None) is not None:
        response["Content-Length"] = handle.size
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    audit_evidence_download(request=request, evidence=evidence)
    return response


@login_required
@require_POST
def evidence_delete(request, pk, evidence_pk):
    """Remove an evidence file: whoever may mark its row (`access.may_mark_row`);
    another school, a coordinator, the centre: 404; a team member on a row not theirs: 403."""
    evidence = _visible_evidence(request, pk, evidence_pk)
    plan = evidence.execution.row.plan
    if not access.in_school(request.user, plan.school_id):
        raise Http404
    row_pk = evidence.execution.row_id
    assignee_ids = RowAssignment.objects.filter(row_id=row_pk).values_list("person_id", flat=True)
    if plan.status == PlanStatus.APPROVED and not access.may_mark_row(
        request.user, plan, list(assignee_ids)
    ):
        raise PermissionDenied(NOT_YOUR_ROW)
    try:
        services.evidence_delete(evidence=evidence, by=request.user)
    except services.TransitionRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Файл «{evidence.name}» удалён.")
    url = reverse("plans:execution-row", args=[plan.pk, row_pk])
    back = safe_next(request)
    return redirect(f"{url}?{urlencode({'next': back})}" if back else url)


@login_required
def execution_region(request):
    """The centre's (or a coordinator's) view of the execution: per approved plan, rows
    marked and the last mark; schools with nothing marked for a month first. Two
    queries whatever the number of schools."""
    from datetime import timedelta

    from plans.execution.reads import QUIET_DAYS, plans_with_activity
    from plans.models import SchoolYear

    if not access.may_see_dashboard(request.user):
        raise PermissionDenied
    year = SchoolYear.objects.for_user(request.user).requested_or_current(request.GET.get("year"))
    since = timezone.now() - timedelta(days=QUIET_DAYS)
    plans = list(
        plans_with_activity(
            Plan.objects.for_user(request.user)
            .filter(year=year, status=PlanStatus.APPROVED)
            .select_related("school__municipality")
        ).order_by("school__municipality__order", "school__short_name")
    )
    for plan in plans:
        plan.quiet = plan.last_mark is None or plan.last_mark < since
    quiet = [plan for plan in plans if plan.quiet]
    context = {"year": year, "plans": quiet + [p for p in plans if not p.quiet], "quiet": quiet}
    context["quiet_days"] = QUIET_DAYS
    return render(request, "plans/execution_region.html", context)
