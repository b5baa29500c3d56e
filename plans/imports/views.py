"""Pages of the imports: upload, preview, apply. Thin: the reading is in docx.py,
placement.py and xlsx.py, the writes in services.py.

An upload is read once and its result kept in the user's session under a random
token (preview.py); the preview page and the apply name only that token.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse

from accounts import access
from profplan.uploads import UploadRefused, check_size

from ..forms import posted_version
from ..models import Plan, RowAssignment, School, SchoolYear
from ..services.errors import PlanConflict, PlanNotEditable
from ..team.assignments import assignable_people, offers_posted, team_offers
from .forms import AdminDocxImportForm, DocxImportForm, XlsxImportForm
from .placement import Placement, docx_placement
from .preview import (
    grade_levels_text,
    placement_summary,
    placement_table,
    preview_drop,
    preview_load,
    preview_store,
)
from .services import ImportRefused, plan_import_docx, plan_import_xlsx
from .xlsx import XlsxChanges, xlsx_changes


def _read_upload(form) -> Placement | None:
    """The form's file read and placed; a refusal becomes the form's error."""
    upload = form.cleaned_data["file"]
    try:
        check_size(upload.size, what="плана")  # before a byte of it is read
        return docx_placement(upload.read(), upload.name, form.cleaned_data["year"])
    except UploadRefused as refused:
        form.add_error("file", refused.message)
        return None


def _store(request, placement: Placement, school: School, filename: str) -> str:
    return preview_store(
        request,
        {
            "kind": "docx",
            "school": school.pk,
            "file": filename[:200],
            "placement": placement.to_json(),
        },
    )


def _kept(request, token: str) -> tuple[dict, Placement, School, SchoolYear]:
    """The preview behind a token of this user's session that the user may apply; else 404."""
    data = preview_load(request, token)
    if data is None or data.get("kind") != "docx":
        raise Http404("Проверка файла не найдена")
    if not access.may_import_plan(request.user, data["school"]):
        raise Http404("Проверка файла не найдена")
    placement = Placement.from_json(data["placement"])
    school = get_object_or_404(School.objects.select_related("municipality"), pk=data["school"])
    year = get_object_or_404(SchoolYear.objects.for_user(request.user), pk=placement.year_id)
    return data, placement, school, year


def _preview_context(data, placement, school, year) -> dict:
    existing = Plan.objects.filter(school=school, year=year).first()
    return {
        "file_name": data["file"],
        "placement": placement,
        "summary": placement_summary(placement),
        "table": placement_table(placement, year),
        "grade_levels": grade_levels_text(placement, year),
        "school": school,
        "year": year,
        "existing": existing,
    }


def _docx_offers(request, placement, school, table) -> list:
    """The team's names found in the file's «Ответственные» (the deputy's preview only:
    the centre's admin import assigns nobody). Numbers as the preview prints them."""
    if not access.may_manage_team(request.user, school.pk):
        return []
    numbers = {entry.line: entry.row.number for entry in table if entry.line}
    entries = [
        (index, numbers.get(placed.line, ""), placed.activity, placed.responsible)
        for index, placed in enumerate(placement.rows)
        if placed.responsible
    ]
    return team_offers(entries, assignable_people(school.pk)) if entries else []


def _apply(request, placement, school, existing, assignees=None) -> Plan | None:
    """Apply the preview; a refusal becomes an error message and None."""
    try:
        return plan_import_docx(
            placement=placement,
            school=school,
            replace=request.POST.get("replace") == "1",
            version=posted_version(request.POST) if existing else None,
            assignees=assignees,
            by=request.user,
        )
    except (ImportRefused, PlanConflict, PlanNotEditable) as refused:
        messages.error(request, refused.message)
        return None


# --- The school's own pages ---------------------------------------------------


@login_required
def docx_upload(request):
    """Upload last year's (or this year's) plan in Word: the preview follows."""
    if not access.is_school_deputy(request.user):
        raise PermissionDenied
    school = request.user.school
    form = DocxImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        placement = _read_upload(form)
        if placement is not None:
            token = _store(request, placement, school, form.cleaned_data["file"].name)
            return redirect("plans:import-preview", token)
    return render(request, "plans/imports/docx_upload.html", {"form": form, "school": school})


@login_required
def docx_preview(request, token):
    data, placement, school, year = _kept(request, token)
    if not access.belongs_to(request.user, school.pk):
        raise Http404("Проверка файла не найдена")
    context = _preview_context(data, placement, school, year)
    offers = _docx_offers(request, placement, school, context["table"])
    if request.method == "POST":
        chosen = offers_posted(offers, request.POST.getlist("assign"))
        plan = _apply(request, placement, school, context["existing"], chosen)
        if plan is not None:
            preview_drop(request, token)
            messages.success(
                request,
                f"План на {year.title} учебный год загружен из файла «{data['file']}»: "
                f"{placement_summary(placement)}" + _assigned_text(chosen),
            )
            return redirect("plans:edit", plan.pk)
        context = _preview_context(data, placement, school, year)
    context["team_offers"] = offers
    context["apply_url"] = reverse("plans:import-preview", args=[token])
    return render(request, "plans/imports/docx_preview.html", context)


# --- The admin: the regional centre imports for a chosen school ----------------


