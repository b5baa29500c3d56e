"""The editor of a plan: its page, the rows' forms and the school's edits, the check
panel, the remarks' answers. Thin views: fetch through the user's scope, validate with
a form, call a service; the page's main part comes from the cache (cache.py)."""

import functools
import json
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from accounts import access
from plans import services
from plans.documents.formats.rows import plan_note
from plans.editor.cache import editor_main, rows_url
from plans.editor.entries import editor_entries, open_comments
from plans.forms import (
    FixedRowForm,
    LevelsForm,
    PlanNoteForm,
    PlanRowForm,
    catalogue_groups,
    posted_version,
)
from plans.models import (
    ActivityTemplate,
    Plan,
    PlanComment,
    PlanRow,
    PlanStatus,
    RowAssignment,
    TemplateItem,
)
from plans.numbering import plan_lines
from plans.profminimum import check_plan
from plans.querysets import comment_threads
from profplan.forms import normalise_text
from profplan.ids import id_or_404

# --- The editor -------------------------------------------------------------


class PlanLocked(Exception):
    pass


def _editable_plan(request, pk) -> Plan:
    """The plan, if this user may change its text; another school's plan is a 404.
    A submitted or approved plan raises PlanLocked: the page says why, in Russian."""
    plan = get_object_or_404(
        Plan.objects.editable_by(request.user).select_related("year", "school"), pk=pk
    )
    if not plan.is_editable:
        raise PlanLocked
    return plan


def editing(view):
    """Views that change a plan: a locked (submitted, approved) plan answers with a
    plain message instead of a form, in the alert area of the editor."""

    @functools.wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        try:
            return view(request, pk, *args, **kwargs)
        except PlanLocked:
            if not request.htmx:
                messages.error(request, services.PlanNotEditable.message)
                return redirect("plans:edit", pk)
            response = HttpResponse(
                f'<div class="alert alert-warning" role="alert">{services.PlanNotEditable.message}</div>',
                status=409,
            )
            response["HX-Retarget"] = "#alerts"
            response["HX-Reswap"] = "beforeend"
            return response

    return wrapper


def _version(request) -> int:
    return posted_version(request.POST)


def _changed(response: HttpResponse, plan: Plan, draft_key: str | None = None) -> HttpResponse:
    """Tell the page the plan's new version (and which browser draft is now saved)."""
    events = {"planChanged": {"version": plan.version}}
    if draft_key:
        events["draftSaved"] = {"key": draft_key}
    response["HX-Trigger"] = json.dumps(events)
    return response


@login_required
def plan_edit(request, pk):
    plan = get_object_or_404(Plan.objects.for_user(request.user).for_list(), pk=pk)
    return _editor_page(request, plan)


def _editor_page(request, plan: Plan, note_form: PlanNoteForm | None = None, status: int = 200):
    """The editor of `plan` (from `for_list()`); `note_form` bound after a refused save
    of the note, so the text typed stays in its form."""
    user = request.user
    can_edit = access.may_edit_plan(user, plan)
    can_answer = access.may_answer_comments(user, plan)
    main = editor_main(
        plan,
        can_edit,
        can_answer,
        access.sees_people(user),
        _answer_rows(user, plan, can_answer),
    )
    context = {
        "plan": plan,
        "can_edit": can_edit,
        "main": mark_safe(main),  # rendered by our own template, escaped there
        "submit_problems": _submit_problems(request),
        # No query unless the template has a revision the plan has not seen.
        "template_changes": services.template_changes(plan) if can_answer else [],
        "note": plan_note(plan),
        "note_form": note_form
        or (
            PlanNoteForm(initial={"explanatory_note": plan.explanatory_note}) if can_edit else None
        ),
    }
    if plan.status == PlanStatus.APPROVED:
        # The execution changes without the plan's version: never inside the cached part.
        context.update(editor_execution_context(plan.pk))
        context["can_record"] = access.may_record_execution(user, plan)
    return render(request, "plans/edit.html", context, status=status)


