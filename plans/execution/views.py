"""The execution of an approved plan: the school marks rows, everyone who sees the
plan reads the marks and downloads the evidence (the ministry counts the files: it does
not see people, accounts/access.py). Another school finds nothing (404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import access
from audit.services import audit_evidence_download
from plans import services
from plans.execution.reads import delivery_by_grade, executions_for, markable_lines, overdue_lines
from plans.forms import RowExecutionForm
from plans.models import Evidence, Plan, PlanRow, PlanStatus, RowExecution
from plans.numbering import plan_lines
from plans.team.assignments import assignees_by_row
from profplan import storage

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
        context.update(execution_context(plan, lines, executions, timezone.localdate()))
        context["can_record"] = access.may_record_execution(request.user, plan)
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


def _recordable_row(request, pk, row_pk) -> tuple[Plan, PlanRow]:
    """A row of the user's own school's plan (others: 404)."""
    plan = get_object_or_404(
        Plan.objects.editable_by(request.user).select_related("school", "year"), pk=pk
    )
    row = get_object_or_404(PlanRow, pk=row_pk, plan=plan)
    return plan, row


@login_required
def execution_row(request, pk, row_pk):
    """The compact form that marks one row: status, dates, grades, pupils, hours, result,
    links and files."""
    plan, row = _recordable_row(request, pk, row_pk)
    if not access.may_record_execution(request.user, plan):
        messages.error(request, NOT_APPROVED)
        return redirect("plans:execution", plan.pk)
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
                return redirect(f"{_execution_url(plan)}#row-{row.pk}")
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
        form = RowExecutionForm(instance=current, initial=initial)
        status = 200
    context = {
        "plan": plan,
        "row": row,
        "form": form,
        "evidence": list(current.evidence.all()) if current else [],
        "number": _row_number(plan, row),
    }
    return render(request, "plans/execution_row.html", context, status=status)


def _execution_url(plan) -> str:
    from django.urls import reverse

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
    evidence = _visible_evidence(request, pk, evidence_pk)
    plan = evidence.execution.row.plan
    if not access.belongs_to(request.user, plan.school_id):
        raise Http404
    try:
        services.evidence_delete(evidence=evidence)
    except services.TransitionRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Файл «{evidence.name}» удалён.")
    return redirect("plans:execution-row", plan.pk, evidence.execution.row_id)


@login_required
def execution_region(request):
    """The centre's (or a coordinator's) view of the execution: per approved plan, rows
    marked and the last mark; schools with nothing marked for a month first. Two
    queries whatever the number of schools."""
    from datetime import timedelta

    from django.core.exceptions import PermissionDenied

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
