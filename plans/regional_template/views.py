"""The regional template of each year, for the centre: its page, its documents.

Only the centre's staff (`access.may_author_templates`) come here; a school or a
coordinator gets 403. The documents are drawn by the worker like a plan's
(plans/documents/queue.py `template_document`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import access
from plans.documents import queue
from plans.documents.formats import file_response
from plans.models import (
    BlockKind,
    Direction,
    DocumentStatus,
    ItemKind,
    Level,
    SchoolYear,
    TemplateBlock,
    TemplateItem,
)
from plans.regional_template import catalogue, services
from plans.regional_template.document import template_tree
from profplan.forms import normalise_text
from profplan.ids import id_or_404
from profplan.storage import open_stored


def _author(request) -> None:
    if not access.may_author_templates(request.user):
        raise PermissionDenied


@login_required
def template_list(request):
    """/templates/: every year's template, newest first."""
    _author(request)
    years = SchoolYear.objects.for_user(request.user)
    return render(request, "plans/templates/list.html", {"years": years})


@login_required
def template_export(request, pk, fmt):
    """/templates/<pk>/export.docx|pdf: the regional примерный план of the year as it is now."""
    year = _year(request, pk)
    document = queue.template_document(year=year, fmt=fmt, by=request.user)
    if document.status == DocumentStatus.READY:
        queue.document_used(document)
        return file_response(open_stored(document.file), document.filename)
    return redirect(document)


def _year(request, pk) -> SchoolYear:
    """The year's template, if it is of the author's region; another region's is a 404."""
    _author(request)
    return get_object_or_404(SchoolYear.objects.for_user(request.user), pk=pk)


@login_required
def template_detail(request, pk):
    """/templates/<pk>/: the year's template as a document, to edit: the preamble, the
    levels' hours, Table 1 with numbers by position. A fixed number of queries."""
    return _detail(request, _year(request, pk))


def _detail(request, year, *, new_block: dict | None = None, status: int = 200):
    """The template page; `new_block`: the «Добавить абзац» form as typed (refused)."""
    items = list(TemplateItem.objects.filter(year=year).select_related("level"))
    numbers = services.template_numbers(items)
    lines = [
        {"item": item, "depth": depth, "number": numbers[item.pk]}
        for item, depth in template_tree(items)
    ]
    blocks = list(TemplateBlock.objects.filter(year=year).order_by("order", "pk"))
    context = {
        "year": year,
        "lines": lines,
        "blocks": blocks,
        "block_kinds": BlockKind.choices,
        "required_blocks": [str(kind) for kind in services.REQUIRED_BLOCKS],
        # «after» empty: where the service puts a paragraph by default, before «Таблица 1».
        "new_block": new_block or {"kind": BlockKind.DOCUMENT, "after": ""},
        "levels": Level.objects.filter(year=year),
        "directions": Direction.objects.filter(year=year),
        "unpublished": services.template_unpublished_changes(year),
        "kinds": ItemKind,
    }
    return render(request, "plans/templates/detail.html", context, status=status)


def _done(request, year, message=None):
    if message:
        messages.success(request, message)
    return redirect("plans:template", year.pk)


def _refused(request, year, error: ValidationError):
    messages.error(request, " ".join(error.messages))
    return redirect("plans:template", year.pk)


@login_required
@require_POST
def template_item(request, pk, item_pk):
    """One item's actions: rename, up, down, delete, add a row or a heading after it
    or inside it."""
    year = _year(request, pk)
    item = get_object_or_404(TemplateItem, pk=item_pk, year=year)
    action = request.POST.get("action", "")
    try:
        if action == "rename":
            services.template_item_rename(item=item, title=request.POST.get("title", ""))
            return _done(request, year, f"Пункт {item.code} переименован.")
        if action in ("up", "down"):
            services.template_item_move(item=item, step=-1 if action == "up" else 1)
            return _done(request, year)
        if action == "delete":
            code = item.code
            services.template_item_delete(item=item)
            return _done(request, year, f"Пункт {code} удалён; номера следующих пунктов сдвинуты.")
        if action in ("add-row", "add-heading", "add-inside-row", "add-inside-heading"):
            kind = ItemKind.ROW if action.endswith("row") else ItemKind.HEADING
            inside = action.startswith("add-inside")
            added = services.template_item_add(
                year=year,
                parent=item if inside else item.parent,
                after=None if inside else item,
                kind=kind,
                title=request.POST.get("title", ""),
            )
            return _done(request, year, f"Добавлен пункт {added.code}.")
    except ValidationError as error:
        return _refused(request, year, error)
    return _refused(request, year, ValidationError("Неизвестное действие."))