def _answer_rows(user, plan: Plan, can_answer: bool) -> frozenset:
    """The rows whose remarks a team member answers (`access.may_answer_row_comments`:
    those assigned to them); one query, none for anybody else."""
    # Each row is assigned to the user, so the predicate asked with the user as its
    # assignee answers for all of them at once.
    if can_answer or not access.may_answer_row_comments(user, plan, [user.pk]):
        return frozenset()
    assigned = RowAssignment.objects.filter(person=user, row__plan=plan)
    return frozenset(assigned.values_list("row_id", flat=True))


def _submit_problems(request) -> list[tuple[str, str]]:
    """The refusal of the last submit, once: (text, anchor of the block it is about).
    A session from before anchors holds plain texts."""
    stored = request.session.pop("submit_problems", None) or []
    return [(p, "") if isinstance(p, str) else (p[0], p[1]) for p in stored]


def editor_execution_context(plan_pk: int) -> dict:
    """The execution summary above an approved plan: the bundle and the executions."""
    from django.utils import timezone

    from plans.execution.reads import executions_for
    from plans.execution.views import execution_context

    plan = Plan.objects.for_editor().get(pk=plan_pk)
    executions = executions_for(plan, with_evidence=False)
    return {
        "execution": execution_context(plan, plan_lines(plan), executions, timezone.localdate())
    }


@login_required
@require_POST
def plan_template_seen(request, pk):
    """«Оставить как есть»: the school leaves the template's changes; the notice goes."""
    plan = get_object_or_404(Plan.objects.for_user(request.user).select_related("year"), pk=pk)
    if not access.may_answer_comments(request.user, plan):
        raise Http404
    services.plan_template_keep(plan=plan, by=request.user)
    messages.success(request, "План оставлен как есть; изменения примерного плана не применены.")
    return redirect("plans:edit", plan.pk)


@login_required
@require_POST
def plan_template_accept(request, pk):
    """«Принять изменения»: what the template's new revision added gets into the plan."""
    plan = get_object_or_404(Plan.objects.editable_by(request.user).select_related("year"), pk=pk)
    try:
        added = services.plan_template_accept(plan=plan, by=request.user, version=_version(request))
    except services.PlanConflict:
        messages.error(
            request,
            "План изменился в другой вкладке, пока была открыта эта страница: посмотрите "
            "изменения примерного плана ещё раз и примите их.",
        )
        return redirect("plans:edit", plan.pk)
    except services.PlanNotEditable as error:
        messages.error(request, error.message)
        return redirect("plans:edit", plan.pk)
    messages.success(
        request,
        "Изменения примерного плана приняты"
        + (f": добавлено строк — {len(added)}." if added else "."),
    )
    return redirect("plans:edit", plan.pk)


@login_required
@require_POST
def plan_note_edit(request, pk):
    """«Пояснительная записка»: the school's own text before Table 1. A refused save
    (too long, the plan changed or was submitted meanwhile) shows the editor again
    with the text in the form and the reason above it."""
    plan = get_object_or_404(Plan.objects.editable_by(request.user).for_list(), pk=pk)
    form = PlanNoteForm(request.POST)
    if not form.is_valid():
        return _editor_page(request, plan, note_form=form, status=422)
    try:
        services.plan_note_update(
            plan=plan, text=form.cleaned_data["explanatory_note"], version=_version(request)
        )
    except (services.PlanConflict, services.PlanNotEditable) as error:
        form.add_error(None, error.message)
        plan.refresh_from_db()
        return _editor_page(request, plan, note_form=form, status=409)
    messages.success(request, "Пояснительная записка сохранена.")
    return redirect(reverse("plans:edit", args=[plan.pk]) + "#plan-note")


