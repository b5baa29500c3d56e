"""Pages that assign rows to the school's team: one row's assignees (from the row's
form in the editor and from the execution page), and many rows at once. The deputy's
only (`access.may_manage_team`): anyone else – another school, a team member, a
coordinator, the centre, the ministry – finds nothing (404), and their POST changes
nothing.
Plain forms: they work without JavaScript."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts import access
from plans.execution.reads import markable_lines
from plans.forms import posted_version
from plans.models import Plan, PlanRow
from plans.numbering import plan_lines
from plans.services.errors import PlanConflict, PlanNotEditable, TransitionRefused
from plans.team.assignments import (
    assignable_people,
    assignees_by_row,
    person_label,
    responsible_text,
    row_assignees_set,
    rows_assign,
    rows_unassign,
)
from profplan.site import safe_next

NOT_IN_TEAM = "Выберите исполнителей из списка команды школы: обновите страницу."


def _managed_plan(request, pk, queryset=None) -> Plan:
    """The plan, if this user assigns its rows; for anyone else a 404, as the other pages
    that change a school's plan answer (`editable_by`: the deputy's own school)."""
    queryset = queryset if queryset is not None else Plan.objects.select_related("school", "year")
    plan = get_object_or_404(queryset.editable_by(request.user), pk=pk)
    if not access.may_manage_team(request.user, plan.school_id):
        raise Http404
    return plan


def _ids(values) -> set[int]:
    """The integers among posted values; anything else is ignored (never a 500)."""
    result = set()
    for value in values:
        try:
            result.add(int(value))
        except (TypeError, ValueError):
            continue
    return result


def _row_line(plan: Plan, row: PlanRow):
    """The row's printed line (its number and title): the plan's bundle, numbered."""
    bundle = Plan.objects.for_editor().get(pk=plan.pk)
    return next((line for line in plan_lines(bundle) if line.row and line.row.pk == row.pk), None)


@login_required
def row_assignees(request, pk, row_pk):
    """One row's assignees: checkboxes of the school's active people; with the plan
    editable, the offer to write their names into «Ответственные, исполнители»."""
    plan = _managed_plan(request, pk)
    row = get_object_or_404(PlanRow.objects.select_related("plan"), pk=row_pk, plan=plan)
    team = list(assignable_people(plan.school_id))
    can_fill = access.may_edit_plan(request.user, plan)
    default_next = reverse(
        "plans:execution" if plan.status == "approved" else "plans:edit", args=[plan.pk]
    )
    next_url = safe_next(request, f"{default_next}#row-{row.pk}")
    chosen = {person.pk for person in row.assignees.filter(is_active=True)}
    fill = False
    error = ""
    status = 200
    if request.method == "POST":
        chosen = _ids(request.POST.getlist("people"))
        fill = can_fill and request.POST.get("fill_responsible") == "1"
        people = [person for person in team if person.pk in chosen]
        if len(people) != len(chosen):
            error, status = NOT_IN_TEAM, 422
        else:
            try:
                row_assignees_set(
                    row=row,
                    people=people,
                    by=request.user,
                    fill_responsible=fill,
                    version=posted_version(request.POST) if fill else None,
                )
            except (TransitionRefused, PlanConflict, PlanNotEditable) as refused:
                error, status = refused.message, 409
                plan.refresh_from_db(fields=["version", "status"])
            else:
                if people:
                    names = ", ".join(person_label(person) for person in people)
                    text = f"Исполнители назначены: {names}."
                else:
                    text = "Исполнители сняты."
                if fill and people:
                    text += " Графа «Ответственные, исполнители» заполнена."
                messages.success(request, text)
                return redirect(next_url)
    line = _row_line(plan, row)
    context = {
        "plan": plan,
        "row": row,
        "line": line,
        "team": [(person, person_label(person), person.pk in chosen) for person in team],
        "can_fill": can_fill,
        "fill": fill,
        "preview_text": responsible_text([p for p in team if p.pk in chosen]),
        "error": error,
        "next": next_url,
    }
    return render(request, "plans/team/row_assignees.html", context, status=status)


@login_required
def plan_assign(request, pk):
    """Many rows at once: tick rows, choose a person, «Назначить» or «Снять». The
    plan's bundle, its assignees and the team: a fixed number of queries whatever the
    rows and people."""
    plan = _managed_plan(request, pk, Plan.objects.for_editor())
    lines = markable_lines(plan_lines(plan))
    team = list(assignable_people(plan.school_id))
    rows = {line.row.pk: line.row for line in lines}
    picked: set[int] = set()
    person_id = None
    replace = False
    error = ""
    status = 200
    if request.method == "POST":
        picked = _ids(request.POST.getlist("rows")) & set(rows)
        person_id = next(iter(_ids([request.POST.get("person")])), None)
        replace = request.POST.get("replace") == "1"
        action = request.POST.get("action")
        person = next((p for p in team if p.pk == person_id), None)
        if action not in ("assign", "unassign"):
            error = "Нажмите «Назначить» или «Снять»."
        elif person is None:
            error = "Выберите, кого назначить или снять."
        elif not picked:
            error = "Отметьте строки плана."
        else:
            chosen_rows = [rows[row_id] for row_id in rows if row_id in picked]
            try:
                if action == "assign":
                    count = rows_assign(
                        plan=plan, rows=chosen_rows, person=person, by=request.user, replace=replace
                    )
                    text = f"{person_label(person)}: назначено строк – {count}."
                    if count < len(chosen_rows):
                        text += f" Уже были назначены: {len(chosen_rows) - count}."
                else:
                    count = rows_unassign(
                        plan=plan, rows=chosen_rows, person=person, by=request.user
                    )
                    text = f"{person_label(person)}: снято со строк – {count}."
            except TransitionRefused as refused:
                error = refused.message
            else:
                messages.success(request, text)
                return redirect("plans:assign", plan.pk)
        status = 422
    assignees = assignees_by_row(plan)
    context = {
        "plan": plan,
        "entries": [
            (line, [person_label(p) for p in assignees.get(line.row.pk, [])], line.row.pk in picked)
            for line in lines
        ],
        "team": [(person, person_label(person)) for person in team],
        "person_id": person_id,
        "replace": replace,
        "error": error,
    }
    return render(request, "plans/team/assign.html", context, status=status)