def admin_docx_import(model_admin, request):
    """Upload a school's plan in Word for the school chosen in the form."""
    if not (access.may_review(request.user) and model_admin.has_change_permission(request)):
        raise PermissionDenied
    form = AdminDocxImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        school = form.cleaned_data["school"]
        placement = _read_upload(form)
        if placement is not None:
            token = _store(request, placement, school, form.cleaned_data["file"].name)
            return redirect("admin:plans_plan_import_preview", token)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "Загрузка плана школы из Word",
        "form": form,
    }
    return TemplateResponse(request, "admin/plans/plan/import.html", context)


def admin_docx_preview(model_admin, request, token):
    if not (access.may_review(request.user) and model_admin.has_change_permission(request)):
        raise PermissionDenied
    data, placement, school, year = _kept(request, token)
    context = _preview_context(data, placement, school, year)
    if request.method == "POST":
        plan = _apply(request, placement, school, context["existing"])
        if plan is not None:
            preview_drop(request, token)
            model_admin.message_user(
                request,
                f"План {school} на {year.title} учебный год загружен из файла: "
                f"{placement_summary(placement)}",
                messages.SUCCESS,
            )
            return redirect("admin:plans_plan_change", plan.pk)
        context = _preview_context(data, placement, school, year)
    context.update(
        model_admin.admin_site.each_context(request),
        opts=model_admin.opts,
        title=f"Проверка плана из Word: {school}, {year.title}",
        apply_url=reverse("admin:plans_plan_import_preview", args=[token]),
    )
    return TemplateResponse(request, "admin/plans/plan/import_preview.html", context)


# --- Excel: the plan's workbook back from offline ---------------------------------


def _own_plan(request, pk) -> Plan:
    """The plan, if this user may change its text; another school's plan is a 404."""
    return get_object_or_404(Plan.objects.editable_by(request.user).for_editor(), pk=pk)


@login_required
def xlsx_upload(request, pk):
    plan = _own_plan(request, pk)
    if not access.may_edit_plan(request.user, plan):
        messages.error(request, PlanNotEditable.message)
        return redirect("plans:edit", plan.pk)
    form = XlsxImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_size(upload.size, what="плана")
            changes = xlsx_changes(upload.read(), upload.name, plan)
        except UploadRefused as refused:
            form.add_error("file", refused.message)
        else:
            token = preview_store(
                request,
                {
                    "kind": "xlsx",
                    "plan": plan.pk,
                    "file": upload.name[:200],
                    "changes": changes.to_json(),
                },
            )
            return redirect("plans:import-xlsx-preview", plan.pk, token)
    return render(request, "plans/imports/xlsx_upload.html", {"form": form, "plan": plan})


@login_required
def xlsx_preview(request, pk, token):
    plan = _own_plan(request, pk)
    data = preview_load(request, token)
    if data is None or data.get("kind") != "xlsx" or data.get("plan") != plan.pk:
        raise Http404("Проверка файла не найдена")
    changes = XlsxChanges.from_json(data["changes"])
    offers = _xlsx_offers(request, plan, changes)
    if request.method == "POST":
        chosen = offers_posted(offers, request.POST.getlist("assign"))
        try:
            plan_import_xlsx(plan=plan, changes=changes, assignees=chosen, by=request.user)
        except (ImportRefused, PlanNotEditable) as refused:
            messages.error(request, refused.message)
        except PlanConflict:
            messages.error(
                request,
                "План изменился после проверки файла: загрузите файл ещё раз, он будет сравнён "
                "с планом заново. Ничего не изменено.",
            )
        else:
            preview_drop(request, token)
            messages.success(
                request,
                f"Изменения из файла «{data['file']}» перенесены в план: добавлено "
                f"{len(changes.of('added'))}, изменено {len(changes.of('changed'))}, удалено "
                f"{len(changes.of('removed'))}." + _assigned_text(chosen),
            )
            return redirect("plans:edit", plan.pk)
    context = {
        "plan": plan,
        "file_name": data["file"],
        "changes": changes,
        "added": changes.of("added"),
        "changed": changes.of("changed"),
        "removed": changes.of("removed"),
        "conflicts": changes.of("conflict"),
        "moved_on": changes.export_version != changes.plan_version,
        "team_offers": offers,
    }
    return render(request, "plans/imports/xlsx_preview.html", context)


# --- The team: names in «Ответственные» offered as assignees (plans/team/) ---------


def _xlsx_offers(request, plan, changes) -> list:
    """The team's names in the «Ответственные» of the rows the file adds or changes,
    but for people already assigned to those rows. Two queries: the team and the
    rows' assignments."""
    if not access.may_manage_team(request.user, plan.school_id):
        return []
    entries = [
        (index, change.number, change.fields.get("activity", ""), change.fields["responsible"])
        for index, change in enumerate(changes.changes)
        if change.kind in ("added", "changed") and change.fields.get("responsible")
    ]
    if not entries:
        return []
    by_row = {index: change.row_id for index, change in enumerate(changes.changes)}
    assigned = set(
        RowAssignment.objects.filter(
            row_id__in=[by_row[index] for index, *_ in entries if by_row[index]]
        ).values_list("row_id", "person_id")
    )
    skip = {
        (index, person_id)
        for index, row_id in by_row.items()
        for assigned_row, person_id in assigned
        if assigned_row == row_id
    }
    return team_offers(entries, assignable_people(plan.school_id), skip)


def _assigned_text(chosen: dict) -> str:
    count = sum(len(people) for people in chosen.values())
    return f" Назначено исполнителей из команды: {count}." if count else ""