def _table_response(request, plan_pk: int, status: int = 200, error: str = "") -> HttpResponse:
    plan = Plan.objects.for_editor().get(pk=plan_pk)
    lines = plan_lines(plan)
    response = render(
        request,
        "plans/_table.html",
        {
            "plan": plan,
            "entries": editor_entries(plan, lines, comment_threads(plan)),
            "can_edit": plan.is_editable,
            "can_answer": True,  # only the school's own people reach the editing views
            "error": error,
            "rows_url": rows_url(plan),
        },
        status=status,
    )
    return _changed(response, plan)


@login_required
def plan_check(request, pk):
    """The check panel, refreshed after every change; the list of open remarks comes
    with it out of band (an answer or «Отметить как исправленное» changes it)."""
    plan = get_object_or_404(Plan.objects.for_user(request.user).for_editor(), pk=pk)
    lines = plan_lines(plan)
    context = {
        "plan": plan,
        "check": check_plan(plan, lines),
        "open_comments": open_comments(lines, comment_threads(plan)),
        "oob": True,
    }
    return HttpResponse(
        render_to_string("plans/_check.html", context, request)
        + render_to_string("plans/_open_comments.html", context, request)
    )


@login_required
@require_POST
@editing
def plan_levels(request, pk):
    plan = _editable_plan(request, pk)
    form = LevelsForm(request.POST, levels=list(plan.year.levels.all()), initial_levels={})
    if not form.is_valid():
        return _table_response(request, plan.pk, status=422, error="Выберите уровень из списка.")
    try:
        services.plan_set_levels(
            plan=plan, levels=form.levels_by_grade(), version=_version(request)
        )
    except (services.PlanConflict, services.PlanNotEditable) as error:
        return _table_response(request, plan.pk, status=409, error=error.message)
    return _table_response(request, plan.pk)


def _row_context(plan: Plan, row: PlanRow, names: bool = True) -> dict:
    """Number and place of one row: the plan's bundle is read to number it. `names`:
    the remarks' authors by name (`access.sees_people`)."""
    plan = Plan.objects.for_editor().get(pk=plan.pk)
    lines = plan_lines(plan)
    entries = editor_entries(plan, lines, comment_threads(plan, names))
    entry = next((e for e in entries if e.row.row_id == row.pk), None)
    return {
        "plan": plan,
        "entry": entry,
        "can_edit": plan.is_editable,
        "can_answer": True,
        "rows_url": rows_url(plan),
    }


def _form_for(row: PlanRow, in_level_block: bool, data=None, initial=None):
    if row.fixed_item_id:
        return FixedRowForm(data, instance=row, initial=initial)
    return PlanRowForm(data, instance=row, initial=initial, in_level_block=in_level_block)


def _parent_item(plan: Plan, pk) -> TemplateItem:
    """The item of this plan's template that a new row goes under; anything else is a 404."""
    return get_object_or_404(TemplateItem, pk=id_or_404(pk), year=plan.year, accepts_rows=True)


def _is_in_level_block(parent: TemplateItem) -> bool:
    return (
        parent.parent_id is not None
        and TemplateItem.objects.filter(pk=parent.parent_id, level__isnull=False).exists()
    )


def _draft_key(plan: Plan, row: PlanRow | None = None, parent: TemplateItem | None = None) -> str:
    return f"plan-{plan.pk}:row-{row.pk}" if row else f"plan-{plan.pk}:new-{parent.pk}"


@login_required
def row_detail(request, pk, row_pk):
    plan = get_object_or_404(Plan.objects.for_user(request.user), pk=pk)
    row = get_object_or_404(PlanRow, pk=row_pk, plan=plan)
    context = _row_context(plan, row, access.sees_people(request.user))
    context.update(
        can_edit=access.may_edit_plan(request.user, plan),
        can_answer=access.may_answer_comments(request.user, plan),
    )
    return render(request, "plans/_line.html", context)