@login_required
@require_POST
def template_levels(request, pk):
    """The levels' names and hours, the directions' names: all saved or none."""
    year = _year(request, pk)
    try:
        with transaction.atomic():
            for level in Level.objects.filter(year=year):
                name = request.POST.get(f"name-{level.pk}")
                if name is not None and name.strip() != level.name:
                    catalogue.level_rename(level=level, name=name)
                value = request.POST.get(f"level-{level.pk}", "").strip()
                if value and value != str(level.min_hours):
                    if not value.isdigit():
                        raise ValidationError(
                            f"Часы уровня «{level.name}»: целое число, например 40."
                        )
                    services.level_hours_set(level=level, min_hours=int(value))
            for direction in Direction.objects.filter(year=year):
                name = request.POST.get(f"direction-{direction.pk}")
                if name is not None and name.strip() != direction.name:
                    catalogue.direction_rename(direction=direction, name=name)
    except ValidationError as error:
        return _refused(request, year, error)
    return _done(request, year, "Уровни и направления сохранены.")


@login_required
@require_POST
def template_block(request, pk, block_pk):
    """One paragraph's actions: save its text (the default), up, down, delete."""
    year = _year(request, pk)
    block = get_object_or_404(TemplateBlock, pk=block_pk, year=year)
    action = request.POST.get("action", "save")
    try:
        if action in ("up", "down"):
            services.template_block_move(block=block, step=-1 if action == "up" else 1)
            return _done(request, year)
        if action == "delete":
            services.template_block_delete(block=block)
            return _done(request, year, f"Удалено: «{block.text[:60]}».")
        services.template_block_edit(
            block=block, text=request.POST.get("text", ""), bold=request.POST.get("bold", "")
        )
    except ValidationError as error:
        return _refused(request, year, error)
    return _done(request, year, "Абзац сохранён.")


@login_required
@require_POST
def template_block_new(request, pk):
    """«Добавить абзац»: a new paragraph of the preamble where the centre puts it; a
    refusal shows the page again with the text as typed (status 422)."""
    year = _year(request, pk)
    typed = {
        "kind": request.POST.get("kind", ""),
        "text": normalise_text(request.POST.get("text", "")),
        "after": request.POST.get("after", ""),
    }
    after = None
    if typed["after"]:
        after = get_object_or_404(TemplateBlock, pk=id_or_404(typed["after"]), year=year)
    try:
        services.template_block_add(year=year, kind=typed["kind"], text=typed["text"], after=after)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _detail(request, year, new_block={**typed, "refused": True}, status=422)
    return _done(request, year, "Абзац добавлен.")


@login_required
@require_POST
def template_publish(request, pk):
    year = _year(request, pk)
    revision = services.template_publish(year=year, by=request.user)
    if revision is None:
        return _done(request, year, "Изменений после публикации нет: опубликовано то же.")
    return _done(
        request,
        year,
        f"Примерный план на {year.title} учебный год опубликован (редакция {revision.number}).",
    )


@login_required
@require_POST
def template_new_year(request):
    """«Начать следующий учебный год»: a draft copy of the latest year."""
    _author(request)
    try:
        year = services.school_year_start_next(
            source=SchoolYear.objects.for_user(request.user).order_by("-start_date").first(),
            region=request.user.region,  # a region without a year yet: nothing to copy
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("plans:templates")
    messages.success(
        request, f"Создан черновик примерного плана на {year.title} учебный год (копия прошлого)."
    )
    return redirect("plans:template", year.pk)