@login_required
@editing
def row_edit(request, pk, row_pk):
    plan = _editable_plan(request, pk)
    row = get_object_or_404(
        PlanRow.objects.select_related("parent", "fixed_item"), pk=row_pk, plan=plan
    )
    in_block = _is_in_level_block(row.parent)
    if request.method == "POST":
        form = _form_for(row, in_block, data=request.POST)
        if form.is_valid():
            try:
                services.plan_row_update(row=row, data=form.cleaned_data, version=_version(request))
            except (services.PlanConflict, services.PlanNotEditable) as error:
                current = PlanRow.objects.filter(pk=row.pk).first()
                return _render_row_form(
                    request,
                    plan,
                    row,
                    form,
                    in_block,
                    status=409,
                    conflict=error.message,
                    current=current,
                )
            plan.refresh_from_db(fields=["version"])
            response = render(request, "plans/_line.html", _row_context(plan, row))
            return _changed(response, plan, _draft_key(plan, row))
        return _render_row_form(request, plan, row, form, in_block, status=422)
    return _render_row_form(request, plan, row, _form_for(row, in_block), in_block)


def _render_row_form(
    request, plan, row, form, in_block, status=200, conflict="", current=None, parent=None
):
    context = _row_context(plan, row) if row.pk else {"plan": plan, "entry": None}
    context.update(
        form=form,
        row=row,
        in_level_block=in_block,
        conflict=conflict,
        current=current,
        parent=parent or row.parent,
        draft_key=_draft_key(plan, row if row.pk else None, parent),
    )
    if row.pk and access.may_manage_team(request.user, plan.school_id):
        # The row's assignees from the school's team (plans/team/): one query.
        context["row_assignees"] = [
            assignment.person
            for assignment in row.assignments.filter(person__is_active=True)
            .select_related("person")
            .order_by("pk")
        ]
        context["can_assign"] = True
    return _form_response(request, "plans/_row_form.html", context, status, plan, conflict)


def _form_response(request, template, context, status, plan, conflict) -> HttpResponse:
    """A row form; after a conflict it also hands the page the plan's current version,
    so that saving again writes the user's text deliberately."""
    response = render(request, template, context, status=status)
    if conflict:
        plan.refresh_from_db(fields=["version"])
        _changed(response, plan)
    return response


@login_required
@editing
def row_new(request, pk):
    """The form for a new row under a template item; optionally prefilled from the catalogue."""
    plan = _editable_plan(request, pk)
    parent = _parent_item(plan, request.GET.get("parent"))
    in_block = _is_in_level_block(parent)
    initial = {}
    activity_id = request.GET.get("activity")
    if activity_id:
        activity = get_object_or_404(ActivityTemplate, pk=id_or_404(activity_id), year=plan.year)
        initial = services.activity_prefill(activity)
        if in_block and activity.direction_id and activity.direction_id != parent.direction_id:
            # The row's direction comes from its heading: go to the heading of the
            # activity's direction in the same level block, where there is one.
            sibling = TemplateItem.objects.filter(
                parent_id=parent.parent_id, direction_id=activity.direction_id
            ).first()
            if sibling is not None:
                parent = sibling
    form = PlanRowForm(initial=initial, in_level_block=in_block)
    return _render_new_form(request, plan, parent, form, in_block)


def _render_new_form(request, plan, parent, form, in_block, status=200, conflict=""):
    activities = list(
        ActivityTemplate.objects.filter(year=plan.year).select_related("direction", "level")
    )
    block = (
        TemplateItem.objects.select_related("level").filter(pk=parent.parent_id).first()
        if in_block
        else None
    )
    level_directions = (
        set(TemplateItem.objects.filter(parent_id=block.pk).values_list("direction_id", flat=True))
        if block
        else set()
    )
    context = {
        "plan": plan,
        "parent": parent,
        "form": form,
        "in_level_block": in_block,
        "conflict": conflict,
        "client_token": request.POST.get("client_token") or uuid.uuid4(),
        "catalogue": catalogue_groups(
            activities, parent.direction_id, level_directions, block.level_id if block else None
        ),
        "catalogue_size": len(activities),
        "level": block.level if block else None,
        "draft_key": _draft_key(plan, parent=parent),
    }
    return _form_response(request, "plans/_row_new.html", context, status, plan, conflict)


@login_required
@require_POST
@editing
def row_add(request, pk):
    plan = _editable_plan(request, pk)
    parent = _parent_item(plan, request.POST.get("parent"))
    in_block = _is_in_level_block(parent)
    form = PlanRowForm(
        request.POST, instance=PlanRow(plan=plan, parent=parent), in_level_block=in_block
    )
    if not form.is_valid():
        return _render_new_form(request, plan, parent, form, in_block, status=422)
    try:
        token = uuid.UUID(request.POST.get("client_token", ""))
    except ValueError:
        token = None
    try:
        services.plan_row_add(
            plan=plan,
            parent=parent,
            data=form.cleaned_data,
            version=_version(request),
            client_token=token,
        )
    except (services.PlanConflict, services.PlanNotEditable) as error:
        return _render_new_form(
            request, plan, parent, form, in_block, status=409, conflict=error.message
        )
    response = _table_response(request, plan.pk)
    # The form asked to replace itself (for its own errors); on success the whole
    # table comes back, renumbered.
    response["HX-Retarget"] = "#plan-table"
    response["HX-Reswap"] = "outerHTML"
    return _changed(response, Plan.objects.get(pk=plan.pk), _draft_key(plan, parent=parent))


# A deleted row can be put back («Вернуть») for this long: the page gets its contents
# in a signed token (signed, so nobody can forge the place or the plan of a row).
ROW_UNDO_SECONDS = 15 * 60
ROW_UNDO_SALT = "plans.row-restore"


@login_required
@require_POST
@editing
def row_delete(request, pk, row_pk):
    plan = _editable_plan(request, pk)
    row = get_object_or_404(PlanRow, pk=row_pk, plan=plan, fixed_item=None)
    number = request.POST.get("number", "")[:20]
    try:
        snapshot = services.plan_row_delete(row=row, version=_version(request))
    except (services.PlanConflict, services.PlanNotEditable) as error:
        return _table_response(request, plan.pk, status=409, error=error.message)
    response = _table_response(request, plan.pk)
    token = signing.dumps(snapshot, salt=ROW_UNDO_SALT, compress=True)
    # Out of band, into the alerts above the table: the offer outlives the table's
    # next redraw (another edit, a move) for as long as the token is good.
    response.content += render_to_string(
        "plans/_row_deleted.html",
        {
            "plan": plan,
            "token": token,
            "number": number,
            "activity": snapshot["texts"]["activity"],
            "undo_id": snapshot["token"],
            "minutes": ROW_UNDO_SECONDS // 60,
        },
        request=request,
    ).encode()
    return response


@login_required
@require_POST
@editing
def row_restore(request, pk):
    """«Вернуть»: a row deleted a moment ago comes back at its place, with its remarks."""
    plan = _editable_plan(request, pk)
    try:
        snapshot = signing.loads(
            request.POST.get("token", ""), salt=ROW_UNDO_SALT, max_age=ROW_UNDO_SECONDS
        )
    except signing.SignatureExpired:
        return _table_response(
            request,
            plan.pk,
            status=422,
            error=f"Вернуть строку уже нельзя: прошло больше {ROW_UNDO_SECONDS // 60} минут. "
            "Добавьте её заново.",
        )
    except signing.BadSignature:
        return _table_response(
            request, plan.pk, status=422, error="Вернуть строку нельзя: ссылка повреждена."
        )
    try:
        services.plan_row_restore(plan=plan, snapshot=snapshot, version=_version(request))
    except services.RowRefused as error:
        return _table_response(request, plan.pk, status=422, error=error.message)
    except (services.PlanConflict, services.PlanNotEditable) as error:
        return _table_response(request, plan.pk, status=409, error=error.message)
    response = _table_response(request, plan.pk)
    response.content += f'<div id="undo-{snapshot["token"]}" hx-swap-oob="delete"></div>'.encode()
    return response


@login_required
@require_POST
@editing
def row_move(request, pk, row_pk):
    """One place up or down (the buttons, the arrow keys), or, after a drag, right
    below the line `after` («row-<pk>», «item-<pk>»)."""
    plan = _editable_plan(request, pk)
    row = get_object_or_404(PlanRow, pk=row_pk, plan=plan, fixed_item=None)
    try:
        if "after" in request.POST:
            services.plan_row_place(
                row=row, after=request.POST["after"][:40], version=_version(request)
            )
        else:
            services.plan_row_move(
                row=row, up=request.POST.get("direction") == "up", version=_version(request)
            )
    except services.RowRefused as error:
        return _table_response(request, plan.pk, status=422, error=error.message)
    except (services.PlanConflict, services.PlanNotEditable) as error:
        return _table_response(request, plan.pk, status=409, error=error.message)
    return _table_response(request, plan.pk)


@login_required
@require_POST
@editing
def plan_submit(request, pk):
    plan = _editable_plan(request, pk)
    try:
        services.plan_submit(plan=plan, by=request.user, version=_version(request))
    except services.SubmitRefused as refused:
        request.session["submit_problems"] = [
            [str(problem), getattr(problem, "anchor", "")] for problem in refused.problems
        ]
    except (services.PlanConflict, services.PlanNotEditable) as error:
        messages.error(request, error.message)
    # Success needs no message of its own: the editor of a submitted plan says so
    # (one notice, not two).
    return redirect("plans:edit", plan.pk)


def _comment_for_school(request, pk, comment_pk) -> tuple[Plan, PlanComment]:
    """A remark the user may answer (any status: answers go on after submission): on
    the deputy's own school's plan, or on a row assigned to the team member
    (`access.may_answer_row_comments`). Anything else: 404."""
    plan = get_object_or_404(Plan.objects.for_user(request.user), pk=pk)
    comment = get_object_or_404(
        PlanComment.objects.select_related("reply_to"), pk=comment_pk, plan=plan
    )
    root = comment.reply_to or comment
    assignees = (
        list(RowAssignment.objects.filter(row_id=root.row_id).values_list("person_id", flat=True))
        if root.row_id is not None and access.is_team_member(request.user)
        else []
    )
    if not access.may_answer_row_comments(request.user, plan, assignees):
        raise Http404
    return plan, comment


def _comments_response(request, plan: Plan, comment: PlanComment) -> HttpResponse:
    from plans.editor.row_html import comments_html

    root = comment.reply_to or comment
    if root.row_id is None:
        return redirect("plans:edit", plan.pk)
    thread = comment_threads(plan).get(root.row_id, [])
    response = HttpResponse(
        comments_html(
            plan.pk,
            root.row_id,
            thread,
            can_answer=True,
            columns=8 if access.may_edit_plan(request.user, plan) else 7,
            can_resolve=access.may_answer_comments(request.user, plan),
        )
    )
    # An answer moves the plan's version on: the page's row forms must carry the new one.
    plan.refresh_from_db(fields=["version"])
    return _changed(response, plan)


@login_required
@require_POST
def comment_reply(request, pk, comment_pk):
    plan, comment = _comment_for_school(request, pk, comment_pk)
    try:
        services.plan_comment_add(
            plan=plan,
            by=request.user,
            text=normalise_text(request.POST.get("text", "")),
            reply_to=comment,
        )
    except services.TransitionRefused as error:
        messages.error(request, error.message)
    return _comments_response(request, plan, comment)


@login_required
@require_POST
def comment_resolve(request, pk, comment_pk):
    """«Отметить как исправленное»: the deputy, who fixes the plan's text."""
    plan, comment = _comment_for_school(request, pk, comment_pk)
    if not access.may_answer_comments(request.user, plan):
        raise Http404
    services.plan_comment_resolve(comment=comment, by=request.user)
    return _comments_response(request, plan, comment)
